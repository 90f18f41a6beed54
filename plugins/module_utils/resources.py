# Copyright: Open edX data services maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One read of the state of the data-service resources that take minutes to create.

``describe(clients, kind, name)`` returns the same small shape for every kind, so that one waiter can
watch an RDS instance, a DocumentDB cluster, an ElastiCache replication group and an OpenSearch domain
together: ``status`` (lower case, ``absent`` when it does not exist), ``ready``, ``failed``, ``arn``,
``endpoint``, ``reader_endpoint``, ``port`` and the raw ``description``.
"""

from __future__ import annotations

from typing import Any

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict
from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code

# kind -> boto3 service name
SERVICES = {
    "rds_instance": "rds",
    "docdb_cluster": "docdb",
    "elasticache_replication_group": "elasticache",
    "opensearch_domain": "opensearch",
}
KINDS = tuple(SERVICES)

# States from which a resource will not become available on its own.
FAILED_STATES = frozenset({
    "failed",
    "create-failed",
    "incompatible-credentials",
    "incompatible-network",
    "incompatible-option-group",
    "incompatible-parameters",
    "incompatible-restore",
    "inaccessible-encryption-credentials",
    "inaccessible-encryption-credentials-recoverable",
    "restore-failed",
    "storage-full",
    "deleted",
    "deleting",
    "isolated",
})

_MISSING = {
    "rds_instance": ["DBInstanceNotFound", "DBInstanceNotFoundFault"],
    "docdb_cluster": ["DBClusterNotFoundFault", "DBClusterNotFound"],
    "elasticache_replication_group": ["ReplicationGroupNotFoundFault"],
    "opensearch_domain": ["ResourceNotFoundException"],
}


def _state(status: str, ready: bool, arn: str = "", endpoint: str = "", reader_endpoint: str = "",
           port: int | None = None, description: dict[str, Any] | None = None) -> dict[str, Any]:
    status = (status or "unknown").lower()
    return {
        "status": status,
        "ready": ready,
        "failed": status in FAILED_STATES,
        "arn": arn or "",
        "endpoint": endpoint or "",
        "reader_endpoint": reader_endpoint or "",
        "port": port,
        "description": camel_dict_to_snake_dict(description or {}, ignore_list=["Tags", "TagList"]),
    }


def absent() -> dict[str, Any]:
    return _state("absent", False)


def _rds_instance(client, name: str) -> dict[str, Any]:
    instance = client.describe_db_instances(DBInstanceIdentifier=name, aws_retry=True)["DBInstances"][0]
    status = instance.get("DBInstanceStatus", "")
    endpoint = instance.get("Endpoint") or {}
    return _state(status, status == "available", instance.get("DBInstanceArn"), endpoint.get("Address"),
                  port=endpoint.get("Port"), description=instance)


def _docdb_cluster(client, name: str) -> dict[str, Any]:
    cluster = client.describe_db_clusters(DBClusterIdentifier=name, aws_retry=True)["DBClusters"][0]
    paginator = client.get_paginator("describe_db_instances")
    instances = paginator.paginate(
        Filters=[{"Name": "db-cluster-id", "Values": [name]}]
    ).build_full_result()["DBInstances"]
    status = cluster.get("Status", "")
    available = [i for i in instances if i.get("DBInstanceStatus") == "available"]
    ready = status == "available" and bool(instances) and len(available) == len(instances)
    if status == "available" and not ready:
        # The cluster is up; say how far its instances are.
        status = f"available, instances {len(available)}/{len(instances)} available"
    cluster = dict(cluster, Instances=[
        {"DBInstanceIdentifier": i.get("DBInstanceIdentifier"), "DBInstanceStatus": i.get("DBInstanceStatus"),
         "DBInstanceClass": i.get("DBInstanceClass"), "AvailabilityZone": i.get("AvailabilityZone")}
        for i in instances
    ])
    return _state(status, ready, cluster.get("DBClusterArn"), cluster.get("Endpoint"), cluster.get("ReaderEndpoint"),
                  cluster.get("Port"), cluster)


def _elasticache_replication_group(client, name: str) -> dict[str, Any]:
    group = client.describe_replication_groups(ReplicationGroupId=name, aws_retry=True)["ReplicationGroups"][0]
    status = group.get("Status", "")
    node_groups = group.get("NodeGroups") or [{}]
    primary = node_groups[0].get("PrimaryEndpoint") or group.get("ConfigurationEndpoint") or {}
    reader = node_groups[0].get("ReaderEndpoint") or {}
    return _state(status, status == "available", group.get("ARN"), primary.get("Address"), reader.get("Address"),
                  primary.get("Port"), group)


def _opensearch_domain(client, name: str) -> dict[str, Any]:
    domain = client.describe_domain(DomainName=name, aws_retry=True)["DomainStatus"]
    endpoint = (domain.get("Endpoints") or {}).get("vpc") or domain.get("Endpoint") or ""
    processing = bool(domain.get("Processing")) or bool(domain.get("UpgradeProcessing"))
    if domain.get("Deleted"):
        status = "deleting"
    elif domain.get("DomainProcessingStatus"):
        status = domain["DomainProcessingStatus"]
    elif not domain.get("Created") or not endpoint:
        status = "creating"
    else:
        status = "processing" if processing else "active"
    ready = bool(domain.get("Created")) and not domain.get("Deleted") and not processing and bool(endpoint)
    return _state(status, ready, domain.get("ARN"), endpoint, port=443 if endpoint else None, description=domain)


_DESCRIBE = {
    "rds_instance": _rds_instance,
    "docdb_cluster": _docdb_cluster,
    "elasticache_replication_group": _elasticache_replication_group,
    "opensearch_domain": _opensearch_domain,
}


def describe(client, kind: str, name: str) -> dict[str, Any]:
    """The state of resource ``name`` of ``kind`` (see the module docstring); ``absent`` when it does not exist."""
    try:
        return _DESCRIBE[kind](client, name)
    except is_boto3_error_code(_MISSING[kind]):
        return absent()
