# Copyright: Open edX data services maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The reads of the live report (``playbooks/report.yml``): what AWS says of an environment's data services.

Only describe, list and get calls, as few as the report allows: one or a few per resource, one per kind of
environment-wide object (the key, the VPC's security groups, the alarms, the secrets), each paginated. A read AWS
refuses (permissions, throttling past the retries) does not stop the others: its message is kept under the name
of what was read, and the report's checks that need it fail saying so. A resource that does not exist is not an
error: it reads as ``found: false``.
"""

from __future__ import annotations

import contextlib
import json
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict
from ansible_collections.amazon.aws.plugins.module_utils.botocore import normalize_boto3_result
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.openedx.data_services.plugins.module_utils import logs
from ansible_collections.openedx.data_services.plugins.module_utils.opensearch import domain_state

with contextlib.suppress(ImportError):  # a missing botocore is reported by AnsibleAWSModule
    from botocore.exceptions import BotoCoreError, ClientError

KINDS = ("rds_instance", "docdb_cluster", "opensearch_domain", "elasticache_replication_group")
# Error codes of describe calls meaning "no such resource": the report says it is missing.
MISSING = ("DBInstanceNotFound", "DBInstanceNotFoundFault", "DBClusterNotFoundFault", "DBClusterNotFound",
           "ResourceNotFoundException", "ReplicationGroupNotFoundFault", "CacheClusterNotFound",
           "CacheParameterGroupNotFound", "DBParameterGroupNotFound", "DBSubnetGroupNotFoundFault",
           "CacheSubnetGroupNotFoundFault", "NotFoundException")


class CallCounter:
    """Counts the API calls a run makes, keyed ``service:Operation`` as the sandbox's ledger keys them."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()

    def attach(self, client: Any) -> Any:
        client.meta.events.register("before-call", self._count)
        return client

    def _count(self, model: Any = None, **_: Any) -> None:
        if model is not None:
            self.calls[f"{model.service_model.signing_name}:{model.name}"] += 1


class Reads:
    """Runs each read, keeping the message of a read AWS refused instead of failing the whole report."""

    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def __call__(self, what: str, read: Callable[[], Any], default: Any = None) -> Any:
        try:
            return read()
        except (BotoCoreError, ClientError, AnsibleAWSError) as e:
            if isinstance(e, ClientError) and e.response.get("Error", {}).get("Code") in MISSING:
                return default
            self.errors[what] = str(getattr(e, "message", None) or e)
            return default


def snake(resource: Any) -> Any:
    """A describe result in snake_case, dates as ISO 8601 strings."""
    if isinstance(resource, list):
        return [snake(item) for item in resource]
    return camel_dict_to_snake_dict(normalize_boto3_result(resource)) if isinstance(resource, dict) else resource


def _pages(client: Any, operation: str, key: str, **params: Any) -> list[Any]:
    return client.get_paginator(operation).paginate(**params).build_full_result().get(key, [])


def latest_snapshots(snapshots: Iterable[dict[str, Any]], kind_key: str, time_key: str,
                     id_key: str) -> dict[str, dict[str, Any] | None]:
    """The newest automated and the newest manual snapshot: identifier, time, status, encryption and key."""
    newest: dict[str, dict[str, Any] | None] = {"automated": None, "manual": None}
    for snapshot in snapshots:
        kind = "automated" if str(snapshot.get(kind_key, "")).lower() in ("automated", "system") else "manual"
        value = snapshot.get(time_key)
        when = value.isoformat() if hasattr(value, "isoformat") else str(value or "")
        if newest[kind] is None or when > str(newest[kind]["time"] or ""):
            newest[kind] = {"identifier": snapshot.get(id_key), "time": when or None,
                            "status": snapshot.get("Status") or snapshot.get("SnapshotStatus"),
                            "kms_key_id": snapshot.get("KmsKeyId")}
    return newest


def parameter_values(parameters: Iterable[dict[str, Any]], name_key: str = "ParameterName",
                     value_key: str = "ParameterValue") -> dict[str, Any]:
    return {p[name_key]: p.get(value_key) for p in parameters}


def log_group_name(arn: str | None) -> str | None:
    """``/aws/...`` from a log group's ARN (with or without the ``:*`` DescribeLogGroups adds)."""
    if not arn or ":log-group:" not in arn:
        return None
    name = arn.split(":log-group:", 1)[1]
    return name[:-2] if name.endswith(":*") else name


# --- the four kinds of resource ---------------------------------------------------------------------------------


def read_rds_instance(rds: Any, identifier: str, reads: Reads) -> dict[str, Any]:
    """The instance, the user-set parameters of its parameter group and its newest snapshots: three calls."""
    what = f"rds_instance {identifier}"
    found = reads(what, lambda: rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"], [])
    if not found:
        return {"found": False}
    instance = found[0]
    group = (instance.get("DBParameterGroups") or [{}])[0].get("DBParameterGroupName")
    parameters = reads(f"{what} parameters", lambda: parameter_values(_pages(
        rds, "describe_db_parameters", "Parameters", DBParameterGroupName=group, Source="user")), {}) if group else {}
    snapshots = reads(f"{what} snapshots", lambda: _pages(
        rds, "describe_db_snapshots", "DBSnapshots", DBInstanceIdentifier=identifier), [])
    subnets = (instance.get("DBSubnetGroup") or {}).get("Subnets") or []
    return {
        "found": True,
        "instance": snake(instance),
        "parameters": parameters,
        "snapshots": snake(latest_snapshots(snapshots, "SnapshotType", "SnapshotCreateTime", "DBSnapshotIdentifier")),
        "subnet_ids": [s["SubnetIdentifier"] for s in subnets],
        "security_group_ids": [g["VpcSecurityGroupId"] for g in instance.get("VpcSecurityGroups") or []],
        # RDS names the groups of the logs it exports itself.
        "log_groups": [{"log_type": t, "log_group": f"/aws/rds/instance/{identifier}/{t}"}
                       for t in instance.get("EnabledCloudwatchLogsExports") or []],
    }


def read_docdb_cluster(docdb: Any, identifier: str, reads: Reads) -> dict[str, Any]:
    """The cluster, its instances, its cluster parameters, its subnet group and newest snapshots: five calls."""
    what = f"docdb_cluster {identifier}"
    found = reads(what, lambda: _pages(docdb, "describe_db_clusters", "DBClusters", DBClusterIdentifier=identifier,
                                       Filters=[{"Name": "engine", "Values": ["docdb"]}]), [])
    if not found:
        return {"found": False}
    cluster = found[0]
    instances = reads(f"{what} instances", lambda: _pages(
        docdb, "describe_db_instances", "DBInstances",
        Filters=[{"Name": "db-cluster-id", "Values": [identifier]}]), [])
    group = cluster.get("DBClusterParameterGroup")
    # Every parameter, not only the user-set ones: tls is on by default and shows as engine-default.
    parameters = reads(f"{what} parameters", lambda: parameter_values(_pages(
        docdb, "describe_db_cluster_parameters", "Parameters", DBClusterParameterGroupName=group)), {}) if group else {}
    subnet_group = cluster.get("DBSubnetGroup")
    subnet_groups = reads(f"{what} subnet group", lambda: _pages(
        docdb, "describe_db_subnet_groups", "DBSubnetGroups", DBSubnetGroupName=subnet_group),
        []) if subnet_group else []
    snapshots = reads(f"{what} snapshots", lambda: _pages(
        docdb, "describe_db_cluster_snapshots", "DBClusterSnapshots", DBClusterIdentifier=identifier), [])
    return {
        "found": True,
        "cluster": snake(cluster),
        "instances": [snake(i) for i in instances],
        "parameters": parameters,
        "snapshots": snake(latest_snapshots(snapshots, "SnapshotType", "SnapshotCreateTime",
                                            "DBClusterSnapshotIdentifier")),
        "subnet_ids": [s["SubnetIdentifier"] for g in subnet_groups for s in g.get("Subnets") or []],
        "security_group_ids": [g["VpcSecurityGroupId"] for g in cluster.get("VpcSecurityGroups") or []],
        # DocumentDB names the groups of the logs it exports itself.
        "log_groups": [{"log_type": t, "log_group": f"/aws/docdb/{identifier}/{t}"}
                       for t in cluster.get("EnabledCloudwatchLogsExports") or []],
    }


def read_opensearch_domain(opensearch: Any, name: str, reads: Reads) -> dict[str, Any]:
    """The domain: one call. Its snapshots live inside the domain (its _snapshot API), not in the AWS API."""
    domain = reads(f"opensearch_domain {name}", lambda: opensearch.describe_domain(DomainName=name)["DomainStatus"])
    if not domain or domain.get("Deleted"):
        return {"found": False}
    state = domain_state(domain, {})
    return {
        "found": True,
        "domain": state,
        "subnet_ids": state["subnet_ids"],
        "security_group_ids": state["security_group_ids"],
        "log_groups": [{"log_type": e["log_type"], "log_group": log_group_name(e["log_group_arn"])}
                       for e in state["log_publishing"] if e["enabled"]],
    }


def read_replication_group(elasticache: Any, group_id: str, reads: Reads) -> dict[str, Any]:
    """The group, its first node (version, parameter group, windows), its user-set parameters, its subnet group
    and its newest snapshots: five calls."""
    what = f"elasticache_replication_group {group_id}"
    found = reads(what, lambda: elasticache.describe_replication_groups(
        ReplicationGroupId=group_id)["ReplicationGroups"], [])
    if not found:
        return {"found": False}
    group = found[0]
    members = group.get("MemberClusters") or []
    nodes = reads(f"{what} node", lambda: elasticache.describe_cache_clusters(
        CacheClusterId=members[0])["CacheClusters"], []) if members else []
    node = nodes[0] if nodes else {}
    parameter_group = (node.get("CacheParameterGroup") or {}).get("CacheParameterGroupName")
    parameters = reads(f"{what} parameters", lambda: parameter_values(_pages(
        elasticache, "describe_cache_parameters", "Parameters", CacheParameterGroupName=parameter_group,
        Source="user")), {}) if parameter_group else {}
    subnet_group = node.get("CacheSubnetGroupName")
    subnet_groups = reads(f"{what} subnet group", lambda: elasticache.describe_cache_subnet_groups(
        CacheSubnetGroupName=subnet_group)["CacheSubnetGroups"], []) if subnet_group else []
    snapshots = reads(f"{what} snapshots", lambda: _pages(
        elasticache, "describe_snapshots", "Snapshots", ReplicationGroupId=group_id), [])
    newest = latest_snapshots(
        ({**s, "SnapshotCreateTime": min((n.get("SnapshotCreateTime") for n in s.get("NodeSnapshots") or []
                                          if n.get("SnapshotCreateTime")), default=None)} for s in snapshots),
        "SnapshotSource", "SnapshotCreateTime", "SnapshotName")
    return {
        "found": True,
        "replication_group": snake(group),
        "node": snake(node),
        "parameter_group": parameter_group,
        "parameters": parameters,
        "snapshots": snake(newest),
        "subnet_ids": [s["SubnetIdentifier"] for g in subnet_groups for s in g.get("Subnets") or []],
        "security_group_ids": [g["SecurityGroupId"] for g in node.get("SecurityGroups") or []],
        "log_groups": [{"log_type": c.get("LogType"),
                        "log_group": ((c.get("DestinationDetails") or {}).get("CloudWatchLogsDetails") or {})
                        .get("LogGroup"),
                        "status": c.get("Status")}
                       for c in group.get("LogDeliveryConfigurations") or []
                       if c.get("DestinationType") == "cloudwatch-logs"],
    }


READERS: dict[str, Callable[[Any, str, Reads], dict[str, Any]]] = {
    "rds_instance": read_rds_instance,
    "docdb_cluster": read_docdb_cluster,
    "opensearch_domain": read_opensearch_domain,
    "elasticache_replication_group": read_replication_group,
}
CLIENTS = {"rds_instance": "rds", "docdb_cluster": "docdb", "opensearch_domain": "opensearch",
           "elasticache_replication_group": "elasticache"}


# --- what the environment shares --------------------------------------------------------------------------------


def read_key(kms: Any, key_id: str, reads: Reads) -> dict[str, Any] | None:
    """The environment's key, its rotation and its policy: three calls."""
    metadata = reads("kms_key", lambda: kms.describe_key(KeyId=key_id)["KeyMetadata"])
    if not metadata:
        return None
    arn = metadata["Arn"]
    rotation = reads("kms_key rotation", lambda: bool(kms.get_key_rotation_status(KeyId=arn)["KeyRotationEnabled"]))
    policy = reads("kms_key policy", lambda: json.loads(kms.get_key_policy(KeyId=arn, PolicyName="default")["Policy"]))
    return {**snake(metadata), "rotation_enabled": rotation, "policy": policy}


def read_aliases(kms: Any, reads: Reads) -> dict[str, list[str]]:
    """Every key's alias names, by key id: what the report calls the keys the resources name by ARN."""
    aliases: dict[str, list[str]] = {}
    for alias in reads("kms aliases", lambda: _pages(kms, "list_aliases", "Aliases"), []):
        if alias.get("TargetKeyId"):
            aliases.setdefault(alias["TargetKeyId"], []).append(alias["AliasName"])
    return aliases


def read_network(ec2: Any, vpc_id: str, subnet_ids: list[str], reads: Reads) -> dict[str, Any]:
    """The VPC's CIDRs, every security group of the VPC (the services' and their sources) and the services'
    subnets: three calls."""
    vpcs = reads("vpc", lambda: ec2.describe_vpcs(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Vpcs"], [])
    cidrs = sorted({a["CidrBlock"] for v in vpcs for a in v.get("CidrBlockAssociationSet") or []
                    if (a.get("CidrBlockState") or {}).get("State", "associated") == "associated"}
                   | {v["CidrBlock"] for v in vpcs if v.get("CidrBlock")})
    groups = reads("security groups", lambda: _pages(
        ec2, "describe_security_groups", "SecurityGroups", Filters=[{"Name": "vpc-id", "Values": [vpc_id]}]), [])
    subnets = reads("subnets", lambda: _pages(
        ec2, "describe_subnets", "Subnets", Filters=[{"Name": "subnet-id", "Values": sorted(set(subnet_ids))}]),
        []) if subnet_ids else []
    return {
        "vpc": {"vpc_id": vpc_id, "found": bool(vpcs), "cidr_blocks": cidrs},
        "security_groups": {g["GroupId"]: {
            "group_name": g.get("GroupName"),
            "vpc_id": g.get("VpcId"),
            "tags": {t["Key"]: t["Value"] for t in g.get("Tags") or []},
            "ip_permissions": snake(g.get("IpPermissions") or []),
        } for g in groups},
        "subnets": {s["SubnetId"]: {
            "vpc_id": s.get("VpcId"),
            "availability_zone": s.get("AvailabilityZone"),
            "cidr_block": s.get("CidrBlock"),
            "map_public_ip_on_launch": bool(s.get("MapPublicIpOnLaunch")),
        } for s in subnets},
    }


def read_log_groups(client: Any, names: list[str], reads: Reads) -> dict[str, dict[str, Any]]:
    """The named log groups, by name: one call (paginated) for names sharing a prefix."""
    names = sorted({n for n in names if n})
    if not names:
        return {}
    found = reads(f"log groups {logs.common_prefix(names)}",
                  lambda: logs.describe_log_groups(client, logs.common_prefix(names), names), [])
    return {g["logGroupName"]: {"kms_key_id": g.get("kmsKeyId"), "retention_in_days": g.get("retentionInDays"),
                                "arn": logs.group_arn(g)} for g in found}


def read_log_resource_policies(client: Any, reads: Reads) -> list[dict[str, Any]]:
    """The account's CloudWatch Logs resource policies (a region holds at most ten): one call."""
    policies = reads("log resource policies", lambda: client.describe_resource_policies()["resourcePolicies"], [])
    result = []
    for policy in policies:
        try:
            document = json.loads(policy.get("policyDocument") or "{}")
        except ValueError:
            document = {}
        result.append({"policy_name": policy.get("policyName"), "policy_document": document})
    return result


def _alarm_metrics(alarm: dict[str, Any]) -> list[dict[str, Any]]:
    """The metrics an alarm watches: its own, or each of a metric-math alarm's."""
    if alarm.get("MetricName"):
        return [{"namespace": alarm.get("Namespace"), "metric_name": alarm["MetricName"],
                 "dimensions": {d["Name"]: d["Value"] for d in alarm.get("Dimensions") or []}}]
    metrics = []
    for query in alarm.get("Metrics") or []:
        metric = (query.get("MetricStat") or {}).get("Metric")
        if metric:
            metrics.append({"namespace": metric.get("Namespace"), "metric_name": metric.get("MetricName"),
                            "dimensions": {d["Name"]: d["Value"] for d in metric.get("Dimensions") or []}})
    return metrics


def read_alarms(cloudwatch: Any, prefix: str | None, reads: Reads) -> list[dict[str, Any]]:
    """The metric alarms whose name starts with ``prefix`` (every alarm when it is empty): one call, paginated."""
    params: dict[str, Any] = {"AlarmTypes": ["MetricAlarm"]}
    if prefix:
        params["AlarmNamePrefix"] = prefix
    alarms = reads("alarms", lambda: _pages(cloudwatch, "describe_alarms", "MetricAlarms", **params), [])
    return [{
        "alarm_name": a["AlarmName"],
        "metrics": _alarm_metrics(a),
        "comparison_operator": a.get("ComparisonOperator"),
        "threshold": a.get("Threshold"),
        "state_value": a.get("StateValue"),
        "actions_enabled": bool(a.get("ActionsEnabled")),
        "alarm_actions": list(a.get("AlarmActions") or []),
    } for a in alarms]


def read_topics(sns: Any, arns: Iterable[str], reads: Reads) -> dict[str, dict[str, Any]]:
    """Each SNS topic the alarms notify, with its encryption key: one call per topic."""
    topics = {}
    for arn in sorted(set(arns)):
        attributes = reads(f"sns topic {arn}", lambda arn=arn: sns.get_topic_attributes(TopicArn=arn)["Attributes"])
        topics[arn] = {"found": attributes is not None,
                       "kms_master_key_id": (attributes or {}).get("KmsMasterKeyId")}
    return topics


def read_secrets(secretsmanager: Any, prefix: str, reads: Reads) -> list[dict[str, Any]]:
    """The secrets whose name starts with ``prefix``, with their keys (never their values): one call, paginated."""
    secrets = reads("secrets", lambda: _pages(secretsmanager, "list_secrets", "SecretList",
                                              Filters=[{"Key": "name", "Values": [prefix]}]), [])
    return sorted(({"name": s["Name"], "arn": s["ARN"], "kms_key_id": s.get("KmsKeyId"),
                    "deleted": bool(s.get("DeletedDate"))}
                   for s in secrets if s["Name"].startswith(prefix)), key=lambda s: s["name"])
