"""The Aurora PostgreSQL engine's server, endpoints, catalogue and Serverless v2 checks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moto.rds.exceptions import InvalidParameterValue, RDSClientError
from moto.rds.models import DBCluster, DBInstance, RDSBackend

from sandbox.dataplane import postgresql
from sandbox.services import load_data
from sandbox.services.rds.models import ClusterServers, master_password
from sandbox.state import AWS_HOST

ENGINE = "aurora-postgresql"
CLUSTER_KIND = "aurora_postgresql_cluster"
INSTANCE_KIND = "aurora_postgresql_instance"
_CATALOGUE = load_data(__file__, "aurora-postgresql16-parameters.json")
CATALOGS = {family: _CATALOGUE["parameters"] for family in _CATALOGUE["families"]}
MAX_ACU = 256.0


# --- the server behind each cluster ---------------------------------------------------------------------------


def _group_values(backend: RDSBackend, name: str | None) -> dict[str, Any]:
    group = backend.db_cluster_parameter_groups.get(name or "")
    if group is None:
        return {}
    return {key: values.get("ParameterValue") for key, values in group.parameters.items()}


def _force_ssl(cluster: DBCluster) -> bool:
    return str(_group_values(cluster.backend, cluster.parameter_group).get("rds.force_ssl", "0")) == "1"


def start_server(cluster: DBCluster) -> int:
    server = postgresql.start_server(cluster.db_cluster_identifier, cluster.master_username or "postgres",
                                     master_password(cluster), _force_ssl(cluster), cluster.database_name)
    return server.port


def server_answers(cluster: DBCluster) -> bool:
    return postgresql.state_of(cluster.db_cluster_identifier) != postgresql.STARTING


def set_master_password(cluster: DBCluster, password: str) -> None:
    postgresql.set_master_password(cluster.db_cluster_identifier, password)


def stop_server(cluster: DBCluster) -> None:
    postgresql.stop(cluster.db_cluster_identifier)


SERVERS = ClusterServers(start_server, server_answers, set_master_password, stop_server)


def cluster_endpoints(cluster: DBCluster) -> tuple[str, str]:
    if postgresql.get(cluster.db_cluster_identifier) is not None:
        return AWS_HOST, AWS_HOST
    suffix = f"cluster-sandbox.{cluster.region}.rds.amazonaws.com"
    return f"{cluster.db_cluster_identifier}.{suffix}", f"{cluster.db_cluster_identifier}.cluster-ro-{suffix[8:]}"


def instance_endpoint(instance: DBInstance) -> dict[str, Any]:
    server = postgresql.get(instance.db_cluster_identifier or "")
    if server is not None:
        return {"Address": AWS_HOST, "Port": server.port, "HostedZoneId": "Z2R2ITUGPM61AM"}
    return {"Address": f"{instance.db_instance_identifier}.sandbox.{instance.region}.rds.amazonaws.com",
            "Port": 5432, "HostedZoneId": "Z2R2ITUGPM61AM"}


# --- Serverless v2 --------------------------------------------------------------------------------------------


def scaling_problem(scaling: dict[str, Any] | None) -> str | None:
    """AWS's ServerlessV2ScalingConfiguration rules: 0 (auto-pause) or 0.5-256 ACUs in steps of 0.5, max >= 1."""
    if not scaling:
        return None
    low, high = scaling.get("MinCapacity", scaling.get("min_capacity")), scaling.get(
        "MaxCapacity", scaling.get("max_capacity"))
    for name, value in (("MinCapacity", low), ("MaxCapacity", high)):
        if value is None:
            return f"ServerlessV2ScalingConfiguration needs {name}."
        if float(value) < 0 or float(value) > MAX_ACU or (float(value) * 2) % 1:
            return (f"{name} {value} is not valid: Aurora Serverless v2 capacity is 0 to {MAX_ACU:g} ACUs in steps "
                    "of 0.5.")
    if float(high) < 1:
        return f"MaxCapacity {high} is not valid: the maximum capacity must be at least 1 ACU."
    if float(low) > float(high):
        return f"MinCapacity {low} must not be greater than MaxCapacity {high}."
    return None


def _check(kwargs: dict[str, Any]) -> None:
    problem = scaling_problem(kwargs.get("serverless_v2_scaling_configuration"))
    if problem:
        raise InvalidParameterValue(problem)


def checking_create_db_cluster(create: Callable[..., DBCluster]) -> Callable[..., DBCluster]:
    def create_db_cluster(self: RDSBackend, kwargs: Any) -> DBCluster:
        if kwargs.get("engine") == ENGINE:
            _check(kwargs)
        return create(self, kwargs)

    return create_db_cluster


def checking_modify_db_cluster(modify: Callable[..., DBCluster]) -> Callable[..., DBCluster]:
    def modify_db_cluster(self: RDSBackend, kwargs: Any) -> DBCluster:
        cluster = self.clusters.get(kwargs.get("db_cluster_identifier"))
        if cluster is not None and cluster.engine == ENGINE:
            _check(kwargs)
        answer = modify(self, kwargs)
        if cluster is not None and cluster.engine == ENGINE:
            postgresql.set_force_ssl(cluster.db_cluster_identifier, _force_ssl(cluster))
        return answer

    return modify_db_cluster


def checking_create_db_instance(create: Callable[..., DBInstance]) -> Callable[..., DBInstance]:
    def create_db_instance(self: RDSBackend, db_kwargs: Any) -> DBInstance:
        cluster = self.clusters.get(db_kwargs.get("db_cluster_identifier") or "")
        if (cluster is not None and db_kwargs.get("db_instance_class") == "db.serverless"
                and not cluster.serverless_v2_scaling_configuration):
            raise RDSClientError(
                "InvalidDBClusterStateFault",
                f"Set the Serverless v2 scaling configuration of DB cluster {cluster.db_cluster_identifier} before "
                "adding a db.serverless instance.")
        if cluster is not None and cluster.engine == ENGINE and not db_kwargs.get("db_subnet_group_name"):
            # AWS describes a cluster's instances with the cluster's subnet group (amazon.aws.rds_instance reads it).
            db_kwargs["db_subnet_group_name"] = cluster.db_subnet_group_name
        return create(self, db_kwargs)

    return create_db_instance


def applying_modify_db_cluster_parameter_group(modify: Callable[..., Any]) -> Callable[..., Any]:
    """rds.force_ssl is dynamic: it reaches the servers of the clusters on the group at once."""

    def modify_db_cluster_parameter_group(self: RDSBackend, db_cluster_parameter_group_name: str,
                                          db_cluster_parameter_group_parameters: Any) -> Any:
        answer = modify(self, db_cluster_parameter_group_name, db_cluster_parameter_group_parameters)
        for cluster in list(self.clusters.values()):
            if cluster.engine == ENGINE and cluster.parameter_group == db_cluster_parameter_group_name:
                postgresql.set_force_ssl(cluster.db_cluster_identifier, _force_ssl(cluster))
        return answer

    return modify_db_cluster_parameter_group
