"""snapshot.yml on the shared environment (conftest.shared_environment): refusals before any AWS call, check mode,
then real snapshots, tagged and named by the label, and a re-run with the same label that changes nothing."""

from __future__ import annotations

from conftest import aws, ledger, recap, run_playbook, sandbox

PLAYBOOK = "playbooks/snapshot.yml"
HOSTS = ("mysql", "documentdb", "opensearch", "redis")


def _run(shared_environment, *args: str, **extra) -> tuple[str, dict, int]:
    sandbox("reset")
    result = run_playbook(*args, playbook=PLAYBOOK, extra_vars={**shared_environment.extra_vars, **extra},
                          timeout=600)
    return result.stdout, ledger(), result.returncode


def _tags(tag_list: list[dict]) -> dict[str, str]:
    return {tag["Key"]: tag["Value"] for tag in tag_list}


def test_a_prod_environment_needs_its_name_as_confirmation(shared_environment):
    output, calls, returncode = _run(shared_environment)
    assert returncode != 0, output[-2000:]
    assert "-e data_services_confirm=shared" in output, output[-3000:]
    assert calls["totals"]["mutating"] == 0 and calls["totals"]["read"] == 0, calls


def test_bad_labels_are_refused_before_any_aws_call(shared_environment):
    output, calls, returncode = _run(shared_environment, data_services_confirm="shared",
                                     data_services_snapshot_label="Before_Upgrade")
    assert returncode != 0
    for host in HOSTS:
        assert recap(output, host)["failed"] == 1, output[-3000:]
    assert "data_services_snapshot_label must be 1-40 lowercase letters" in output
    assert calls["totals"]["mutating"] == 0 and calls["totals"]["read"] == 0, calls

    # Valid alone, but <identifier>-<label> would pass DocumentDB's 63 characters with a longer identifier.
    output, calls, returncode = _run(shared_environment, data_services_confirm="shared",
                                     data_services_snapshot_label="a" * 40,
                                     documentdb_identifier="openedx-shared-documentdb-two")
    assert returncode != 0
    assert recap(output, "documentdb")["failed"] == 1, output[-3000:]
    assert "must be at most 63 characters (DocumentDB)" in output
    assert calls["totals"]["mutating"] == 0 and calls["totals"]["read"] == 0, calls


def test_check_mode_takes_no_snapshot(shared_environment):
    output, calls, returncode = _run(shared_environment, "--check", data_services_confirm="shared",
                                     data_services_snapshot_label="checked")
    assert returncode == 0, output[-3000:]
    assert calls["totals"]["mutating"] == 0, calls["mutating"]
    rds = aws("rds")
    assert "openedx-shared-mysql-checked" not in [
        s["DBSnapshotIdentifier"] for s in rds.describe_db_snapshots()["DBSnapshots"]]
    assert "openedx-shared-docdb-checked" not in [
        s["DBClusterSnapshotIdentifier"] for s in rds.describe_db_cluster_snapshots()["DBClusterSnapshots"]]
    assert "openedx-shared-redis-checked" not in [
        s["SnapshotName"] for s in aws("elasticache").describe_snapshots()["Snapshots"]]


def test_snapshots_are_taken_tagged_and_a_rerun_changes_nothing(shared_environment):
    output, calls, returncode = _run(shared_environment, data_services_confirm="shared",
                                     data_services_snapshot_label="before-upgrade")
    assert returncode == 0, output[-4000:]
    created = calls["mutating"]
    assert created.get("rds:CreateDBSnapshot") == 1, created
    assert created.get("rds:CreateDBClusterSnapshot") == 1, created
    assert created.get("elasticache:CreateSnapshot") == 1, created

    rds, elasticache = aws("rds"), aws("elasticache")
    snapshot = rds.describe_db_snapshots(DBSnapshotIdentifier="openedx-shared-mysql-before-upgrade")["DBSnapshots"][0]
    assert snapshot["Status"] == "available" and snapshot["SnapshotType"] == "manual"
    assert snapshot["DBInstanceIdentifier"] == "openedx-shared-mysql"
    tags = _tags(rds.list_tags_for_resource(ResourceName=snapshot["DBSnapshotArn"])["TagList"])
    assert tags["SnapshotLabel"] == "before-upgrade" and tags["Environment"] == "shared", tags

    cluster = rds.describe_db_cluster_snapshots(
        DBClusterSnapshotIdentifier="openedx-shared-docdb-before-upgrade")["DBClusterSnapshots"][0]
    assert cluster["Status"] == "available" and cluster["DBClusterIdentifier"] == "openedx-shared-docdb"
    tags = _tags(rds.list_tags_for_resource(ResourceName=cluster["DBClusterSnapshotArn"])["TagList"])
    assert tags["SnapshotLabel"] == "before-upgrade" and tags["Environment"] == "shared", tags

    cache = elasticache.describe_snapshots(SnapshotName="openedx-shared-redis-before-upgrade")["Snapshots"][0]
    assert cache["SnapshotStatus"] == "available" and cache["ReplicationGroupId"] == "openedx-shared-redis"
    assert cache["SnapshotSource"] == "manual"

    # OpenSearch has no manual snapshot here: the run reports the domain's latest automated one.
    assert "opensearch" in output and "OpenSearch automated snapshot (cs-automated-enc)" in output, output[-3000:]

    again, calls, returncode = _run(shared_environment, data_services_confirm="shared",
                                    data_services_snapshot_label="before-upgrade")
    assert returncode == 0, again[-3000:]
    for host in HOSTS:
        assert recap(again, host)["changed"] == 0, again[-3000:]
    assert calls["totals"]["mutating"] == 0, calls["mutating"]
