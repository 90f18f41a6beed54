#!/usr/bin/python
# Copyright: Open edX data services maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: elasticache_snapshot
short_description: Manage manual snapshots of ElastiCache (Redis OSS) replication groups
version_added: 0.1.0
description:
  - Create or delete a manual snapshot (backup) of an ElastiCache replication group, and manage its tags.
  - Unlike M(community.aws.elasticache_snapshot), waits for the snapshot, tags it, takes a KMS key and supports
    check mode.
  - The snapshot is identified by its O(name) alone; an existing snapshot of another replication group is an error,
    not a reason to take a new one.
  - A snapshot seeds a new replication group through
    O(openedx.data_services.elasticache_replication_group#module:snapshot_name).
author:
  - Open edX data services maintainers (@openedx)
options:
  name:
    description:
      - The snapshot name, unique in the account and region.
    type: str
    required: true
    aliases: [snapshot_name]
  state:
    description:
      - V(present) creates the snapshot (and updates its tags), V(absent) deletes it.
      - Only manual snapshots are deleted; deleting an automatic one fails.
    type: str
    choices: [present, absent]
    default: present
  replication_group_id:
    description:
      - The replication group to snapshot. Required to create the snapshot.
      - Given for an existing snapshot, it must be the group the snapshot was taken of.
      - ElastiCache takes the snapshot once the group is available; the module waits for that first.
    type: str
  kms_key_id:
    description:
      - The KMS key (id, ARN, alias or alias ARN) encrypting the snapshot. When omitted, a snapshot of a group
        encrypted at rest is encrypted with the group's key.
      - Only settable when the snapshot is created; a different key on an existing snapshot fails.
    type: str
  wait:
    description:
      - Whether to wait until the snapshot is available (or deleted) before returning.
    type: bool
    default: true
  wait_timeout:
    description:
      - How many seconds to wait for each step.
    type: int
    default: 1800
notes:
  - Tags given in O(tags) are set on the snapshot when it is created; M(openedx.data_services.elasticache_snapshot)
    compares and updates them afterwards like any resource's.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
attributes:
  check_mode:
    support: full
    description: Reports what would change without any mutating call.
  diff_mode:
    support: full
    description: Shows the snapshot's name, group, KMS key and tags before and after.
"""

EXAMPLES = r"""
- name: Snapshot the Redis group before an upgrade
  openedx.data_services.elasticache_snapshot:
    name: openedx-prod-redis-20250101030000
    replication_group_id: openedx-prod-redis
    tags:
      Environment: prod
      ManagedBy: openedx.data_services

- name: Seed a new group from it
  openedx.data_services.elasticache_replication_group:
    replication_group_id: openedx-prod-redis-restored
    description: Open edX cache (restored)
    cache_node_type: cache.r7g.large
    transit_encryption: true
    auth_token: "{{ vault_redis_auth_token }}"
    snapshot_name: openedx-prod-redis-20250101030000

- name: Delete the snapshot
  openedx.data_services.elasticache_snapshot:
    name: openedx-prod-redis-20250101030000
    state: absent
"""

RETURN = r"""
snapshot:
  description: The snapshot as DescribeSnapshots reports it, in snake_case, with its tags. Empty after a deletion.
  returned: always
  type: dict
  contains:
    snapshot_name:
      description: The snapshot name.
      type: str
      sample: openedx-prod-redis-20250101030000
    arn:
      description: The snapshot ARN.
      type: str
      sample: arn:aws:elasticache:us-east-1:123456789012:snapshot:openedx-prod-redis-20250101030000
    replication_group_id:
      description: The replication group the snapshot was taken of.
      type: str
      sample: openedx-prod-redis
    snapshot_status:
      description: The snapshot status (V(creating), V(available), V(restoring), V(copying), V(deleting)).
      type: str
      sample: available
    snapshot_source:
      description: V(manual), or V(automated) for the daily snapshots of the group's retention.
      type: str
      sample: manual
    snapshot_create_time:
      description: When the snapshot was taken (of its first node).
      type: str
      sample: "2025-01-01T03:00:12.345000+00:00"
    kms_key_id:
      description: The ARN of the KMS key encrypting the snapshot.
      type: str
      sample: arn:aws:kms:us-east-1:123456789012:key/0d5a0000-0000-0000-0000-000000000001
    cache_node_type:
      description: The node type of the group when the snapshot was taken.
      type: str
      sample: cache.r7g.large
    engine:
      description: The engine.
      type: str
      sample: redis
    engine_version:
      description: The engine version of the group when the snapshot was taken.
      type: str
      sample: 7.1.0
    node_snapshots:
      description: The snapshot of each node (cache cluster id, node id, size, creation times).
      type: list
      elements: dict
      sample: [{"cache_cluster_id": "openedx-prod-redis-001", "cache_node_id": "0001", "cache_size": "5 MB"}]
    tags:
      description: The snapshot's tags.
      type: dict
      sample: {Environment: prod}
resource:
  description:
    - The snapshot as it was last read, in the shape M(openedx.data_services.wait_for_resources) returns, so that a
      caller need not wait for (nor read again) a snapshot found ready. Its C(ready) is true when it is
      C(available).
  returned: unless O(state=absent)
  type: dict
  contains:
    status:
      description: The status, lower case; C(absent) when the snapshot does not exist.
      type: str
    ready:
      description: Whether the snapshot is ready.
      type: bool
    failed:
      description: Whether the snapshot is in a state it will not leave by waiting.
      type: bool
    arn:
      description: Its ARN.
      type: str
    endpoint:
      description: Empty (a snapshot has no endpoint).
      type: str
    reader_endpoint:
      description: Empty.
      type: str
    port:
      description: The port of the group it was taken of.
      type: int
    description:
      description: AWS's description of it, in snake_case.
      type: dict
"""

from ansible_collections.openedx.data_services.plugins.module_utils import engine, resources
from ansible_collections.openedx.data_services.plugins.module_utils.common import refuse_kms_key_change
from ansible_collections.openedx.data_services.plugins.module_utils.elasticache import (
    create_snapshot,
    delete_snapshot,
    describe_replication_group,
    describe_snapshot,
    list_tags,
    snapshot_name_problem,
    snapshot_state,
    update_tags,
)
from ansible_collections.openedx.data_services.plugins.module_utils.modules import DataServicesAWSModule


class Snapshot(engine.Resource):
    kind = "elasticache_snapshot"
    result_key = "snapshot"

    def __init__(self, module, client):
        super().__init__(module, client)
        self.snapshot = None

    @property
    def name(self):
        return self.params["name"]

    def read(self):
        self.snapshot = describe_snapshot(self.client, self.name)
        if self.snapshot is None:
            self.readiness = resources.absent()
            return None
        self.readiness = resources.elasticache_snapshot_state(self.snapshot)
        snapshot = self.snapshot
        return {
            "snapshot_name": snapshot["SnapshotName"],
            "arn": snapshot.get("ARN"),
            "replication_group_id": snapshot.get("ReplicationGroupId"),
            "snapshot_source": snapshot.get("SnapshotSource"),
            "snapshot_status": snapshot.get("SnapshotStatus"),
            "kms_key_id": snapshot.get("KmsKeyId"),
            "tags": list_tags(self.client, snapshot["ARN"]) if snapshot.get("ARN") else {},
        }

    def result(self, state):
        return snapshot_state(self.snapshot, state["tags"]) if state and self.snapshot else {}

    def diff_view(self, state):
        return {k: v for k, v in (state or {}).items() if k not in ("arn", "snapshot_status")}

    def plan_create(self):
        params = self.params
        group_id = params["replication_group_id"]
        if not group_id:
            self.module.fail_json(msg=f"Creating snapshot {self.name} needs replication_group_id.")
        group = describe_replication_group(self.client, group_id)
        if group is None:
            self.module.fail_json(msg=f"Replication group {group_id} does not exist; snapshot {self.name} cannot be "
                                      "taken of it.")
        plan = engine.Plan({
            "snapshot_name": self.name, "replication_group_id": group["ReplicationGroupId"],
            "snapshot_source": "manual", "kms_key_id": params["kms_key_id"] or group.get("KmsKeyId"),
            "tags": params["tags"] or {},
        })
        if group.get("Status") != "available":
            # ElastiCache only snapshots an available group.
            plan.call(lambda: resources.wait(self.client, "elasticache_replication_group", group_id,
                                             params["wait_timeout"]))
        plan.call(lambda: create_snapshot(self.client, self.name, group_id, params["kms_key_id"], params["tags"]))
        if params["wait"]:
            plan.call(self.wait)
        return plan

    def plan_update(self, current):
        params = self.params
        group_id = params["replication_group_id"]
        if group_id and group_id.lower() != (current["replication_group_id"] or "").lower():
            self.module.fail_json(msg=f"Snapshot {self.name} is of replication group {current['replication_group_id']}"
                                      f", not {group_id}; choose another name for a snapshot of {group_id}.")
        refuse_kms_key_change(self.kms_client, f"snapshot {self.name}", params["kms_key_id"], current["kms_key_id"],
                              "copy the snapshot with the other key instead.")
        plan = engine.Plan()
        self.plan_tags(plan, current, update_tags)
        return plan

    def settle(self, current):
        if self.params["wait"] and current["snapshot_status"] != "available":
            self.wait()
            return True
        return False

    def plan_delete(self, current):
        plan = engine.Plan()
        if current["snapshot_source"] != "manual":
            self.module.fail_json(msg=f"Snapshot {self.name} is {current['snapshot_source']}; only manual snapshots "
                                      "are deleted (ElastiCache expires automatic ones with the group's retention).")
        if current["snapshot_status"] == "deleting":
            return plan
        if current["snapshot_status"] != "available":
            # ElastiCache deletes available snapshots only.
            plan.call(self.wait)
        plan.call(lambda: delete_snapshot(self.client, self.name))
        if self.params["wait"]:
            plan.call(lambda: self.wait("absent"))
        return plan


def main():
    argument_spec = dict(
        name=dict(type="str", required=True, aliases=["snapshot_name"]),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        replication_group_id=dict(type="str"),
        kms_key_id=dict(type="str", no_log=False),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=1800),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )
    module = DataServicesAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    problem = snapshot_name_problem(module.params["name"])
    if problem:
        module.fail_json(msg=problem)
    engine.run(Snapshot(module, module.client("elasticache")))


if __name__ == "__main__":
    main()
