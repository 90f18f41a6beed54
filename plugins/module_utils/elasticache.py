# Copyright: Open edX data services maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ElastiCache (Redis OSS, cluster mode disabled) calls, waiters and comparisons shared by the modules."""

from __future__ import annotations

import re
from typing import Any

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict
from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code, normalize_boto3_result
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.tagging import (
    ansible_dict_to_boto3_tag_list,
    boto3_tag_list_to_ansible_dict,
)
from ansible_collections.openedx.data_services.plugins.module_utils.common import batches, sync_tags, window_problem

MAX_CACHE_CLUSTERS = 6

_GROUP_ID = re.compile(r"^[a-zA-Z](?!.*--)[a-zA-Z0-9-]{0,39}(?<!-)$")
_PARAMETER_GROUP_NAME = re.compile(r"^[a-zA-Z](?!.*--)[a-zA-Z0-9-]{0,254}(?<!-)$")
_TOKEN = re.compile(r'^[\x20-\x7e]{16,128}$')
_ENGINE_VERSION = re.compile(r"^\d+(\.\d+){0,2}$")


class AnsibleElastiCacheError(AnsibleAWSError):
    pass


class ElastiCacheErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleElastiCacheError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code(
            ["ReplicationGroupNotFoundFault", "CacheParameterGroupNotFound", "CacheParameterGroupNotFoundFault",
             "SnapshotNotFoundFault"]
        )


# --- validation (runs before any AWS call) --------------------------------------------------------


def validate_replication_group_params(params: dict[str, Any]) -> str | None:
    """The first problem with the replication group options, as a message naming the option, or None."""
    group_id = params.get("replication_group_id") or ""
    if not _GROUP_ID.match(group_id):
        return (f"replication_group_id '{group_id}' is invalid: 1-40 letters, digits or hyphens, starting with a "
                "letter, without two consecutive hyphens or a trailing hyphen.")
    if params.get("state") != "present":
        return None
    num = params.get("num_cache_clusters")
    if num is not None and not 1 <= num <= MAX_CACHE_CLUSTERS:
        return f"num_cache_clusters must be between 1 and {MAX_CACHE_CLUSTERS} (cluster mode disabled), got {num}."
    if params.get("automatic_failover") and num is not None and num < 2:
        return "automatic_failover needs num_cache_clusters >= 2 (a primary and at least one replica)."
    if params.get("multi_az"):
        if params.get("automatic_failover") is False:
            return "multi_az needs automatic_failover=true."
        if num is not None and num < 2:
            return "multi_az needs num_cache_clusters >= 2 and automatic_failover=true."
    limit = params.get("snapshot_retention_limit")
    if limit is not None and not 0 <= limit <= 35:
        return f"snapshot_retention_limit must be between 0 and 35 days, got {limit}."
    problem = (window_problem("snapshot_window", params.get("snapshot_window"), weekly=False)
               or window_problem("preferred_maintenance_window", params.get("preferred_maintenance_window"),
                                 weekly=True))
    if problem:
        return problem
    version = params.get("engine_version")
    if version and not _ENGINE_VERSION.match(version):
        return f"engine_version '{version}' must be a version number such as 7.1."
    port = params.get("port")
    if port is not None and not 1 <= port <= 65535:
        return f"port must be between 1 and 65535, got {port}."
    if params.get("kms_key_id") and params.get("at_rest_encryption") is False:
        return "kms_key_id needs at_rest_encryption=true."
    token = params.get("auth_token")
    if token is not None:
        problem = auth_token_problem(token)
        if problem:
            return problem
        if params.get("transit_encryption") is False:
            return "auth_token needs transit_encryption=true (AUTH is only available over TLS)."
    types = [c["log_type"] for c in params.get("log_delivery") or []]
    if len(types) != len(set(types)):
        return "log_delivery lists a log_type more than once; give at most one slow-log and one engine-log entry."
    return None


def auth_token_problem(token: str) -> str | None:
    """Why ElastiCache would refuse ``token``, without repeating it."""
    if not _TOKEN.match(token):
        return "auth_token must be 16 to 128 printable ASCII characters."
    if any(char in token for char in '@"/'):
        return 'auth_token must not contain @, " or /.'
    return None


def validate_parameter_group_params(params: dict[str, Any]) -> str | None:
    name = params.get("name") or ""
    if not _PARAMETER_GROUP_NAME.match(name):
        return (f"name '{name}' is invalid: letters, digits or hyphens, starting with a letter, without two "
                "consecutive hyphens or a trailing hyphen.")
    if name.lower().startswith("default."):
        return "name must not start with 'default.': the default parameter groups cannot be changed."
    for key, value in (params.get("parameters") or {}).items():
        if isinstance(value, (dict, list)):
            return f"parameters.{key} must be a string, number or boolean, not a {type(value).__name__}."
    return None


def parameter_value(value: Any) -> str:
    """A parameter value as ElastiCache stores it (Redis booleans are yes/no)."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


# --- replication groups ---------------------------------------------------------------------------


def _paginate(client, operation: str, **kwargs: Any) -> dict[str, Any]:
    return client.get_paginator(operation).paginate(**kwargs).build_full_result()


@ElastiCacheErrorHandler.list_error_handler("describe replication group")
def describe_replication_group(client, replication_group_id: str) -> dict[str, Any] | None:
    groups = client.describe_replication_groups(ReplicationGroupId=replication_group_id)
    return (groups.get("ReplicationGroups") or [None])[0]


@ElastiCacheErrorHandler.common_error_handler("list replication groups")
def list_replication_groups(client) -> list[dict[str, Any]]:
    return _paginate(client, "describe_replication_groups").get("ReplicationGroups", [])


@ElastiCacheErrorHandler.list_error_handler("describe cache cluster")
def describe_cache_cluster(client, cache_cluster_id: str) -> dict[str, Any] | None:
    clusters = client.describe_cache_clusters(CacheClusterId=cache_cluster_id)
    return (clusters.get("CacheClusters") or [None])[0]


@ElastiCacheErrorHandler.common_error_handler("list tags")
def list_tags(client, arn: str) -> dict[str, str]:
    return boto3_tag_list_to_ansible_dict(client.list_tags_for_resource(ResourceName=arn)["TagList"])


@ElastiCacheErrorHandler.common_error_handler("update tags")
def update_tags(client, arn: str, current: dict[str, str], desired: dict[str, str] | None, purge: bool,
                check_mode: bool) -> bool:
    return sync_tags(
        current, desired, purge, check_mode,
        add=lambda tags: client.add_tags_to_resource(ResourceName=arn, Tags=ansible_dict_to_boto3_tag_list(tags)),
        remove=lambda keys: client.remove_tags_from_resource(ResourceName=arn, TagKeys=keys),
    )


@ElastiCacheErrorHandler.common_error_handler("create replication group")
def create_replication_group(client, **request: Any) -> dict[str, Any]:
    return client.create_replication_group(**request)["ReplicationGroup"]


@ElastiCacheErrorHandler.common_error_handler("modify replication group")
def modify_replication_group(client, **request: Any) -> dict[str, Any]:
    return client.modify_replication_group(**request)["ReplicationGroup"]


@ElastiCacheErrorHandler.common_error_handler("increase replica count")
def increase_replica_count(client, replication_group_id: str, replicas: int) -> dict[str, Any]:
    # ApplyImmediately=false is not accepted for replica count changes.
    return client.increase_replica_count(ReplicationGroupId=replication_group_id, NewReplicaCount=replicas,
                                         ApplyImmediately=True)["ReplicationGroup"]


@ElastiCacheErrorHandler.common_error_handler("decrease replica count")
def decrease_replica_count(client, replication_group_id: str, replicas_to_remove: list[str]) -> dict[str, Any]:
    return client.decrease_replica_count(ReplicationGroupId=replication_group_id, ReplicasToRemove=replicas_to_remove,
                                         ApplyImmediately=True)["ReplicationGroup"]


@ElastiCacheErrorHandler.deletion_error_handler("delete replication group")
def delete_replication_group(client, replication_group_id: str, final_snapshot_identifier: str | None) -> bool:
    request: dict[str, Any] = {"ReplicationGroupId": replication_group_id}
    if final_snapshot_identifier:
        request["FinalSnapshotIdentifier"] = final_snapshot_identifier
    client.delete_replication_group(**request)
    return True


# --- comparisons ------------------------------------------------------------------------------------


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _enabled(value: str | None) -> bool:
    return value in ("enabled", "enabling")


def _log_delivery_state(configurations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    result = []
    for config in configurations:
        if config.get("Status") == "disabling":
            continue
        details = config.get("DestinationDetails", {})
        result.append({
            "log_type": config.get("LogType"),
            "destination_type": config.get("DestinationType"),
            "destination": (details.get("CloudWatchLogsDetails", {}).get("LogGroup")
                            or details.get("KinesisFirehoseDetails", {}).get("DeliveryStream")),
            "log_format": config.get("LogFormat"),
        })
    return sorted(result, key=lambda c: c["log_type"] or "")


def replication_group_state(group: dict[str, Any], cluster: dict[str, Any] | None,
                            tags: dict[str, str]) -> dict[str, Any]:
    """The group in the module's option names: what the module compares, shows in the diff and returns."""
    cluster = cluster or {}
    node_group = (group.get("NodeGroups") or [{}])[0]
    primary = node_group.get("PrimaryEndpoint") or {}
    reader = node_group.get("ReaderEndpoint") or {}
    pending = cluster.get("PendingModifiedValues") or {}
    return {
        "replication_group_id": group["ReplicationGroupId"],
        "arn": group.get("ARN"),
        "status": group.get("Status"),
        "description": group.get("Description"),
        "engine": group.get("Engine") or cluster.get("Engine"),
        "engine_version": cluster.get("EngineVersion"),
        "pending_engine_version": pending.get("EngineVersion"),
        "cache_node_type": group.get("CacheNodeType"),
        "pending_cache_node_type": pending.get("CacheNodeType"),
        "num_cache_clusters": len(group.get("MemberClusters") or []),
        "member_clusters": list(group.get("MemberClusters") or []),
        "primary_cluster_id": next((m["CacheClusterId"] for m in node_group.get("NodeGroupMembers", [])
                                    if m.get("CurrentRole") == "primary"), None),
        "primary_endpoint": primary.get("Address"),
        "reader_endpoint": reader.get("Address"),
        "port": primary.get("Port"),
        "automatic_failover": _enabled(group.get("AutomaticFailover")),
        "multi_az": _enabled(group.get("MultiAZ")),
        "cluster_enabled": bool(group.get("ClusterEnabled")),
        "at_rest_encryption": bool(group.get("AtRestEncryptionEnabled")),
        "kms_key_id": group.get("KmsKeyId"),
        "transit_encryption": bool(group.get("TransitEncryptionEnabled")),
        "transit_encryption_mode": group.get("TransitEncryptionMode"),
        "auth_token_enabled": bool(group.get("AuthTokenEnabled")),
        "auth_token_last_modified_date": _iso(group.get("AuthTokenLastModifiedDate")),
        "cache_parameter_group_name": (cluster.get("CacheParameterGroup") or {}).get("CacheParameterGroupName"),
        "cache_subnet_group_name": cluster.get("CacheSubnetGroupName"),
        "security_group_ids": sorted(sg["SecurityGroupId"] for sg in cluster.get("SecurityGroups") or []),
        "log_delivery": _log_delivery_state(group.get("LogDeliveryConfigurations") or []),
        "snapshot_retention_limit": group.get("SnapshotRetentionLimit"),
        "snapshot_window": group.get("SnapshotWindow"),
        "snapshotting_cluster_id": group.get("SnapshottingClusterId"),
        "preferred_maintenance_window": cluster.get("PreferredMaintenanceWindow"),
        "pending_modified_values": camel_dict_to_snake_dict(group.get("PendingModifiedValues") or {}),
        "tags": tags,
    }


def describe_replication_group_state(client, replication_group_id: str) -> dict[str, Any] | None:
    """The group with its primary's settings (engine version, parameter group, network) and tags, or None."""
    group = describe_replication_group(client, replication_group_id)
    if group is None:
        return None
    return complete_state(client, group)


def complete_state(client, group: dict[str, Any]) -> dict[str, Any]:
    # Engine version, parameter group, subnet group, security groups and maintenance window are only
    # reported on the member cache clusters, all of which share them.
    members = group.get("MemberClusters") or []
    cluster = describe_cache_cluster(client, members[0]) if members else None
    tags = list_tags(client, group["ARN"]) if group.get("ARN") else {}
    return replication_group_state(group, cluster, tags)


def list_replication_group_states(client) -> list[dict[str, Any]]:
    return [complete_state(client, group) for group in list_replication_groups(client)]


def version_matches(desired: str, current: str | None) -> bool:
    """7.1 matches 7.1.0: AWS reports the full version of what was asked for with a shorter one."""
    if not current:
        return False
    wanted = desired.split(".")
    return current.split(".")[: len(wanted)] == wanted


def version_tuple(version: str | None) -> tuple[int, ...]:
    """7.1.0 -> (7, 1, 0); the non-numeric parts (6.x) are left out."""
    return tuple(int(part) for part in (version or "").split(".") if part.isdigit())


def family_of_version(version: str) -> str:
    """The cache parameter group family of a Redis OSS engine version: redis7, redis6.x, redis5.0..."""
    numbers = version_tuple(version)
    if not numbers:
        return "redis"
    if numbers[0] >= 7:
        return f"redis{numbers[0]}"
    if numbers[0] == 6:
        return "redis6.x"
    return f"redis{numbers[0]}.{numbers[1] if len(numbers) > 1 else 0}"


def engine_change_problem(desired: str | None, current: str | None, allow_major: bool,
                          parameter_group: str | None, current_parameter_group: str | None) -> str | None:
    """Why the engine cannot go from ``current`` to ``desired`` in place (None: no change, or a change it can make).

    ElastiCache upgrades in place but never downgrades; a major upgrade (6.2 -> 7.1) needs a parameter group of the
    new family, and this collection asks for an explicit allow setting, since clients may need changes too.
    """
    if not desired or not current or version_matches(desired, current):
        return None
    wanted, actual = version_tuple(desired), version_tuple(current)
    if wanted[: len(actual)] < actual[: len(wanted)]:
        return (f"engine_version {desired} is older than the group's {current}: ElastiCache cannot downgrade an "
                "engine. Keep engine_version at the current version, or start a new group with the older version and "
                "load the data again (a snapshot only restores into the same or a later version).")
    if wanted[:1] != actual[:1]:
        if not allow_major:
            return (f"engine_version {desired} is a major upgrade from {current}; set allow_major_version_upgrade "
                    "(the redis role: redis_allow_major_version_upgrade=true) to make it, after a snapshot.")
        if not parameter_group or parameter_group.lower() == (current_parameter_group or "").lower():
            return (f"the major upgrade from {current} to {desired} needs cache_parameter_group_name naming a "
                    f"parameter group of the {family_of_version(desired)} family, not the group's current "
                    f"{current_parameter_group}.")
    return None


def desired_log_delivery(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(({"log_type": e["log_type"], "destination_type": e["destination_type"],
                    "destination": e["destination"], "log_format": e["log_format"]} for e in entries),
                  key=lambda c: c["log_type"])


def log_delivery_request(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """LogDeliveryConfigurations for CreateReplicationGroup/ModifyReplicationGroup."""
    request = []
    for entry in entries:
        if entry["destination_type"] == "cloudwatch-logs":
            details = {"CloudWatchLogsDetails": {"LogGroup": entry["destination"]}}
        else:
            details = {"KinesisFirehoseDetails": {"DeliveryStream": entry["destination"]}}
        request.append({"LogType": entry["log_type"], "DestinationType": entry["destination_type"],
                        "DestinationDetails": details, "LogFormat": entry["log_format"], "Enabled": True})
    return request


def log_delivery_changes(current: list[dict[str, Any]], desired: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The LogDeliveryConfigurations a modify needs to turn ``current`` into ``desired`` (empty: none)."""
    by_type = {c["log_type"]: c for c in current}
    changes = log_delivery_request([d for d in desired if by_type.get(d["log_type"]) != d])
    wanted = {d["log_type"] for d in desired}
    changes.extend({"LogType": t, "Enabled": False} for t in sorted(by_type) if t not in wanted)
    return changes


def replicas_to_remove(state: dict[str, Any], count: int) -> list[str]:
    """The ``count`` newest replicas: never the primary."""
    replicas = [m for m in state["member_clusters"] if m != state["primary_cluster_id"]]
    return replicas[len(replicas) - count:] if count else []


# --- snapshots --------------------------------------------------------------------------------------


def snapshot_name_problem(name: str) -> str | None:
    """Why ElastiCache would refuse ``name`` as a snapshot name (the API reference documents no further rule)."""
    if not name or not name.strip():
        return "name must not be empty."
    if name != name.strip():
        return f"name '{name}' must not start or end with white space."
    return None


@ElastiCacheErrorHandler.list_error_handler("describe snapshot")
def describe_snapshot(client, name: str) -> dict[str, Any] | None:
    snapshots = client.describe_snapshots(SnapshotName=name)
    return (snapshots.get("Snapshots") or [None])[0]


@ElastiCacheErrorHandler.common_error_handler("list snapshots")
def list_snapshots(client, source: str | None = None) -> list[dict[str, Any]]:
    # Filtered by group here, not with ReplicationGroupId: the final snapshot of a deleted group is listed too.
    return _paginate(client, "describe_snapshots", **({"SnapshotSource": source} if source else {})).get(
        "Snapshots", [])


@ElastiCacheErrorHandler.common_error_handler("create snapshot")
def create_snapshot(client, name: str, replication_group_id: str, kms_key_id: str | None,
                    tags: dict[str, str] | None) -> dict[str, Any]:
    request: dict[str, Any] = {"SnapshotName": name, "ReplicationGroupId": replication_group_id}
    if kms_key_id:
        request["KmsKeyId"] = kms_key_id
    if tags:
        request["Tags"] = ansible_dict_to_boto3_tag_list(tags)
    return client.create_snapshot(**request)["Snapshot"]


@ElastiCacheErrorHandler.deletion_error_handler("delete snapshot")
def delete_snapshot(client, name: str) -> bool:
    client.delete_snapshot(SnapshotName=name)
    return True


def snapshot_state(snapshot: dict[str, Any], tags: dict[str, str]) -> dict[str, Any]:
    """A snapshot as the snapshot modules return it: AWS's fields in snake_case, its tags, and when it was taken."""
    result = camel_dict_to_snake_dict(normalize_boto3_result(snapshot))
    nodes = result.get("node_snapshots") or [{}]
    result["snapshot_create_time"] = nodes[0].get("snapshot_create_time")
    result["tags"] = tags
    return result


# --- cache parameter groups -------------------------------------------------------------------------


@ElastiCacheErrorHandler.list_error_handler("describe cache parameter group")
def describe_cache_parameter_group(client, name: str) -> dict[str, Any] | None:
    groups = client.describe_cache_parameter_groups(CacheParameterGroupName=name)
    return (groups.get("CacheParameterGroups") or [None])[0]


@ElastiCacheErrorHandler.common_error_handler("describe cache parameters")
def describe_cache_parameters(client, name: str) -> list[dict[str, Any]]:
    return _paginate(client, "describe_cache_parameters", CacheParameterGroupName=name).get("Parameters", [])


@ElastiCacheErrorHandler.common_error_handler("describe engine default parameters")
def describe_engine_default_parameters(client, family: str) -> list[dict[str, Any]]:
    result = _paginate(client, "describe_engine_default_parameters", CacheParameterGroupFamily=family)
    return result.get("EngineDefaults", {}).get("Parameters", [])


@ElastiCacheErrorHandler.common_error_handler("create cache parameter group")
def create_cache_parameter_group(client, name: str, family: str, description: str,
                                 tags: dict[str, str] | None) -> dict[str, Any]:
    request: dict[str, Any] = {"CacheParameterGroupName": name, "CacheParameterGroupFamily": family,
                               "Description": description}
    if tags:
        request["Tags"] = ansible_dict_to_boto3_tag_list(tags)
    return client.create_cache_parameter_group(**request)["CacheParameterGroup"]


@ElastiCacheErrorHandler.common_error_handler("modify cache parameter group")
def modify_cache_parameters(client, name: str, values: dict[str, str]) -> None:
    items = [{"ParameterName": k, "ParameterValue": v} for k, v in sorted(values.items())]
    for batch in batches(items):
        client.modify_cache_parameter_group(CacheParameterGroupName=name, ParameterNameValues=batch)


@ElastiCacheErrorHandler.common_error_handler("reset cache parameters")
def reset_cache_parameters(client, name: str, names: list[str]) -> None:
    for batch in batches(sorted(names)):
        client.reset_cache_parameter_group(CacheParameterGroupName=name, ResetAllParameters=False,
                                           ParameterNameValues=[{"ParameterName": n} for n in batch])


@ElastiCacheErrorHandler.deletion_error_handler("delete cache parameter group")
def delete_cache_parameter_group(client, name: str) -> bool:
    client.delete_cache_parameter_group(CacheParameterGroupName=name)
    return True


def parameter_problems(parameters: list[dict[str, Any]], desired: dict[str, str]) -> str | None:
    """Unknown or read-only parameters and values outside AllowedValues, before any modify call."""
    known = {p["ParameterName"]: p for p in parameters}
    problems = []
    for name, value in sorted(desired.items()):
        spec = known.get(name)
        if spec is None:
            problems.append(f"{name} is not a parameter of this family")
        elif not spec.get("IsModifiable", True):
            problems.append(f"{name} cannot be modified")
        elif spec.get("AllowedValues") and spec.get("DataType") == "string" and "," in spec["AllowedValues"] \
                and value not in spec["AllowedValues"].split(","):
            problems.append(f"{name}={value} is not one of {spec['AllowedValues']}")
    return "parameters: " + "; ".join(problems) + "." if problems else None


def parameter_group_state(group: dict[str, Any], parameters: list[dict[str, Any]],
                          tags: dict[str, str]) -> dict[str, Any]:
    return {
        "cache_parameter_group_name": group["CacheParameterGroupName"],
        "cache_parameter_group_family": group.get("CacheParameterGroupFamily"),
        "description": group.get("Description"),
        "arn": group.get("ARN"),
        "is_global": bool(group.get("IsGlobal")),
        "parameters": {p["ParameterName"]: p.get("ParameterValue", "") for p in parameters
                       if p.get("Source") == "user"},
        "tags": tags,
    }
