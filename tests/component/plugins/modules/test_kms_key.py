"""kms_key against moto: create, a no-op in four reads, check mode, diff, policy, description, rotation and tag
changes, a disabled or pending-deletion key brought back, deletion, and bad input refused before any AWS call."""

from __future__ import annotations

import json
from unittest import mock

import boto3
import pytest
from ansible.module_utils import basic
from ansible_collections.openedx.data_services.plugins.modules import kms_key as module
from harness import REGION, run_module

ALIAS = "alias/openedx-test-data-services"
NO_OP_READS = ["DescribeKey", "GetKeyRotationStatus", "GetKeyPolicy", "ListResourceTags"]


def policy(*services: str) -> dict:
    return {"Version": "2012-10-17", "Statement": [
        {"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
         "Action": "kms:*", "Resource": "*"},
        {"Sid": "Services", "Effect": "Allow", "Principal": {"AWS": "*"},
         "Action": ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*"], "Resource": "*",
         "Condition": {"StringEquals": {"kms:ViaService": [f"{s}.{REGION}.amazonaws.com" for s in services]}}},
    ]}


ARGS = {"alias": ALIAS, "description": "Open edX data services (test)", "policy": policy("rds", "es"),
        "tags": {"environment": "test", "service": "data"}}


@pytest.fixture
def kms(moto):
    return boto3.client("kms", region_name=REGION)


@pytest.fixture
def key(calls):
    """Run the module with ARGS updated by ``args``; the calls are those of this run only."""

    def run(check_mode=False, diff=False, **args):
        calls.clear()
        return run_module(module, {**ARGS, **args}, check_mode=check_mode, diff=diff)

    return run


def described(kms, alias=ALIAS):
    return kms.describe_key(KeyId=alias)["KeyMetadata"]


def test_create_makes_the_key_its_alias_and_turns_rotation_on(key, calls, kms):
    run = key()
    assert not run.failed, run.result
    assert run.result["changed"]
    assert calls.mutating == ["CreateKey", "CreateAlias", "EnableKeyRotation"]
    create = calls.request("CreateKey")
    assert create["KeySpec"] == "SYMMETRIC_DEFAULT" and create["KeyUsage"] == "ENCRYPT_DECRYPT"
    assert create["Description"] == ARGS["description"] and json.loads(create["Policy"]) == ARGS["policy"]
    assert create["Tags"] == [{"TagKey": "environment", "TagValue": "test"}, {"TagKey": "service", "TagValue": "data"}]
    metadata = described(kms)
    result = run.result
    assert (result["key_arn"], result["key_id"]) == (metadata["Arn"], metadata["KeyId"])
    assert calls.request("CreateAlias") == {"AliasName": ALIAS, "TargetKeyId": metadata["KeyId"]}
    assert result["alias"] == ALIAS and result["key_state"] == "Enabled" and result["enable_key_rotation"] is True
    assert result["tags"] == ARGS["tags"] and result["policy"] == ARGS["policy"]
    assert result["description"] == ARGS["description"]
    assert kms.get_key_rotation_status(KeyId=metadata["KeyId"])["KeyRotationEnabled"]


def test_rerun_is_a_no_op_of_four_reads(key, calls):
    first = key().result
    again = key(diff=True)
    assert not again.result["changed"]
    assert calls.mutating == []
    assert calls.operations == NO_OP_READS
    assert calls.request("DescribeKey") == {"KeyId": ALIAS}
    assert calls.request("GetKeyPolicy")["PolicyName"] == "default"
    assert again.result["key_arn"] == first["key_arn"]
    assert again.result["diff"]["before"] == again.result["diff"]["after"]


def test_the_alias_prefix_may_be_left_out_and_the_policy_given_as_json(key, calls):
    key()
    again = key(alias=ALIAS.removeprefix("alias/"), policy=json.dumps(ARGS["policy"], indent=2))
    assert not again.result["changed"] and calls.mutating == []
    assert again.result["alias"] == ALIAS


def test_check_mode_creates_nothing_and_predicts_the_key_without_an_arn(key, calls, kms):
    run = key(check_mode=True, diff=True)
    result = run.result
    assert result["changed"] and calls.mutating == [] and calls.operations == ["DescribeKey"]
    assert "key_arn" not in result and "key_id" not in result
    assert result["diff"]["before"] == {}
    assert result["diff"]["after"] == {"alias": ALIAS, "key_state": "Enabled", "description": ARGS["description"],
                                       "enable_key_rotation": True, "tags": ARGS["tags"], "policy": ARGS["policy"]}
    assert kms.list_keys()["Keys"] == []


def test_check_mode_on_an_existing_key_changes_nothing_but_shows_the_diff(key, calls, kms):
    key()
    run = key(check_mode=True, diff=True, description="changed", tags={"environment": "test"},
              policy=policy("rds"), enable_key_rotation=False)
    assert run.result["changed"] and calls.mutating == []
    diff = run.result["diff"]
    assert diff["before"]["description"] == ARGS["description"] and diff["after"]["description"] == "changed"
    assert diff["after"]["tags"] == {"environment": "test"} and diff["after"]["policy"] == policy("rds")
    assert diff["after"]["enable_key_rotation"] is False
    assert run.result["key_arn"] == diff["before"]["key_arn"]
    assert described(kms)["Description"] == ARGS["description"]


def test_policy_changes_only_when_it_differs_as_a_policy(key, calls, kms):
    key()
    reordered = policy("rds", "es")
    reordered["Statement"].reverse()
    reordered["Statement"][0]["Action"].reverse()
    assert not key(policy=reordered).result["changed"] and calls.mutating == []
    run = key(policy=policy("rds", "es", "elasticache"), diff=True)
    assert run.result["changed"] and calls.mutating == ["PutKeyPolicy"]
    assert calls.request("PutKeyPolicy")["PolicyName"] == "default"
    stored = kms.get_key_policy(KeyId=run.result["key_id"], PolicyName="default")["Policy"]
    assert json.loads(stored) == policy("rds", "es", "elasticache")
    assert run.result["diff"]["after"]["policy"] == policy("rds", "es", "elasticache")


def test_no_policy_leaves_the_policy_alone(key, calls, kms):
    key()
    run = key(policy=None)
    assert not run.result["changed"] and run.result["policy"] == ARGS["policy"]


def test_description_is_updated(key, calls, kms):
    key()
    run = key(description="Open edX data services (test, renamed)")
    assert run.result["changed"] and calls.mutating == ["UpdateKeyDescription"]
    assert described(kms)["Description"] == "Open edX data services (test, renamed)"


def test_tags_are_purged_or_kept(key, calls, kms):
    key()
    run = key(tags={"environment": "test", "owner": "platform"})
    assert run.result["changed"] and calls.mutating == ["UntagResource", "TagResource"]
    assert calls.request("UntagResource")["TagKeys"] == ["service"]
    assert run.result["tags"] == {"environment": "test", "owner": "platform"}
    kept = key(tags={"team": "edx"}, purge_tags=False)
    assert kept.result["changed"] and calls.mutating == ["TagResource"]
    assert kept.result["tags"] == {"environment": "test", "owner": "platform", "team": "edx"}
    assert not key(tags=None).result["changed"] and calls.mutating == []


def test_rotation_off_then_on(key, calls, kms):
    key_id = key().result["key_id"]
    off = key(enable_key_rotation=False)
    assert off.result["changed"] and calls.mutating == ["DisableKeyRotation"]
    assert off.result["enable_key_rotation"] is False
    assert not kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"]
    on = key()
    assert on.result["changed"] and calls.mutating == ["EnableKeyRotation"]
    assert on.result["enable_key_rotation"] is True
    assert kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"]


def test_a_key_pending_deletion_is_restored_not_replaced(key, calls, kms):
    key_id = key().result["key_id"]
    kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    with mock.patch.object(basic.AnsibleModule, "warn", autospec=True) as warn:
        check = key(check_mode=True, diff=True)
    assert check.result["changed"] and calls.mutating == []
    assert check.result["diff"]["before"]["key_state"] == "PendingDeletion"
    assert check.result["diff"]["after"]["key_state"] == "Enabled"
    assert [c for c in warn.call_args_list if "its deletion would be cancelled" in c.args[1]]
    with mock.patch.object(basic.AnsibleModule, "warn", autospec=True) as warn:
        run = key()
    assert run.result["changed"]
    assert calls.mutating == ["CancelKeyDeletion", "EnableKey", "EnableKeyRotation"]
    assert [c for c in warn.call_args_list if f"names key {key_id}, scheduled for deletion" in c.args[1]
            and "its deletion is cancelled" in c.args[1]]
    assert run.result["key_id"] == key_id and run.result["key_state"] == "Enabled"
    assert described(kms)["KeyState"] == "Enabled"
    assert len(kms.list_keys()["Keys"]) == 1
    assert not key().result["changed"] and calls.mutating == []


def test_a_disabled_key_is_enabled(key, calls, kms):
    key_id = key().result["key_id"]
    kms.disable_key(KeyId=key_id)
    run = key()
    assert run.result["changed"] and calls.mutating == ["EnableKey"]
    assert described(kms)["KeyState"] == "Enabled"


def test_absent_schedules_the_deletion_and_deletes_the_alias(key, calls, kms):
    key_id = key().result["key_id"]
    check = key(state="absent", check_mode=True, diff=True)
    assert check.result["changed"] and calls.mutating == []
    assert check.result["diff"]["after"] == {}
    gone = key(state="absent", pending_window=7)
    assert gone.result["changed"] and calls.mutating == ["ScheduleKeyDeletion", "DeleteAlias"]
    assert calls.request("ScheduleKeyDeletion") == {"KeyId": key_id, "PendingWindowInDays": 7}
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "PendingDeletion"
    assert ALIAS not in [a["AliasName"] for a in kms.list_aliases()["Aliases"]]
    again = key(state="absent")
    assert not again.result["changed"] and calls.operations == ["DescribeKey"]


def test_absent_on_a_key_already_pending_deletion_only_deletes_the_alias(key, calls, kms):
    key_id = key().result["key_id"]
    kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    run = key(state="absent")
    assert run.result["changed"] and calls.mutating == ["DeleteAlias"]


def test_an_alias_naming_another_kind_of_key_is_refused(key, calls, kms):
    other = kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName=ALIAS, TargetKeyId=other)
    run = key()
    assert run.failed and "RSA_2048 SIGN_VERIFY" in run.result["msg"]
    assert calls.mutating == []


@pytest.mark.parametrize("args, words", [
    ({"alias": "alias/aws/rds"}, ["alias", "alias/aws/"]),
    ({"alias": "aws/rds"}, ["alias", "alias/aws/"]),
    ({"alias": "alias/"}, ["alias", "1 to 250"]),
    ({"alias": "alias/with space"}, ["alias", "with space"]),
    ({"alias": "alias/" + "a" * 251}, ["alias", "1 to 250"]),
    ({"pending_window": 6}, ["pending_window", "between 7 and 30"]),
    ({"pending_window": 31, "state": "absent"}, ["pending_window", "between 7 and 30"]),
    ({"policy": "{not json"}, ["policy", "JSON"]),
    ({"policy": "[]"}, ["policy", "JSON object"]),
])
def test_bad_input_is_refused_before_any_aws_call(key, calls, args, words):
    run = key(**args)
    assert run.failed
    for word in words:
        assert word in run.result["msg"]
    assert calls.operations == []


def test_the_longest_alias_is_accepted(key, calls):
    run = key(alias="alias/" + "a" * 250)
    assert not run.failed and calls.mutating == ["CreateKey", "CreateAlias", "EnableKeyRotation"]
