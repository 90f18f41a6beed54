"""dynamodb_table and dynamodb_table_autoscaling against moto with the sandbox's DynamoDB patch: creation with every
feature, no mutating call on a re-run or in check mode, one UpdateTable per index, refusals before any call."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from ansible_collections.openedx.data_services.plugins.modules import dynamodb_table as module
from ansible_collections.openedx.data_services.plugins.modules import dynamodb_table_autoscaling as scaling
from harness import record_calls, run_module
from moto import mock_aws

from sandbox import services

NAME = "openedx-test-learner-events"


@pytest.fixture
def key(aws: pytest.MonkeyPatch) -> Iterator[str]:
    services.apply("dynamodb")
    with mock_aws():
        yield boto3.client("kms").create_key()["KeyMetadata"]["Arn"]


def table(key: str, **overrides: Any) -> dict[str, Any]:
    return {"name": NAME, "partition_key": {"name": "learner_id"}, "sort_key": {"name": "event_time", "type": "N"},
            "global_indexes": [{"name": "by-course", "partition_key": {"name": "course_id"}, "projection": "ALL"}],
            "local_indexes": [{"name": "by-type", "sort_key": {"name": "event_type"}, "projection": "KEYS_ONLY"}],
            "ttl_attribute": "expires_at", "stream_view_type": "NEW_AND_OLD_IMAGES", "point_in_time_recovery": True,
            "kms_key_id": key, "deletion_protection": True, "tags": {"Environment": "test"}, **overrides}


def test_creation_then_nothing_to_do(key: str) -> None:
    created = run_module(module, table(key))
    assert not created.failed, created.result
    assert created.mutating == ["CreateTable", "UpdateTimeToLive", "UpdateContinuousBackups"]
    result = created.result["table"]
    assert (result["kms_key_id"], result["ttl_attribute"], result["point_in_time_recovery"]) == (key, "expires_at",
                                                                                                 True)
    assert result["stream_arn"] and result["deletion_protection"]
    again = run_module(module, table(key))
    assert (again.result["changed"], again.mutating) == (False, [])
    assert again.result["diff"]["before"] == again.result["diff"]["after"]


def test_two_indexes_one_update_each_and_check_mode(key: str) -> None:
    run_module(module, table(key))
    more = [{"name": n, "partition_key": {"name": n.replace("by-", "")}, "projection": "KEYS_ONLY"}
            for n in ("by-org", "by-verb")]
    wanted = table(key, global_indexes=table(key)["global_indexes"] + more)
    checked = run_module(module, wanted, check_mode=True, diff=True)
    assert checked.result["changed"] and checked.mutating == []
    assert checked.result["planned"] == ["UpdateTable create index by-org (1/2)",
                                         "UpdateTable create index by-verb (2/2)"]
    assert [i["name"] for i in checked.result["diff"]["after"]["global_indexes"]] == ["by-course", "by-org",
                                                                                      "by-verb"]
    applied = run_module(module, wanted)
    assert applied.mutating == ["UpdateTable", "UpdateTable"]
    assert [c.params["GlobalSecondaryIndexUpdates"][0]["Create"]["IndexName"] for c in applied.calls
            if c.operation == "UpdateTable"] == ["by-org", "by-verb"]
    assert run_module(module, wanted).mutating == []


def test_stream_view_type_change_disables_then_enables(key: str) -> None:
    run_module(module, table(key))
    changed = run_module(module, table(key, stream_view_type="KEYS_ONLY"))
    specs = [c.params["StreamSpecification"] for c in changed.calls if c.operation == "UpdateTable"]
    assert specs == [{"StreamEnabled": False}, {"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"}]


@pytest.mark.parametrize(("overrides", "message"), [
    ({"sort_key": {"name": "at", "type": "S"}}, "key schema of the table"),
    ({"local_indexes": []}, "local_indexes of the table"),
    ({"global_indexes": [{"name": "by-course", "partition_key": {"name": "org"}, "projection": "ALL"}]},
     "keys or projection of the global index by-course"),
])
def test_changes_aws_cannot_make_are_refused_before_any_call(key: str, overrides: dict, message: str) -> None:
    run_module(module, table(key))
    refused = run_module(module, table(key, **overrides))
    assert refused.failed and message in refused.result["msg"]
    assert refused.mutating == []


def test_bad_settings_are_refused_before_any_call(key: str) -> None:
    with record_calls() as calls:
        refused = run_module(module, table(key, name="x", billing_mode="PROVISIONED"))
    assert refused.failed and calls.calls == []
    assert "name must be 3 to 255" in refused.result["msg"]
    assert "read_capacity is required with billing_mode PROVISIONED" in refused.result["msg"]


def test_autoscaling_compares_before_any_call(key: str) -> None:
    run_module(module, table(key, name="openedx-test-progress", billing_mode="PROVISIONED", read_capacity=5,
                             write_capacity=5, global_indexes=[], local_indexes=[], autoscaled=True))
    args = {"table": "openedx-test-progress", "read": {"min": 5, "max": 50, "target": 70},
            "write": {"min": 5, "max": 20}}
    assert run_module(scaling, args, check_mode=True).mutating == []
    first = run_module(scaling, args)
    assert first.mutating == ["RegisterScalableTarget", "PutScalingPolicy"] * 2
    assert first.result["read"] == {"min": 5, "max": 50, "target": 70.0}
    again = run_module(scaling, args)
    assert (again.result["changed"], again.mutating) == (False, [])


def test_each_index_is_waited_for_before_the_next(key: str, aws: pytest.MonkeyPatch) -> None:
    run_module(module, table(key))
    aws.setenv("SANDBOX_TIME_SCALE", "0.5")  # an index: 2 minutes on AWS, 1 second in the sandbox
    more = [{"name": n, "partition_key": {"name": n.replace("by-", "")}, "projection": "KEYS_ONLY"}
            for n in ("by-org", "by-verb")]
    applied = run_module(module, table(key, global_indexes=table(key)["global_indexes"] + more))
    assert not applied.failed, applied.result
    assert applied.mutating == ["UpdateTable", "UpdateTable"]
    assert [line.split(" ", 1)[1] for line in applied.result["progress"]] == [
        "UpdateTable create index by-org (1/2)", f"{NAME} active",
        "UpdateTable create index by-verb (2/2)", f"{NAME} active"]
    assert {i["status"] for i in applied.result["table"]["global_indexes"]} == {"ACTIVE"}


def test_global_table_replicas_one_update_each_in_check_mode_then_for_real(key: str) -> None:
    """Replicas in other regions, each encrypted with a key of its region: one UpdateTable per replica created or
    deleted, none in check mode or on a re-run."""
    keys = {region: boto3.client("kms", region_name=region).create_key()["KeyMetadata"]["Arn"]
            for region in ("us-west-2", "eu-west-1")}
    replicas = [{"region": region, "kms_key_id": arn} for region, arn in keys.items()]
    run_module(module, table(key))

    checked = run_module(module, table(key, replicas=replicas), check_mode=True, diff=True)
    assert checked.result["changed"] and checked.mutating == []
    assert checked.result["planned"] == ["UpdateTable create replica eu-west-1", "UpdateTable create replica us-west-2"]

    applied = run_module(module, table(key, replicas=replicas))
    assert not applied.failed, applied.result
    assert [c.params["ReplicaUpdates"] for c in applied.calls if c.operation == "UpdateTable"] == [
        [{"Create": {"RegionName": "eu-west-1", "KMSMasterKeyId": keys["eu-west-1"]}}],
        [{"Create": {"RegionName": "us-west-2", "KMSMasterKeyId": keys["us-west-2"]}}]]
    assert applied.mutating == ["UpdateTable", "UpdateTable"]
    described = boto3.client("dynamodb").describe_table(TableName=NAME)["Table"]
    assert sorted(r["RegionName"] for r in described["Replicas"]) == ["eu-west-1", "us-west-2"]
    assert run_module(module, table(key, replicas=replicas)).mutating == []

    removed = run_module(module, table(key, replicas=replicas[:1]))
    assert [c.params["ReplicaUpdates"] for c in removed.calls if c.operation == "UpdateTable"] == [
        [{"Delete": {"RegionName": "eu-west-1"}}]]
    described = boto3.client("dynamodb").describe_table(TableName=NAME)["Table"]
    assert [r["RegionName"] for r in described["Replicas"]] == ["us-west-2"]
