"""The sandbox's DynamoDB patch: UpdateTable refuses what AWS refuses and reports what AWS reports."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from sandbox import services

KEYS = [{"AttributeName": "pk", "KeyType": "HASH"}]


def _gsi(name: str) -> dict[str, Any]:
    return {"Create": {"IndexName": name, "KeySchema": [{"AttributeName": name, "KeyType": "HASH"}],
                       "Projection": {"ProjectionType": "ALL"}}}


@pytest.fixture
def dynamodb(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for name, value in (("AWS_DEFAULT_REGION", "us-east-1"), ("AWS_ACCESS_KEY_ID", "testing"),
                        ("AWS_SECRET_ACCESS_KEY", "testing")):
        monkeypatch.setenv(name, value)
    services.apply("dynamodb")
    with mock_aws():
        client = boto3.client("dynamodb")
        client.create_table(TableName="events", AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                            KeySchema=KEYS, BillingMode="PAY_PER_REQUEST", TableClass="STANDARD_INFREQUENT_ACCESS")
        yield client


def test_two_index_creations_in_one_call_are_refused(dynamodb: Any) -> None:
    attributes = [{"AttributeName": n, "AttributeType": "S"} for n in ("by_a", "by_b")]
    with pytest.raises(ClientError) as refused:
        dynamodb.update_table(TableName="events", AttributeDefinitions=attributes,
                              GlobalSecondaryIndexUpdates=[_gsi("by_a"), _gsi("by_b")])
    assert refused.value.response["Error"]["Code"] == "LimitExceededException"
    assert dynamodb.describe_table(TableName="events")["Table"]["GlobalSecondaryIndexes"] == []


def test_one_index_at_a_time_keeps_the_table_keys(dynamodb: Any) -> None:
    for name in ("by_a", "by_b"):
        dynamodb.update_table(TableName="events", AttributeDefinitions=[{"AttributeName": name, "AttributeType": "S"}],
                              GlobalSecondaryIndexUpdates=[_gsi(name)])
    table = dynamodb.describe_table(TableName="events")["Table"]
    assert {a["AttributeName"] for a in table["AttributeDefinitions"]} == {"pk", "by_a", "by_b"}
    assert [i["IndexName"] for i in table["GlobalSecondaryIndexes"]] == ["by_a", "by_b"]


def test_table_class_sse_and_replicas_are_reported(dynamodb: Any) -> None:
    key = boto3.client("kms").create_key()["KeyMetadata"]["Arn"]
    assert dynamodb.describe_table(TableName="events")["Table"]["TableClassSummary"] == {
        "TableClass": "STANDARD_INFREQUENT_ACCESS"}
    dynamodb.update_table(TableName="events", SSESpecification={"Enabled": True, "SSEType": "KMS",
                                                                 "KMSMasterKeyId": key})
    assert dynamodb.describe_table(TableName="events")["Table"]["SSEDescription"]["KMSMasterKeyArn"] == key
    with pytest.raises(ClientError, match="NEW_AND_OLD_IMAGES"):
        dynamodb.update_table(TableName="events", ReplicaUpdates=[{"Create": {"RegionName": "eu-west-1"}}])
    dynamodb.update_table(TableName="events", StreamSpecification={"StreamEnabled": True,
                                                                   "StreamViewType": "NEW_AND_OLD_IMAGES"})
    dynamodb.update_table(TableName="events", ReplicaUpdates=[{"Create": {"RegionName": "eu-west-1"}}])
    assert dynamodb.describe_table(TableName="events")["Table"]["Replicas"] == [
        {"RegionName": "eu-west-1", "ReplicaStatus": "ACTIVE"}]
    dynamodb.update_table(TableName="events", ReplicaUpdates=[{"Delete": {"RegionName": "eu-west-1"}}])
    assert "Replicas" not in dynamodb.describe_table(TableName="events")["Table"]


def test_a_new_index_is_built_for_the_scaled_minutes_and_the_table_is_in_use_meanwhile(
        dynamodb: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SANDBOX_TIME_SCALE", "0.5")  # an index: 2 minutes on AWS, 1 second here
    dynamodb.update_table(TableName="events", AttributeDefinitions=[{"AttributeName": "by_a", "AttributeType": "S"}],
                          GlobalSecondaryIndexUpdates=[_gsi("by_a")])
    [index] = dynamodb.describe_table(TableName="events")["Table"]["GlobalSecondaryIndexes"]
    assert index["IndexStatus"] == "CREATING"
    with pytest.raises(ClientError) as refused:
        dynamodb.update_table(TableName="events", AttributeDefinitions=[{"AttributeName": "by_b",
                                                                         "AttributeType": "S"}],
                              GlobalSecondaryIndexUpdates=[_gsi("by_b")])
    assert refused.value.response["Error"]["Code"] == "ResourceInUseException"
    time.sleep(1.5)
    [index] = dynamodb.describe_table(TableName="events")["Table"]["GlobalSecondaryIndexes"]
    assert index["IndexStatus"] == "ACTIVE"
