"""The pure helpers of plugins/module_utils/kms.py (the AWS-facing ones run in tests/component)."""

from __future__ import annotations

import pytest
from ansible_collections.openedx.data_services.plugins.module_utils import kms


@pytest.mark.parametrize("alias, name", [
    ("alias/openedx-prod-data-services", "alias/openedx-prod-data-services"),
    ("openedx-prod-data-services", "alias/openedx-prod-data-services"),
    ("team/openedx", "alias/team/openedx"),
])
def test_alias_name_adds_the_prefix_once(alias: str, name: str) -> None:
    assert kms.alias_name(alias) == name


@pytest.mark.parametrize("alias", [
    "alias/openedx-prod-data-services",
    "openedx_prod/data-services",
    "alias/a",
    "alias/" + "a" * 250,  # 256 characters in all, AWS's limit
    "a" * 250,
    "alias/awsome",  # only alias/aws/ is reserved
])
def test_aliases_aws_accepts(alias: str) -> None:
    assert kms.alias_problem(alias) is None


@pytest.mark.parametrize("alias", [
    "alias/",
    "",
    "alias/" + "a" * 251,
    "alias/aws/rds",
    "aws/rds",
    "alias/with space",
    "alias/dotted.name",
    "alias/colon:name",
    "alias/é",
])
def test_aliases_aws_refuses(alias: str) -> None:
    problem = kms.alias_problem(alias)
    assert problem is not None and problem.startswith("alias must be") and repr(alias) in problem


@pytest.mark.parametrize("days, ok", [(6, False), (7, True), (30, True), (31, False), (0, False), (-7, False)])
def test_pending_window(days: int, ok: bool) -> None:
    problem = kms.pending_window_problem(days)
    assert (problem is None) is ok
    if not ok:
        assert "pending_window" in problem and str(days) in problem


def test_parse_policy() -> None:
    assert kms.parse_policy(None) == (None, None)
    assert kms.parse_policy('{"Version": "2012-10-17", "Statement": []}') == (
        {"Version": "2012-10-17", "Statement": []}, None)
    for text in ("{not json", "[]", '"a string"', "3"):
        document, problem = kms.parse_policy(text)
        assert document is None and problem.startswith("policy must be a JSON object")
