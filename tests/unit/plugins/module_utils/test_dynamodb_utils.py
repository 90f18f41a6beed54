"""The pure rules and normal form of plugins/module_utils/dynamodb.py (the AWS-facing calls run in tests/system)."""

from __future__ import annotations

from typing import Any

import pytest
from ansible_collections.openedx.data_services.plugins.module_utils import dynamodb


def params(**overrides: Any) -> dict[str, Any]:
    base = {"name": "openedx-test-events", "state": "present", "partition_key": {"name": "id", "type": "S"},
            "sort_key": None, "billing_mode": "PAY_PER_REQUEST", "read_capacity": None, "write_capacity": None,
            "global_indexes": [], "local_indexes": [], "replicas": [], "stream_view_type": None,
            "ttl_attribute": None}
    return {**base, **overrides}


def gsi(name: str, key: str = "a", kind: str = "S", **extra: Any) -> dict[str, Any]:
    return {"name": name, "partition_key": {"name": key, "type": kind}, "sort_key": None, "projection": "ALL",
            "non_key_attributes": None, **extra}


def test_valid_settings_have_no_problem() -> None:
    assert dynamodb.problems(params(global_indexes=[gsi("by-a")])) == []


@pytest.mark.parametrize(("overrides", "expected"), [
    ({"name": "ab"}, "name must be 3 to 255 characters"),
    ({"name": "has space"}, "name must be 3 to 255 characters"),
    ({"billing_mode": "PROVISIONED"}, "read_capacity is required with billing_mode PROVISIONED"),
    ({"read_capacity": 5}, "read_capacity is only allowed with billing_mode PROVISIONED"),
    ({"billing_mode": "PROVISIONED", "read_capacity": 0, "write_capacity": 5}, "read_capacity must be 1 to 40000"),
    ({"global_indexes": [gsi(f"index-{n}", f"a{n}") for n in range(21)]}, "at most 20"),
    ({"local_indexes": [{"name": "by-b", "sort_key": {"name": "b", "type": "S"}, "projection": "ALL"}]},
     "need the table to have a sort_key"),
    ({"global_indexes": [gsi("by-a"), gsi("by-a")]}, "'by-a' is used twice"),
    ({"global_indexes": [gsi("by-a", projection="INCLUDE")]}, "non_key_attributes is required with projection"),
    ({"global_indexes": [gsi("by-a", non_key_attributes=["x"])]}, "only allowed with projection INCLUDE"),
    ({"global_indexes": [gsi("by-id", "id", "N")]}, "attribute 'id' is S in partition_key and N in"),
    ({"replicas": [{"region": "eu-west-1"}]}, "replicas (global tables) need stream_view_type NEW_AND_OLD_IMAGES"),
    ({"replicas": [{"region": "eu-west-1"}, {"region": "eu-west-1"}], "stream_view_type": "NEW_AND_OLD_IMAGES"},
     "name region eu-west-1 twice"),
])
def test_each_rule_names_the_setting(overrides: dict[str, Any], expected: str) -> None:
    assert any(expected in problem for problem in dynamodb.problems(params(**overrides))), dynamodb.problems(
        params(**overrides))


def test_attribute_definitions_of_the_indexes_named() -> None:
    settings = params(sort_key={"name": "t", "type": "N"}, global_indexes=[gsi("by-a"), gsi("by-b", "b", "B")])
    assert dynamodb.attribute_definitions(settings) == [
        {"AttributeName": "id", "AttributeType": "S"}, {"AttributeName": "t", "AttributeType": "N"},
        {"AttributeName": "a", "AttributeType": "S"}, {"AttributeName": "b", "AttributeType": "B"}]
    assert [a["AttributeName"] for a in dynamodb.attribute_definitions(settings, ["by-b"])] == ["id", "t", "b"]


def test_normalise_reads_every_feature_in_option_names() -> None:
    table = {
        "TableName": "events", "TableArn": "arn:t", "TableStatus": "ACTIVE",
        "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"},
                                 {"AttributeName": "c", "AttributeType": "N"}],
        "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
        "BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST"},
        "GlobalSecondaryIndexes": [{"IndexName": "by-c", "KeySchema": [{"AttributeName": "c", "KeyType": "HASH"}],
                                    "Projection": {"ProjectionType": "KEYS_ONLY"}, "IndexStatus": "CREATING"}],
        "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}, "LatestStreamArn": "arn:s",
        "SSEDescription": {"Status": "ENABLED", "SSEType": "KMS", "KMSMasterKeyArn": "arn:k"},
        "DeletionProtectionEnabled": True,
        "Replicas": [{"RegionName": "eu-west-1", "ReplicaStatus": "ACTIVE", "KMSMasterKeyId": "arn:eu"}],
    }
    normal = dynamodb.normalise(table, {"TimeToLiveStatus": "ENABLED", "AttributeName": "exp"},
                                {"PointInTimeRecoveryDescription": {"PointInTimeRecoveryStatus": "ENABLED"}},
                                {"env": "test"})
    assert normal["global_indexes"] == [{"name": "by-c", "partition_key": {"name": "c", "type": "N"},
                                         "sort_key": None, "projection": "KEYS_ONLY", "non_key_attributes": [],
                                         "status": "CREATING", "read_capacity": None, "write_capacity": None}]
    assert (normal["ttl_attribute"], normal["stream_view_type"], normal["kms_key_id"]) == ("exp", "NEW_IMAGE", "arn:k")
    assert normal["point_in_time_recovery"] and normal["deletion_protection"]
    assert normal["replicas"] == [{"region": "eu-west-1", "kms_key_id": "arn:eu", "status": "ACTIVE"}]
    assert dynamodb.readiness_status(table) == "updating, index by-c creating"
