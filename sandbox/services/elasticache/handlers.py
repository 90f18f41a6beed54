"""ElastiCache API handlers (moto's ElastiCacheResponse): replication groups, their clusters, snapshots."""

from __future__ import annotations

import copy
import math
from typing import Any

from moto.core.responses import ActionResult
from moto.core.utils import utcnow
from moto.elasticache.exceptions import (
    CacheClusterAlreadyExists,
    CacheClusterNotFound,
    CacheSubnetGroupNotFound,
    InvalidParameterCombinationException,
    InvalidParameterValueException,
    ReplicationGroupAlreadyExists,
    ReplicationGroupNotFound,
    SnapshotNotFound,
)
from moto.elasticache.models import ElastiCacheBackend
from moto.elasticache.responses import ElastiCacheResponse

from sandbox.dataplane import redis as dataplane
from sandbox.lifecycle import CLOCK, duration
from sandbox.services import original
from sandbox.services.elasticache.errors import (
    InvalidCacheClusterState,
    InvalidReplicationGroupState,
    InvalidSnapshotState,
)
from sandbox.services.elasticache.models import (
    LOCK,
    LOG_TYPES,
    MAX_CLUSTERS,
    MemberCluster,
    ReplicationGroup,
    clock_key,
    subnet_zones,
)
from sandbox.services.elasticache.parameters import apply_params, family_of, find_parameter_group
from sandbox.services.elasticache.validation import (
    check_engine,
    check_engine_version,
    check_identifier,
    check_kms_key,
    check_maintenance_window,
    check_node_type,
    check_retention,
    check_security_groups,
    check_snapshot_window,
    check_token,
    log_request,
    log_types_once,
    paginate,
)


def _get_group(backend: ElastiCacheBackend, replication_group_id: str | None) -> Any:
    rid = (replication_group_id or "").lower()
    group = backend.replication_groups.get(rid)
    if group is None:
        raise ReplicationGroupNotFound(replication_group_id or "")
    return group


def create_replication_group(self: ElastiCacheResponse) -> ActionResult:
    params = self._get_params()
    cluster_mode = (params.get("ClusterMode") or "").lower()
    if (params.get("NumNodeGroups") or 1) > 1 or cluster_mode in ("enabled", "compatible") \
            or params.get("NodeGroupConfiguration"):
        return original(create_replication_group)(self)
    with LOCK:
        group = _create_group(self.elasticache_backend, params)
        # AWS answers with the transition even when the clock ended it already (an instant, time-scale-0 create).
        return ActionResult({"ReplicationGroup": group.to_dict("creating")})


def _create_group(backend: ElastiCacheBackend, params: dict[str, Any]) -> ReplicationGroup:
    """Validate a CreateReplicationGroup request like AWS, then create the group and start its server."""
    rid = (params.get("ReplicationGroupId") or "").lower()
    check_identifier(rid, "ReplicationGroupId", 40)
    if rid in backend.replication_groups:
        raise ReplicationGroupAlreadyExists(rid)
    for unsupported in ("PrimaryClusterId", "GlobalReplicationGroupId", "UserGroupIds", "CacheSecurityGroupNames",
                        "ServerlessCacheSnapshotName"):
        if params.get(unsupported):
            raise InvalidParameterValueException(f"The sandbox does not support {unsupported}.")
    check_engine(params.get("Engine"))
    snapshot = _seed_snapshot(backend, params.get("SnapshotName"))
    # A group seeded from a snapshot takes the snapshot's engine version and node type unless the request names
    # others.
    engine_version = check_engine_version(params.get("EngineVersion") or (snapshot and snapshot.engine_version))
    if snapshot is not None and _version(engine_version) < _version(snapshot.engine_version):
        raise InvalidParameterCombinationException(
            f"Snapshot {snapshot.snapshot_name} was taken with engine version {snapshot.engine_version}; it cannot be "
            f"restored to the earlier {engine_version}.")
    node_type = check_node_type(params.get("CacheNodeType") or (snapshot and snapshot.cache_node_type))

    zones_requested = params.get("PreferredCacheClusterAZs") or []
    num = params.get("NumCacheClusters")
    replicas = params.get("ReplicasPerNodeGroup")
    if num is not None and replicas is not None and num != replicas + 1:
        raise InvalidParameterCombinationException("NumCacheClusters and ReplicasPerNodeGroup disagree.")
    count = num if num is not None else (replicas + 1 if replicas is not None else (len(zones_requested) or 1))
    if not 1 <= count <= MAX_CLUSTERS:
        raise InvalidParameterValueException(f"NumCacheClusters must be between 1 and {MAX_CLUSTERS}.")
    if zones_requested and len(zones_requested) != count:
        raise InvalidParameterValueException(
            "The number of PreferredCacheClusterAZs must match the number of cache clusters.")

    failover = bool(params.get("AutomaticFailoverEnabled"))
    multi_az = bool(params.get("MultiAZEnabled"))
    if failover and count < 2:
        raise InvalidParameterCombinationException(
            "Automatic failover requires at least 2 cache clusters (one primary and one replica).")
    if multi_az and not failover:
        raise InvalidParameterCombinationException("Multi-AZ requires automatic failover to be enabled.")

    tls = bool(params.get("TransitEncryptionEnabled"))
    mode = params.get("TransitEncryptionMode")
    if mode and not tls:
        raise InvalidParameterCombinationException("TransitEncryptionMode requires TransitEncryptionEnabled.")
    if mode and mode not in ("preferred", "required"):
        raise InvalidParameterValueException(f"Invalid TransitEncryptionMode {mode}.")
    token = params.get("AuthToken")
    if token is not None:
        if not tls:
            raise InvalidParameterValueException(
                "The AUTH token is only supported when encryption-in-transit is enabled.")
        check_token(token)
    at_rest = bool(params.get("AtRestEncryptionEnabled"))
    kms_key = params.get("KmsKeyId")
    if kms_key and not at_rest:
        raise InvalidParameterCombinationException("KmsKeyId requires AtRestEncryptionEnabled.")

    subnet_group = params.get("CacheSubnetGroupName")
    if subnet_group:
        subnet_group = subnet_group.lower()
        if subnet_group not in backend.cache_subnet_groups:
            raise CacheSubnetGroupNotFound(subnet_group)
    zones = subnet_zones(backend, subnet_group)
    for zone in zones_requested:
        if subnet_group and zone not in zones:
            raise InvalidParameterValueException(
                f"Availability zone {zone} is not in cache subnet group {subnet_group} ({', '.join(zones)}).")
    family = family_of(engine_version)
    parameter_group = find_parameter_group(backend, params.get("CacheParameterGroupName") or f"default.{family}")
    if parameter_group.family != family:
        raise InvalidParameterCombinationException(
            f"The parameter group family {parameter_group.family} does not match engine version {engine_version}.")
    if parameter_group.effective().get("cluster-enabled") == "yes":
        raise InvalidParameterCombinationException(
            f"Parameter group {parameter_group.name} has cluster mode enabled; this replication group does not.")
    requests = params.get("LogDeliveryConfigurations") or []
    log_types_once(requests)
    logs = [log_request(r, None) for r in requests if r.get("Enabled", True)]

    group = ReplicationGroup(backend, rid, params.get("ReplicationGroupDescription") or "")
    group.engine_version = engine_version
    group.cache_node_type = node_type
    group.cache_parameter_group_name = parameter_group.name
    group.cache_subnet_group_name = subnet_group
    group.security_group_ids = check_security_groups(backend, params.get("SecurityGroupIds") or [])
    group.automatic_failover = "enabled" if failover else "disabled"
    group.multi_az = "enabled" if multi_az else "disabled"
    group.snapshot_retention_limit = check_retention(params.get("SnapshotRetentionLimit"))
    if params.get("SnapshotWindow"):
        group.snapshot_window = check_snapshot_window(params["SnapshotWindow"])
    if params.get("PreferredMaintenanceWindow"):
        group.preferred_maintenance_window = check_maintenance_window(params["PreferredMaintenanceWindow"])
    if params.get("AutoMinorVersionUpgrade") is not None:
        group.auto_minor_version_upgrade = bool(params["AutoMinorVersionUpgrade"])
    group.notification_topic_arn = params.get("NotificationTopicArn")
    group.transit_encryption_enabled = tls
    group.transit_encryption_mode = (mode or "required") if tls else None
    group.at_rest_encryption_enabled = at_rest
    group.kms_key_id = check_kms_key(backend, kms_key) if kms_key else None
    group.auth_token_enabled = token is not None
    group.auth_token_last_modified_date = utcnow() if token is not None else None
    group.log_delivery = [{**config, "_pending": "enabling"} for config in logs]
    placement = [(f"{rid}-{index + 1:03d}", zones_requested[index] if zones_requested else zones[index % len(zones)])
                 for index in range(count)]
    for member_id, _ in placement:
        if member_id in backend.cache_clusters:
            raise CacheClusterAlreadyExists(member_id)

    seed = dataplane.snapshot_path(snapshot.snapshot_name) if snapshot is not None else None
    server = dataplane.create(rid, tls=tls, token=token, parameters=parameter_group.effective(), seed=seed)
    group.last_port = server.port
    for member_id, zone in placement:
        group.add_member(member_id, zone)
    backend.replication_groups[rid] = group
    tags = params.get("Tags") or []
    if tags:
        backend.tagging_service.tag_resource(group.arn, tags)
        for member in group.members:
            backend.tagging_service.tag_resource(member.arn, tags)

    def created() -> None:
        with LOCK:
            group.log_delivery = [{**c, "_pending": None} for c in group.log_delivery]

    CLOCK.begin(group.key, "creating", duration("elasticache_replication_group"), ready=server.answers,
                on_done=created)
    return group


def _seed_snapshot(backend: ElastiCacheBackend, name: str | None) -> Any:
    """The snapshot a new group is seeded from (None without SnapshotName); it must be available."""
    if not name:
        return None
    snapshot = backend.snapshots.get(name)
    if snapshot is None:
        raise SnapshotNotFound(name)
    if snapshot.snapshot_status != "available":
        raise InvalidSnapshotState(f"Snapshot {name} is {snapshot.snapshot_status}; a group can only be seeded from "
                                   "an available snapshot.")
    return snapshot


def _version(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split(".") if part.isdigit())


def describe_replication_groups(self: ElastiCacheResponse) -> ActionResult:
    backend = self.elasticache_backend
    rid = self._get_param("ReplicationGroupId")
    with LOCK:
        groups = [_get_group(backend, rid)] if rid else list(backend.replication_groups.values())
        items = [g.to_dict() if isinstance(g, ReplicationGroup) else g for g in groups]
    page, marker = paginate(self, items)
    return ActionResult({"ReplicationGroups": page, "Marker": marker})


def modify_replication_group(self: ElastiCacheResponse) -> ActionResult:
    backend = self.elasticache_backend
    params = self._get_params()
    with LOCK:
        group = _get_group(backend, params.get("ReplicationGroupId"))
        if not isinstance(group, ReplicationGroup):
            return original(modify_replication_group)(self)
        return ActionResult({"ReplicationGroup": _modify_group(backend, group, params)})


def _modify_group(backend: ElastiCacheBackend, group: ReplicationGroup, params: dict[str, Any]) -> dict[str, Any]:
    """Validate every requested change first, then apply them all (so a refusal changes nothing)."""
    requested = {k for k, v in params.items() if v is not None} - {"ReplicationGroupId", "ApplyImmediately", "Action",
                                                                   "Version"}
    if not requested:
        raise InvalidParameterCombinationException("No modifications were requested.")
    group.require_available()
    for unsupported in ("UserGroupIdsToAdd", "UserGroupIdsToRemove", "RemoveUserGroups", "CacheSecurityGroupNames",
                        "NodeGroupId"):
        if params.get(unsupported):
            raise InvalidParameterValueException(f"The sandbox does not support {unsupported}.")
    if params.get("ClusterMode") not in (None, "disabled"):
        raise InvalidParameterValueException("The sandbox does not support changing the cluster mode.")
    for name, current in (("TransitEncryptionEnabled", group.transit_encryption_enabled),
                          ("TransitEncryptionMode", group.transit_encryption_mode)):
        if params.get(name) is not None and params[name] != current:
            raise InvalidParameterValueException(
                f"The sandbox cannot change {name} of an existing replication group.")
    apply_now = bool(params.get("ApplyImmediately"))
    member_ids = [m.cache_cluster_id for m in group.members]
    check_engine(params.get("Engine"))

    failover = group.automatic_failover == "enabled"
    if params.get("AutomaticFailoverEnabled") is not None:
        failover = bool(params["AutomaticFailoverEnabled"])
    multi_az = group.multi_az == "enabled"
    if params.get("MultiAZEnabled") is not None:
        multi_az = bool(params["MultiAZEnabled"])
    if failover and len(group.members) < 2:
        raise InvalidParameterCombinationException(
            "Automatic failover requires at least 2 cache clusters (one primary and one replica).")
    if multi_az and not failover:
        raise InvalidParameterCombinationException("Multi-AZ requires automatic failover to be enabled.")
    for name in ("PrimaryClusterId", "SnapshottingClusterId"):
        if params.get(name) and params[name] not in member_ids:
            raise InvalidParameterValueException(f"{name} {params[name]} is not a member of {group.arn}.")

    node_type = check_node_type(params["CacheNodeType"]) if params.get("CacheNodeType") else None
    engine_version = check_engine_version(params["EngineVersion"]) if params.get("EngineVersion") else None
    if engine_version and tuple(map(int, engine_version.split("."))) < tuple(
            map(int, group.engine_version.split("."))):
        raise InvalidParameterValueException(
            f"Cannot downgrade from engine version {group.engine_version} to {engine_version}.")
    family = family_of(engine_version or group.engine_version)
    parameter_group_name = params.get("CacheParameterGroupName")
    if parameter_group_name is None and family != family_of(group.engine_version):
        if not group.cache_parameter_group_name.startswith("default."):
            raise InvalidParameterCombinationException(
                f"Upgrading to {engine_version} needs a CacheParameterGroupName of family {family}.")
        parameter_group_name = f"default.{family}"
    parameter_group = find_parameter_group(backend, parameter_group_name) if parameter_group_name else None
    if parameter_group and parameter_group.family != family:
        raise InvalidParameterCombinationException(
            f"The parameter group family {parameter_group.family} does not match engine version "
            f"{engine_version or group.engine_version}.")
    security_groups = (check_security_groups(backend, params["SecurityGroupIds"])
                       if params.get("SecurityGroupIds") is not None else None)
    maintenance = (check_maintenance_window(params["PreferredMaintenanceWindow"])
                   if params.get("PreferredMaintenanceWindow") else None)
    snapshot_window = check_snapshot_window(params["SnapshotWindow"]) if params.get("SnapshotWindow") else None
    retention = (check_retention(params["SnapshotRetentionLimit"])
                 if params.get("SnapshotRetentionLimit") is not None else None)
    tokens = _plan_tokens(group, params)
    logs = _plan_logs(group, params.get("LogDeliveryConfigurations") or [])

    # Everything is valid: apply.
    node_change = False
    if params.get("ReplicationGroupDescription") is not None:
        group.description = params["ReplicationGroupDescription"]
    if params.get("AutomaticFailoverEnabled") is not None:
        target = "enabled" if failover else "disabled"
        group.failover_target = target if target != group.automatic_failover else None
        group.automatic_failover = target
    group.multi_az = "enabled" if multi_az else "disabled"
    if params.get("PrimaryClusterId"):
        group.primary_id = params["PrimaryClusterId"]
    if params.get("SnapshottingClusterId"):
        group.snapshotting_cluster_id = params["SnapshottingClusterId"]
    if security_groups is not None:
        group.security_group_ids = security_groups
    if maintenance:
        group.preferred_maintenance_window = maintenance
    if snapshot_window:
        group.snapshot_window = snapshot_window
    if retention is not None:
        group.snapshot_retention_limit = retention
    if params.get("AutoMinorVersionUpgrade") is not None:
        group.auto_minor_version_upgrade = bool(params["AutoMinorVersionUpgrade"])
    if params.get("NotificationTopicArn") is not None:
        group.notification_topic_arn = params["NotificationTopicArn"] or None
    if params.get("NotificationTopicStatus"):
        group.notification_topic_status = params["NotificationTopicStatus"]
    for name, value in (("CacheNodeType", node_type), ("EngineVersion", engine_version)):
        if value and value != getattr(group, "cache_node_type" if name == "CacheNodeType" else "engine_version"):
            group.pending[name] = value
        elif value:
            group.pending.pop(name, None)
    if apply_now and group.pending:
        node_change = True
        group.cache_node_type = group.pending.pop("CacheNodeType", group.cache_node_type)
        group.engine_version = group.pending.pop("EngineVersion", group.engine_version)
    if parameter_group and parameter_group.name != group.cache_parameter_group_name:
        group.cache_parameter_group_name = parameter_group.name
        group.parameter_apply_status = "applying"
        apply_params(group, parameter_group)
    if tokens is not None:
        strategy, new_tokens, enabled = tokens
        server = group.server
        if server is not None:
            server.set_tokens(new_tokens)
        group.auth_token_enabled = enabled
        group.auth_token_last_modified_date = utcnow()
        group.auth_token_status = {"ROTATE": "ROTATING", "SET": "SETTING"}.get(strategy)
    if logs is not None:
        group.log_delivery = logs
    result = group.to_dict("modifying")
    _begin_modifying(group, node_change)
    return result


def _plan_tokens(group: ReplicationGroup, params: dict[str, Any]) -> tuple[str, list[str], bool] | None:
    """(strategy, tokens the server accepts afterwards, AuthTokenEnabled) for an AuthToken change, else None.

    ROTATE keeps the newest current token next to the new one (a group without AUTH keeps accepting
    unauthenticated clients too); SET leaves only the new token; DELETE removes AUTH.
    """
    token = params.get("AuthToken")
    strategy = params.get("AuthTokenUpdateStrategy")
    if token is None and strategy is None:
        return None
    strategy = (strategy or "ROTATE").upper()
    if strategy not in ("ROTATE", "SET", "DELETE"):
        raise InvalidParameterValueException(f"Invalid AuthTokenUpdateStrategy {strategy}; use SET, ROTATE or DELETE.")
    if not group.transit_encryption_enabled:
        raise InvalidParameterValueException("The AUTH token is only supported when encryption-in-transit is enabled.")
    if strategy == "DELETE":
        if token is not None:
            raise InvalidParameterCombinationException(
                "AuthToken must not be given with AuthTokenUpdateStrategy DELETE.")
        if not group.auth_token_enabled:
            raise InvalidParameterCombinationException("The replication group has no AUTH token to delete.")
        return strategy, [], False
    if token is None:
        raise InvalidParameterValueException(f"AuthTokenUpdateStrategy {strategy} requires AuthToken.")
    check_token(token)
    if strategy == "SET":
        return strategy, [token], True
    server = group.server
    current = server.tokens if server is not None else []
    if not group.auth_token_enabled or not current:
        return strategy, [], True
    return strategy, [current[-1], token] if current[-1] != token else [token], True


def _plan_logs(group: ReplicationGroup, requests: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
    """The log delivery configurations after a ModifyReplicationGroup, each marked with its transition."""
    if not requests:
        return None
    log_types_once(requests)
    current = {c["LogType"]: c for c in group.log_delivery}
    result = {k: {**v, "_pending": None} for k, v in current.items()}
    for request in requests:
        log_type = request.get("LogType")
        if log_type not in LOG_TYPES:
            raise InvalidParameterValueException(f"Invalid LogType {log_type}; valid values are "
                                                 f"{', '.join(LOG_TYPES)}.")
        existing = current.get(log_type)
        if request.get("Enabled", True) is False:
            if existing is not None:
                result[log_type] = {**existing, "_pending": "disabling"}
            continue
        config = log_request(request, existing)
        if existing is None:
            result[log_type] = {**config, "_pending": "enabling"}
        elif {k: existing[k] for k in config} != config:
            result[log_type] = {**config, "_pending": "modifying"}
    return [result[t] for t in LOG_TYPES if t in result]


def _begin_modifying(group: ReplicationGroup, node_change: bool) -> None:
    seconds = duration("modify")
    server = group.server

    def done() -> None:
        with LOCK:
            group.failover_target = None
            group.auth_token_status = None
            if group.parameter_apply_status == "applying":
                group.parameter_apply_status = "in-sync"
            group.log_delivery = [{**c, "_pending": None} for c in group.log_delivery
                                  if c.get("_pending") != "disabling"]

    if node_change:
        for member in group.members:
            CLOCK.begin(member.key, "modifying", seconds)
    CLOCK.begin(group.key, "modifying", seconds, ready=server.answers if server else None, on_done=done)


def increase_replica_count(self: ElastiCacheResponse) -> ActionResult:
    backend = self.elasticache_backend
    params = self._get_params()
    with LOCK:
        group = _get_group(backend, params.get("ReplicationGroupId"))
        if not isinstance(group, ReplicationGroup):
            raise InvalidParameterValueException("The sandbox changes replica counts of cluster-mode-disabled "
                                                 "replication groups only.")
        target, zones = _replica_target(params)
        if not params.get("ApplyImmediately"):
            raise InvalidParameterValueException("ApplyImmediately=false is not supported; set it to true.")
        group.require_available()
        replicas = len(group.members) - 1
        if target is None:
            raise InvalidParameterValueException("NewReplicaCount is required.")
        if target <= replicas:
            raise InvalidParameterValueException(
                f"NewReplicaCount ({target}) must be greater than the current number of replicas ({replicas}).")
        if target > MAX_CLUSTERS - 1:
            raise InvalidParameterValueException(f"NewReplicaCount cannot exceed {MAX_CLUSTERS - 1}.")
        all_zones = subnet_zones(backend, group.cache_subnet_group_name)
        used = {m.cache_cluster_id for m in group.members}
        seconds = duration("modify")
        number = 1
        for index in range(target - replicas):
            while f"{group.replication_group_id}-{number:03d}" in used:
                number += 1
            member_id = f"{group.replication_group_id}-{number:03d}"
            used.add(member_id)
            zone = zones[index] if index < len(zones) else all_zones[(len(group.members)) % len(all_zones)]
            member = group.add_member(member_id, zone)
            for tag in backend.tagging_service.list_tags_for_resource(group.arn)["Tags"]:
                backend.tagging_service.tag_resource(member.arn, [tag])
            CLOCK.begin(member.key, "creating", seconds)
        result = group.to_dict("modifying")
        _begin_modifying(group, False)
        return ActionResult({"ReplicationGroup": result})


def decrease_replica_count(self: ElastiCacheResponse) -> ActionResult:
    backend = self.elasticache_backend
    params = self._get_params()
    with LOCK:
        group = _get_group(backend, params.get("ReplicationGroupId"))
        if not isinstance(group, ReplicationGroup):
            raise InvalidParameterValueException("The sandbox changes replica counts of cluster-mode-disabled "
                                                 "replication groups only.")
        target, _ = _replica_target(params)
        to_remove = params.get("ReplicasToRemove") or []
        if (target is None) == (not to_remove):
            raise InvalidParameterCombinationException("Give exactly one of NewReplicaCount and ReplicasToRemove.")
        if not params.get("ApplyImmediately"):
            raise InvalidParameterValueException("ApplyImmediately=false is not supported; set it to true.")
        group.require_available()
        replicas = [m for m in group.members if m.cache_cluster_id != group.primary_id]
        if to_remove:
            by_id = {m.cache_cluster_id: m for m in group.members}
            for member_id in to_remove:
                if member_id == group.primary_id:
                    raise InvalidParameterValueException(f"Cannot remove the primary cluster {member_id}.")
                if member_id not in by_id:
                    raise CacheClusterNotFound(member_id)
            removing = [by_id[i] for i in dict.fromkeys(to_remove)]
        else:
            assert target is not None
            if target >= len(replicas):
                raise InvalidParameterValueException(
                    f"NewReplicaCount ({target}) must be less than the current number of replicas ({len(replicas)}).")
            if target < 0:
                raise InvalidParameterValueException("NewReplicaCount cannot be negative.")
            removing = replicas[target:]
        remaining = len(replicas) - len(removing)
        if group.automatic_failover == "enabled" and remaining < 1:
            raise InvalidParameterValueException(
                "A replication group with automatic failover enabled needs at least one replica.")
        seconds = duration("modify")
        for member in removing:
            CLOCK.begin(member.key, "deleting", seconds, on_done=lambda m=member: group.remove_member(m))
        result = group.to_dict("modifying")
        _begin_modifying(group, False)
        return ActionResult({"ReplicationGroup": result})


def _replica_target(params: dict[str, Any]) -> tuple[int | None, list[str]]:
    """NewReplicaCount (or the one ReplicaConfiguration entry's) and its preferred zones."""
    target = params.get("NewReplicaCount")
    zones: list[str] = []
    for shard in params.get("ReplicaConfiguration") or []:
        if shard.get("NodeGroupId") not in (None, "0001"):
            raise InvalidParameterValueException(f"Unknown NodeGroupId {shard.get('NodeGroupId')}.")
        target = shard.get("NewReplicaCount", target)
        zones = shard.get("PreferredAvailabilityZones") or []
    return target, zones


def delete_replication_group(self: ElastiCacheResponse) -> ActionResult:
    backend = self.elasticache_backend
    params = self._get_params()
    with LOCK:
        group = _get_group(backend, params.get("ReplicationGroupId"))
        if not isinstance(group, ReplicationGroup):
            return original(delete_replication_group)(self)
        if group.status != "available":
            raise InvalidReplicationGroupState(
                f"Replication group {group.replication_group_id} is {group.status}; it must be available to delete.")
        if params.get("RetainPrimaryCluster"):
            raise InvalidParameterValueException("The sandbox does not support RetainPrimaryCluster.")
        final = params.get("FinalSnapshotIdentifier")
        if final:
            _snapshot(backend, final, group, None)
        result = group.to_dict("deleting")
        CLOCK.begin(group.key, "deleting", duration("delete"), on_done=group.destroy)
        return ActionResult({"ReplicationGroup": result})


def describe_cache_clusters(self: ElastiCacheResponse) -> ActionResult:
    backend = self.elasticache_backend
    show_nodes = bool(self._get_param("ShowCacheNodeInfo"))
    only_standalone = bool(self._get_param("ShowCacheClustersNotInReplicationGroups"))
    with LOCK:
        clusters = backend.describe_cache_clusters(self._get_param("CacheClusterId"))
        items: list[Any] = []
        for cluster in clusters:
            if isinstance(cluster, MemberCluster):
                if not only_standalone:
                    items.append(cluster.to_dict(show_nodes))
            elif not (only_standalone and getattr(cluster, "replication_group_id", None)):
                items.append(cluster)
    page, marker = paginate(self, items)
    return ActionResult({"CacheClusters": page, "Marker": marker})


def delete_cache_cluster(self: ElastiCacheResponse) -> ActionResult:
    cluster = self.elasticache_backend.cache_clusters.get(self._get_param("CacheClusterId"))
    if isinstance(cluster, MemberCluster):
        raise InvalidCacheClusterState(
            f"Cache cluster {cluster.cache_cluster_id} is a member of replication group "
            f"{cluster.replication_group_id}; remove it with DecreaseReplicaCount.")
    return original(delete_cache_cluster)(self)


# --- snapshots ----------------------------------------------------------------------------------------------


def _vpc_of(backend: ElastiCacheBackend, subnet_group: str | None) -> str | None:
    group = backend.cache_subnet_groups.get(subnet_group or "")
    return group.vpc_id if group is not None else None


def _snapshot(backend: ElastiCacheBackend, name: str | None, group: ReplicationGroup, cluster_id: str | None,
              kms_key_id: str | None = None, tags: list[dict[str, str]] | None = None) -> Any:
    """Create a moto snapshot of ``group`` with the fields AWS reports, and save the real dataset beside it.

    The data is the group's one redis-server's (SAVE, then a copy of the RDB), as of the call: AWS too snapshots
    the data as of the start of ``creating``.
    """
    if not name:
        raise InvalidParameterValueException("The parameter SnapshotName must be provided and must not be blank.")
    key = check_kms_key(backend, kms_key_id) if kms_key_id else group.kms_key_id
    snapshot = backend.create_snapshot(snapshot_name=name, replication_group_id=None if cluster_id else
                                       group.replication_group_id, cache_cluster_id=cluster_id, kms_key_id=key,
                                       tags=None)
    server = group.server
    size = server.save(dataplane.snapshot_path(name)) if server is not None and server.running() else 0
    taken = utcnow()
    member_id = cluster_id or group.primary_id
    member = next((m for m in group.members if m.cache_cluster_id == member_id), None)
    snapshot.vpc_id = _vpc_of(backend, group.cache_subnet_group_name)
    snapshot.data_tiering = "disabled"
    snapshot.node_snapshots = [{
        "CacheClusterId": member_id, "NodeGroupId": "0001", "CacheNodeId": "0001",
        # AWS reports the RDB's size in whole megabytes.
        "CacheSize": f"{max(1, math.ceil(size / 2**20))} MB",
        "CacheNodeCreateTime": member.cache_cluster_create_time if member else group.replication_group_create_time,
        "SnapshotCreateTime": taken,
    }]
    if tags:
        backend.tagging_service.tag_resource(snapshot.arn, tags)
    snapshot.snapshot_status = "creating"
    CLOCK.begin(clock_key(backend, "snapshot", name), "creating", duration("snapshot"),
                on_done=lambda: setattr(snapshot, "snapshot_status", "available"))
    return snapshot


def create_snapshot(self: ElastiCacheResponse) -> ActionResult:
    backend = self.elasticache_backend
    rid = self._get_param("ReplicationGroupId")
    cluster_id = self._get_param("CacheClusterId")
    with LOCK:
        target = backend.replication_groups.get((rid or "").lower()) if rid else None
        cluster = backend.cache_clusters.get(cluster_id) if cluster_id and not rid else None
        group = target if isinstance(target, ReplicationGroup) else (
            cluster.group if isinstance(cluster, MemberCluster) else None)
        if group is None:
            return original(create_snapshot)(self)
        group.require_available()
        snapshot = _snapshot(backend, self._get_param("SnapshotName"), group, cluster_id if cluster else None,
                             self._get_param("KmsKeyId"), self._get_param("Tags") or [])
        # AWS answers with the transition even when the clock ended it already (time scale 0).
        answer = copy.copy(snapshot)
        answer.snapshot_status = "creating"
        return ActionResult({"Snapshot": answer})


def delete_snapshot(self: ElastiCacheResponse) -> ActionResult:
    backend = self.elasticache_backend
    name = self._get_param("SnapshotName")
    with LOCK:
        snapshot = backend.snapshots.get(name)
        if snapshot is not None and snapshot.snapshot_status != "available":
            raise InvalidSnapshotState(f"Snapshot {name} is {snapshot.snapshot_status}; only an available snapshot "
                                       "can be deleted.")
        result = original(delete_snapshot)(self)
        dataplane.snapshot_path(name).unlink(missing_ok=True)
        backend.tagging_service.delete_all_tags_for_resource(snapshot.arn)
        CLOCK.forget(clock_key(backend, "snapshot", name))
        return result
