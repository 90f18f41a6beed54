"""RDS in the sandbox: simulated time, and the describe fields amazon.aws.rds_instance compares for idempotence."""

from __future__ import annotations

import time
from typing import Any

import pytest
from botocore.exceptions import ClientError
from sandbox_harness import Sandbox, wait_for

SUBNETS = ["subnet-0d5a0000000000a01", "subnet-0d5a0000000000a02", "subnet-0d5a0000000000a03"]
PLATFORM_SG = "sg-0d5a0000000000e01"


def instance(rds: Any, identifier: str) -> dict[str, Any]:
    return rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]


def status_of(rds: Any, identifier: str) -> str:
    try:
        return instance(rds, identifier)["DBInstanceStatus"]
    except ClientError as error:
        return error.response["Error"]["Code"]


def error_code(call: Any, **kwargs: Any) -> str:
    with pytest.raises(ClientError) as raised:
        call(**kwargs)
    return raised.value.response["Error"]["Code"]


@pytest.fixture
def network(fresh: Sandbox) -> dict[str, str]:
    rds, kms = fresh.client("rds"), fresh.client("kms")
    name = f"subnets-{time.monotonic_ns()}"
    rds.create_db_subnet_group(DBSubnetGroupName=name, DBSubnetGroupDescription="private", SubnetIds=SUBNETS)
    key = kms.create_key(Description="rds")["KeyMetadata"]
    return {"subnet_group": name, "key_arn": key["Arn"], "key_id": key["KeyId"]}


def postgres(rds: Any, identifier: str, **extra: Any) -> dict[str, Any]:
    """An instance without a data plane: its transitions are pure simulated time."""
    return rds.create_db_instance(DBInstanceIdentifier=identifier, Engine="postgres", EngineVersion="16.3",
                                  DBInstanceClass="db.t3.micro", AllocatedStorage=20, MasterUsername="pg",
                                  MasterUserPassword="Postgres-pass-1", **extra)["DBInstance"]


def test_instance_lifecycle_follows_the_time_scale(fresh: Sandbox) -> None:
    fresh.time_scale(0.05)  # 8 simulated minutes to create = 0.4 s
    rds = fresh.client("rds")
    started = time.monotonic()
    assert postgres(rds, "timed")["DBInstanceStatus"] == "creating"
    assert status_of(rds, "timed") == "creating"
    assert wait_for(lambda: status_of(rds, "timed"), lambda s: s == "available", 10) == "available"
    assert time.monotonic() - started >= 0.4

    started = time.monotonic()
    modified = rds.modify_db_instance(DBInstanceIdentifier="timed", DBInstanceClass="db.t3.small",
                                      ApplyImmediately=True)["DBInstance"]
    assert modified["DBInstanceStatus"] == "modifying"
    assert modified["PendingModifiedValues"] == {"DBInstanceClass": "db.t3.small"}
    assert instance(rds, "timed")["DBInstanceClass"] == "db.t3.micro"
    assert error_code(rds.modify_db_instance, DBInstanceIdentifier="timed", BackupRetentionPeriod=3) == (
        "InvalidDBInstanceState")
    done = wait_for(lambda: instance(rds, "timed"), lambda i: i["DBInstanceStatus"] == "available", 10)
    assert (done["DBInstanceClass"], done["PendingModifiedValues"]) == ("db.t3.small", {})
    assert time.monotonic() - started >= 0.5

    started = time.monotonic()
    snapshot = rds.create_db_snapshot(DBInstanceIdentifier="timed", DBSnapshotIdentifier="timed-snap")["DBSnapshot"]
    assert snapshot["Status"] == "creating"
    snapshot_status = wait_for(
        lambda: rds.describe_db_snapshots(DBSnapshotIdentifier="timed-snap")["DBSnapshots"][0]["Status"],
        lambda s: s == "available", 10)
    assert snapshot_status == "available"
    assert time.monotonic() - started >= 0.15

    started = time.monotonic()
    assert rds.delete_db_instance(DBInstanceIdentifier="timed", SkipFinalSnapshot=True)["DBInstance"][
        "DBInstanceStatus"] == "deleting"
    assert status_of(rds, "timed") == "deleting"
    assert error_code(rds.delete_db_instance, DBInstanceIdentifier="timed", SkipFinalSnapshot=True) == (
        "InvalidDBInstanceState")
    assert wait_for(lambda: status_of(rds, "timed"), lambda s: s == "DBInstanceNotFound", 10) == "DBInstanceNotFound"
    assert time.monotonic() - started >= 0.25
    rds.delete_db_snapshot(DBSnapshotIdentifier="timed-snap")


def test_multi_az_takes_longer_than_single_az(fresh: Sandbox) -> None:
    fresh.time_scale(0.1)  # 0.8 s single-AZ, 1.2 s Multi-AZ
    rds = fresh.client("rds")
    postgres(rds, "single-az")
    postgres(rds, "multi-az", MultiAZ=True)
    wait_for(lambda: status_of(rds, "single-az"), lambda s: s == "available", 10)
    assert status_of(rds, "multi-az") == "creating"
    assert wait_for(lambda: status_of(rds, "multi-az"), lambda s: s == "available", 10) == "available"
    assert instance(rds, "multi-az")["SecondaryAvailabilityZone"] != instance(rds, "multi-az")["AvailabilityZone"]
    for identifier in ("single-az", "multi-az"):
        rds.delete_db_instance(DBInstanceIdentifier=identifier, SkipFinalSnapshot=True)


def test_describe_returns_what_rds_instance_compares(fresh: Sandbox, network: dict[str, str]) -> None:
    rds = fresh.client("rds")
    rds.create_db_parameter_group(DBParameterGroupName="roundtrip-mysql80", DBParameterGroupFamily="mysql8.0",
                                  Description="round trip")
    rds.create_db_instance(
        DBInstanceIdentifier="roundtrip", Engine="mysql", EngineVersion="8.0.40", DBInstanceClass="db.t3.medium",
        AllocatedStorage=100, MaxAllocatedStorage=200, StorageType="gp3", StorageEncrypted=True,
        KmsKeyId=network["key_id"], MultiAZ=False, MasterUsername="admin", MasterUserPassword="Roundtrip-pass-1",
        DBSubnetGroupName=network["subnet_group"], VpcSecurityGroupIds=[PLATFORM_SG], PubliclyAccessible=False,
        BackupRetentionPeriod=7, PreferredBackupWindow="03:00-04:00",
        PreferredMaintenanceWindow="mon:04:00-mon:05:00", EnablePerformanceInsights=True,
        PerformanceInsightsKMSKeyId=network["key_arn"], PerformanceInsightsRetentionPeriod=7, MonitoringInterval=60,
        MonitoringRoleArn="arn:aws:iam::123456789012:role/rds-monitoring",
        EnableCloudwatchLogsExports=["error", "general", "slowquery"], EnableIAMDatabaseAuthentication=True,
        AutoMinorVersionUpgrade=True, DeletionProtection=False, DBParameterGroupName="roundtrip-mysql80",
        CopyTagsToSnapshot=True, CACertificateIdentifier="rds-ca-rsa2048-g1", Tags=[{"Key": "Env", "Value": "test"}],
    )
    described = instance(rds, "roundtrip")
    assert described["DBInstanceStatus"] == "available"  # time scale 0: available once MariaDB answers
    assert described["Endpoint"]["Address"] == "127.0.0.1"
    assert described["Endpoint"]["Port"] >= fresh.mysql_first_port
    expected = {
        "DBInstanceClass": "db.t3.medium", "Engine": "mysql", "EngineVersion": "8.0.40", "AllocatedStorage": 100,
        "MaxAllocatedStorage": 200, "StorageType": "gp3", "Iops": 3000, "StorageThroughput": 125,
        "StorageEncrypted": True, "KmsKeyId": network["key_arn"], "MultiAZ": False, "MasterUsername": "admin",
        "PubliclyAccessible": False, "BackupRetentionPeriod": 7, "PreferredBackupWindow": "03:00-04:00",
        "PreferredMaintenanceWindow": "mon:04:00-mon:05:00", "PerformanceInsightsEnabled": True,
        "PerformanceInsightsKMSKeyId": network["key_arn"], "PerformanceInsightsRetentionPeriod": 7,
        "MonitoringInterval": 60, "MonitoringRoleArn": "arn:aws:iam::123456789012:role/rds-monitoring",
        "EnabledCloudwatchLogsExports": ["error", "general", "slowquery"], "IAMDatabaseAuthenticationEnabled": True,
        "AutoMinorVersionUpgrade": True, "DeletionProtection": False, "CopyTagsToSnapshot": True,
        "CACertificateIdentifier": "rds-ca-rsa2048-g1", "PendingModifiedValues": {},
    }
    assert {key: described.get(key) for key in expected} == expected
    assert described["DBSubnetGroup"]["DBSubnetGroupName"] == network["subnet_group"]
    assert [g["VpcSecurityGroupId"] for g in described["VpcSecurityGroups"]] == [PLATFORM_SG]
    assert [g["DBParameterGroupName"] for g in described["DBParameterGroups"]] == ["roundtrip-mysql80"]
    assert described["DbiResourceId"].startswith("db-")
    assert described["DbiResourceId"] != "db-M5ENSHXFPU6XHZ4G4ZEI5QIO2U"  # moto's constant for every instance

    changed = rds.modify_db_instance(DBInstanceIdentifier="roundtrip", CloudwatchLogsExportConfiguration={
        "EnableLogTypes": [], "DisableLogTypes": ["general"]}, MaxAllocatedStorage=300, ApplyImmediately=False)
    assert changed["DBInstance"]["EnabledCloudwatchLogsExports"] == ["error", "slowquery"]
    assert instance(rds, "roundtrip")["MaxAllocatedStorage"] == 300
    rds.delete_db_instance(DBInstanceIdentifier="roundtrip", SkipFinalSnapshot=True)


def test_parameter_groups_describe_engine_defaults_and_validate_changes(fresh: Sandbox) -> None:
    rds = fresh.client("rds")
    assert error_code(rds.describe_db_parameter_groups, DBParameterGroupName="missing") == "DBParameterGroupNotFound"
    rds.create_db_parameter_group(DBParameterGroupName="params-mysql80", DBParameterGroupFamily="mysql8.0",
                                  Description="params")
    parameters = {p["ParameterName"]: p for p in
                  rds.describe_db_parameters(DBParameterGroupName="params-mysql80")["Parameters"]}
    assert {"require_secure_transport", "character_set_server", "collation_server", "max_connections"} <= set(
        parameters)
    assert parameters["require_secure_transport"]["DataType"] == "boolean"
    assert parameters["require_secure_transport"]["IsModifiable"] is True
    assert parameters["require_secure_transport"]["Source"] == "engine-default"
    rds.modify_db_parameter_group(DBParameterGroupName="params-mysql80", Parameters=[
        {"ParameterName": "require_secure_transport", "ParameterValue": "1", "ApplyMethod": "immediate"},
        {"ParameterName": "character_set_server", "ParameterValue": "utf8mb4", "ApplyMethod": "immediate"}])
    user = rds.describe_db_parameters(DBParameterGroupName="params-mysql80", Source="user")["Parameters"]
    assert {p["ParameterName"]: p["ParameterValue"] for p in user} == {
        "require_secure_transport": "1", "character_set_server": "utf8mb4"}
    assert error_code(rds.modify_db_parameter_group, DBParameterGroupName="params-mysql80", Parameters=[
        {"ParameterName": "no_such_parameter", "ParameterValue": "1", "ApplyMethod": "immediate"}]) == (
        "InvalidParameterValue")
    assert error_code(rds.modify_db_parameter_group, DBParameterGroupName="params-mysql80", Parameters=[
        {"ParameterName": "character_set_server", "ParameterValue": "klingon", "ApplyMethod": "immediate"}]) == (
        "InvalidParameterValue")


def error(call: Any, **kwargs: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as raised:
        call(**kwargs)
    return raised.value.response["Error"]["Code"], raised.value.response["Error"]["Message"]


def test_mysql_parameters_carry_their_apply_type_and_whether_they_can_change(fresh: Sandbox) -> None:
    rds = fresh.client("rds")
    defaults = rds.describe_engine_default_parameters(DBParameterGroupFamily="mysql8.0")["EngineDefaults"]
    assert "Marker" not in defaults
    catalog = {p["ParameterName"]: p for p in defaults["Parameters"]}
    for parameter in catalog.values():
        assert parameter["ApplyType"] in ("static", "dynamic"), parameter
        assert isinstance(parameter["IsModifiable"], bool), parameter
    assert {name: (catalog[name]["ApplyType"], catalog[name]["IsModifiable"]) for name in (
        "innodb_log_buffer_size", "performance_schema", "require_secure_transport", "datadir")} == {
        "innodb_log_buffer_size": ("static", True), "performance_schema": ("static", True),
        "require_secure_transport": ("dynamic", True), "datadir": ("static", False)}
    assert rds.describe_engine_default_parameters(DBParameterGroupFamily="mysql8.4")["EngineDefaults"][
        "Parameters"] == defaults["Parameters"]

    rds.create_db_parameter_group(DBParameterGroupName="types-mysql80", DBParameterGroupFamily="mysql8.0",
                                  Description="types")
    described = {p["ParameterName"]: p for p in
                 rds.describe_db_parameters(DBParameterGroupName="types-mysql80")["Parameters"]}
    assert {k: (v["ApplyType"], v["IsModifiable"]) for k, v in described.items()} == {
        k: (v["ApplyType"], v["IsModifiable"]) for k, v in catalog.items()}


def test_describes_of_parameters_page_by_max_records(fresh: Sandbox) -> None:
    rds = fresh.client("rds")
    rds.create_db_parameter_group(DBParameterGroupName="pages-mysql80", DBParameterGroupFamily="mysql8.0",
                                  Description="pages")
    everything = rds.describe_db_parameters(DBParameterGroupName="pages-mysql80")["Parameters"]
    first = rds.describe_db_parameters(DBParameterGroupName="pages-mysql80", MaxRecords=20)
    assert (len(first["Parameters"]), first["Marker"]) == (20, "20")
    paged = rds.get_paginator("describe_db_parameters").paginate(
        DBParameterGroupName="pages-mysql80", PaginationConfig={"PageSize": 20}).build_full_result()["Parameters"]
    assert paged == everything
    defaults = rds.get_paginator("describe_engine_default_parameters").paginate(
        DBParameterGroupFamily="mysql8.0", PaginationConfig={"PageSize": 20}).build_full_result()
    assert [p["ParameterName"] for p in defaults["EngineDefaults"]["Parameters"]] == [
        p["ParameterName"] for p in everything]
    assert error(rds.describe_db_parameters, DBParameterGroupName="pages-mysql80", MaxRecords=5) == (
        "InvalidParameterValue", "Invalid value 5 for MaxRecords. Must be between 20 and 100")


def test_a_static_parameter_waits_for_a_reboot_as_on_aws(fresh: Sandbox) -> None:
    rds = fresh.client("rds")
    rds.create_db_parameter_group(DBParameterGroupName="static-mysql80", DBParameterGroupFamily="mysql8.0",
                                  Description="static")
    buffer = {"ParameterName": "innodb_log_buffer_size", "ParameterValue": "33554432"}
    assert error(rds.modify_db_parameter_group, DBParameterGroupName="static-mysql80",
                 Parameters=[{**buffer, "ApplyMethod": "immediate"}]) == (
        "InvalidParameterCombination", "cannot use immediate apply method for static parameter")
    rds.modify_db_parameter_group(DBParameterGroupName="static-mysql80", Parameters=[
        {**buffer, "ApplyMethod": "pending-reboot"},
        {"ParameterName": "long_query_time", "ParameterValue": "2", "ApplyMethod": "immediate"}])
    user = rds.describe_db_parameters(DBParameterGroupName="static-mysql80", Source="user")["Parameters"]
    assert {p["ParameterName"]: (p["ParameterValue"], p["ApplyMethod"]) for p in user} == {
        "innodb_log_buffer_size": ("33554432", "pending-reboot"), "long_query_time": ("2", "immediate")}

    assert error(rds.modify_db_parameter_group, DBParameterGroupName="static-mysql80", Parameters=[
        {"ParameterName": "datadir", "ParameterValue": "/tmp", "ApplyMethod": "pending-reboot"}])[0] == (
        "InvalidParameterValue")
    assert error(rds.reset_db_parameter_group, DBParameterGroupName="static-mysql80", Parameters=[
        {"ParameterName": "innodb_log_buffer_size", "ApplyMethod": "immediate"}]) == (
        "InvalidParameterCombination", "cannot use immediate apply method for static parameter")
    assert error(rds.reset_db_parameter_group, DBParameterGroupName="static-mysql80", Parameters=[
        {"ParameterName": "no_such_parameter", "ApplyMethod": "immediate"}])[0] == "InvalidParameterValue"
    assert error(rds.reset_db_parameter_group, DBParameterGroupName="static-mysql80")[0] == (
        "InvalidParameterCombination")
    rds.reset_db_parameter_group(DBParameterGroupName="static-mysql80", Parameters=[
        {"ParameterName": "innodb_log_buffer_size", "ApplyMethod": "pending-reboot"}])
    user = rds.describe_db_parameters(DBParameterGroupName="static-mysql80", Source="user")["Parameters"]
    assert [p["ParameterName"] for p in user] == ["long_query_time"]


def test_at_most_twenty_parameters_a_request(fresh: Sandbox) -> None:
    rds = fresh.client("rds")
    rds.create_db_parameter_group(DBParameterGroupName="many-mysql80", DBParameterGroupFamily="mysql8.0",
                                  Description="many")
    parameters = [{"ParameterName": "long_query_time", "ParameterValue": str(seconds), "ApplyMethod": "immediate"}
                  for seconds in range(21)]
    assert error(rds.modify_db_parameter_group, DBParameterGroupName="many-mysql80", Parameters=parameters) == (
        "InvalidParameterCombination", "Cannot modify more than 20 parameters in a single request")
    rds.modify_db_parameter_group(DBParameterGroupName="many-mysql80", Parameters=parameters[:20])
    assert error(rds.reset_db_parameter_group, DBParameterGroupName="many-mysql80", Parameters=parameters)[0] == (
        "InvalidParameterCombination")


def test_default_parameter_groups_cannot_change(fresh: Sandbox) -> None:
    rds = fresh.client("rds")
    assert rds.describe_db_parameter_groups(DBParameterGroupName="default.mysql8.0")["DBParameterGroups"]
    change = [{"ParameterName": "long_query_time", "ParameterValue": "2", "ApplyMethod": "immediate"}]
    assert error_code(rds.modify_db_parameter_group, DBParameterGroupName="default.mysql8.0",
                      Parameters=change) == "InvalidParameterValue"
    assert error_code(rds.reset_db_parameter_group, DBParameterGroupName="default.mysql8.0",
                      ResetAllParameters=True) == "InvalidParameterValue"


def test_instances_report_a_parameter_change_pending_their_reboot(fresh: Sandbox) -> None:
    rds = fresh.client("rds")
    rds.create_db_parameter_group(DBParameterGroupName="reboot-pg16", DBParameterGroupFamily="postgres16",
                                  Description="reboot")
    postgres(rds, "reboot", DBParameterGroupName="reboot-pg16")

    def apply_status() -> list[dict[str, str]]:
        return instance(rds, "reboot")["DBParameterGroups"]

    assert apply_status() == [{"DBParameterGroupName": "reboot-pg16", "ParameterApplyStatus": "in-sync"}]
    rds.modify_db_parameter_group(DBParameterGroupName="reboot-pg16", Parameters=[
        {"ParameterName": "log_min_duration_statement", "ParameterValue": "2000", "ApplyMethod": "immediate"}])
    assert apply_status()[0]["ParameterApplyStatus"] == "in-sync"
    rds.modify_db_parameter_group(DBParameterGroupName="reboot-pg16", Parameters=[
        {"ParameterName": "shared_buffers", "ParameterValue": "65536", "ApplyMethod": "pending-reboot"}])
    assert apply_status()[0]["ParameterApplyStatus"] == "pending-reboot"
    rds.reboot_db_instance(DBInstanceIdentifier="reboot")
    wait_for(lambda: status_of(rds, "reboot"), lambda status: status == "available", 30)
    assert apply_status()[0]["ParameterApplyStatus"] == "in-sync"
    rds.reset_db_parameter_group(DBParameterGroupName="reboot-pg16", ResetAllParameters=True)
    assert rds.describe_db_parameters(DBParameterGroupName="reboot-pg16", Source="user")["Parameters"] == []
    rds.delete_db_instance(DBInstanceIdentifier="reboot", SkipFinalSnapshot=True)


def test_deletion_protection_and_final_snapshots_behave_like_aws(fresh: Sandbox) -> None:
    rds = fresh.client("rds")
    postgres(rds, "protected", DeletionProtection=True, CopyTagsToSnapshot=True, Tags=[{"Key": "Env", "Value": "t"}])
    assert error_code(rds.delete_db_instance, DBInstanceIdentifier="protected", SkipFinalSnapshot=True) == (
        "InvalidParameterCombination")
    rds.modify_db_instance(DBInstanceIdentifier="protected", DeletionProtection=False, ApplyImmediately=True)
    assert error_code(rds.delete_db_instance, DBInstanceIdentifier="protected") == "InvalidParameterCombination"
    rds.delete_db_instance(DBInstanceIdentifier="protected", FinalDBSnapshotIdentifier="protected-final")
    snapshot = rds.describe_db_snapshots(DBSnapshotIdentifier="protected-final")["DBSnapshots"][0]
    assert (snapshot["Status"], snapshot["SnapshotType"], snapshot["DBInstanceIdentifier"]) == (
        "available", "manual", "protected")
    assert {"Key": "Env", "Value": "t"} in snapshot["TagList"]
    assert status_of(rds, "protected") == "DBInstanceNotFound"
    rds.delete_db_snapshot(DBSnapshotIdentifier="protected-final")


def test_touching_backup_and_maintenance_windows_are_accepted(fresh: Sandbox) -> None:
    rds = fresh.client("rds")
    postgres(rds, "windows", PreferredBackupWindow="03:00-04:00", PreferredMaintenanceWindow="mon:04:00-mon:05:00")
    assert instance(rds, "windows")["PreferredBackupWindow"] == "03:00-04:00"
    assert error_code(rds.modify_db_instance, DBInstanceIdentifier="windows",
                      PreferredMaintenanceWindow="mon:03:30-mon:04:30") == "InvalidParameterValue"
    rds.delete_db_instance(DBInstanceIdentifier="windows", SkipFinalSnapshot=True)
