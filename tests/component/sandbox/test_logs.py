"""The sandbox's CloudWatch Logs patch: AssociateKmsKey, and the retention values AWS accepts."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from sandbox import services

KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


@pytest.fixture
def logs(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for name, value in (("AWS_DEFAULT_REGION", "us-east-1"), ("AWS_ACCESS_KEY_ID", "testing"),
                        ("AWS_SECRET_ACCESS_KEY", "testing")):
        monkeypatch.setenv(name, value)
    services.apply("logs")
    with mock_aws():
        yield boto3.client("logs")


def test_associate_kms_key_encrypts_the_group_with_it(logs: Any) -> None:
    logs.create_log_group(logGroupName="/openedx/audit")
    logs.associate_kms_key(logGroupName="/openedx/audit", kmsKeyId=KEY)
    assert logs.describe_log_groups(logGroupNamePrefix="/openedx/audit")["logGroups"][0]["kmsKeyId"] == KEY
    with pytest.raises(ClientError) as missing:
        logs.associate_kms_key(logGroupName="/openedx/missing", kmsKeyId=KEY)
    assert missing.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_retention_takes_only_the_days_aws_offers(logs: Any) -> None:
    logs.create_log_group(logGroupName="/openedx/audit")
    logs.put_retention_policy(logGroupName="/openedx/audit", retentionInDays=2192)
    assert logs.describe_log_groups()["logGroups"][0]["retentionInDays"] == 2192
    with pytest.raises(ClientError) as refused:
        logs.put_retention_policy(logGroupName="/openedx/audit", retentionInDays=42)
    assert refused.value.response["Error"]["Code"] == "InvalidParameterException"
    assert logs.describe_log_groups()["logGroups"][0]["retentionInDays"] == 2192
