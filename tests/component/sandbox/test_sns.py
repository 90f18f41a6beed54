"""The sandbox's SNS patch: subscriptions their endpoint confirms stay pending, as on AWS."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from sandbox import services

QUEUE = "arn:aws:sqs:us-east-1:123456789012:alarms"


@pytest.fixture
def sns(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for name, value in (("AWS_DEFAULT_REGION", "us-east-1"), ("AWS_ACCESS_KEY_ID", "testing"),
                        ("AWS_SECRET_ACCESS_KEY", "testing")):
        monkeypatch.setenv(name, value)
    services.apply("sns")
    with mock_aws():
        yield boto3.client("sns")


def test_email_and_https_subscriptions_await_their_confirmation(sns: Any) -> None:
    topic = sns.create_topic(Name="alarms")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="oncall@example.com")
    sns.subscribe(TopicArn=topic, Protocol="https", Endpoint="https://hooks.example.com/sns")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=QUEUE)
    listed = {s["Protocol"]: s["SubscriptionArn"] for s in sns.list_subscriptions_by_topic(TopicArn=topic)[
        "Subscriptions"]}
    assert listed["email"] == listed["https"] == "PendingConfirmation"
    assert listed["sqs"].startswith(topic + ":")
    assert {s["SubscriptionArn"] for s in sns.list_subscriptions()["Subscriptions"]} == set(listed.values())
    # Subscribing again does not make a second one.
    sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="oncall@example.com")
    assert len(sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]) == 3


def test_a_pending_subscription_cannot_be_removed(sns: Any) -> None:
    topic = sns.create_topic(Name="alarms")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="oncall@example.com")
    with pytest.raises(ClientError) as refused:
        sns.unsubscribe(SubscriptionArn="PendingConfirmation")
    assert refused.value.response["Error"]["Code"] == "InvalidParameter"
    confirmed = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=QUEUE)["SubscriptionArn"]
    sns.unsubscribe(SubscriptionArn=confirmed)
    assert [s["Protocol"] for s in sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]] == ["email"]
