#!/usr/bin/python
# Copyright: Open edX data services maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: cloudwatchlogs_resource_policy
short_description: Manage CloudWatch Logs resource policies
version_added: 0.1.0
description:
  - Create, update or delete an account-level CloudWatch Logs resource policy, the policy that lets AWS services
    such as Amazon OpenSearch Service (C(es.amazonaws.com)) write to log groups.
  - Neither amazon.aws nor community.aws has a module for it (M(amazon.aws.cloudwatchlogs_log_group) manages the
    log groups only).
  - The document is compared as a policy, so a run with nothing to change makes no mutating call.
  - AWS allows 10 resource policies per account and region.
author:
  - Open edX data services maintainers (@openedx)
options:
  policy_name:
    description:
      - The policy name.
    type: str
    required: true
    aliases: [name]
  policy_document:
    description:
      - The policy, as a dict or its JSON. Required with O(state=present).
    type: json
  state:
    description:
      - V(present) creates or updates the policy, V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
attributes:
  check_mode:
    support: full
    description: Reports the change without making it.
  diff_mode:
    support: full
    description: Shows the policy document before and after.
"""

EXAMPLES = r"""
- name: Let OpenSearch Service publish its logs to the domain's log groups
  openedx.data_services.cloudwatchlogs_resource_policy:
    policy_name: openedx-prod-opensearch-logs
    policy_document:
      Version: "2012-10-17"
      Statement:
        - Effect: Allow
          Principal: {Service: es.amazonaws.com}
          Action: [logs:PutLogEvents, logs:CreateLogStream]
          Resource: arn:aws:logs:us-east-1:123456789012:log-group:/aws/opensearch/openedx-prod-search/*
          Condition:
            StringEquals: {aws:SourceAccount: "123456789012"}
"""

RETURN = r"""
policy:
  description: The policy (empty after deletion).
  returned: always
  type: dict
  contains:
    policy_name:
      description: The policy name.
      type: str
    policy_document:
      description: The policy document.
      type: dict
"""

import json

from ansible_collections.amazon.aws.plugins.module_utils.policy import compare_policies
from ansible_collections.openedx.data_services.plugins.module_utils.logs import (
    AnsibleLogsError,
    delete_resource_policy,
    describe_resource_policy,
    put_resource_policy,
)
from ansible_collections.openedx.data_services.plugins.module_utils.modules import DataServicesAWSModule


def main():
    module = DataServicesAWSModule(
        argument_spec=dict(
            policy_name=dict(type="str", required=True, aliases=["name"]),
            policy_document=dict(type="json"),
            state=dict(type="str", choices=["present", "absent"], default="present"),
        ),
        required_if=[("state", "present", ["policy_document"])],
        supports_check_mode=True,
    )
    name = module.params["policy_name"]
    client = module.client("logs")
    try:
        before = describe_resource_policy(client, name)
        if module.params["state"] == "absent":
            after = None
            changed = before is not None
            if changed and not module.check_mode:
                delete_resource_policy(client, name)
        else:
            document = json.loads(module.params["policy_document"])
            after = {"policy_name": name, "policy_document": document}
            # compare_policies answers True when the two policies differ.
            changed = before is None or compare_policies(before["policy_document"], document)
            if changed and not module.check_mode:
                put_resource_policy(client, name, document)
            if not changed:
                after = before
    except AnsibleLogsError as e:
        module.fail_json_aws_error(e)
    result = {"changed": bool(changed), "policy": after or {}}
    if module._diff:
        result["diff"] = {"before": before or {}, "after": after or {}}
    module.exit_json(**result)


if __name__ == "__main__":
    main()
