"""cloudwatchlogs_resource_policy against moto."""

from __future__ import annotations

import boto3
import pytest
from ansible_collections.openedx.data_services.plugins.modules import cloudwatchlogs_resource_policy as module
from harness import REGION, run_module


@pytest.fixture(autouse=True)
def aws(moto: pytest.MonkeyPatch) -> None:
    """Plain moto."""


def document(resource: str = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/opensearch/x/*") -> dict:
    return {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "es.amazonaws.com"},
        "Action": ["logs:PutLogEvents", "logs:CreateLogStream"], "Resource": resource}]}


def test_create_update_and_delete_with_check_mode_and_diff() -> None:
    args = {"policy_name": "opensearch-logs", "policy_document": document()}
    check = run_module(module, args, check_mode=True, diff=True)
    assert (check.result["changed"], check.mutating) == (True, [])
    assert check.result["diff"]["before"] == {}
    created = run_module(module, args)
    assert (created.result["changed"], created.mutating) == (True, ["PutResourcePolicy"])
    # Same policy with its statement keys in another order and a one-element list as a string: no change.
    same = document()
    same["Statement"][0]["Action"] = ["logs:CreateLogStream", "logs:PutLogEvents"]
    again = run_module(module, {"policy_name": "opensearch-logs", "policy_document": same}, diff=True)
    assert (again.result["changed"], again.mutating) == (False, [])
    updated = run_module(module, {"policy_name": "opensearch-logs", "policy_document": document("arn:aws:logs:*")})
    assert (updated.result["changed"], updated.mutating) == (True, ["PutResourcePolicy"])
    policies = boto3.client("logs", region_name=REGION).describe_resource_policies()["resourcePolicies"]
    assert [p["policyName"] for p in policies] == ["opensearch-logs"]
    gone = run_module(module, {"policy_name": "opensearch-logs", "state": "absent"})
    assert (gone.result["changed"], gone.mutating) == (True, ["DeleteResourcePolicy"])
    assert run_module(module, {"policy_name": "opensearch-logs", "state": "absent"}).mutating == []


def test_present_needs_a_document() -> None:
    run = run_module(module, {"policy_name": "x"})
    assert run.failed and "policy_document" in run.result["msg"]
