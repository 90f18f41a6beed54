"""Fault rules (sandbox.faults) in-process: rates, reproducibility, precedence, limits, validation."""

from __future__ import annotations

import pytest

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
