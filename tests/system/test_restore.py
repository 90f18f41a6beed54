"""restore.yml on the shared environment (conftest.shared_environment): rows, keys and documents written before a
snapshot (and before a point in time) are in the restored copies, those written after are not; refusals before any
AWS call; --check restores nothing; a run again changes nothing. The copies are deleted at the end of the module, so
that the tests counting the shared environment's resources (test_report, test_alarms) do not see them.

Writes go to the live servers as the platform reaches them (connections.yml and the Secrets Manager credentials); the
copies are read through the connection settings restore.yml writes under artifacts/shared/restore/<name>/.
"""

from __future__ import annotations

import json
import math
import time
from datetime import UTC, datetime
from pathlib import Path

import pymongo
import pymysql
import pytest
import redis
import yaml
from conftest import CA_BUNDLE, ROOT, aws, ledger, recap, run_playbook, sandbox

PLAYBOOK = "playbooks/restore.yml"
LABEL = "restore-test"
NAME = "rt"  # the copies: MySQL restored to a point in time, DocumentDB and Redis from their snapshots
PROBE = "restore_probe"  # the MySQL database, DocumentDB database and collection, Redis key prefix of the test
ARTIFACTS = ROOT / "artifacts" / "shared"


def _run(shared_environment, *args: str, playbook: str = PLAYBOOK, **extra) -> tuple[str, dict, int]:
    sandbox("reset")
    started = time.monotonic()
    result = run_playbook(*args, playbook=playbook,
                          extra_vars={**shared_environment.extra_vars, "data_services_confirm": "shared", **extra},
                          timeout=900)
    print(f"test_restore: {playbook} {' '.join(args)} took {time.monotonic() - started:.0f} s")
    return result.stdout, ledger(), result.returncode


def _connections(directory: Path) -> dict:
    return yaml.safe_load((directory / "connections.yml").read_text())["services"]


def _secret(arn: str) -> dict:
    return json.loads(aws("secretsmanager").get_secret_value(SecretId=arn)["SecretString"])


def _mysql(entry: dict) -> pymysql.Connection:
    master = _secret(entry["master_secret_arn"])
    return pymysql.connect(host=entry["host"], port=int(entry["port"]), user=master["username"],
                           password=master["password"], ssl={"ca": CA_BUNDLE}, connect_timeout=5, autocommit=True)


def _redis(entry: dict) -> redis.Redis:
    return redis.Redis(host=entry["primary_host"], port=int(entry["port"]), password=_secret(entry["secret_arn"])[
        "auth_token"], ssl=True, ssl_ca_certs=CA_BUNDLE, socket_timeout=5, decode_responses=True)


def _mongo(entry: dict) -> pymongo.MongoClient:
    master = _secret(entry["secret_arn"])
    return pymongo.MongoClient(entry["connection_string"], username=master["username"], password=master["password"],
                               serverSelectionTimeoutMS=5000)


def _write(live: dict, mark: str) -> None:
    """Write one row, key and document named ``mark`` to the live servers."""
    with _mysql(live["mysql"]) as connection, connection.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE IF NOT EXISTS {PROBE}")
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {PROBE}.marks (mark VARCHAR(32) PRIMARY KEY)")
        cursor.execute(f"INSERT INTO {PROBE}.marks VALUES (%s)", (mark,))
    with _redis(live["redis"]) as client:
        client.set(f"{PROBE}:{mark}", mark)
    with _mongo(live["documentdb"]) as client:
        client[PROBE][PROBE].insert_one({"_id": mark})


def _read(copy: dict) -> dict[str, set[str]]:
    """The marks each copy holds (services the copy does not have are left out)."""
    found: dict[str, set[str]] = {}
    if "mysql" in copy:
        with _mysql(copy["mysql"]) as connection, connection.cursor() as cursor:
            cursor.execute(f"SELECT mark FROM {PROBE}.marks")
            found["mysql"] = {row[0] for row in cursor.fetchall()}
    if "redis" in copy:
        with _redis(copy["redis"]) as client:
            found["redis"] = {key.split(":", 1)[1] for key in client.scan_iter(f"{PROBE}:*")}
    if "documentdb" in copy:
        with _mongo(copy["documentdb"]) as client:
            found["documentdb"] = {doc["_id"] for doc in client[PROBE][PROBE].find()}
    return found


def _delete_copies() -> None:
    """Delete every copy of the module (deletion protection is on: the prod profile), and the live probe data."""
    rds, elasticache = aws("rds"), aws("elasticache")
    for name in (NAME,):
        instance = f"openedx-shared-mysql-{name}"
        cluster = f"openedx-shared-docdb-{name}"
        if rds.describe_db_instances(Filters=[{"Name": "db-instance-id", "Values": [instance]}])["DBInstances"]:
            rds.modify_db_instance(DBInstanceIdentifier=instance, DeletionProtection=False, ApplyImmediately=True)
            rds.delete_db_instance(DBInstanceIdentifier=instance, SkipFinalSnapshot=True)
        found = rds.describe_db_clusters(Filters=[{"Name": "db-cluster-id", "Values": [cluster]}])["DBClusters"]
        if found:
            for member in found[0]["DBClusterMembers"]:
                rds.delete_db_instance(DBInstanceIdentifier=member["DBInstanceIdentifier"], SkipFinalSnapshot=True)
            rds.modify_db_cluster(DBClusterIdentifier=cluster, DeletionProtection=False, ApplyImmediately=True)
            rds.delete_db_cluster(DBClusterIdentifier=cluster, SkipFinalSnapshot=True)
        group = f"openedx-shared-redis-{name}"
        groups = elasticache.describe_replication_groups()["ReplicationGroups"]
        if any(g["ReplicationGroupId"] == group for g in groups):
            elasticache.delete_replication_group(ReplicationGroupId=group)


@pytest.fixture(scope="module")
def restores(shared_environment):
    """Marks written around a snapshot and a point in time, then the restores of both, the run again and the check.

    first: before the snapshot; second: after it, before the point in time; third: after the point in time.
    """
    started = time.monotonic()
    live = _connections(ARTIFACTS)
    runs: dict[str, tuple[str, dict, int]] = {}
    try:
        _write(live, "first")
        runs["snapshot"] = _run(shared_environment, "--limit", "mysql,documentdb,redis",
                                playbook="playbooks/snapshot.yml", data_services_snapshot_label=LABEL)
        assert runs["snapshot"][2] == 0, runs["snapshot"][0][-3000:]
        _write(live, "second")
        # The binary log and the journal date writes to the second: the point in time is the next whole second after
        # the second writes, and the third writes come a second after it.
        point = math.floor(time.time()) + 1
        time.sleep(max(0.0, point + 1.05 - time.time()))
        _write(live, "third")
        restore_time = datetime.fromtimestamp(point, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

        # MySQL to the point in time; DocumentDB and Redis (which has no point in time) from their snapshots.
        runs["restore"] = _run(shared_environment, data_services_restore_name=NAME,
                               data_services_restore_time=restore_time,
                               documentdb_restore_snapshot=f"openedx-shared-docdb-{LABEL}",
                               redis_restore_snapshot=f"openedx-shared-redis-{LABEL}")
        runs["again"] = _run(shared_environment, "--limit", "mysql", data_services_restore_name=NAME,
                             data_services_restore_time=restore_time)
        runs["check"] = _run(shared_environment, "--check", "--limit", "mysql,redis",
                             data_services_restore_name="checked", data_services_restore_snapshot_label=LABEL)
        copy = _read(_connections(ARTIFACTS / "restore" / NAME))
        yield runs, copy, restore_time
    finally:
        _delete_copies()
        with _mysql(live["mysql"]) as connection, connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {PROBE}")
        with _redis(live["redis"]) as client:
            client.delete(*client.keys(f"{PROBE}:*") or [f"{PROBE}:none"])
        with _mongo(live["documentdb"]) as client:
            client.drop_database(PROBE)
        print(f"test_restore: restores and clean-up took {time.monotonic() - started:.0f} s")


def test_a_time_for_redis_and_a_name_too_long_are_refused_before_any_aws_call(shared_environment):
    # <identifier>-<name> would pass RDS's 63 characters; ElastiCache restores no point in time.
    output, calls, returncode = _run(shared_environment, "--limit", "mysql,redis",
                                     data_services_restore_name="restore-" + "x" * 32,
                                     data_services_restore_time="latest",
                                     rds_mysql_identifier="openedx-shared-mysql-" + "m" * 20)
    assert returncode != 0
    assert recap(output, "mysql")["failed"] == 1 and recap(output, "redis")["failed"] == 1, output[-3000:]
    assert "must be at most 63 characters (an RDS DB instance identifier)" in output, output[-3000:]
    assert "ElastiCache restores a replication group from a snapshot only" in output, output[-3000:]
    assert calls["totals"]["mutating"] == 0 and calls["totals"]["read"] == 0, calls


def test_the_copies_hold_what_was_written_before_the_snapshot_or_the_point_in_time(restores):
    runs, copy, restore_time = restores
    output, calls, returncode = runs["restore"]
    assert returncode == 0, output[-4000:]
    made = calls["mutating"]
    assert made.get("rds:RestoreDBInstanceToPointInTime") == 1, made
    assert made.get("rds:RestoreDBClusterFromSnapshot") == 1, made
    assert made.get("elasticache:CreateReplicationGroup") == 1, made
    # first: before the snapshot; second: after it, before the point in time; third: after the point in time.
    assert copy == {"mysql": {"first", "second"}, "documentdb": {"first"}, "redis": {"first"}}, copy

    rds = aws("rds")
    instance = rds.describe_db_instances(DBInstanceIdentifier=f"openedx-shared-mysql-{NAME}")["DBInstances"][0]
    tags = {t["Key"]: t["Value"] for t in instance["TagList"]}
    assert tags["RestoredFrom"] == f"openedx-shared-mysql@{restore_time}" and tags["Environment"] == "shared", tags
    assert instance["DBSubnetGroup"]["DBSubnetGroupName"] == "openedx-shared-data-services"
    assert instance["DeletionProtection"] and instance["MultiAZ"] and instance["StorageEncrypted"], instance
    cluster = rds.describe_db_clusters(DBClusterIdentifier=f"openedx-shared-docdb-{NAME}")["DBClusters"][0]
    assert len(cluster["DBClusterMembers"]) == 3 and cluster["StorageEncrypted"], cluster
    # OpenSearch restores no domain: the run says so.
    assert "not restored" in output and "OpenSearch domain" in output, output[-3000:]

    written = (ARTIFACTS / "restore" / NAME / "connections.yml").read_text()
    assert written.startswith(f"# Restored copies of shared (restore {NAME})"), written[:500]
    services, live = yaml.safe_load(written)["services"], _connections(ARTIFACTS)
    assert services["mysql"]["identifier"] == f"openedx-shared-mysql-{NAME}"
    assert services["mysql"]["secret_arn"] == live["mysql"]["secret_arn"]
    assert services["documentdb"]["identifier"] == f"openedx-shared-docdb-{NAME}"
    assert services["redis"]["replication_group_id"] == f"openedx-shared-redis-{NAME}"
    assert services["redis"]["secret_arn"] == live["redis"]["secret_arn"]


def test_a_rerun_changes_nothing_and_check_mode_restores_nothing(restores):
    runs = restores[0]
    output, calls, returncode = runs["again"]
    assert returncode == 0, output[-3000:]
    assert recap(output, "mysql")["changed"] == 0, output[-3000:]
    assert calls["totals"]["mutating"] == 0, calls["mutating"]

    output, calls, returncode = runs["check"]
    assert returncode == 0, output[-3000:]
    assert calls["totals"]["mutating"] == 0, calls["mutating"]
    assert output.count("to be restored") >= 2, output[-3000:]
    assert not (ARTIFACTS / "restore" / "checked").exists()
    assert not aws("rds").describe_db_instances(
        Filters=[{"Name": "db-instance-id", "Values": ["openedx-shared-mysql-checked"]}])["DBInstances"]
