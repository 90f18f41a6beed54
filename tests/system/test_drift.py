"""Settings changed out of band (in the console, by another tool) show in --check --diff and are repaired.

On the shared environment (conftest.shared_environment), converged: lowers the DocumentDB backup retention, the
Redis snapshot retention and the RDS MySQL backup retention with boto3, then: a --check --diff run reports each
service changed (with the setting in the diff where the module has one) without a mutating call; a normal run puts
the inventory's values back (so the environment is as converged again); a last --check run finds nothing to change.
"""

from __future__ import annotations

from conftest import WITHOUT_HANDOFF, aws, ledger, recap, run_playbook, sandbox

PREFIX = "openedx-shared-"
HOSTS = ("opensearch", "documentdb", "mysql", "redis")
DRIFTED = ("documentdb", "mysql", "redis")
OUT_OF_BAND = 3  # days


def _retention() -> dict[str, int]:
    """What AWS holds now, in days."""
    return {
        "documentdb": aws("docdb").describe_db_clusters(
            DBClusterIdentifier=f"{PREFIX}docdb")["DBClusters"][0]["BackupRetentionPeriod"],
        "mysql": aws("rds").describe_db_instances(
            DBInstanceIdentifier=f"{PREFIX}mysql")["DBInstances"][0]["BackupRetentionPeriod"],
        "redis": aws("elasticache").describe_replication_groups(
            ReplicationGroupId=f"{PREFIX}redis")["ReplicationGroups"][0]["SnapshotRetentionLimit"],
    }


def _drift() -> None:
    aws("docdb").modify_db_cluster(DBClusterIdentifier=f"{PREFIX}docdb", BackupRetentionPeriod=OUT_OF_BAND,
                                   ApplyImmediately=True)
    aws("rds").modify_db_instance(DBInstanceIdentifier=f"{PREFIX}mysql", BackupRetentionPeriod=OUT_OF_BAND,
                                  ApplyImmediately=True)
    aws("elasticache").modify_replication_group(ReplicationGroupId=f"{PREFIX}redis",
                                                SnapshotRetentionLimit=OUT_OF_BAND, ApplyImmediately=True)


def test_out_of_band_changes_are_shown_then_repaired(shared_environment):
    # The hand-off has tests of its own: these runs write connections.yml only.
    extra_vars = {**shared_environment.extra_vars, **WITHOUT_HANDOFF}
    for host in HOSTS:
        assert recap(shared_environment.rerun.stdout, host)["failed"] == 0, shared_environment.rerun.stdout[-3000:]
    inventory = _retention()
    assert inventory == {"documentdb": 7, "mysql": 7, "redis": 7}  # the prod profile's

    _drift()
    assert _retention() == dict.fromkeys(DRIFTED, OUT_OF_BAND)

    sandbox("reset")
    check = run_playbook("--check", "--diff", extra_vars=extra_vars)
    calls = ledger()
    for host in HOSTS:
        assert recap(check.stdout, host)["failed"] == 0, check.stdout[-3000:]
    for host in DRIFTED:
        assert recap(check.stdout, host)["changed"] > 0, (host, check.stdout[-3000:])
    assert calls["totals"]["mutating"] == 0, calls["mutating"]
    # The DocumentDB and ElastiCache modules show their diff; amazon.aws.rds_instance has none.
    assert f"backup_retention_period: {OUT_OF_BAND}" in check.stdout, check.stdout[-3000:]
    assert f"snapshot_retention_limit: {OUT_OF_BAND}" in check.stdout, check.stdout[-3000:]
    assert "backup_retention_period: 7" in check.stdout and "snapshot_retention_limit: 7" in check.stdout
    assert _retention() == dict.fromkeys(DRIFTED, OUT_OF_BAND)  # check mode left AWS as it was

    repair = run_playbook(extra_vars=extra_vars)
    for host in HOSTS:
        assert recap(repair.stdout, host)["failed"] == 0, repair.stdout[-3000:]
    for host in DRIFTED:
        assert recap(repair.stdout, host)["changed"] > 0, (host, repair.stdout[-3000:])
    assert _retention() == inventory

    sandbox("reset")
    settled = run_playbook("--check", extra_vars=extra_vars)
    for host in HOSTS:
        assert recap(settled.stdout, host)["changed"] == 0, settled.stdout[-3000:]
        assert recap(settled.stdout, host)["failed"] == 0, settled.stdout[-3000:]
    assert ledger()["totals"]["mutating"] == 0
