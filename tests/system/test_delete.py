"""Every service role's delete entry point: refused without a confirmation equal to the identifier (before any AWS
call) and, for MySQL and DocumentDB, while deletion protection is on; otherwise a final snapshot (MySQL,
DocumentDB, Redis), then the resource is gone.
"""

from __future__ import annotations

import pytest
from conftest import aws, fresh_environment, ledger, recap, run_playbook, sandbox

ENVIRONMENT = "deleted"
HOSTS = ("mysql", "documentdb", "opensearch", "redis")
IDS = {"mysql": f"openedx-{ENVIRONMENT}-mysql", "documentdb": f"openedx-{ENVIRONMENT}-docdb",
       "opensearch": f"openedx-{ENVIRONMENT}-search", "redis": f"openedx-{ENVIRONMENT}-redis"}
CONFIRMS = {"rds_mysql_delete_confirm": IDS["mysql"], "documentdb_delete_confirm": IDS["documentdb"],
            "opensearch_delete_confirm": IDS["opensearch"], "redis_delete_confirm": IDS["redis"]}
SETTINGS = dict(fresh_environment(ENVIRONMENT), data_services_profile="test")


def _delete(*args: str, **extra_vars) -> str:
    sandbox("reset")
    return run_playbook(*args, playbook="tests/system/delete.yml", extra_vars=dict(SETTINGS, **extra_vars)).stdout


@pytest.fixture(scope="module")
def protected_environment():
    result = run_playbook(extra_vars=dict(SETTINGS, rds_mysql_deletion_protection=True,
                                          documentdb_deletion_protection=True))
    for host in HOSTS:
        assert recap(result.stdout, host)["failed"] == 0, result.stdout[-3000:]


def test_delete_needs_the_identifier_as_confirmation(protected_environment):
    output = _delete(rds_mysql_delete_confirm="yes", documentdb_delete_confirm="openedx-deleted-mysql")

    for host in HOSTS:
        assert recap(output, host)["failed"] == 1, output[-3000:]
    for variable in CONFIRMS:
        assert f"needs {variable} set to" in output, variable
    assert ledger()["totals"]["read"] == 0


def test_delete_takes_a_final_snapshot_and_respects_deletion_protection(protected_environment):
    output = _delete(**CONFIRMS)

    # MySQL and DocumentDB are protected: refused, untouched.
    protected = {"mysql": "rds_mysql_deletion_protection", "documentdb": "documentdb_deletion_protection"}
    for host, variable in protected.items():
        assert recap(output, host)["failed"] == 1, output[-3000:]
        assert f"has deletion protection on: set {variable} to false" in output
    mutating = ledger()["mutating"]
    assert not [call for call in mutating if call.startswith("rds:")], mutating
    # Redis: a final snapshot, then gone; OpenSearch: gone.
    for host in ("redis", "opensearch"):
        assert recap(output, host)["failed"] == 0, output[-3000:]
    elasticache = aws("elasticache")
    assert not [g for g in elasticache.describe_replication_groups()["ReplicationGroups"]
                if g["ReplicationGroupId"] == IDS["redis"]]
    snapshots = elasticache.describe_snapshots()["Snapshots"]
    assert [s for s in snapshots if s["SnapshotName"].startswith(f"{IDS['redis']}-final-")], snapshots
    domains = [d["DomainName"] for d in aws("opensearch").list_domain_names()["DomainNames"]]
    assert IDS["opensearch"] not in domains

    # Lifting the protection goes through the main job; then the deletion goes ahead.
    lifted = run_playbook("--limit", "mysql,documentdb",
                          extra_vars=dict(SETTINGS, rds_mysql_deletion_protection=False,
                                          documentdb_deletion_protection=False))
    assert recap(lifted.stdout, "mysql")["failed"] == 0, lifted.stdout[-3000:]
    output = _delete("--limit", "mysql,documentdb", **CONFIRMS)
    for host in ("mysql", "documentdb"):
        assert recap(output, host)["failed"] == 0, output[-3000:]
    rds = aws("rds")
    assert IDS["mysql"] not in [i["DBInstanceIdentifier"] for i in rds.describe_db_instances()["DBInstances"]]
    assert [s for s in rds.describe_db_snapshots()["DBSnapshots"]
            if s["DBSnapshotIdentifier"].startswith(f"{IDS['mysql']}-final-")]
    docdb = aws("docdb")
    assert IDS["documentdb"] not in [c["DBClusterIdentifier"] for c in docdb.describe_db_clusters()["DBClusters"]]
    assert [s for s in docdb.describe_db_cluster_snapshots()["DBClusterSnapshots"]
            if s["DBClusterSnapshotIdentifier"].startswith(f"{IDS['documentdb']}-final-")]
