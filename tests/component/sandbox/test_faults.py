"""Injected throttling and 5xx errors on the server: refused configurations and error shapes botocore understands."""

from __future__ import annotations

import urllib.error

import pytest
from botocore.exceptions import ClientError
from sandbox_harness import Sandbox


def test_invalid_configuration_is_refused_by_the_server(fresh: Sandbox) -> None:
    with pytest.raises(urllib.error.HTTPError) as raised:
        fresh.control("PUT", "/_sandbox/faults", {"rules": [{"throttle_rate": 2}]})
    assert raised.value.code == 400
    assert fresh.control("GET", "/_sandbox/faults")["rules"] == []


@pytest.mark.parametrize(("service", "rule", "call", "code"), [
    ("rds", "DescribeDBInstances", lambda c: c.describe_db_instances(), "Throttling"),
    ("ec2", "DescribeVpcs", lambda c: c.describe_vpcs(), "RequestLimitExceeded"),
    ("kms", "ListKeys", lambda c: c.list_keys(), "ThrottlingException"),
    ("s3", "ListBuckets", lambda c: c.list_buckets(), "SlowDown"),
])
def test_throttling_has_each_protocols_shape(fresh: Sandbox, service: str, rule: str, call, code: str) -> None:
    fresh.control("PUT", "/_sandbox/faults", {"rules": [{"service": service, "action": rule, "throttle_rate": 1}]})
    with pytest.raises(ClientError) as raised:
        call(fresh.client(service))
    assert raised.value.response["Error"]["Code"] == code
    calls = fresh.control("GET", "/_sandbox/calls")
    assert calls["faulted"] == {f"{service}:{rule}": 1}


def test_botocore_retries_throttling_and_server_errors(fresh: Sandbox) -> None:
    fresh.control("PUT", "/_sandbox/faults", {"seed": 3, "rules": [
        {"service": "rds", "action": "DescribeDBInstances", "throttle_rate": 1.0, "limit": 2},
        {"service": "kms", "action": "ListKeys", "error_rate": 1.0, "limit": 2},
    ]})
    assert "DBInstances" in fresh.client("rds", retries=3).describe_db_instances()
    assert "Keys" in fresh.client("kms", retries=3).list_keys()
    calls = fresh.control("GET", "/_sandbox/calls")
    assert calls["read"]["rds:DescribeDBInstances"] == 3
    assert calls["faulted"] == {"kms:ListKeys": 2, "rds:DescribeDBInstances": 2}
    assert calls["totals"]["faulted_read"] == 4


def test_server_errors_are_500_or_503(fresh: Sandbox) -> None:
    fresh.control("PUT", "/_sandbox/faults", {"seed": 9, "rules": [{"service": "rds", "error_rate": 1.0}]})
    statuses = set()
    for _ in range(12):
        with pytest.raises(ClientError) as raised:
            fresh.client("rds").describe_db_subnet_groups()
        error = raised.value.response
        statuses.add((error["ResponseMetadata"]["HTTPStatusCode"], error["Error"]["Code"]))
    assert statuses == {(500, "InternalFailure"), (503, "ServiceUnavailable")}


def test_a_faulted_mutation_has_no_side_effect(fresh: Sandbox) -> None:
    fresh.control("PUT", "/_sandbox/faults", {"rules": [{"service": "kms", "action": "CreateKey", "throttle_rate": 1}]})
    kms = fresh.client("kms")
    before = len(kms.list_keys()["Keys"])
    with pytest.raises(ClientError):
        kms.create_key(Description="never created")
    assert len(kms.list_keys()["Keys"]) == before
    assert fresh.control("GET", "/_sandbox/calls")["totals"]["faulted_mutating"] == 1
