"""DocumentDB API handlers (moto's RDSResponse) for the cluster parameter group actions moto lacks."""

from __future__ import annotations

from moto.core.responses import ActionResult
from moto.rds.exceptions import RDSClientError
from moto.rds.responses import RDSResponse

from sandbox.services.docdb.models import cluster_parameter_group
from sandbox.services.rds.parameters import CLUSTER_PARAMETER_CATALOGS, catalog_for, merged_parameters
from sandbox.services.rds.validation import validate_parameters


def describe_db_cluster_parameters(self: RDSResponse) -> ActionResult:
    group = cluster_parameter_group(self.backend, self.params.get("DBClusterParameterGroupName"))
    parameters = merged_parameters(group, CLUSTER_PARAMETER_CATALOGS, group.db_parameter_group_family)
    source = self.params.get("Source")
    if source:
        parameters = [parameter for parameter in parameters if parameter.get("Source") == source]
    return ActionResult({"Parameters": parameters})


def reset_db_cluster_parameter_group(self: RDSResponse) -> ActionResult:
    group = cluster_parameter_group(self.backend, self.params.get("DBClusterParameterGroupName"))
    names = [parameter.get("ParameterName") for parameter in self.params.get("Parameters") or []]
    if self.params.get("ResetAllParameters"):
        if names:
            raise RDSClientError("InvalidParameterCombination",
                                 "Parameters cannot be specified when ResetAllParameters is true.")
        group.parameters.clear()
    elif not names:
        raise RDSClientError("InvalidParameterCombination",
                             "Parameters are required unless ResetAllParameters is true.")
    else:
        validate_parameters(group.name, catalog_for(group.db_parameter_group_family, CLUSTER_PARAMETER_CATALOGS),
                            list(self.params.get("Parameters")))
    for name in names:
        group.parameters.pop(name, None)
    return ActionResult({"DBClusterParameterGroupName": group.name})


def describe_engine_default_cluster_parameters(self: RDSResponse) -> ActionResult:
    family = self.params.get("DBParameterGroupFamily")
    catalog = catalog_for(family, CLUSTER_PARAMETER_CATALOGS) or []
    return ActionResult({"EngineDefaults": {"DBParameterGroupFamily": family, "Parameters": catalog}})
