"""Call classification and counting (sandbox.ledger), in-process."""

from __future__ import annotations

import contextlib
from typing import Any
from urllib.parse import urlsplit

import boto3
import botocore
import pytest

from sandbox.ledger import Call, Ledger, classify, is_read, signing_service


def auth(service: str) -> dict[str, str]:
    return {"authorization": f"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250101/us-east-1/{service}/aws4_request, "
                             "SignedHeaders=host;x-amz-date, Signature=abc"}


def test_signing_service_is_the_credential_scope_service() -> None:
    assert signing_service(auth("rds")["authorization"]) == "rds"
    assert signing_service("AWS AKID:signature") is None
    assert signing_service(None) is None


def test_query_protocol_action_comes_from_the_form_body() -> None:
    headers = {**auth("rds"), "content-type": "application/x-www-form-urlencoded; charset=utf-8"}
    call = classify("POST", "/", "", headers, b"Action=CreateDBInstance&Version=2014-10-31&DBInstanceIdentifier=x")
    assert call == Call("rds", "CreateDBInstance", "query")
    assert not call.read


def test_query_protocol_action_can_come_from_the_query_string() -> None:
    call = classify("GET", "/", "Action=DescribeInstances&Version=2016-11-15", auth("ec2"), b"")
    assert (call.key, call.protocol, call.read) == ("ec2:DescribeInstances", "ec2", True)


def test_json_protocol_action_comes_from_the_target_header() -> None:
    headers = {**auth("kms"), "x-amz-target": "TrentService.CreateKey", "content-type": "application/x-amz-json-1.1"}
    assert classify("POST", "/", "", headers, b"{}") == Call("kms", "CreateKey", "json")
    headers["x-amz-target"] = "secretsmanager.GetSecretValue"
    assert classify("POST", "/", "", {**headers, **auth("secretsmanager")}, b"{}").key == (
        "secretsmanager:GetSecretValue")


@pytest.mark.parametrize(("method", "path", "query", "extra", "expected"), [
    ("PUT", "/bucket-one", "", {}, "CreateBucket"),
    ("PUT", "/bucket-one", "tagging", {}, "PutBucketTagging"),
    ("GET", "/bucket-one", "list-type=2", {}, "ListObjectsV2"),
    ("PUT", "/bucket-one/a/b.txt", "", {}, "PutObject"),
    ("PUT", "/bucket-one/a/b.txt", "", {"x-amz-copy-source": "/other/key"}, "CopyObject"),
    ("PUT", "/bucket-one/key", "partNumber=1&uploadId=u1", {}, "UploadPart"),
    ("HEAD", "/bucket-one", "", {}, "HeadBucket"),
    ("GET", "/", "", {}, "ListBuckets"),
])
def test_s3_rest_requests_match_the_botocore_model(method: str, path: str, query: str, extra: dict[str, str],
                                                    expected: str) -> None:
    call = classify(method, path, query, {**auth("s3"), **extra}, b"")
    assert (call.action, call.protocol) == (expected, "rest-xml")


def test_opensearch_rest_json_requests_are_named_by_their_operation() -> None:
    assert classify("POST", "/2021-01-01/opensearch/domain", "", auth("es"), b"").key == "es:CreateDomain"
    call = classify("GET", "/2021-01-01/opensearch/domain/edx/config", "", auth("es"), b"")
    assert (call.key, call.protocol, call.read) == ("es:DescribeDomainConfig", "rest-json", True)


def test_unmatched_rest_requests_fall_back_to_method_and_path() -> None:
    call = classify("DELETE", "/nowhere/at/all", "", auth("nosuchservice"), b"")
    assert call.action == "DELETE /nowhere/at/all"
    assert not call.read
    assert classify("GET", "/nowhere", "", auth("nosuchservice"), b"").read


@pytest.mark.parametrize(("action", "read"), [
    ("DescribeDBInstances", True), ("ListKeys", True), ("GetSecretValue", True), ("HeadObject", True),
    ("BatchGetItem", True), ("CreateKey", False), ("ModifyDBInstance", False), ("PutBucketPolicy", False),
    ("BatchWriteItem", False), ("TagResource", False),
])
def test_read_calls_are_recognised_by_their_verb(action: str, read: bool) -> None:
    assert is_read(action) is read


def test_ledger_counts_reads_mutations_and_faults_and_resets() -> None:
    ledger = Ledger()
    ledger.record(Call("rds", "DescribeDBInstances", "query"))
    ledger.record(Call("rds", "DescribeDBInstances", "query"), faulted=True)
    ledger.record(Call("kms", "CreateKey", "json"))
    snapshot = ledger.snapshot()
    assert snapshot["read"] == {"rds:DescribeDBInstances": 2}
    assert snapshot["mutating"] == {"kms:CreateKey": 1}
    assert snapshot["faulted"] == {"rds:DescribeDBInstances": 1}
    assert snapshot["totals"] == {"mutating": 1, "read": 2, "faulted": 1, "faulted_mutating": 0, "faulted_read": 1}
    ledger.reset()
    assert ledger.snapshot()["totals"]["read"] == 0
    assert ledger.snapshot()["read"] == {}


def _sample(shape: Any) -> Any:
    """A value botocore accepts for ``shape``: its required members only (one member of a union)."""
    kind = shape.type_name
    if kind == "structure":
        members = list(shape.members)[:1] if shape.metadata.get("union") else shape.required_members
        return {member: _sample(shape.members[member]) for member in members}
    text = shape.enum[0] if getattr(shape, "enum", None) else "x1".ljust(shape.metadata.get("min", 0), "x")
    samples = {"string": text, "integer": 1, "long": 1,
               "boolean": True, "blob": b"x", "timestamp": "2025-01-01", "map": {"k": "v"}}
    return [_sample(shape.member)] if kind == "list" else samples[kind]


class _Sent(Exception):
    """Stops a request once botocore has built it."""


def _s3_requests() -> list[tuple[Any, Any]]:
    """(operation model, request) of every S3 operation as botocore sends it to a path-style endpoint (the
    sandbox's)."""
    client = boto3.client("s3", region_name="us-east-1", endpoint_url="http://127.0.0.1:4566",
                          aws_access_key_id="a", aws_secret_access_key="b")
    sent: list[Any] = []

    def capture(request: Any, **_kwargs: Any) -> None:
        sent.append(request)
        raise _Sent

    client.meta.events.register("before-send", capture)
    requests = []
    for name in client.meta.service_model.operation_names:
        operation = client.meta.service_model.operation_model(name)
        params = _sample(operation.input_shape) if operation.input_shape is not None else {}
        params.update({key: value for key, value in (("Bucket", "bucket-one"), ("Key", "a/b.txt")) if key in params})
        sent.clear()
        with contextlib.suppress(_Sent):
            getattr(client, botocore.xform_name(name))(**params)
        requests.append((operation, sent[-1]))
    return requests


# Not path-style requests to the endpoint: the S3 Express and Object Lambda endpoints.
ELSEWHERE = {"ListDirectoryBuckets", "WriteGetObjectResponse"}


def test_every_s3_request_is_counted_as_the_operation_botocore_sent() -> None:
    requests = _s3_requests()
    assert len(requests) > 100
    for operation, request in requests:
        url = urlsplit(request.url)
        headers = {key.lower(): value.decode() if isinstance(value, bytes) else value
                   for key, value in request.headers.items()}
        call = classify(request.method, url.path, url.query, {**headers, **auth("s3")}, b"")
        # A mutating call counted as a read would hide it from the check-mode and no-op assertions.
        assert call.read is is_read(operation.name), (operation.name, request.method, url.path, url.query)
        # A deprecated operation sends the request of its successor (PutBucketLifecycle's is
        # PutBucketLifecycleConfiguration's): the ledger names the successor.
        if operation.name not in ELSEWHERE and not operation.deprecated:
            assert call.action == operation.name, (request.method, url.path, url.query)
