"""elasticache_replication_group and elasticache_replication_group_info against moto + the sandbox patch."""

from __future__ import annotations

from typing import Any

import pytest
import redis
from ansible_collections.openedx.data_services.plugins.modules import (
    elasticache_replication_group as module,
)
from ansible_collections.openedx.data_services.plugins.modules import (
    elasticache_replication_group_info as info_module,
)
from harness import Call, assert_no_secret, ca_bundle, run_module
from harness import ElastiCacheAws as Aws
from redis.backoff import NoBackoff
from redis.retry import Retry

TOKEN = "Open-edX-Token-0001!"
NEW_TOKEN = "Open-edX-Token-0002?"


@pytest.fixture(name="aws")
def aws_fixture(elasticache_aws: Aws) -> Aws:
    return elasticache_aws


def base(**overrides: Any) -> dict[str, Any]:
    args: dict[str, Any] = {
        "replication_group_id": "edx-redis",
        "description": "Open edX cache",
        "engine_version": "7.1",
        "cache_node_type": "cache.t4g.micro",
        "cache_subnet_group_name": "redis-private",
    }
    args.update(overrides)
    return args


def prod(aws: Aws, **overrides: Any) -> dict[str, Any]:
    key = overrides.pop("kms_key_id", None) or aws.kms.create_key()["KeyMetadata"]["KeyId"]
    settings: dict[str, Any] = dict(
        num_cache_clusters=3, automatic_failover=True, multi_az=True, at_rest_encryption=True, kms_key_id=key,
        transit_encryption=True, auth_token=TOKEN, security_group_ids=[aws.security_groups[0]],
        log_delivery=[{"log_type": "slow-log", "destination": aws.log_groups[0]},
                      {"log_type": "engine-log", "destination": aws.log_groups[1]}],
        snapshot_retention_limit=7, snapshot_window="03:00-04:00",
        preferred_maintenance_window="mon:04:00-mon:05:00", tags={"environment": "local"},
    )
    return base(**{**settings, **overrides})


def connect(port: int, password: str | None) -> redis.Redis:
    # No retries: a refused AUTH is an answer here, not a transient error.
    return redis.Redis(host="127.0.0.1", port=port, ssl=True, ssl_ca_certs=str(ca_bundle()), password=password,
                       socket_timeout=5, retry=Retry(NoBackoff(), 0))


def accepts(port: int, password: str | None) -> bool:
    client = connect(port, password)
    try:
        return client.set("probe", "1") is True
    except (redis.AuthenticationError, redis.ResponseError):
        return False
    finally:
        client.close()


def test_single_node_group_is_created_then_left_alone(aws: Aws) -> None:
    created = run_module(module, base(tags={"environment": "local"}))
    assert not created.failed, created.result
    assert created.result["changed"] is True
    assert created.mutating == ["CreateReplicationGroup"]
    group = created.result["replication_group"]
    assert group["status"] == "available"
    assert group["member_clusters"] == ["edx-redis-001"]
    assert group["num_cache_clusters"] == 1
    assert group["primary_endpoint"] == group["reader_endpoint"] == "127.0.0.1"
    assert group["port"] > 0
    assert group["engine_version"] == "7.1.0"
    assert group["cache_parameter_group_name"] == "default.redis7"
    assert group["cache_subnet_group_name"] == "redis-private"
    assert (group["automatic_failover"], group["multi_az"], group["transit_encryption"]) == (False, False, False)
    assert group["arn"].endswith(":replicationgroup:edx-redis")
    assert group["tags"] == {"environment": "local"}

    # Names in another case and a create-only port are no change.
    again = run_module(module, base(tags={"environment": "local"}, cache_subnet_group_name="Redis-Private",
                                    cache_parameter_group_name="Default.Redis7", port=6379))
    assert again.result["changed"] is False
    assert again.mutating == []
    assert again.result["replication_group"] == group


def test_three_node_production_group_is_idempotent_and_hides_the_token(aws: Aws) -> None:
    args = prod(aws)
    created = run_module(module, args, diff=True)
    assert not created.failed, created.result
    group = created.result["replication_group"]
    assert group["member_clusters"] == ["edx-redis-001", "edx-redis-002", "edx-redis-003"]
    assert group["primary_cluster_id"] == "edx-redis-001"
    assert (group["automatic_failover"], group["multi_az"]) == (True, True)
    assert (group["at_rest_encryption"], group["transit_encryption"], group["auth_token_enabled"]) == (
        True, True, True)
    assert group["kms_key_id"].endswith(args["kms_key_id"])
    assert group["security_group_ids"] == [aws.security_groups[0]]
    assert group["log_delivery"] == [
        {"log_type": "engine-log", "destination_type": "cloudwatch-logs", "destination": aws.log_groups[1],
         "log_format": "json"},
        {"log_type": "slow-log", "destination_type": "cloudwatch-logs", "destination": aws.log_groups[0],
         "log_format": "json"}]
    assert (group["snapshot_retention_limit"], group["snapshot_window"]) == (7, "03:00-04:00")
    assert group["preferred_maintenance_window"] == "mon:04:00-mon:05:00"
    assert created.result["diff"]["before"] == {}
    assert_no_secret(created.result, TOKEN)
    assert accepts(group["port"], TOKEN)
    assert not accepts(group["port"], None)

    again = run_module(module, args, diff=True)
    assert again.result["changed"] is False
    assert again.mutating == []
    # Found ready: a role need not wait for it, and has its endpoint from this same read.
    ready = again.result["resource"]
    assert (ready["status"], ready["ready"], ready["failed"]) == ("available", True, False)
    assert (ready["endpoint"], ready["port"]) == (group["primary_endpoint"], group["port"])
    assert again.result["diff"]["before"] == again.result["diff"]["after"]
    assert_no_secret(again.result, TOKEN)


def test_replicas_go_down_and_up_without_touching_the_primary(aws: Aws) -> None:
    args = base(num_cache_clusters=3, automatic_failover=True)
    run_module(module, args)

    down = run_module(module, {**args, "num_cache_clusters": 2})
    assert down.mutating == ["DecreaseReplicaCount"]
    decrease = next(c for c in down.calls if c.operation == "DecreaseReplicaCount")
    assert decrease.params["ReplicasToRemove"] == ["edx-redis-003"]
    group = down.result["replication_group"]
    assert group["member_clusters"] == ["edx-redis-001", "edx-redis-002"]
    assert group["primary_cluster_id"] == "edx-redis-001"

    up = run_module(module, args)
    assert up.mutating == ["IncreaseReplicaCount"]
    assert next(c for c in up.calls if c.operation == "IncreaseReplicaCount").params["NewReplicaCount"] == 2
    group = up.result["replication_group"]
    assert len(group["member_clusters"]) == 3
    assert group["primary_cluster_id"] == "edx-redis-001"
    assert run_module(module, args).mutating == []


def test_growing_a_single_node_to_multi_az_adds_replicas_before_enabling_failover(aws: Aws) -> None:
    run_module(module, base())
    grown = run_module(module, base(num_cache_clusters=3, automatic_failover=True, multi_az=True))
    assert not grown.failed, grown.result
    assert grown.mutating == ["IncreaseReplicaCount", "ModifyReplicationGroup"]
    group = grown.result["replication_group"]
    assert (group["num_cache_clusters"], group["automatic_failover"], group["multi_az"]) == (3, True, True)

    shrunk = run_module(module, base(num_cache_clusters=1, automatic_failover=False, multi_az=False))
    assert not shrunk.failed, shrunk.result
    assert shrunk.mutating == ["ModifyReplicationGroup", "DecreaseReplicaCount"]
    assert shrunk.result["replication_group"]["member_clusters"] == ["edx-redis-001"]


def test_auth_token_rotation_goes_rotate_then_set(aws: Aws) -> None:
    args = base(num_cache_clusters=2, transit_encryption=True, auth_token=TOKEN)
    port = run_module(module, args).result["replication_group"]["port"]

    unchanged = run_module(module, {**args, "auth_token": NEW_TOKEN})
    assert unchanged.result["changed"] is False, "on_create must not touch an existing token"
    assert unchanged.mutating == []

    seen_at_set: list[tuple[bool, bool, bool]] = []

    def probe(call: Call) -> None:
        if call.params.get("AuthTokenUpdateStrategy") == "SET":
            seen_at_set.append((accepts(port, TOKEN), accepts(port, NEW_TOKEN), accepts(port, None)))

    rotated = run_module(module, {**args, "auth_token": NEW_TOKEN, "update_auth_token": "always"}, on_call=probe)
    assert rotated.result["changed"] is True
    assert [c.params.get("AuthTokenUpdateStrategy") for c in rotated.calls if c.mutating] == ["ROTATE", "SET"]
    # Between the two steps both tokens work and a client without one is still refused.
    assert seen_at_set == [(True, True, False)]
    assert_no_secret(rotated.result, TOKEN, NEW_TOKEN)
    assert accepts(port, NEW_TOKEN)
    assert not accepts(port, TOKEN)
    assert not accepts(port, None)


def test_auth_token_rotation_in_two_runs_keeps_both_tokens_until_set(aws: Aws) -> None:
    """update_auth_token=rotate, then set on a later run: rotate.yml's window for the clients to move."""
    args = base(num_cache_clusters=2, transit_encryption=True, auth_token=TOKEN)
    port = run_module(module, args).result["replication_group"]["port"]

    rotated = run_module(module, {"replication_group_id": "edx-redis", "auth_token": NEW_TOKEN,
                                  "update_auth_token": "rotate"})
    assert not rotated.failed, rotated.result
    assert [c.params.get("AuthTokenUpdateStrategy") for c in rotated.calls if c.mutating] == ["ROTATE"]
    assert accepts(port, TOKEN) and accepts(port, NEW_TOKEN) and not accepts(port, None)

    checked = run_module(module, {"replication_group_id": "edx-redis", "auth_token": NEW_TOKEN,
                                  "update_auth_token": "set"}, check_mode=True)
    assert checked.result["changed"] is True and checked.mutating == []
    assert accepts(port, TOKEN)

    finished = run_module(module, {"replication_group_id": "edx-redis", "auth_token": NEW_TOKEN,
                                   "update_auth_token": "set"})
    assert [c.params.get("AuthTokenUpdateStrategy") for c in finished.calls if c.mutating] == ["SET"]
    assert_no_secret(rotated.result, TOKEN, NEW_TOKEN)
    assert_no_secret(finished.result, TOKEN, NEW_TOKEN)
    assert accepts(port, NEW_TOKEN) and not accepts(port, TOKEN) and not accepts(port, None)


def test_check_mode_makes_no_mutating_call_and_shows_the_diff(aws: Aws) -> None:
    planned = run_module(module, base(num_cache_clusters=2), check_mode=True, diff=True)
    assert planned.result["changed"] is True
    assert planned.mutating == []
    assert planned.result["diff"]["before"] == {}
    assert planned.result["diff"]["after"]["num_cache_clusters"] == 2
    assert aws.ec.describe_replication_groups()["ReplicationGroups"] == []

    run_module(module, base(num_cache_clusters=2))
    change = base(num_cache_clusters=3, automatic_failover=True, snapshot_retention_limit=5,
                  security_group_ids=[aws.security_groups[1]], description="changed", tags={"team": "platform"})
    planned = run_module(module, change, check_mode=True, diff=True)
    assert planned.result["changed"] is True
    assert planned.mutating == []
    before, after = planned.result["diff"]["before"], planned.result["diff"]["after"]
    changed_keys = {k for k in after if before.get(k) != after[k]}
    assert changed_keys == {"num_cache_clusters", "automatic_failover", "snapshot_retention_limit",
                            "security_group_ids", "description", "tags"}
    assert (before["num_cache_clusters"], after["num_cache_clusters"]) == (2, 3)
    assert after["security_group_ids"] == [aws.security_groups[1]]

    applied = run_module(module, change, diff=True)
    after = applied.result["diff"]["after"]
    assert (after["num_cache_clusters"], after["automatic_failover"], after["description"]) == (3, True, "changed")
    assert after["tags"] == {"team": "platform"}
    assert run_module(module, change).mutating == []


def test_absent_deletes_with_a_final_snapshot(aws: Aws) -> None:
    run_module(module, base())
    assert run_module(module, {"replication_group_id": "edx-redis", "state": "absent"}, check_mode=True).mutating == []

    deleted = run_module(module, {"replication_group_id": "edx-redis", "state": "absent",
                                  "final_snapshot_identifier": "edx-redis-final"}, diff=True)
    assert deleted.result["changed"] is True
    assert deleted.mutating == ["DeleteReplicationGroup"]
    assert deleted.result["replication_group"] == {}
    assert deleted.result["diff"]["after"] == {}
    assert aws.ec.describe_replication_groups()["ReplicationGroups"] == []
    assert [s["SnapshotName"] for s in aws.ec.describe_snapshots()["Snapshots"]] == ["edx-redis-final"]

    again = run_module(module, {"replication_group_id": "edx-redis", "state": "absent"})
    assert again.result["changed"] is False
    assert again.mutating == []


def test_a_kms_key_change_is_refused(aws: Aws) -> None:
    args = prod(aws)
    run_module(module, args)
    other = aws.kms.create_key()["KeyMetadata"]
    aws.kms.create_alias(AliasName="alias/same", TargetKeyId=args["kms_key_id"])

    refused = run_module(module, {**args, "kms_key_id": other["Arn"]})
    assert refused.failed
    assert "kms_key_id cannot be changed" in refused.result["msg"]
    assert "replace" in refused.result["msg"] or "new group" in refused.result["msg"]
    assert refused.mutating == []

    same = run_module(module, {**args, "kms_key_id": "alias/same"})
    assert same.result["changed"] is False, same.result

    refused = run_module(module, {**args, "transit_encryption": False, "auth_token": None})
    assert refused.failed and "transit_encryption cannot be changed" in refused.result["msg"]


BAD_INPUT: list[tuple[dict[str, Any], str]] = [
    ({"replication_group_id": "bad--name"}, "replication_group_id"),
    ({"replication_group_id": "1starts-with-a-digit"}, "replication_group_id"),
    ({"num_cache_clusters": 7}, "num_cache_clusters"),
    ({"num_cache_clusters": 0}, "num_cache_clusters"),
    ({"num_cache_clusters": 1, "automatic_failover": True}, "automatic_failover"),
    ({"num_cache_clusters": 2, "multi_az": True, "automatic_failover": False}, "multi_az"),
    ({"snapshot_retention_limit": 36}, "snapshot_retention_limit"),
    ({"snapshot_window": "3am"}, "snapshot_window"),
    ({"preferred_maintenance_window": "monday"}, "preferred_maintenance_window"),
    ({"transit_encryption": True, "auth_token": "short"}, "auth_token"),
    ({"transit_encryption": True, "auth_token": "has-an-@-in-it-0123"}, "auth_token"),
    ({"transit_encryption": True, "auth_token": 'has-a-"-in-it-01234'}, "auth_token"),
    ({"transit_encryption": True, "auth_token": "has-a-/-in-it-01234"}, "auth_token"),
    ({"transit_encryption": False, "auth_token": TOKEN}, "auth_token"),
    ({"at_rest_encryption": False, "kms_key_id": "alias/openedx"}, "kms_key_id"),
    ({"log_delivery": [{"log_type": "slow-log", "destination": "/a"}, {"log_type": "slow-log", "destination": "/b"}]},
     "log_delivery"),
    ({"engine_version": "latest"}, "engine_version"),
]


@pytest.mark.parametrize(("overrides", "option"), BAD_INPUT)
def test_bad_input_fails_before_any_aws_call(aws: Aws, overrides: dict[str, Any], option: str) -> None:
    failed = run_module(module, base(**overrides))
    assert failed.failed
    assert option in failed.result["msg"]
    assert failed.calls == []
    for secret in ("has-an-@-in-it-0123", 'has-a-"-in-it-01234', "has-a-/-in-it-01234", TOKEN):
        assert secret not in failed.result["msg"]


def test_creating_needs_a_description_and_node_type(aws: Aws) -> None:
    failed = run_module(module, {"replication_group_id": "edx-redis"})
    assert failed.failed
    assert "description and cache_node_type" in failed.result["msg"]
    assert failed.mutating == []


def test_info_describes_one_or_all_groups(aws: Aws) -> None:
    assert run_module(info_module, {}).result["replication_groups"] == []
    created = run_module(module, base(tags={"environment": "local"})).result["replication_group"]
    run_module(module, base(replication_group_id="other-redis"))

    one = run_module(info_module, {"replication_group_id": "edx-redis"})
    assert one.result["changed"] is False
    assert one.result["replication_groups"] == [created]
    assert one.mutating == []
    every = run_module(info_module, {}).result["replication_groups"]
    assert sorted(g["replication_group_id"] for g in every) == ["edx-redis", "other-redis"]
    assert run_module(info_module, {"replication_group_id": "missing"}).result["replication_groups"] == []


def test_wait_timeout_is_reported(aws: Aws, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SANDBOX_TIME_SCALE", "60")  # creation takes simulated minutes of real time
    timed_out = run_module(module, base(wait_timeout=1))
    assert timed_out.failed
    assert "Timeout trying to wait for the replication group edx-redis" in timed_out.result["msg"]
    assert timed_out.mutating == ["CreateReplicationGroup"]


def _keys(port: int) -> dict[str, str]:
    client = connect(port, TOKEN)
    try:
        return {key.decode(): client.get(key).decode() for key in client.keys("scale:*")}
    finally:
        client.close()


def test_node_type_and_replica_changes_keep_the_group_its_endpoint_and_keys(aws: Aws) -> None:
    args = prod(aws, num_cache_clusters=2)
    created = run_module(module, args).result["replication_group"]
    client = connect(created["port"], TOKEN)
    client.mset({f"scale:{i}": str(i) for i in range(50)})
    client.close()

    scaled = run_module(module, {**args, "cache_node_type": "cache.r7g.large", "num_cache_clusters": 3,
                                 "apply_immediately": True})
    assert not scaled.failed, scaled.result
    assert scaled.mutating == ["IncreaseReplicaCount", "ModifyReplicationGroup"]
    modify = next(c for c in scaled.calls if c.operation == "ModifyReplicationGroup")
    assert modify.params["CacheNodeType"] == "cache.r7g.large" and modify.params["ApplyImmediately"] is True
    group = scaled.result["replication_group"]
    assert (group["cache_node_type"], group["num_cache_clusters"]) == ("cache.r7g.large", 3)
    expected = (created["arn"], created["primary_endpoint"], created["port"])
    assert (group["arn"], group["primary_endpoint"], group["port"]) == expected
    assert _keys(group["port"]) == {f"scale:{i}": str(i) for i in range(50)}

    down = run_module(module, {**args, "cache_node_type": "cache.r7g.large", "num_cache_clusters": 2})
    assert down.mutating == ["DecreaseReplicaCount"]
    assert _keys(group["port"]) == {f"scale:{i}": str(i) for i in range(50)}
    again = run_module(module, {**args, "cache_node_type": "cache.r7g.large", "num_cache_clusters": 2})
    assert again.mutating == [] and again.result["changed"] is False


def test_check_mode_of_a_scaling_makes_no_mutating_call(aws: Aws) -> None:
    args = prod(aws, num_cache_clusters=2)
    run_module(module, args)
    checked = run_module(module, {**args, "cache_node_type": "cache.m7g.large", "num_cache_clusters": 3},
                         check_mode=True)
    assert checked.result["changed"] is True and checked.mutating == []
    group = aws.ec.describe_replication_groups(ReplicationGroupId="edx-redis")["ReplicationGroups"][0]
    assert group["CacheNodeType"] == "cache.t4g.micro" and len(group["MemberClusters"]) == 2


def test_a_minor_upgrade_is_made_in_place(aws: Aws) -> None:
    args = base(engine_version="7.0", apply_immediately=True)
    run_module(module, args)
    upgraded = run_module(module, {**args, "engine_version": "7.1"})
    assert not upgraded.failed, upgraded.result
    assert upgraded.mutating == ["ModifyReplicationGroup"]
    assert upgraded.result["replication_group"]["engine_version"] == "7.1.0"
    assert run_module(module, {**args, "engine_version": "7.1"}).mutating == []


def test_a_major_upgrade_needs_the_allow_setting_and_a_parameter_group_of_the_new_family(aws: Aws) -> None:
    aws.ec.create_cache_parameter_group(CacheParameterGroupName="edx-redis6", CacheParameterGroupFamily="redis6.x",
                                        Description="6")
    aws.ec.create_cache_parameter_group(CacheParameterGroupName="edx-redis7", CacheParameterGroupFamily="redis7",
                                        Description="7")
    args = base(engine_version="6.2", cache_parameter_group_name="edx-redis6", apply_immediately=True)
    run_module(module, args)

    refused = run_module(module, {**args, "engine_version": "7.1", "cache_parameter_group_name": "edx-redis7"})
    assert refused.failed and "allow_major_version_upgrade" in refused.result["msg"], refused.result
    assert refused.mutating == []
    refused = run_module(module, {**args, "engine_version": "7.1", "allow_major_version_upgrade": True})
    assert refused.failed and "redis7 family" in refused.result["msg"], refused.result
    assert refused.mutating == []

    upgraded = run_module(module, {**args, "engine_version": "7.1", "cache_parameter_group_name": "edx-redis7",
                                   "allow_major_version_upgrade": True, "cache_node_type": "cache.t4g.small"})
    assert not upgraded.failed, upgraded.result
    # The upgrade first, then the node type: ElastiCache blocks one while the other is pending.
    modifies = [c.params for c in upgraded.calls if c.operation == "ModifyReplicationGroup"]
    assert [sorted(set(p) - {"ReplicationGroupId", "ApplyImmediately"}) for p in modifies] == [
        ["CacheParameterGroupName", "EngineVersion"], ["CacheNodeType"]]
    group = upgraded.result["replication_group"]
    assert (group["engine_version"], group["cache_parameter_group_name"], group["cache_node_type"]) == (
        "7.1.0", "edx-redis7", "cache.t4g.small")


def test_a_downgrade_is_refused_before_any_change(aws: Aws) -> None:
    args = base(engine_version="7.1")
    run_module(module, args)
    refused = run_module(module, {**args, "engine_version": "7.0", "cache_node_type": "cache.t4g.small"})
    assert refused.failed and "cannot downgrade" in refused.result["msg"], refused.result
    assert refused.mutating == []
    refused = run_module(module, {**args, "engine_version": "6.2", "allow_major_version_upgrade": True})
    assert refused.failed and "cannot downgrade" in refused.result["msg"], refused.result


def test_turning_encryption_at_rest_off_is_refused_with_the_way_to_do_it(aws: Aws) -> None:
    args = prod(aws)
    run_module(module, args)
    refused = run_module(module, {**args, "at_rest_encryption": False, "kms_key_id": None,
                                  "cache_node_type": "cache.t4g.small"})
    assert refused.failed and refused.mutating == []
    assert "at_rest_encryption cannot be changed" in refused.result["msg"]
    assert "snapshot" in refused.result["msg"] and "restore.yml" in refused.result["msg"]


def test_failover_with_fewer_than_two_nodes_is_refused_before_any_change(aws: Aws) -> None:
    args = base(num_cache_clusters=2, automatic_failover=True, multi_az=True)
    run_module(module, args)
    refused = run_module(module, {**args, "num_cache_clusters": 1, "cache_node_type": "cache.t4g.small"})
    assert refused.failed and refused.mutating == []
    assert "automatic_failover needs num_cache_clusters >= 2" in refused.result["msg"], refused.result
