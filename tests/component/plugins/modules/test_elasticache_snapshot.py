"""elasticache_snapshot, elasticache_snapshot_info and elasticache_replication_group's snapshot_name against moto +
the sandbox patch (a real redis-server per group: the snapshot holds its data)."""

from __future__ import annotations

from typing import Any

import pytest
import redis
from ansible_collections.openedx.data_services.plugins.modules import (
    elasticache_replication_group,
    elasticache_snapshot,
    elasticache_snapshot_info,
)
from harness import ElastiCacheAws, run_module
from redis.backoff import NoBackoff
from redis.retry import Retry

SNAPSHOT = {"name": "edx-redis-20250101030000", "replication_group_id": "edx-redis",
            "tags": {"Environment": "local", "ManagedBy": "openedx.data_services"}}


@pytest.fixture
def group(elasticache_aws: ElastiCacheAws) -> ElastiCacheAws:
    """A one-node group (no TLS: the data is the point here) holding the key course=demo."""
    created = run_module(elasticache_replication_group, {
        "replication_group_id": "edx-redis", "description": "Open edX cache", "engine_version": "7.1",
        "cache_node_type": "cache.t4g.micro"})
    assert not created.failed, created.result
    with client(created.result["replication_group"]["port"]) as redis_client:
        redis_client.set("course", "demo")
    return elasticache_aws


def client(port: int) -> redis.Redis:
    return redis.Redis(host="127.0.0.1", port=port, socket_timeout=5, retry=Retry(NoBackoff(), 0))


def test_check_mode_create_idempotence_tags_and_delete(group: ElastiCacheAws) -> None:
    planned = run_module(elasticache_snapshot, SNAPSHOT, check_mode=True, diff=True)
    assert planned.result["changed"] is True
    assert planned.mutating == []
    assert planned.result["diff"] == {"before": {}, "after": {
        "snapshot_name": SNAPSHOT["name"], "replication_group_id": "edx-redis", "snapshot_source": "manual",
        "kms_key_id": None, "tags": SNAPSHOT["tags"]}}

    created = run_module(elasticache_snapshot, SNAPSHOT)
    assert not created.failed, created.result
    assert created.mutating == ["CreateSnapshot"]
    snapshot = created.result["snapshot"]
    assert (snapshot["snapshot_status"], snapshot["snapshot_source"], snapshot["replication_group_id"]) == (
        "available", "manual", "edx-redis")
    assert snapshot["tags"] == SNAPSHOT["tags"]
    assert snapshot["snapshot_create_time"] == snapshot["node_snapshots"][0]["snapshot_create_time"]
    assert snapshot["node_snapshots"][0]["cache_cluster_id"] == "edx-redis-001"
    assert created.result["resource"]["ready"] is True

    again = run_module(elasticache_snapshot, SNAPSHOT, diff=True)
    assert (again.result["changed"], again.mutating) == (False, [])
    assert again.result["diff"]["before"] == again.result["diff"]["after"]

    retagged = run_module(elasticache_snapshot, {**SNAPSHOT, "tags": {"Environment": "local"}})
    assert (retagged.result["changed"], retagged.mutating) == (True, ["RemoveTagsFromResource"])
    assert retagged.result["snapshot"]["tags"] == {"Environment": "local"}

    absent = {"name": SNAPSHOT["name"], "state": "absent"}
    planned = run_module(elasticache_snapshot, absent, check_mode=True)
    assert (planned.result["changed"], planned.mutating) == (True, [])
    deleted = run_module(elasticache_snapshot, absent)
    assert (deleted.result["changed"], deleted.mutating, deleted.result["snapshot"]) == (True, ["DeleteSnapshot"], {})
    gone = run_module(elasticache_snapshot, absent)
    assert (gone.result["changed"], gone.mutating) == (False, [])


def test_an_existing_name_of_another_group_or_key_is_an_error(group: ElastiCacheAws) -> None:
    run_module(elasticache_snapshot, SNAPSHOT)
    other = run_module(elasticache_snapshot, {**SNAPSHOT, "replication_group_id": "other-redis"})
    assert other.failed and other.mutating == []
    assert "is of replication group edx-redis, not other-redis" in other.result["msg"]
    key = group.kms.create_key()["KeyMetadata"]["Arn"]
    rekeyed = run_module(elasticache_snapshot, {**SNAPSHOT, "kms_key_id": key})
    assert rekeyed.failed and rekeyed.mutating == []
    assert "kms_key_id cannot be changed on snapshot" in rekeyed.result["msg"]


@pytest.mark.parametrize(("args", "message"), [
    ({"name": " "}, "name must not be empty"),
    ({"name": "orphan"}, "needs replication_group_id"),
    ({"name": "orphan", "replication_group_id": "missing-redis"}, "Replication group missing-redis does not exist"),
])
def test_errors_come_before_any_mutating_call(group: ElastiCacheAws, args: dict[str, Any], message: str) -> None:
    failed = run_module(elasticache_snapshot, args)
    assert failed.failed and failed.mutating == []
    assert message in failed.result["msg"]


def test_a_group_seeded_from_a_snapshot_holds_its_data(group: ElastiCacheAws) -> None:
    run_module(elasticache_snapshot, SNAPSHOT)
    seeded = {"replication_group_id": "edx-redis-restored", "description": "Open edX cache (restored)",
              "engine_version": "7.1", "cache_node_type": "cache.t4g.micro", "snapshot_name": SNAPSHOT["name"]}
    missing = run_module(elasticache_replication_group, {**seeded, "snapshot_name": "missing"}, check_mode=True)
    assert missing.failed and missing.mutating == []
    assert "snapshot_name missing does not exist" in missing.result["msg"]

    created = run_module(elasticache_replication_group, seeded)
    assert not created.failed, created.result
    assert created.mutating == ["CreateReplicationGroup"]
    assert created.calls[-1].operation != "CreateReplicationGroup"  # waited
    with client(created.result["replication_group"]["port"]) as redis_client:
        assert redis_client.get("course") == b"demo"
    # An existing group ignores snapshot_name: its data is never replaced.
    again = run_module(elasticache_replication_group, {**seeded, "snapshot_name": "missing"})
    assert (again.failed, again.result["changed"], again.mutating) == (False, False, [])


def test_info_lists_snapshots_newest_first(group: ElastiCacheAws) -> None:
    run_module(elasticache_snapshot, SNAPSHOT)
    run_module(elasticache_snapshot, {**SNAPSHOT, "name": "edx-redis-20250102030000"})
    listed = run_module(elasticache_snapshot_info, {"replication_group_id": "edx-redis", "snapshot_source": "manual"})
    assert (listed.result["changed"], listed.mutating) == (False, [])
    assert [s["snapshot_name"] for s in listed.result["snapshots"]] == [
        "edx-redis-20250102030000", "edx-redis-20250101030000"]
    assert listed.result["snapshots"][0]["tags"] == SNAPSHOT["tags"]
    assert run_module(elasticache_snapshot_info, {"snapshot_source": "system"}).result["snapshots"] == []
    assert run_module(elasticache_snapshot_info, {"replication_group_id": "other"}).result["snapshots"] == []
    one = run_module(elasticache_snapshot_info, {"name": SNAPSHOT["name"]}).result["snapshots"]
    assert [s["snapshot_name"] for s in one] == [SNAPSHOT["name"]]
    assert run_module(elasticache_snapshot_info, {"name": "missing"}).result["snapshots"] == []
