# Copyright: Open edX data services maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one definition of when a data-service resource is ready, and of the states it will not leave by waiting.

``describe(client, kind, name)`` returns the same small shape for every kind, so that one waiter can watch an
RDS instance, a DocumentDB cluster, an ElastiCache replication group and an OpenSearch domain together:
``status`` (lower case, ``absent`` when it does not exist), ``ready``, ``failed``, ``arn``, ``endpoint``,
``reader_endpoint``, ``port`` and the raw ``description``. ``wait()`` polls that same ``describe`` through a
botocore waiter, so ``wait: true`` in a module and ``wait_for_resources`` agree on every state. The resource
modules return the same shape, built by the same ``*_state`` functions from what they read anyway, as
``resource``: a role need not wait (nor read again) for a resource its module found ready and left unchanged.
"""

from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass
from typing import Any

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict
from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code, normalize_boto3_result
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.openedx.data_services.plugins.module_utils.dynamodb import readiness_status

with contextlib.suppress(ImportError):  # a missing botocore is reported by AnsibleAWSModule
    from botocore.exceptions import WaiterError
    from botocore.waiter import SingleWaiterConfig, Waiter


@dataclass(frozen=True)
class Lifecycle:
    """What AWS reports for one kind of resource while it is created, changed and deleted."""

    service: str
    noun: str
    ready: frozenset[str]
    # States from which the resource will not become ready on its own (deleting included: it only goes away).
    failed: frozenset[str]
    # Error codes of the describe call meaning the resource does not exist.
    missing: tuple[str, ...]
    # Seconds between two polls while waiting.
    delay: float


LIFECYCLES = {
    "rds_instance": Lifecycle(
        "rds", "RDS instance", frozenset({"available"}),
        frozenset({"deleting", "failed", "inaccessible-encryption-credentials",
                   "inaccessible-encryption-credentials-recoverable", "incompatible-network",
                   "incompatible-option-group", "incompatible-parameters", "incompatible-restore", "restore-error",
                   "storage-full"}),
        ("DBInstanceNotFound", "DBInstanceNotFoundFault"), 30),
    "docdb_cluster": Lifecycle(
        "docdb", "DocumentDB cluster", frozenset({"available"}),
        frozenset({"deleting", "failed", "inaccessible-encryption-credentials",
                   "inaccessible-encryption-credentials-recoverable", "incompatible-parameters", "migration-failed"}),
        ("DBClusterNotFoundFault", "DBClusterNotFound"), 15),
    # An Aurora cluster (aurora-postgresql): ready, as a DocumentDB one, once it and every instance are available.
    "rds_cluster": Lifecycle(
        "rds", "Aurora cluster", frozenset({"available"}),
        frozenset({"deleting", "failed", "inaccessible-encryption-credentials",
                   "inaccessible-encryption-credentials-recoverable", "incompatible-parameters", "migration-failed"}),
        ("DBClusterNotFoundFault", "DBClusterNotFound"), 15),
    "docdb_cluster_snapshot": Lifecycle(
        "docdb", "DocumentDB cluster snapshot", frozenset({"available"}), frozenset({"deleting", "failed"}),
        ("DBClusterSnapshotNotFoundFault",), 15),
    "elasticache_replication_group": Lifecycle(
        "elasticache", "replication group", frozenset({"available"}), frozenset({"create-failed", "deleting"}),
        ("ReplicationGroupNotFoundFault",), 15),
    "elasticache_snapshot": Lifecycle(
        "elasticache", "ElastiCache snapshot", frozenset({"available"}), frozenset({"failed", "deleting"}),
        ("SnapshotNotFoundFault",), 15),
    # The status of a domain is derived in _opensearch_domain: "active" only once it can serve requests.
    "opensearch_domain": Lifecycle(
        "opensearch", "OpenSearch domain", frozenset({"active"}), frozenset({"deleting", "isolated"}),
        ("ResourceNotFoundException",), 30),
    # Named by instance ID. A stopped or stopping instance does not start on its own.
    "ec2_instance": Lifecycle(
        "ec2", "EC2 instance", frozenset({"running"}),
        frozenset({"shutting-down", "terminated", "stopping", "stopped"}),
        ("InvalidInstanceID.NotFound", "InvalidInstanceID.Malformed"), 10),
    # The status of a table is derived in dynamodb.readiness_status: "active" once its indexes and replicas are.
    "dynamodb_table": Lifecycle(
        "dynamodb", "DynamoDB table", frozenset({"active"}),
        frozenset({"deleting", "inaccessible_encryption_credentials", "archiving", "archived"}),
        ("ResourceNotFoundException",), 5),
}
KINDS = tuple(LIFECYCLES)
SERVICES = {kind: lifecycle.service for kind, lifecycle in LIFECYCLES.items()}

# The instances of a DocumentDB cluster: a cluster is ready once every one of them is available.
DOCDB_INSTANCE_FAILED = frozenset({"failed", "inaccessible-encryption-credentials",
                                   "inaccessible-encryption-credentials-recoverable", "incompatible-network",
                                   "incompatible-parameters", "restore-error", "storage-full"})


class AnsibleWaitError(AnsibleAWSError):
    pass


def state(kind: str, status: str, arn: str | None = "", endpoint: str | None = "", reader_endpoint: str | None = "",
          port: int | None = None, description: dict[str, Any] | None = None, failed: bool = False) -> dict[str, Any]:
    """The common shape; ``ready`` and ``failed`` follow from ``status`` and the kind's Lifecycle."""
    lifecycle = LIFECYCLES[kind]
    status = (status or "unknown").lower()
    return {
        "status": status,
        "ready": status in lifecycle.ready,
        "failed": failed or status in lifecycle.failed,
        "arn": arn or "",
        "endpoint": endpoint or "",
        "reader_endpoint": reader_endpoint or "",
        "port": port,
        # Timestamps as ISO 8601 strings, as a module's JSON result can hold them.
        "description": normalize_boto3_result(
            camel_dict_to_snake_dict(description or {}, ignore_list=["Tags", "TagList"])),
    }


def absent() -> dict[str, Any]:
    return {"status": "absent", "ready": False, "failed": False, "arn": "", "endpoint": "", "reader_endpoint": "",
            "port": None, "description": {}}


def _rds_instance(client, name: str) -> dict[str, Any]:
    return rds_instance_state(client.describe_db_instances(DBInstanceIdentifier=name)["DBInstances"][0])


def rds_instance_state(instance: dict[str, Any]) -> dict[str, Any]:
    endpoint = instance.get("Endpoint") or {}
    return state("rds_instance", instance.get("DBInstanceStatus", ""), instance.get("DBInstanceArn"),
                 endpoint.get("Address"), port=endpoint.get("Port"), description=instance)


def docdb_cluster_state(cluster: dict[str, Any], instances: list[dict[str, Any]],
                        kind: str = "docdb_cluster") -> dict[str, Any]:
    """A cluster is ready when it and every one of its instances (at least one) are available."""
    status = cluster.get("Status", "")
    available = [i for i in instances if i.get("DBInstanceStatus") == "available"]
    if status == "available" and (not instances or len(available) < len(instances)):
        # The cluster is up; say how far its instances are.
        status = f"available, instances {len(available)}/{len(instances)} available"
    failed = any(i.get("DBInstanceStatus") in DOCDB_INSTANCE_FAILED for i in instances)
    cluster = dict(cluster, Instances=[
        {"DBInstanceIdentifier": i.get("DBInstanceIdentifier"), "DBInstanceStatus": i.get("DBInstanceStatus"),
         "DBInstanceClass": i.get("DBInstanceClass"), "AvailabilityZone": i.get("AvailabilityZone")}
        for i in instances
    ])
    return state(kind, status, cluster.get("DBClusterArn"), cluster.get("Endpoint"),
                 cluster.get("ReaderEndpoint"), cluster.get("Port"), cluster, failed=failed)


def _docdb_cluster(client, name: str, kind: str = "docdb_cluster") -> dict[str, Any]:
    cluster = client.describe_db_clusters(DBClusterIdentifier=name)["DBClusters"][0]
    paginator = client.get_paginator("describe_db_instances")
    instances = paginator.paginate(
        Filters=[{"Name": "db-cluster-id", "Values": [name]}]
    ).build_full_result()["DBInstances"]
    return docdb_cluster_state(cluster, instances, kind)


def _rds_cluster(client, name: str) -> dict[str, Any]:
    return _docdb_cluster(client, name, "rds_cluster")


def _docdb_cluster_snapshot(client, name: str) -> dict[str, Any]:
    snapshot = client.describe_db_cluster_snapshots(DBClusterSnapshotIdentifier=name)["DBClusterSnapshots"][0]
    return state("docdb_cluster_snapshot", snapshot.get("Status", ""), snapshot.get("DBClusterSnapshotArn"),
                 port=snapshot.get("Port"), description=snapshot)


def _elasticache_replication_group(client, name: str) -> dict[str, Any]:
    return elasticache_replication_group_state(
        client.describe_replication_groups(ReplicationGroupId=name)["ReplicationGroups"][0])


def elasticache_replication_group_state(group: dict[str, Any]) -> dict[str, Any]:
    node_groups = group.get("NodeGroups") or [{}]
    primary = node_groups[0].get("PrimaryEndpoint") or group.get("ConfigurationEndpoint") or {}
    reader = node_groups[0].get("ReaderEndpoint") or {}
    return state("elasticache_replication_group", group.get("Status", ""), group.get("ARN"), primary.get("Address"),
                 reader.get("Address"), primary.get("Port"), group)


def _elasticache_snapshot(client, name: str) -> dict[str, Any]:
    return elasticache_snapshot_state(client.describe_snapshots(SnapshotName=name)["Snapshots"][0])


def elasticache_snapshot_state(snapshot: dict[str, Any]) -> dict[str, Any]:
    return state("elasticache_snapshot", snapshot.get("SnapshotStatus", ""), snapshot.get("ARN"),
                 port=snapshot.get("Port"), description=snapshot)


def opensearch_domain_status(domain: dict[str, Any]) -> str:
    """``active`` only when the domain is created, has an endpoint and processes no change."""
    endpoint = (domain.get("Endpoints") or {}).get("vpc") or domain.get("Endpoint")
    processing_status = (domain.get("DomainProcessingStatus") or "").lower()
    if domain.get("Deleted"):
        return "deleting"
    if processing_status and processing_status != "active":
        return processing_status
    if not domain.get("Created") or not endpoint:
        return "creating"
    if domain.get("Processing") or domain.get("UpgradeProcessing"):
        return "processing"
    return "active"


def _opensearch_domain(client, name: str) -> dict[str, Any]:
    return opensearch_domain_state(client.describe_domain(DomainName=name)["DomainStatus"])


def opensearch_domain_state(domain: dict[str, Any]) -> dict[str, Any]:
    endpoint = (domain.get("Endpoints") or {}).get("vpc") or domain.get("Endpoint") or ""
    return state("opensearch_domain", opensearch_domain_status(domain), domain.get("ARN"), endpoint,
                 port=443 if endpoint else None, description=domain)


def _ec2_instance(client, name: str) -> dict[str, Any]:
    reservations = client.describe_instances(InstanceIds=[name])["Reservations"]
    instances = [instance for reservation in reservations for instance in reservation["Instances"]]
    return ec2_instance_state(instances[0]) if instances else absent()


def ec2_instance_state(instance: dict[str, Any]) -> dict[str, Any]:
    return state("ec2_instance", (instance.get("State") or {}).get("Name", ""), "", instance.get("PrivateIpAddress"),
                 description=instance)


def _dynamodb_table(client, name: str) -> dict[str, Any]:
    return dynamodb_table_state(client.describe_table(TableName=name)["Table"])


def dynamodb_table_state(table: dict[str, Any]) -> dict[str, Any]:
    return state("dynamodb_table", readiness_status(table), table.get("TableArn"), description=table)


_DESCRIBE = {
    "rds_instance": _rds_instance,
    "docdb_cluster": _docdb_cluster,
    "rds_cluster": _rds_cluster,
    "docdb_cluster_snapshot": _docdb_cluster_snapshot,
    "elasticache_replication_group": _elasticache_replication_group,
    "elasticache_snapshot": _elasticache_snapshot,
    "opensearch_domain": _opensearch_domain,
    "ec2_instance": _ec2_instance,
    "dynamodb_table": _dynamodb_table,
}


def describe(client, kind: str, name: str) -> dict[str, Any]:
    """The state of resource ``name`` of ``kind`` (see the module docstring); ``absent`` when it does not exist."""
    try:
        return _DESCRIBE[kind](client, name)
    except is_boto3_error_code(list(LIFECYCLES[kind].missing)):
        return absent()


def wait(client, kind: str, name: str, timeout: int, until: str = "ready") -> dict[str, Any]:
    """Poll ``describe`` until the resource is ``ready`` (failing at once in a failed state) or ``absent``.

    ``available`` waits for the resource's own status only: a DocumentDB cluster takes instances from then on,
    while it is only ready once they are available too. Returns the last state; raises AnsibleWaitError naming
    the state the resource was left in.
    """
    failure = {"state": "failure", "matcher": "path", "argument": "failed", "expected": True}
    acceptors = {
        "ready": [{"state": "success", "matcher": "path", "argument": "ready", "expected": True}, failure],
        "available": [{"state": "success", "matcher": "path", "argument": "description.status",
                       "expected": "available"}, failure],
        "absent": [{"state": "success", "matcher": "path", "argument": "status", "expected": "absent"}],
    }[until]
    lifecycle = LIFECYCLES[kind]
    attempts = max(1, math.ceil(timeout / lifecycle.delay)) + 1
    last: dict[str, Any] = {}

    def poll(**_: Any) -> dict[str, Any]:
        last.update(describe(client, kind, name))
        return last

    config = SingleWaiterConfig({"operation": "describe", "delay": lifecycle.delay, "maxAttempts": attempts,
                                 "acceptors": acceptors})
    try:
        Waiter(f"{kind}_{until}", config, poll).wait()
    except WaiterError as e:
        if "Max attempts exceeded" in str(e):
            raise AnsibleWaitError(message=f"Timeout trying to wait for the {lifecycle.noun} {name} to be {until} "
                                           f"({timeout}s); it is {last.get('status')}") from e
        raise AnsibleWaitError(message=f"The {lifecycle.noun} {name} is {last.get('status')} and will not "
                                       f"become {until} by waiting") from e
    return dict(last)
