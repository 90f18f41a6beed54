#!/usr/bin/python
# Copyright: Open edX data services maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: environment_info
version_added: 0.1.0
short_description: Read the AWS account, the VPC and the subnets an environment is built in
description:
  - Read, in one task and with one call each, what the data services of an environment are built in, so that they
    can be checked before any change. C(GetCallerIdentity) gives the account and its partition, C(DescribeVpcs) the
    VPC and its CIDR blocks, C(DescribeSubnets) the subnets with their zones.
  - Nothing found is not an error. The VPC and the subnets are looked up by filter, so a VPC or subnet that does not
    exist is simply missing from the result, and the caller decides what to say about it. A call AWS refuses
    (credentials, permissions) is not an error either; its message is returned in RV(errors) and the other reads
    still happen.
author:
  - Open edX data services maintainers (@openedx)
options:
  vpc_id:
    description:
      - The VPC to read.
    type: str
    required: true
  subnet_ids:
    description:
      - The subnets to read.
    type: list
    elements: str
    default: []
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
- name: Read the environment's account, VPC and private subnets
  openedx.data_services.environment_info:
    vpc_id: vpc-0d5a0000000000001
    subnet_ids: [subnet-0d5a0000000000a01, subnet-0d5a0000000000b01]
  register: environment

- name: Check that the subnets span two zones
  ansible.builtin.assert:
    that:
      - environment.subnets | map(attribute='availability_zone') | unique | length >= 2
"""

RETURN = r"""
account:
  description: The account the credentials belong to. Null when C(GetCallerIdentity) failed (see RV(errors)).
  returned: always
  type: dict
  contains:
    account_id:
      description: The 12-digit account ID.
      type: str
      sample: "123456789012"
    arn:
      description: The ARN of the caller.
      type: str
      sample: arn:aws:iam::123456789012:user/director
    partition:
      description: The account's partition.
      type: str
      sample: aws
vpc:
  description: The VPC. Null when it does not exist or could not be read.
  returned: always
  type: dict
  contains:
    vpc_id:
      description: The VPC ID.
      type: str
      sample: vpc-0d5a0000000000001
    cidr_blocks:
      description: Its IPv4 CIDR blocks, the primary one first; associations that are not C(associated) left out.
      type: list
      elements: str
      sample: ["10.42.0.0/16"]
subnets:
  description: The subnets of O(subnet_ids) that exist, in the order asked for.
  returned: always
  type: list
  elements: dict
  contains:
    subnet_id:
      description: The subnet ID.
      type: str
      sample: subnet-0d5a0000000000a01
    vpc_id:
      description: The subnet's VPC.
      type: str
      sample: vpc-0d5a0000000000001
    availability_zone:
      description: The subnet's Availability Zone.
      type: str
      sample: us-east-1a
    cidr_block:
      description: The subnet's IPv4 CIDR block.
      type: str
      sample: 10.42.1.0/24
    map_public_ip_on_launch:
      description: Whether instances launched in it get a public IPv4 address.
      type: bool
      sample: false
errors:
  description: The message of each read AWS refused, by what was read (C(account), C(vpc), C(subnets)).
  returned: always
  type: dict
  sample: {"account": "An error occurred (InvalidClientTokenId) when calling the GetCallerIdentity operation"}
"""

import contextlib
from typing import Any

from ansible_collections.openedx.data_services.plugins.module_utils.modules import DataServicesAWSModule

with contextlib.suppress(ImportError):  # a missing botocore is reported by AnsibleAWSModule
    import botocore


def read_account(sts: Any) -> dict[str, str]:
    caller = sts.get_caller_identity()
    return {"account_id": caller["Account"], "arn": caller["Arn"], "partition": caller["Arn"].split(":")[1]}


def read_vpc(ec2: Any, vpc_id: str) -> dict[str, Any] | None:
    vpcs = ec2.describe_vpcs(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Vpcs"]
    if not vpcs:
        return None
    vpc = vpcs[0]
    associated = [a["CidrBlock"] for a in vpc.get("CidrBlockAssociationSet", [])
                  if a.get("CidrBlockState", {}).get("State", "associated") == "associated"]
    primary = vpc.get("CidrBlock")
    cidrs = ([primary] if primary else []) + [c for c in associated if c != primary]
    return {"vpc_id": vpc["VpcId"], "cidr_blocks": cidrs}


def read_subnets(ec2: Any, subnet_ids: list[str]) -> list[dict[str, Any]]:
    if not subnet_ids:
        return []
    found = {}
    paginator = ec2.get_paginator("describe_subnets")
    for page in paginator.paginate(Filters=[{"Name": "subnet-id", "Values": subnet_ids}]):
        for subnet in page["Subnets"]:
            found[subnet["SubnetId"]] = {
                "subnet_id": subnet["SubnetId"], "vpc_id": subnet["VpcId"],
                "availability_zone": subnet["AvailabilityZone"], "cidr_block": subnet.get("CidrBlock"),
                "map_public_ip_on_launch": bool(subnet.get("MapPublicIpOnLaunch", False)),
            }
    return [found[s] for s in dict.fromkeys(subnet_ids) if s in found]


def main() -> None:
    argument_spec = dict(
        vpc_id=dict(type="str", required=True),
        subnet_ids=dict(type="list", elements="str", default=[]),
    )
    module = DataServicesAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    params = module.params
    ec2 = module.client("ec2")
    result: dict[str, Any] = {"account": None, "vpc": None, "subnets": [], "errors": {}}
    reads = (
        ("account", lambda: read_account(module.client("sts"))),
        ("vpc", lambda: read_vpc(ec2, params["vpc_id"])),
        ("subnets", lambda: read_subnets(ec2, params["subnet_ids"])),
    )
    for key, read in reads:
        try:
            result[key] = read()
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
            result["errors"][key] = str(e)
    module.exit_json(changed=False, **result)


if __name__ == "__main__":
    main()
