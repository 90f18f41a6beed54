#!/usr/bin/python
# Copyright: Open edX data services maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: docdb_cluster_snapshot
version_added: 0.1.0
short_description: Manage manual Amazon DocumentDB cluster snapshots
description:
  - Create or delete a manual snapshot of a DocumentDB cluster, and manage its tags (O(tags), O(purge_tags)).
  - The snapshot is identified by O(identifier) alone; an existing snapshot of another cluster is an error.
  - A snapshot is restored into a new cluster with
    O(openedx.data_services.docdb_cluster#module:restore_from.snapshot_identifier).
author:
  - Open edX data services maintainers (@openedx)
options:
  state:
    description:
      - Whether the snapshot should exist.
    type: str
    choices: [present, absent]
    default: present
  identifier:
    description:
      - The snapshot identifier.
    type: str
    required: true
    aliases: [db_cluster_snapshot_identifier]
  db_cluster_identifier:
    description:
      - The cluster to snapshot. Required to create the snapshot.
    type: str
  wait:
    description:
      - Wait for the snapshot to be available (or deleted).
    type: bool
    default: true
  wait_timeout:
    description:
      - How many seconds to wait.
    type: int
    default: 1800
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
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Snapshot the cluster before an upgrade
  openedx.data_services.docdb_cluster_snapshot:
    identifier: openedx-prod-docdb-before-upgrade
    db_cluster_identifier: openedx-prod-docdb
    tags:
      reason: upgrade

- name: Delete the snapshot
  openedx.data_services.docdb_cluster_snapshot:
    identifier: openedx-prod-docdb-before-upgrade
    state: absent
"""

RETURN = r"""
snapshot:
  description: The snapshot as DescribeDBClusterSnapshots reports it, in snake_case, with its tags. Empty after a
    deletion.
  returned: always
  type: dict
  contains:
    db_cluster_snapshot_identifier:
      description: The snapshot identifier.
      type: str
      sample: openedx-prod-docdb-before-upgrade
    db_cluster_identifier:
      description: The cluster the snapshot was taken of.
      type: str
      sample: openedx-prod-docdb
    db_cluster_snapshot_arn:
      description: The snapshot ARN.
      type: str
      sample: arn:aws:rds:us-east-1:123456789012:cluster-snapshot:openedx-prod-docdb-before-upgrade
    status:
      description: The snapshot status (V(creating), V(available), V(deleting)...).
      type: str
      sample: available
    snapshot_type:
      description: The snapshot type, V(manual) or V(automated).
      type: str
      sample: manual
    snapshot_create_time:
      description: When the snapshot was taken.
      type: str
      sample: "2025-01-01T03:00:12.345000+00:00"
    cluster_create_time:
      description: When the cluster the snapshot was taken of was created.
      type: str
      sample: "2024-06-01T10:00:00+00:00"
    storage_encrypted:
      description: Whether the snapshot is encrypted.
      type: bool
      sample: true
    kms_key_id:
      description: The ARN of the KMS key encrypting the snapshot; absent when it is not encrypted.
      type: str
      sample: arn:aws:kms:us-east-1:123456789012:key/0d5a0000-0000-0000-0000-000000000001
    engine:
      description: The engine.
      type: str
      sample: docdb
    engine_version:
      description: The engine version of the cluster when the snapshot was taken.
      type: str
      sample: 5.0.0
    master_username:
      description: The master user a cluster restored from the snapshot has.
      type: str
      sample: docdbadmin
    port:
      description: The port of the cluster when the snapshot was taken.
      type: int
      sample: 27017
    percent_progress:
      description: How far the snapshot is, in percent.
      type: int
      sample: 100
    tags:
      description: The snapshot's tags.
      type: dict
      sample: {"reason": "upgrade"}
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags
from ansible_collections.openedx.data_services.plugins.module_utils import docdb, resources
from ansible_collections.openedx.data_services.plugins.module_utils.modules import DataServicesAWSModule


def ensure_present(module, client, snapshot: dict | None, check_mode: bool) -> bool:
    params = module.params
    if snapshot is None:
        if not params["db_cluster_identifier"]:
            module.fail_json(msg=f"creating snapshot {params['identifier']} needs db_cluster_identifier")
        if check_mode:
            return True
        docdb.create_cluster_snapshot(client, params["identifier"], params["db_cluster_identifier"],
                                      params["tags"] or {})
        if params["wait"]:
            resources.wait(client, "docdb_cluster_snapshot", params["identifier"], params["wait_timeout"])
        return True
    if params["db_cluster_identifier"] and params["db_cluster_identifier"] != snapshot["DBClusterIdentifier"]:
        module.fail_json(msg=f"snapshot {params['identifier']} is of cluster {snapshot['DBClusterIdentifier']}, "
                             f"not {params['db_cluster_identifier']}")
    if params["tags"] is None:
        return False
    arn = snapshot["DBClusterSnapshotArn"]
    to_add, to_remove = compare_aws_tags(docdb.list_tags(client, arn), params["tags"], params["purge_tags"])
    if not (to_add or to_remove):
        return False
    if not check_mode:
        docdb.update_tags(client, arn, to_add, to_remove)
    return True


def ensure_absent(module, client, snapshot: dict | None, check_mode: bool) -> bool:
    params = module.params
    if snapshot is None:
        return False
    if snapshot.get("SnapshotType") != "manual":
        module.fail_json(msg=f"snapshot {params['identifier']} is {snapshot.get('SnapshotType')}; "
                             "only manual snapshots can be deleted")
    if check_mode:
        return True
    docdb.delete_cluster_snapshot(client, params["identifier"])
    if params["wait"]:
        resources.wait(client, "docdb_cluster_snapshot", params["identifier"], params["wait_timeout"], "absent")
    return True


def describe(client, identifier: str) -> dict:
    snapshot = docdb.describe_cluster_snapshot(client, identifier)
    if snapshot is None:
        return {}
    return docdb.to_ansible(snapshot, docdb.list_tags(client, snapshot["DBClusterSnapshotArn"]))


def main() -> None:
    argument_spec = dict(
        state=dict(type="str", choices=["present", "absent"], default="present"),
        identifier=dict(type="str", required=True, aliases=["db_cluster_snapshot_identifier"]),
        db_cluster_identifier=dict(type="str"),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=1800),
    )
    module = DataServicesAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    client = module.client("docdb")
    identifier = module.params["identifier"]
    try:
        snapshot = docdb.describe_cluster_snapshot(client, identifier)
        if module.params["state"] == "present":
            changed = ensure_present(module, client, snapshot, module.check_mode)
            result = describe(client, identifier)
        else:
            changed = ensure_absent(module, client, snapshot, module.check_mode)
            result = {}
    except AnsibleAWSError as e:
        module.fail_json_aws_error(e)
    module.exit_json(changed=changed, snapshot=result)


if __name__ == "__main__":
    main()
