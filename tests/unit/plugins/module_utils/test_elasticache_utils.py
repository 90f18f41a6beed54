"""The pure helpers of module_utils/elasticache.py (the AWS-facing ones run through the module tests)."""

from __future__ import annotations

import pytest
from ansible_collections.openedx.data_services.plugins.module_utils import elasticache


@pytest.mark.parametrize(("desired", "current", "expected"), [
    ("7.1", "7.1.0", True), ("7", "7.1.0", True), ("7.1.0", "7.1.0", True), ("7.0", "7.1.0", False),
    ("7.1", None, False), ("7.10", "7.1.0", False),
])
def test_version_matches(desired: str, current: str | None, expected: bool) -> None:
    assert elasticache.version_matches(desired, current) is expected


def test_log_delivery_changes_modify_add_and_disable() -> None:
    slow = {"log_type": "slow-log", "destination_type": "cloudwatch-logs", "destination": "/slow",
            "log_format": "json"}
    engine = {**slow, "log_type": "engine-log", "destination": "/engine"}
    assert elasticache.log_delivery_changes([slow, engine], [engine, slow]) == []
    changes = elasticache.log_delivery_changes([slow, engine], [{**slow, "log_format": "text"}])
    assert changes == [
        {"LogType": "slow-log", "DestinationType": "cloudwatch-logs",
         "DestinationDetails": {"CloudWatchLogsDetails": {"LogGroup": "/slow"}}, "LogFormat": "text", "Enabled": True},
        {"LogType": "engine-log", "Enabled": False}]


def test_replicas_to_remove_never_names_the_primary() -> None:
    state = {"member_clusters": ["g-001", "g-002", "g-003"], "primary_cluster_id": "g-003"}
    assert elasticache.replicas_to_remove(state, 1) == ["g-002"]
    assert elasticache.replicas_to_remove(state, 2) == ["g-001", "g-002"]
    assert elasticache.replicas_to_remove(state, 0) == []


@pytest.mark.parametrize(("token", "problem"), [
    ("a" * 15, True), ("a" * 16, False), ("a" * 128, False), ("a" * 129, True), ("a" * 15 + "\n", True),
    ("sixteen-chars-@!", True), ('sixteen-chars-"!', True), ("sixteen-chars-/!", True), ("Sixteen chars ok!", False),
])
def test_auth_token_problem(token: str, problem: bool) -> None:
    message = elasticache.auth_token_problem(token)
    assert (message is not None) is problem
    assert message is None or token not in message


def test_parameter_values_are_strings_as_elasticache_stores_them() -> None:
    assert [elasticache.parameter_value(v) for v in (True, False, 300, "allkeys-lru")] == [
        "yes", "no", "300", "allkeys-lru"]


def test_parameter_problems_name_every_bad_parameter() -> None:
    parameters = [
        {"ParameterName": "maxmemory-policy", "DataType": "string", "IsModifiable": True,
         "AllowedValues": "volatile-lru,allkeys-lru"},
        {"ParameterName": "maxclients", "DataType": "integer", "IsModifiable": False, "AllowedValues": "1-65000"},
        {"ParameterName": "timeout", "DataType": "integer", "IsModifiable": True, "AllowedValues": "0,20-"},
    ]
    assert elasticache.parameter_problems(parameters, {"maxmemory-policy": "allkeys-lru", "timeout": "300"}) is None
    message = elasticache.parameter_problems(parameters, {"maxmemory-policy": "lru", "maxclients": "5", "x": "1"})
    assert message == ("parameters: maxclients cannot be modified; maxmemory-policy=lru is not one of "
                       "volatile-lru,allkeys-lru; x is not a parameter of this family.")


@pytest.mark.parametrize(("version", "family"), [
    ("7.1", "redis7"), ("7.0.7", "redis7"), ("6.2", "redis6.x"), ("6.x", "redis6.x"), ("5.0.6", "redis5.0"),
])
def test_family_of_version(version: str, family: str) -> None:
    assert elasticache.family_of_version(version) == family


@pytest.mark.parametrize(("desired", "current", "allow", "group", "problem"), [
    ("7.1", "7.1.0", False, None, None),
    (None, "7.1.0", False, None, None),
    ("7.1", "7.0.7", False, None, None),
    ("7.0", "7.1.0", True, None, "cannot downgrade"),
    ("6.2", "7.1.0", True, "g7", "cannot downgrade"),
    ("7.1", "6.2.6", False, "g7", "allow_major_version_upgrade"),
    ("7.1", "6.2.6", True, None, "redis7 family"),
    ("7.1", "6.2.6", True, "G6", "redis7 family"),
    ("7.1", "6.2.6", True, "g7", None),
])
def test_engine_change_problem(desired: str | None, current: str, allow: bool, group: str | None,
                               problem: str | None) -> None:
    found = elasticache.engine_change_problem(desired, current, allow, group, "g6")
    assert (found is None) if problem is None else (problem in (found or "")), found
