"""kms_key_usage_info against moto + the sandbox's ElastiCache patch: the snapshots, stores, log groups, secrets and
buckets encrypted with a key (an ElastiCache final snapshot of a CMK-encrypted group included), nothing of another
key's, reads only, and a key that does not exist."""

from __future__ import annotations

import time

import boto3
from ansible_collections.openedx.data_services.plugins.modules import kms_key_usage_info as module
from harness import REGION, ElastiCacheAws, record_calls, run_module


def _wait(ec, group_id: str) -> None:
    for _attempt in range(200):
        if ec.describe_replication_groups(ReplicationGroupId=group_id)["ReplicationGroups"][0]["Status"] == "available":
            return
        time.sleep(0.05)
    raise AssertionError(f"{group_id} never became available")


def test_lists_what_the_key_encrypts_and_nothing_else(elasticache_aws: ElastiCacheAws) -> None:
    kms, ec = elasticache_aws.kms, elasticache_aws.ec
    key = kms.create_key()["KeyMetadata"]
    kms.create_alias(AliasName="alias/openedx-test-data-services", TargetKeyId=key["KeyId"])
    other = kms.create_key()["KeyMetadata"]["Arn"]
    ec.create_replication_group(ReplicationGroupId="edx-redis", ReplicationGroupDescription="cache",
                                CacheNodeType="cache.t4g.micro", Engine="redis", EngineVersion="7.1",
                                CacheSubnetGroupName=elasticache_aws.subnet_group, AtRestEncryptionEnabled=True,
                                KmsKeyId=key["Arn"])
    _wait(ec, "edx-redis")
    ec.delete_replication_group(ReplicationGroupId="edx-redis", FinalSnapshotIdentifier="edx-redis-final")
    rds = boto3.client("rds", region_name=REGION)
    for name, key_arn in (("edx-mysql", key["Arn"]), ("other-mysql", other)):
        rds.create_db_instance(DBInstanceIdentifier=name, DBInstanceClass="db.t4g.micro", Engine="mysql",
                               MasterUsername="admin", MasterUserPassword="password-0001", AllocatedStorage=20,
                               StorageEncrypted=True, KmsKeyId=key_arn)
        rds.create_db_snapshot(DBInstanceIdentifier=name, DBSnapshotIdentifier=f"{name}-final")
    logs = boto3.client("logs", region_name=REGION)
    logs.create_log_group(logGroupName="/aws/rds/instance/edx-mysql/error", kmsKeyId=key["Arn"])
    secrets = boto3.client("secretsmanager", region_name=REGION)
    secrets.create_secret(Name="openedx/test/mysql/admin", SecretString="{}", KmsKeyId=key["Arn"])
    secrets.create_secret(Name="openedx/test/redis/default", SecretString="{}", KmsKeyId=key["Arn"])
    secrets.delete_secret(SecretId="openedx/test/redis/default", RecoveryWindowInDays=7)
    secrets.create_secret(Name="other/secret", SecretString="{}", KmsKeyId=other)
    s3 = boto3.client("s3", region_name=REGION)
    for bucket, key_arn in (("openedx-test-tracking", key["Arn"]), ("openedx-test-other", other),
                            ("elsewhere-tracking", key["Arn"])):
        s3.create_bucket(Bucket=bucket)
        s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [
            {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key_arn}}]})

    with record_calls() as calls:
        run = run_module(module, {"key_id": "alias/openedx-test-data-services",
                                  "bucket_name_prefix": "openedx-test-"}, check_mode=True)
    assert not run.failed, run.result
    result = run.result
    assert calls.mutating == []
    assert result["changed"] is False and result["found"] is True and result["in_use"] is True
    assert result["key"]["arn"] == key["Arn"] and result["key"]["key_state"] == "Enabled"
    # The instance's automated snapshot too (moto takes one at creation): it holds the key as much as a manual one.
    assert sorted((s["service"], s["identifier"], s["source"], s["type"]) for s in result["snapshots"]
                  if s["type"] != "automated") == [("elasticache", "edx-redis-final", "edx-redis", "manual"),
                                                   ("rds", "edx-mysql-final", "edx-mysql", "manual")]
    assert [s["source"] for s in result["snapshots"] if s["type"] == "automated"] == ["edx-mysql"]
    assert [(r["service"], r["identifier"]) for r in result["resources"]] == [("rds_instance", "edx-mysql")]
    assert result["log_groups"] == ["/aws/rds/instance/edx-mysql/error"]
    secrets_found = {s["name"]: bool(s["deleted_date"]) for s in result["secrets"]}
    assert secrets_found == {"openedx/test/mysql/admin": False, "openedx/test/redis/default": True}
    assert result["buckets"] == ["openedx-test-tracking"]


def test_a_key_that_does_not_exist_is_not_an_error(elasticache_aws: ElastiCacheAws) -> None:
    run = run_module(module, {"key_id": "alias/openedx-gone-data-services"})
    assert not run.failed, run.result
    assert (run.result["found"], run.result["in_use"], run.result["snapshots"]) == (False, False, [])
    assert run.mutating == [] and run.reads == ["DescribeKey"]
