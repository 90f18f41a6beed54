"""ElastiCache for Redis as the collection relies on it, on top of moto's thin model.

moto 5.2.5 creates replication groups without member clusters, timing, real endpoints, auth token
updates, replica count changes, parameter groups or subnet group updates. This service replaces the
cluster-mode-disabled replication group with one that has real member clusters, simulated
``creating``/``modifying``/``deleting`` times (``sandbox.lifecycle``) and a real redis-server
(``sandbox.dataplane.redis``) that follows the group's TLS, AUTH token and parameter group (engine defaults
from the catalogues in ``data/``). Cluster-mode-enabled groups stay moto's.
"""

from __future__ import annotations

from moto.elasticache.models import ElastiCacheBackend
from moto.elasticache.responses import ElastiCacheResponse

from sandbox.services import Hooks, methods, replace
from sandbox.services.elasticache import group_handlers, handlers, models

HOOKS = Hooks(
    methods(ElastiCacheResponse, handlers.create_replication_group, handlers.describe_replication_groups,
            handlers.modify_replication_group, handlers.delete_replication_group, handlers.increase_replica_count,
            handlers.decrease_replica_count, handlers.describe_cache_clusters, handlers.delete_cache_cluster,
            handlers.create_snapshot, handlers.delete_snapshot),
    methods(ElastiCacheResponse, group_handlers.create_cache_parameter_group,
            group_handlers.describe_cache_parameter_groups, group_handlers.describe_cache_parameters,
            group_handlers.describe_engine_default_parameters, group_handlers.modify_cache_parameter_group,
            group_handlers.reset_cache_parameter_group, group_handlers.delete_cache_parameter_group,
            group_handlers.create_cache_subnet_group, group_handlers.describe_cache_subnet_groups,
            group_handlers.modify_cache_subnet_group, group_handlers.delete_cache_subnet_group,
            group_handlers.list_tags_for_resource),
    replace(ElastiCacheBackend, "reset", models.reset),
)
