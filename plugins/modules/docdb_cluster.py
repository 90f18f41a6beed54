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
  - Changing O(instance_count) adds readers or removes the newest readers; the writer is never removed.
  - Settings AWS cannot change in place (O(master_username), O(db_subnet_group_name), O(storage_encrypted),
    O(kms_key_id)) are never replaced; a difference makes the module fail with a message naming the option.
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
      - The DocumentDB engine version, for example V(5.0.0). Changing it upgrades the cluster.
    type: str
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
"""

import re

from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags
from ansible_collections.openedx.data_services.plugins.module_utils import docdb
from ansible_collections.openedx.data_services.plugins.module_utils.modules import DataServicesAWSModule

BACKUP_WINDOW = re.compile(r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$")
MAINTENANCE_WINDOW = re.compile(
    r"^(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d-(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d$")
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
        window = params["preferred_backup_window"]
        if window is not None and not BACKUP_WINDOW.match(window):
            errors.append(f"preferred_backup_window must be hh24:mi-hh24:mi (UTC), got {window!r}")
        window = params["preferred_maintenance_window"]
        if window is not None and not MAINTENANCE_WINDOW.match(window):
            errors.append(f"preferred_maintenance_window must be ddd:hh24:mi-ddd:hh24:mi (UTC), got {window!r}")
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
    elif not params["final_snapshot_identifier"] and not params["skip_final_snapshot"]:
        errors.append("deleting a cluster needs final_snapshot_identifier, or skip_final_snapshot=true to take none")
    if errors:
        module.fail_json(msg="; ".join(errors))


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


def desired_settings(params: dict, current: dict, kms_key_arn: str | None) -> dict:
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
    if kms_key_arn is not None:
        desired["kms_key_id"] = kms_key_arn
    if params["tags"] is not None:
        to_add, to_remove = compare_aws_tags(current.get("tags", {}), params["tags"], params["purge_tags"])
        tags = {k: v for k, v in current.get("tags", {}).items() if k not in to_remove}
        tags.update(to_add)
        desired["tags"] = tags
    return desired


def create(module, client, desired: dict, check_mode: bool) -> bool:
    params = module.params
    missing = [name for name in ("instance_class", "master_username", "master_user_password") if not params[name]]
    if missing:
        module.fail_json(msg=f"creating cluster {params['identifier']} needs {', '.join(missing)}")
    if check_mode:
        return True
    request = {
        "DBClusterIdentifier": params["identifier"],
        "MasterUserPassword": params["master_user_password"],
        "Tags": docdb.ansible_dict_to_boto3_tag_list(params["tags"] or {}),
    }
    names = {"engine_version": "EngineVersion", "master_username": "MasterUsername",
             "db_subnet_group_name": "DBSubnetGroupName", "storage_encrypted": "StorageEncrypted",
             "kms_key_id": "KmsKeyId", **MODIFIABLE}
    for option, api_name in names.items():
        if desired.get(option) is not None:
            request[api_name] = desired[option]
    if desired.get("enabled_cloudwatch_logs_exports"):
        request["EnableCloudwatchLogsExports"] = desired["enabled_cloudwatch_logs_exports"]
    docdb.create_cluster(client, **request)
    docdb.wait(client, "cluster_available", params["wait_timeout"], DBClusterIdentifier=params["identifier"])
    add_instances(module, client, [], params["instance_count"])
    return True


def add_instances(module, client, instances: list, count: int) -> list[str]:
    params = module.params
    existing = [i["DBInstanceIdentifier"] for i in instances]
    names = docdb.new_instance_identifiers(params["identifier"], existing, count)
    instance_class = params["instance_class"] or docdb.live_instances(instances)[0]["DBInstanceClass"]
    for name in names:
        docdb.create_instance(client, DBInstanceIdentifier=name, DBClusterIdentifier=params["identifier"],
                              DBInstanceClass=instance_class,
                              Tags=docdb.ansible_dict_to_boto3_tag_list(params["tags"] or {}))
    return names


def cluster_modifications(module, current: dict, desired: dict) -> dict:
    """The ModifyDBCluster request that turns ``current`` into ``desired`` (empty when nothing differs)."""
    params = module.params
    refused = [name for name in IMMUTABLE if desired.get(name) != current.get(name)]
    if refused:
        changes = ", ".join(f"{name} ({current.get(name)!r} -> {desired.get(name)!r})" for name in refused)
        module.fail_json(msg=f"cluster {params['identifier']}: refusing to change {changes}: AWS cannot change "
                             "this in place and this module never replaces a cluster (restore a snapshot into a "
                             "new cluster instead)")
    request = {api: desired[name] for name, api in MODIFIABLE.items() if desired.get(name) != current.get(name)}
    if "EngineVersion" in request and request["EngineVersion"].split(".")[0] != (
            current.get("engine_version") or "").split(".")[0]:
        request["AllowMajorVersionUpgrade"] = True
    enable = sorted(set(desired["enabled_cloudwatch_logs_exports"]) - set(current["enabled_cloudwatch_logs_exports"]))
    disable = sorted(set(current["enabled_cloudwatch_logs_exports"]) - set(desired["enabled_cloudwatch_logs_exports"]))
    if enable or disable:
        request["CloudwatchLogsExportConfiguration"] = {"EnableLogTypes": enable, "DisableLogTypes": disable}
    if params["update_password"] == "always" and params["master_user_password"] is not None:
        request["MasterUserPassword"] = params["master_user_password"]
    return request


def update(module, client, cluster: dict, instances: list, current: dict, desired: dict,
           check_mode: bool) -> bool:
    params = module.params
    identifier = params["identifier"]
    request = cluster_modifications(module, current, desired)
    to_add, to_remove = compare_aws_tags(current["tags"], desired["tags"], purge_tags=True)
    live = docdb.live_instances(instances)
    resize = [i["DBInstanceIdentifier"] for i in live
              if params["instance_class"] and i["DBInstanceClass"] != params["instance_class"]]
    surplus = len(live) - params["instance_count"]
    if surplus < 0 and not live and not params["instance_class"]:
        module.fail_json(msg=f"cluster {identifier} has no instance to copy the class from: set instance_class")
    changed = bool(request or to_add or to_remove or resize or surplus)
    if check_mode or not changed:
        return changed
    if cluster.get("Status") != "available":
        # AWS refuses modifications and new instances while the cluster is creating or modifying.
        docdb.wait(client, "cluster_available", params["wait_timeout"], DBClusterIdentifier=identifier)
    if request:
        docdb.modify_cluster(client, DBClusterIdentifier=identifier, ApplyImmediately=params["apply_immediately"],
                             **request)
    if to_add or to_remove:
        docdb.update_tags(client, cluster["DBClusterArn"], to_add, to_remove)
    removed = docdb.readers_to_remove(cluster, instances, surplus) if surplus > 0 else []
    for name in resize:
        if name not in removed:
            docdb.modify_instance(client, DBInstanceIdentifier=name, DBInstanceClass=params["instance_class"],
                                  ApplyImmediately=params["apply_immediately"])
    for name in removed:
        docdb.delete_instance(client, name)
    if surplus < 0:
        add_instances(module, client, instances, -surplus)
    if params["wait"]:
        for name in removed:
            docdb.wait(client, "instance_deleted", params["wait_timeout"], DBInstanceIdentifier=name)
    return True


def ensure_present(module, client, cluster: dict | None, instances: list, tags: dict,
                   kms_key_arn: str | None, check_mode: bool) -> tuple[bool, dict, dict]:
    """Returns (changed, before, after) settings."""
    before = current_settings(cluster, instances, tags) if cluster else {}
    after = desired_settings(module.params, before, kms_key_arn)
    if cluster is None:
        after["tags"] = module.params["tags"] or {}
        changed = create(module, client, after, check_mode)
    else:
        changed = update(module, client, cluster, instances, before, after, check_mode)
    if changed and not check_mode and module.params["wait"]:
        wait_until_available(module, client)
    return changed, before, after


def wait_until_available(module, client) -> None:
    identifier, timeout = module.params["identifier"], module.params["wait_timeout"]
    docdb.wait(client, "cluster_available", timeout, DBClusterIdentifier=identifier)
    for instance in docdb.live_instances(docdb.describe_cluster_instances(client, identifier)):
        docdb.wait(client, "instance_available", timeout, DBInstanceIdentifier=instance["DBInstanceIdentifier"])


def ensure_absent(module, client, cluster: dict | None, instances: list, check_mode: bool) -> bool:
    params = module.params
    if cluster is None:
        return False
    identifier = params["identifier"]
    if cluster.get("Status") == "deleting":
        if params["wait"] and not check_mode:
            docdb.wait(client, "cluster_deleted", params["wait_timeout"], DBClusterIdentifier=identifier)
        return False
    unprotect = cluster.get("DeletionProtection", False)
    if unprotect and params["deletion_protection"] is not False:
        module.fail_json(msg=f"cluster {identifier} has deletion protection; set deletion_protection=false "
                             "with state=absent to confirm it may be unprotected and deleted")
    if check_mode:
        return True
    if unprotect:
        docdb.modify_cluster(client, DBClusterIdentifier=identifier, DeletionProtection=False,
                             ApplyImmediately=True)
    for instance in docdb.live_instances(instances):
        docdb.delete_instance(client, instance["DBInstanceIdentifier"])
    final_snapshot = None if params["skip_final_snapshot"] else params["final_snapshot_identifier"]
    docdb.delete_cluster(client, identifier, final_snapshot)
    if params["wait"]:
        docdb.wait(client, "cluster_deleted", params["wait_timeout"], DBClusterIdentifier=identifier)
    return True


def describe(client, identifier: str) -> tuple[dict | None, list, dict]:
    cluster = docdb.describe_cluster(client, identifier)
    if cluster is None:
        return None, [], {}
    instances = docdb.describe_cluster_instances(client, identifier)
    return cluster, instances, docdb.list_tags(client, cluster["DBClusterArn"])


def resolve_kms_key(module) -> str | None:
    key = module.params["kms_key_id"]
    if module.params["state"] != "present" or not key or re.match(r"^arn:aws[a-z-]*:kms:.*:key/", key):
        return key
    kms = module.client("kms", retry_decorator=AWSRetry.jittered_backoff())
    return docdb.kms_key_arn(kms, key)


def main() -> None:
    argument_spec = dict(
        state=dict(type="str", choices=["present", "absent"], default="present"),
        identifier=dict(type="str", required=True, aliases=["db_cluster_identifier"]),
        engine_version=dict(type="str"),
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
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=1800),
    )
    module = DataServicesAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    validate(module)
    client = module.client("docdb", retry_decorator=AWSRetry.jittered_backoff())
    identifier = module.params["identifier"]
    try:
        kms_key_arn = resolve_kms_key(module)
        cluster, instances, tags = describe(client, identifier)
        if module.params["state"] == "present":
            changed, before, after = ensure_present(module, client, cluster, instances, tags, kms_key_arn,
                                                    module.check_mode)
        else:
            before = current_settings(cluster, instances, tags) if cluster else {}
            after = {}
            changed = ensure_absent(module, client, cluster, instances, module.check_mode)
        result = {}
        if module.params["state"] == "present":
            cluster, instances, tags = describe(client, identifier)
            result = docdb.normalize_cluster(cluster, tags, instances) if cluster else {}
    except docdb.AnsibleDocDBError as e:
        module.fail_json_aws_error(e)
    module.exit_json(changed=changed, cluster=result, diff={"before": before, "after": after})


if __name__ == "__main__":
    main()
