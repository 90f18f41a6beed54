"""elasticache_cache_parameter_group against moto + the sandbox patch."""

from __future__ import annotations

from typing import Any

import pytest
from ansible_collections.openedx.data_services.plugins.modules import (
    elasticache_cache_parameter_group as module,
)
from harness import ElastiCacheAws as Aws
from harness import run_module


@pytest.fixture(name="aws")
def aws_fixture(elasticache_aws: Aws) -> Aws:
    return elasticache_aws


def group(**overrides: Any) -> dict[str, Any]:
    args: dict[str, Any] = {"name": "openedx-redis7", "group_family": "redis7", "description": "Open edX",
                            "parameters": {"maxmemory-policy": "allkeys-lru", "timeout": 300},
                            "tags": {"environment": "local"}}
    args.update(overrides)
    return args


def user_parameters(aws: Aws) -> dict[str, str]:
    params = aws.ec.describe_cache_parameters(CacheParameterGroupName="openedx-redis7", Source="user")["Parameters"]
    return {p["ParameterName"]: p["ParameterValue"] for p in params}


def test_create_is_idempotent_then_modify_and_purge(aws: Aws) -> None:
    planned = run_module(module, group(), check_mode=True, diff=True)
    assert (planned.result["changed"], planned.mutating) == (True, [])
    assert planned.result["diff"]["after"]["parameters"] == {"maxmemory-policy": "allkeys-lru", "timeout": "300"}

    created = run_module(module, group())
    assert created.result["changed"] is True
    assert created.mutating == ["CreateCacheParameterGroup", "ModifyCacheParameterGroup"]
    result = created.result["cache_parameter_group"]
    assert result["cache_parameter_group_family"] == "redis7"
    assert result["parameters"] == {"maxmemory-policy": "allkeys-lru", "timeout": "300"}
    assert result["tags"] == {"environment": "local"}
    assert result["arn"].endswith(":parametergroup:openedx-redis7")

    again = run_module(module, group())
    assert (again.result["changed"], again.mutating) == (False, [])
    # A value already in effect by default is no change either.
    assert run_module(module, group(parameters={"tcp-keepalive": 300, "timeout": "300"})).mutating == []

    change = group(parameters={"maxmemory-policy": "volatile-lru", "timeout": 300, "activedefrag": True})
    planned = run_module(module, change, check_mode=True, diff=True)
    assert (planned.result["changed"], planned.mutating) == (True, [])
    assert planned.result["diff"]["before"]["parameters"] == {"maxmemory-policy": "allkeys-lru", "timeout": "300"}
    assert planned.result["diff"]["after"]["parameters"] == {"maxmemory-policy": "volatile-lru", "timeout": "300",
                                                             "activedefrag": "yes"}
    modified = run_module(module, change, diff=True)
    assert modified.mutating == ["ModifyCacheParameterGroup"]
    assert modified.result["diff"]["after"] == planned.result["diff"]["after"]
    assert user_parameters(aws) == {"maxmemory-policy": "volatile-lru", "timeout": "300", "activedefrag": "yes"}

    purged = run_module(module, group(parameters={"timeout": 300}, purge_parameters=True))
    assert purged.mutating == ["ResetCacheParameterGroup"]
    assert user_parameters(aws) == {"timeout": "300"}
    retagged = run_module(module, group(parameters={"timeout": 300}, tags={"team": "platform"}))
    assert retagged.mutating == ["RemoveTagsFromResource", "AddTagsToResource"]
    assert not retagged.failed, retagged.result
    assert retagged.result["cache_parameter_group"]["tags"] == {"team": "platform"}


def test_absent_deletes_and_is_idempotent(aws: Aws) -> None:
    run_module(module, group())
    assert run_module(module, {"name": "openedx-redis7", "state": "absent"}, check_mode=True).mutating == []
    deleted = run_module(module, {"name": "openedx-redis7", "state": "absent"}, diff=True)
    assert (deleted.result["changed"], deleted.mutating) == (True, ["DeleteCacheParameterGroup"])
    assert deleted.result["diff"]["after"] == {}
    assert "openedx-redis7" not in {g["CacheParameterGroupName"] for g in
                                    aws.ec.describe_cache_parameter_groups()["CacheParameterGroups"]}
    again = run_module(module, {"name": "openedx-redis7", "state": "absent"})
    assert (again.result["changed"], again.mutating) == (False, [])


@pytest.mark.parametrize(("args", "message"), [
    ({"name": "bad--name"}, "name 'bad--name' is invalid"),
    ({"name": "default.redis7"}, "default"),
    ({"parameters": {"timeout": [1]}}, "parameters.timeout"),
])
def test_bad_input_fails_before_any_aws_call(aws: Aws, args: dict[str, Any], message: str) -> None:
    failed = run_module(module, group(**args))
    assert failed.failed and message in failed.result["msg"]
    assert failed.calls == []


def test_unknown_read_only_and_disallowed_parameters_are_refused_before_any_change(aws: Aws) -> None:
    failed = run_module(module, group(parameters={"no-such-parameter": 1, "maxclients": 10,
                                                  "maxmemory-policy": "sometimes-lru"}))
    assert failed.failed
    for text in ("no-such-parameter is not a parameter", "maxclients cannot be modified",
                 "maxmemory-policy=sometimes-lru is not one of"):
        assert text in failed.result["msg"]
    assert failed.mutating == []

    run_module(module, group())
    failed = run_module(module, group(parameters={"maxclients": 10}))
    assert failed.failed and failed.mutating == []
    failed = run_module(module, group(group_family="redis6.x"))
    assert failed.failed and "group_family cannot change" in failed.result["msg"]
    failed = run_module(module, {"name": "new-group"})
    assert failed.failed and "group_family and description" in failed.result["msg"]
