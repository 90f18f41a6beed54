"""Call classification and counting (sandbox.ledger), in-process."""

from __future__ import annotations

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
