"""DocumentDB snapshots that hold the cluster's data, and restores that start a new cluster from it.

A cluster snapshot (manual, or the final one of DeleteDBCluster) writes the cluster server's ``Dataset`` (its
documents and the master user's salted SCRAM keys) to ``<state>/snapshots/docdb/<snapshot>.bson``; the automated
snapshot moto takes when a cluster is created keeps its (initial) dataset in memory. RestoreDBClusterFromSnapshot
creates a cluster whose server starts from the snapshot's dataset; RestoreDBClusterToPointInTime one whose server
starts from the source cluster's data as of RestoreToTime, replayed from the source server's write journal, within
[EarliestRestorableTime, LatestRestorableTime] (the backup retention period back, at most to the cluster's creation;
now, since the journal is written as the data is). As on AWS, the restored cluster has no instance, the default
cluster parameter group unless one is given, and the source's master user and password; the sandbox's server for it
answers from the start, as for any cluster.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path
from typing import Any

from moto.core.utils import utcnow
from moto.rds.exceptions import (
    DBClusterNotFoundError,
    DBClusterSnapshotNotFoundError,
    InvalidParameterCombination,
    InvalidParameterValue,
    RDSClientError,
)
from moto.rds.models import DBCluster, DBClusterSnapshot, RDSBackend

from sandbox.dataplane import documentdb, scram
from sandbox.services import original
from sandbox.services.docdb.models import ENGINE, RESTORE_SEEDS, server_of
from sandbox.services.rds.models import master_password
from sandbox.services.rds.validation import kms_arn
from sandbox.state import state_dir

RESTORE_TYPES = ("full-copy", "copy-on-write")
# Request fields a restore passes on to the new cluster as CreateDBCluster would take them.
PASSED_ON = ("port", "db_subnet_group_name", "vpc_security_group_ids", "availability_zones",
             "enable_cloudwatch_logs_exports", "deletion_protection", "tags", "storage_type",
             "copy_tags_to_snapshot")


def snapshot_path(identifier: str) -> Path:
    return state_dir() / "snapshots" / "docdb" / f"{identifier}.bson"


def _aware(moment: datetime.datetime) -> datetime.datetime:
    """moto's times are naive UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)


def _current_dataset(backend: RDSBackend, cluster: DBCluster) -> documentdb.Dataset:
    """The cluster's data now: its server's, or (before its server starts) the data it is being restored with."""
    server = server_of(cluster)
    if server is not None:
        return server.store.dataset()
    seed = RESTORE_SEEDS.get(cluster.db_cluster_identifier)
    if seed is not None:
        return seed
    return documentdb.Dataset.empty(scram.mongodb_credentials(cluster.master_username, master_password(cluster)))


# --- snapshots ----------------------------------------------------------------------------------------------


def with_data(create: Callable[..., DBClusterSnapshot]) -> Callable[..., DBClusterSnapshot]:
    """Wraps CreateDBClusterSnapshot (and the final snapshot of DeleteDBCluster): a docdb snapshot keeps the data."""

    def create_db_cluster_snapshot(self: RDSBackend, db_cluster_identifier: str, db_cluster_snapshot_identifier: str,
                                   snapshot_type: str = "manual", *args: Any, **kwargs: Any) -> DBClusterSnapshot:
        answer = create(self, db_cluster_identifier, db_cluster_snapshot_identifier, snapshot_type, *args, **kwargs)
        cluster = self.clusters.get(db_cluster_identifier)
        if cluster is None or cluster.engine != ENGINE:
            return answer
        snapshot = self.cluster_snapshots[answer.db_cluster_snapshot_identifier]
        dataset = _current_dataset(self, cluster)
        if snapshot_type == "manual":
            dataset.save(snapshot_path(snapshot.db_cluster_snapshot_identifier))
        else:
            snapshot._sandbox_dataset = dataset
        if not snapshot.storage_encrypted:
            # moto fills in a placeholder key; AWS reports none for an unencrypted snapshot.
            snapshot.kms_key_id = answer.kms_key_id = None
        return answer

    return create_db_cluster_snapshot


def _dataset_of(snapshot: DBClusterSnapshot) -> documentdb.Dataset:
    path = snapshot_path(snapshot.db_cluster_snapshot_identifier)
    if path.exists():
        return documentdb.Dataset.load(path)
    dataset = getattr(snapshot, "_sandbox_dataset", None)
    if dataset is None:
        raise RDSClientError("InvalidDBClusterSnapshotStateFault",
                             f"The data of snapshot {snapshot.db_cluster_snapshot_identifier} is gone from the "
                             "sandbox's state directory.")
    return dataset


def delete_db_cluster_snapshot(self: RDSBackend, db_snapshot_identifier: str) -> DBClusterSnapshot:
    snapshot = self.cluster_snapshots.get(db_snapshot_identifier.lower())
    if snapshot is not None and snapshot.engine == ENGINE and snapshot.status != "available":
        raise RDSClientError("InvalidDBClusterSnapshotStateFault",
                             f"Cannot delete the snapshot because it is not in available state: {snapshot.status}.")
    deleted = original(delete_db_cluster_snapshot)(self, db_snapshot_identifier)
    snapshot_path(deleted.db_cluster_snapshot_identifier).unlink(missing_ok=True)
    return deleted


def copy_db_cluster_snapshot(self: RDSBackend, source_db_cluster_snapshot_identifier: str,
                             target_db_cluster_snapshot_identifier: str, *args: Any,
                             **kwargs: Any) -> DBClusterSnapshot:
    source = self.cluster_snapshots.get(source_db_cluster_snapshot_identifier.lower())
    copied = original(copy_db_cluster_snapshot)(self, source_db_cluster_snapshot_identifier,
                                               target_db_cluster_snapshot_identifier, *args, **kwargs)
    if source is not None and source.engine == ENGINE:
        _dataset_of(source).save(snapshot_path(copied.db_cluster_snapshot_identifier))
    return copied


# --- the restorable window ----------------------------------------------------------------------------------


def restorable_window(cluster: DBCluster) -> tuple[datetime.datetime, datetime.datetime]:
    """(EarliestRestorableTime, LatestRestorableTime) of a docdb cluster, aware UTC."""
    now = _aware(utcnow())
    retention = datetime.timedelta(days=cluster.backup_retention_period or 1)
    return max(_aware(cluster.created), now - retention), now


def _earliest(self: DBCluster) -> datetime.datetime:
    if self.engine == ENGINE:
        return restorable_window(self)[0].replace(tzinfo=None)
    return self._sandbox_earliest_restorable_time


def _set_earliest(self: DBCluster, value: datetime.datetime) -> None:
    self._sandbox_earliest_restorable_time = value


# DBCluster.earliest_restorable_time: moto sets it once, at creation; AWS moves it with the retention period.
EARLIEST_RESTORABLE_TIME = property(_earliest, _set_earliest)


# --- restores -----------------------------------------------------------------------------------------------


def _new_cluster(backend: RDSBackend, identifier: str, source: DBCluster, encrypted: bool, kms_key_id: str | None,
                 dataset: documentdb.Dataset, overrides: Any) -> DBCluster:
    """Create cluster ``identifier`` like ``source`` (engine, version, master user) with the request's settings,
    its server starting from ``dataset``."""
    if identifier in backend.clusters:
        raise RDSClientError("DBClusterAlreadyExistsFault", f"DB cluster {identifier} already exists.")
    requested_key = overrides.get("kms_key_id")
    if requested_key:
        kms_key_id, encrypted = kms_arn(backend, requested_key), True
    kwargs: dict[str, Any] = {
        "db_cluster_identifier": identifier, "engine": ENGINE,
        "engine_version": overrides.get("engine_version") or source.engine_version,
        "master_username": source.master_username,
        # The server logs the master user in with the dataset's keys; moto keeps the password for its own checks.
        "master_user_password": master_password(source),
        "db_cluster_parameter_group_name": overrides.get("db_cluster_parameter_group_name"),
        "storage_encrypted": encrypted, "kms_key_id": kms_key_id if encrypted else None,
        **{name: overrides.get(name) for name in PASSED_ON},
    }
    RESTORE_SEEDS[identifier] = dataset
    try:
        return backend.create_db_cluster({name: value for name, value in kwargs.items() if value is not None})
    finally:
        RESTORE_SEEDS.pop(identifier, None)


def restore_db_cluster_from_snapshot(self: RDSBackend, from_snapshot_id: str, overrides: Any) -> DBCluster:
    snapshot = self.cluster_snapshots.get((from_snapshot_id or "").lower())
    if snapshot is None:
        raise DBClusterSnapshotNotFoundError(from_snapshot_id)
    if snapshot.engine != ENGINE:
        return original(restore_db_cluster_from_snapshot)(self, from_snapshot_id, overrides)
    if overrides.get("engine") != ENGINE:
        raise InvalidParameterValue(f"Engine {overrides.get('engine')} cannot restore a {ENGINE} snapshot.")
    if snapshot.status != "available":
        raise RDSClientError("InvalidDBClusterSnapshotStateFault",
                             f"Snapshot {snapshot.db_cluster_snapshot_identifier} is {snapshot.status}; only an "
                             "available snapshot can be restored.")
    return _new_cluster(self, overrides["db_cluster_identifier"].lower(), snapshot.cluster, snapshot.storage_encrypted,
                        snapshot.kms_key_id, _dataset_of(snapshot), overrides)


def restore_db_cluster_to_point_in_time(self: RDSBackend, db_cluster_identifier: str,
                                        source_db_cluster_identifier: str, restore_type: str | None = None,
                                        restore_to_time: datetime.datetime | None = None,
                                        use_latest_restorable_time: bool | None = None, **overrides: Any) -> DBCluster:
    source = self.clusters.get((source_db_cluster_identifier or "").lower())
    if source is None:
        raise DBClusterNotFoundError(source_db_cluster_identifier)
    if source.engine != ENGINE:
        return original(restore_db_cluster_to_point_in_time)(
            self, db_cluster_identifier, source_db_cluster_identifier, restore_type or "full-copy", restore_to_time,
            bool(use_latest_restorable_time), **overrides)
    if restore_type is not None and restore_type not in RESTORE_TYPES:
        raise InvalidParameterValue(f"Invalid RestoreType {restore_type}; use {' or '.join(RESTORE_TYPES)}.")
    if restore_to_time is not None and use_latest_restorable_time:
        raise InvalidParameterCombination("Cannot specify both RestoreToTime and UseLatestRestorableTime.")
    if restore_to_time is None and not use_latest_restorable_time:
        raise InvalidParameterCombination("Specify either RestoreToTime or UseLatestRestorableTime.")
    server = server_of(source)
    if server is None or source.status in ("creating", "deleting"):
        raise RDSClientError("InvalidDBClusterStateFault",
                             f"DB cluster {source.db_cluster_identifier} is {source.status}; it cannot be restored "
                             "to a point in time now.")
    earliest, latest = restorable_window(source)
    moment = _aware(restore_to_time) if restore_to_time is not None else latest
    if not earliest <= moment <= latest:
        raise RDSClientError("InvalidRestoreFault",
                             f"The restore time {moment.isoformat()} is outside the restorable window of DB cluster "
                             f"{source.db_cluster_identifier}: {earliest.isoformat()} to {latest.isoformat()}.")
    return _new_cluster(self, db_cluster_identifier.lower(), source, source.storage_encrypted, source.kms_key_id,
                        server.store.at(moment.timestamp()), {**overrides, "db_cluster_parameter_group_name": None})
