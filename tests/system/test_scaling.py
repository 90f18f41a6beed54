"""Scaling and engine upgrades of MySQL and DocumentDB through data-services.yml, on an environment of their own.

An environment of the test profile (one MySQL instance, one DocumentDB instance; --limit mysql,documentdb) holds rows
and documents; changed settings scale it in place (same instance, endpoint and data); a shrink past the autoscaling
ceiling and major upgrades without the allow settings are refused before any AWS change; with them the run snapshots
first and upgrades in place, the data kept; the re-run changes nothing and --check calls nothing mutating.
It converges an environment of its own because it upgrades the engines, which the shared environment must keep.
"""

from __future__ import annotations

import json

import pymongo
import pymysql
from conftest import CA_BUNDLE, aws, fresh_environment, ledger, recap, run_playbook, sandbox

ENVIRONMENT = "scaled"
MYSQL = f"openedx-{ENVIRONMENT}-mysql"
DOCDB = f"openedx-{ENVIRONMENT}-docdb"
HOSTS = ("--limit", "mysql,documentdb")
BASE = {**fresh_environment(ENVIRONMENT), "data_services_profile": "test"}
SCALED = {"rds_mysql_instance_class": "db.r6g.large", "rds_mysql_allocated_storage": 30,
          "documentdb_instance_class": "db.r6g.large", "documentdb_instance_count": 2}
UPGRADED = {"rds_mysql_engine_version": "8.4.5", "rds_mysql_parameter_group_family": "mysql8.4",
            "documentdb_engine_version": "8.0.0", "documentdb_parameter_group_family": "docdb8.0"}


def _run(*args: str, **extra) -> tuple[str, dict]:
    sandbox("reset")
    result = run_playbook(*HOSTS, *args, extra_vars={**BASE, **extra})
    return result.stdout, ledger()


def _secret(service: str, user: str) -> dict:
    value = aws("secretsmanager").get_secret_value(SecretId=f"openedx/{ENVIRONMENT}/{service}/{user}")
    return json.loads(value["SecretString"])


def _mysql(*statements: str) -> list:
    credential = _secret("mysql", "admin")
    with pymysql.connect(host=credential["host"], port=int(credential["port"]), user="admin",
                         password=credential["password"], ssl={"ca": CA_BUNDLE}, autocommit=True,
                         connect_timeout=10) as connection, connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
        return list(cursor.fetchall())


def _mongo() -> pymongo.MongoClient:
    credential = _secret("documentdb", "docdbadmin")
    return pymongo.MongoClient(host=credential["host"], port=int(credential["port"]), username="docdbadmin",
                               password=credential["password"], tls=True, tlsCAFile=CA_BUNDLE,
                               retryWrites=False, serverSelectionTimeoutMS=5000)


def _rows() -> list:
    return [row[0] for row in _mysql("SELECT id FROM scaling.items ORDER BY id")]


def _documents() -> list:
    with _mongo() as mongo:
        return sorted(doc["_id"] for doc in mongo.scaling.items.find({}))


def _instance() -> dict:
    return aws("rds").describe_db_instances(DBInstanceIdentifier=MYSQL)["DBInstances"][0]


def _cluster() -> dict:
    return aws("rds").describe_db_clusters(DBClusterIdentifier=DOCDB)["DBClusters"][0]


def test_scaling_and_upgrades_keep_the_instances_and_their_data():
    output = _run()[0]
    assert recap(output)["failed"] == 0 and recap(output, "documentdb")["failed"] == 0, output[-3000:]
    _mysql("CREATE DATABASE IF NOT EXISTS scaling", "CREATE TABLE IF NOT EXISTS scaling.items (id INT PRIMARY KEY)",
           "REPLACE INTO scaling.items VALUES (1), (2)")
    with _mongo() as mongo:
        mongo.scaling.items.delete_many({})
        mongo.scaling.items.insert_many([{"_id": "a"}, {"_id": "b"}])
    before, cluster_before = _instance(), _cluster()

    # Class, storage and instance count change in place.
    output, calls = _run(**SCALED)
    assert recap(output)["failed"] == 0 and recap(output, "documentdb")["failed"] == 0, output[-3000:]
    assert "rds:CreateDBInstance" in calls["mutating"] and "rds:ModifyDBInstance" in calls["mutating"], calls
    assert not {"rds:DeleteDBInstance", "rds:DeleteDBCluster", "rds:CreateDBCluster"} & set(calls["mutating"]), calls
    after, cluster_after = _instance(), _cluster()
    assert (after["DBInstanceClass"], after["AllocatedStorage"]) == ("db.r6g.large", 30), after
    assert (after["DbiResourceId"], after["Endpoint"]) == (before["DbiResourceId"], before["Endpoint"])
    assert cluster_after["DbClusterResourceId"] == cluster_before["DbClusterResourceId"]
    assert sorted(m["DBInstanceIdentifier"] for m in cluster_after["DBClusterMembers"]) == [f"{DOCDB}-1", f"{DOCDB}-2"]
    assert _rows() == [1, 2] and _documents() == ["a", "b"]

    # A shrink below what the instance has and past the autoscaling ceiling, and major upgrades without the allow
    # settings: refused before any AWS change, each with the way to do it.
    output, calls = _run(**{**SCALED, **UPGRADED, "rds_mysql_allocated_storage": 20,
                            "rds_mysql_max_allocated_storage": 25})
    assert recap(output)["failed"] == 1 and recap(output, "documentdb")["failed"] == 1, output[-3000:]
    assert "RDS never shrinks storage" in output and "mysqldump" in output, output[-3000:]
    assert "rds_mysql_allow_major_version_upgrade=true" in output, output[-3000:]
    assert "documentdb_allow_major_version_upgrade=true" in output, output[-3000:]
    assert calls["totals"]["mutating"] == 0, calls["mutating"]

    # With them: a snapshot first, then the upgrade in place with the data kept.
    allowed = {**SCALED, **UPGRADED, "rds_mysql_allow_major_version_upgrade": True,
               "documentdb_allow_major_version_upgrade": True}
    output, calls = _run(**allowed)
    assert recap(output)["failed"] == 0 and recap(output, "documentdb")["failed"] == 0, output[-3000:]
    upgraded = _instance()
    assert upgraded["EngineVersion"] == "8.4.5" and upgraded["DbiResourceId"] == before["DbiResourceId"]
    assert upgraded["DBParameterGroups"][0]["DBParameterGroupName"] == f"{MYSQL}-mysql8-4"
    assert _cluster()["EngineVersion"] == "8.0.0"
    snapshots = [s["DBSnapshotIdentifier"] for s in aws("rds").describe_db_snapshots(
        DBInstanceIdentifier=MYSQL, SnapshotType="manual")["DBSnapshots"]]
    assert any(s.startswith(f"{MYSQL}-before-8-4-5-") for s in snapshots), snapshots
    cluster_snapshots = [s["DBClusterSnapshotIdentifier"] for s in aws("rds").describe_db_cluster_snapshots(
        DBClusterIdentifier=DOCDB, SnapshotType="manual")["DBClusterSnapshots"]]
    assert any(s.startswith(f"{DOCDB}-before-8-0-0-") for s in cluster_snapshots), cluster_snapshots
    assert _rows() == [1, 2] and _documents() == ["a", "b"]

    # Converged: the next run would change nothing (in check mode, to spare a run: the same decisions), and --check
    # calls nothing mutating (a major upgrade done is not done again: no second snapshot).
    output, calls = _run("--check", **allowed)
    assert recap(output)["changed"] == 0 and recap(output, "documentdb")["changed"] == 0, output[-3000:]
    assert calls["totals"]["mutating"] == 0, calls["mutating"]
