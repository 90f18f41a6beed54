#!/usr/bin/python
# Copyright: Open edX data services maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: docdb_cluster_parameter_group
version_added: 0.1.0
short_description: Manage an Amazon DocumentDB cluster parameter group
description:
  - Create, update and delete a DocumentDB cluster parameter group and the values of its parameters.
  - Each changed parameter is applied the way AWS allows for it, V(immediate) for dynamic parameters and
    V(pending-reboot) for static ones (such as C(tls)), which take effect when the instances reboot.
  - Unknown and non-modifiable parameters and a change of family are refused before any change.
author:
  - Open edX data services maintainers (@openedx)
options:
  state:
    description:
      - Whether the parameter group should exist.
    type: str
    choices: [present, absent]
    default: present
  name:
    description:
      - The name of the parameter group.
    type: str
    required: true
  family:
    description:
      - The parameter group family, for example V(docdb5.0). Required to create the group; cannot be changed.
    type: str
  description:
    description:
      - The description of the group. Defaults to the name when creating; cannot be changed.
    type: str
  parameters:
    description:
      - "Parameter values by name, for example C({tls: enabled, audit_logs: enabled})."
      - Parameters not listed keep their value unless O(purge_parameters=true).
    type: dict
    default: {}
  purge_parameters:
    description:
      - Reset the parameters set in the group but not listed in O(parameters) to their engine default.
    type: bool
    default: false
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
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
- name: TLS only, with audit logs and the profiler on
  openedx.data_services.docdb_cluster_parameter_group:
    name: openedx-prod-docdb50
    family: docdb5.0
    description: Open edX DocumentDB 5.0
    parameters:
      tls: enabled
      audit_logs: enabled
      profiler: enabled
      profiler_threshold_ms: 100
    tags:
      environment: prod

- name: Delete the group
  openedx.data_services.docdb_cluster_parameter_group:
    name: openedx-test-docdb50
    state: absent
"""

RETURN = r"""
parameter_group:
  description: The parameter group. Empty after a deletion.
  returned: always
  type: dict
  contains:
    db_cluster_parameter_group_name:
      description: The name of the group.
      type: str
      sample: openedx-prod-docdb50
    db_parameter_group_family:
      description: The family.
      type: str
      sample: docdb5.0
    description:
      description: The description.
      type: str
      sample: Open edX DocumentDB 5.0
    db_cluster_parameter_group_arn:
      description: The ARN of the group.
      type: str
      sample: arn:aws:rds:us-east-1:123456789012:cluster-pg:openedx-prod-docdb50
    parameters:
      description: The values of the parameters set in the group (source V(user)).
      type: dict
      sample: {"tls": "enabled", "audit_logs": "enabled"}
    tags:
      description: The group's tags.
      type: dict
      sample: {"environment": "prod"}
pending_reboot:
  description: The changed parameters that take effect only after the cluster's instances reboot.
  returned: always
  type: list
  elements: str
  sample: [tls]
"""

from ansible_collections.openedx.data_services.plugins.module_utils import docdb, parameter_groups


def main() -> None:
    parameter_groups.run_module("docdb", docdb.CLUSTER_PARAMETER_GROUPS)


if __name__ == "__main__":
    main()
