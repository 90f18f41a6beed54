"""Injected throttling and 5xx errors: rates, reproducibility, and error shapes botocore understands."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from sandbox_harness import Sandbox

from sandbox.faults import ERROR, THROTTLE, Faults, parse_rule
from sandbox.ledger import Call

DESCRIBE = Call("rds", "DescribeDBInstances", "query")


def draws(faults: Faults, call: Call, count: int) -> list[str | None]:
    return [faults.decide(call) for _ in range(count)]


def test_rates_are_honoured() -> None:
    faults = Faults()
    faults.configure({"seed": 11, "rules": [{"throttle_rate": 0.2, "error_rate": 0.1}]})
    outcomes = draws(faults, DESCRIBE, 4000)
    assert 0.17 < outcomes.count(THROTTLE) / 4000 < 0.23
    assert 0.08 < outcomes.count(ERROR) / 4000 < 0.12


def test_the_same_seed_reproduces_the_same_faults() -> None:
    first, second, other = Faults(), Faults(), Faults()
    for faults, seed in ((first, 5), (second, 5), (other, 6)):
        faults.configure({"seed": seed, "rules": [{"throttle_rate": 0.5}]})
    assert draws(first, DESCRIBE, 200) == draws(second, DESCRIBE, 200)
    assert draws(first, DESCRIBE, 200) != draws(other, DESCRIBE, 200)


def test_the_most_specific_rule_wins() -> None:
    faults = Faults()
    faults.configure({"seed": 1, "rules": [
        {"service": "rds", "action": "*", "throttle_rate": 1.0},
        {"service": "rds", "action": "Describe*", "throttle_rate": 0.0},
        {"service": "*", "action": "*", "error_rate": 1.0},
    ]})
    assert faults.decide(DESCRIBE) is None
    assert faults.decide(Call("rds", "CreateDBInstance", "query")) == THROTTLE
    assert faults.decide(Call("kms", "CreateKey", "json")) == ERROR


def test_a_rule_stops_after_its_limit() -> None:
    faults = Faults()
    faults.configure({"rules": [{"throttle_rate": 1.0, "limit": 3}]})
    assert draws(faults, DESCRIBE, 5) == [THROTTLE, THROTTLE, THROTTLE, None, None]
    assert faults.config()["rules"][0]["injected"] == 3


@pytest.mark.parametrize(("rule", "message"), [
    ({"throttle_rate": 1.5}, "between 0 and 1"),
    ({"throttle_rate": 0.6, "error_rate": 0.6}, "must not exceed 1"),
    ({"rate": 0.1}, "unknown rule keys"),
])
def test_invalid_rules_are_refused(rule: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_rule(rule)


def test_invalid_configuration_is_refused_by_the_server(fresh: Sandbox) -> None:
    import urllib.error

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
