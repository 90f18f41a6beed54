"""DocumentDB models: the engine's defaults, endpoints and default cluster parameter groups."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moto.rds.exceptions import DBClusterParameterGroupNotFoundError
from moto.rds.models import DBCluster, DBClusterParameterGroup, DBInstance, RDSBackend

from sandbox.dataplane import documentdb
from sandbox.services import load_data
from sandbox.services.rds.models import ClusterServers, master_password

ENGINE = "docdb"
DEFAULT_VERSION = "5.0.0"
PORT = 27017
HOSTED_ZONE_ID = "ZNKXH85TT8WVW"

# The engine defaults AWS reports for a docdb5.0 cluster parameter group, and the families they serve.
_CATALOGUE = load_data(__file__, "docdb5.0-parameters.json")
FAMILIES: list[str] = _CATALOGUE["families"]
PARAMETERS: list[dict[str, Any]] = _CATALOGUE["parameters"]
# The families of the other versions a cluster is upgraded from or to (4.0 -> 5.0 -> 8.0). The sandbox has no catalogue
# of their own: it serves 5.0's, less default_collection_compression (a 5.0 feature) for 4.0. Close enough for the
# parameters this collection sets (tls, audit_logs, profiler, profiler_threshold_ms), which all three have.
OTHER_FAMILIES: dict[str, list[dict[str, Any]]] = {
    "docdb4": [p for p in PARAMETERS if p["ParameterName"] != "default_collection_compression"],
    "docdb8": PARAMETERS,
}


def family(version: str | None) -> str:
    major = (version or DEFAULT_VERSION).split(".")
    return f"docdb{major[0]}.{major[1] if len(major) > 1 else 0}"


def server_of(cluster: DBCluster | None) -> documentdb.Server | None:
    return getattr(cluster, "_sandbox_documentdb", None)


def cluster_endpoints(cluster: DBCluster) -> tuple[str, str]:
    """The writer and reader endpoints: the cluster's server (one member is writer and reader alike)."""
    if server_of(cluster) is not None:
        return documentdb.HOST, documentdb.HOST
    suffix = f"{cluster.url_identifier}.{cluster.region}.docdb.amazonaws.com"
    identifier = cluster.db_cluster_identifier
    return f"{identifier}.cluster-{suffix}", f"{identifier}.cluster-ro-{suffix}"


def instance_endpoint(database: DBInstance) -> dict[str, Any]:
    """An instance answers at its cluster's server: the sandbox runs one server per cluster, not per instance."""
    cluster = database.backend.clusters.get(database.db_cluster_identifier or "")
    server = server_of(cluster)
    if server is not None:
        return {"Address": documentdb.HOST, "Port": server.port, "HostedZoneId": HOSTED_ZONE_ID}
    suffix = cluster.url_identifier if cluster is not None else "sandbox"
    address = f"{database.db_instance_identifier}.{suffix}.{database.region}.docdb.amazonaws.com"
    return {"Address": address, "Port": PORT, "HostedZoneId": HOSTED_ZONE_ID}


# The data a cluster being restored starts with, by cluster identifier, from the restore call to its server's start.
RESTORE_SEEDS: dict[str, documentdb.Dataset] = {}


def start_server(cluster: DBCluster) -> int:
    seed = RESTORE_SEEDS.pop(cluster.db_cluster_identifier, None)
    server = documentdb.create(cluster.db_cluster_identifier, cluster.master_username, master_password(cluster), seed)
    cluster._sandbox_documentdb = server
    return server.port


def server_answers(cluster: DBCluster) -> bool:
    server = server_of(cluster)
    return server is not None and server.answers()


def set_master_password(cluster: DBCluster, password: str) -> None:
    server = server_of(cluster)
    if server is not None:
        server.set_master_password(password)


def stop_server(cluster: DBCluster) -> None:
    server = server_of(cluster)
    if server is not None:
        documentdb.delete(server)


SERVERS = ClusterServers(start_server, server_answers, set_master_password, stop_server)


def ensure_cluster_parameter_group(backend: RDSBackend, name: str) -> DBClusterParameterGroup | None:
    """Default groups (``default.docdb5.0``) exist on AWS without being created."""
    if name in backend.db_cluster_parameter_groups:
        return backend.db_cluster_parameter_groups[name]
    if name.lower().startswith("default.docdb"):
        group_family = name.lower()[len("default."):]
        group = DBClusterParameterGroup(backend=backend, db_cluster_parameter_group_name=name.lower(),
                                        db_parameter_group_family=group_family,
                                        description=f"Default cluster parameter group for {group_family}", tags=[])
        backend.db_cluster_parameter_groups[group.name] = group
        return group
    return None


def cluster_parameter_group(backend: RDSBackend, name: str) -> DBClusterParameterGroup:
    group = ensure_cluster_parameter_group(backend, name)
    if group is None:
        raise DBClusterParameterGroupNotFoundError(name)
    return group


def with_docdb(original: Any) -> classmethod:  # type: ignore[type-arg]
    """Wraps moto's list of valid engines so that it includes docdb."""

    def engines(cls: Any) -> list[str]:
        return sorted({*original(), ENGINE})

    return classmethod(engines)


def docdb_default(docdb_value: Any) -> Callable[[Any], staticmethod]:  # type: ignore[type-arg]
    """Wraps one of moto's per-engine defaults so that it answers ``docdb_value`` for docdb."""

    def wrapper(original: Any) -> staticmethod:  # type: ignore[type-arg]
        def value(*args: Any, **kwargs: Any) -> Any:
            engine = kwargs.get("engine", args[0] if args else None)
            return docdb_value if engine == ENGINE else original(*args, **kwargs)

        return staticmethod(value)

    return wrapper
