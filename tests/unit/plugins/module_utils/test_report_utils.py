"""The pure helpers of the live report's reads: the newest snapshots, log group names, and a read AWS refuses."""

from __future__ import annotations

import datetime

from ansible_collections.openedx.data_services.plugins.module_utils import report
from botocore.exceptions import ClientError


def test_the_newest_automated_and_manual_snapshots_are_kept() -> None:
    day = datetime.datetime(2026, 12, 1, 3, 10, tzinfo=datetime.UTC)
    snapshots = [
        {"DBSnapshotIdentifier": "rds:db-1", "SnapshotType": "automated", "SnapshotCreateTime": day,
         "Status": "available"},
        {"DBSnapshotIdentifier": "rds:db-2", "SnapshotType": "automated",
         "SnapshotCreateTime": day + datetime.timedelta(days=1), "Status": "available", "KmsKeyId": "k"},
        {"DBSnapshotIdentifier": "db-before-upgrade", "SnapshotType": "manual", "SnapshotCreateTime": day,
         "Status": "creating"},
    ]
    newest = report.latest_snapshots(snapshots, "SnapshotType", "SnapshotCreateTime", "DBSnapshotIdentifier")
    assert newest == {
        "automated": {"identifier": "rds:db-2", "time": "2026-12-02T03:10:00+00:00", "status": "available",
                      "kms_key_id": "k"},
        "manual": {"identifier": "db-before-upgrade", "time": "2026-12-01T03:10:00+00:00", "status": "creating",
                   "kms_key_id": None},
    }
    assert report.latest_snapshots([], "SnapshotType", "SnapshotCreateTime", "DBSnapshotIdentifier") == {
        "automated": None, "manual": None}


def test_elasticache_system_snapshots_are_the_automated_ones() -> None:
    newest = report.latest_snapshots([{"SnapshotName": "automatic.redis-001-2026-12-01", "SnapshotSource": "system",
                                       "SnapshotCreateTime": "2026-12-01T03:10:00+00:00"}],
                                     "SnapshotSource", "SnapshotCreateTime", "SnapshotName")
    assert newest["automated"]["identifier"] == "automatic.redis-001-2026-12-01" and newest["manual"] is None


def test_log_group_names_come_from_their_arns() -> None:
    arn = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/opensearch/search/application"
    assert report.log_group_name(arn) == "/aws/opensearch/search/application"
    assert report.log_group_name(arn + ":*") == "/aws/opensearch/search/application"
    assert report.log_group_name(None) is None


def test_a_missing_resource_is_no_error_and_a_refused_read_is_kept() -> None:
    reads = report.Reads()

    def refuse(code: str):
        def read():
            raise ClientError({"Error": {"Code": code, "Message": "no"}}, "DescribeSomething")
        return read

    assert reads("rds_instance db", refuse("DBInstanceNotFound"), default=[]) == []
    assert reads.errors == {}
    assert reads("alarms", refuse("AccessDenied"), default=[]) == []
    assert set(reads.errors) == {"alarms"} and "AccessDenied" in reads.errors["alarms"]
