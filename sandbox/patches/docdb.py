"""DocumentDB: the ``docdb`` engine on moto's RDS backend, as AWS serves the boto3 ``docdb`` client.

DocumentDB shares the RDS API (signing name ``rds``); moto rejects the engine. This adds it: clusters
and instances with DocumentDB endpoints and port 27017, cluster parameter groups of family
``docdb5.0`` that describe AWS's engine defaults, Reset/DescribeEngineDefaultClusterParameters, and
the lifecycle durations ``docdb_cluster``/``docdb_instance``. There is no DocumentDB data plane: the
endpoints are the names AWS would report.
"""

from __future__ import annotations

from typing import Any

from moto.core.responses import ActionResult
from moto.rds.exceptions import DBClusterParameterGroupNotFoundError, RDSClientError
from moto.rds.models import DBCluster, DBClusterParameterGroup, DBInstance, RDSBackend
from moto.rds.responses import RDSResponse
from moto.rds.utils import ClusterEngine, DbInstanceEngine

from sandbox.patches import rds

ENGINE = "docdb"
DEFAULT_VERSION = "5.0.0"
PORT = 27017
HOSTED_ZONE_ID = "ZNKXH85TT8WVW"

# The engine defaults AWS reports for a docdb5.0 cluster parameter group.
DOCDB50_PARAMETERS = rds._catalog_entries(
    (
        ("audit_logs", "string", "dynamic", "enabled,disabled,ddl,dml_read,dml_write,all,none", True, "disabled",
         "Enables auditing on cluster."),
        ("change_stream_log_retention_duration", "integer", "dynamic", "3600-604800", True, "10800",
         "Duration of time in seconds that the change stream log is retained and can be consumed."),
        ("default_collection_compression", "string", "dynamic", "enabled,disabled", True, "disabled",
         "Default compression setting for new collections in the cluster."),
        ("profiler", "string", "dynamic", "enabled,disabled", True, "disabled",
         "Enables profiling for slow operations."),
        ("profiler_sampling_rate", "float", "dynamic", "0.0-1.0", True, "1.0",
         "Provides the sampling rate for logged operations."),
        ("profiler_threshold_ms", "integer", "dynamic", "50-2147483646", True, "100",
         "Operations longer than profiler_threshold_ms are logged."),
        ("tls", "string", "static", "disabled,enabled,fips-140-3,tls1.2+,tls1.3+", True, "enabled",
         "Config to enable/disable TLS."),
        ("ttl_monitor", "string", "dynamic", "disabled,enabled", True, "enabled", "Enables TTL Monitoring."),
    ),
    "5.0.0",
)
for _entry in DOCDB50_PARAMETERS:
    _entry["Source"] = "engine-default"

_ORIGINAL: dict[str, Any] = {}


def _family(version: str | None) -> str:
    major = (version or DEFAULT_VERSION).split(".")
    return f"docdb{major[0]}.{major[1] if len(major) > 1 else 0}"


def _cluster_endpoints(cluster: DBCluster) -> tuple[str, str]:
    suffix = f"{cluster.url_identifier}.{cluster.region}.docdb.amazonaws.com"
    identifier = cluster.db_cluster_identifier
    return f"{identifier}.cluster-{suffix}", f"{identifier}.cluster-ro-{suffix}"


def _instance_endpoint(database: DBInstance) -> dict[str, Any]:
    cluster = database.backend.clusters.get(database.db_cluster_identifier or "")
    suffix = cluster.url_identifier if cluster is not None else "sandbox"
    address = f"{database.db_instance_identifier}.{suffix}.{database.region}.docdb.amazonaws.com"
    return {"Address": address, "Port": PORT, "HostedZoneId": HOSTED_ZONE_ID}


def _ensure_cluster_parameter_group(backend: RDSBackend, name: str) -> DBClusterParameterGroup | None:
    """Default groups (``default.docdb5.0``) exist on AWS without being created."""
    if name in backend.db_cluster_parameter_groups:
        return backend.db_cluster_parameter_groups[name]
    if name.lower().startswith("default.docdb"):
        family = name.lower()[len("default."):]
        group = DBClusterParameterGroup(backend=backend, db_cluster_parameter_group_name=name.lower(),
                                        db_parameter_group_family=family,
                                        description=f"Default cluster parameter group for {family}", tags=[])
        backend.db_cluster_parameter_groups[group.name] = group
        return group
    return None


def create_db_cluster(self: RDSBackend, kwargs: Any) -> DBCluster:
    if kwargs.get("engine") == ENGINE:
        kwargs["engine_version"] = kwargs.get("engine_version") or DEFAULT_VERSION
        kwargs["port"] = kwargs.get("port") or PORT
        group = kwargs.get("db_cluster_parameter_group_name") or f"default.{_family(kwargs['engine_version'])}"
        if _ensure_cluster_parameter_group(self, group) is None:
            raise DBClusterParameterGroupNotFoundError(group)
        kwargs["db_cluster_parameter_group_name"] = group.lower()
        kwargs.setdefault("storage_type", "standard")
        kwargs["allocated_storage"] = 1
    return _ORIGINAL["create_db_cluster"](self, kwargs)


def modify_db_cluster(self: RDSBackend, kwargs: Any) -> DBCluster:
    group = kwargs.get("db_cluster_parameter_group_name")
    if group and _ensure_cluster_parameter_group(self, group) is None:
        raise DBClusterParameterGroupNotFoundError(group)
    return _ORIGINAL["modify_db_cluster"](self, kwargs)


def describe_db_cluster_parameter_groups(self: RDSBackend, group_name: str | None) -> list[DBClusterParameterGroup]:
    if group_name is not None:
        _ensure_cluster_parameter_group(self, group_name)
    else:
        _ensure_cluster_parameter_group(self, f"default.{_family(DEFAULT_VERSION)}")
    return _ORIGINAL["describe_db_cluster_parameter_groups"](self, group_name)


def _group(backend: RDSBackend, name: str) -> DBClusterParameterGroup:
    group = _ensure_cluster_parameter_group(backend, name)
    if group is None:
        raise DBClusterParameterGroupNotFoundError(name)
    return group


def modify_db_cluster_parameter_group(self: RDSBackend, db_cluster_parameter_group_name: str,
                                      db_cluster_parameter_group_parameters: Any) -> DBClusterParameterGroup:
    group = _group(self, db_cluster_parameter_group_name)
    parameters = list(db_cluster_parameter_group_parameters)
    if group.name.startswith("default."):
        raise RDSClientError("InvalidDBParameterGroupState",
                             f"Default parameter groups cannot be modified: {group.name}")
    rds.validate_parameters(group.name, group.db_parameter_group_family, parameters, rds.CLUSTER_PARAMETER_CATALOGS)
    return _ORIGINAL["modify_db_cluster_parameter_group"](self, group.name, parameters)


def delete_db_cluster_parameter_group(self: RDSBackend, db_cluster_parameter_group_name: str) -> None:
    group = _group(self, db_cluster_parameter_group_name)
    if group.name.startswith("default."):
        raise RDSClientError("InvalidDBParameterGroupState", f"Default parameter group {group.name} cannot be deleted.")
    if any(cluster.parameter_group == group.name for cluster in self.clusters.values()):
        raise RDSClientError("InvalidDBParameterGroupState",
                             f"One or more database clusters are still members of parameter group {group.name}")
    return _ORIGINAL["delete_db_cluster_parameter_group"](self, group.name)


def response_describe_db_cluster_parameters(self: RDSResponse) -> ActionResult:
    group = _group(self.backend, self.params.get("DBClusterParameterGroupName"))
    parameters = rds.merged_parameters(group, rds.CLUSTER_PARAMETER_CATALOGS, group.db_parameter_group_family)
    source = self.params.get("Source")
    if source:
        parameters = [parameter for parameter in parameters if parameter.get("Source") == source]
    return ActionResult({"Parameters": parameters})


def response_reset_db_cluster_parameter_group(self: RDSResponse) -> ActionResult:
    group = _group(self.backend, self.params.get("DBClusterParameterGroupName"))
    names = [parameter.get("ParameterName") for parameter in self.params.get("Parameters") or []]
    if self.params.get("ResetAllParameters"):
        if names:
            raise RDSClientError("InvalidParameterCombination",
                                 "Parameters cannot be specified when ResetAllParameters is true.")
        group.parameters.clear()
    elif not names:
        raise RDSClientError("InvalidParameterCombination",
                             "Parameters are required unless ResetAllParameters is true.")
    for name in names:
        group.parameters.pop(name, None)
    return ActionResult({"DBClusterParameterGroupName": group.name})


def response_describe_engine_default_cluster_parameters(self: RDSResponse) -> ActionResult:
    family = self.params.get("DBParameterGroupFamily")
    catalog = rds._catalog(family, rds.CLUSTER_PARAMETER_CATALOGS) or []
    return ActionResult({"EngineDefaults": {"DBParameterGroupFamily": family, "Parameters": catalog}})


def _with_docdb(original: Any) -> classmethod:  # type: ignore[type-arg]
    def engines(cls: Any) -> list[str]:
        return sorted({*original(), ENGINE})

    return classmethod(engines)


def _default(original: Any, docdb_value: Any) -> staticmethod:  # type: ignore[type-arg]
    def value(*args: Any, **kwargs: Any) -> Any:
        engine = kwargs.get("engine", args[0] if args else None)
        return docdb_value if engine == ENGINE else original(*args, **kwargs)

    return staticmethod(value)


def apply() -> None:
    """Teach moto's RDS backend the docdb engine (idempotent; needs ``sandbox.patches.rds`` applied first)."""
    if getattr(RDSBackend, "_sandbox_docdb_patched", False):
        return
    rds.apply()
    RDSBackend._sandbox_docdb_patched = True
    ClusterEngine.list_cluster_engines = _with_docdb(ClusterEngine.list_cluster_engines)
    DbInstanceEngine.valid_db_instance_engine = _with_docdb(DbInstanceEngine.valid_db_instance_engine)
    DBCluster.default_engine_version = _default(DBCluster.default_engine_version, DEFAULT_VERSION)
    DBCluster.default_port = _default(DBCluster.default_port, PORT)
    DBCluster.default_allocated_storage = _default(DBCluster.default_allocated_storage, 1)
    DBInstance.default_port = _default(DBInstance.default_port, PORT)
    rds.CLUSTER_ENDPOINTS[ENGINE] = _cluster_endpoints
    rds.INSTANCE_ENDPOINTS[ENGINE] = _instance_endpoint
    rds.CREATE_KINDS[ENGINE] = "docdb_instance"
    rds.CLUSTER_CREATE_KINDS[ENGINE] = "docdb_cluster"
    rds.CLUSTER_PARAMETER_CATALOGS["docdb5"] = DOCDB50_PARAMETERS
    for name, function in (
        ("create_db_cluster", create_db_cluster),
        ("modify_db_cluster", modify_db_cluster),
        ("describe_db_cluster_parameter_groups", describe_db_cluster_parameter_groups),
        ("modify_db_cluster_parameter_group", modify_db_cluster_parameter_group),
        ("delete_db_cluster_parameter_group", delete_db_cluster_parameter_group),
    ):
        _ORIGINAL[name] = getattr(RDSBackend, name)
        setattr(RDSBackend, name, function)
    RDSResponse.describe_db_cluster_parameters = response_describe_db_cluster_parameters
    RDSResponse.reset_db_cluster_parameter_group = response_reset_db_cluster_parameter_group
    RDSResponse.describe_engine_default_cluster_parameters = response_describe_engine_default_cluster_parameters
