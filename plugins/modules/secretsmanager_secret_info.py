#!/usr/bin/python
# Copyright: Open edX data services maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: secretsmanager_secret_info
version_added: 0.1.0
short_description: Read the ARNs and metadata of Secrets Manager secrets by name, never their values
description:
  - Reads each named secret with C(DescribeSecret), so that an IAM policy can name its exact ARN (with the suffix
    Secrets Manager adds to the name).
  - A secret that does not exist, or is scheduled for deletion, is listed in RV(missing) and is not an error; the
    caller decides what to say about it.
  - The secret values are never read.
author:
  - Open edX data services maintainers (@openedx)
options:
  names:
    description:
      - The secrets to read, by name or ARN.
    type: list
    elements: str
    required: true
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
  platform:
    platforms: aws
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Read the ARN of the application user's secret
  openedx.data_services.secretsmanager_secret_info:
    names: [openedx/prod/mysql/edxapp001]
  register: found
"""

RETURN = r"""
secrets:
  description: The secrets found, by the name they were asked by.
  returned: always
  type: dict
  sample:
    openedx/prod/mysql/edxapp001:
      arn: arn:aws:secretsmanager:us-east-1:123456789012:secret:openedx/prod/mysql/edxapp001-AbCdEf
      name: openedx/prod/mysql/edxapp001
      kms_key_id: arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab
      tags: {Environment: prod}
missing:
  description: The names asked for that no secret answers to, or whose secret is scheduled for deletion.
  returned: always
  type: list
  elements: str
  sample: [openedx/prod/mysql/nobody]
"""

from typing import Any

from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.openedx.data_services.plugins.module_utils.modules import DataServicesAWSModule
from ansible_collections.openedx.data_services.plugins.module_utils.secretsmanager import (
    AnsibleSecretsManagerError,
    describe_secret,
)


def summary(secret: dict[str, Any]) -> dict[str, Any]:
    return {"arn": secret["ARN"], "name": secret["Name"], "kms_key_id": secret.get("KmsKeyId"),
            "tags": boto3_tag_list_to_ansible_dict(secret.get("Tags", []))}


def main() -> None:
    module = DataServicesAWSModule(argument_spec=dict(names=dict(type="list", elements="str", required=True)),
                                   supports_check_mode=True)
    client = module.client("secretsmanager")
    found: dict[str, Any] = {}
    missing: list[str] = []
    for name in module.params["names"]:
        try:
            secret = describe_secret(client, name)
        except AnsibleSecretsManagerError as e:
            module.fail_json_aws_error(e)
        if secret is None or secret.get("DeletedDate"):
            missing.append(name)
        else:
            found[name] = summary(secret)
    module.exit_json(changed=False, secrets=found, missing=missing)


if __name__ == "__main__":
    main()
