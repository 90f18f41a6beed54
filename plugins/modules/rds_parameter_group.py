#!/usr/bin/python
# Copyright: Open edX data services maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: rds_parameter_group
version_added: 0.1.0
short_description: Manage an Amazon RDS DB parameter group, applying static parameters at the next reboot
description:
  - Create, update and delete an RDS DB (instance) parameter group and the values of its parameters.
  - Each changed parameter is applied the way AWS allows for it, V(immediate) for dynamic parameters and
    V(pending-reboot) for static ones (such as C(innodb_log_buffer_size) or C(performance_schema) of MySQL), which
    take effect when the instances using the group reboot.
    M(amazon.aws.rds_instance_param_group) applies every parameter the same way, and AWS refuses V(immediate) for
    a static parameter.
  - Unknown and non-modifiable parameters and a change of family are refused before any change.
  - A run that changes nothing reads the group, its user-set parameters and its tags; every parameter of the
    family is read only when a parameter in O(parameters) is not set in the group yet.
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
      - The parameter group family, for example V(mysql8.0). Required to create the group; cannot be changed.
    type: str
  description:
    description:
      - The description of the group. Defaults to the name when creating; cannot be changed.
    type: str
  parameters:
    description:
      - "Parameter values by name, for example C({require_secure_transport: 1, character_set_server: utf8mb4})."
      - Numbers become strings; a YAML boolean becomes V(1) or V(0) for a parameter of data type C(boolean), V(true)
        or V(false) otherwise.
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
notes:
  - A changed static parameter is listed in RV(pending_reboot); RDS reports the instances using the group with the
    parameter group status C(pending-reboot) until they reboot.
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: TLS only and utf8mb4, with a bigger redo log buffer (static, applied at the next reboot)
  openedx.data_services.rds_parameter_group:
    name: openedx-prod-mysql-mysql8-0
    family: mysql8.0
    description: Open edX MySQL 8.0
    parameters:
      require_secure_transport: 1
      character_set_server: utf8mb4
      collation_server: utf8mb4_unicode_ci
      innodb_log_buffer_size: 33554432
    tags:
      environment: prod
  register: mysql_parameters

- name: Say which changes wait for a reboot
  ansible.builtin.debug:
    msg: "{{ mysql_parameters.pending_reboot | join(', ') }} take effect at the next reboot"
  when: mysql_parameters.pending_reboot | length > 0

- name: Delete the group
  openedx.data_services.rds_parameter_group:
    name: openedx-test-mysql-mysql8-0
    state: absent
"""

RETURN = r"""
parameter_group:
  description: The parameter group. Empty after a deletion.
  returned: always
  type: dict
  contains:
    db_parameter_group_name:
      description: The name of the group.
      type: str
      sample: openedx-prod-mysql-mysql8-0
    db_parameter_group_family:
      description: The family.
      type: str
      sample: mysql8.0
    description:
      description: The description.
      type: str
      sample: Open edX MySQL 8.0
    db_parameter_group_arn:
      description: The ARN of the group.
      type: str
      sample: arn:aws:rds:us-east-1:123456789012:pg:openedx-prod-mysql-mysql8-0
    parameters:
      description: The values of the parameters set in the group (source V(user)).
      type: dict
      sample: {"require_secure_transport": "1", "character_set_server": "utf8mb4"}
    tags:
      description: The group's tags.
      type: dict
      sample: {"environment": "prod"}
pending_reboot:
  description: The changed parameters that take effect only after the instances using the group reboot.
  returned: always
  type: list
  elements: str
  sample: [innodb_log_buffer_size]
"""

from ansible_collections.openedx.data_services.plugins.module_utils import parameter_groups, rds


def main() -> None:
    parameter_groups.run_module("rds", rds.PARAMETER_GROUPS)


if __name__ == "__main__":
    main()
