"""cloudwatchlogs_log_groups against moto with the sandbox's CloudWatch Logs patch."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from ansible_collections.openedx.data_services.plugins.modules import cloudwatchlogs_log_groups as module
from harness import REGION, run_module

KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
OTHER_KEY = "arn:aws:kms:us-east-1:123456789012:key/9876fedc-12ab-34cd-56ef-1234567890ab"
PREFIX = "/aws/rds/instance/openedx-test-mysql/"
NAMES = [PREFIX + "error", PREFIX + "general", PREFIX + "slowquery"]
ARN = "arn:aws:logs:us-east-1:123456789012:log-group:{}"
READS_PER_RUN = ["DescribeLogGroups", "ListTagsForResource", "ListTagsForResource", "ListTagsForResource"]


@pytest.fixture
def logs(logs_aws: pytest.MonkeyPatch) -> Any:
    return boto3.client("logs", region_name=REGION)


def args(**overrides: Any) -> dict[str, Any]:
    return {"names": NAMES, "kms_key_id": KEY, "retention": 30, "tags": {"Environment": "test"}, **overrides}


def described(logs: Any, prefix: str = "/") -> dict[str, dict[str, Any]]:
    """The groups AWS holds, by name, with their tags."""
    return {g["logGroupName"]: {"kms_key_id": g.get("kmsKeyId"), "retention": g.get("retentionInDays", 0),
                                "tags": logs.list_tags_for_resource(resourceArn=g["logGroupArn"])["tags"]}
            for g in logs.describe_log_groups(logGroupNamePrefix=prefix)["logGroups"]}


def test_create_makes_each_group_with_its_key_tags_and_retention(logs: Any) -> None:
    run = run_module(module, args())
    assert run.result["changed"] and not run.failed
    assert run.mutating == ["CreateLogGroup", "PutRetentionPolicy"] * 3
    # The one read before the changes and the one after them; no group existed before, so no tags read then.
    assert run.reads == ["DescribeLogGroups", *READS_PER_RUN]
    assert run.request("CreateLogGroup") == {"logGroupName": NAMES[2], "kmsKeyId": KEY,
                                             "tags": {"Environment": "test"}}
    assert run.calls[0].params == {"logGroupNamePrefix": PREFIX}
    expected = {"kms_key_id": KEY, "retention": 30, "tags": {"Environment": "test"}}
    assert described(logs) == dict.fromkeys(NAMES, expected)
    assert run.result["log_groups"] == [{"log_group_name": name, "arn": ARN.format(name), **expected}
                                        for name in NAMES]


def test_a_run_with_nothing_to_change_reads_once_and_tags_per_group(logs: Any) -> None:
    run_module(module, args())
    again = run_module(module, args(), diff=True)
    assert (again.result["changed"], again.mutating, again.reads) == (False, [], READS_PER_RUN)
    assert again.result["diff"]["before"] == again.result["diff"]["after"]
    assert [g["log_group_name"] for g in again.result["log_groups"]] == NAMES


def test_names_without_a_common_prefix_are_read_one_by_one(logs: Any) -> None:
    names = ["/openedx/a", "audit/b"]
    run_module(module, {"names": names})
    again = run_module(module, {"names": names})
    assert (again.result["changed"], again.mutating) == (False, [])
    assert [c.params for c in again.calls if c.operation == "DescribeLogGroups"] == [
        {"logGroupNamePrefix": "/openedx/a"}, {"logGroupNamePrefix": "audit/b"}]


def test_pages_are_read_until_every_group_is_found(logs: Any) -> None:
    for i in range(60):
        logs.create_log_group(logGroupName=f"/openedx/g{i:02}")
    first_page = run_module(module, {"names": ["/openedx/g00", "/openedx/g01"]})
    assert (first_page.mutating, first_page.reads) == ([], ["DescribeLogGroups", "ListTagsForResource",
                                                            "ListTagsForResource"])
    both_pages = run_module(module, {"names": ["/openedx/g00", "/openedx/g59"]})
    assert (both_pages.mutating, both_pages.reads.count("DescribeLogGroups")) == ([], 2)


def test_other_groups_under_the_prefix_are_left_out(logs: Any) -> None:
    logs.create_log_group(logGroupName=PREFIX + "error-archive")
    run = run_module(module, args(names=[PREFIX + "error"]), diff=True)
    assert run.mutating == ["CreateLogGroup", "PutRetentionPolicy"]
    assert list(run.result["diff"]["after"]) == [PREFIX + "error"]
    assert described(logs)[PREFIX + "error-archive"] == {"kms_key_id": None, "retention": 0, "tags": {}}


def test_check_mode_predicts_without_a_mutating_call_and_shows_the_diff(logs: Any) -> None:
    logs.create_log_group(logGroupName=NAMES[0], tags={"Environment": "test", "Owner": "ops"})
    logs.put_retention_policy(logGroupName=NAMES[0], retentionInDays=7)
    run = run_module(module, args(), check_mode=True, diff=True)
    assert (run.result["changed"], run.mutating) == (True, [])
    assert run.reads == ["DescribeLogGroups", "ListTagsForResource"]
    assert run.result["diff"] == {
        "before": {NAMES[0]: {"kms_key_id": None, "retention": 7, "tags": {"Environment": "test", "Owner": "ops"}}},
        "after": {name: {"kms_key_id": KEY, "retention": 30, "tags": {"Environment": "test"}} for name in NAMES},
    }
    # The existing group has its ARN; the ones the run would create have none yet.
    assert [("arn" in g) for g in run.result["log_groups"]] == [True, False, False]
    assert list(described(logs)) == [NAMES[0]]


def test_retention_changes_in_place_to_any_value_aws_offers(logs: Any) -> None:
    run_module(module, args())
    before = {g["logGroupName"]: g["creationTime"] for g in logs.describe_log_groups()["logGroups"]}
    run = run_module(module, args(retention=1096), diff=True)
    assert (run.result["changed"], run.mutating) == (True, ["PutRetentionPolicy"] * 3)
    assert run.request("PutRetentionPolicy") == {"logGroupName": NAMES[2], "retentionInDays": 1096}
    assert {name: group["retention"] for name, group in run.result["diff"]["after"].items()} == dict.fromkeys(
        NAMES, 1096)
    # Same groups (never deleted and created again), new retention.
    assert {g["logGroupName"]: g["creationTime"] for g in logs.describe_log_groups()["logGroups"]} == before
    assert {g["retention"] for g in described(logs).values()} == {1096}
    forever = run_module(module, args(retention=0))
    assert forever.mutating == ["DeleteRetentionPolicy"] * 3
    assert {g["retention"] for g in described(logs).values()} == {0}
    # A null retention would fail the choices check: "unset" is leaving the option out.
    unset = run_module(module, {key: value for key, value in args().items() if key != "retention"})
    assert (unset.result["changed"], unset.mutating) == (False, [])


def test_tags_are_replaced_or_merged(logs: Any) -> None:
    run_module(module, args(tags={"Environment": "test", "Owner": "ops"}))
    purged = run_module(module, args(tags={"Environment": "test", "Team": "data"}), diff=True)
    assert purged.mutating == ["UntagResource", "TagResource"] * 3
    assert purged.request("UntagResource") == {"resourceArn": ARN.format(NAMES[2]), "tagKeys": ["Owner"]}
    assert purged.request("TagResource") == {"resourceArn": ARN.format(NAMES[2]), "tags": {"Team": "data"}}
    assert {g["tags"]["Team"] for g in purged.result["log_groups"]} == {"data"}
    assert all(g["tags"] == {"Environment": "test", "Team": "data"} for g in described(logs).values())
    kept = run_module(module, args(tags={"Cost": "edx"}, purge_tags=False))
    assert kept.mutating == ["TagResource"] * 3
    assert all(g["tags"] == {"Environment": "test", "Team": "data", "Cost": "edx"}
               for g in described(logs).values())
    untouched = run_module(module, args(tags=None))
    assert (untouched.result["changed"], untouched.mutating) == (False, [])


def test_a_new_key_is_associated_and_an_unset_key_leaves_it(logs: Any) -> None:
    # An unencrypted group made by hand (or by the service) and two encrypted with another key.
    logs.create_log_group(logGroupName=NAMES[0])
    run_module(module, args(names=NAMES[1:]))
    run = run_module(module, args(kms_key_id=OTHER_KEY))
    assert run.mutating == ["AssociateKmsKey", "PutRetentionPolicy", "TagResource", "AssociateKmsKey",
                            "AssociateKmsKey"]
    assert run.request("AssociateKmsKey") == {"logGroupName": NAMES[2], "kmsKeyId": OTHER_KEY}
    assert {g["kms_key_id"] for g in described(logs).values()} == {OTHER_KEY}
    unset = run_module(module, args(kms_key_id=None))
    assert (unset.result["changed"], unset.mutating) == (False, [])
    assert {g["kms_key_id"] for g in described(logs).values()} == {OTHER_KEY}


def test_absent_deletes_the_listed_groups_that_exist(logs: Any) -> None:
    run_module(module, args(names=NAMES[:2]))
    logs.create_log_group(logGroupName=PREFIX + "audit")
    check = run_module(module, {"names": NAMES, "state": "absent"}, check_mode=True, diff=True)
    assert (check.result["changed"], check.mutating) == (True, [])
    assert (list(check.result["diff"]["before"]), check.result["diff"]["after"]) == (NAMES[:2], {})
    gone = run_module(module, {"names": NAMES, "state": "absent"})
    assert (gone.result["changed"], gone.mutating) == (True, ["DeleteLogGroup"] * 2)
    assert [c.params for c in gone.calls if c.mutating] == [{"logGroupName": name} for name in NAMES[:2]]
    assert gone.result["log_groups"] == []
    assert list(described(logs)) == [PREFIX + "audit"]
    again = run_module(module, {"names": NAMES, "state": "absent"})
    assert (again.result["changed"], again.mutating, again.reads) == (False, [], ["DescribeLogGroups"])


def test_an_empty_list_makes_no_call(logs: Any) -> None:
    run = run_module(module, {"names": [], "retention": 30})
    assert (run.result["changed"], run.calls, run.result["log_groups"]) == (False, [], [])


@pytest.mark.parametrize(("overrides", "message"), [
    ({"names": [PREFIX + "error", PREFIX + "bad name"]}, "names: '/aws/rds/instance/openedx-test-mysql/bad name'"),
    ({"names": ["x" * 513]}, "names: "),
    ({"names": [""]}, "names: '' is not a log group name"),
    ({"kms_key_id": "alias/openedx-test"}, "kms_key_id must be the ARN of a KMS key"),
    ({"retention": 42}, "retention"),
    ({"retention": 1095}, "retention"),
])
def test_bad_input_is_refused_before_any_call(logs: Any, overrides: dict[str, Any], message: str) -> None:
    run = run_module(module, args(**overrides))
    assert run.failed and message in run.result["msg"]
    assert run.calls == []
