#!/usr/bin/python
# Copyright: Open edX data services maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: docdb_cluster
version_added: 0.1.0
short_description: Manage an Amazon DocumentDB cluster and its instances
description:
  - Create, update and delete an Amazon DocumentDB cluster together with its instances (one writer and
    O(instance_count) - 1 readers).
  - Changing O(instance_count) adds readers or removes the highest-numbered readers; the writer is never removed.
  - Settings AWS cannot change in place (O(master_username), O(db_subnet_group_name), O(storage_encrypted),
    O(kms_key_id)) are never replaced; a difference makes the module fail with a message naming the option.
  - With O(restore_from), a cluster that does not exist yet is restored from a cluster snapshot or to a point in
    time of another cluster instead of being created empty.
author:
  - Open edX data services maintainers (@openedx)
options:
  state:
    description:
      - Whether the cluster should exist.
    type: str
    choices: [present, absent]
    default: present
  identifier:
    description:
      - The cluster identifier. Instances are named C(<identifier>-1), C(<identifier>-2), ...
    type: str
    required: true
    aliases: [db_cluster_identifier]
  engine_version:
    description:
      - The DocumentDB engine version, for example V(5.0.0). Changing it upgrades the cluster in place.
      - A version lower than the cluster's is refused (DocumentDB never downgrades), and so is a new major version
        that is not one AWS upgrades the cluster's to in place (3.6 and 4.0 to 5.0, 5.0 to 8.0).
      - A new major version needs O(allow_major_version_upgrade=true) and usually a cluster parameter group of the
        new family in O(db_cluster_parameter_group_name).
    type: str
  allow_major_version_upgrade:
    description:
      - Whether a new major O(engine_version) may be applied. Without it a major version change is refused before
        any change, saying how to go ahead.
      - A major version upgrade cannot be undone; take a cluster snapshot first.
    type: bool
    default: false
  instance_class:
    description:
      - The instance class of every instance, for example V(db.r6g.large). Required to create the cluster.
    type: str
  instance_count:
    description:
      - The number of instances, writer included, from 1 to 16.
    type: int
    default: 1
  master_username:
    description:
      - The name of the administrative user. Required to create the cluster; cannot be changed.
    type: str
  master_user_password:
    description:
      - The administrative user's password, 8 to 100 printable ASCII characters except V(/), V(") and V(@).
      - Required to create the cluster. AWS never returns it, so it is only set again when
        O(update_password=always).
    type: str
  update_password:
    description:
      - V(on_create) sets O(master_user_password) only when creating the cluster; V(always) sets it on every run
        (which then always reports a change).
    type: str
    choices: [always, on_create]
    default: on_create
  db_subnet_group_name:
    description:
      - The DB subnet group the cluster lives in. Cannot be changed.
    type: str
  vpc_security_group_ids:
    description:
      - The VPC security groups of the cluster.
    type: list
    elements: str
  db_cluster_parameter_group_name:
    description:
      - The cluster parameter group (see M(openedx.data_services.docdb_cluster_parameter_group)).
    type: str
  storage_encrypted:
    description:
      - Whether the storage is encrypted. Cannot be changed.
    type: bool
  kms_key_id:
    description:
      - The KMS key (ID, ARN or alias) encrypting the storage. Needs O(storage_encrypted=true).
      - A different key on an existing cluster is refused; it would need a new cluster restored from a snapshot.
    type: str
  backup_retention_period:
    description:
      - Days automated backups are kept, 1 to 35.
    type: int
  preferred_backup_window:
    description:
      - The daily backup window, C(hh24:mi-hh24:mi) in UTC.
    type: str
  preferred_maintenance_window:
    description:
      - The weekly maintenance window, C(ddd:hh24:mi-ddd:hh24:mi) in UTC.
    type: str
  enabled_cloudwatch_logs_exports:
    description:
      - The log types exported to CloudWatch Logs. The cluster parameter group must enable them too.
    type: list
    elements: str
    choices: [audit, profiler]
  deletion_protection:
    description:
      - Whether the cluster is protected from deletion.
      - With O(state=absent), V(false) confirms that a protected cluster may be unprotected and deleted.
    type: bool
  port:
    description:
      - The port the cluster listens on.
    type: int
  apply_immediately:
    description:
      - Apply cluster and instance modifications now rather than in the next maintenance window.
    type: bool
    default: false
  final_snapshot_identifier:
    description:
      - The snapshot taken before the cluster is deleted. With O(state=absent) either this or
        O(skip_final_snapshot=true) is required.
    type: str
  skip_final_snapshot:
    description:
      - Delete the cluster without a final snapshot.
    type: bool
    default: false
  restore_from:
    description:
      - Where the data of a new cluster comes from. Only used when the cluster does not exist; ignored for an
        existing cluster, whose data is never replaced.
      - The cluster is restored with the settings the restore call takes (O(kms_key_id), O(db_subnet_group_name),
        O(vpc_security_group_ids), O(port), O(deletion_protection), O(enabled_cloudwatch_logs_exports),
        O(tags), and from a snapshot also O(engine_version) and O(db_cluster_parameter_group_name)); once it is
        available, the module modifies what the restore could not set (O(backup_retention_period), the windows,
        the engine version and parameter group of a point-in-time restore) with C(ApplyImmediately), as for an
        update, then creates the O(instance_count) instances.
      - The restored cluster keeps the source's master user and its password at the snapshot or the point in time.
        O(master_username) may be given but must be the source's; O(master_user_password), when given, is set on
        the restored cluster (whatever O(update_password) says, as on creation).
      - A restore of an unencrypted snapshot or cluster is encrypted when O(kms_key_id) is given; the restore of
        an encrypted one stays encrypted (with O(kms_key_id) when given, else the source's key).
    type: dict
    suboptions:
      snapshot_identifier:
        description:
          - The cluster snapshot to restore (manual, automated or final). The module waits for it to be available.
        type: str
      source_cluster_identifier:
        description:
          - The cluster to restore to a point in time; give O(restore_from.restore_time) or
            O(restore_from.use_latest_restorable_time=true).
        type: str
      restore_time:
        description:
          - The point in time, ISO 8601 in UTC, for example V(2025-01-01T03:00:00Z). It must lie between the
            source's C(EarliestRestorableTime) and C(LatestRestorableTime).
        type: str
      use_latest_restorable_time:
        description:
          - Restore to the source's C(LatestRestorableTime).
        type: bool
  wait:
    description:
      - Wait for the cluster and its instances to be available (or deleted).
      - Instances can only be added to an available cluster, so a new cluster is always waited for before its
        instances are created.
    type: bool
    default: true
  wait_timeout:
    description:
      - How many seconds to wait for each step.
    type: int
    default: 1800
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
  platform:
    platforms: aws
notes:
  - Tags given in O(tags) are also set on instances this module creates; instance tags are not managed after
    creation.
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Create an encrypted DocumentDB cluster with a writer and two readers
  openedx.data_services.docdb_cluster:
    identifier: openedx-prod-docdb
    engine_version: 5.0.0
    instance_class: db.r6g.large
    instance_count: 3
    master_username: docdbadmin
    master_user_password: "{{ vault_docdb_password }}"
    db_subnet_group_name: openedx-prod-private
    vpc_security_group_ids: [sg-0123456789abcdef0]
    db_cluster_parameter_group_name: openedx-prod-docdb50
    storage_encrypted: true
    kms_key_id: alias/openedx-prod
    backup_retention_period: 7
    preferred_backup_window: "03:00-04:00"
    preferred_maintenance_window: "mon:04:00-mon:05:00"
    enabled_cloudwatch_logs_exports: [audit, profiler]
    deletion_protection: true
    tags:
      environment: prod
  register: docdb

- name: Restore a copy of the cluster as it was at 03:00 UTC, encrypted with the environment key
  openedx.data_services.docdb_cluster:
    identifier: openedx-prod-docdb-restored
    restore_from:
      source_cluster_identifier: openedx-prod-docdb
      restore_time: "2025-01-01T03:00:00Z"
    instance_class: db.r6g.large
    instance_count: 1
    db_subnet_group_name: openedx-prod-private
    vpc_security_group_ids: [sg-0123456789abcdef0]
    db_cluster_parameter_group_name: openedx-prod-docdb50
    storage_encrypted: true
    kms_key_id: alias/openedx-prod
    backup_retention_period: 7
    tags:
      environment: prod

- name: Restore a copy of the cluster from its final snapshot
  openedx.data_services.docdb_cluster:
    identifier: openedx-test-docdb-restored
    restore_from:
      snapshot_identifier: openedx-test-docdb-final
    instance_class: db.t3.medium

- name: Delete a test cluster, keeping a final snapshot
  openedx.data_services.docdb_cluster:
    identifier: openedx-test-docdb
    state: absent
    final_snapshot_identifier: openedx-test-docdb-final
"""

RETURN = r"""
cluster:
  description: The cluster as DescribeDBClusters reports it, in snake_case, with its tags and instances.
    Empty after a deletion.
  returned: always
  type: dict
  contains:
    db_cluster_identifier:
      description: The cluster identifier.
      type: str
      sample: openedx-prod-docdb
    db_cluster_arn:
      description: The cluster ARN.
      type: str
      sample: arn:aws:rds:us-east-1:123456789012:cluster:openedx-prod-docdb
    status:
      description: The cluster status.
      type: str
      sample: available
    endpoint:
      description: The writer endpoint.
      type: str
      sample: openedx-prod-docdb.cluster-c1a2b3.us-east-1.docdb.amazonaws.com
    reader_endpoint:
      description: The load-balanced reader endpoint.
      type: str
      sample: openedx-prod-docdb.cluster-ro-c1a2b3.us-east-1.docdb.amazonaws.com
    port:
      description: The port.
      type: int
      sample: 27017
    engine_version:
      description: The engine version.
      type: str
      sample: 5.0.0
    storage_encrypted:
      description: Whether the storage is encrypted.
      type: bool
      sample: true
    kms_key_id:
      description: The ARN of the KMS key encrypting the storage.
      type: str
      sample: arn:aws:kms:us-east-1:123456789012:key/0d5a0000-0000-0000-0000-000000000001
    db_cluster_members:
      description: The instances and which one is the writer.
      type: list
      elements: dict
      sample: [{"db_instance_identifier": "openedx-prod-docdb-1", "is_cluster_writer": true}]
    enabled_cloudwatch_logs_exports:
      description: The log types exported to CloudWatch Logs.
      type: list
      elements: str
      sample: [audit, profiler]
    tags:
      description: The cluster's tags.
      type: dict
      sample: {"environment": "prod"}
    instances:
      description: The cluster's instances as DescribeDBInstances reports them, in snake_case.
      type: list
      elements: dict
resource:
  description:
    - The cluster as it was last read, in the shape M(openedx.data_services.wait_for_resources) returns, so that a
      caller need not wait for (nor read again) a cluster found ready. Its C(ready) is true when it and every one of
      its instances are C(available).
  returned: unless O(state=absent)
  type: dict
  contains:
    status:
      description: The status, lower case; C(absent) when the cluster does not exist.
      type: str
    ready:
      description: Whether the cluster is ready.
      type: bool
    failed:
      description: Whether the cluster is in a state it will not leave by waiting.
      type: bool
    arn:
      description: Its ARN.
      type: str
    endpoint:
      description: The address to connect to.
      type: str
    reader_endpoint:
      description: The reader address, where the service has one.
      type: str
    port:
      description: The port.
      type: int
    description:
      description: AWS's description of it, in snake_case.
      type: dict
"""

import datetime
import re

from ansible_collections.openedx.data_services.plugins.module_utils import docdb, engine, resources
from ansible_collections.openedx.data_services.plugins.module_utils.common import (
    ReplacementRequired,
    kms_key_arn,
    merged_tags,
    window_problem,
)
from ansible_collections.openedx.data_services.plugins.module_utils.modules import DataServicesAWSModule

# Modules run on the director's Python, which may predate datetime.UTC (3.11).
UTC = datetime.timezone.utc  # noqa: UP017
USERNAME = re.compile(r"^[A-Za-z][A-Za-z0-9]{0,62}$")
# Settings that ModifyDBCluster changes: option -> API parameter.
MODIFIABLE = {
    "backup_retention_period": "BackupRetentionPeriod",
    "preferred_backup_window": "PreferredBackupWindow",
    "preferred_maintenance_window": "PreferredMaintenanceWindow",
    "vpc_security_group_ids": "VpcSecurityGroupIds",
    "db_cluster_parameter_group_name": "DBClusterParameterGroupName",
    "deletion_protection": "DeletionProtection",
    "port": "Port",
    "engine_version": "EngineVersion",
}
IMMUTABLE = ("master_username", "db_subnet_group_name", "storage_encrypted", "kms_key_id")
# How to get each immutable setting changed instead.
WAYS = {
    "master_username": "restore a snapshot into a new cluster (it keeps the master user) and create the new user "
                       "there, or dump (mongodump) and load (mongorestore) into a new cluster",
    "db_subnet_group_name": "restore a snapshot into a new cluster in the new subnet group",
    "storage_encrypted": "take a cluster snapshot, copy it with the new key (CopyDBClusterSnapshot with KmsKeyId) and "
                         "restore the copy into a new cluster",
    "kms_key_id": "take a cluster snapshot, copy it with the new key (CopyDBClusterSnapshot with KmsKeyId) and "
                  "restore the copy into a new cluster",
}
# Major version -> the major versions DocumentDB upgrades it to in place (in-place major version upgrade).
MAJOR_UPGRADES = {"3.6": ("5.0",), "4.0": ("5.0",), "5.0": ("8.0",), "8.0": ()}


def validate(module) -> None:
    """Fail on bad input before any AWS call."""
    params = module.params
    errors = []
    if params["state"] == "present":
        if not 1 <= params["instance_count"] <= 16:
            errors.append(f"instance_count must be between 1 and 16, got {params['instance_count']}")
        retention = params["backup_retention_period"]
        if retention is not None and not 1 <= retention <= 35:
            errors.append(f"backup_retention_period must be between 1 and 35 days, got {retention}")
        for option, weekly in (("preferred_backup_window", False), ("preferred_maintenance_window", True)):
            problem = window_problem(option, params[option], weekly)
            if problem:
                errors.append(problem.rstrip("."))
        if params["kms_key_id"] and params["storage_encrypted"] is not True:
            errors.append("kms_key_id needs storage_encrypted=true")
        username = params["master_username"]
        if username is not None and not USERNAME.match(username):
            errors.append("master_username must be 1 to 63 letters or digits, starting with a letter")
        password = params["master_user_password"]
        if password is not None and (
            not 8 <= len(password) <= 100 or any(c in password for c in '/"@') or not password.isprintable()
            or not password.isascii()
        ):
            errors.append('master_user_password must be 8 to 100 printable ASCII characters other than /, " and @')
        port = params["port"]
        if port is not None and not 1150 <= port <= 65535:
            errors.append(f"port must be between 1150 and 65535, got {port}")
        restore = params["restore_from"]
        if restore and restore["source_cluster_identifier"]:
            if not restore["restore_time"] and not restore["use_latest_restorable_time"]:
                errors.append("restore_from.source_cluster_identifier needs restore_from.restore_time or "
                              "restore_from.use_latest_restorable_time=true")
            elif restore["restore_time"] and restore_time(restore["restore_time"]) is None:
                errors.append("restore_from.restore_time must be an ISO 8601 time in UTC, for example "
                              f"2025-01-01T03:00:00Z, got {restore['restore_time']!r}")
    elif not params["final_snapshot_identifier"] and not params["skip_final_snapshot"]:
        errors.append("deleting a cluster needs final_snapshot_identifier, or skip_final_snapshot=true to take none")
    if errors:
        module.fail_json(msg="; ".join(errors))


def restore_time(value: str) -> datetime.datetime | None:
    """``value`` as an aware UTC time; None unless it is ISO 8601 with a zero UTC offset (``Z`` or ``+00:00``)."""
    try:
        moment = datetime.datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if moment.utcoffset() != datetime.timedelta(0):
        return None
    return moment.astimezone(UTC)


def current_settings(cluster: dict, instances: list, tags: dict) -> dict:
    """The comparable settings of an existing cluster, named like the module options."""
    live = docdb.live_instances(instances)
    classes = sorted({i["DBInstanceClass"] for i in live})
    return {
        "engine_version": cluster.get("EngineVersion"),
        "instance_class": classes[0] if len(classes) == 1 else classes or None,
        "instance_count": len(live),
        "master_username": cluster.get("MasterUsername"),
        "db_subnet_group_name": cluster.get("DBSubnetGroup"),
        "vpc_security_group_ids": sorted(g["VpcSecurityGroupId"] for g in cluster.get("VpcSecurityGroups", [])),
        "db_cluster_parameter_group_name": cluster.get("DBClusterParameterGroup"),
        "storage_encrypted": cluster.get("StorageEncrypted", False),
        "kms_key_id": cluster.get("KmsKeyId"),
        "backup_retention_period": cluster.get("BackupRetentionPeriod"),
        "preferred_backup_window": cluster.get("PreferredBackupWindow"),
        "preferred_maintenance_window": cluster.get("PreferredMaintenanceWindow"),
        "enabled_cloudwatch_logs_exports": sorted(cluster.get("EnabledCloudwatchLogsExports", [])),
        "deletion_protection": cluster.get("DeletionProtection", False),
        "port": cluster.get("Port"),
        "tags": tags,
    }


def desired_settings(params: dict, current: dict, kms_key: str | None) -> dict:
    """``current`` with every option the user set; a new cluster starts from AWS's defaults (``current`` = {})."""
    desired = dict(current)
    for name in ("instance_class", "instance_count", "master_username", "db_subnet_group_name",
                 "db_cluster_parameter_group_name", "storage_encrypted", "backup_retention_period",
                 "preferred_backup_window", "preferred_maintenance_window", "deletion_protection", "port"):
        if params[name] is not None:
            desired[name] = params[name]
    if params["engine_version"] is not None and not (current.get("engine_version") or "").startswith(
            params["engine_version"]):
        desired["engine_version"] = params["engine_version"]
    if params["vpc_security_group_ids"] is not None:
        desired["vpc_security_group_ids"] = sorted(params["vpc_security_group_ids"])
    if params["enabled_cloudwatch_logs_exports"] is not None:
        desired["enabled_cloudwatch_logs_exports"] = sorted(set(params["enabled_cloudwatch_logs_exports"]))
    if kms_key is not None:
        desired["kms_key_id"] = kms_key
    desired["tags"] = merged_tags(current.get("tags", {}), params["tags"], params["purge_tags"])
    return desired


def major(version: str | None) -> str:
    return ".".join((version or "").split(".")[:2])


def version_key(version: str) -> tuple:
    return tuple(int(part) if part.isdigit() else 0 for part in version.split("."))


def upgrade_problem(identifier: str, current: str | None, target: str, allowed: bool) -> str | None:
    """Why the cluster cannot go from ``current`` to ``target`` in place (with the way to do it), or None."""
    if not current or target == current or current.startswith(target):
        return None
    if version_key(target) < version_key(current):
        return (f"cluster {identifier} runs DocumentDB {current}: refusing to change engine_version to {target}, "
                "DocumentDB never downgrades; the way back is a new cluster: restore the snapshot taken before the "
                "upgrade into it, or dump (mongodump) and load (mongorestore) into a new cluster of that version")
    if major(target) == major(current):
        return None
    if major(target) not in MAJOR_UPGRADES.get(major(current), ()):
        paths = ", ".join(f"{source} to {' or '.join(to)}" for source, to in MAJOR_UPGRADES.items() if to)
        return (f"cluster {identifier} runs DocumentDB {current}: refusing to upgrade it to {target}, DocumentDB "
                f"upgrades a major version in place only from {paths}; upgrade one step at a time, or dump "
                "(mongodump) and load (mongorestore) into a new cluster")
    if not allowed:
        return (f"cluster {identifier}: upgrading DocumentDB {current} to {target} is a major version upgrade, which "
                "cannot be undone: set allow_major_version_upgrade=true to go ahead (with a cluster parameter group "
                f"of family docdb{major(target)}), after a cluster snapshot")
    return None


def cluster_modifications(params: dict, current: dict, desired: dict) -> dict:
    """The ModifyDBCluster request that turns ``current`` into ``desired`` (empty when nothing differs)."""
    refused = [name for name in IMMUTABLE if desired.get(name) != current.get(name)]
    if refused:
        changes = ", ".join(f"{name} ({current.get(name)!r} -> {desired.get(name)!r})" for name in refused)
        ways = "; ".join(f"for {name}: {WAYS[name]}" for name in refused)
        raise ReplacementRequired(
            f"cluster {params['identifier']}: refusing to change {changes}: AWS cannot change this in place and "
            f"this module never replaces a cluster. The way: {ways}; then switch the platform to the new cluster")
    request = {api: desired[name] for name, api in MODIFIABLE.items() if desired.get(name) != current.get(name)}
    if "EngineVersion" in request:
        problem = upgrade_problem(params["identifier"], current.get("engine_version"), request["EngineVersion"],
                                  bool(params.get("allow_major_version_upgrade")))
        if problem:
            raise ReplacementRequired(problem)
        if major(request["EngineVersion"]) != major(current.get("engine_version")):
            request["AllowMajorVersionUpgrade"] = True
    enable = sorted(set(desired["enabled_cloudwatch_logs_exports"]) - set(current["enabled_cloudwatch_logs_exports"]))
    disable = sorted(set(current["enabled_cloudwatch_logs_exports"]) - set(desired["enabled_cloudwatch_logs_exports"]))
    if enable or disable:
        request["CloudwatchLogsExportConfiguration"] = {"EnableLogTypes": enable, "DisableLogTypes": disable}
    if params["update_password"] == "always" and params["master_user_password"] is not None:
        request["MasterUserPassword"] = params["master_user_password"]
    return request


class Cluster(engine.Resource):
    """The cluster and its instances; the diff shows the settings, the return value AWS's description."""

    kind = "docdb_cluster"
    result_key = "cluster"

    def __init__(self, module, client) -> None:
        super().__init__(module, client)
        self.cluster: dict | None = None
        self.instances: list = []
        self.tags: dict = {}

    @property
    def name(self) -> str:
        return self.params["identifier"]

    def read(self) -> dict | None:
        self.cluster = docdb.describe_cluster(self.client, self.name)
        if self.cluster is None:
            self.instances, self.tags = [], {}
            self.readiness = resources.absent()
            return None
        self.instances = docdb.describe_cluster_instances(self.client, self.name)
        self.tags = docdb.list_tags(self.client, self.cluster["DBClusterArn"])
        self.readiness = resources.docdb_cluster_state(self.cluster, self.instances)
        return current_settings(self.cluster, self.instances, self.tags)

    def result(self, state: dict | None) -> dict:
        return docdb.normalize_cluster(self.cluster, self.tags, self.instances) if state and self.cluster else {}

    def kms_key(self) -> str | None:
        key = self.params["kms_key_id"]
        return kms_key_arn(self.kms_client(), key) if key else None

    def predict(self, current: dict | None, plan: engine.Plan) -> dict | None:
        return plan.changes or None

    def plan_create(self) -> engine.Plan:
        params = self.params
        if params["restore_from"]:
            return self.plan_restore()
        missing = [name for name in ("instance_class", "master_username", "master_user_password") if not params[name]]
        if missing:
            self.module.fail_json(msg=f"creating cluster {self.name} needs {', '.join(missing)}")
        desired = desired_settings(params, {}, self.kms_key())
        desired["tags"] = params["tags"] or {}
        request = {
            "DBClusterIdentifier": self.name,
            "MasterUserPassword": params["master_user_password"],
            "Tags": docdb.ansible_dict_to_boto3_tag_list(params["tags"] or {}),
        }
        names = {"engine_version": "EngineVersion", "master_username": "MasterUsername",
                 "db_subnet_group_name": "DBSubnetGroupName", "storage_encrypted": "StorageEncrypted",
                 "kms_key_id": "KmsKeyId", **MODIFIABLE}
        request.update({api: desired[option] for option, api in names.items() if desired.get(option) is not None})
        if desired.get("enabled_cloudwatch_logs_exports"):
            request["EnableCloudwatchLogsExports"] = desired["enabled_cloudwatch_logs_exports"]
        plan = engine.Plan(desired)
        plan.call(lambda: docdb.create_cluster(self.client, **request))
        # Instances can only be added to an available cluster.
        plan.call(lambda: self.wait("available"))
        plan.call(lambda: self.add_instances(params["instance_count"]))
        if params["wait"]:
            plan.call(self.wait)
        return plan

    def restore_source(self) -> dict:
        """The snapshot or cluster ``restore_from`` names, as DescribeDBClusterSnapshots/DescribeDBClusters give it;
        fails (before any change) when it does not exist or cannot give the requested time."""
        restore = self.params["restore_from"]
        if restore["snapshot_identifier"]:
            source = docdb.describe_cluster_snapshot(self.client, restore["snapshot_identifier"])
            if source is None:
                self.module.fail_json(msg=f"restore_from.snapshot_identifier {restore['snapshot_identifier']} does not "
                                          "exist")
            return source
        source = docdb.describe_cluster(self.client, restore["source_cluster_identifier"])
        if source is None:
            self.module.fail_json(msg=f"restore_from.source_cluster_identifier {restore['source_cluster_identifier']}"
                                      " does not exist")
        moment = restore_time(restore["restore_time"]) if restore["restore_time"] else None
        earliest = source.get("EarliestRestorableTime")
        if moment is not None and earliest is not None and moment < earliest:
            self.module.fail_json(msg=f"restore_from.restore_time {restore['restore_time']} is before the earliest "
                                      f"restorable time of {source['DBClusterIdentifier']}, {earliest.isoformat()}")
        if moment is not None and moment > datetime.datetime.now(UTC):
            self.module.fail_json(msg=f"restore_from.restore_time {restore['restore_time']} is in the future")
        return source

    def plan_restore(self) -> engine.Plan:
        params, restore = self.params, self.params["restore_from"]
        if not params["instance_class"]:
            self.module.fail_json(msg=f"restoring cluster {self.name} needs instance_class (for its instances)")
        source = self.restore_source()
        if params["master_username"] and params["master_username"] != source["MasterUsername"]:
            self.module.fail_json(msg=f"the restored cluster {self.name} keeps the master user of its source, "
                                      f"{source['MasterUsername']}; master_username {params['master_username']} "
                                      "cannot be set")
        kms_key = self.kms_key()
        encrypted = bool(source.get("StorageEncrypted")) or kms_key is not None
        if params["storage_encrypted"] and not encrypted:
            self.module.fail_json(msg=f"the source of {self.name} is not encrypted: encrypting the restored cluster "
                                      "(storage_encrypted=true) needs kms_key_id")
        from_snapshot = bool(restore["snapshot_identifier"])
        # The cluster as the restore makes it, in option names: what the module then modifies, and the refusals.
        restored = {
            "engine_version": (from_snapshot and params["engine_version"]) or source.get("EngineVersion"),
            "instance_count": 0,
            "master_username": source["MasterUsername"],
            "db_subnet_group_name": params["db_subnet_group_name"] or "default",
            "storage_encrypted": encrypted,
            "kms_key_id": kms_key or (source.get("KmsKeyId") if encrypted else None),
            "enabled_cloudwatch_logs_exports": sorted(set(params["enabled_cloudwatch_logs_exports"] or [])),
            "tags": params["tags"] or {},
        }
        desired = desired_settings(params, restored, kms_key)
        desired["tags"] = params["tags"] or {}
        cluster_modifications(params, restored, desired)  # raises on what no restore or modification can give
        request = {"DBClusterIdentifier": self.name, "Tags": docdb.ansible_dict_to_boto3_tag_list(params["tags"] or {})}
        names = {"port": "Port", "db_subnet_group_name": "DBSubnetGroupName",
                 "vpc_security_group_ids": "VpcSecurityGroupIds", "deletion_protection": "DeletionProtection"}
        if from_snapshot:
            names.update(engine_version="EngineVersion", db_cluster_parameter_group_name="DBClusterParameterGroupName")
        request.update({api: params[option] for option, api in names.items() if params[option] is not None})
        if kms_key:
            request["KmsKeyId"] = kms_key
        if params["enabled_cloudwatch_logs_exports"]:
            request["EnableCloudwatchLogsExports"] = sorted(set(params["enabled_cloudwatch_logs_exports"]))
        plan = engine.Plan(desired)
        if from_snapshot:
            if source.get("Status") != "available":
                plan.call(lambda: resources.wait(self.client, "docdb_cluster_snapshot", restore["snapshot_identifier"],
                                                 params["wait_timeout"]))
            plan.call(lambda: docdb.restore_cluster_from_snapshot(
                self.client, SnapshotIdentifier=restore["snapshot_identifier"], **request))
        else:
            moment = {"RestoreToTime": restore_time(restore["restore_time"])} if restore["restore_time"] else {
                "UseLatestRestorableTime": True}
            plan.call(lambda: docdb.restore_cluster_to_point_in_time(
                self.client, SourceDBClusterIdentifier=restore["source_cluster_identifier"], RestoreType="full-copy",
                **moment, **request))
        plan.call(lambda: self.wait("available"))
        plan.call(self.modify_restored)
        plan.call(lambda: self.add_instances(params["instance_count"]))
        if params["wait"]:
            plan.call(self.wait)
        return plan

    def modify_restored(self) -> None:
        """Set on a restored (available) cluster what the restore call could not."""
        current = self.read()
        request = cluster_modifications(self.params, current, desired_settings(self.params, current, self.kms_key()))
        if self.params["master_user_password"] is not None:
            request["MasterUserPassword"] = self.params["master_user_password"]
        if request:
            docdb.modify_cluster(self.client, DBClusterIdentifier=self.name, ApplyImmediately=True, **request)
            self.wait("available")

    def add_instances(self, count: int) -> None:
        existing = [i["DBInstanceIdentifier"] for i in self.instances]
        instance_class = self.params["instance_class"] or docdb.live_instances(self.instances)[0]["DBInstanceClass"]
        for name in docdb.new_instance_identifiers(self.name, existing, count):
            docdb.create_instance(self.client, DBInstanceIdentifier=name, DBClusterIdentifier=self.name,
                                  DBInstanceClass=instance_class,
                                  Tags=docdb.ansible_dict_to_boto3_tag_list(self.params["tags"] or {}))

    def plan_update(self, current: dict) -> engine.Plan:
        params = self.params
        cluster, instances = self.cluster, self.instances
        desired = desired_settings(params, current, self.kms_key())
        plan = engine.Plan(desired)
        request = cluster_modifications(params, current, desired)
        to_add = {k: v for k, v in desired["tags"].items() if current["tags"].get(k) != v}
        to_remove = [k for k in current["tags"] if k not in desired["tags"]]
        live = docdb.live_instances(instances)
        resize = [i["DBInstanceIdentifier"] for i in live
                  if params["instance_class"] and i["DBInstanceClass"] != params["instance_class"]]
        surplus = len(live) - params["instance_count"]
        if surplus < 0 and not live and not params["instance_class"]:
            self.module.fail_json(msg=f"cluster {self.name} has no instance to copy the class from: set instance_class")
        if not (request or to_add or to_remove or resize or surplus):
            return plan
        if cluster.get("Status") != "available":
            # AWS refuses modifications and new instances while the cluster is creating or modifying.
            plan.call(lambda: self.wait("available"))
        if request:
            plan.call(lambda: docdb.modify_cluster(self.client, DBClusterIdentifier=self.name,
                                                   ApplyImmediately=params["apply_immediately"], **request))
        if to_add or to_remove:
            plan.call(lambda: docdb.update_tags(self.client, cluster["DBClusterArn"], to_add, to_remove))
        removed = docdb.readers_to_remove(cluster, instances, surplus) if surplus > 0 else []
        for name in resize:
            if name not in removed:
                plan.call(lambda name=name: docdb.modify_instance(
                    self.client, DBInstanceIdentifier=name, DBInstanceClass=params["instance_class"],
                    ApplyImmediately=params["apply_immediately"]))
        for name in removed:
            plan.call(lambda name=name: docdb.delete_instance(self.client, name))
        if surplus < 0:
            plan.call(lambda: self.add_instances(-surplus))
        if params["wait"]:
            # Ready means every instance available: removed readers are gone by then.
            plan.call(self.wait)
        return plan

    def plan_delete(self, current: dict) -> engine.Plan:
        params = self.params
        plan = engine.Plan()
        if self.cluster.get("Status") == "deleting":
            if params["wait"] and not self.module.check_mode:
                self.wait("absent")
            return plan
        unprotect = self.cluster.get("DeletionProtection", False)
        if unprotect and params["deletion_protection"] is not False:
            self.module.fail_json(msg=f"cluster {self.name} has deletion protection; set deletion_protection=false "
                                      "with state=absent to confirm it may be unprotected and deleted")
        if unprotect:
            plan.call(lambda: docdb.modify_cluster(self.client, DBClusterIdentifier=self.name,
                                                   DeletionProtection=False, ApplyImmediately=True))
        for instance in docdb.live_instances(self.instances):
            plan.call(lambda name=instance["DBInstanceIdentifier"]: docdb.delete_instance(self.client, name))
        final_snapshot = None if params["skip_final_snapshot"] else params["final_snapshot_identifier"]
        plan.call(lambda: docdb.delete_cluster(self.client, self.name, final_snapshot))
        if params["wait"]:
            plan.call(lambda: self.wait("absent"))
        return plan


def main() -> None:
    argument_spec = dict(
        state=dict(type="str", choices=["present", "absent"], default="present"),
        identifier=dict(type="str", required=True, aliases=["db_cluster_identifier"]),
        engine_version=dict(type="str"),
        allow_major_version_upgrade=dict(type="bool", default=False),
        instance_class=dict(type="str"),
        instance_count=dict(type="int", default=1),
        master_username=dict(type="str"),
        master_user_password=dict(type="str", no_log=True),
        update_password=dict(type="str", choices=["always", "on_create"], default="on_create", no_log=False),
        db_subnet_group_name=dict(type="str"),
        vpc_security_group_ids=dict(type="list", elements="str"),
        db_cluster_parameter_group_name=dict(type="str"),
        storage_encrypted=dict(type="bool"),
        kms_key_id=dict(type="str", no_log=False),
        backup_retention_period=dict(type="int"),
        preferred_backup_window=dict(type="str"),
        preferred_maintenance_window=dict(type="str"),
        enabled_cloudwatch_logs_exports=dict(type="list", elements="str", choices=list(docdb.LOG_TYPES)),
        deletion_protection=dict(type="bool"),
        port=dict(type="int"),
        apply_immediately=dict(type="bool", default=False),
        final_snapshot_identifier=dict(type="str"),
        skip_final_snapshot=dict(type="bool", default=False),
        restore_from=dict(
            type="dict",
            options=dict(
                snapshot_identifier=dict(type="str"),
                source_cluster_identifier=dict(type="str"),
                restore_time=dict(type="str"),
                use_latest_restorable_time=dict(type="bool"),
            ),
            required_one_of=[("snapshot_identifier", "source_cluster_identifier")],
            mutually_exclusive=[("snapshot_identifier", "source_cluster_identifier"),
                                ("snapshot_identifier", "restore_time"),
                                ("snapshot_identifier", "use_latest_restorable_time"),
                                ("restore_time", "use_latest_restorable_time")],
            required_by={"restore_time": "source_cluster_identifier"},
        ),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=1800),
    )
    module = DataServicesAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    validate(module)
    engine.run(Cluster(module, module.client("docdb")))


if __name__ == "__main__":
    main()
