#!/usr/bin/python
# Copyright: Open edX data services maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: sns_topic
version_added: 0.1.0
short_description: Manage a standard Amazon SNS topic, its KMS encryption, policy, subscriptions and tags
description:
  - Create, update or delete a standard SNS topic named O(name), encrypted at rest with the KMS key
    O(kms_master_key_id), with its access policy, display name, subscriptions and tags.
  - M(community.aws.sns_topic) cannot set the KMS key of a topic (C(KmsMasterKeyId)).
  - The topic is found by its ARN, made of the credentials' account (C(GetCallerIdentity)), the region and O(name).
    A run with nothing to change makes four read calls (C(GetCallerIdentity), C(GetTopicAttributes),
    C(ListSubscriptionsByTopic), C(ListTagsForResource)) and no other.
  - A subscription is the pair of its protocol and endpoint. Its endpoint confirms it (an email subscription, by the
    link SNS mails); until then SNS lists it as pending, the module counts it as present and does not subscribe
    again, and SNS cannot unsubscribe it, so O(purge_subscriptions) leaves it (with a warning) until SNS drops it
    unconfirmed.
author:
  - Open edX data services maintainers (@openedx)
options:
  name:
    description: The topic's name, 1 to 256 letters, digits, underscores or hyphens.
    type: str
    required: true
  display_name:
    description:
      - The sender name of the topic's email notifications (and the prefix of its SMS), at most 100 characters.
      - Left as it is when not given.
    type: str
  kms_master_key_id:
    description:
      - The KMS key that encrypts the topic's messages at rest, as a key ARN, key id, alias or alias ARN. The
        publishers (for CloudWatch alarms, the C(cloudwatch.amazonaws.com) service principal) need
        C(kms:GenerateDataKey*) and C(kms:Decrypt) on it in its key policy, or their messages are lost.
      - The value is compared as SNS stores it, so give the key the same way every run (its ARN).
      - V("") turns encryption off; left as it is when not given.
    type: str
  policy:
    description:
      - The topic's access policy, as a dict or its JSON. Compared as a policy (statement and list order do not
        matter).
      - Left as it is when not given; a new topic then gets the SNS default policy (the owner account only).
    type: json
  subscriptions:
    description:
      - The topic's subscriptions.
      - With O(purge_subscriptions=true), confirmed subscriptions not listed are removed.
    type: list
    elements: dict
    default: []
    suboptions:
      protocol:
        description: How SNS delivers to the endpoint.
        type: str
        required: true
        choices: [http, https, email, email-json, sms, sqs, application, lambda, firehose]
      endpoint:
        description:
          - Where SNS delivers. V(http) and V(https) take a URL of that scheme, V(email) and V(email-json) an email
            address, V(sms) a phone number in E.164 format (C(+14155550100)), V(sqs) a queue ARN, V(application) a
            platform endpoint ARN, V(lambda) a function ARN and V(firehose) a delivery stream ARN.
        type: str
        required: true
      subscription_role_arn:
        description:
          - For V(firehose) only, and required there, the IAM role SNS assumes to write to the delivery stream.
          - Used when the subscription is made; not compared afterwards.
        type: str
  purge_subscriptions:
    description: Whether confirmed subscriptions that O(subscriptions) does not list are removed.
    type: bool
    default: true
  state:
    description:
      - V(present) creates or updates the topic.
      - V(absent) deletes it, with its subscriptions.
    type: str
    choices: [present, absent]
    default: present
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
    details: The diff shows the display name, KMS key, policy, subscriptions and tags.
  platform:
    platforms: aws
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: An alarm topic encrypted with the environment's key, to which CloudWatch alarms of the account publish
  openedx.data_services.sns_topic:
    name: openedx-prod-data-services-alarms
    display_name: Open edX prod alarms
    kms_master_key_id: arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab
    policy:
      Version: "2012-10-17"
      Statement:
        - Sid: CloudWatchAlarmsPublish
          Effect: Allow
          Principal:
            Service: cloudwatch.amazonaws.com
          Action: sns:Publish
          Resource: arn:aws:sns:us-east-1:123456789012:openedx-prod-data-services-alarms
          Condition:
            StringEquals:
              aws:SourceAccount: "123456789012"
    subscriptions:
      - protocol: email
        endpoint: platform-oncall@example.com
    tags:
      Environment: prod
  register: topic

- name: Delete the topic and its subscriptions
  openedx.data_services.sns_topic:
    name: openedx-test-data-services-alarms
    state: absent
"""

RETURN = r"""
topic_arn:
  description: The topic's ARN (also in check mode, before the topic is created).
  returned: always
  type: str
  sample: arn:aws:sns:us-east-1:123456789012:openedx-prod-data-services-alarms
name:
  description: The topic's name.
  returned: when O(state=present)
  type: str
  sample: openedx-prod-data-services-alarms
display_name:
  description: The topic's display name.
  returned: when O(state=present)
  type: str
  sample: Open edX prod alarms
kms_master_key_id:
  description: The KMS key encrypting the topic, as SNS stores it; empty when the topic is not encrypted.
  returned: when O(state=present)
  type: str
  sample: arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab
policy:
  description: The topic's access policy.
  returned: when O(state=present)
  type: dict
subscriptions:
  description: The topic's subscriptions, by protocol and endpoint.
  returned: when O(state=present)
  type: list
  elements: dict
  contains:
    protocol:
      description: The protocol.
      type: str
      sample: email
    endpoint:
      description: The endpoint.
      type: str
      sample: platform-oncall@example.com
    pending:
      description: Whether the endpoint has yet to confirm the subscription.
      type: bool
      returned: when the subscription exists
      sample: true
    subscription_arn:
      description: The subscription's ARN, once it is confirmed.
      type: str
      returned: when the subscription is confirmed
tags:
  description: The topic's tags.
  returned: when O(state=present)
  type: dict
  sample: {"Environment": "prod"}
"""

import json
from functools import partial

from ansible_collections.amazon.aws.plugins.module_utils.policy import compare_policies
from ansible_collections.openedx.data_services.plugins.module_utils import engine, sns
from ansible_collections.openedx.data_services.plugins.module_utils.common import parse_policy
from ansible_collections.openedx.data_services.plugins.module_utils.modules import DataServicesAWSModule


def subscription_key(subscription: dict) -> tuple[str, str]:
    return subscription["protocol"], subscription["endpoint"]


class Topic(engine.Resource):
    """The state is the module's options (subscriptions as protocol/endpoint pairs) and the topic's ARN."""

    def __init__(self, module, client, policy: dict | None) -> None:
        super().__init__(module, client)
        self.policy = policy
        self.arn = ""
        # (protocol, endpoint) -> the subscription as ListSubscriptionsByTopic reports it.
        self.found: dict[tuple[str, str], dict] = {}

    @property
    def name(self) -> str:
        return self.params["name"]

    def read(self) -> dict | None:
        if not self.arn:
            partition, account = sns.caller_account(self.module.client("sts"))
            self.arn = f"arn:{partition}:sns:{self.client.meta.region_name}:{account}:{self.name}"
        attributes = sns.topic_attributes(self.client, self.arn)
        if attributes is None:
            return None
        self.found = {(s["Protocol"], s["Endpoint"]): s for s in sns.list_subscriptions(self.client, self.arn)
                      if s.get("SubscriptionArn") != sns.DELETED}
        return {
            "topic_arn": self.arn,
            "name": self.name,
            "display_name": attributes.get("DisplayName", ""),
            "kms_master_key_id": attributes.get("KmsMasterKeyId", ""),
            "policy": sns.policy_document(attributes),
            "subscriptions": [{"protocol": protocol, "endpoint": endpoint}
                              for protocol, endpoint in sorted(self.found)],
            "tags": sns.list_tags(self.client, self.arn),
        }

    def desired_subscriptions(self) -> list[dict]:
        return [{"protocol": s["protocol"], "endpoint": s["endpoint"]}
                for s in sorted(self.params["subscriptions"], key=subscription_key)]

    def plan_create(self) -> engine.Plan:
        params = self.params
        tags = params["tags"] or {}
        attributes = {}
        if params["display_name"]:
            attributes["DisplayName"] = params["display_name"]
        if params["kms_master_key_id"]:
            attributes["KmsMasterKeyId"] = params["kms_master_key_id"]
        if self.policy is not None:
            attributes["Policy"] = json.dumps(self.policy)
        plan = engine.Plan({"topic_arn": self.arn, "name": self.name, "display_name": params["display_name"] or "",
                            "kms_master_key_id": params["kms_master_key_id"] or "", "policy": self.policy,
                            "subscriptions": self.desired_subscriptions(), "tags": tags})
        plan.call(partial(sns.create_topic, self.client, self.name, attributes, tags))
        for subscription in params["subscriptions"]:
            plan.call(partial(sns.subscribe, self.client, self.arn, subscription))
        return plan

    def plan_update(self, current: dict) -> engine.Plan:
        params = self.params
        plan = engine.Plan()
        for option, attribute, desired in (("display_name", "DisplayName", params["display_name"]),
                                           ("kms_master_key_id", "KmsMasterKeyId", params["kms_master_key_id"])):
            if desired is not None and desired != current[option]:
                plan.change(option, desired)
                plan.call(partial(sns.set_attribute, self.client, self.arn, attribute, desired))
        if self.policy is not None and (current["policy"] is None or compare_policies(current["policy"], self.policy)):
            plan.change("policy", self.policy)
            plan.call(partial(sns.set_attribute, self.client, self.arn, "Policy", json.dumps(self.policy)))
        self.plan_subscriptions(plan, current)
        self.plan_tags(plan, {**current, "arn": self.arn}, sns.update_tags)
        return plan

    def plan_subscriptions(self, plan: engine.Plan, current: dict) -> None:
        wanted = {subscription_key(s): s for s in self.params["subscriptions"]}
        kept = [s for s in current["subscriptions"] if subscription_key(s) in wanted]
        for key, subscription in wanted.items():
            if key not in self.found:
                plan.call(partial(sns.subscribe, self.client, self.arn, subscription))
        if self.params["purge_subscriptions"]:
            for key, found in self.found.items():
                if key in wanted:
                    continue
                if found["SubscriptionArn"] == sns.PENDING:
                    self.module.warn(f"The {key[0]} subscription of {key[1]} to {self.name} awaits its confirmation: "
                                     "SNS cannot remove it before it is confirmed or expires.")
                    kept.append({"protocol": key[0], "endpoint": key[1]})
                    continue
                plan.call(partial(sns.unsubscribe, self.client, found["SubscriptionArn"]))
        else:
            kept += [s for s in current["subscriptions"] if subscription_key(s) not in wanted]
        subscriptions = sorted(kept + [{"protocol": k[0], "endpoint": k[1]} for k in wanted if k not in self.found],
                               key=subscription_key)
        if subscriptions != current["subscriptions"]:
            plan.change("subscriptions", subscriptions)

    def plan_delete(self, current: dict) -> engine.Plan:
        plan = engine.Plan()
        plan.call(partial(sns.delete_topic, self.client, self.arn))
        return plan

    def result(self, state: dict | None) -> dict:
        if state is None:
            return {"topic_arn": self.arn}
        subscriptions = []
        for subscription in state["subscriptions"]:
            found = self.found.get(subscription_key(subscription))
            if found is not None:
                pending = found["SubscriptionArn"] == sns.PENDING
                subscription = {**subscription, "pending": pending,
                                **({} if pending else {"subscription_arn": found["SubscriptionArn"]})}
            subscriptions.append(subscription)
        return {**state, "subscriptions": subscriptions}


def input_problems(params: dict) -> list[str]:
    problems = [problem for problem in [sns.topic_name_problem(params["name"])] if problem]
    if len(params["display_name"] or "") > sns.MAX_DISPLAY_NAME_LENGTH:
        problems.append(f"display_name must be at most {sns.MAX_DISPLAY_NAME_LENGTH} characters")
    for index, subscription in enumerate(params["subscriptions"]):
        problem = sns.subscription_problem({k: v for k, v in subscription.items() if v is not None})
        if problem:
            problems.append(f"subscriptions[{index}]: {problem}")
    return problems


def main() -> None:
    argument_spec = dict(
        name=dict(type="str", required=True),
        display_name=dict(type="str"),
        kms_master_key_id=dict(type="str"),
        policy=dict(type="json"),
        subscriptions=dict(type="list", elements="dict", default=[], options=dict(
            protocol=dict(type="str", required=True, choices=list(sns.PROTOCOLS)),
            endpoint=dict(type="str", required=True),
            subscription_role_arn=dict(type="str"),
        )),
        purge_subscriptions=dict(type="bool", default=True),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
    )
    module = DataServicesAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    problems = input_problems(module.params)
    policy, problem = parse_policy(module.params["policy"], "topic policy")
    if problem:
        problems.append(problem)
    if problems:
        module.fail_json(msg="; ".join(problems))
    engine.run(Topic(module, module.client("sns"), policy))


if __name__ == "__main__":
    main()
