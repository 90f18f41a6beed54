"""sns_topic against moto with the sandbox's SNS patch: the KMS key, policy, subscriptions and tags of a topic in one
task, four reads when nothing changes, check mode and diff, pending subscriptions left alone."""

from __future__ import annotations

import json
from typing import Any
from unittest import mock

import boto3
import pytest
from ansible.module_utils import basic
from ansible_collections.openedx.data_services.plugins.modules import sns_topic as module
from harness import REGION, run_module
from moto import mock_aws

from sandbox import services

ACCOUNT = "123456789012"
NAME = "openedx-test-data-services-alarms"
ARN = f"arn:aws:sns:{REGION}:{ACCOUNT}:{NAME}"
KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
OTHER_KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/9876fedc-12ab-34cd-56ef-1234567890ab"
POLICY = {"Version": "2012-10-17", "Statement": [{
    "Sid": "CloudWatchAlarmsPublish", "Effect": "Allow", "Principal": {"Service": "cloudwatch.amazonaws.com"},
    "Action": "sns:Publish", "Resource": ARN, "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}}}]}
QUEUE = f"arn:aws:sqs:{REGION}:{ACCOUNT}:alarms"
READS = ["GetCallerIdentity", "GetTopicAttributes", "ListSubscriptionsByTopic", "ListTagsForResource"]


@pytest.fixture
def sns(aws: pytest.MonkeyPatch) -> Any:
    services.apply("sns")
    with mock_aws():
        yield boto3.client("sns", region_name=REGION)


def args(**overrides: Any) -> dict[str, Any]:
    return {"name": NAME, "display_name": "Open edX test alarms", "kms_master_key_id": KEY, "policy": POLICY,
            "subscriptions": [{"protocol": "sqs", "endpoint": QUEUE}], "tags": {"Environment": "test"},
            **overrides}


def subscriptions(sns: Any) -> list[tuple[str, str, str]]:
    return sorted((s["Protocol"], s["Endpoint"], s["SubscriptionArn"])
                  for s in sns.list_subscriptions_by_topic(TopicArn=ARN)["Subscriptions"])


def test_create_makes_the_encrypted_topic_with_its_policy_subscriptions_and_tags(sns: Any) -> None:
    run = run_module(module, args())
    assert run.result["changed"] and not run.failed
    assert run.mutating == ["CreateTopic", "Subscribe"]
    created = run.request("CreateTopic")
    assert created["Attributes"]["KmsMasterKeyId"] == KEY
    assert json.loads(created["Attributes"]["Policy"]) == POLICY
    attributes = sns.get_topic_attributes(TopicArn=ARN)["Attributes"]
    assert (attributes["KmsMasterKeyId"], attributes["DisplayName"]) == (KEY, "Open edX test alarms")
    assert json.loads(attributes["Policy"]) == POLICY
    assert [s[:2] for s in subscriptions(sns)] == [("sqs", QUEUE)]
    assert sns.list_tags_for_resource(ResourceArn=ARN)["Tags"] == [{"Key": "Environment", "Value": "test"}]
    result = run.result
    assert (result["topic_arn"], result["kms_master_key_id"], result["policy"]) == (ARN, KEY, POLICY)
    assert result["subscriptions"][0]["pending"] is False and result["subscriptions"][0]["subscription_arn"]


def test_a_run_with_nothing_to_change_makes_four_reads(sns: Any) -> None:
    run_module(module, args())
    again = run_module(module, args(), diff=True)
    assert (again.result["changed"], again.mutating, again.reads) == (False, [], READS)
    assert again.result["diff"]["before"] == again.result["diff"]["after"]


def test_an_equivalent_policy_changes_nothing(sns: Any) -> None:
    run_module(module, args())
    statement = dict(POLICY["Statement"][0], Action=["sns:Publish"])
    again = run_module(module, args(policy=json.dumps({"Version": "2012-10-17", "Statement": [statement]})))
    assert (again.result["changed"], again.mutating) == (False, [])


def test_changes_are_made_in_place_and_shown_in_the_diff(sns: Any) -> None:
    run_module(module, args())
    policy = {**POLICY, "Statement": [dict(POLICY["Statement"][0], Sid="Renamed")]}
    run = run_module(module, args(kms_master_key_id=OTHER_KEY, policy=policy, display_name="Alarms",
                                  subscriptions=[{"protocol": "https", "endpoint": "https://hooks.example.com/sns"}],
                                  tags={"Environment": "test", "Owner": "platform"}), diff=True)
    assert sorted(run.mutating) == sorted(["SetTopicAttributes"] * 3 + ["Subscribe", "Unsubscribe", "TagResource"])
    assert run.result["diff"]["before"]["kms_master_key_id"] == KEY
    assert run.result["diff"]["after"]["kms_master_key_id"] == OTHER_KEY
    assert run.result["diff"]["after"]["subscriptions"] == [
        {"protocol": "https", "endpoint": "https://hooks.example.com/sns"}]
    assert sns.get_topic_attributes(TopicArn=ARN)["Attributes"]["KmsMasterKeyId"] == OTHER_KEY
    assert [s[:2] for s in subscriptions(sns)] == [("https", "https://hooks.example.com/sns")]


def test_check_mode_predicts_the_topic_without_any_change(sns: Any) -> None:
    run = run_module(module, args(), check_mode=True, diff=True)
    assert run.result["changed"] and run.mutating == []
    assert run.result["topic_arn"] == ARN  # known before the topic exists
    assert run.result["diff"]["after"]["kms_master_key_id"] == KEY
    assert sns.list_topics()["Topics"] == []
    run_module(module, args())
    changed = run_module(module, args(kms_master_key_id=OTHER_KEY, subscriptions=[]), check_mode=True)
    assert changed.result["changed"] and changed.mutating == []
    assert changed.result["kms_master_key_id"] == OTHER_KEY and changed.result["subscriptions"] == []
    assert sns.get_topic_attributes(TopicArn=ARN)["Attributes"]["KmsMasterKeyId"] == KEY


def test_an_email_subscription_stays_pending_and_is_neither_repeated_nor_purged(sns: Any) -> None:
    email = {"protocol": "email", "endpoint": "oncall@example.com"}
    run = run_module(module, args(subscriptions=[email]))
    assert run.result["subscriptions"] == [{**email, "pending": True}]
    assert subscriptions(sns) == [("email", "oncall@example.com", "PendingConfirmation")]
    again = run_module(module, args(subscriptions=[email]))
    assert (again.result["changed"], again.mutating) == (False, [])
    with mock.patch.object(basic.AnsibleModule, "warn", autospec=True) as warn:
        purged = run_module(module, args(subscriptions=[]))
    assert (purged.result["changed"], purged.mutating) == (False, [])
    assert [c for c in warn.call_args_list if "awaits its confirmation" in c.args[1]]
    assert subscriptions(sns) == [("email", "oncall@example.com", "PendingConfirmation")]


def test_subscriptions_are_kept_without_purge(sns: Any) -> None:
    run_module(module, args())
    run = run_module(module, args(subscriptions=[], purge_subscriptions=False))
    assert (run.result["changed"], run.mutating) == (False, [])


def test_state_absent_deletes_the_topic(sns: Any) -> None:
    run_module(module, args())
    run = run_module(module, {"name": NAME, "state": "absent"})
    assert run.mutating == ["DeleteTopic"] and sns.list_topics()["Topics"] == []
    again = run_module(module, {"name": NAME, "state": "absent"})
    assert (again.result["changed"], again.mutating, again.result["topic_arn"]) == (False, [], ARN)


@pytest.mark.parametrize("overrides, message", [
    ({"name": "alarms.fifo"}, "name must be 1 to 256 letters"),
    ({"display_name": "x" * 101}, "display_name must be at most 100 characters"),
    ({"subscriptions": [{"protocol": "email", "endpoint": "oncall"}]},
     "subscriptions[0]: protocol email takes as endpoint an email address"),
    ({"subscriptions": [{"protocol": "firehose", "endpoint": f"arn:aws:firehose:{REGION}:{ACCOUNT}:deliverystream/a"}]},
     "needs subscription_role_arn"),
    ({"policy": "[1, 2]"}, "policy must be a JSON object"),
])
def test_what_sns_refuses_fails_before_any_call(sns: Any, overrides: dict[str, Any], message: str) -> None:
    run = run_module(module, args(**overrides))
    assert run.failed and message in run.result["msg"], run.result
    assert run.calls == []
