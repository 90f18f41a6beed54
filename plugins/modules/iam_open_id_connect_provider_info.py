#!/usr/bin/python
# Copyright: Open edX data services maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: iam_open_id_connect_provider_info
version_added: 0.1.0
short_description: Read an IAM OpenID Connect identity provider, such as an EKS cluster's
description:
  - Reads the provider with C(GetOpenIDConnectProvider), so that a role trusting it (IRSA) can be checked before any
    IAM change; IAM refuses a trust policy that names a provider the account does not have.
  - A provider that does not exist is not an error; RV(found) is false.
author:
  - Open edX data services maintainers (@openedx)
options:
  arn:
    description:
      - The provider's ARN, C(arn:aws:iam::<account>:oidc-provider/<issuer host and path>).
    type: str
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
- name: Read the cluster's OIDC provider
  openedx.data_services.iam_open_id_connect_provider_info:
    arn: arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE
  register: provider
"""

RETURN = r"""
found:
  description: Whether the provider exists.
  returned: always
  type: bool
provider:
  description: The provider, when found.
  returned: when found
  type: dict
  contains:
    arn:
      description: The provider's ARN.
      type: str
    url:
      description: The issuer, without its scheme.
      type: str
      sample: oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE
    client_id_list:
      description: The audiences the provider's tokens may name.
      type: list
      elements: str
      sample: [sts.amazonaws.com]
    thumbprint_list:
      description: The thumbprints of the issuer's certificates.
      type: list
      elements: str
    tags:
      description: The provider's tags.
      type: dict
"""

import contextlib

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.openedx.data_services.plugins.module_utils.modules import DataServicesAWSModule

with contextlib.suppress(ImportError):  # AnsibleAWSModule says botocore is missing
    from botocore.exceptions import BotoCoreError, ClientError


def main() -> None:
    module = DataServicesAWSModule(argument_spec=dict(arn=dict(type="str", required=True)), supports_check_mode=True)
    client = module.client("iam")
    try:
        found = client.get_open_id_connect_provider(OpenIDConnectProviderArn=module.params["arn"])
    except is_boto3_error_code(["NoSuchEntity", "InvalidInput"]):
        module.exit_json(changed=False, found=False)
    except (ClientError, BotoCoreError) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg="Could not read the OpenID Connect provider")
    module.exit_json(changed=False, found=True, provider={
        "arn": module.params["arn"], "url": found.get("Url", ""), "client_id_list": found.get("ClientIDList", []),
        "thumbprint_list": found.get("ThumbprintList", []),
        "tags": boto3_tag_list_to_ansible_dict(found.get("Tags", [])),
    })


if __name__ == "__main__":
    main()
