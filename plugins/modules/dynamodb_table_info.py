#!/usr/bin/python
# Copyright: Open edX data services maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: dynamodb_table_info
version_added: 0.2.0
short_description: Read DynamoDB tables in the option names of dynamodb_table
description:
  - Describes the tables named (or every table whose name starts with O(prefix)) with their time to live,
    point-in-time recovery and tags, in the option names of M(openedx.data_services.dynamodb_table).
author:
  - Open edX data services maintainers (@openedx)
options:
  names:
    description: The tables to read; a table that does not exist is left out.
    type: list
    elements: str
  prefix:
    description: With no O(names), read every table whose name starts with it (all tables when empty).
    type: str
    default: ""
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
- name: Read the environment's tables
  openedx.data_services.dynamodb_table_info:
    prefix: openedx-prod-
  register: tables
"""

RETURN = r"""
tables:
  description: The tables, each as M(openedx.data_services.dynamodb_table) returns it.
  returned: always
  type: list
  elements: dict
"""

from ansible_collections.openedx.data_services.plugins.module_utils import dynamodb
from ansible_collections.openedx.data_services.plugins.module_utils.modules import DataServicesAWSModule


def main() -> None:
    module = DataServicesAWSModule(argument_spec=dict(names=dict(type="list", elements="str"),
                                                      prefix=dict(type="str", default="")),
                                   supports_check_mode=True)
    client = module.client("dynamodb")
    try:
        names = module.params["names"]
        if names is None:
            names = [n for n in client.get_paginator("list_tables").paginate().build_full_result()["TableNames"]
                     if n.startswith(module.params["prefix"])]
        tables = []
        for name in names:
            table = dynamodb.describe_table(client, name)
            if table is not None:
                tables.append(dynamodb.normalise(table, dynamodb.describe_ttl(client, name),
                                                 dynamodb.describe_backups(client, name),
                                                 dynamodb.list_tags(client, table["TableArn"])))
    except dynamodb.AnsibleDynamoDBError as e:
        module.fail_json_aws_error(e)
    module.exit_json(changed=False, tables=tables)


if __name__ == "__main__":
    main()
