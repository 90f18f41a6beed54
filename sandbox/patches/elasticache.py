"""ElastiCache for Redis as the collection relies on it, on top of moto's thin model.

moto 5.2.5 creates replication groups without member clusters, timing, real endpoints, auth token
updates, replica count changes, parameter groups or subnet group updates. This patch replaces the
cluster-mode-disabled replication group with one that has real member clusters, simulated
``creating``/``modifying``/``deleting`` times (``sandbox.lifecycle``) and a real redis-server
(``sandbox.dataplane.redis``) that follows the group's TLS, AUTH token and parameter group.
Cluster-mode-enabled groups stay moto's.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from moto.core.base_backend import BaseBackend
from moto.core.responses import ActionResult, EmptyResult
from moto.core.utils import utcnow
from moto.elasticache.exceptions import (
    CacheClusterAlreadyExists,
    CacheClusterNotFound,
    CacheSubnetGroupAlreadyExists,
    CacheSubnetGroupNotFound,
    ElastiCacheException,
    InvalidParameterCombinationException,
    InvalidParameterValueException,
    InvalidSubnet,
    ReplicationGroupAlreadyExists,
    ReplicationGroupNotFound,
    SnapshotNotFound,
)
from moto.elasticache.models import CacheSubnetGroup, ElastiCacheBackend
from moto.elasticache.responses import ElastiCacheResponse

from sandbox.dataplane import redis as dataplane
from sandbox.lifecycle import CLOCK, duration
from sandbox.state import AWS_HOST

LOG = logging.getLogger(__name__)
_LOCK = threading.RLock()
_ORIGINAL: dict[str, Callable[..., Any]] = {}

ARN_PATTERN = re.compile(
    r"^arn:aws:elasticache:.*:[0-9]*:(cluster|snapshot|subnetgroup|replicationgroup|user|parametergroup):.*$"
)
IDENTIFIER = re.compile(r"^[a-zA-Z](?:[a-zA-Z0-9]|-(?!-))*(?<!-)$")
NODE_TYPE = re.compile(r"^cache\.[a-z0-9]+\.[a-z0-9]+$")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY = "(mon|tue|wed|thu|fri|sat|sun)"
MAINTENANCE_WINDOW = re.compile(rf"^{_DAY}:(\d\d):(\d\d)-{_DAY}:(\d\d):(\d\d)$")
SNAPSHOT_WINDOW = re.compile(r"^(\d\d):(\d\d)-(\d\d):(\d\d)$")
DEFAULT_MAINTENANCE_WINDOW = "wed:07:00-wed:08:00"
DEFAULT_SNAPSHOT_WINDOW = "05:00-06:00"
MAX_CLUSTERS = 6
TOKEN_FORBIDDEN = set('@"/')
LOG_TYPES = ("slow-log", "engine-log")
# Engine versions the sandbox accepts, as requested -> as ElastiCache reports them.
ENGINE_VERSIONS = {
    "7.1": "7.1.0", "7.1.0": "7.1.0", "7.0": "7.0.7", "7.0.7": "7.0.7",
    "6.2": "6.2.6", "6.2.6": "6.2.6", "6.x": "6.2.6", "6.0": "6.0.5", "6.0.5": "6.0.5",
}
DEFAULT_ENGINE_VERSION = "7.1.0"


# --- errors moto has no class for --------------------------------------------------------------


class InvalidReplicationGroupState(ElastiCacheException):
    code = "InvalidReplicationGroupState"


class InvalidCacheClusterState(ElastiCacheException):
    code = "InvalidCacheClusterState"


class CacheParameterGroupNotFound(ElastiCacheException):
    code = "CacheParameterGroupNotFound"

    def __init__(self, name: str) -> None:
        super().__init__(f"CacheParameterGroup {name} not found.")


class CacheParameterGroupAlreadyExists(ElastiCacheException):
    code = "CacheParameterGroupAlreadyExists"

    def __init__(self, name: str) -> None:
        super().__init__(f"Parameter group {name} already exists.")


class InvalidCacheParameterGroupState(ElastiCacheException):
    code = "InvalidCacheParameterGroupState"


class CacheSubnetGroupInUse(ElastiCacheException):
    code = "CacheSubnetGroupInUse"


class NoOperation(ElastiCacheException):
    code = "NoOperationFault"


# --- parameters --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Param:
    """One engine parameter as DescribeCacheParameters reports it."""

    name: str
    default: str
    data_type: str
    allowed: str | None
    description: str
    modifiable: bool = True
    change_type: str = "immediate"
    minimum_engine_version: str = "7.0.5"

    def check(self, value: str) -> None:
        """Raise InvalidParameterValue unless ``value`` is allowed (AllowedValues: ``a,b`` or ``lo-hi``/``lo-``)."""
        if self.data_type == "integer":
            try:
                number = int(value)
            except ValueError:
                raise InvalidParameterValueException(
                    f"Value ({value}) for parameter {self.name} is invalid. Must be an integer.") from None
            if self.allowed and not any(_in_range(number, item) for item in self.allowed.split(",")):
                raise InvalidParameterValueException(
                    f"Value ({value}) for parameter {self.name} is invalid. Allowed values are {self.allowed}.")
        elif self.allowed is not None and value not in self.allowed.split(","):
            raise InvalidParameterValueException(
                f"Value ({value}) for parameter {self.name} is invalid. Allowed values are {self.allowed}.")
        elif self.name == "notify-keyspace-events" and not set(value) <= set("KEg$lshzxetmdAn"):
            raise InvalidParameterValueException(
                f"Value ({value}) for parameter {self.name} is invalid. Allowed flags are KEg$lshzxetmdAn.")


def _in_range(number: int, item: str) -> bool:
    match = re.fullmatch(r"(-?\d+)(-(-?\d+)?)?", item.strip())
    if not match:
        return False
    low = int(match.group(1))
    if match.group(2) is None:
        return number == low
    high = match.group(3)
    return low <= number and (high is None or number <= int(high))


YES_NO = "yes,no"
_P = Param
REDIS7_PARAMETERS: tuple[Param, ...] = (
    _P("acl-pubsub-default", "allchannels", "string", "resetchannels,allchannels",
       "Default pubsub channel permissions for ACL users deployed to this cluster.", minimum_engine_version="6.2.0"),
    _P("active-defrag-cycle-max", "75", "integer", "1-75", "Maximal effort for defrag in CPU percentage."),
    _P("active-defrag-cycle-min", "5", "integer", "1-75", "Minimal effort for defrag in CPU percentage."),
    _P("active-defrag-ignore-bytes", "104857600", "integer", "1048576-", "Minimum amount of fragmentation waste "
       "to start active defrag."),
    _P("active-defrag-max-scan-fields", "1000", "integer", "1-1000000", "Maximum number of set/hash/zset/list "
       "fields that will be processed from the main dictionary scan."),
    _P("active-defrag-threshold-lower", "10", "integer", "1-100", "Minimum percentage of fragmentation to start "
       "active defrag."),
    _P("active-defrag-threshold-upper", "100", "integer", "1-100", "Maximum percentage of fragmentation at which "
       "we use maximum effort."),
    _P("active-expire-effort", "1", "integer", "1-10", "The amount of effort that redis uses to expire items in "
       "the active expiration job."),
    _P("activedefrag", "no", "string", YES_NO, "Enabled active memory defragmentation."),
    _P("activerehashing", "yes", "string", YES_NO, "Apply rehashing or not.", change_type="requires-reboot"),
    _P("appendfsync", "everysec", "string", "always,everysec,no", "fsync policy for AOF persistence.",
       modifiable=False),
    _P("appendonly", "no", "string", YES_NO, "Enable Redis persistence.", modifiable=False),
    _P("client-output-buffer-limit-normal-hard-limit", "0", "integer", "0-", "Normal client output buffer hard "
       "limit in bytes."),
    _P("client-output-buffer-limit-normal-soft-limit", "0", "integer", "0-", "Normal client output buffer soft "
       "limit in bytes."),
    _P("client-output-buffer-limit-normal-soft-seconds", "0", "integer", "0-", "Normal client output buffer soft "
       "limit in seconds."),
    _P("client-output-buffer-limit-pubsub-hard-limit", "33554432", "integer", "0-", "Pubsub client output buffer "
       "hard limit in bytes."),
    _P("client-output-buffer-limit-pubsub-soft-limit", "8388608", "integer", "0-", "Pubsub client output buffer "
       "soft limit in bytes."),
    _P("client-output-buffer-limit-pubsub-soft-seconds", "60", "integer", "0-", "Pubsub client output buffer "
       "soft limit in seconds."),
    _P("client-query-buffer-limit", "1073741824", "integer", "1048576-1073741824", "Max size of a single client "
       "query buffer."),
    _P("close-on-replica-write", "yes", "string", YES_NO, "If enabled, clients who attempt to write to a "
       "read-only replica will be disconnected."),
    _P("cluster-allow-pubsubshard-when-down", "yes", "string", YES_NO, "Allow pubsub shard traffic while the "
       "cluster is down, as long as the node owns the slot."),
    _P("cluster-allow-reads-when-down", "no", "string", YES_NO, "Allow reads while the cluster is down."),
    _P("cluster-enabled", "no", "string", YES_NO, "Enable cluster mode.", change_type="requires-reboot"),
    _P("cluster-preferred-endpoint-type", "tls-dynamic", "string", "tls-dynamic,ip", "Endpoint returned for "
       "MOVED/ASKING requests and CLUSTER SLOTS/SHARDS."),
    _P("cluster-require-full-coverage", "no", "string", YES_NO, "Stop accepting writes when hash slots are "
       "uncovered."),
    _P("databases", "16", "integer", "1-1200000", "Set the number of databases.", change_type="requires-reboot"),
    _P("hash-max-listpack-entries", "512", "integer", "0-", "The maximum number of hash entries in order for "
       "the dataset to be compressed."),
    _P("hash-max-listpack-value", "64", "integer", "0-", "The threshold of biggest hash entries in order for "
       "the dataset to be compressed."),
    _P("hll-sparse-max-bytes", "3000", "integer", "1-16000", "HyperLogLog sparse representation bytes limit."),
    _P("latency-tracking", "no", "string", YES_NO, "Track per-command latency for INFO latencystats."),
    _P("lazyfree-lazy-eviction", "no", "string", YES_NO, "Perform an asynchronous delete on evictions."),
    _P("lazyfree-lazy-expire", "no", "string", YES_NO, "Perform an asynchronous delete on expired keys."),
    _P("lazyfree-lazy-server-del", "no", "string", YES_NO, "Perform an asynchronous delete for commands which "
       "update values."),
    _P("lazyfree-lazy-user-del", "no", "string", YES_NO, "Make DEL behave like UNLINK."),
    _P("lazyfree-lazy-user-flush", "no", "string", YES_NO, "Make FLUSHALL/FLUSHDB default to ASYNC."),
    _P("lfu-decay-time", "1", "integer", "0-", "The amount of time in minutes to decrement the key counter for "
       "LFU eviction policy."),
    _P("lfu-log-factor", "10", "integer", "1-", "The log factor for incrementing key counter for LFU eviction "
       "policy."),
    _P("list-compress-depth", "0", "integer", "0-", "Number of quicklist ziplist nodes from each side of the list "
       "to exclude from compression."),
    _P("list-max-listpack-size", "-2", "integer", "-5,-4,-3,-2,-1,1-", "The number of entries allowed per "
       "internal list node."),
    _P("lua-replicate-commands", "yes", "string", YES_NO, "Always enable Lua effect replication.",
       modifiable=False),
    _P("lua-time-limit", "5000", "integer", "5000", "Max execution time of a Lua script in milliseconds.",
       modifiable=False),
    _P("maxclients", "65000", "integer", "1-65000", "The maximum number of Redis clients.", modifiable=False,
       change_type="requires-reboot"),
    _P("maxmemory-policy", "volatile-lru", "string",
       "volatile-lru,allkeys-lru,volatile-lfu,allkeys-lfu,volatile-random,allkeys-random,volatile-ttl,noeviction",
       "Max memory policy."),
    _P("maxmemory-samples", "3", "integer", "1-", "Max memory samples."),
    _P("min-replicas-max-lag", "10", "integer", "0-", "The maximum lag in seconds of replicas counted by "
       "min-replicas-to-write."),
    _P("min-replicas-to-write", "0", "integer", "0-", "Minimum number of replicas which must be online for the "
       "primary to accept writes."),
    _P("notify-keyspace-events", "", "string", None, "The keyspace events for Redis to notify Pub/Sub clients "
       "about. By default all notifications are disabled."),
    _P("proto-max-bulk-len", "536870912", "integer", "1048576-536870912", "Max size of a single element "
       "request."),
    _P("repl-backlog-size", "1048576", "integer", "16384-", "The replication backlog size in bytes for PSYNC."),
    _P("repl-backlog-ttl", "3600", "integer", "0-", "The amount of time in seconds after the primary no longer "
       "has connected replicas before the backlog is freed."),
    _P("reserved-memory-percent", "25", "integer", "0-100", "The percent of memory reserved for non-cache "
       "memory usage."),
    _P("set-max-intset-entries", "512", "integer", "0-", "The limit in the size of the set in order for the "
       "dataset to be compressed."),
    _P("slowlog-log-slower-than", "10000", "integer", "-1-", "The execution time, in microseconds, to exceed in "
       "order for the command to get logged."),
    _P("slowlog-max-len", "128", "integer", "0-", "The length of the slow log."),
    _P("stream-node-max-bytes", "4096", "integer", "0-", "The maximum size of a single node in a stream."),
    _P("stream-node-max-entries", "100", "integer", "0-", "The maximum number of items a single node in a "
       "stream can contain."),
    _P("tcp-keepalive", "300", "integer", "0-", "If non-zero, send ACKs every given number of seconds."),
    _P("timeout", "0", "integer", "0,20-", "Close connection if client is idle for a given number of seconds, "
       "or never if 0."),
    _P("tracking-table-max-keys", "1000000", "integer", "1-100000000", "The maximum number of keys tracked by "
       "client-side caching."),
    _P("zset-max-listpack-entries", "128", "integer", "0-", "The maximum number of sorted set entries in order "
       "for the dataset to be compressed."),
    _P("zset-max-listpack-value", "64", "integer", "0-", "The threshold of biggest sorted set entries in order "
       "for the dataset to be compressed."),
)
_REDIS7_ONLY = {"cluster-allow-pubsubshard-when-down", "cluster-preferred-endpoint-type", "latency-tracking"}
REDIS6_PARAMETERS: tuple[Param, ...] = tuple(
    Param(p.name.replace("listpack", "ziplist"), p.default, p.data_type, p.allowed, p.description, p.modifiable,
          p.change_type, "6.0.0" if p.minimum_engine_version == "7.0.5" else p.minimum_engine_version)
    for p in REDIS7_PARAMETERS if p.name not in _REDIS7_ONLY
)
FAMILIES: dict[str, tuple[Param, ...]] = {"redis7": REDIS7_PARAMETERS, "redis6.x": REDIS6_PARAMETERS}
# maxmemory per node type, in bytes (a few common types).
NODE_MAXMEMORY = {
    "cache.t4g.micro": "462170112", "cache.t4g.small": "1471026299", "cache.t4g.medium": "3317862236",
    "cache.m7g.large": "6854542746", "cache.r7g.large": "14037181030", "cache.r7g.xlarge": "28261849702",
}


def family_of(engine_version: str) -> str:
    return "redis7" if engine_version.startswith("7") else "redis6.x"


@dataclass
class ParameterGroup:
    """A cache parameter group; ``values`` holds only what the user changed."""

    name: str
    family: str
    description: str
    arn: str
    values: dict[str, str] = field(default_factory=dict)

    @property
    def is_default(self) -> bool:
        return self.name.startswith("default.")

    @property
    def specs(self) -> dict[str, Param]:
        return {p.name: p for p in FAMILIES[self.family]}

    def default_value(self, param: Param) -> str:
        if param.name == "cluster-enabled" and self.name.endswith(".cluster.on"):
            return "yes"
        return param.default

    def effective(self) -> dict[str, str]:
        return {p.name: self.values.get(p.name, self.default_value(p)) for p in FAMILIES[self.family]}

    def parameters(self, source: str | None = None) -> list[dict[str, Any]]:
        rows = []
        for param in FAMILIES[self.family]:
            row_source = "user" if param.name in self.values else "system"
            if source and source != row_source and not (source == "engine-default" and row_source == "system"):
                continue
            rows.append(_param_row(param, self.values.get(param.name, self.default_value(param)), row_source))
        return rows

    def to_dict(self) -> dict[str, Any]:
        return {"CacheParameterGroupName": self.name, "CacheParameterGroupFamily": self.family,
                "Description": self.description, "IsGlobal": False, "ARN": self.arn}


def _param_row(param: Param, value: str, source: str) -> dict[str, Any]:
    row: dict[str, Any] = {"ParameterName": param.name, "ParameterValue": value, "Description": param.description,
                           "Source": source, "DataType": param.data_type, "IsModifiable": param.modifiable,
                           "MinimumEngineVersion": param.minimum_engine_version, "ChangeType": param.change_type}
    if param.allowed is not None:
        row["AllowedValues"] = param.allowed
    return row


def _node_type_specific(family: str) -> list[dict[str, Any]]:
    return [{
        "ParameterName": "maxmemory", "Description": "The maximum configurable amount of memory to use to store "
        "items, in bytes.", "Source": "system", "DataType": "integer", "AllowedValues": "0-",
        "IsModifiable": False, "MinimumEngineVersion": "7.0.5" if family == "redis7" else "6.0.0",
        "CacheNodeTypeSpecificValues": [{"CacheNodeType": t, "Value": v} for t, v in NODE_MAXMEMORY.items()],
        "ChangeType": "immediate",
    }]


# --- per-backend state -------------------------------------------------------------------------


def _parameter_groups(backend: ElastiCacheBackend) -> dict[str, ParameterGroup]:
    """The backend's parameter groups, the engine defaults created on first use."""
    groups = backend.__dict__.get("sandbox_parameter_groups")
    if groups is None:
        backend.arn_regex = ARN_PATTERN
        groups = {}
        for family in FAMILIES:
            for name in (f"default.{family}", f"default.{family}.cluster.on"):
                groups[name] = ParameterGroup(name, family, f"Default parameter group for {family}",
                                              _arn(backend, "parametergroup", name))
        backend.sandbox_parameter_groups = groups
    return groups


def _arn(backend: ElastiCacheBackend, kind: str, name: str) -> str:
    return f"arn:aws:elasticache:{backend.region_name}:{backend.account_id}:{kind}:{name}"


def _clock_key(backend: ElastiCacheBackend, kind: str, name: str) -> tuple[str, ...]:
    return ("elasticache", backend.account_id, backend.region_name, kind, name)


def _endpoint(port: int) -> dict[str, Any]:
    return {"Address": AWS_HOST, "Port": port}


# --- replication groups ------------------------------------------------------------------------


class MemberCluster:
    """A cache cluster (one node) of a sandbox replication group; lives in ``backend.cache_clusters``."""

    def __init__(self, group: ReplicationGroup, cache_cluster_id: str, zone: str) -> None:
        self.group = group
        self.cache_cluster_id = cache_cluster_id
        self.preferred_availability_zone = zone
        self.cache_cluster_create_time = utcnow()
        self.arn = _arn(group.backend, "cluster", cache_cluster_id)
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
        return _clock_key(self.group.backend, "cluster", self.cache_cluster_id)

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
            member["ReadEndpoint"] = _endpoint(self.group.port)
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
                node["Endpoint"] = _endpoint(group.port)
            result["CacheNodes"] = [node]
        return result


class ReplicationGroup:
    """A Redis replication group with cluster mode disabled, backed by one real redis-server."""

    def __init__(self, backend: ElastiCacheBackend, replication_group_id: str, description: str) -> None:
        self.backend = backend
        self.replication_group_id = replication_group_id
        self.description = description
        self.arn = _arn(backend, "replicationgroup", replication_group_id)
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
        return _clock_key(self.backend, "replicationgroup", self.replication_group_id)

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
            group["PrimaryEndpoint"] = _endpoint(self.port)
            group["ReaderEndpoint"] = _endpoint(self.port)
        return group

    def log_delivery_dicts(self, status: str | None = None) -> list[dict[str, Any]]:
        transitional = (status or self.status) in ("creating", "modifying")
        result = []
        for config in self.log_delivery:
            entry = {k: v for k, v in config.items() if not k.startswith("_")}
            if transitional and config.get("_pending"):
                entry["Status"] = config["_pending"]
            else:
                problem = _destination_problem(self.backend, config)
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
        with _LOCK:
            if member in self.members:
                self.members.remove(member)
            if self.backend.cache_clusters.get(member.cache_cluster_id) is member:
                del self.backend.cache_clusters[member.cache_cluster_id]
            self.backend.tagging_service.delete_all_tags_for_resource(member.arn)
            CLOCK.forget(member.key)

    def destroy(self) -> None:
        """Stop the server, then remove the group and its members (the end of ``deleting``, or a backend reset)."""
        dataplane.delete(self.replication_group_id)
        with _LOCK:
            if self.backend.replication_groups.get(self.replication_group_id) is self:
                del self.backend.replication_groups[self.replication_group_id]
            for member in list(self.members):
                self.remove_member(member)
            self.backend.tagging_service.delete_all_tags_for_resource(self.arn)
            CLOCK.forget(self.key)


# --- validation helpers ------------------------------------------------------------------------


def _check_identifier(value: str, what: str, max_length: int) -> None:
    if not value or len(value) > max_length or not IDENTIFIER.match(value):
        raise InvalidParameterValueException(
            f"{what} must contain from 1 to {max_length} alphanumeric characters or hyphens; the first character "
            "must be a letter; it cannot end with a hyphen or contain two consecutive hyphens.")


def _check_node_type(node_type: str | None) -> str:
    if not node_type:
        raise InvalidParameterValueException("The parameter CacheNodeType must be provided and must not be null.")
    if not NODE_TYPE.match(node_type):
        raise InvalidParameterValueException(f"Invalid Cache Node Type: {node_type}")
    return node_type


def _check_engine(engine: str | None) -> None:
    if engine and engine.lower() != "redis":
        raise InvalidParameterValueException(
            f"Engine {engine} is not supported for replication groups in the sandbox; use redis.")


def _check_engine_version(version: str | None) -> str:
    if version is None:
        return DEFAULT_ENGINE_VERSION
    if version not in ENGINE_VERSIONS:
        raise InvalidParameterCombinationException(f"Cannot find version {version} for redis")
    return ENGINE_VERSIONS[version]


def _minutes_of_week(day: str, hour: str, minute: str) -> int:
    return DAYS.index(day) * 1440 + int(hour) * 60 + int(minute)


def _check_maintenance_window(window: str) -> str:
    window = window.lower()
    match = MAINTENANCE_WINDOW.match(window)
    if not match or int(match.group(2)) > 23 or int(match.group(5)) > 23 or int(match.group(3)) > 59 \
            or int(match.group(6)) > 59:
        raise InvalidParameterValueException(
            f"Invalid maintenance window {window}; the format is ddd:hh24:mi-ddd:hh24:mi (UTC).")
    start = _minutes_of_week(match.group(1), match.group(2), match.group(3))
    end = _minutes_of_week(match.group(4), match.group(5), match.group(6))
    if (end - start) % (7 * 1440) < 60:
        raise InvalidParameterValueException("The maintenance window must be at least 60 minutes long.")
    return window


def _check_snapshot_window(window: str) -> str:
    match = SNAPSHOT_WINDOW.match(window)
    if not match or int(match.group(1)) > 23 or int(match.group(3)) > 23 or int(match.group(2)) > 59 \
            or int(match.group(4)) > 59:
        raise InvalidParameterValueException(f"Invalid snapshot window {window}; the format is hh24:mi-hh24:mi.")
    start = int(match.group(1)) * 60 + int(match.group(2))
    end = int(match.group(3)) * 60 + int(match.group(4))
    if (end - start) % 1440 < 60:
        raise InvalidParameterValueException("The snapshot window must be at least 60 minutes long.")
    return window


def _check_retention(limit: int | None) -> int:
    if limit is None:
        return 0
    if not 0 <= limit <= 35:
        raise InvalidParameterValueException("SnapshotRetentionLimit must be between 0 and 35.")
    return limit


def _check_token(token: str) -> None:
    if not 16 <= len(token) <= 128:
        raise InvalidParameterValueException("Passwords length must be between 16-128 characters.")
    if any(not 32 <= ord(c) <= 126 or c in TOKEN_FORBIDDEN for c in token):
        raise InvalidParameterValueException(
            "Invalid AUTH token: only printable ASCII characters are allowed, except '/', '\"' and '@'.")


def _check_security_groups(backend: ElastiCacheBackend, group_ids: list[str]) -> list[str]:
    from moto.ec2.models import ec2_backends

    ec2 = ec2_backends[backend.account_id][backend.region_name]
    known = {sg.id for sg in ec2.describe_security_groups()}
    unknown = [sg for sg in group_ids if sg not in known]
    if unknown:
        raise InvalidParameterValueException(f"Some security group Ids were not recognized by EC2: {unknown}")
    return list(group_ids)


def _check_kms_key(backend: ElastiCacheBackend, key_id: str) -> str:
    from moto.kms.models import kms_backends

    try:
        return kms_backends[backend.account_id][backend.region_name].describe_key(key_id).arn
    except Exception:
        raise InvalidParameterValueException(f"Invalid KMS key: {key_id}") from None


def _parameter_group(backend: ElastiCacheBackend, name: str) -> ParameterGroup:
    group = _parameter_groups(backend).get(name)
    if group is None:
        raise CacheParameterGroupNotFound(name)
    return group


def _destination_problem(backend: ElastiCacheBackend, config: dict[str, Any]) -> str | None:
    """Why log delivery to ``config``'s destination cannot work (None when it can)."""
    if config["DestinationType"] != "cloudwatch-logs":
        return None
    from moto.logs.models import logs_backends

    log_group = config["DestinationDetails"]["CloudWatchLogsDetails"]["LogGroup"]
    if log_group not in logs_backends[backend.account_id][backend.region_name].groups:
        return f"Log group {log_group} does not exist."
    return None


def _log_request(request: dict[str, Any], current: dict[str, Any] | None) -> dict[str, Any]:
    """A validated log delivery configuration from a request entry (missing fields taken from ``current``)."""
    log_type = request.get("LogType") or (current or {}).get("LogType")
    if log_type not in LOG_TYPES:
        raise InvalidParameterValueException(f"Invalid LogType {log_type}; valid values are {', '.join(LOG_TYPES)}.")
    base = current or {}
    destination_type = request.get("DestinationType") or base.get("DestinationType")
    details = request.get("DestinationDetails") or base.get("DestinationDetails")
    log_format = request.get("LogFormat") or base.get("LogFormat")
    if destination_type not in ("cloudwatch-logs", "kinesis-firehose"):
        raise InvalidParameterValueException(
            f"Invalid DestinationType {destination_type} for {log_type}; use cloudwatch-logs or kinesis-firehose.")
    if log_format not in ("text", "json"):
        raise InvalidParameterValueException(f"Invalid LogFormat {log_format} for {log_type}; use text or json.")
    if destination_type == "cloudwatch-logs":
        if not (details or {}).get("CloudWatchLogsDetails", {}).get("LogGroup"):
            raise InvalidParameterValueException(f"DestinationDetails.CloudWatchLogsDetails.LogGroup is required "
                                                 f"for {log_type} to cloudwatch-logs.")
        details = {"CloudWatchLogsDetails": {"LogGroup": details["CloudWatchLogsDetails"]["LogGroup"]}}
    else:
        if not (details or {}).get("KinesisFirehoseDetails", {}).get("DeliveryStream"):
            raise InvalidParameterValueException(f"DestinationDetails.KinesisFirehoseDetails.DeliveryStream is "
                                                 f"required for {log_type} to kinesis-firehose.")
        details = {"KinesisFirehoseDetails": {"DeliveryStream": details["KinesisFirehoseDetails"]["DeliveryStream"]}}
    return {"LogType": log_type, "DestinationType": destination_type, "DestinationDetails": details,
            "LogFormat": log_format}


def _log_types_once(requests: list[dict[str, Any]]) -> None:
    seen = [r.get("LogType") for r in requests]
    if len(seen) != len(set(seen)):
        raise InvalidParameterValueException("Each LogType may appear only once in LogDeliveryConfigurations.")


def _subnet_zones(backend: ElastiCacheBackend, subnet_group: str | None) -> list[str]:
    if subnet_group:
        from moto.ec2.models import ec2_backends

        ec2 = ec2_backends[backend.account_id][backend.region_name]
        group = backend.cache_subnet_groups[subnet_group]
        zones = sorted({s.availability_zone for s in ec2.describe_subnets(subnet_ids=group.subnet_ids)})
        if zones:
            return zones
    return [f"{backend.region_name}{suffix}" for suffix in "abc"]


def _page(response: ElastiCacheResponse, items: list[Any]) -> tuple[list[Any], str | None]:
    """One page of ``items`` per MaxRecords (20-100, default 100) and Marker (an offset)."""
    max_records = response._get_param("MaxRecords")
    if max_records is None:
        max_records = 100
    if not 20 <= max_records <= 100:
        raise InvalidParameterValueException("MaxRecords must be between 20 and 100.")
    marker = response._get_param("Marker")
    try:
        first = int(marker) if marker else 0
    except ValueError:
        raise InvalidParameterValueException(f"Invalid Marker: {marker}") from None
    end = first + max_records
    return items[first:end], (str(end) if end < len(items) else None)


def _settle_params(backend: ElastiCacheBackend, group: ParameterGroup, changed: set[str]) -> None:
    """Apply a parameter group's values to the servers of the replication groups that use it."""
    reboot = any(group.specs[name].change_type == "requires-reboot" for name in changed)
    for rg in list(backend.replication_groups.values()):
        if not isinstance(rg, ReplicationGroup) or rg.cache_parameter_group_name != group.name:
            continue
        if reboot:
            rg.parameter_apply_status = "pending-reboot"
        _apply_params(rg, group)


def _apply_params(rg: ReplicationGroup, group: ParameterGroup) -> None:
    server = rg.server
    if server is None or not server.running():
        return
    try:
        errors = server.apply_parameters(group.effective())
    except RuntimeError as error:
        LOG.warning("could not apply parameters to %s: %s", rg.replication_group_id, error)
        return
    for name, error in errors.items():
        LOG.warning("redis for %s refused %s: %s", rg.replication_group_id, name, error)


# --- handlers: replication groups --------------------------------------------------------------


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
        return _ORIGINAL["create_replication_group"](self)
    with _LOCK:
        group = _create_group(self.elasticache_backend, params)
        return ActionResult({"ReplicationGroup": group.to_dict()})


def _create_group(backend: ElastiCacheBackend, params: dict[str, Any]) -> ReplicationGroup:
    """Validate a CreateReplicationGroup request like AWS, then create the group and start its server."""
    rid = (params.get("ReplicationGroupId") or "").lower()
    _check_identifier(rid, "ReplicationGroupId", 40)
    if rid in backend.replication_groups:
        raise ReplicationGroupAlreadyExists(rid)
    for unsupported in ("PrimaryClusterId", "GlobalReplicationGroupId", "UserGroupIds", "CacheSecurityGroupNames",
                        "ServerlessCacheSnapshotName"):
        if params.get(unsupported):
            raise InvalidParameterValueException(f"The sandbox does not support {unsupported}.")
    _check_engine(params.get("Engine"))
    engine_version = _check_engine_version(params.get("EngineVersion"))
    node_type = _check_node_type(params.get("CacheNodeType"))

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
        _check_token(token)
    at_rest = bool(params.get("AtRestEncryptionEnabled"))
    kms_key = params.get("KmsKeyId")
    if kms_key and not at_rest:
        raise InvalidParameterCombinationException("KmsKeyId requires AtRestEncryptionEnabled.")

    subnet_group = params.get("CacheSubnetGroupName")
    if subnet_group:
        subnet_group = subnet_group.lower()
        if subnet_group not in backend.cache_subnet_groups:
            raise CacheSubnetGroupNotFound(subnet_group)
    zones = _subnet_zones(backend, subnet_group)
    for zone in zones_requested:
        if subnet_group and zone not in zones:
            raise InvalidParameterValueException(
                f"Availability zone {zone} is not in cache subnet group {subnet_group} ({', '.join(zones)}).")
    family = family_of(engine_version)
    parameter_group = _parameter_group(backend, params.get("CacheParameterGroupName") or f"default.{family}")
    if parameter_group.family != family:
        raise InvalidParameterCombinationException(
            f"The parameter group family {parameter_group.family} does not match engine version {engine_version}.")
    if parameter_group.effective().get("cluster-enabled") == "yes":
        raise InvalidParameterCombinationException(
            f"Parameter group {parameter_group.name} has cluster mode enabled; this replication group does not.")
    requests = params.get("LogDeliveryConfigurations") or []
    _log_types_once(requests)
    logs = [_log_request(r, None) for r in requests if r.get("Enabled", True)]
    snapshot_name = params.get("SnapshotName")
    if snapshot_name and snapshot_name not in backend.snapshots:
        raise SnapshotNotFound(snapshot_name)

    group = ReplicationGroup(backend, rid, params.get("ReplicationGroupDescription") or "")
    group.engine_version = engine_version
    group.cache_node_type = node_type
    group.cache_parameter_group_name = parameter_group.name
    group.cache_subnet_group_name = subnet_group
    group.security_group_ids = _check_security_groups(backend, params.get("SecurityGroupIds") or [])
    group.automatic_failover = "enabled" if failover else "disabled"
    group.multi_az = "enabled" if multi_az else "disabled"
    group.snapshot_retention_limit = _check_retention(params.get("SnapshotRetentionLimit"))
    if params.get("SnapshotWindow"):
        group.snapshot_window = _check_snapshot_window(params["SnapshotWindow"])
    if params.get("PreferredMaintenanceWindow"):
        group.preferred_maintenance_window = _check_maintenance_window(params["PreferredMaintenanceWindow"])
    if params.get("AutoMinorVersionUpgrade") is not None:
        group.auto_minor_version_upgrade = bool(params["AutoMinorVersionUpgrade"])
    group.notification_topic_arn = params.get("NotificationTopicArn")
    group.transit_encryption_enabled = tls
    group.transit_encryption_mode = (mode or "required") if tls else None
    group.at_rest_encryption_enabled = at_rest
    group.kms_key_id = _check_kms_key(backend, kms_key) if kms_key else None
    group.auth_token_enabled = token is not None
    group.auth_token_last_modified_date = utcnow() if token is not None else None
    group.log_delivery = [{**config, "_pending": "enabling"} for config in logs]
    placement = [(f"{rid}-{index + 1:03d}", zones_requested[index] if zones_requested else zones[index % len(zones)])
                 for index in range(count)]
    for member_id, _ in placement:
        if member_id in backend.cache_clusters:
            raise CacheClusterAlreadyExists(member_id)

    seed = dataplane.snapshot_path(snapshot_name) if snapshot_name else None
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
        with _LOCK:
            group.log_delivery = [{**c, "_pending": None} for c in group.log_delivery]

    CLOCK.begin(group.key, "creating", duration("elasticache_replication_group"), ready=server.answers,
                on_done=created)
    return group


def describe_replication_groups(self: ElastiCacheResponse) -> ActionResult:
    backend = self.elasticache_backend
    rid = self._get_param("ReplicationGroupId")
    with _LOCK:
        groups = [_get_group(backend, rid)] if rid else list(backend.replication_groups.values())
        items = [g.to_dict() if isinstance(g, ReplicationGroup) else g for g in groups]
    page, marker = _page(self, items)
    return ActionResult({"ReplicationGroups": page, "Marker": marker})


def modify_replication_group(self: ElastiCacheResponse) -> ActionResult:
    backend = self.elasticache_backend
    params = self._get_params()
    with _LOCK:
        group = _get_group(backend, params.get("ReplicationGroupId"))
        if not isinstance(group, ReplicationGroup):
            return _ORIGINAL["modify_replication_group"](self)
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
    _check_engine(params.get("Engine"))

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

    node_type = _check_node_type(params["CacheNodeType"]) if params.get("CacheNodeType") else None
    engine_version = _check_engine_version(params["EngineVersion"]) if params.get("EngineVersion") else None
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
    parameter_group = _parameter_group(backend, parameter_group_name) if parameter_group_name else None
    if parameter_group and parameter_group.family != family:
        raise InvalidParameterCombinationException(
            f"The parameter group family {parameter_group.family} does not match engine version "
            f"{engine_version or group.engine_version}.")
    security_groups = (_check_security_groups(backend, params["SecurityGroupIds"])
                       if params.get("SecurityGroupIds") is not None else None)
    maintenance = (_check_maintenance_window(params["PreferredMaintenanceWindow"])
                   if params.get("PreferredMaintenanceWindow") else None)
    snapshot_window = _check_snapshot_window(params["SnapshotWindow"]) if params.get("SnapshotWindow") else None
    retention = (_check_retention(params["SnapshotRetentionLimit"])
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
        _apply_params(group, parameter_group)
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
    _check_token(token)
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
    _log_types_once(requests)
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
        config = _log_request(request, existing)
        if existing is None:
            result[log_type] = {**config, "_pending": "enabling"}
        elif {k: existing[k] for k in config} != config:
            result[log_type] = {**config, "_pending": "modifying"}
    return [result[t] for t in LOG_TYPES if t in result]


def _begin_modifying(group: ReplicationGroup, node_change: bool) -> None:
    seconds = duration("modify")
    server = group.server

    def done() -> None:
        with _LOCK:
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
    with _LOCK:
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
        all_zones = _subnet_zones(backend, group.cache_subnet_group_name)
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
    with _LOCK:
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
    with _LOCK:
        group = _get_group(backend, params.get("ReplicationGroupId"))
        if not isinstance(group, ReplicationGroup):
            return _ORIGINAL["delete_replication_group"](self)
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
    with _LOCK:
        clusters = backend.describe_cache_clusters(self._get_param("CacheClusterId"))
        items: list[Any] = []
        for cluster in clusters:
            if isinstance(cluster, MemberCluster):
                if not only_standalone:
                    items.append(cluster.to_dict(show_nodes))
            elif not (only_standalone and getattr(cluster, "replication_group_id", None)):
                items.append(cluster)
    page, marker = _page(self, items)
    return ActionResult({"CacheClusters": page, "Marker": marker})


def delete_cache_cluster(self: ElastiCacheResponse) -> ActionResult:
    cluster = self.elasticache_backend.cache_clusters.get(self._get_param("CacheClusterId"))
    if isinstance(cluster, MemberCluster):
        raise InvalidCacheClusterState(
            f"Cache cluster {cluster.cache_cluster_id} is a member of replication group "
            f"{cluster.replication_group_id}; remove it with DecreaseReplicaCount.")
    return _ORIGINAL["delete_cache_cluster"](self)


# --- handlers: snapshots -----------------------------------------------------------------------


def _snapshot(backend: ElastiCacheBackend, name: str, group: ReplicationGroup, cluster_id: str | None) -> Any:
    """Create a moto snapshot of ``group`` and save the real dataset next to it."""
    snapshot = backend.create_snapshot(snapshot_name=name, replication_group_id=None if cluster_id else
                                       group.replication_group_id, cache_cluster_id=cluster_id, kms_key_id=None,
                                       tags=None)
    server = group.server
    if server is not None and server.running():
        server.save(dataplane.snapshot_path(name))
    snapshot.snapshot_status = "creating"
    CLOCK.begin(_clock_key(backend, "snapshot", name), "creating", duration("snapshot"),
                on_done=lambda: setattr(snapshot, "snapshot_status", "available"))
    return snapshot


def create_snapshot(self: ElastiCacheResponse) -> ActionResult:
    backend = self.elasticache_backend
    rid = self._get_param("ReplicationGroupId")
    cluster_id = self._get_param("CacheClusterId")
    with _LOCK:
        target = backend.replication_groups.get((rid or "").lower()) if rid else None
        cluster = backend.cache_clusters.get(cluster_id) if cluster_id and not rid else None
        group = target if isinstance(target, ReplicationGroup) else (
            cluster.group if isinstance(cluster, MemberCluster) else None)
        if group is None:
            return _ORIGINAL["create_snapshot"](self)
        group.require_available()
        snapshot = _snapshot(backend, self._get_param("SnapshotName"), group, cluster_id if cluster else None)
        tags = self._get_param("Tags") or []
        if tags:
            backend.tagging_service.tag_resource(snapshot.arn, tags)
        return ActionResult({"Snapshot": snapshot})


def delete_snapshot(self: ElastiCacheResponse) -> ActionResult:
    result = _ORIGINAL["delete_snapshot"](self)
    name = self._get_param("SnapshotName")
    dataplane.snapshot_path(name).unlink(missing_ok=True)
    CLOCK.forget(_clock_key(self.elasticache_backend, "snapshot", name))
    return result


# --- handlers: parameter groups ----------------------------------------------------------------


def create_cache_parameter_group(self: ElastiCacheResponse) -> ActionResult:
    backend = self.elasticache_backend
    name = self._get_param("CacheParameterGroupName") or ""
    family = self._get_param("CacheParameterGroupFamily")
    with _LOCK:
        groups = _parameter_groups(backend)
        _check_identifier(name, "CacheParameterGroupName", 255)
        if name in groups:
            raise CacheParameterGroupAlreadyExists(name)
        if family not in FAMILIES:
            raise InvalidParameterValueException(
                f"The parameter CacheParameterGroupFamily {family} is not a valid family in the sandbox "
                f"(valid: {', '.join(FAMILIES)}).")
        group = ParameterGroup(name, family, self._get_param("Description") or "",
                               _arn(backend, "parametergroup", name))
        groups[name] = group
        tags = self._get_param("Tags") or []
        if tags:
            backend.tagging_service.tag_resource(group.arn, tags)
        return ActionResult({"CacheParameterGroup": group.to_dict()})


def describe_cache_parameter_groups(self: ElastiCacheResponse) -> ActionResult:
    backend = self.elasticache_backend
    name = self._get_param("CacheParameterGroupName")
    with _LOCK:
        groups = [_parameter_group(backend, name)] if name else list(_parameter_groups(backend).values())
        items = [g.to_dict() for g in groups]
    page, marker = _page(self, items)
    return ActionResult({"CacheParameterGroups": page, "Marker": marker})


def describe_cache_parameters(self: ElastiCacheResponse) -> ActionResult:
    backend = self.elasticache_backend
    source = self._get_param("Source")
    if source not in (None, "user", "system", "engine-default"):
        raise InvalidParameterValueException(f"Invalid Source {source}; use user, system or engine-default.")
    with _LOCK:
        group = _parameter_group(backend, self._get_param("CacheParameterGroupName"))
        rows = group.parameters(source)
    first_page = not self._get_param("Marker")
    page, marker = _page(self, rows)
    return ActionResult({"Parameters": page, "Marker": marker,
                         "CacheNodeTypeSpecificParameters": _node_type_specific(group.family) if first_page else []})


def describe_engine_default_parameters(self: ElastiCacheResponse) -> ActionResult:
    family = self._get_param("CacheParameterGroupFamily")
    if family not in FAMILIES:
        raise InvalidParameterValueException(
            f"The parameter CacheParameterGroupFamily {family} is not a valid family in the sandbox "
            f"(valid: {', '.join(FAMILIES)}).")
    rows = [_param_row(p, p.default, "system") for p in FAMILIES[family]]
    first_page = not self._get_param("Marker")
    page, marker = _page(self, rows)
    defaults: dict[str, Any] = {"CacheParameterGroupFamily": family, "Parameters": page,
                                "CacheNodeTypeSpecificParameters": _node_type_specific(family) if first_page else []}
    if marker:
        defaults["Marker"] = marker
    return ActionResult({"EngineDefaults": defaults})


def _name_values(self: ElastiCacheResponse, group: ParameterGroup, check_values: bool) -> dict[str, str]:
    pairs = self._get_param("ParameterNameValues") or []
    specs = group.specs
    values: dict[str, str] = {}
    for pair in pairs:
        name = pair.get("ParameterName")
        spec = specs.get(name)
        if spec is None:
            raise InvalidParameterValueException(
                f"Unrecognized parameter name {name} for family {group.family}.")
        if not spec.modifiable:
            raise InvalidParameterValueException(f"Parameter {name} is not modifiable.")
        value = pair.get("ParameterValue")
        if check_values:
            if value is None:
                raise InvalidParameterValueException(f"Parameter {name} needs a ParameterValue.")
            spec.check(value)
        values[name] = value if value is not None else ""
    return values


def modify_cache_parameter_group(self: ElastiCacheResponse) -> ActionResult:
    backend = self.elasticache_backend
    with _LOCK:
        group = _parameter_group(backend, self._get_param("CacheParameterGroupName"))
        if group.is_default:
            raise InvalidParameterValueException(f"Default parameter group {group.name} cannot be modified.")
        values = _name_values(self, group, check_values=True)
        if not values:
            raise InvalidParameterValueException("ParameterNameValues must name at least one parameter.")
        if len(values) > 20:
            raise InvalidParameterValueException("At most 20 parameters can be modified in one request.")
        changed = {name for name, value in values.items() if group.effective()[name] != value}
        for name, value in values.items():
            group.values[name] = value
        _settle_params(backend, group, changed)
        return ActionResult({"CacheParameterGroupName": group.name})


def reset_cache_parameter_group(self: ElastiCacheResponse) -> ActionResult:
    backend = self.elasticache_backend
    with _LOCK:
        group = _parameter_group(backend, self._get_param("CacheParameterGroupName"))
        if group.is_default:
            raise InvalidParameterValueException(f"Default parameter group {group.name} cannot be modified.")
        names = list(_name_values(self, group, check_values=False))
        reset_all = bool(self._get_param("ResetAllParameters"))
        if reset_all and names:
            raise InvalidParameterCombinationException(
                "ResetAllParameters and ParameterNameValues cannot be used together.")
        if not reset_all and not names:
            raise InvalidParameterValueException("Give ResetAllParameters or at least one ParameterNameValues.")
        before = group.effective()
        for name in list(group.values) if reset_all else names:
            group.values.pop(name, None)
        after = group.effective()
        _settle_params(backend, group, {n for n in after if after[n] != before[n]})
        return ActionResult({"CacheParameterGroupName": group.name})


def delete_cache_parameter_group(self: ElastiCacheResponse) -> ActionResult:
    backend = self.elasticache_backend
    with _LOCK:
        group = _parameter_group(backend, self._get_param("CacheParameterGroupName"))
        if group.is_default:
            raise InvalidCacheParameterGroupState(f"Default parameter group {group.name} cannot be deleted.")
        users = [rg.replication_group_id for rg in backend.replication_groups.values()
                 if getattr(rg, "cache_parameter_group_name", None) == group.name]
        if users:
            raise InvalidCacheParameterGroupState(
                f"Parameter group {group.name} is in use by replication group(s) {', '.join(users)}.")
        del _parameter_groups(backend)[group.name]
        backend.tagging_service.delete_all_tags_for_resource(group.arn)
        return EmptyResult()


# --- handlers: subnet groups -------------------------------------------------------------------


def _subnets(backend: ElastiCacheBackend, subnet_ids: list[str]) -> list[Any]:
    from moto.ec2.models import ec2_backends

    if not subnet_ids:
        raise InvalidParameterValueException("SubnetIds must name at least one subnet.")
    ec2 = ec2_backends[backend.account_id][backend.region_name]
    known = {s.id: s for s in ec2.describe_subnets()}
    for subnet_id in subnet_ids:
        if subnet_id not in known:
            raise InvalidSubnet(subnet_id)
    subnets = [known[i] for i in dict.fromkeys(subnet_ids)]
    for subnet in subnets:
        if subnet.vpc_id != subnets[0].vpc_id:
            raise InvalidSubnet(subnet.id)
    return subnets


def _subnet_group_dict(backend: ElastiCacheBackend, group: CacheSubnetGroup) -> dict[str, Any]:
    from moto.ec2.models import ec2_backends

    ec2 = ec2_backends[backend.account_id][backend.region_name]
    known = {s.id: s for s in ec2.describe_subnets()}
    subnets = []
    for subnet_id in group.subnet_ids:
        subnet = known.get(subnet_id)
        subnets.append({"SubnetIdentifier": subnet_id,
                        "SubnetAvailabilityZone": {"Name": subnet.availability_zone if subnet else "unknown"},
                        "SupportedNetworkTypes": ["ipv4"]})
    return {"CacheSubnetGroupName": group.cache_subnet_group_name,
            "CacheSubnetGroupDescription": group.cache_subnet_group_description, "VpcId": group.vpc_id,
            "Subnets": subnets, "ARN": group.arn, "SupportedNetworkTypes": ["ipv4"]}


def create_cache_subnet_group(self: ElastiCacheResponse) -> ActionResult:
    backend = self.elasticache_backend
    name = (self._get_param("CacheSubnetGroupName") or "").lower()
    with _LOCK:
        _check_identifier(name, "CacheSubnetGroupName", 255)
        if name in backend.cache_subnet_groups:
            raise CacheSubnetGroupAlreadyExists(name)
        subnet_ids = [s.id for s in _subnets(backend, self._get_param("SubnetIds") or [])]
        group = backend.create_cache_subnet_group(
            cache_subnet_group_name=name,
            cache_subnet_group_description=self._get_param("CacheSubnetGroupDescription") or "",
            subnet_ids=subnet_ids, tags=self._get_param("Tags") or [])
        group.arn = _arn(backend, "subnetgroup", name)
        return ActionResult({"CacheSubnetGroup": _subnet_group_dict(backend, group)})


def describe_cache_subnet_groups(self: ElastiCacheResponse) -> ActionResult:
    backend = self.elasticache_backend
    name = self._get_param("CacheSubnetGroupName")
    with _LOCK:
        groups = backend.describe_cache_subnet_groups(name.lower() if name else None)
        items = [_subnet_group_dict(backend, g) for g in groups]
    page, marker = _page(self, items)
    return ActionResult({"CacheSubnetGroups": page, "Marker": marker})


def modify_cache_subnet_group(self: ElastiCacheResponse) -> ActionResult:
    backend = self.elasticache_backend
    name = (self._get_param("CacheSubnetGroupName") or "").lower()
    with _LOCK:
        group = backend.describe_cache_subnet_groups(name)[0]
        subnet_ids = self._get_param("SubnetIds")
        if subnet_ids is not None:
            subnets = _subnets(backend, subnet_ids)
            if subnets[0].vpc_id != group.vpc_id and _subnet_group_users(backend, name):
                raise InvalidSubnet(subnets[0].id)
            group.subnet_ids = [s.id for s in subnets]
            group.vpc_id = subnets[0].vpc_id
        description = self._get_param("CacheSubnetGroupDescription")
        if description is not None:
            group.cache_subnet_group_description = description
        return ActionResult({"CacheSubnetGroup": _subnet_group_dict(backend, group)})


def _subnet_group_users(backend: ElastiCacheBackend, name: str) -> list[str]:
    users = [rg.replication_group_id for rg in backend.replication_groups.values()
             if getattr(rg, "cache_subnet_group_name", None) == name]
    return users + [c.cache_cluster_id for c in backend.cache_clusters.values()
                    if not isinstance(c, MemberCluster) and getattr(c, "cache_subnet_group_name", None) == name]


def delete_cache_subnet_group(self: ElastiCacheResponse) -> ActionResult:
    backend = self.elasticache_backend
    name = (self._get_param("CacheSubnetGroupName") or "").lower()
    with _LOCK:
        group = backend.describe_cache_subnet_groups(name)[0]
        users = _subnet_group_users(backend, name)
        if users:
            raise CacheSubnetGroupInUse(f"Cache subnet group {name} is in use by {', '.join(users)}.")
        del backend.cache_subnet_groups[name]
        backend.tagging_service.delete_all_tags_for_resource(group.arn)
        return EmptyResult()


def list_tags_for_resource(self: ElastiCacheResponse) -> ActionResult:
    _parameter_groups(self.elasticache_backend)
    return _ORIGINAL["list_tags_for_resource"](self)


# --- patching ----------------------------------------------------------------------------------

HANDLERS: tuple[Callable[..., ActionResult], ...] = (
    create_replication_group, describe_replication_groups, modify_replication_group, delete_replication_group,
    increase_replica_count, decrease_replica_count, describe_cache_clusters, delete_cache_cluster,
    create_snapshot, delete_snapshot,
    create_cache_parameter_group, describe_cache_parameter_groups, describe_cache_parameters,
    describe_engine_default_parameters, modify_cache_parameter_group, reset_cache_parameter_group,
    delete_cache_parameter_group,
    create_cache_subnet_group, describe_cache_subnet_groups, modify_cache_subnet_group, delete_cache_subnet_group,
    list_tags_for_resource,
)


def _reset(backend: ElastiCacheBackend) -> None:
    """Stop the servers of a backend's replication groups before moto forgets them."""
    for group in list(backend.replication_groups.values()):
        if isinstance(group, ReplicationGroup):
            group.destroy()
    BaseBackend.reset(backend)


def apply() -> None:
    """Install the handlers on moto's ElastiCache response class (idempotent)."""
    if getattr(ElastiCacheResponse, "_sandbox_patched", False):
        return
    for handler in HANDLERS:
        original = getattr(ElastiCacheResponse, handler.__name__, None)
        if original is not None:
            _ORIGINAL[handler.__name__] = original
        setattr(ElastiCacheResponse, handler.__name__, handler)
    ElastiCacheBackend.reset = _reset  # type: ignore[method-assign]
    ElastiCacheResponse._sandbox_patched = True  # type: ignore[attr-defined]
