"""DocumentDB through the boto3 ``docdb`` client: clusters, instances, parameter groups, snapshots."""

from __future__ import annotations

import time
from typing import Any

import pytest
from botocore.exceptions import ClientError
from sandbox_harness import Sandbox, wait_for

SUBNETS = ["subnet-0d5a0000000000a01", "subnet-0d5a0000000000a02", "subnet-0d5a0000000000a03"]
DEFAULTS = {
    "audit_logs": ("disabled", "dynamic"), "change_stream_log_retention_duration": ("10800", "dynamic"),
    "default_collection_compression": ("disabled", "dynamic"), "profiler": ("disabled", "dynamic"),
    "profiler_sampling_rate": ("1.0", "dynamic"), "profiler_threshold_ms": ("100", "dynamic"),
    "tls": ("enabled", "static"), "ttl_monitor": ("enabled", "dynamic"),
}


@pytest.fixture
def docdb(fresh: Sandbox) -> Any:
    client = fresh.client("docdb")
    name = f"docdb-{time.monotonic_ns()}"
    client.create_db_subnet_group(DBSubnetGroupName=name, DBSubnetGroupDescription="private", SubnetIds=SUBNETS)
    client.sandbox_subnet_group = name
    return client


def cluster(docdb: Any, identifier: str) -> dict[str, Any]:
    return docdb.describe_db_clusters(DBClusterIdentifier=identifier)["DBClusters"][0]


def error_code(call: Any, **kwargs: Any) -> str:
    with pytest.raises(ClientError) as raised:
        call(**kwargs)
    return raised.value.response["Error"]["Code"]


def create_cluster(docdb: Any, identifier: str, **extra: Any) -> dict[str, Any]:
    request = {
        "DBClusterIdentifier": identifier, "Engine": "docdb", "EngineVersion": "5.0.0",
        "MasterUsername": "docadmin", "MasterUserPassword": "Docdb-pass-123",
        "DBSubnetGroupName": docdb.sandbox_subnet_group, "VpcSecurityGroupIds": ["sg-0d5a0000000000e01"],
    }
    request.update(extra)
    return docdb.create_db_cluster(**request)["DBCluster"]


def test_cluster_parameter_groups_start_from_the_engine_defaults(docdb: Any) -> None:
    docdb.create_db_cluster_parameter_group(DBClusterParameterGroupName="docdb-params",
                                            DBParameterGroupFamily="docdb5.0", Description="Open edX")
    described = docdb.describe_db_cluster_parameter_groups(DBClusterParameterGroupName="docdb-params")
    assert described["DBClusterParameterGroups"][0]["DBParameterGroupFamily"] == "docdb5.0"
    parameters = docdb.describe_db_cluster_parameters(DBClusterParameterGroupName="docdb-params")["Parameters"]
    assert {p["ParameterName"]: (p["ParameterValue"], p["ApplyType"]) for p in parameters} == DEFAULTS
    assert {p["Source"] for p in parameters} == {"engine-default"}
    assert docdb.describe_db_cluster_parameter_groups(DBClusterParameterGroupName="default.docdb5.0")[
        "DBClusterParameterGroups"][0]["DBParameterGroupFamily"] == "docdb5.0"
    defaults = docdb.describe_engine_default_cluster_parameters(DBParameterGroupFamily="docdb5.0")["EngineDefaults"]
    assert len(defaults["Parameters"]) == len(DEFAULTS)

    docdb.modify_db_cluster_parameter_group(DBClusterParameterGroupName="docdb-params", Parameters=[
        {"ParameterName": "audit_logs", "ParameterValue": "enabled", "ApplyMethod": "immediate"},
        {"ParameterName": "profiler", "ParameterValue": "enabled", "ApplyMethod": "immediate"},
        {"ParameterName": "tls", "ParameterValue": "enabled", "ApplyMethod": "pending-reboot"}])
    user = docdb.describe_db_cluster_parameters(DBClusterParameterGroupName="docdb-params", Source="user")
    assert {p["ParameterName"]: p["ParameterValue"] for p in user["Parameters"]} == {
        "audit_logs": "enabled", "profiler": "enabled", "tls": "enabled"}
    assert error_code(docdb.modify_db_cluster_parameter_group, DBClusterParameterGroupName="docdb-params",
                      Parameters=[{"ParameterName": "tls", "ParameterValue": "disabled",
                                   "ApplyMethod": "immediate"}]) == "InvalidParameterCombination"
    assert error_code(docdb.modify_db_cluster_parameter_group, DBClusterParameterGroupName="docdb-params",
                      Parameters=[{"ParameterName": "nope", "ParameterValue": "x",
                                   "ApplyMethod": "immediate"}]) == "InvalidParameterValue"

    assert error_code(docdb.reset_db_cluster_parameter_group, DBClusterParameterGroupName="docdb-params",
                      Parameters=[{"ParameterName": "tls", "ApplyMethod": "immediate"}]) == (
        "InvalidParameterCombination")
    docdb.reset_db_cluster_parameter_group(DBClusterParameterGroupName="docdb-params",
                                           Parameters=[{"ParameterName": "profiler", "ApplyMethod": "immediate"}])
    user = docdb.describe_db_cluster_parameters(DBClusterParameterGroupName="docdb-params", Source="user")
    assert [p["ParameterName"] for p in user["Parameters"]] == ["audit_logs", "tls"]
    docdb.reset_db_cluster_parameter_group(DBClusterParameterGroupName="docdb-params", ResetAllParameters=True)
    assert docdb.describe_db_cluster_parameters(DBClusterParameterGroupName="docdb-params",
                                                Source="user")["Parameters"] == []
    docdb.delete_db_cluster_parameter_group(DBClusterParameterGroupName="docdb-params")
    assert error_code(docdb.describe_db_cluster_parameter_groups,
                      DBClusterParameterGroupName="docdb-params") == "DBParameterGroupNotFound"


def test_cluster_with_three_instances_across_zones(fresh: Sandbox, docdb: Any) -> None:
    key = fresh.client("kms").create_key(Description="docdb")["KeyMetadata"]
    docdb.create_db_cluster_parameter_group(DBClusterParameterGroupName="docdb-cluster-params",
                                            DBParameterGroupFamily="docdb5.0", Description="Open edX")
    created = create_cluster(
        docdb, "edx-docdb", StorageEncrypted=True, KmsKeyId=key["KeyId"], BackupRetentionPeriod=7,
        PreferredBackupWindow="03:00-04:00", PreferredMaintenanceWindow="mon:04:00-mon:05:00",
        EnableCloudwatchLogsExports=["audit", "profiler"], DBClusterParameterGroupName="docdb-cluster-params",
        DeletionProtection=True)
    assert created["Status"] == "creating"
    described = cluster(docdb, "edx-docdb")
    expected = {
        "Status": "available", "Engine": "docdb", "EngineVersion": "5.0.0", "StorageEncrypted": True,
        "KmsKeyId": key["Arn"], "BackupRetentionPeriod": 7, "PreferredBackupWindow": "03:00-04:00",
        "PreferredMaintenanceWindow": "mon:04:00-mon:05:00", "EnabledCloudwatchLogsExports": ["audit", "profiler"],
        "DBClusterParameterGroup": "docdb-cluster-params", "DBSubnetGroup": docdb.sandbox_subnet_group,
        "DeletionProtection": True, "MasterUsername": "docadmin", "DBClusterMembers": [],
    }
    assert {key: described.get(key) for key in expected} == expected
    # The cluster's server: 127.0.0.1 on a port of the sandbox's DocumentDB range, whatever port was asked for.
    assert (described["Endpoint"], described["ReaderEndpoint"]) == ("127.0.0.1", "127.0.0.1")
    assert described["Port"] >= fresh.mysql_first_port + 45
    assert [g["VpcSecurityGroupId"] for g in described["VpcSecurityGroups"]] == ["sg-0d5a0000000000e01"]

    zones = []
    for index in range(3):
        created = docdb.create_db_instance(DBInstanceIdentifier=f"edx-docdb-{index}", DBInstanceClass="db.r6g.large",
                                           Engine="docdb", DBClusterIdentifier="edx-docdb")["DBInstance"]
        assert created["Endpoint"] == {"Address": "127.0.0.1", "Port": described["Port"],
                                       "HostedZoneId": "ZNKXH85TT8WVW"}
        zones.append(created["AvailabilityZone"])
    assert sorted(zones) == ["us-east-1a", "us-east-1b", "us-east-1c"]
    members = cluster(docdb, "edx-docdb")["DBClusterMembers"]
    assert [(m["DBInstanceIdentifier"], m["IsClusterWriter"]) for m in members] == [
        ("edx-docdb-0", True), ("edx-docdb-1", False), ("edx-docdb-2", False)]
    assert cluster(docdb, "edx-docdb")["MultiAZ"] is True

    docdb.modify_db_cluster(DBClusterIdentifier="edx-docdb", ApplyImmediately=True,
                            CloudwatchLogsExportConfiguration={"DisableLogTypes": ["profiler"]})
    assert cluster(docdb, "edx-docdb")["EnabledCloudwatchLogsExports"] == ["audit"]
    docdb.modify_db_cluster(DBClusterIdentifier="edx-docdb", ApplyImmediately=True,
                            CloudwatchLogsExportConfiguration={"EnableLogTypes": ["profiler"]})
    assert cluster(docdb, "edx-docdb")["EnabledCloudwatchLogsExports"] == ["audit", "profiler"]

    docdb.delete_db_instance(DBInstanceIdentifier="edx-docdb-0")
    members = cluster(docdb, "edx-docdb")["DBClusterMembers"]
    assert [(m["DBInstanceIdentifier"], m["IsClusterWriter"]) for m in members] == [
        ("edx-docdb-1", True), ("edx-docdb-2", False)]

    assert error_code(docdb.delete_db_cluster, DBClusterIdentifier="edx-docdb", SkipFinalSnapshot=True) == (
        "InvalidParameterCombination")  # deletion protection
    docdb.modify_db_cluster(DBClusterIdentifier="edx-docdb", DeletionProtection=False, ApplyImmediately=True)
    assert error_code(docdb.delete_db_cluster, DBClusterIdentifier="edx-docdb", SkipFinalSnapshot=True) == (
        "InvalidDBClusterStateFault")  # instances left
    for index in (1, 2):
        docdb.delete_db_instance(DBInstanceIdentifier=f"edx-docdb-{index}")
    assert cluster(docdb, "edx-docdb")["DBClusterMembers"] == []

    snapshot = docdb.create_db_cluster_snapshot(DBClusterIdentifier="edx-docdb",
                                                DBClusterSnapshotIdentifier="edx-docdb-manual")
    assert snapshot["DBClusterSnapshot"]["Engine"] == "docdb"
    assert error_code(docdb.delete_db_cluster, DBClusterIdentifier="edx-docdb") == "InvalidParameterCombination"
    deleted = docdb.delete_db_cluster(DBClusterIdentifier="edx-docdb", SkipFinalSnapshot=False,
                                      FinalDBSnapshotIdentifier="edx-docdb-final")["DBCluster"]
    assert deleted["Status"] == "deleting"
    assert error_code(docdb.describe_db_clusters, DBClusterIdentifier="edx-docdb") == "DBClusterNotFoundFault"
    snapshots = docdb.describe_db_cluster_snapshots(DBClusterIdentifier="edx-docdb")["DBClusterSnapshots"]
    assert sorted((s["DBClusterSnapshotIdentifier"], s["Status"]) for s in snapshots) == [
        ("edx-docdb-final", "available"), ("edx-docdb-manual", "available")]
    for name in ("edx-docdb-final", "edx-docdb-manual"):
        docdb.delete_db_cluster_snapshot(DBClusterSnapshotIdentifier=name)
    assert docdb.describe_db_cluster_snapshots(DBClusterIdentifier="edx-docdb")["DBClusterSnapshots"] == []


def test_docdb_durations_follow_the_time_scale(fresh: Sandbox, docdb: Any) -> None:
    fresh.time_scale(0.05)  # cluster 4 min = 0.2 s, instance 8 min = 0.4 s
    started = time.monotonic()
    create_cluster(docdb, "timed-docdb")
    assert cluster(docdb, "timed-docdb")["Status"] == "creating"
    assert wait_for(lambda: cluster(docdb, "timed-docdb")["Status"], lambda s: s == "available", 10) == "available"
    assert time.monotonic() - started >= 0.2
    docdb.create_db_instance(DBInstanceIdentifier="timed-docdb-0", DBInstanceClass="db.t3.medium", Engine="docdb",
                             DBClusterIdentifier="timed-docdb")
    status = wait_for(
        lambda: docdb.describe_db_instances(DBInstanceIdentifier="timed-docdb-0")["DBInstances"][0][
            "DBInstanceStatus"], lambda s: s == "available", 10)
    assert status == "available"
    docdb.delete_db_instance(DBInstanceIdentifier="timed-docdb-0")
    docdb.delete_db_cluster(DBClusterIdentifier="timed-docdb", SkipFinalSnapshot=True)
    assert cluster(docdb, "timed-docdb")["Status"] == "deleting"
    assert wait_for(lambda: docdb.describe_db_clusters(Filters=[{"Name": "db-cluster-id",
                                                                 "Values": ["timed-docdb"]}])["DBClusters"],
                    lambda found: found == [], 10) == []
