"""The sandbox's S3 patch: a bucket policy's conditions decide whether its statements apply to an object request.

The policy is the one the analytics role gives its buckets (TLS only; objects sent with another encryption than
SSE-KMS refused), as the role renders it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from sandbox import services

BUCKET = "openedx-test-analytics"
KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ARN = f"arn:aws:s3:::{BUCKET}"
# roles/analytics/templates/s3/bucket_policy.json.j2, rendered for BUCKET.
POLICY = {"Version": "2012-10-17", "Statement": [
    {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
     "Resource": [ARN, f"{ARN}/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
    {"Sid": "DenyObjectsEncryptedOtherwiseThanWithKms", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject",
     "Resource": f"{ARN}/*", "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"},
                                           "Null": {"s3:x-amz-server-side-encryption": "false"}}},
    {"Sid": "DenyObjectsEncryptedWithCustomerKeys", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject",
     "Resource": f"{ARN}/*",
     "Condition": {"Null": {"s3:x-amz-server-side-encryption-customer-algorithm": "false"}}},
]}


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for name, value in (("AWS_DEFAULT_REGION", "us-east-1"), ("AWS_ACCESS_KEY_ID", "testing"),
                        ("AWS_SECRET_ACCESS_KEY", "testing")):
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("SANDBOX_S3_SECURE_TRANSPORT", raising=False)
    services.apply("s3")
    with mock_aws():
        client = boto3.client("s3")
        client.create_bucket(Bucket=BUCKET)
        client.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps(POLICY))
        yield client


def refused(call: Any, **params: Any) -> bool:
    try:
        call(**params)
    except ClientError as error:
        assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 403
        return True
    return False


def test_objects_go_in_and_out_over_tls_with_the_default_or_kms_encryption(s3: Any) -> None:
    assert not refused(s3.put_object, Bucket=BUCKET, Key="creds/edxapp_creds", Body=b"{}")
    assert not refused(s3.put_object, Bucket=BUCKET, Key="kms", Body=b"{}", ServerSideEncryption="aws:kms",
                       SSEKMSKeyId=KEY)
    assert s3.get_object(Bucket=BUCKET, Key="creds/edxapp_creds")["Body"].read() == b"{}"
    assert not refused(s3.delete_object, Bucket=BUCKET, Key="kms")


def test_another_encryption_is_refused(s3: Any) -> None:
    assert refused(s3.put_object, Bucket=BUCKET, Key="aes", Body=b"{}", ServerSideEncryption="AES256")
    assert refused(s3.put_object, Bucket=BUCKET, Key="ssec", Body=b"{}", SSECustomerAlgorithm="AES256",
                   SSECustomerKey="k" * 32)
    assert s3.list_objects_v2(Bucket=BUCKET).get("KeyCount") == 0


def test_every_object_request_without_tls_is_refused(s3: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    s3.put_object(Bucket=BUCKET, Key="manifest", Body=b"{}")
    monkeypatch.setenv("SANDBOX_S3_SECURE_TRANSPORT", "false")
    assert refused(s3.put_object, Bucket=BUCKET, Key="plain", Body=b"{}")
    assert refused(s3.get_object, Bucket=BUCKET, Key="manifest")
    assert refused(s3.delete_object, Bucket=BUCKET, Key="manifest")
    monkeypatch.setenv("SANDBOX_S3_SECURE_TRANSPORT", "true")
    assert s3.get_object(Bucket=BUCKET, Key="manifest")["Body"].read() == b"{}"


def test_statements_for_named_principals_or_unknown_operators_do_not_apply(s3: Any) -> None:
    s3.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "s3:*",
         "Resource": f"{ARN}/*"},
        {"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": f"{ARN}/*",
         "Condition": {"NumericLessThan": {"s3:max-keys": "10"}}},
    ]}))
    assert not refused(s3.put_object, Bucket=BUCKET, Key="k", Body=b"{}")


def test_an_unconditional_deny_still_refuses(s3: Any) -> None:
    s3.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps({"Version": "2012-10-17", "Statement": {
        "Effect": "Deny", "Principal": {"AWS": "*"}, "NotAction": "s3:GetObject", "Resource": f"{ARN}/*"}}))
    assert refused(s3.put_object, Bucket=BUCKET, Key="k", Body=b"{}")
