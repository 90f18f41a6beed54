#!/usr/bin/python
# Copyright: Open edX data services maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: cloudwatchlogs_log_groups
version_added: 0.1.0
short_description: Manage a set of CloudWatch Logs log groups
description:
  - Create, update or delete the CloudWatch Logs log groups listed in O(names), all with the same KMS key,
    retention and tags, in one task.
  - Changes are made in place and never delete a log group with O(state=present). In particular, any
    retention CloudWatch Logs offers can be set on an existing group (M(amazon.aws.cloudwatchlogs_log_group)
    deletes and recreates a group, with its logs, when given a retention it does not know).
  - The groups are read with one C(DescribeLogGroups) request (and its further pages, if any) for the longest
    prefix common to O(names), or one per name when the names share no prefix, and one C(ListTagsForResource)
    per existing group. A run with nothing to change makes no other call.
  - Where an account-level retention policy applies to a group, C(DescribeLogGroups) reports that policy's
    retention, so every run where O(retention) differs from it sets O(retention) again.
author:
  - Open edX data services maintainers (@openedx)
options:
  names:
    description:
      - The log groups' names, such as C(/aws/rds/instance/openedx-prod-mysql/error).
      - Each is 1 to 512 characters, each a letter, a digit, C(.), C(-), C(_), C(/) or C(#).
      - An empty list manages nothing.
    type: list
    elements: str
    required: true
  kms_key_id:
    description:
      - The ARN of the KMS key encrypting the groups' log events (CloudWatch Logs takes no key id or alias).
      - A group created is encrypted with it; an existing group encrypted otherwise, or not at all, is associated
        with it (C(AssociateKmsKey)). Events already stored stay encrypted with the key they were written with,
        which must stay enabled for them to be read.
      - Unset leaves the key of an existing group alone and creates unencrypted groups. The module never removes
        a group's key.
    type: str
  retention:
    description:
      - How many days the groups keep their log events, one of the values C(PutRetentionPolicy) accepts.
      - V(0) keeps them forever (the group has no retention policy).
      - Unset leaves the retention of an existing group alone; a group created then keeps its events forever.
    type: int
    choices: [0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
              3653]
  state:
    description:
      - V(present) creates the missing groups and updates the others; V(absent) deletes the listed groups that
        exist, with their log events.
    type: str
    choices: [present, absent]
    default: present
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
    details: The diff shows each listed group's O(kms_key_id), O(retention) and O(tags), by name.
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
- name: KMS-encrypted log groups for the logs an RDS instance exports, kept three years
  openedx.data_services.cloudwatchlogs_log_groups:
    names:
      - /aws/rds/instance/openedx-prod-mysql/error
      - /aws/rds/instance/openedx-prod-mysql/general
      - /aws/rds/instance/openedx-prod-mysql/slowquery
    kms_key_id: arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab
    retention: 1096
    tags:
      Environment: prod
    purge_tags: true

- name: Keep the events of a group forever
  openedx.data_services.cloudwatchlogs_log_groups:
    names: [/openedx/prod/audit]
    retention: 0

- name: Delete the groups
  openedx.data_services.cloudwatchlogs_log_groups:
    names:
      - /aws/docdb/openedx-test-docdb/audit
      - /aws/docdb/openedx-test-docdb/profiler
    state: absent
"""

RETURN = r"""
log_groups:
  description:
    - The listed groups, in the order of O(names). Empty with O(state=absent).
    - In check mode, the groups as the run would leave them.
  returned: always
  type: list
  elements: dict
  contains:
    log_group_name:
      description: The group's name.
      type: str
      sample: /aws/rds/instance/openedx-prod-mysql/error
    arn:
      description: The group's ARN, without the C(:*) suffix C(DescribeLogGroups) adds to it.
      type: str
      returned: when the group exists
      sample: arn:aws:logs:us-east-1:123456789012:log-group:/aws/rds/instance/openedx-prod-mysql/error
    kms_key_id:
      description: The ARN of the KMS key encrypting the group; null when it is not encrypted with one.
      type: str
      sample: arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab
    retention:
      description: How many days the group keeps its events; V(0) when it keeps them forever.
      type: int
      sample: 1096
    tags:
      description: The group's tags.
      type: dict
      sample: {"Environment": "prod"}
"""

from functools import partial

from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags
from ansible_collections.openedx.data_services.plugins.module_utils import engine, logs
from ansible_collections.openedx.data_services.plugins.module_utils.common import KMS_KEY_ARN, merged_tags
from ansible_collections.openedx.data_services.plugins.module_utils.modules import DataServicesAWSModule


def group_state(group: dict, tags: dict) -> dict:
    """A described group in the module's option names."""
    return {"kms_key_id": group.get("kmsKeyId"), "retention": group.get("retentionInDays") or 0, "tags": tags}


class LogGroups(engine.Resource):
    """The resource is the set of listed groups: name -> state, only the existing ones; None when none exists."""

    result_key = "log_groups"

    def __init__(self, module, client) -> None:
        super().__init__(module, client)
        # Duplicates are managed once.
        self.names: list[str] = list(dict.fromkeys(self.params["names"]))
        self.arns: dict[str, str] = {}

    def read(self) -> dict | None:
        prefix = logs.common_prefix(self.names)
        if prefix:
            groups = logs.describe_log_groups(self.client, prefix, self.names)
        else:
            groups = [group for name in self.names for group in logs.describe_log_groups(self.client, name, [name])]
        self.arns = {group["logGroupName"]: logs.group_arn(group) for group in groups}
        state = {group["logGroupName"]: group_state(group, logs.list_tags(self.client, logs.group_arn(group)))
                 for group in groups}
        return state or None

    def plan_create(self) -> engine.Plan:
        return self.plan_update({})

    def plan_update(self, current: dict) -> engine.Plan:
        plan = engine.Plan()
        for name in self.names:
            if name in current:
                self.plan_group(plan, name, current[name])
            else:
                self.plan_new_group(plan, name)
        return plan

    def plan_new_group(self, plan: engine.Plan, name: str) -> None:
        params = self.params
        tags = params["tags"] or {}
        retention = params["retention"] or 0
        plan.change(name, {"kms_key_id": params["kms_key_id"], "retention": retention, "tags": tags})
        plan.call(partial(logs.create_log_group, self.client, name, params["kms_key_id"], tags))
        if retention:
            plan.call(partial(logs.put_retention_policy, self.client, name, retention))

    def plan_group(self, plan: engine.Plan, name: str, current: dict) -> None:
        params = self.params
        desired = dict(current)
        key = params["kms_key_id"]
        if key and key != current["kms_key_id"]:
            desired["kms_key_id"] = key
            plan.call(partial(logs.associate_kms_key, self.client, name, key))
        retention = params["retention"]
        if retention is not None and retention != current["retention"]:
            desired["retention"] = retention
            if retention:
                plan.call(partial(logs.put_retention_policy, self.client, name, retention))
            else:
                plan.call(partial(logs.delete_retention_policy, self.client, name))
        if params["tags"] is not None:
            to_set, to_remove = compare_aws_tags(current["tags"], params["tags"], params["purge_tags"])
            if to_remove:
                plan.call(partial(logs.untag_log_group, self.client, self.arns[name], to_remove))
            if to_set:
                plan.call(partial(logs.tag_log_group, self.client, self.arns[name], to_set))
            if to_set or to_remove:
                desired["tags"] = merged_tags(current["tags"], params["tags"], params["purge_tags"])
        if desired != current:
            plan.change(name, desired)

    def plan_delete(self, current: dict) -> engine.Plan:
        plan = engine.Plan()
        for name in self.names:
            if name in current:
                plan.call(partial(logs.delete_log_group, self.client, name))
        return plan

    def result(self, state: dict | None) -> list[dict]:
        state = state or {}
        result = []
        for name in self.names:
            if name in state:
                group = {"log_group_name": name, **state[name]}
                if name in self.arns:
                    group["arn"] = self.arns[name]
                result.append(group)
        return result


def input_problems(params: dict) -> list[str]:
    """What is wrong with the options that argument_spec cannot say."""
    problems = [f"names: {problem}" for problem in map(logs.name_problem, params["names"]) if problem]
    key = params["kms_key_id"]
    if key and not KMS_KEY_ARN.match(key):
        problems.append(f"kms_key_id must be the ARN of a KMS key (arn:aws:kms:<region>:<account>:key/<key id>); "
                        f"CloudWatch Logs takes no key id or alias, got {key!r}")
    return problems


def main() -> None:
    argument_spec = dict(
        names=dict(type="list", elements="str", required=True),
        kms_key_id=dict(type="str"),
        retention=dict(type="int", choices=[0, *logs.RETENTION_DAYS]),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
    )
    module = DataServicesAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    problems = input_problems(module.params)
    if problems:
        module.fail_json(msg="; ".join(problems))
    engine.run(LogGroups(module, module.client("logs")))


if __name__ == "__main__":
    main()
