"""DocumentDB models: the engine's defaults, endpoints and default cluster parameter groups."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moto.rds.exceptions import DBClusterParameterGroupNotFoundError
from moto.rds.models import DBCluster, DBClusterParameterGroup, DBInstance, RDSBackend

from sandbox.services import load_data

ENGINE = "docdb"
DEFAULT_VERSION = "5.0.0"
PORT = 27017
HOSTED_ZONE_ID = "ZNKXH85TT8WVW"

# The engine defaults AWS reports for a docdb5.0 cluster parameter group, and the families they serve.
_CATALOGUE = load_data(__file__, "docdb5.0-parameters.json")
FAMILIES: list[str] = _CATALOGUE["families"]
PARAMETERS: list[dict[str, Any]] = _CATALOGUE["parameters"]


def family(version: str | None) -> str:
    major = (version or DEFAULT_VERSION).split(".")
    return f"docdb{major[0]}.{major[1] if len(major) > 1 else 0}"


def cluster_endpoints(cluster: DBCluster) -> tuple[str, str]:
    suffix = f"{cluster.url_identifier}.{cluster.region}.docdb.amazonaws.com"
    identifier = cluster.db_cluster_identifier
    return f"{identifier}.cluster-{suffix}", f"{identifier}.cluster-ro-{suffix}"


def instance_endpoint(database: DBInstance) -> dict[str, Any]:
    cluster = database.backend.clusters.get(database.db_cluster_identifier or "")
    suffix = cluster.url_identifier if cluster is not None else "sandbox"
    address = f"{database.db_instance_identifier}.{suffix}.{database.region}.docdb.amazonaws.com"
    return {"Address": address, "Port": PORT, "HostedZoneId": HOSTED_ZONE_ID}


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
