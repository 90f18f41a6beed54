"""cloudwatch_metric_alarms against moto: one read per run, only the alarms that differ put, the prefix's others
deleted; check mode and diff; AWS's limits checked before any call."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from ansible_collections.openedx.data_services.plugins.modules import cloudwatch_metric_alarms as module
from harness import REGION, run_module

PREFIX = "openedx-test-mysql-"
TOPIC = "arn:aws:sns:us-east-1:123456789012:openedx-test-data-services-alarms"
INSTANCE = {"DBInstanceIdentifier": "openedx-test-mysql"}


def alarm(metric: str, threshold: float, **overrides: Any) -> dict[str, Any]:
    slug = metric.lower()
    return {"name": PREFIX + slug, "description": f"{metric} of openedx-test-mysql", "namespace": "AWS/RDS",
            "metric_name": metric, "dimensions": INSTANCE, "statistic": "Average", "period": 60,
            "evaluation_periods": 5, "threshold": threshold, "comparison_operator": "GreaterThanThreshold",
            **overrides}


ALARMS = [alarm("CPUUtilization", 90), alarm("DatabaseConnections", 270),
          alarm("FreeStorageSpace", 1073741824, statistic="Minimum", comparison_operator="LessThanThreshold")]


def args(alarms: list[dict[str, Any]] | None = None, **overrides: Any) -> dict[str, Any]:
    return {"prefix": PREFIX, "alarms": ALARMS if alarms is None else alarms, "alarm_actions": [TOPIC],
            "ok_actions": [TOPIC], "tags": {"Environment": "test"}, **overrides}


@pytest.fixture
def cloudwatch(moto: pytest.MonkeyPatch) -> Any:
    return boto3.client("cloudwatch", region_name=REGION)


def described(cloudwatch: Any) -> dict[str, dict[str, Any]]:
    return {a["AlarmName"]: a for a in cloudwatch.describe_alarms()["MetricAlarms"]}


def test_create_puts_each_alarm_with_its_actions_and_tags(cloudwatch: Any) -> None:
    run = run_module(module, args())
    assert run.result["changed"] and not run.failed
    assert run.mutating == ["PutMetricAlarm"] * 3
    assert run.reads == ["DescribeAlarms", "DescribeAlarms"]  # before and after the changes
    assert run.calls[0].params == {"AlarmNamePrefix": PREFIX, "AlarmTypes": ["MetricAlarm"]}
    cpu = described(cloudwatch)[PREFIX + "cpuutilization"]
    assert (cpu["Namespace"], cpu["MetricName"], cpu["Dimensions"], cpu["Statistic"], cpu["Threshold"]) == (
        "AWS/RDS", "CPUUtilization", [{"Name": "DBInstanceIdentifier", "Value": "openedx-test-mysql"}], "Average", 90)
    assert (cpu["AlarmActions"], cpu["OKActions"], cpu["InsufficientDataActions"]) == ([TOPIC], [TOPIC], [])
    assert (cpu["EvaluationPeriods"], cpu["DatapointsToAlarm"], cpu["TreatMissingData"]) == (5, 5, "missing")
    assert cloudwatch.list_tags_for_resource(ResourceARN=cpu["AlarmArn"])["Tags"] == [
        {"Key": "Environment", "Value": "test"}]
    assert sorted(run.result["put"]) == sorted(a["name"] for a in ALARMS) and run.result["deleted"] == []
    assert [a["name"] for a in run.result["alarms"]] == sorted(a["name"] for a in ALARMS)
    assert run.result["alarms"][0]["arn"].startswith("arn:aws:cloudwatch:us-east-1:")


def test_a_run_with_nothing_to_change_reads_once(cloudwatch: Any) -> None:
    run_module(module, args())
    again = run_module(module, args(), diff=True)
    assert (again.result["changed"], again.mutating, again.reads) == (False, [], ["DescribeAlarms"])
    assert again.result["diff"]["before"] == again.result["diff"]["after"]
    assert (again.result["put"], again.result["deleted"]) == ([], [])


def test_only_the_alarm_that_differs_is_put_and_the_diff_shows_it(cloudwatch: Any) -> None:
    run_module(module, args())
    changed = [alarm("CPUUtilization", 80), *ALARMS[1:]]
    run = run_module(module, args(changed), diff=True)
    assert run.result["changed"] and run.mutating == ["PutMetricAlarm"]
    assert run.request("PutMetricAlarm")["AlarmName"] == PREFIX + "cpuutilization"
    name = PREFIX + "cpuutilization"
    assert run.result["diff"]["before"][name]["threshold"] == 90
    assert run.result["diff"]["after"][name]["threshold"] == 80
    assert described(cloudwatch)[name]["Threshold"] == 80


def test_alarms_the_list_drops_are_deleted_and_others_of_the_account_kept(cloudwatch: Any) -> None:
    run_module(module, args())
    cloudwatch.put_metric_alarm(AlarmName="openedx-test-redis-evictions", Namespace="AWS/ElastiCache",
                                MetricName="Evictions", Statistic="Sum", Period=300, EvaluationPeriods=1,
                                Threshold=0, ComparisonOperator="GreaterThanThreshold")
    run = run_module(module, args(ALARMS[:1]))
    assert run.mutating == ["DeleteAlarms"]
    assert sorted(run.request("DeleteAlarms")["AlarmNames"]) == sorted(a["name"] for a in ALARMS[1:])
    assert sorted(described(cloudwatch)) == ["openedx-test-mysql-cpuutilization", "openedx-test-redis-evictions"]
    kept = run_module(module, args([], purge=False))
    assert (kept.result["changed"], kept.mutating) == (False, [])


def test_check_mode_predicts_without_any_change(cloudwatch: Any) -> None:
    run_module(module, args())
    changed = [alarm("CPUUtilization", 80), ALARMS[1], alarm("ReadLatency", 0.02)]
    run = run_module(module, args(changed), check_mode=True, diff=True)
    assert run.result["changed"] and run.mutating == []
    assert sorted(run.result["put"]) == [PREFIX + "cpuutilization", PREFIX + "readlatency"]
    assert run.result["deleted"] == [PREFIX + "freestoragespace"]
    assert sorted(run.result["diff"]["after"]) == sorted(a["name"] for a in changed)
    assert described(cloudwatch)[PREFIX + "cpuutilization"]["Threshold"] == 90


def test_an_alarm_of_another_kind_under_the_prefix_is_replaced(cloudwatch: Any) -> None:
    cloudwatch.put_metric_alarm(AlarmName=PREFIX + "cpuutilization", Namespace="AWS/RDS", MetricName="CPUUtilization",
                                ExtendedStatistic="p90", Period=60, EvaluationPeriods=5, Threshold=90,
                                ComparisonOperator="GreaterThanThreshold", Dimensions=[
                                    {"Name": "DBInstanceIdentifier", "Value": "openedx-test-mysql"}])
    run = run_module(module, args(ALARMS[:1]))
    assert run.mutating == ["PutMetricAlarm"]
    assert run.request("PutMetricAlarm")["Statistic"] == "Average"


def test_state_absent_deletes_every_alarm_of_the_prefix(cloudwatch: Any) -> None:
    run_module(module, args())
    checked = run_module(module, {"prefix": PREFIX, "state": "absent"}, check_mode=True)
    assert checked.result["changed"] and checked.mutating == [] and len(described(cloudwatch)) == 3
    run = run_module(module, {"prefix": PREFIX, "state": "absent"})
    assert run.mutating == ["DeleteAlarms"] and described(cloudwatch) == {} and run.result["alarms"] == []
    again = run_module(module, {"prefix": PREFIX, "state": "absent"})
    assert (again.result["changed"], again.mutating) == (False, [])


def test_more_than_a_hundred_alarms_are_deleted_a_hundred_a_request(cloudwatch: Any) -> None:
    many = [alarm(f"Metric{n:03}", 1) for n in range(101)]
    run_module(module, args(many))
    run = run_module(module, args([]))
    assert run.mutating == ["DeleteAlarms", "DeleteAlarms"]
    assert described(cloudwatch) == {}


@pytest.mark.parametrize("alarms, overrides, message", [
    ([alarm("CPUUtilization", 90, name="openedx-test-redis-cpu")], {}, "must start with the prefix"),
    ([alarm("CPUUtilization", 90, period=45)], {}, "period must be 10, 20, 30 or a multiple of 60"),
    ([alarm("CPUUtilization", 90, datapoints_to_alarm=6)], {}, "must not exceed evaluation_periods"),
    ([alarm("CPUUtilization", 90, period=600, evaluation_periods=200)], {}, "must not exceed 86400 s"),
    ([alarm("CPUUtilization", 90, dimensions={f"d{n}": "x" for n in range(31)})], {}, "dimensions must be at most 30"),
    ([alarm("CPUUtilization", 90), alarm("CPUUtilization", 80)], {}, "distinct names"),
    ([alarm("CPUUtilization", 90, name=PREFIX + "x" * 250)], {}, "1 to 255 characters"),
    (ALARMS, {"alarm_actions": ["my-topic"]}, "alarm_actions must be ARNs"),
    (ALARMS, {"ok_actions": [TOPIC + str(n) for n in range(6)]}, "ok_actions must hold at most 5 actions"),
])
def test_what_aws_refuses_fails_before_any_call(cloudwatch: Any, alarms: list[dict[str, Any]],
                                                overrides: dict[str, Any], message: str) -> None:
    run = run_module(module, args(alarms, **overrides))
    assert run.failed and message in run.result["msg"], run.result
    assert run.calls == []
