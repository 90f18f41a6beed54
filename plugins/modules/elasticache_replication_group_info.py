#!/usr/bin/python
# Copyright: Open edX data services maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: elasticache_replication_group_info
short_description: Describe ElastiCache (Redis OSS) replication groups
version_added: 0.1.0
description:
  - Describe one ElastiCache replication group, or all of them in the region, in the shape
    M(openedx.data_services.elasticache_replication_group) returns.
  - The AUTH token is never returned (AWS does not return it either).
author:
  - Open edX data services maintainers (@openedx)
options:
  replication_group_id:
    description:
      - The group to describe. All groups of the region when omitted.
      - A group that does not exist gives an empty list, not an error.
    type: str
    aliases: [name]
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
attributes:
  check_mode:
    support: full
    description: The module only reads.
  diff_mode:
    support: none
    description: The module changes nothing.
"""

EXAMPLES = r"""
- name: Describe the Open edX Redis group
  openedx.data_services.elasticache_replication_group_info:
    replication_group_id: openedx-prod-redis
  register: redis

- name: Show its primary endpoint
  ansible.builtin.debug:
    msg: "rediss://{{ redis.replication_groups[0].primary_endpoint }}:{{ redis.replication_groups[0].port }}"

- name: Describe every replication group of the region
  openedx.data_services.elasticache_replication_group_info:
"""

RETURN = r"""
replication_groups:
  description:
    - The replication groups, each as RV(openedx.data_services.elasticache_replication_group#module:replication_group)
      (identifier, ARN, status, endpoints, port, members, encryption and failover flags, parameter and subnet
      groups, security groups, log delivery, snapshot and maintenance settings, tags).
  returned: always
  type: list
  elements: dict
  sample:
    - replication_group_id: openedx-prod-redis
      arn: arn:aws:elasticache:us-east-1:123456789012:replicationgroup:openedx-prod-redis
      status: available
      primary_endpoint: openedx-prod-redis.abc123.ng.0001.use1.cache.amazonaws.com
      reader_endpoint: openedx-prod-redis-ro.abc123.ng.0001.use1.cache.amazonaws.com
      port: 6379
      member_clusters: [openedx-prod-redis-001, openedx-prod-redis-002, openedx-prod-redis-003]
      automatic_failover: true
      multi_az: true
      transit_encryption: true
      auth_token_enabled: true
      tags: {environment: prod}
"""

from ansible_collections.openedx.data_services.plugins.module_utils.elasticache import (
    AnsibleElastiCacheError,
    describe_replication_group_state,
    list_replication_group_states,
)
from ansible_collections.openedx.data_services.plugins.module_utils.modules import DataServicesAWSModule


def main():
    argument_spec = dict(replication_group_id=dict(type="str", aliases=["name"]))
    module = DataServicesAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    client = module.client("elasticache")
    group_id = module.params["replication_group_id"]
    try:
        if group_id:
            group = describe_replication_group_state(client, group_id)
            groups = [group] if group else []
        else:
            groups = list_replication_group_states(client)
    except AnsibleElastiCacheError as e:
        module.fail_json_aws_error(e)
    module.exit_json(changed=False, replication_groups=groups)


if __name__ == "__main__":
    main()
