"""ElastiCache errors moto has no class for."""

from __future__ import annotations

from moto.elasticache.exceptions import ElastiCacheException


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


class InvalidSnapshotState(ElastiCacheException):
    code = "InvalidSnapshotState"
