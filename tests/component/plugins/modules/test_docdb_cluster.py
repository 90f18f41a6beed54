"""docdb_cluster and docdb_cluster_info against in-process moto with the sandbox's DocumentDB patch."""

from __future__ import annotations

import datetime
import json
import time
from typing import Any

import boto3
import pytest
from ansible_collections.openedx.data_services.plugins.modules import docdb_cluster, docdb_cluster_info
from harness import REGION, record_calls, run_module, subnet_group

from sandbox.dataplane import documentdb

PASSWORD = "Docdb-pass-123"


@pytest.fixture
def base_args(docdb_aws: pytest.MonkeyPatch) -> dict[str, Any]:
    kms = boto3.client("kms", region_name=REGION)
    key = kms.create_key(Description="docdb")["KeyMetadata"]
    kms.create_alias(AliasName="alias/openedx-test", TargetKeyId=key["KeyId"])
    return {
        "identifier": "edx-docdb", "engine_version": "5.0.0", "instance_class": "db.r6g.large", "instance_count": 3,
        "master_username": "docadmin", "master_user_password": PASSWORD, "db_subnet_group_name": subnet_group(),
        "vpc_security_group_ids": ["sg-0d5a0000000000e01"], "storage_encrypted": True,
        "kms_key_id": "alias/openedx-test", "backup_retention_period": 7, "preferred_backup_window": "03:00-04:00",
        "preferred_maintenance_window": "mon:04:00-mon:05:00", "enabled_cloudwatch_logs_exports": ["audit"],
        "deletion_protection": False, "tags": {"environment": "test"},
    }


def members(cluster: dict[str, Any]) -> dict[str, bool]:
    return {m["db_instance_identifier"]: m["is_cluster_writer"] for m in cluster["db_cluster_members"]}


def test_create_then_second_run_makes_no_mutating_call(base_args: dict[str, Any]) -> None:
    key_arn = boto3.client("kms", region_name=REGION).describe_key(KeyId="alias/openedx-test")["KeyMetadata"]["Arn"]
    with record_calls() as calls:
        created = run_module(docdb_cluster.main, base_args)
    assert not created.failed, created.result
    assert created.result["changed"] is True
    cluster = created.result["cluster"]
    assert cluster["status"] == "available"
    # The sandbox's DocumentDB server, where AWS reports edx-docdb.cluster-… and edx-docdb.cluster-ro-… on 27017.
    assert cluster["endpoint"] == cluster["reader_endpoint"] == "127.0.0.1"
    assert cluster["port"] == documentdb.get("edx-docdb").port
    assert cluster["kms_key_id"] == key_arn
    assert cluster["enabled_cloudwatch_logs_exports"] == ["audit"]
    assert cluster["tags"] == {"environment": "test"}
    assert members(cluster) == {"edx-docdb-1": True, "edx-docdb-2": False, "edx-docdb-3": False}
    assert [i["db_instance_status"] for i in cluster["instances"]] == ["available"] * 3
    assert PASSWORD not in json.dumps(created.result)
    assert calls.mutating == ["CreateDBCluster", "CreateDBInstance", "CreateDBInstance", "CreateDBInstance"]

    with record_calls() as calls:
        again = run_module(docdb_cluster.main, base_args, diff=True)
    assert again.result["changed"] is False
    assert calls.mutating == []
    assert again.result["diff"]["before"] == again.result["diff"]["after"]
    # Ready (the cluster and its three instances available): a role need not wait for it.
    ready = again.result["resource"]
    assert (ready["status"], ready["ready"], ready["endpoint"], ready["port"]) == (
        "available", True, cluster["endpoint"], cluster["port"])
    assert [i["db_instance_status"] for i in ready["description"]["instances"]] == ["available"] * 3


def test_instance_count_changes_keep_the_writer(base_args: dict[str, Any]) -> None:
    run_module(docdb_cluster.main, base_args)
    with record_calls() as calls:
        shrunk = run_module(docdb_cluster.main, {**base_args, "instance_count": 2})
    assert shrunk.result["changed"] is True
    assert calls.mutating == ["DeleteDBInstance"]
    assert members(shrunk.result["cluster"]) == {"edx-docdb-1": True, "edx-docdb-2": False}

    with record_calls() as calls:
        grown = run_module(docdb_cluster.main, {**base_args, "instance_count": 3})
    assert calls.mutating == ["CreateDBInstance"]
    assert members(grown.result["cluster"]) == {"edx-docdb-1": True, "edx-docdb-2": False, "edx-docdb-3": False}


def test_check_mode_makes_no_mutating_call(base_args: dict[str, Any]) -> None:
    with record_calls() as calls:
        planned = run_module(docdb_cluster.main, base_args, check_mode=True, diff=True)
    assert planned.result["changed"] is True
    assert calls.mutating == []
    assert planned.result["diff"]["before"] == {}
    assert planned.result["diff"]["after"]["instance_count"] == 3
    assert PASSWORD not in json.dumps(planned.result)

    run_module(docdb_cluster.main, base_args)
    changed_args = {**base_args, "instance_count": 1, "backup_retention_period": 14,
                    "enabled_cloudwatch_logs_exports": ["audit", "profiler"], "tags": {"environment": "prod"}}
    with record_calls() as calls:
        planned = run_module(docdb_cluster.main, changed_args, check_mode=True, diff=True)
    assert planned.result["changed"] is True
    assert calls.mutating == []
    before, after = planned.result["diff"]["before"], planned.result["diff"]["after"]
    changed = {key: (before[key], after[key]) for key in after if before.get(key) != after[key]}
    assert changed == {
        "instance_count": (3, 1), "backup_retention_period": (7, 14),
        "enabled_cloudwatch_logs_exports": (["audit"], ["audit", "profiler"]),
        "tags": ({"environment": "test"}, {"environment": "prod"}),
    }


def test_update_modifies_settings_logs_tags_and_password(base_args: dict[str, Any]) -> None:
    run_module(docdb_cluster.main, {**base_args, "instance_count": 1})
    changed_args = {**base_args, "instance_count": 1, "backup_retention_period": 14,
                    "enabled_cloudwatch_logs_exports": ["profiler"], "tags": {"team": "data"}, "purge_tags": False,
                    "update_password": "always", "master_user_password": "Another-pass-456",
                    "apply_immediately": True}
    with record_calls() as calls:
        updated = run_module(docdb_cluster.main, changed_args)
    assert updated.result["changed"] is True
    assert sorted(calls.mutating) == ["AddTagsToResource", "ModifyDBCluster"]
    assert calls.request("ModifyDBCluster") == {
        "DBClusterIdentifier": "edx-docdb", "ApplyImmediately": True, "BackupRetentionPeriod": 14,
        "CloudwatchLogsExportConfiguration": {"EnableLogTypes": ["profiler"], "DisableLogTypes": ["audit"]},
        "MasterUserPassword": "Another-pass-456"}
    cluster = updated.result["cluster"]
    assert cluster["backup_retention_period"] == 14
    assert cluster["enabled_cloudwatch_logs_exports"] == ["profiler"]
    assert cluster["tags"] == {"environment": "test", "team": "data"}
    assert "Another-pass-456" not in json.dumps(updated.result)
    # A password cannot be compared: update_password=always sets it on every run.
    with record_calls() as calls:
        assert run_module(docdb_cluster.main, changed_args).result["changed"] is True
    assert calls.mutating == ["ModifyDBCluster"]
    with record_calls() as calls:
        assert run_module(docdb_cluster.main, {**changed_args, "update_password": "on_create"}).result[
            "changed"] is False
    assert calls.mutating == []


@pytest.mark.parametrize(("override", "message"), [
    ({"instance_count": 0}, "instance_count must be between 1 and 16"),
    ({"instance_count": 17}, "instance_count must be between 1 and 16"),
    ({"backup_retention_period": 0}, "backup_retention_period must be between 1 and 35"),
    ({"preferred_backup_window": "3-4"}, "preferred_backup_window must be hh24:mi-hh24:mi"),
    ({"preferred_maintenance_window": "monday"}, "preferred_maintenance_window must be"),
    ({"storage_encrypted": False}, "kms_key_id needs storage_encrypted=true"),
    ({"master_user_password": "short"}, "master_user_password must be 8 to 100"),
    ({"state": "absent"}, "needs final_snapshot_identifier, or skip_final_snapshot=true"),
])
def test_bad_input_fails_before_any_aws_call(base_args: dict[str, Any], override: dict[str, Any],
                                             message: str) -> None:
    with record_calls() as calls:
        failed = run_module(docdb_cluster.main, {**base_args, **override})
    assert failed.failed
    assert message in failed.result["msg"]
    assert calls.calls == []
    assert PASSWORD not in json.dumps(failed.result)


def test_create_needs_the_master_user(base_args: dict[str, Any]) -> None:
    args = {key: value for key, value in base_args.items() if key != "master_user_password"}
    with record_calls() as calls:
        failed = run_module(docdb_cluster.main, args)
    assert failed.failed
    assert "needs master_user_password" in failed.result["msg"]
    assert calls.mutating == []


def test_kms_key_change_is_refused(base_args: dict[str, Any]) -> None:
    run_module(docdb_cluster.main, {**base_args, "instance_count": 1})
    other = boto3.client("kms", region_name=REGION).create_key(Description="other")["KeyMetadata"]["Arn"]
    with record_calls() as calls:
        refused = run_module(docdb_cluster.main, {**base_args, "instance_count": 1, "kms_key_id": other})
    assert refused.failed
    assert "refusing to change kms_key_id" in refused.result["msg"]
    assert calls.mutating == []


def test_delete_takes_a_final_snapshot(base_args: dict[str, Any]) -> None:
    run_module(docdb_cluster.main, {**base_args, "instance_count": 2})
    absent = {"identifier": "edx-docdb", "state": "absent", "final_snapshot_identifier": "edx-docdb-final"}
    with record_calls() as calls:
        planned = run_module(docdb_cluster.main, absent, check_mode=True)
    assert planned.result["changed"] is True
    assert calls.mutating == []

    with record_calls() as calls:
        deleted = run_module(docdb_cluster.main, absent, diff=True)
    assert deleted.result["changed"] is True
    assert deleted.result["cluster"] == {}
    assert deleted.result["diff"]["after"] == {}
    assert calls.mutating == ["DeleteDBInstance", "DeleteDBInstance", "DeleteDBCluster"]
    client = boto3.client("docdb", region_name=REGION)
    snapshot = client.describe_db_cluster_snapshots(DBClusterSnapshotIdentifier="edx-docdb-final")
    assert snapshot["DBClusterSnapshots"][0]["DBClusterIdentifier"] == "edx-docdb"

    with record_calls() as calls:
        assert run_module(docdb_cluster.main, absent).result["changed"] is False
    assert calls.mutating == []


def test_deletion_protection_needs_explicit_confirmation(base_args: dict[str, Any]) -> None:
    run_module(docdb_cluster.main, {**base_args, "instance_count": 1, "deletion_protection": True})
    absent = {"identifier": "edx-docdb", "state": "absent", "skip_final_snapshot": True}
    with record_calls() as calls:
        refused = run_module(docdb_cluster.main, absent)
    assert refused.failed
    assert "deletion_protection=false" in refused.result["msg"]
    assert calls.mutating == []
    with record_calls() as calls:
        deleted = run_module(docdb_cluster.main, {**absent, "deletion_protection": False})
    assert not deleted.failed, deleted.result
    assert calls.mutating == ["ModifyDBCluster", "DeleteDBInstance", "DeleteDBCluster"]


def test_info_describes_one_or_all_clusters(base_args: dict[str, Any]) -> None:
    run_module(docdb_cluster.main, {**base_args, "instance_count": 2})
    run_module(docdb_cluster.main, {**base_args, "identifier": "other-docdb", "instance_count": 1})
    everything = run_module(docdb_cluster_info.main, {})
    assert everything.result["changed"] is False
    assert sorted(c["db_cluster_identifier"] for c in everything.result["clusters"]) == ["edx-docdb", "other-docdb"]
    one = run_module(docdb_cluster_info.main, {"identifier": "edx-docdb"})
    [cluster] = one.result["clusters"]
    assert members(cluster) == {"edx-docdb-1": True, "edx-docdb-2": False}
    assert len(cluster["instances"]) == 2
    assert cluster["tags"] == {"environment": "test"}
    assert run_module(docdb_cluster_info.main, {"identifier": "missing"}).result["clusters"] == []


def test_an_interrupted_create_is_completed_and_classes_follow(base_args: dict[str, Any]) -> None:
    boto3.client("docdb", region_name=REGION).create_db_cluster(
        DBClusterIdentifier="edx-docdb", Engine="docdb", MasterUsername="docadmin", MasterUserPassword=PASSWORD)
    args = {"identifier": "edx-docdb", "instance_count": 2}
    with record_calls() as calls:
        refused = run_module(docdb_cluster.main, args)
    assert "set instance_class" in refused.result["msg"]
    assert calls.mutating == []
    with record_calls() as calls:
        completed = run_module(docdb_cluster.main, {**args, "instance_class": "db.t3.medium"})
    assert calls.mutating == ["CreateDBInstance", "CreateDBInstance"]
    assert members(completed.result["cluster"]) == {"edx-docdb-1": True, "edx-docdb-2": False}
    with record_calls() as calls:
        resized = run_module(docdb_cluster.main, {**args, "instance_class": "db.r6g.large", "apply_immediately": True})
    assert calls.mutating == ["ModifyDBInstance", "ModifyDBInstance"]
    assert {i["db_instance_class"] for i in resized.result["cluster"]["instances"]} == {"db.r6g.large"}


# --- restore_from ---------------------------------------------------------------------------------------------


@pytest.fixture
def source(docdb_aws: pytest.MonkeyPatch) -> Any:
    """An unencrypted cluster edx-docdb (no instance) whose server holds the course "first"."""
    boto3.client("docdb", region_name=REGION).create_db_cluster(
        DBClusterIdentifier="edx-docdb", Engine="docdb", MasterUsername="docadmin", MasterUserPassword=PASSWORD,
        BackupRetentionPeriod=1)
    store = documentdb.get("edx-docdb").store
    store.insert("edxapp", "courses", [{"_id": "first"}], ordered=True)
    return store


def courses(identifier: str) -> list[str]:
    return [doc["_id"] for doc in documentdb.get(identifier).store.dataset().databases["edxapp"]["courses"]]


RESTORED = {"identifier": "edx-docdb-restored", "instance_class": "db.t3.medium", "backup_retention_period": 7,
            "preferred_backup_window": "03:00-04:00", "tags": {"environment": "test"}}


def test_restore_from_a_snapshot_then_modify_then_add_instances(source: Any) -> None:
    client = boto3.client("docdb", region_name=REGION)
    client.create_db_cluster_snapshot(DBClusterIdentifier="edx-docdb", DBClusterSnapshotIdentifier="edx-docdb-snap")
    source.insert("edxapp", "courses", [{"_id": "second"}], ordered=True)
    args = {**RESTORED, "restore_from": {"snapshot_identifier": "edx-docdb-snap"}}

    planned = run_module(docdb_cluster.main, args, check_mode=True, diff=True)
    assert (planned.failed, planned.result["changed"], planned.mutating) == (False, True, [])
    after = planned.result["diff"]["after"]
    assert (after["master_username"], after["backup_retention_period"], after["instance_count"]) == (
        "docadmin", 7, 1)

    with record_calls() as calls:
        restored = run_module(docdb_cluster.main, args)
    assert not restored.failed, restored.result
    assert calls.mutating == ["RestoreDBClusterFromSnapshot", "ModifyDBCluster", "CreateDBInstance"]
    assert calls.request("RestoreDBClusterFromSnapshot") == {
        "Engine": "docdb", "SnapshotIdentifier": "edx-docdb-snap", "DBClusterIdentifier": "edx-docdb-restored",
        "Tags": [{"Key": "environment", "Value": "test"}]}
    assert calls.request("ModifyDBCluster") == {
        "DBClusterIdentifier": "edx-docdb-restored", "ApplyImmediately": True, "BackupRetentionPeriod": 7,
        "PreferredBackupWindow": "03:00-04:00"}
    cluster = restored.result["cluster"]
    assert (cluster["status"], cluster["backup_retention_period"], cluster["tags"]) == (
        "available", 7, {"environment": "test"})
    assert members(cluster) == {"edx-docdb-restored-1": True}
    assert courses("edx-docdb-restored") == ["first"]
    assert courses("edx-docdb") == ["first", "second"]

    # The cluster exists: restore_from is ignored from now on.
    with record_calls() as calls:
        again = run_module(docdb_cluster.main, {**args, "restore_from": {"snapshot_identifier": "gone"}})
    assert (again.failed, again.result["changed"], calls.mutating) == (False, False, [])


def test_restore_to_a_point_in_time_encrypted_with_a_new_password(source: Any) -> None:
    time.sleep(0.01)
    between = datetime.datetime.now(datetime.UTC)
    time.sleep(0.01)
    source.insert("edxapp", "courses", [{"_id": "second"}], ordered=True)
    key = boto3.client("kms", region_name=REGION).create_key()["KeyMetadata"]["Arn"]
    args = {**RESTORED, "kms_key_id": key, "storage_encrypted": True, "master_user_password": "Restored-pass-789",
            "restore_from": {"source_cluster_identifier": "edx-docdb",
                             "restore_time": between.isoformat().replace("+00:00", "Z")}}
    with record_calls() as calls:
        restored = run_module(docdb_cluster.main, args)
    assert not restored.failed, restored.result
    assert calls.mutating == ["RestoreDBClusterToPointInTime", "ModifyDBCluster", "CreateDBInstance"]
    request = calls.request("RestoreDBClusterToPointInTime")
    assert (request["SourceDBClusterIdentifier"], request["RestoreType"], request["KmsKeyId"]) == (
        "edx-docdb", "full-copy", key)
    assert request["RestoreToTime"] == between
    assert calls.request("ModifyDBCluster")["MasterUserPassword"] == "Restored-pass-789"
    assert "Restored-pass-789" not in json.dumps(restored.result)
    cluster = restored.result["cluster"]
    assert (cluster["storage_encrypted"], cluster["kms_key_id"]) == (True, key)
    assert courses("edx-docdb-restored") == ["first"]

    latest = run_module(docdb_cluster.main, {**RESTORED, "identifier": "edx-docdb-latest", "restore_from": {
        "source_cluster_identifier": "edx-docdb", "use_latest_restorable_time": True}})
    assert not latest.failed, latest.result
    assert courses("edx-docdb-latest") == ["first", "second"]


@pytest.mark.parametrize(("restore_from", "message"), [
    ({}, "one of the following is required: snapshot_identifier, source_cluster_identifier"),
    ({"snapshot_identifier": "s", "source_cluster_identifier": "c"}, "mutually exclusive"),
    ({"snapshot_identifier": "s", "restore_time": "2025-01-01T03:00:00Z"}, "mutually exclusive"),
    ({"source_cluster_identifier": "c", "restore_time": "2025-01-01T03:00:00Z", "use_latest_restorable_time": True},
     "mutually exclusive"),
    ({"source_cluster_identifier": "c"}, "needs restore_from.restore_time or restore_from.use_latest_restorable_time"),
    ({"source_cluster_identifier": "c", "restore_time": "2025-01-01 03:00"}, "must be an ISO 8601 time in UTC"),
    ({"source_cluster_identifier": "c", "restore_time": "2025-01-01T03:00:00+02:00"}, "must be an ISO 8601 time"),
])
def test_restore_from_is_checked_before_any_aws_call(docdb_aws: pytest.MonkeyPatch, restore_from: dict[str, Any],
                                                     message: str) -> None:
    with record_calls() as calls:
        failed = run_module(docdb_cluster.main, {**RESTORED, "restore_from": restore_from})
    assert failed.failed
    assert message in failed.result["msg"]
    assert calls.calls == []


@pytest.mark.parametrize(("override", "message"), [
    ({"restore_from": {"snapshot_identifier": "missing"}}, "snapshot_identifier missing does not exist"),
    ({"restore_from": {"source_cluster_identifier": "missing", "use_latest_restorable_time": True}},
     "source_cluster_identifier missing does not exist"),
    ({"restore_from": {"source_cluster_identifier": "edx-docdb", "restore_time": "2020-01-01T00:00:00Z"}},
     "is before the earliest restorable time of edx-docdb"),
    ({"restore_from": {"source_cluster_identifier": "edx-docdb", "restore_time": "2999-01-01T00:00:00Z"}},
     "is in the future"),
    ({"master_username": "someoneelse"}, "keeps the master user of its source, docadmin"),
    ({"storage_encrypted": True}, "needs kms_key_id"),
    ({"instance_class": None}, "needs instance_class"),
])
def test_a_restore_aws_would_refuse_makes_no_mutating_call(source: Any, override: dict[str, Any],
                                                           message: str) -> None:
    args = {**RESTORED, "restore_from": {"source_cluster_identifier": "edx-docdb", "use_latest_restorable_time": True},
            **override}
    with record_calls() as calls:
        failed = run_module(docdb_cluster.main, {k: v for k, v in args.items() if v is not None})
    assert failed.failed
    assert message in failed.result["msg"]
    assert calls.mutating == []
