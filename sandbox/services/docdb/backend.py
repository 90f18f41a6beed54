"""DocumentDB backend operations: docdb clusters on moto's RDS backend and their cluster parameter groups."""

from __future__ import annotations

from typing import Any

from moto.rds.exceptions import DBClusterParameterGroupNotFoundError, RDSClientError
from moto.rds.models import DBCluster, DBClusterParameterGroup, RDSBackend

from sandbox.services import original
from sandbox.services.docdb.models import (
    DEFAULT_VERSION,
    ENGINE,
    PORT,
    cluster_parameter_group,
    ensure_cluster_parameter_group,
    family,
)
from sandbox.services.rds import upgrades
from sandbox.services.rds.parameters import CLUSTER_PARAMETER_CATALOGS, catalog_for
from sandbox.services.rds.validation import validate_parameters


def create_db_cluster(self: RDSBackend, kwargs: Any) -> DBCluster:
    if kwargs.get("engine") == ENGINE:
        kwargs["engine_version"] = kwargs.get("engine_version") or DEFAULT_VERSION
        kwargs["port"] = kwargs.get("port") or PORT
        group = kwargs.get("db_cluster_parameter_group_name") or f"default.{family(kwargs['engine_version'])}"
        if ensure_cluster_parameter_group(self, group) is None:
            raise DBClusterParameterGroupNotFoundError(group)
        kwargs["db_cluster_parameter_group_name"] = group.lower()
        kwargs.setdefault("storage_type", "standard")
        kwargs["allocated_storage"] = 1
    answer = original(create_db_cluster)(self, kwargs)
    if answer.engine == ENGINE and not answer.storage_encrypted:
        # moto fills in a placeholder key; AWS reports none for an unencrypted cluster.
        answer.kms_key_id = self.clusters[answer.db_cluster_identifier].kms_key_id = None
    return answer


def modify_db_cluster(self: RDSBackend, kwargs: Any) -> DBCluster:
    group = kwargs.get("db_cluster_parameter_group_name")
    if group and ensure_cluster_parameter_group(self, group) is None:
        raise DBClusterParameterGroupNotFoundError(group)
    cluster = self.clusters.get(kwargs.get("db_cluster_identifier"))
    target = kwargs.get("engine_version")
    if cluster is not None and cluster.engine == ENGINE and target:
        # An in-place upgrade along AWS's paths only; moto takes any version.
        named = cluster_parameter_group(self, group or cluster.parameter_group)
        upgrades.check(upgrades.engine_upgrade_problem(
            ENGINE, cluster.engine_version, target, bool(kwargs.get("allow_major_version_upgrade")),
            named.db_parameter_group_family if named is not None else None))
    return original(modify_db_cluster)(self, kwargs)


def describe_db_cluster_parameter_groups(self: RDSBackend, group_name: str | None) -> list[DBClusterParameterGroup]:
    if group_name is not None:
        ensure_cluster_parameter_group(self, group_name)
    else:
        ensure_cluster_parameter_group(self, f"default.{family(DEFAULT_VERSION)}")
    return original(describe_db_cluster_parameter_groups)(self, group_name)


def modify_db_cluster_parameter_group(self: RDSBackend, db_cluster_parameter_group_name: str,
                                      db_cluster_parameter_group_parameters: Any) -> DBClusterParameterGroup:
    group = cluster_parameter_group(self, db_cluster_parameter_group_name)
    parameters = list(db_cluster_parameter_group_parameters)
    if group.name.startswith("default."):
        raise RDSClientError("InvalidDBParameterGroupState",
                             f"Default parameter groups cannot be modified: {group.name}")
    validate_parameters(group.name, catalog_for(group.db_parameter_group_family, CLUSTER_PARAMETER_CATALOGS),
                        parameters)
    return original(modify_db_cluster_parameter_group)(self, group.name, parameters)


def delete_db_cluster_parameter_group(self: RDSBackend, db_cluster_parameter_group_name: str) -> None:
    group = cluster_parameter_group(self, db_cluster_parameter_group_name)
    if group.name.startswith("default."):
        raise RDSClientError("InvalidDBParameterGroupState", f"Default parameter group {group.name} cannot be deleted.")
    if any(cluster.parameter_group == group.name for cluster in self.clusters.values()):
        raise RDSClientError("InvalidDBParameterGroupState",
                             f"One or more database clusters are still members of parameter group {group.name}")
    return original(delete_db_cluster_parameter_group)(self, group.name)
