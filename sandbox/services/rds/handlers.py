"""RDS API handlers (moto's RDSResponse): one lock around every action, and the actions moto lacks or gets wrong."""

from __future__ import annotations

from typing import Any

from moto.core.responses import ActionResult
from moto.rds.exceptions import DBParameterGroupNotFoundError, InvalidParameterCombination, InvalidParameterValue
from moto.rds.responses import RDSResponse

from sandbox.services import original
from sandbox.services.rds.models import AFTER_ACTION, LOCK
from sandbox.services.rds.parameters import PARAMETER_CATALOGS, catalog_for, group_changed, merged_parameters
from sandbox.services.rds.validation import page, require_status, validate_parameters


def call_action(self: RDSResponse) -> Any:
    AFTER_ACTION.callbacks = []
    try:
        with LOCK:
            result = original(call_action)(self)
        for callback in AFTER_ACTION.callbacks:
            callback()
    finally:
        AFTER_ACTION.callbacks = None
    return result


def create_db_snapshot(self: RDSResponse) -> Any:
    identifier = self.params.get("DBInstanceIdentifier")
    if identifier in self.backend.databases:
        database = self.backend.databases[identifier]
        require_status(database, ("available",), "InvalidDBInstanceState",
                       "Cannot create a snapshot because the database instance "
                       f"{database.db_instance_identifier} is not currently in the available state.")
    return original(create_db_snapshot)(self)


def create_db_cluster_snapshot(self: RDSResponse) -> Any:
    identifier = self.params.get("DBClusterIdentifier")
    if identifier in self.backend.clusters:
        require_status(self.backend.clusters[identifier], ("available",), "InvalidDBClusterStateFault",
                       f"DBCluster {identifier} is not in the available state.")
    return original(create_db_cluster_snapshot)(self)


def delete_db_cluster(self: RDSResponse) -> Any:
    snapshot = self.params.get("FinalDBSnapshotIdentifier")
    if snapshot is not None:
        self.backend.validate_db_snapshot_identifier(snapshot, parameter_name="FinalDBSnapshotIdentifier")
    cluster = self.backend.delete_db_cluster(
        cluster_identifier=self.params.get("DBClusterIdentifier"),
        snapshot_name=snapshot,
        skip_final_snapshot=bool(self.params.get("SkipFinalSnapshot", False)),
    )
    return ActionResult({"DBCluster": cluster})


def describe_db_parameters(self: RDSResponse) -> Any:
    name = self.params.get("DBParameterGroupName")
    groups = self.backend.describe_db_parameter_groups({"db_parameter_group_name": name})
    parameters = merged_parameters(groups[0], PARAMETER_CATALOGS, groups[0].family)
    source = self.params.get("Source")
    if source:
        parameters = [p for p in parameters if p.get("Source") == source]
    parameters, marker = page(self.params, parameters)
    return ActionResult({"Parameters": parameters, **({"Marker": marker} if marker else {})})


def describe_engine_default_parameters(self: RDSResponse) -> Any:
    family = self.params.get("DBParameterGroupFamily")
    parameters, marker = page(self.params, catalog_for(family, PARAMETER_CATALOGS) or [])
    return ActionResult({"EngineDefaults": {"DBParameterGroupFamily": family, "Parameters": parameters,
                                            **({"Marker": marker} if marker else {})}})


def reset_db_parameter_group(self: RDSResponse) -> Any:
    name = self.params.get("DBParameterGroupName")
    if name not in self.backend.db_parameter_groups:
        raise DBParameterGroupNotFoundError(name)
    group = self.backend.db_parameter_groups[name]
    if group.name.startswith("default."):
        raise InvalidParameterValue(f"Default parameter groups cannot be modified: {group.name}")
    parameters = list(self.params.get("Parameters") or [])
    catalog = catalog_for(group.family, PARAMETER_CATALOGS)
    if self.params.get("ResetAllParameters"):
        if parameters:
            raise InvalidParameterCombination("Parameters cannot be specified when ResetAllParameters is true.")
        # Every user value goes back to its default: the dynamic ones at once, the static ones at the next reboot.
        static = {entry["ParameterName"] for entry in catalog or [] if entry.get("ApplyType") == "static"}
        parameters = [{"ParameterName": parameter_name,
                       "ApplyMethod": "pending-reboot" if parameter_name in static else "immediate"}
                      for parameter_name in group.parameters]
    elif not parameters:
        raise InvalidParameterCombination("Parameters are required unless ResetAllParameters is true.")
    else:
        validate_parameters(group.name, catalog, parameters)
    for parameter in parameters:
        group.parameters.pop(parameter.get("ParameterName"), None)
    group_changed(self.backend, group, parameters)
    return ActionResult({"DBParameterGroupName": group.name})
