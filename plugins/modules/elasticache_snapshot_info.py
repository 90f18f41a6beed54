#!/usr/bin/python
# Copyright: Open edX data services maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: elasticache_snapshot_info
short_description: Describe ElastiCache (Redis OSS) snapshots
version_added: 0.1.0
description:
  - Describe one ElastiCache snapshot, the snapshots of a replication group, or all of them in the region, in the
    shape M(openedx.data_services.elasticache_snapshot) returns, newest first.
author:
  - Open edX data services maintainers (@openedx)
options:
  name:
    description:
      - The snapshot to describe. A snapshot that does not exist gives an empty list, not an error.
    type: str
    aliases: [snapshot_name]
  replication_group_id:
    description:
      - Only the snapshots of this replication group, which may have been deleted since (its final snapshot).
    type: str
  snapshot_source:
    description:
      - Only V(manual) snapshots, or only V(system) ones (the automatic snapshots of the groups' retention).
    type: str
    choices: [manual, system]
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
- name: The manual snapshots of the Open edX Redis group
  openedx.data_services.elasticache_snapshot_info:
    replication_group_id: openedx-prod-redis
    snapshot_source: manual
  register: redis_snapshots

- name: Show the latest one
  ansible.builtin.debug:
    msg: "{{ redis_snapshots.snapshots[0].snapshot_name | default('none') }}"
"""

RETURN = r"""
snapshots:
  description:
    - The snapshots, newest first, each as RV(openedx.data_services.elasticache_snapshot#module:snapshot) (name, ARN,
      replication group, status, source, creation time, KMS key, node type, engine version, node snapshots, tags).
  returned: always
  type: list
  elements: dict
  sample:
    - snapshot_name: openedx-prod-redis-20250101030000
      replication_group_id: openedx-prod-redis
      snapshot_status: available
      snapshot_source: manual
      snapshot_create_time: "2025-01-01T03:00:12.345000+00:00"
      tags: {Environment: prod}
"""

from ansible_collections.openedx.data_services.plugins.module_utils.elasticache import (
    AnsibleElastiCacheError,
    describe_snapshot,
    list_snapshots,
    list_tags,
    snapshot_state,
)
from ansible_collections.openedx.data_services.plugins.module_utils.modules import DataServicesAWSModule

# What DescribeSnapshots reports as SnapshotSource for each value of its SnapshotSource filter.
SOURCES = {"manual": "manual", "system": "automated"}


def main():
    argument_spec = dict(
        name=dict(type="str", aliases=["snapshot_name"]),
        replication_group_id=dict(type="str"),
        snapshot_source=dict(type="str", choices=list(SOURCES)),
    )
    module = DataServicesAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    client = module.client("elasticache")
    params = module.params
    try:
        if params["name"]:
            snapshot = describe_snapshot(client, params["name"])
            snapshots = [snapshot] if snapshot else []
        else:
            snapshots = list_snapshots(client, params["snapshot_source"])
        group = (params["replication_group_id"] or "").lower()
        source = SOURCES.get(params["snapshot_source"] or "")
        snapshots = [s for s in snapshots
                     if (not group or (s.get("ReplicationGroupId") or "").lower() == group)
                     and (not source or s.get("SnapshotSource") == source)]
        states = [snapshot_state(s, list_tags(client, s["ARN"]) if s.get("ARN") else {}) for s in snapshots]
    except AnsibleElastiCacheError as e:
        module.fail_json_aws_error(e)
    states.sort(key=lambda s: s.get("snapshot_create_time") or "", reverse=True)
    module.exit_json(changed=False, snapshots=states)


if __name__ == "__main__":
    main()
