"""RDS snapshots, restores and point-in-time restores in the sandbox carry the instance's real MariaDB data."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pymysql
import pytest
from botocore.exceptions import ClientError
from sandbox_harness import Sandbox, wait_for

SUBNETS = ["subnet-0d5a0000000000a01", "subnet-0d5a0000000000a02", "subnet-0d5a0000000000a03"]
PLATFORM_SG = "sg-0d5a0000000000e01"
PASSWORD = "Backup-master-1"


class Instances:
    """Creates MySQL instances on the sandbox and deletes whatever the test leaves."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.rds = sandbox.client("rds")
        self.ca = str(sandbox.state_dir / "tls" / "ca.pem")
        self.created: list[str] = []

    def create(self, identifier: str, **extra: Any) -> dict[str, Any]:
        self.rds.create_db_instance(**{
            "DBInstanceIdentifier": identifier, "Engine": "mysql", "EngineVersion": "8.0.40",
            "DBInstanceClass": "db.t3.micro", "AllocatedStorage": 20, "MasterUsername": "admin",
            "MasterUserPassword": PASSWORD, "DBName": "app", "BackupRetentionPeriod": 1, **extra})
        self.created.append(identifier)
        return self.available(identifier)

    def restored(self, identifier: str, answer: dict[str, Any]) -> dict[str, Any]:
        self.created.append(identifier)
        assert answer["DBInstance"]["DBInstanceStatus"] == "creating"
        return self.available(identifier)

    def describe(self, identifier: str) -> dict[str, Any]:
        return self.rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]

    def available(self, identifier: str) -> dict[str, Any]:
        # Time scale 0: the first describe already says available (the create call waits for the server).
        described = self.describe(identifier)
        assert described["DBInstanceStatus"] == "available", described["DBInstanceStatus"]
        return described

    def connect(self, instance: dict[str, Any], tls: bool = True) -> pymysql.connections.Connection:
        transport: dict[str, Any] = {"ssl": {"ca": self.ca}} if tls else {"ssl_disabled": True}
        return pymysql.connect(host=instance["Endpoint"]["Address"], port=instance["Endpoint"]["Port"],
                               user="admin", password=PASSWORD, database="app", autocommit=True, connect_timeout=5,
                               **transport)

    def execute(self, instance: dict[str, Any], *statements: str) -> list[tuple[Any, ...]]:
        with self.connect(instance) as connection, connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
            return list(cursor.fetchall())

    def rows(self, instance: dict[str, Any]) -> list[int]:
        return [row[0] for row in self.execute(instance, "SELECT id FROM items ORDER BY id")]

    def delete_all(self) -> None:
        for identifier in self.created:
            try:
                self.rds.modify_db_instance(DBInstanceIdentifier=identifier, DeletionProtection=False,
                                            ApplyImmediately=True)
                self.rds.delete_db_instance(DBInstanceIdentifier=identifier, SkipFinalSnapshot=True)
            except ClientError as error:
                assert error.response["Error"]["Code"] == "DBInstanceNotFound"


@pytest.fixture
def instances(fresh: Sandbox) -> Iterator[Instances]:
    made = Instances(fresh)
    yield made
    made.delete_all()


def dataplane_server(sandbox: Sandbox, identifier: str) -> dict[str, Any]:
    return next(s for s in sandbox.control("GET", "/_sandbox/status")["dataplane"] if s["resource_id"] == identifier)


def error_of(call: Any, **kwargs: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as raised:
        call(**kwargs)
    return raised.value.response["Error"]["Code"], raised.value.response["Error"]["Message"]


def test_a_snapshot_holds_the_rows_written_before_it_and_restores_to_a_new_server(
        fresh: Sandbox, instances: Instances) -> None:
    rds, kms = instances.rds, fresh.client("kms")
    key = kms.create_key(Description="snapshots")["KeyMetadata"]["Arn"]
    rds.create_db_subnet_group(DBSubnetGroupName="snap-subnets", DBSubnetGroupDescription="private",
                               SubnetIds=SUBNETS)
    rds.create_db_parameter_group(DBParameterGroupName="snap-tls", DBParameterGroupFamily="mysql8.0",
                                  Description="TLS only")
    rds.modify_db_parameter_group(DBParameterGroupName="snap-tls", Parameters=[
        {"ParameterName": "require_secure_transport", "ParameterValue": "1", "ApplyMethod": "immediate"}])
    source = instances.create("snap-source", StorageEncrypted=True, KmsKeyId=key, DBSubnetGroupName="snap-subnets",
                              VpcSecurityGroupIds=[PLATFORM_SG], DBParameterGroupName="snap-tls",
                              DeletionProtection=True, Tags=[{"Key": "Environment", "Value": "snap"}])
    instances.execute(source, "CREATE TABLE items (id INT PRIMARY KEY)", "INSERT INTO items VALUES (1), (2)")

    fresh.time_scale(0.2)  # the snapshot stays creating for 3 simulated minutes: 0.6 s
    snapshot = rds.create_db_snapshot(DBInstanceIdentifier="snap-source",
                                      DBSnapshotIdentifier="snap-source-before")["DBSnapshot"]
    instances.execute(source, "INSERT INTO items VALUES (3)")  # after the call: not in the snapshot
    assert snapshot["Status"] == "creating"
    assert wait_for(lambda: rds.describe_db_snapshots(DBSnapshotIdentifier="snap-source-before")["DBSnapshots"][0],
                    lambda s: s["Status"] == "available", 10)["Status"] == "available"
    fresh.time_scale(0)
    copy = fresh.state_dir / "snapshots" / "rds" / "snap-source-before"
    assert (copy / "data").is_dir()

    restored = instances.restored("snap-copy", rds.restore_db_instance_from_db_snapshot(
        DBInstanceIdentifier="snap-copy", DBSnapshotIdentifier="snap-source-before", DBInstanceClass="db.t3.small",
        DBSubnetGroupName="snap-subnets", DBParameterGroupName="snap-tls"))
    assert instances.rows(restored) == [1, 2]
    assert instances.rows(source) == [1, 2, 3]
    assert restored["Endpoint"]["Port"] != source["Endpoint"]["Port"]
    with pytest.raises(pymysql.err.OperationalError):
        instances.connect(restored, tls=False)  # TLS only, as its parameter group says
    with instances.connect(restored) as connection, connection.cursor() as cursor:
        cursor.execute("SHOW STATUS LIKE 'Ssl_version'")
        assert cursor.fetchone()[1].startswith("TLSv1")
    # What AWS gives a restored instance: the snapshot's engine, storage and key, the call's class and groups, the
    # default security group of the subnet group's VPC, no deletion protection, the source's tags.
    assert {name: restored[name] for name in ("DBInstanceClass", "EngineVersion", "StorageEncrypted", "KmsKeyId",
                                              "AllocatedStorage", "MasterUsername", "DBName", "DeletionProtection",
                                              "MultiAZ", "BackupRetentionPeriod")} == {
        "DBInstanceClass": "db.t3.small", "EngineVersion": "8.0.40", "StorageEncrypted": True, "KmsKeyId": key,
        "AllocatedStorage": 20, "MasterUsername": "admin", "DBName": "app", "DeletionProtection": False,
        "MultiAZ": False, "BackupRetentionPeriod": 1}
    assert restored["DBSubnetGroup"]["DBSubnetGroupName"] == "snap-subnets"
    assert [g["DBParameterGroupName"] for g in restored["DBParameterGroups"]] == ["snap-tls"]
    assert [g["VpcSecurityGroupId"] for g in restored["VpcSecurityGroups"]] != [PLATFORM_SG]
    assert restored["TagList"] == [{"Key": "Environment", "Value": "snap"}]

    rds.delete_db_snapshot(DBSnapshotIdentifier="snap-source-before")
    assert not copy.exists()


def test_point_in_time_restore_replays_the_binary_log_to_the_second(fresh: Sandbox, instances: Instances) -> None:
    rds = instances.rds
    source = instances.create("pitr-source")
    described = instances.describe("pitr-source")
    window = rds.describe_db_instance_automated_backups(DBInstanceIdentifier="pitr-source")[
        "DBInstanceAutomatedBackups"][0]["RestoreWindow"]
    now = datetime.now(UTC)
    assert window["EarliestTime"] <= now + timedelta(seconds=1)
    assert now - timedelta(seconds=5) <= described["LatestRestorableTime"] <= now
    instances.execute(source, "CREATE TABLE items (id INT PRIMARY KEY)", "INSERT INTO items VALUES (1)")
    time.sleep(1.1)
    between = datetime.now(UTC)
    time.sleep(1.1)
    instances.execute(source, "INSERT INTO items VALUES (2)")

    # The copies need no backups of their own (none to take: quicker).
    restored = instances.restored("pitr-between", rds.restore_db_instance_to_point_in_time(
        SourceDBInstanceIdentifier="pitr-source", TargetDBInstanceIdentifier="pitr-between", RestoreTime=between,
        BackupRetentionPeriod=0))
    assert instances.rows(restored) == [1]
    assert "LatestRestorableTime" not in restored

    # Binary log times are whole seconds: a row committed earlier in RestoreTime's own second is left out.
    while datetime.now(UTC).microsecond > 400_000:
        time.sleep(0.05)
    instances.execute(source, "INSERT INTO items VALUES (3)")
    same_second = datetime.now(UTC)
    latest = instances.restored("pitr-latest", rds.restore_db_instance_to_point_in_time(
        SourceDBInstanceIdentifier="pitr-source", TargetDBInstanceIdentifier="pitr-latest",
        UseLatestRestorableTime=True, BackupRetentionPeriod=0))
    assert instances.rows(latest) == [1, 2, 3]  # the latest restorable time is the end of the log, to the row
    cut = instances.restored("pitr-cut", rds.restore_db_instance_to_point_in_time(
        SourceDBInstanceIdentifier="pitr-source", TargetDBInstanceIdentifier="pitr-cut", RestoreTime=same_second,
        BackupRetentionPeriod=0))
    assert instances.rows(cut) == [1, 2]


def test_the_final_snapshot_of_a_deleted_instance_restores(fresh: Sandbox, instances: Instances) -> None:
    rds = instances.rds
    source = instances.create("final-source")
    instances.execute(source, "CREATE TABLE items (id INT PRIMARY KEY)", "INSERT INTO items VALUES (7)")
    deleted = rds.delete_db_instance(DBInstanceIdentifier="final-source",
                                     FinalDBSnapshotIdentifier="final-source-last")["DBInstance"]
    assert deleted["DBInstanceStatus"] == "deleting"
    assert error_of(rds.describe_db_instances, DBInstanceIdentifier="final-source")[0] == "DBInstanceNotFound"
    assert not (fresh.state_dir / "mariadb" / "final-source").exists()
    snapshot = rds.describe_db_snapshots(DBSnapshotIdentifier="final-source-last")["DBSnapshots"][0]
    assert (snapshot["Status"], snapshot["SnapshotType"]) == ("available", "manual")
    assert rds.describe_db_snapshots(DBInstanceIdentifier="final-source", SnapshotType="automated")[
        "DBSnapshots"] == []  # DeleteAutomatedBackups defaults to true

    restored = instances.restored("final-copy", rds.restore_db_instance_from_db_snapshot(
        DBInstanceIdentifier="final-copy", DBSnapshotIdentifier="final-source-last"))
    assert instances.rows(restored) == [7]
    rds.copy_db_snapshot(SourceDBSnapshotIdentifier="final-source-last", TargetDBSnapshotIdentifier="final-kept")
    assert (fresh.state_dir / "snapshots" / "rds" / "final-kept" / "data").is_dir()
    for identifier in ("final-source-last", "final-kept"):
        rds.delete_db_snapshot(DBSnapshotIdentifier=identifier)


def test_restores_refuse_what_aws_refuses(fresh: Sandbox, instances: Instances) -> None:
    rds = instances.rds
    instances.create("refuse-source")
    rds.create_db_snapshot(DBInstanceIdentifier="refuse-source", DBSnapshotIdentifier="refuse-snap")
    restore = rds.restore_db_instance_from_db_snapshot
    pitr = rds.restore_db_instance_to_point_in_time
    assert error_of(restore, DBInstanceIdentifier="refuse-new", DBSnapshotIdentifier="no-such-snapshot") == (
        "DBSnapshotNotFound", "DBSnapshot no-such-snapshot not found.")
    assert error_of(restore, DBInstanceIdentifier="refuse-source", DBSnapshotIdentifier="refuse-snap")[0] == (
        "DBInstanceAlreadyExists")
    assert error_of(pitr, SourceDBInstanceIdentifier="refuse-source", TargetDBInstanceIdentifier="refuse-source",
                    UseLatestRestorableTime=True)[0] == "DBInstanceAlreadyExists"
    assert error_of(pitr, SourceDBInstanceIdentifier="no-such-instance", TargetDBInstanceIdentifier="refuse-new",
                    UseLatestRestorableTime=True)[0] == "DBInstanceNotFound"
    now = datetime.now(UTC)
    for moment in (now - timedelta(hours=1), now + timedelta(minutes=5)):
        code, message = error_of(pitr, SourceDBInstanceIdentifier="refuse-source",
                                 TargetDBInstanceIdentifier="refuse-new", RestoreTime=moment)
        assert code == "InvalidRestoreFault"
        assert "outside the restorable window" in message
    assert error_of(pitr, SourceDBInstanceIdentifier="refuse-source", TargetDBInstanceIdentifier="refuse-new",
                    RestoreTime=now, UseLatestRestorableTime=True)[0] == "InvalidParameterCombination"
    assert error_of(pitr, SourceDBInstanceIdentifier="refuse-source", TargetDBInstanceIdentifier="refuse-new")[
        0] == "InvalidParameterCombination"

    # Retention 0 drops the automated backups: no restorable time, no point-in-time restore.
    rds.modify_db_instance(DBInstanceIdentifier="refuse-source", BackupRetentionPeriod=0, ApplyImmediately=True)
    assert "LatestRestorableTime" not in instances.available("refuse-source")
    assert rds.describe_db_instance_automated_backups(DBInstanceIdentifier="refuse-source")[
        "DBInstanceAutomatedBackups"] == []
    assert error_of(pitr, SourceDBInstanceIdentifier="refuse-source", TargetDBInstanceIdentifier="refuse-new",
                    UseLatestRestorableTime=True)[0] == "PointInTimeRestoreNotEnabled"
    assert error_of(rds.describe_db_instances, DBInstanceIdentifier="refuse-new")[0] == "DBInstanceNotFound"
    rds.delete_db_snapshot(DBSnapshotIdentifier="refuse-snap")


def test_scaling_keeps_the_server_and_its_data(fresh: Sandbox, instances: Instances) -> None:
    rds = instances.rds
    source = instances.create("scale-source")
    instances.execute(source, "CREATE TABLE items (id INT PRIMARY KEY)", "INSERT INTO items VALUES (1), (2)")
    server = dataplane_server(fresh, "scale-source")
    fresh.time_scale(0.05)  # 10 simulated minutes of modifying: 0.5 s
    modified = rds.modify_db_instance(DBInstanceIdentifier="scale-source", DBInstanceClass="db.t3.large",
                                      AllocatedStorage=50, ApplyImmediately=True)["DBInstance"]
    assert modified["PendingModifiedValues"] == {"DBInstanceClass": "db.t3.large", "AllocatedStorage": 50}
    instances.execute(source, "INSERT INTO items VALUES (3)")  # the server answers while modifying
    scaled = wait_for(lambda: instances.describe("scale-source"), lambda i: i["DBInstanceStatus"] == "available", 10)
    fresh.time_scale(0)
    assert (scaled["DBInstanceClass"], scaled["AllocatedStorage"]) == ("db.t3.large", 50)
    assert scaled["Endpoint"] == source["Endpoint"]
    after = dataplane_server(fresh, "scale-source")
    assert (after["pid"], after["port"], after["datadir"]) == (server["pid"], server["port"], server["datadir"])
    assert instances.rows(scaled) == [1, 2, 3]
