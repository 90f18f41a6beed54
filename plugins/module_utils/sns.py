# Copyright: Open edX data services maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Amazon SNS topic calls of the sns_topic module, and what SNS refuses in a topic name or a subscription.

The limits are the SNS API reference's (CreateTopic, Subscribe); the alarms filter checks the roles' subscriptions
with the same functions before any AWS call. Errors are raised as ``AnsibleSNSError``, which the engine turns into
``fail_json_aws``. Retries are botocore's (module_utils/modules.py).
"""

from __future__ import annotations

import json
import re
from typing import Any

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.tagging import (
    ansible_dict_to_boto3_tag_list,
    boto3_tag_list_to_ansible_dict,
)
from ansible_collections.openedx.data_services.plugins.module_utils.common import sync_tags

# CreateTopic: 1-256 letters, digits, underscores and hyphens (a FIFO topic's name ends with .fifo; not managed here).
TOPIC_NAME = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
MAX_DISPLAY_NAME_LENGTH = 100
# What ListSubscriptionsByTopic reports as the ARN of a subscription its endpoint has not confirmed yet.
PENDING = "PendingConfirmation"
# ... and of one being removed.
DELETED = "Deleted"
_ARN = r"arn:aws[a-z-]*:{service}:[a-z0-9-]+:[0-9]{{12}}:{resource}"
# Subscribe's protocols and the endpoint each takes (SNS API reference, Subscribe).
ENDPOINTS = {
    "http": (re.compile(r"^http://[^/\s]+(/\S*)?$"), "a URL starting with http://"),
    "https": (re.compile(r"^https://[^/\s]+(/\S*)?$"), "a URL starting with https://"),
    "email": (re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$"), "an email address"),
    "email-json": (re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$"), "an email address"),
    "sms": (re.compile(r"^\+[1-9][0-9]{1,14}$"), "a phone number in E.164 format, such as +14155550100"),
    "sqs": (re.compile("^" + _ARN.format(service="sqs", resource=r"[A-Za-z0-9_-]{1,80}(\.fifo)?") + "$"),
            "the ARN of an SQS queue"),
    "application": (re.compile("^" + _ARN.format(service="sns", resource=r"endpoint/\S+") + "$"),
                    "the EndpointArn of a mobile app and device"),
    "lambda": (re.compile("^" + _ARN.format(service="lambda", resource=r"function:[A-Za-z0-9_-]+(:[A-Za-z0-9_$-]+)?")
                          + "$"), "the ARN of a Lambda function"),
    "firehose": (re.compile("^" + _ARN.format(service="firehose", resource=r"deliverystream/[A-Za-z0-9_.-]+") + "$"),
                 "the ARN of a Firehose delivery stream"),
}
PROTOCOLS = tuple(ENDPOINTS)
ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]+$")


class AnsibleSNSError(AnsibleAWSError):
    pass


class SNSErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleSNSError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("NotFound")


# --- input --------------------------------------------------------------------------------------------------


def topic_name_problem(name: str) -> str | None:
    if TOPIC_NAME.match(name or ""):
        return None
    return (f"name must be 1 to 256 letters, digits, underscores or hyphens (a standard topic's name), "
            f"got {name!r}")


def subscription_problem(subscription: Any) -> str | None:
    """Why SNS refuses the subscription (a dict of ``protocol``, ``endpoint`` and, for firehose,
    ``subscription_role_arn``), or None."""
    if not isinstance(subscription, dict):
        return f"a subscription must be a dict of protocol and endpoint, got {subscription!r}"
    protocol, endpoint = subscription.get("protocol"), subscription.get("endpoint")
    if protocol not in ENDPOINTS:
        return f"protocol must be one of {', '.join(PROTOCOLS)}, got {protocol!r}"
    pattern, what = ENDPOINTS[protocol]
    if not isinstance(endpoint, str) or not pattern.match(endpoint):
        return f"protocol {protocol} takes as endpoint {what}, got {endpoint!r}"
    role = subscription.get("subscription_role_arn")
    if protocol == "firehose" and not (isinstance(role, str) and ROLE_ARN.match(role)):
        return ("a firehose subscription needs subscription_role_arn, the ARN of an IAM role SNS assumes to write to "
                f"the delivery stream, got {role!r}")
    if protocol != "firehose" and role:
        return f"subscription_role_arn is for firehose subscriptions only, not {protocol}"
    return None


# --- calls --------------------------------------------------------------------------------------------------


@SNSErrorHandler.common_error_handler("identify the account")
def caller_account(sts_client) -> tuple[str, str]:
    """(partition, account id) of the credentials, which a topic's ARN is made of."""
    arn = sts_client.get_caller_identity()["Arn"]
    parts = arn.split(":")
    return parts[1], parts[4]


@SNSErrorHandler.list_error_handler("get topic attributes")
def topic_attributes(client, arn: str) -> dict[str, str] | None:
    return client.get_topic_attributes(TopicArn=arn)["Attributes"]


@SNSErrorHandler.list_error_handler("list topic subscriptions", [])
def list_subscriptions(client, arn: str) -> list[dict[str, Any]]:
    pages = client.get_paginator("list_subscriptions_by_topic").paginate(TopicArn=arn)
    return pages.build_full_result().get("Subscriptions", [])


@SNSErrorHandler.list_error_handler("list topic tags", {})
def list_tags(client, arn: str) -> dict[str, str]:
    return boto3_tag_list_to_ansible_dict(client.list_tags_for_resource(ResourceArn=arn).get("Tags", []))


@SNSErrorHandler.common_error_handler("create topic")
def create_topic(client, name: str, attributes: dict[str, str], tags: dict[str, str] | None) -> str:
    params: dict[str, Any] = {"Name": name, "Attributes": attributes}
    if tags:
        params["Tags"] = ansible_dict_to_boto3_tag_list(tags)
    return client.create_topic(**params)["TopicArn"]


@SNSErrorHandler.common_error_handler("set topic attribute")
def set_attribute(client, arn: str, name: str, value: str) -> None:
    client.set_topic_attributes(TopicArn=arn, AttributeName=name, AttributeValue=value)


@SNSErrorHandler.common_error_handler("subscribe to topic")
def subscribe(client, arn: str, subscription: dict[str, Any]) -> None:
    params: dict[str, Any] = {"TopicArn": arn, "Protocol": subscription["protocol"],
                              "Endpoint": subscription["endpoint"]}
    if subscription.get("subscription_role_arn"):
        params["Attributes"] = {"SubscriptionRoleArn": subscription["subscription_role_arn"]}
    client.subscribe(**params)


@SNSErrorHandler.deletion_error_handler("unsubscribe from topic")
def unsubscribe(client, subscription_arn: str) -> bool:
    client.unsubscribe(SubscriptionArn=subscription_arn)
    return True


@SNSErrorHandler.deletion_error_handler("delete topic")
def delete_topic(client, arn: str) -> bool:
    client.delete_topic(TopicArn=arn)
    return True


@SNSErrorHandler.common_error_handler("update topic tags")
def update_tags(client, arn: str, current: dict[str, str], desired: dict[str, str] | None, purge: bool,
                check_mode: bool) -> bool:
    return sync_tags(
        current, desired, purge, check_mode,
        add=lambda tags: client.tag_resource(ResourceArn=arn, Tags=ansible_dict_to_boto3_tag_list(tags)),
        remove=lambda keys: client.untag_resource(ResourceArn=arn, TagKeys=keys),
    )


def policy_document(attributes: dict[str, str]) -> dict[str, Any] | None:
    text = attributes.get("Policy")
    return json.loads(text) if text else None
