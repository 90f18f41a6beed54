#!/usr/bin/python
# Copyright: Open edX data services maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: kms_key_usage_info
version_added: 0.1.0
short_description: Find what a KMS key still encrypts before its deletion is scheduled
description:
  - Reads the key O(key_id) and lists what AWS says is encrypted with it, so that a teardown schedules the key's
    deletion only when nothing that must stay readable depends on it. Data encrypted with a deleted key is lost
    for good.
  - Snapshots (RV(snapshots)) from C(DescribeDBSnapshots) (RDS, manual and automated), C(DescribeDBClusterSnapshots)
    (DocumentDB and Aurora) and ElastiCache C(DescribeSnapshots), whose C(KmsKeyId) names the key.
  - Live stores (RV(resources)) from C(DescribeDBInstances), C(DescribeDBClusters) and C(DescribeReplicationGroups).
    OpenSearch domains are not read.
  - CloudWatch Logs groups (RV(log_groups)) from C(DescribeLogGroups), and Secrets Manager secrets (RV(secrets)),
    those scheduled for deletion included, from C(ListSecrets).
  - With O(bucket_name_prefix), the S3 buckets of that prefix whose default encryption uses the key (one
    C(ListBuckets), then one C(GetBucketEncryption) per bucket of the prefix).
  - The module never changes anything; a key that does not exist gives RV(found=false) and empty lists.
author:
  - Open edX data services maintainers (@openedx)
options:
  key_id:
    description:
      - The key, as a key ID, key ARN, alias name (C(alias/...)) or alias ARN.
    type: str
    required: true
  bucket_name_prefix:
    description:
      - Also read the S3 buckets whose name starts with this prefix, such as C(openedx-prod-). Empty reads none.
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
- name: Find what the environment's key still encrypts
  openedx.data_services.kms_key_usage_info:
    key_id: alias/openedx-test-data-services
  register: usage

- name: Schedule the key's deletion once no snapshot, store or log group needs it
  openedx.data_services.kms_key:
    alias: alias/openedx-test-data-services
    pending_window: 30
    state: absent
  when: usage.found and not usage.in_use
"""

RETURN = r"""
found:
  description: Whether the key exists.
  returned: always
  type: bool
  sample: true
key:
  description:
    - The key as C(DescribeKey) gives it, in snake_case, such as C(key_id), C(arn), C(key_state), C(key_manager),
      and C(deletion_date) when its deletion is scheduled.
  returned: when the key exists
  type: dict
in_use:
  description:
    - Whether a snapshot, a live store, a log group or a bucket is encrypted with the key.
    - Secrets do not count; they are read so that the caller can say which go with the key.
  returned: always
  type: bool
  sample: true
snapshots:
  description: The snapshots encrypted with the key.
  returned: always
  type: list
  elements: dict
  contains:
    service:
      description: V(rds), V(docdb) (cluster snapshots, DocumentDB and Aurora alike) or V(elasticache).
      type: str
      sample: rds
    identifier:
      description: The snapshot's identifier (ElastiCache, its name).
      type: str
      sample: openedx-test-mysql-final-20261202063000
    source:
      description: The instance, cluster or replication group it was taken of.
      type: str
      sample: openedx-test-mysql
    type:
      description: V(manual) or V(automated).
      type: str
      sample: manual
    status:
      description: The snapshot's status.
      type: str
      sample: available
resources:
  description:
    - The live RDS instances, RDS/DocumentDB clusters and ElastiCache replication groups encrypted with the key.
  returned: always
  type: list
  elements: dict
  contains:
    service:
      description: V(rds_instance), V(rds_cluster) or V(elasticache).
      type: str
    identifier:
      description: Its identifier.
      type: str
    status:
      description: Its status.
      type: str
log_groups:
  description: The names of the CloudWatch Logs groups encrypted with the key.
  returned: always
  type: list
  elements: str
secrets:
  description: The Secrets Manager secrets encrypted with the key.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The secret's name.
      type: str
    deleted_date:
      description: When its deletion was scheduled (ISO 8601); empty when it is not.
      type: str
buckets:
  description: The S3 buckets of O(bucket_name_prefix) whose default encryption uses the key.
  returned: always
  type: list
  elements: str
"""

import contextlib
from typing import Any

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict
from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.openedx.data_services.plugins.module_utils.modules import DataServicesAWSModule

with contextlib.suppress(ImportError):  # AnsibleAWSModule says botocore is missing
    from botocore.exceptions import BotoCoreError, ClientError


def _pages(client, operation: str, key: str, **kwargs: Any) -> list[dict[str, Any]]:
    return [item for page in client.get_paginator(operation).paginate(**kwargs) for item in page.get(key, [])]


def _text(value: Any) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value or "")


def _matches(key: dict[str, Any], candidate: str | None) -> bool:
    """Whether ``candidate`` (a key ID or ARN, as the services report it) names ``key``."""
    return bool(candidate) and candidate in (key["KeyId"], key["Arn"])


def describe_key(kms, key_id: str) -> dict[str, Any] | None:
    try:
        return kms.describe_key(KeyId=key_id)["KeyMetadata"]
    except is_boto3_error_code("NotFoundException"):
        return None


def snapshots(rds, elasticache, key: dict[str, Any]) -> list[dict[str, Any]]:
    found = [{"service": "rds", "identifier": s["DBSnapshotIdentifier"], "source": s.get("DBInstanceIdentifier", ""),
              "type": s.get("SnapshotType", ""), "status": s.get("Status", "")}
             for s in _pages(rds, "describe_db_snapshots", "DBSnapshots") if _matches(key, s.get("KmsKeyId"))]
    found += [{"service": "docdb", "identifier": s["DBClusterSnapshotIdentifier"],
               "source": s.get("DBClusterIdentifier", ""), "type": s.get("SnapshotType", ""),
               "status": s.get("Status", "")}
              for s in _pages(rds, "describe_db_cluster_snapshots", "DBClusterSnapshots")
              if _matches(key, s.get("KmsKeyId"))]
    found += [{"service": "elasticache", "identifier": s["SnapshotName"],
               "source": s.get("ReplicationGroupId") or s.get("CacheClusterId") or "",
               "type": s.get("SnapshotSource", ""), "status": s.get("SnapshotStatus", "")}
              for s in _pages(elasticache, "describe_snapshots", "Snapshots") if _matches(key, s.get("KmsKeyId"))]
    return found


def resources(rds, elasticache, key: dict[str, Any]) -> list[dict[str, Any]]:
    found = [{"service": "rds_instance", "identifier": i["DBInstanceIdentifier"], "status": i.get("DBInstanceStatus")}
             for i in _pages(rds, "describe_db_instances", "DBInstances")
             if _matches(key, i.get("KmsKeyId")) and not i.get("DBClusterIdentifier")]
    found += [{"service": "rds_cluster", "identifier": c["DBClusterIdentifier"], "status": c.get("Status")}
              for c in _pages(rds, "describe_db_clusters", "DBClusters") if _matches(key, c.get("KmsKeyId"))]
    found += [{"service": "elasticache", "identifier": g["ReplicationGroupId"], "status": g.get("Status")}
              for g in _pages(elasticache, "describe_replication_groups", "ReplicationGroups")
              if _matches(key, g.get("KmsKeyId"))]
    return found


def buckets(s3, key: dict[str, Any], prefix: str) -> list[str]:
    found = []
    for bucket in s3.list_buckets().get("Buckets", []):
        if not bucket["Name"].startswith(prefix):
            continue
        try:
            rules = s3.get_bucket_encryption(Bucket=bucket["Name"])["ServerSideEncryptionConfiguration"]["Rules"]
        except is_boto3_error_code(["ServerSideEncryptionConfigurationNotFoundError", "NoSuchBucket"]):
            continue
        if any(_matches(key, rule.get("ApplyServerSideEncryptionByDefault", {}).get("KMSMasterKeyID"))
               for rule in rules):
            found.append(bucket["Name"])
    return found


def main() -> None:
    argument_spec = dict(
        key_id=dict(type="str", required=True),
        bucket_name_prefix=dict(type="str", default=""),
    )
    module = DataServicesAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    result: dict[str, Any] = {"changed": False, "found": False, "in_use": False, "snapshots": [], "resources": [],
                              "log_groups": [], "secrets": [], "buckets": []}
    try:
        key = describe_key(module.client("kms"), module.params["key_id"])
        if key is None:
            module.exit_json(**result)
        rds, elasticache = module.client("rds"), module.client("elasticache")
        result["snapshots"] = snapshots(rds, elasticache, key)
        result["resources"] = resources(rds, elasticache, key)
        result["log_groups"] = [g["logGroupName"]
                                for g in _pages(module.client("logs"), "describe_log_groups", "logGroups")
                                if _matches(key, g.get("kmsKeyId"))]
        result["secrets"] = [{"name": s["Name"], "deleted_date": _text(s.get("DeletedDate"))}
                             for s in _pages(module.client("secretsmanager"), "list_secrets", "SecretList",
                                             IncludePlannedDeletion=True)
                             if _matches(key, s.get("KmsKeyId"))]
        if module.params["bucket_name_prefix"]:
            result["buckets"] = buckets(module.client("s3"), key, module.params["bucket_name_prefix"])
    except (ClientError, BotoCoreError) as e:
        module.fail_json_aws(e, msg="Could not read what the key encrypts")
    key_state = camel_dict_to_snake_dict(key)
    for field in ("creation_date", "deletion_date", "valid_to"):
        if field in key_state:
            key_state[field] = _text(key_state[field])
    result.update(found=True, key=key_state,
                  in_use=bool(result["snapshots"] or result["resources"] or result["log_groups"]
                              or result["buckets"]))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
