"""The alarms of each data service (alarm_definitions) and the checks of the alarms role's settings.

The thresholds are the role's own defaults, read from roles/alarms/defaults/main.yml, so that a table that lost a key
or took a value out of range fails here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from ansible.errors import AnsibleFilterError
from ansible_collections.openedx.data_services.plugins.filter.alarms import (
    CATALOGUE,
    THRESHOLD_KEYS,
    alarm_definitions,
    alarm_settings_errors,
    alarm_subscription_errors,
)
from ansible_collections.openedx.data_services.plugins.module_utils.cloudwatch import alarm_problems

ROOT = Path(__file__).resolve().parents[4]
DEFAULTS = yaml.safe_load((ROOT / "roles" / "alarms" / "defaults" / "main.yml").read_text())
THRESHOLDS = DEFAULTS["alarms_thresholds"]
ACCOUNT = "123456789012"
GIB = 1024 ** 3
MYSQL = {"identifier": "openedx-prod-mysql", "allocated_storage": 100}
DOCDB = {"identifier": "openedx-prod-docdb",
         "instances": ["openedx-prod-docdb-1", "openedx-prod-docdb-2", "openedx-prod-docdb-3"]}
REDIS = {"replication_group_id": "openedx-prod-redis",
         "nodes": [{"cache_cluster_id": f"openedx-prod-redis-00{n}", "cache_node_id": "0001",
                    "current_role": "primary" if n == 1 else "replica"} for n in (1, 2, 3)]}
SEARCH = {"domain_name": "openedx-prod-search", "volume_size": 100, "instance_count": 3}


def alarms(result: dict[str, Any], role: str, service: str, profile: str = "prod",
           overrides: dict[str, Any] | None = None) -> dict[str, dict[str, Any]]:
    found = alarm_definitions(result, role, service, "openedx-prod", THRESHOLDS[profile], overrides,
                              account_id=ACCOUNT)
    return {alarm["name"]: alarm for alarm in found}


def test_the_defaults_give_each_profile_a_valid_threshold_for_every_key() -> None:
    assert set(THRESHOLDS) == {"test", "prod"}
    for profile in THRESHOLDS:
        assert set(THRESHOLDS[profile]) == set(THRESHOLD_KEYS)
        assert alarm_settings_errors(THRESHOLDS, DEFAULTS["alarms_overrides"], profile) == []


def test_mysql_alarms_name_the_instance_and_take_the_free_storage_threshold_from_the_allocated_storage() -> None:
    found = alarms(MYSQL, "rds_mysql", "mysql")
    assert sorted(found) == ["openedx-prod-mysql-cpu-utilization", "openedx-prod-mysql-database-connections",
                             "openedx-prod-mysql-free-storage-space", "openedx-prod-mysql-freeable-memory"]
    for alarm in found.values():
        assert (alarm["namespace"], alarm["dimensions"]) == ("AWS/RDS", {"DBInstanceIdentifier": "openedx-prod-mysql"})
    storage = found["openedx-prod-mysql-free-storage-space"]
    assert (storage["metric_name"], storage["statistic"], storage["comparison_operator"]) == (
        "FreeStorageSpace", "Minimum", "LessThanThreshold")
    assert storage["threshold"] == 5 * GIB  # 5 % of 100 GiB, in bytes
    assert found["openedx-prod-mysql-freeable-memory"]["threshold"] == 4096 * 1024 * 1024
    cpu = found["openedx-prod-mysql-cpu-utilization"]
    assert (cpu["threshold"], cpu["period"], cpu["evaluation_periods"], cpu["datapoints_to_alarm"]) == (80, 60, 5, 5)
    assert "CPUUtilization" in cpu["description"] and "mysql_cpu_utilization" in cpu["description"]


def test_no_mysql_replica_lag_alarm_without_a_read_replica() -> None:
    assert not any(alarm["metric_name"] == "ReplicaLag" for alarm in alarms(MYSQL, "rds_mysql", "mysql").values())


def test_mysql_replica_lag_alarm_per_read_replica_of_the_instance_region_only() -> None:
    replicas = [{"name": "read", "identifier": "openedx-prod-mysql-read", "same_region": True},
                {"name": "dr", "identifier": "openedx-prod-mysql-dr", "same_region": False}]
    found = alarms({**MYSQL, "replicas": replicas}, "rds_mysql", "mysql")
    lag = {name: alarm for name, alarm in found.items() if alarm["metric_name"] == "ReplicaLag"}
    assert list(lag) == ["openedx-prod-mysql-replica-lag-openedx-prod-mysql-read"]
    alarm = lag["openedx-prod-mysql-replica-lag-openedx-prod-mysql-read"]
    assert alarm["dimensions"] == {"DBInstanceIdentifier": "openedx-prod-mysql-read"}
    assert (alarm["threshold"], alarm["treat_missing_data"]) == (60, "breaching")


def test_another_regions_replicas_have_their_lag_alarm_in_that_region_and_nothing_else_there() -> None:
    replicas = [{"name": "read", "identifier": "openedx-prod-mysql-read", "same_region": True, "region": "us-east-1"},
                {"name": "dr", "identifier": "openedx-prod-mysql-dr", "same_region": False, "region": "us-west-2"},
                {"name": "eu", "identifier": "openedx-prod-mysql-eu", "same_region": False, "region": "eu-west-1"}]
    found = alarm_definitions({**MYSQL, "replicas": replicas}, "rds_mysql", "mysql", "openedx-prod",
                              THRESHOLDS["prod"], account_id=ACCOUNT, region="us-west-2")
    assert [(a["name"], a["metric_name"], a["dimensions"]) for a in found] == [
        ("openedx-prod-mysql-replica-lag-openedx-prod-mysql-dr", "ReplicaLag",
         {"DBInstanceIdentifier": "openedx-prod-mysql-dr"})]
    assert alarm_definitions({**MYSQL, "replicas": replicas}, "rds_mysql", "mysql", "openedx-prod",
                             THRESHOLDS["prod"], account_id=ACCOUNT, region="ap-south-1") == []
    with pytest.raises(AnsibleFilterError, match="no resource in another region"):
        alarm_definitions(REDIS, "redis", "redis", "openedx-prod", THRESHOLDS["prod"], region="us-west-2")


def test_documentdb_alarms_name_each_instance_and_the_cluster_where_the_metric_is_per_cluster() -> None:
    found = alarms(DOCDB, "documentdb", "documentdb")
    per_instance = {"CPUUtilization", "FreeableMemory", "DatabaseConnections", "DBInstanceReplicaLag"}
    for instance in DOCDB["instances"]:
        mine = [a for a in found.values() if a["dimensions"] == {"DBInstanceIdentifier": instance}]
        assert {a["metric_name"] for a in mine} == per_instance
        assert all(a["name"].endswith(f"-{instance}") and a["namespace"] == "AWS/DocDB" for a in mine)
    volume = found["openedx-prod-documentdb-volume-bytes-used"]
    assert volume["dimensions"] == {"DBClusterIdentifier": "openedx-prod-docdb"}
    assert volume["threshold"] == 1024 * GIB
    lag = found["openedx-prod-documentdb-replica-lag-openedx-prod-docdb-2"]
    assert (lag["treat_missing_data"], lag["threshold"]) == ("notBreaching", 1000)
    assert len(found) == 3 * 4 + 1


def test_a_single_documentdb_instance_has_no_replica_lag_alarm() -> None:
    found = alarms({"identifier": "openedx-test-docdb", "instances": ["openedx-test-docdb-1"]}, "documentdb",
                   "documentdb", "test")
    metrics = sorted(a["metric_name"] for a in found.values())
    assert metrics == ["CPUUtilization", "DatabaseConnections", "FreeableMemory", "VolumeBytesUsed"]


def test_redis_alarms_name_each_member_cluster_and_its_node() -> None:
    found = alarms(REDIS, "redis", "redis")
    assert len(found) == 3 * 4
    for node in REDIS["nodes"]:
        mine = [a for a in found.values() if a["dimensions"] == {"CacheClusterId": node["cache_cluster_id"],
                                                                 "CacheNodeId": "0001"}]
        assert {a["metric_name"] for a in mine} == {"EngineCPUUtilization", "DatabaseMemoryUsagePercentage",
                                                    "Evictions", "ReplicationLag"}
        assert all(a["namespace"] == "AWS/ElastiCache" for a in mine)
    evictions = found["openedx-prod-redis-evictions-openedx-prod-redis-001"]
    assert (evictions["statistic"], evictions["threshold"], evictions["comparison_operator"]) == (
        "Sum", 0, "GreaterThanThreshold")


def test_a_single_redis_node_has_no_replication_lag_alarm() -> None:
    found = alarms({"nodes": REDIS["nodes"][:1]}, "redis", "redis", "test")
    assert {a["metric_name"] for a in found.values()} == {"EngineCPUUtilization", "DatabaseMemoryUsagePercentage",
                                                          "Evictions"}


def test_opensearch_alarms_name_the_domain_and_the_account_as_client_id() -> None:
    found = alarms(SEARCH, "opensearch", "opensearch")
    assert {a["metric_name"] for a in found.values()} == {
        "ClusterStatus.red", "ClusterStatus.yellow", "FreeStorageSpace", "JVMMemoryPressure",
        "ClusterIndexWritesBlocked"}
    for alarm in found.values():
        assert (alarm["namespace"], alarm["dimensions"]) == (
            "AWS/ES", {"DomainName": "openedx-prod-search", "ClientId": ACCOUNT})
    red = found["openedx-prod-opensearch-cluster-status-red"]
    assert (red["statistic"], red["threshold"], red["comparison_operator"], red["evaluation_periods"]) == (
        "Maximum", 1, "GreaterThanOrEqualToThreshold", 1)
    # 25 % of a 100 GiB data node, in MiB (FreeStorageSpace's unit in AWS/ES)
    assert found["openedx-prod-opensearch-free-storage-space"]["threshold"] == 25600
    blocked = found["openedx-prod-opensearch-cluster-index-writes-blocked"]
    assert (blocked["period"], blocked["threshold"]) == (300, 1)


def test_a_single_data_node_has_no_yellow_status_alarm() -> None:
    found = alarms(dict(SEARCH, instance_count=1), "opensearch", "opensearch", "test")
    assert "openedx-prod-opensearch-cluster-status-yellow" not in found
    assert found["openedx-prod-opensearch-jvm-memory-pressure"]["threshold"] == 95


def test_opensearch_alarms_need_the_account() -> None:
    with pytest.raises(AnsibleFilterError, match="ClientId"):
        alarm_definitions(SEARCH, "opensearch", "opensearch", "openedx-prod", THRESHOLDS["prod"])


def test_overrides_change_one_alarm_and_can_disable_it() -> None:
    overrides = {"mysql_cpu_utilization": {"threshold": 95, "period": 300, "evaluation_periods": 3,
                                           "datapoints_to_alarm": 2},
                 "mysql_database_connections": {"enabled": False}}
    found = alarms(MYSQL, "rds_mysql", "mysql", overrides=overrides)
    cpu = found["openedx-prod-mysql-cpu-utilization"]
    assert (cpu["threshold"], cpu["period"], cpu["evaluation_periods"], cpu["datapoints_to_alarm"]) == (95, 300, 3, 2)
    assert "openedx-prod-mysql-database-connections" not in found
    assert found["openedx-prod-mysql-freeable-memory"]["threshold"] == 4096 * 1024 * 1024


@pytest.mark.parametrize("result, role", [(MYSQL, "rds_mysql"), (DOCDB, "documentdb"), (REDIS, "redis"),
                                          (SEARCH, "opensearch")])
def test_every_alarm_is_one_cloudwatch_accepts(result: dict[str, Any], role: str) -> None:
    for profile in THRESHOLDS:
        for alarm in alarm_definitions(result, role, role, "openedx-prod", THRESHOLDS[profile], account_id=ACCOUNT):
            assert alarm_problems(alarm, "openedx-prod-") == []


def test_the_catalogue_keys_are_unique_and_named_after_their_role() -> None:
    keys = [alarm.key for alarm in CATALOGUE]
    assert len(keys) == len(set(keys))
    assert all(key.split("_")[0] in ("mysql", "documentdb", "redis", "opensearch", "postgresql") for key in keys)


def test_an_unknown_role_is_refused() -> None:
    with pytest.raises(AnsibleFilterError, match="rds_mysql"):
        alarm_definitions(MYSQL, "aurora", "aurora", "openedx-prod", THRESHOLDS["prod"])


@pytest.mark.parametrize("thresholds, overrides, expected", [
    ({"prod": {**THRESHOLDS["prod"], "mysql_cpu_utilization": 120}}, {},
     "alarms_thresholds.prod.mysql_cpu_utilization must be a number from 0 to 100%"),
    ({"prod": {**THRESHOLDS["prod"], "mysql_cpu_utilization": "high"}}, {},
     "alarms_thresholds.prod.mysql_cpu_utilization must be a number"),
    ({"prod": {**THRESHOLDS["prod"], "mysql_cpu": 80}}, {},
     "alarms_thresholds.prod must hold alarm keys only"),
    ({"prod": {k: v for k, v in THRESHOLDS["prod"].items() if k != "redis_evictions"}}, {},
     "alarms_thresholds.prod must hold a threshold for each alarm key; missing redis_evictions"),
    ({"test": THRESHOLDS["test"]}, {}, "alarms_thresholds must hold the thresholds of the prod profile"),
    ({"prod": {**THRESHOLDS["prod"], "mysql_free_storage_space": 0}}, {},
     "alarms_thresholds.prod.mysql_free_storage_space must be a number from 1 to 99"),
    (THRESHOLDS, {"mysql_cpu": {"threshold": 1}}, "alarms_overrides.mysql_cpu must name an alarm key, one of"),
    (THRESHOLDS, {"mysql_cpu_utilization": 85}, "alarms_overrides.mysql_cpu_utilization must be a dict of threshold"),
    (THRESHOLDS, {"mysql_cpu_utilization": {"treshold": 85}}, "must be a dict of threshold, period"),
    (THRESHOLDS, {"mysql_cpu_utilization": {"threshold": True}}, "threshold must be a number"),
    (THRESHOLDS, {"mysql_cpu_utilization": {"enabled": "no"}}, "enabled must be true or false"),
    (THRESHOLDS, {"redis_evictions": {"period": 90}}, "period must be 10, 20, 30 or a multiple of 60"),
    (THRESHOLDS, {"redis_evictions": {"datapoints_to_alarm": 2}}, "must not exceed evaluation_periods"),
    (THRESHOLDS, {"redis_evictions": {"evaluation_periods": 0}}, "evaluation_periods must be a whole number"),
    (THRESHOLDS, {"mysql_cpu_utilization": {"period": 600, "evaluation_periods": 145}},
     "must not exceed 86400 s"),
    (THRESHOLDS, {"opensearch_cluster_status_red": {"threshold": 2}}, "cannot be set"),
    (THRESHOLDS, [], "alarms_overrides must map alarm keys to settings"),
    ("prod", {}, "alarms_thresholds must map each profile"),
])
def test_bad_settings_are_named(thresholds: Any, overrides: Any, expected: str) -> None:
    errors = alarm_settings_errors(thresholds, overrides, "prod")
    assert any(expected in error for error in errors), errors


def test_long_evaluations_are_accepted_for_periods_of_an_hour_or_more() -> None:
    overrides = {"documentdb_volume_bytes_used": {"evaluation_periods": 168}}  # 7 days of hours
    assert alarm_settings_errors(THRESHOLDS, overrides, "prod") == []
    too_long = {"documentdb_volume_bytes_used": {"evaluation_periods": 169}}
    assert alarm_settings_errors(THRESHOLDS, too_long, "prod")


@pytest.mark.parametrize("subscription", [
    {"protocol": "email", "endpoint": "oncall@example.com"},
    {"protocol": "email-json", "endpoint": "ops+alarms@example.org"},
    {"protocol": "https", "endpoint": "https://events.pagerduty.com/integration/abc/enqueue"},
    {"protocol": "http", "endpoint": "http://alerts.internal.example.com/sns"},
    {"protocol": "sms", "endpoint": "+14155550100"},
    {"protocol": "sqs", "endpoint": "arn:aws:sqs:us-east-1:123456789012:alarms"},
    {"protocol": "lambda", "endpoint": "arn:aws:lambda:us-east-1:123456789012:function:to-slack"},
    {"protocol": "lambda", "endpoint": "arn:aws:lambda:us-east-1:123456789012:function:to-slack:live"},
    {"protocol": "application", "endpoint": "arn:aws:sns:us-east-1:123456789012:endpoint/GCM/app/0123"},
    {"protocol": "firehose", "endpoint": "arn:aws:firehose:us-east-1:123456789012:deliverystream/alarms",
     "subscription_role_arn": "arn:aws:iam::123456789012:role/sns-firehose"},
])
def test_subscriptions_sns_takes_pass(subscription: dict[str, str]) -> None:
    assert alarm_subscription_errors([subscription]) == []


@pytest.mark.parametrize("subscription, expected", [
    ({"protocol": "slack", "endpoint": "#ops"}, "protocol must be one of http, https, email"),
    ({"protocol": "email", "endpoint": "oncall"}, "protocol email takes as endpoint an email address"),
    ({"protocol": "https", "endpoint": "http://example.com/hook"}, "a URL starting with https://"),
    ({"protocol": "sms", "endpoint": "415-555-0100"}, "E.164"),
    ({"protocol": "sqs", "endpoint": "alarms"}, "the ARN of an SQS queue"),
    ({"protocol": "lambda", "endpoint": "arn:aws:sqs:us-east-1:123456789012:alarms"}, "the ARN of a Lambda function"),
    ({"protocol": "firehose", "endpoint": "arn:aws:firehose:us-east-1:123456789012:deliverystream/a"},
     "needs subscription_role_arn"),
    ({"protocol": "email", "endpoint": "a@example.com", "subscription_role_arn": "arn:aws:iam::123456789012:role/r"},
     "for firehose subscriptions only"),
    ("oncall@example.com", "must be a dict of protocol and endpoint"),
])
def test_subscriptions_sns_refuses_are_named(subscription: Any, expected: str) -> None:
    errors = alarm_subscription_errors([subscription])
    assert len(errors) == 1 and errors[0].startswith("alarms_subscriptions[0]: ") and expected in errors[0], errors


def test_a_subscription_listed_twice_is_refused() -> None:
    twice = [{"protocol": "email", "endpoint": "a@example.com"}] * 2
    assert alarm_subscription_errors(twice) == [
        "alarms_subscriptions must list each subscription once; listed more than once: email a@example.com"]
    assert alarm_subscription_errors({"protocol": "email"}) == [
        "alarms_subscriptions must be a list of protocol and endpoint pairs, got {'protocol': 'email'}"]


def test_aurora_postgresql_has_an_acu_alarm_per_cluster():
    result = {"clusters": [{"identifier": "openedx-prod-postgresql-discovery"},
                           {"identifier": "openedx-prod-postgresql-ecommerce"}]}
    defined = alarms(result, "aurora_postgresql", "postgresql")
    name = "openedx-prod-postgresql-acu-utilization-openedx-prod-postgresql-discovery"
    assert sorted(defined) == [name, "openedx-prod-postgresql-acu-utilization-openedx-prod-postgresql-ecommerce"]
    assert defined[name]["dimensions"] == {"DBClusterIdentifier": "openedx-prod-postgresql-discovery"}
    assert defined[name]["namespace"] == "AWS/RDS" and defined[name]["threshold"] == 80.0
