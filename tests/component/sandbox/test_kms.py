"""The sandbox's KMS patch: ScheduleKeyDeletion by key ID or ARN, its window and its state checks, as AWS answers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from sandbox import services


@pytest.fixture
def kms(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for name, value in (("AWS_DEFAULT_REGION", "us-east-1"), ("AWS_ACCESS_KEY_ID", "testing"),
                        ("AWS_SECRET_ACCESS_KEY", "testing")):
        monkeypatch.setenv(name, value)
    services.apply("kms")
    with mock_aws():
        yield boto3.client("kms")


def error_code(call: Any, **kwargs: Any) -> str:
    with pytest.raises(ClientError) as raised:
        call(**kwargs)
    return raised.value.response["Error"]["Code"]


def test_schedule_key_deletion_takes_the_key_arn_and_answers_as_aws(kms: Any) -> None:
    key = kms.create_key()["KeyMetadata"]
    answer = kms.schedule_key_deletion(KeyId=key["Arn"], PendingWindowInDays=7)
    assert answer["KeyId"] == key["Arn"] and answer["KeyState"] == "PendingDeletion"
    assert answer["PendingWindowInDays"] == 7 and answer["DeletionDate"]
    described = kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]
    assert described["KeyState"] == "PendingDeletion" and described["DeletionDate"] == answer["DeletionDate"]
    # Scheduled already: AWS refuses a second schedule; a cancellation brings the key back (disabled).
    assert error_code(kms.schedule_key_deletion, KeyId=key["KeyId"]) == "KMSInvalidStateException"
    kms.cancel_key_deletion(KeyId=key["KeyId"])
    assert kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyState"] == "Disabled"


def test_schedule_key_deletion_refuses_a_window_outside_7_to_30_days(kms: Any) -> None:
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    for days in (6, 31):
        assert error_code(kms.schedule_key_deletion, KeyId=key, PendingWindowInDays=days) == "ValidationException"
    assert kms.describe_key(KeyId=key)["KeyMetadata"]["KeyState"] == "Enabled"
    assert kms.schedule_key_deletion(KeyId=key)["PendingWindowInDays"] == 30
