"""teardown.yml on an environment of its own with the four services (MySQL and DocumentDB with deletion protection,
on the local inventory, so that the run covers the whole environment): refusals before any AWS call and before any
change, check mode, the teardown itself and what it leaves (final snapshots encrypted with the key, secrets scheduled
for deletion, log groups and the key kept); then, once the snapshots and log groups are deleted, a re-run that
changes nothing but the key, whose deletion it schedules. The roles' own delete entry points, which teardown.yml
runs, have their confirmation tested in test_delete.py.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from conftest import aws, fresh_environment, ledger, recap, run_playbook, sandbox

PLAYBOOK = "playbooks/teardown.yml"
ENVIRONMENT = "torn"
HOSTS = ("mysql", "documentdb", "opensearch", "redis")
MYSQL, REDIS = f"openedx-{ENVIRONMENT}-mysql", f"openedx-{ENVIRONMENT}-redis"
DOCDB, SEARCH = f"openedx-{ENVIRONMENT}-docdb", f"openedx-{ENVIRONMENT}-search"
ALIAS = f"alias/openedx-{ENVIRONMENT}-data-services"
# The test profile, and Tutor's one database and one user (edx/configuration's are three users): a cheaper converge.
SETTINGS = dict(fresh_environment(ENVIRONMENT), data_services_profile="test", data_services_platform="tutor")
CONFIRMED = dict(SETTINGS, data_services_teardown_confirm=ENVIRONMENT)
INVENTORY = "inventories/local"


@pytest.fixture(scope="module")
def environment() -> str:
    result = run_playbook(extra_vars=dict(SETTINGS, rds_mysql_deletion_protection=True,
                                          documentdb_deletion_protection=True))
    for host in HOSTS:
        assert recap(result.stdout, host)["failed"] == 0, result.stdout[-3000:]
    return INVENTORY


def _teardown(inventory: str, *args: str, **extra) -> tuple[str, dict, int]:
    sandbox("reset")
    result = run_playbook(*args, playbook=PLAYBOOK, inventory=inventory, extra_vars={**CONFIRMED, **extra},
                          timeout=600)
    return result.stdout, ledger(), result.returncode


def _key_arn() -> str:
    return aws("kms").describe_key(KeyId=ALIAS)["KeyMetadata"]["Arn"]


def test_refused_without_the_environment_name_before_any_aws_call(environment):
    for confirmation in ("", "prod"):
        output, calls, returncode = _teardown(environment, data_services_teardown_confirm=confirmation)
        assert returncode != 0, output[-2000:]
        assert f"give -e data_services_teardown_confirm={ENVIRONMENT} to confirm it" in output, output[-3000:]
        assert calls["totals"]["read"] == 0 and calls["totals"]["mutating"] == 0, calls


def test_refused_while_deletion_protection_is_on(environment):
    output, calls, returncode = _teardown(environment)
    assert returncode != 0, output[-2000:]
    assert f"RDS instance {MYSQL} has deletion protection on" in output, output[-3000:]
    assert DOCDB in output and "deletion protection" in output, output[-3000:]
    assert "data_services_teardown_lift_deletion_protection=true" in output
    # Redis, which has no protection, is not deleted either: nothing changes before every service may go.
    assert calls["totals"]["mutating"] == 0, calls["mutating"]
    assert aws("elasticache").describe_replication_groups(ReplicationGroupId=REDIS)["ReplicationGroups"]


def test_check_mode_deletes_nothing(environment):
    output, calls, returncode = _teardown(environment, "--check", data_services_teardown_lift_deletion_protection=True)
    assert returncode == 0, output[-3000:]
    assert calls["totals"]["mutating"] == 0, calls["mutating"]
    assert "would be deleted" in output, output[-3000:]
    instance = aws("rds").describe_db_instances(DBInstanceIdentifier=MYSQL)["DBInstances"][0]
    assert instance["DeletionProtection"] is True
    assert aws("elasticache").describe_replication_groups(ReplicationGroupId=REDIS)["ReplicationGroups"]


def test_teardown_leaves_final_snapshots_scheduled_secrets_and_the_key(environment):
    key = _key_arn()
    output, calls, returncode = _teardown(environment, data_services_teardown_lift_deletion_protection=True,
                                          data_services_teardown_secret_recovery_days=7)
    assert returncode == 0, output[-4000:]
    mutating = calls["mutating"]
    assert mutating.get("rds:ModifyDBInstance") == 1, mutating  # deletion protection lifted
    assert mutating.get("rds:ModifyDBCluster") == 1, mutating
    assert "kms:ScheduleKeyDeletion" not in mutating, mutating

    rds, elasticache = aws("rds"), aws("elasticache")
    assert MYSQL not in [i["DBInstanceIdentifier"] for i in rds.describe_db_instances()["DBInstances"]]
    groups = elasticache.describe_replication_groups()["ReplicationGroups"]
    assert REDIS not in [g["ReplicationGroupId"] for g in groups]
    # The final snapshots stay, encrypted with the environment's key.
    snapshots = [s for s in rds.describe_db_snapshots()["DBSnapshots"]
                 if s["DBSnapshotIdentifier"].startswith(f"{MYSQL}-final-")]
    assert len(snapshots) == 1 and snapshots[0]["KmsKeyId"] == key, snapshots
    cache = [s for s in elasticache.describe_snapshots()["Snapshots"]
             if s["SnapshotName"].startswith(f"{REDIS}-final-")]
    assert len(cache) == 1 and cache[0]["KmsKeyId"] == key, cache
    docdb = aws("docdb")
    assert DOCDB not in [c["DBClusterIdentifier"] for c in docdb.describe_db_clusters()["DBClusters"]]
    assert not [i for i in docdb.describe_db_instances()["DBInstances"]
                if i["DBInstanceIdentifier"].startswith(DOCDB)]
    cluster = [s for s in docdb.describe_db_cluster_snapshots()["DBClusterSnapshots"]
               if s["DBClusterSnapshotIdentifier"].startswith(f"{DOCDB}-final-")]
    assert len(cluster) == 1 and cluster[0]["KmsKeyId"] == key, cluster
    # OpenSearch Service keeps no snapshot of a deleted domain.
    assert SEARCH not in [d["DomainName"] for d in aws("opensearch").list_domain_names()["DomainNames"]]
    # The secrets are scheduled for deletion, with the recovery window asked for.
    secrets = [s for s in aws("secretsmanager").list_secrets(IncludePlannedDeletion=True)["SecretList"]
               if s["Name"].startswith(f"openedx/{ENVIRONMENT}/")]
    assert secrets and all(s.get("DeletedDate") for s in secrets), secrets
    assert mutating.get("secretsmanager:DeleteSecret") == len(secrets), mutating
    # What the environment made around the services is gone; the log groups (evidence) are kept.
    assert not [g for g in rds.describe_db_parameter_groups()["DBParameterGroups"]
                if g["DBParameterGroupName"].startswith(MYSQL)]
    assert not [g for g in elasticache.describe_cache_subnet_groups()["CacheSubnetGroups"]
                if g["CacheSubnetGroupName"] == f"openedx-{ENVIRONMENT}-data-services"]
    assert not aws("ec2").describe_security_groups(Filters=[
        {"Name": "group-name", "Values": [f"openedx-{ENVIRONMENT}-data-services"]}])["SecurityGroups"]
    assert not aws("cloudwatch").describe_alarms(AlarmNamePrefix=f"openedx-{ENVIRONMENT}-")["MetricAlarms"]
    assert not [t for t in aws("sns").list_topics()["Topics"] if f":openedx-{ENVIRONMENT}-" in t["TopicArn"]]
    assert aws("logs").describe_log_groups(logGroupNamePrefix=f"/aws/rds/instance/{MYSQL}/")["logGroups"]
    # The key stays while snapshots encrypted with it exist, and the summary says which.
    assert aws("kms").describe_key(KeyId=key)["KeyMetadata"]["KeyState"] == "Enabled"
    assert "KEPT, still needed by" in output and snapshots[0]["DBSnapshotIdentifier"] in output, output[-3000:]


def test_a_rerun_schedules_the_key_once_nothing_needs_it_and_changes_nothing_else(environment):
    key = _key_arn()
    rds, elasticache, logs = aws("rds"), aws("elasticache"), aws("logs")
    for snapshot in rds.describe_db_snapshots()["DBSnapshots"]:
        if snapshot["DBSnapshotIdentifier"].startswith(f"{MYSQL}-"):
            rds.delete_db_snapshot(DBSnapshotIdentifier=snapshot["DBSnapshotIdentifier"])
    for snapshot in elasticache.describe_snapshots()["Snapshots"]:
        if snapshot["SnapshotName"].startswith(f"{REDIS}-"):
            elasticache.delete_snapshot(SnapshotName=snapshot["SnapshotName"])
    docdb = aws("docdb")
    for snapshot in docdb.describe_db_cluster_snapshots()["DBClusterSnapshots"]:
        if snapshot["DBClusterSnapshotIdentifier"].startswith(f"{DOCDB}-"):
            docdb.delete_db_cluster_snapshot(DBClusterSnapshotIdentifier=snapshot["DBClusterSnapshotIdentifier"])
    for prefix in (f"/aws/rds/instance/{MYSQL}/", f"/aws/elasticache/{REDIS}/", f"/aws/docdb/{DOCDB}/",
                   f"/aws/opensearch/{SEARCH}/"):
        for group in logs.describe_log_groups(logGroupNamePrefix=prefix)["logGroups"]:
            logs.delete_log_group(logGroupName=group["logGroupName"])

    output, calls, returncode = _teardown(environment, data_services_teardown_key_pending_days=7)
    assert returncode == 0, output[-4000:]
    # Everything else was gone already: the re-run only schedules the key's deletion (and removes its alias).
    assert calls["mutating"] == {"kms:ScheduleKeyDeletion": 1, "kms:DeleteAlias": 1}, calls["mutating"]
    # One change, the key's (on whichever host runs the environment-wide steps).
    assert sum(recap(output, host)["changed"] for host in HOSTS) == 1, output[-3000:]
    described = aws("kms").describe_key(KeyId=key)["KeyMetadata"]
    assert described["KeyState"] == "PendingDeletion", described
    assert abs(described["DeletionDate"] - (datetime.now(UTC) + timedelta(days=7))) < timedelta(hours=1)
    assert "already gone" in output and "scheduled for deletion in 7 days" in output, output[-3000:]
