"""docdb_cluster_snapshot against in-process moto with the sandbox's DocumentDB patch."""

from __future__ import annotations

import boto3
import pytest
from ansible_collections.openedx.data_services.plugins.modules import docdb_cluster_snapshot
from harness import REGION, record_calls, run_module

ARGS = {"identifier": "edx-docdb-manual", "db_cluster_identifier": "edx-docdb", "tags": {"reason": "upgrade"}}


@pytest.fixture
def cluster(docdb_aws: pytest.MonkeyPatch) -> str:
    boto3.client("docdb", region_name=REGION).create_db_cluster(
        DBClusterIdentifier="edx-docdb", Engine="docdb", MasterUsername="docadmin",
        MasterUserPassword="Docdb-pass-123")
    return "edx-docdb"


def test_create_tag_and_delete(cluster: str) -> None:
    with record_calls() as calls:
        planned = run_module(docdb_cluster_snapshot.main, ARGS, check_mode=True)
    assert planned.result["changed"] is True
    assert calls.mutating == []

    with record_calls() as calls:
        created = run_module(docdb_cluster_snapshot.main, ARGS)
    assert not created.failed, created.result
    assert calls.mutating == ["CreateDBClusterSnapshot"]
    snapshot = created.result["snapshot"]
    assert snapshot["status"] == "available"
    assert snapshot["db_cluster_identifier"] == cluster
    assert snapshot["snapshot_type"] == "manual"
    assert snapshot["tags"] == {"reason": "upgrade"}

    with record_calls() as calls:
        assert run_module(docdb_cluster_snapshot.main, ARGS).result["changed"] is False
    assert calls.mutating == []

    with record_calls() as calls:
        retagged = run_module(docdb_cluster_snapshot.main, {**ARGS, "tags": {"owner": "data"}})
    assert sorted(calls.mutating) == ["AddTagsToResource", "RemoveTagsFromResource"]
    assert retagged.result["snapshot"]["tags"] == {"owner": "data"}

    absent = {"identifier": ARGS["identifier"], "state": "absent"}
    with record_calls() as calls:
        assert run_module(docdb_cluster_snapshot.main, absent, check_mode=True).result["changed"] is True
    assert calls.mutating == []
    with record_calls() as calls:
        deleted = run_module(docdb_cluster_snapshot.main, absent)
    assert deleted.result["changed"] is True
    assert deleted.result["snapshot"] == {}
    assert calls.mutating == ["DeleteDBClusterSnapshot"]
    assert run_module(docdb_cluster_snapshot.main, absent).result["changed"] is False


def test_create_needs_the_cluster(cluster: str) -> None:
    with record_calls() as calls:
        failed = run_module(docdb_cluster_snapshot.main, {"identifier": "orphan"})
    assert failed.failed
    assert "needs db_cluster_identifier" in failed.result["msg"]
    assert calls.mutating == []


def test_snapshot_of_another_cluster_is_reported(cluster: str) -> None:
    run_module(docdb_cluster_snapshot.main, ARGS)
    failed = run_module(docdb_cluster_snapshot.main, {**ARGS, "db_cluster_identifier": "other"})
    assert failed.failed
    assert "is of cluster edx-docdb, not other" in failed.result["msg"]


def test_an_encrypted_snapshot_reports_its_key_and_time(docdb_aws: pytest.MonkeyPatch) -> None:
    key = boto3.client("kms", region_name=REGION).create_key()["KeyMetadata"]["Arn"]
    boto3.client("docdb", region_name=REGION).create_db_cluster(
        DBClusterIdentifier="edx-docdb", Engine="docdb", MasterUsername="docadmin",
        MasterUserPassword="Docdb-pass-123", StorageEncrypted=True, KmsKeyId=key)
    snapshot = run_module(docdb_cluster_snapshot.main, ARGS).result["snapshot"]
    assert (snapshot["storage_encrypted"], snapshot["kms_key_id"], snapshot["master_username"]) == (
        True, key, "docadmin")
    assert snapshot["snapshot_create_time"] >= snapshot["cluster_create_time"]


def test_an_unencrypted_snapshot_has_no_key(cluster: str) -> None:
    snapshot = run_module(docdb_cluster_snapshot.main, ARGS).result["snapshot"]
    assert snapshot["storage_encrypted"] is False
    assert "kms_key_id" not in snapshot
