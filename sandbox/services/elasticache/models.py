"""ElastiCache models: replication groups (cluster mode disabled) with real member clusters and a redis-server."""

from __future__ import annotations

import logging
import re
import threading
from datetime import datetime
from typing import Any

from moto.core.base_backend import BaseBackend
from moto.core.utils import utcnow
from moto.elasticache.models import ElastiCacheBackend

from sandbox.dataplane import redis as dataplane
from sandbox.lifecycle import CLOCK
from sandbox.services import load_data
from sandbox.services.elasticache.errors import InvalidReplicationGroupState
from sandbox.state import AWS_HOST

LOG = logging.getLogger(__name__)
LOCK = threading.RLock()
ARN_PATTERN = re.compile(
    r"^arn:aws:elasticache:.*:[0-9]*:(cluster|snapshot|subnetgroup|replicationgroup|user|parametergroup):.*$"
)
DEFAULT_MAINTENANCE_WINDOW = "wed:07:00-wed:08:00"
DEFAULT_SNAPSHOT_WINDOW = "05:00-06:00"
MAX_CLUSTERS = 6
LOG_TYPES = ("slow-log", "engine-log")
# Engine versions the sandbox accepts, as requested -> as ElastiCache reports them.
_ENGINE = load_data(__file__, "redis-engine.json")
ENGINE_VERSIONS: dict[str, str] = _ENGINE["engine_versions"]
DEFAULT_ENGINE_VERSION: str = _ENGINE["default_engine_version"]
# maxmemory per node type, in bytes (a few common types).
NODE_MAXMEMORY: dict[str, str] = _ENGINE["node_maxmemory"]


def resource_arn(backend: ElastiCacheBackend, kind: str, name: str) -> str:
    return f"arn:aws:elasticache:{backend.region_name}:{backend.account_id}:{kind}:{name}"


def clock_key(backend: ElastiCacheBackend, kind: str, name: str) -> tuple[str, ...]:
    return ("elasticache", backend.account_id, backend.region_name, kind, name)


def endpoint_at(port: int) -> dict[str, Any]:
    return {"Address": AWS_HOST, "Port": port}


class MemberCluster:
    """A cache cluster (one node) of a sandbox replication group; lives in ``backend.cache_clusters``."""

    def __init__(self, group: ReplicationGroup, cache_cluster_id: str, zone: str) -> None:
        self.group = group
        self.cache_cluster_id = cache_cluster_id
        self.preferred_availability_zone = zone
        self.cache_cluster_create_time = utcnow()
        self.arn = resource_arn(group.backend, "cluster", cache_cluster_id)
        self.num_cache_nodes = 1

    # Attributes moto's own code (snapshots, tagging) reads from cache clusters.
    replication_group_id = property(lambda self: self.group.replication_group_id)
    cache_node_type = property(lambda self: self.group.cache_node_type)
    engine = property(lambda self: self.group.engine)
    engine_version = property(lambda self: self.group.engine_version)
    cache_parameter_group_name = property(lambda self: self.group.cache_parameter_group_name)
    cache_subnet_group_name = property(lambda self: self.group.cache_subnet_group_name)
    preferred_maintenance_window = property(lambda self: self.group.preferred_maintenance_window)
    snapshot_retention_limit = property(lambda self: self.group.snapshot_retention_limit)
    snapshot_window = property(lambda self: self.group.snapshot_window)
    auto_minor_version_upgrade = property(lambda self: self.group.auto_minor_version_upgrade)
    port = property(lambda self: self.group.port)

    @property
    def key(self) -> tuple[str, ...]:
        return clock_key(self.group.backend, "cluster", self.cache_cluster_id)

    @property
    def status(self) -> str:
        if CLOCK.pending(self.key):
            return CLOCK.status(self.key, "available")
        group_status = self.group.status
        return group_status if group_status in ("creating", "deleting") else "available"

    @property
    def role(self) -> str:
        return "primary" if self.cache_cluster_id == self.group.primary_id else "replica"

    def member_dict(self) -> dict[str, Any]:
        member: dict[str, Any] = {"CacheClusterId": self.cache_cluster_id, "CacheNodeId": "0001",
                                  "PreferredAvailabilityZone": self.preferred_availability_zone,
                                  "CurrentRole": self.role}
        if self.status != "creating":
            member["ReadEndpoint"] = endpoint_at(self.group.port)
        return member

    def to_dict(self, show_nodes: bool = False) -> dict[str, Any]:
        group = self.group
        status = self.status
        result: dict[str, Any] = {
            "CacheClusterId": self.cache_cluster_id,
            "ClientDownloadLandingPage": "https://console.aws.amazon.com/elasticache/home#client-download:",
            "CacheNodeType": group.cache_node_type,
            "Engine": group.engine,
            "EngineVersion": group.engine_version,
            "CacheClusterStatus": status,
            "NumCacheNodes": 1,
            "PreferredAvailabilityZone": self.preferred_availability_zone,
            "CacheClusterCreateTime": self.cache_cluster_create_time,
            "PreferredMaintenanceWindow": group.preferred_maintenance_window,
            "PendingModifiedValues": dict(group.pending),
            "CacheSecurityGroups": [],
            "CacheParameterGroup": {"CacheParameterGroupName": group.cache_parameter_group_name,
                                    "ParameterApplyStatus": group.parameter_apply_status,
                                    "CacheNodeIdsToReboot": ["0001"] if group.parameter_apply_status
                                    == "pending-reboot" else []},
            "AutoMinorVersionUpgrade": group.auto_minor_version_upgrade,
            "SecurityGroups": [{"SecurityGroupId": sg, "Status": "active"} for sg in group.security_group_ids],
            "ReplicationGroupId": group.replication_group_id,
            "SnapshotRetentionLimit": group.snapshot_retention_limit,
            "SnapshotWindow": group.snapshot_window,
            "AuthTokenEnabled": group.auth_token_enabled,
            "TransitEncryptionEnabled": group.transit_encryption_enabled,
            "AtRestEncryptionEnabled": group.at_rest_encryption_enabled,
            "ARN": self.arn,
            "ReplicationGroupLogDeliveryEnabled": bool(group.log_delivery),
            "LogDeliveryConfigurations": group.log_delivery_dicts(),
            "NetworkType": "ipv4",
            "IpDiscovery": "ipv4",
        }
        if group.cache_subnet_group_name:
            result["CacheSubnetGroupName"] = group.cache_subnet_group_name
        if group.auth_token_enabled:
            result["AuthTokenLastModifiedDate"] = group.auth_token_last_modified_date
        if group.transit_encryption_enabled:
            result["TransitEncryptionMode"] = group.transit_encryption_mode
        if group.notification_topic_arn:
            result["NotificationConfiguration"] = {"TopicArn": group.notification_topic_arn,
                                                   "TopicStatus": group.notification_topic_status}
        if show_nodes:
            node: dict[str, Any] = {"CacheNodeId": "0001", "CacheNodeStatus": status,
                                    "CacheNodeCreateTime": self.cache_cluster_create_time,
                                    "ParameterGroupStatus": group.parameter_apply_status,
                                    "CustomerAvailabilityZone": self.preferred_availability_zone}
            if status != "creating":
                node["Endpoint"] = endpoint_at(group.port)
            result["CacheNodes"] = [node]
        return result


class ReplicationGroup:
    """A Redis replication group with cluster mode disabled, backed by one real redis-server."""

    def __init__(self, backend: ElastiCacheBackend, replication_group_id: str, description: str) -> None:
        self.backend = backend
        self.replication_group_id = replication_group_id
        self.description = description
        self.arn = resource_arn(backend, "replicationgroup", replication_group_id)
        self.replication_group_create_time = utcnow()
        self.engine = "redis"
        self.engine_version = DEFAULT_ENGINE_VERSION
        self.cache_node_type = ""
        self.cache_parameter_group_name = ""
        self.cache_subnet_group_name: str | None = None
        self.security_group_ids: list[str] = []
        self.automatic_failover = "disabled"
        self.multi_az = "disabled"
        self.snapshot_retention_limit = 0
        self.snapshot_window = DEFAULT_SNAPSHOT_WINDOW
        self.snapshotting_cluster_id: str | None = None
        self.preferred_maintenance_window = DEFAULT_MAINTENANCE_WINDOW
        self.auto_minor_version_upgrade = True
        self.notification_topic_arn: str | None = None
        self.notification_topic_status = "active"
        self.transit_encryption_enabled = False
        self.transit_encryption_mode: str | None = None
        self.at_rest_encryption_enabled = False
        self.kms_key_id: str | None = None
        self.auth_token_enabled = False
        self.auth_token_last_modified_date: datetime | None = None
        self.log_delivery: list[dict[str, Any]] = []
        self.members: list[MemberCluster] = []
        self.primary_id = f"{replication_group_id}-001"
        self.pending: dict[str, Any] = {}
        self.parameter_apply_status = "in-sync"
        self.auth_token_status: str | None = None
        self.failover_target: str | None = None
        self.last_port = 0

    # Attributes moto's create_snapshot reads.
    node_groups = property(lambda self: [self.node_group_dict()])

    @property
    def port(self) -> int:
        server = self.server
        return server.port if server is not None else self.last_port

    @property
    def key(self) -> tuple[str, ...]:
        return clock_key(self.backend, "replicationgroup", self.replication_group_id)

    @property
    def status(self) -> str:
        return CLOCK.status(self.key, "available")

    @property
    def server(self) -> dataplane.RedisServer | None:
        return dataplane.get(self.replication_group_id)

    def require_available(self) -> None:
        if self.status != "available":
            raise InvalidReplicationGroupState(
                f"Replication group {self.replication_group_id} must be available for this; it is {self.status}.")

    def snapshotting_cluster(self) -> str | None:
        if not self.snapshot_retention_limit:
            return None
        ids = [m.cache_cluster_id for m in self.members]
        if self.snapshotting_cluster_id in ids:
            return self.snapshotting_cluster_id
        replicas = [i for i in ids if i != self.primary_id]
        return replicas[0] if replicas else self.primary_id

    def node_group_dict(self, status: str | None = None) -> dict[str, Any]:
        status = status or self.status
        group: dict[str, Any] = {"NodeGroupId": "0001", "Status": status,
                                 "NodeGroupMembers": [m.member_dict() for m in self.members]}
        if status != "creating":
            group["PrimaryEndpoint"] = endpoint_at(self.port)
            group["ReaderEndpoint"] = endpoint_at(self.port)
        return group

    def log_delivery_dicts(self, status: str | None = None) -> list[dict[str, Any]]:
        transitional = (status or self.status) in ("creating", "modifying")
        result = []
        for config in self.log_delivery:
            entry = {k: v for k, v in config.items() if not k.startswith("_")}
            if transitional and config.get("_pending"):
                entry["Status"] = config["_pending"]
            else:
                problem = destination_problem(self.backend, config)
                entry["Status"] = "error" if problem else "active"
                if problem:
                    entry["Message"] = problem
            result.append(entry)
        return result

    def pending_dict(self, status: str | None = None) -> dict[str, Any]:
        if (status or self.status) != "modifying":
            return {}
        pending: dict[str, Any] = {}
        if self.failover_target:
            pending["AutomaticFailoverStatus"] = self.failover_target
        if self.auth_token_status:
            pending["AuthTokenStatus"] = self.auth_token_status
        logs = [{k: v for k, v in c.items() if not k.startswith("_")}
                for c in self.log_delivery if c.get("_pending") in ("enabling", "modifying")]
        if logs:
            pending["LogDeliveryConfigurations"] = logs
        return pending

    def to_dict(self, status: str | None = None) -> dict[str, Any]:
        """The API shape; ``status`` overrides the clock (a mutating call reports its transition even when instant)."""
        status = status or self.status
        automatic_failover = self.automatic_failover
        if status == "modifying" and self.failover_target:
            automatic_failover = "enabling" if self.failover_target == "enabled" else "disabling"
        result: dict[str, Any] = {
            "ReplicationGroupId": self.replication_group_id,
            "Description": self.description,
            "Status": status,
            "PendingModifiedValues": self.pending_dict(status),
            "MemberClusters": [m.cache_cluster_id for m in self.members],
            "NodeGroups": [self.node_group_dict(status)],
            "AutomaticFailover": automatic_failover,
            "MultiAZ": self.multi_az,
            "SnapshotRetentionLimit": self.snapshot_retention_limit,
            "SnapshotWindow": self.snapshot_window,
            "ClusterEnabled": False,
            "CacheNodeType": self.cache_node_type,
            "AuthTokenEnabled": self.auth_token_enabled,
            "TransitEncryptionEnabled": self.transit_encryption_enabled,
            "AtRestEncryptionEnabled": self.at_rest_encryption_enabled,
            "ARN": self.arn,
            "UserGroupIds": [],
            "LogDeliveryConfigurations": self.log_delivery_dicts(status),
            "ReplicationGroupCreateTime": self.replication_group_create_time,
            "DataTiering": "disabled",
            "AutoMinorVersionUpgrade": self.auto_minor_version_upgrade,
            "NetworkType": "ipv4",
            "IpDiscovery": "ipv4",
            "ClusterMode": "disabled",
            "Engine": self.engine,
        }
        snapshotting = self.snapshotting_cluster()
        if snapshotting:
            result["SnapshottingClusterId"] = snapshotting
        if self.auth_token_enabled:
            result["AuthTokenLastModifiedDate"] = self.auth_token_last_modified_date
        if self.transit_encryption_enabled:
            result["TransitEncryptionMode"] = self.transit_encryption_mode
        if self.kms_key_id:
            result["KmsKeyId"] = self.kms_key_id
        return result

    def add_member(self, cache_cluster_id: str, zone: str) -> MemberCluster:
        member = MemberCluster(self, cache_cluster_id, zone)
        self.members.append(member)
        self.backend.cache_clusters[cache_cluster_id] = member
        return member

    def remove_member(self, member: MemberCluster) -> None:
        with LOCK:
            if member in self.members:
                self.members.remove(member)
            if self.backend.cache_clusters.get(member.cache_cluster_id) is member:
                del self.backend.cache_clusters[member.cache_cluster_id]
            self.backend.tagging_service.delete_all_tags_for_resource(member.arn)
            CLOCK.forget(member.key)

    def destroy(self) -> None:
        """Stop the server, then remove the group and its members (the end of ``deleting``, or a backend reset)."""
        dataplane.delete(self.replication_group_id)
        with LOCK:
            if self.backend.replication_groups.get(self.replication_group_id) is self:
                del self.backend.replication_groups[self.replication_group_id]
            for member in list(self.members):
                self.remove_member(member)
            self.backend.tagging_service.delete_all_tags_for_resource(self.arn)
            CLOCK.forget(self.key)


def destination_problem(backend: ElastiCacheBackend, config: dict[str, Any]) -> str | None:
    """Why log delivery to ``config``'s destination cannot work (None when it can)."""
    if config["DestinationType"] != "cloudwatch-logs":
        return None
    from moto.logs.models import logs_backends

    log_group = config["DestinationDetails"]["CloudWatchLogsDetails"]["LogGroup"]
    if log_group not in logs_backends[backend.account_id][backend.region_name].groups:
        return f"Log group {log_group} does not exist."
    return None


def subnet_zones(backend: ElastiCacheBackend, subnet_group: str | None) -> list[str]:
    if subnet_group:
        from moto.ec2.models import ec2_backends

        ec2 = ec2_backends[backend.account_id][backend.region_name]
        group = backend.cache_subnet_groups[subnet_group]
        zones = sorted({s.availability_zone for s in ec2.describe_subnets(subnet_ids=group.subnet_ids)})
        if zones:
            return zones
    return [f"{backend.region_name}{suffix}" for suffix in "abc"]


def reset(backend: ElastiCacheBackend) -> None:
    """Stop the servers of a backend's replication groups before moto forgets them."""
    for group in list(backend.replication_groups.values()):
        if isinstance(group, ReplicationGroup):
            group.destroy()
    BaseBackend.reset(backend)
