"""RDS backups that hold real data: DB snapshots, automated backups, and restores from either.

* A DB snapshot of a MySQL/MariaDB instance (CreateDBSnapshot, or the final snapshot of DeleteDBInstance) copies the
  instance's MariaDB with ``mariadb-backup`` into ``<state>/snapshots/rds/<snapshot id>/`` at the moment of the call:
  the response comes once the copy is consistent, so it holds what was committed before the call returned, and
  nothing written after. The snapshot then stays ``creating`` for the simulated snapshot time. DeleteDBSnapshot
  removes the copy; CopyDBSnapshot copies it. Snapshots of deleted instances keep their copy and stay restorable.
* The automated backup: an instance with BackupRetentionPeriod > 0 is ``backing-up`` after ``creating`` while its
  first automated snapshot (``rds:<id>-<time>``) is copied the same way, as RDS takes one when a new instance comes up
  (or when retention goes from 0 to more). That copy is the base of point-in-time restores; retention 0 removes it.
* RestoreDBInstanceFromDBSnapshot starts a new MariaDB (its own port and data directory) from the copy: the data,
  users and master password are the snapshot's.
* RestoreDBInstanceToPointInTime starts a new MariaDB from the base copy and replays the source's binary log from
  the copy's position (``mariadb-binlog --stop-datetime``). Binary log events carry their statement's start time in
  whole seconds (UTC), and mariadb-binlog stops at the first event, in commit order, whose second is not before the
  second of RestoreTime (a transaction cut there is rolled back). So the restored instance holds the transactions
  whose COMMIT started in a second before RestoreTime's: with a whole-second RestoreTime, every transaction
  committed before it; with a fractional one, those committed earlier in the same second are left out too; never
  one committed after it. UseLatestRestorableTime replays the binary log to its end at the moment of the call, to
  the transaction. The restorable window runs from the second after the base copy was consistent (EarliestTime of
  DescribeDBInstanceAutomatedBackups) to now (LatestRestorableTime: the sandbox ships its binary log at once, where
  RDS is typically up to 5 minutes behind). Point-in-time restores need the source instance to exist (renamed or
  not: its automated backups follow it).

Restored instances get what AWS gives them: the snapshot's (or source's) engine, engine version, storage, encryption
and KMS key, master user and database name; the class, backup retention and backup window of the call, else the
source's; the DB subnet group, VPC security groups and DB parameter group of the call, else the default ones (the
default subnet group, the default security group of its VPC, the engine's default parameter group); Single-AZ, no
deletion protection, no log exports, no IAM authentication and no CopyTagsToSnapshot unless asked; the call's tags,
else for a snapshot restore the tags the source instance had when the snapshot was taken.
"""

from __future__ import annotations

import logging
import math
import shutil
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from moto.ec2.models import ec2_backends
from moto.rds.exceptions import (
    DBInstanceAlreadyExists,
    DBInstanceNotFoundError,
    DBSnapshotNotFoundFault,
    InvalidParameterCombination,
    InvalidParameterValue,
    RDSClientError,
)
from moto.rds.models import DBInstance, DBInstanceAutomatedBackup, DBSnapshot, RDSBackend

from sandbox.dataplane import mariadb
from sandbox.lifecycle import duration
from sandbox.services import original
from sandbox.services.rds.models import (
    MYSQL_ENGINES,
    after_action,
    begin,
    default_subnet_group,
    master_password,
    status_of,
    track,
    view,
)
from sandbox.state import state_dir

LOG = logging.getLogger("sandbox.services.rds.backups")
# The instance attribute holding the restore a create call starts from (popped before moto sees the arguments).
RESTORE = "_sandbox_restore"
# Set once an instance's first automated backup is taken (or when it gets none).
BACKED_UP = "_sandbox_backed_up"
SNAPSHOT_NOT_FOUND = "DBSnapshotNotFound"  # AWS's code; moto says DBSnapshotNotFoundFault


@dataclass(frozen=True)
class Restore:
    """Where a restored instance's MariaDB starts from: a snapshot's copy, and SQL to replay on top of it."""

    source: Path
    replay: Path | None = None


# --- where copies live -------------------------------------------------------------------------------------


def copies_root() -> Path:
    return state_dir() / "snapshots" / "rds"


def copy_dir(snapshot_id: str) -> Path:
    return copies_root() / snapshot_id.lower()


def copy_of(snapshot: DBSnapshot) -> mariadb.Copy | None:
    return getattr(snapshot, "_sandbox_copy", None)


def data_server(database: DBInstance) -> str | None:
    """The MariaDB a snapshot of ``database`` copies: its own (not an Aurora cluster's)."""
    if database.engine in MYSQL_ENGINES and database.db_cluster_identifier is None:
        return database.db_instance_identifier
    return None


def _take_copy(snapshot: DBSnapshot, server_id: str) -> threading.Event:
    """Copy ``server_id``'s data for ``snapshot`` now, in the background; the event is set when it is done."""
    copied = threading.Event()
    snapshot._sandbox_copied = copied

    def run() -> None:
        try:
            snapshot._sandbox_copy = mariadb.backup(server_id, copy_dir(snapshot.db_snapshot_identifier))
        except Exception as exc:
            LOG.exception("copying %s for snapshot %s failed", server_id, snapshot.db_snapshot_identifier)
            snapshot._sandbox_copy_error = str(exc)
        finally:
            copied.set()
            if getattr(snapshot, "_sandbox_deleted", False):
                shutil.rmtree(copy_dir(snapshot.db_snapshot_identifier), ignore_errors=True)

    threading.Thread(target=run, name=f"snapshot-{snapshot.db_snapshot_identifier}", daemon=True).start()
    return copied


def _fail_if_not_copied(snapshot: DBSnapshot) -> None:
    if getattr(snapshot, "_sandbox_copy_error", None):
        snapshot._sandbox_status = "failed"


# --- snapshots ----------------------------------------------------------------------------------------------


def create_db_snapshot(self: RDSBackend, db_instance_identifier: str, db_snapshot_identifier: str,
                       snapshot_type: str = "manual", *args: Any, **kwargs: Any) -> DBSnapshot:
    snapshot = original(create_db_snapshot)(self, db_instance_identifier, db_snapshot_identifier, snapshot_type,
                                            *args, **kwargs)
    if snapshot_type != "manual":
        return snapshot  # automated ones are copied by the first backup (start_first_backup)
    track(snapshot, "rds-snapshot")
    server_id = data_server(self.databases[db_instance_identifier])
    copied = None
    if server_id is not None and mariadb.state(server_id) in (mariadb.READY, mariadb.STOPPED):
        copied = _take_copy(snapshot, server_id)
        # The caller gets its answer once the copy is consistent: it holds the data at the call, none written after.
        after_action(lambda: copied.wait(mariadb.BACKUP_TIMEOUT))
    begin(snapshot, "creating", duration("snapshot"), copied.is_set if copied else None,
          lambda: _fail_if_not_copied(snapshot))
    return view(snapshot, "creating")


def delete_db_snapshot(self: RDSBackend, db_snapshot_identifier: str) -> DBSnapshot:
    snapshot = original(delete_db_snapshot)(self, db_snapshot_identifier)
    _drop_copy(snapshot)
    return snapshot


def _drop_copy(snapshot: DBSnapshot) -> None:
    copied = getattr(snapshot, "_sandbox_copied", None)
    if copied is not None and not copied.is_set():
        snapshot._sandbox_deleted = True  # the copying thread removes what it wrote
        return
    shutil.rmtree(copy_dir(snapshot.db_snapshot_identifier), ignore_errors=True)


def copy_db_snapshot(self: RDSBackend, source_db_snapshot_identifier: str, target_db_snapshot_identifier: str,
                     *args: Any, **kwargs: Any) -> DBSnapshot:
    source_id = source_db_snapshot_identifier
    if source_id.startswith("arn:"):
        source_id = self.extract_snapshot_name_from_arn(source_id)
    source = self.get_db_snapshot(source_id)
    if status_of(source) != "available":
        raise RDSClientError("InvalidDBSnapshotState", f"Snapshot {source_id} is not in available state.")
    target = original(copy_db_snapshot)(self, source_db_snapshot_identifier, target_db_snapshot_identifier,
                                        *args, **kwargs)
    copy = copy_of(source)
    if copy is not None:
        directory = copy_dir(target.db_snapshot_identifier)
        shutil.rmtree(directory, ignore_errors=True)
        shutil.copytree(copy.path.parent, directory)
        target._sandbox_copy = mariadb.Copy(directory / copy.path.name, copy.binlog_file, copy.binlog_position,
                                            copy.taken_at)
        target._sandbox_copy.save(directory)
    return target


def snapshot_not_found_init(self: DBSnapshotNotFoundFault, snapshot_identifier: str) -> None:
    """DBSnapshotNotFoundFault with AWS's error code, which amazon.aws checks for a missing snapshot."""
    RDSClientError.__init__(self, SNAPSHOT_NOT_FOUND, f"DBSnapshot {snapshot_identifier} not found.")


# --- automated backups --------------------------------------------------------------------------------------


def automated_snapshots(backend: RDSBackend, identifier: str) -> list[DBSnapshot]:
    """The automated snapshots of instance ``identifier``, oldest first."""
    found = [snapshot for snapshot in backend.database_snapshots.values()
             if snapshot.snapshot_type == "automated" and snapshot.db_instance_identifier == identifier.lower()]
    return sorted(found, key=lambda snapshot: snapshot.created)


def prepare_first_backup(backend: RDSBackend, database: DBInstance) -> threading.Event:
    """At CreateDBInstance: the automated snapshot moto made waits for its copy; without retention there is none."""
    backed_up = threading.Event()
    setattr(database, BACKED_UP, backed_up)
    snapshots = automated_snapshots(backend, database.db_instance_identifier)
    if not database.backup_retention_period:
        for snapshot in snapshots:
            backend.database_snapshots.pop(snapshot.db_snapshot_identifier, None)
        backed_up.set()
        return backed_up
    if data_server(database) is None or database.is_replica:
        backed_up.set()
        return backed_up
    for snapshot in snapshots:
        track(snapshot, "rds-snapshot")
        begin(snapshot, "creating", 0, backed_up.is_set, lambda snapshot=snapshot: _fail_if_not_copied(snapshot))
    return backed_up


def start_first_backup(backend: RDSBackend, database: DBInstance) -> None:
    """Once a new instance's server answers: ``backing-up`` while its first automated snapshot is copied."""
    backed_up: threading.Event | None = getattr(database, BACKED_UP, None)
    if backed_up is None or backed_up.is_set():
        return
    server_id = data_server(database)
    snapshots = automated_snapshots(backend, database.db_instance_identifier)
    if server_id is None or mariadb.state(server_id) != mariadb.READY or not snapshots:
        backed_up.set()
        return
    begin(database, "backing-up", 0, backed_up.is_set, None)
    copied = _take_copy(snapshots[-1], server_id)
    threading.Thread(target=lambda: (copied.wait(mariadb.BACKUP_TIMEOUT), backed_up.set()), daemon=True).start()


def retention_changed(backend: RDSBackend, database: DBInstance, before: int, after: int) -> None:
    """BackupRetentionPeriod 0 drops the automated backups; from 0 to more takes one, as RDS does."""
    identifier = database.db_instance_identifier
    if not after:
        for snapshot in automated_snapshots(backend, identifier):
            backend.delete_db_snapshot(snapshot.db_snapshot_identifier)
        return
    server_id = data_server(database)
    if before or server_id is None or mariadb.state(server_id) != mariadb.READY:
        return
    snapshot_id = f"rds:{identifier}-{datetime.now(UTC):%Y-%m-%d-%H-%M}"
    if snapshot_id in backend.database_snapshots:
        return
    snapshot = original(create_db_snapshot)(backend, identifier, snapshot_id, "automated")
    track(snapshot, "rds-snapshot")
    copied = _take_copy(snapshot, server_id)
    begin(snapshot, "creating", 0, copied.is_set, lambda: _fail_if_not_copied(snapshot))


def restorable_window(backend: RDSBackend, database: DBInstance) -> tuple[datetime, datetime] | None:
    """(earliest, latest) time ``database`` can be restored to, or None without an automated backup to start from.

    The earliest is the whole second after its base copy was consistent; the latest is now.
    """
    if not database.backup_retention_period:
        return None
    snapshots = automated_snapshots(backend, database.db_instance_identifier)
    if data_server(database) is None:
        if not snapshots:
            return None
        earliest = snapshots[0].created.replace(tzinfo=UTC)  # moto's times are naive UTC
    else:
        copies = [copy for copy in map(copy_of, snapshots) if copy is not None]
        if not copies:
            return None
        earliest = datetime.fromtimestamp(math.floor(copies[0].taken_at) + 1, UTC)
    return earliest, datetime.now(UTC)


def _base(backend: RDSBackend, database: DBInstance) -> mariadb.Copy | None:
    copies = [copy for copy in map(copy_of, automated_snapshots(backend, database.db_instance_identifier)) if copy]
    return copies[0] if copies else None


def latest_restorable_time(self: DBInstance) -> datetime | None:
    """DescribeDBInstances' LatestRestorableTime: none without an automated backup, else now (whole seconds)."""
    window = restorable_window(self.backend, self)
    return window[1].replace(microsecond=0) if window else None


# --- DescribeDBInstanceAutomatedBackups ---------------------------------------------------------------------


def _automated_source(self: DBInstanceAutomatedBackup) -> DBInstance | None:
    database = self.backend.databases.get(self.db_instance_identifier)
    if database is not None:
        return database
    return self.automated_snapshots[-1].database if self.automated_snapshots else None


def automated_backup_attribute(self: DBInstanceAutomatedBackup, name: str) -> Any:
    """The instance's fields (engine, version, storage, KMS key, ...) on its automated backup, as AWS reports them."""
    if name.startswith("_"):
        raise AttributeError(name)
    source = _automated_source(self)
    if source is None:
        raise AttributeError(name)
    return getattr(source, name)


def automated_backup_restore_window(self: DBInstanceAutomatedBackup) -> dict[str, datetime] | None:
    database = self.backend.databases.get(self.db_instance_identifier)
    if database is not None:
        window = restorable_window(self.backend, database)
        return {"EarliestTime": window[0], "LatestTime": window[1]} if window else None
    copies = [copy for copy in map(copy_of, self.automated_snapshots) if copy]
    if not copies:
        return None
    taken = datetime.fromtimestamp(math.floor(copies[0].taken_at) + 1, UTC)
    return {"EarliestTime": taken, "LatestTime": taken}  # retained: its snapshot only, no binary log


def automated_backup_arn(self: DBInstanceAutomatedBackup) -> str:
    source = _automated_source(self)
    resource = (source.dbi_resource_id if source is not None else self.db_instance_identifier).lower()
    return f"arn:aws:rds:{self.backend.region_name}:{self.backend.account_id}:auto-backup:ab-{resource[3:]}"


def automated_backup_encrypted(self: DBInstanceAutomatedBackup) -> bool:
    source = _automated_source(self)
    return bool(source is not None and source.storage_encrypted)


# --- restores -----------------------------------------------------------------------------------------------


def _default_security_group(backend: RDSBackend, subnet_group: str) -> list[str]:
    """AWS gives a restored instance the default security group of its DB subnet group's VPC."""
    ec2 = ec2_backends[backend.account_id][backend.region_name]
    group = backend.subnet_groups.get(subnet_group)
    vpc_id = group.vpc_id if group is not None else (ec2.default_vpc.id if ec2.default_vpc else None)
    default = ec2.get_default_security_group(vpc_id) if vpc_id else None
    return [default.id] if default is not None else []


def _restored_kwargs(backend: RDSBackend, source: DBInstance, request: Any, identifier: str,
                     tags: list[dict[str, str]], restore: Restore | None,
                     storage_encrypted: bool, kms_key_id: str | None) -> dict[str, Any]:
    """CreateDBInstance arguments for a restore of ``source`` (the snapshot's instance, or the live one)."""
    def asked(name: str, default: Any = None) -> Any:
        value = request.get(name)
        return default if value is None else value

    subnet_group = asked("db_subnet_group_name")
    if subnet_group is None:
        subnet_group = default_subnet_group(backend)
    kwargs: dict[str, Any] = {
        "db_instance_identifier": identifier,
        "db_instance_class": asked("db_instance_class", source.db_instance_class),
        "engine": asked("engine", source.engine),
        "engine_version": source.engine_version,
        "allocated_storage": asked("allocated_storage", source.allocated_storage),
        "max_allocated_storage": request.get("max_allocated_storage"),
        "storage_type": asked("storage_type", source.storage_type),
        "iops": asked("iops", source.iops),
        "storage_throughput": asked("storage_throughput", source.storage_throughput),
        "storage_encrypted": storage_encrypted,
        "kms_key_id": kms_key_id,
        "master_username": source.master_username,
        "master_user_password": master_password(source),
        "db_name": source.db_name,
        "character_set_name": source.character_set_name,
        "license_model": asked("license_model", source.license_model),
        "db_subnet_group_name": subnet_group,
        "vpc_security_group_ids": list(asked("vpc_security_group_ids", None) or [])
        or _default_security_group(backend, subnet_group),
        "db_parameter_group_name": request.get("db_parameter_group_name"),
        "option_group_name": asked("option_group_name",
                                   source.option_group_name if source.option_group_supplied else None),
        "availability_zone": request.get("availability_zone"),
        "multi_az": bool(request.get("multi_az")),
        "publicly_accessible": request.get("publicly_accessible"),
        "auto_minor_version_upgrade": asked("auto_minor_version_upgrade", source.auto_minor_version_upgrade),
        "backup_retention_period": asked("backup_retention_period", source.backup_retention_period),
        "preferred_backup_window": asked("preferred_backup_window", source.preferred_backup_window),
        "preferred_maintenance_window": source.preferred_maintenance_window,
        "copy_tags_to_snapshot": bool(request.get("copy_tags_to_snapshot")),
        "deletion_protection": bool(request.get("deletion_protection")),
        "enable_iam_database_authentication": bool(request.get("enable_iam_database_authentication")),
        "enable_cloudwatch_logs_exports": list(request.get("enable_cloudwatch_logs_exports") or []),
        "ca_certificate_identifier": request.get("ca_certificate_identifier"),
        "tags": tags,
    }
    if kwargs["allocated_storage"] < source.allocated_storage:
        raise InvalidParameterValue(
            "The allocated storage size can't be less than the source snapshot or backup size."
        )
    if restore is not None:
        kwargs[RESTORE] = restore
    return kwargs


def restore_db_instance_from_db_snapshot(self: RDSBackend, from_snapshot_id: str, overrides: Any) -> DBInstance:
    if from_snapshot_id.startswith("arn:"):
        from_snapshot_id = self.extract_snapshot_name_from_arn(from_snapshot_id)
    snapshot = self.get_db_snapshot(from_snapshot_id)
    identifier = overrides["db_instance_identifier"]
    if identifier.lower() in self.databases:
        raise DBInstanceAlreadyExists()
    if status_of(snapshot) != "available":
        raise RDSClientError("InvalidDBSnapshotState", f"Snapshot {snapshot.db_snapshot_identifier} is not in "
                             "available state.")
    copy = copy_of(snapshot)
    if data_server(snapshot.database) is not None and copy is None:
        raise RDSClientError("InvalidDBSnapshotState", f"Snapshot {snapshot.db_snapshot_identifier} holds no data.")
    tags = list(overrides.get("tags") or []) or list(snapshot.database.tags or [])
    kwargs = _restored_kwargs(self, snapshot.database, overrides, identifier, tags,
                              Restore(copy.path) if copy is not None else None,
                              snapshot.encrypted, snapshot.kms_key_id if snapshot.encrypted else None)
    kwargs["engine_version"] = snapshot.engine_version
    return self.create_db_instance(kwargs)


def _restore_time(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise InvalidParameterValue(f"Invalid RestoreTime: {value}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ").replace(".000000Z", "Z")


def restore_db_instance_to_point_in_time(self: RDSBackend, source_db_identifier: str | None,
                                         target_db_identifier: str, overrides: Any) -> DBInstance:
    source = _point_in_time_source(self, source_db_identifier, overrides.get("source_dbi_resource_id"))
    if target_db_identifier.lower() in self.databases:
        raise DBInstanceAlreadyExists()
    restore_time, latest = overrides.get("restore_time"), bool(overrides.get("use_latest_restorable_time"))
    if restore_time is not None and latest:
        raise InvalidParameterCombination("Cannot specify both RestoreTime and UseLatestRestorableTime.")
    if restore_time is None and not latest:
        raise InvalidParameterCombination("Either RestoreTime or UseLatestRestorableTime must be specified.")
    if not source.backup_retention_period:
        raise RDSClientError("PointInTimeRestoreNotEnabled", f"DB instance {source.db_instance_identifier} has "
                             "BackupRetentionPeriod 0: point-in-time restore is not enabled.")
    if status_of(source) not in ("available", "stopped", "modifying", "backing-up", "rebooting", "starting"):
        raise RDSClientError("InvalidDBInstanceState", f"DB instance {source.db_instance_identifier} is not in a "
                             "state to restore from.")
    window = restorable_window(self, source)
    if window is None:
        raise RDSClientError("DBInstanceAutomatedBackupNotFound", "No automated backup for DB instance "
                             f"{source.db_instance_identifier} was found.")
    earliest, now = window
    moment = now if latest else _restore_time(restore_time)
    if not earliest <= moment <= now:
        raise RDSClientError("InvalidRestoreFault", f"The restore time {_iso(moment)} is outside the restorable "
                             f"window of DB instance {source.db_instance_identifier}: {_iso(earliest)} (earliest) "
                             f"to {_iso(now)} (latest).")
    restore = None
    server_id = data_server(source)
    if server_id is not None:
        base = _base(self, source)
        end = mariadb.binlog_position(server_id)
        if base is None or base.binlog_file is None or base.binlog_position is None or end is None:
            raise RDSClientError("DBInstanceAutomatedBackupNotFound", "No automated backup for DB instance "
                                 f"{source.db_instance_identifier} was found.")
        replay = mariadb_root() / f".replay-{target_db_identifier.lower()}.sql"
        mariadb.binlog_sql(server_id, (base.binlog_file, base.binlog_position), end,
                           None if latest else moment, replay)
        restore = Restore(base.path, replay)
    kwargs = _restored_kwargs(self, source, overrides, target_db_identifier, list(overrides.get("tags") or []),
                              restore, bool(source.storage_encrypted), source.kms_key_id)
    return self.create_db_instance(kwargs)


def mariadb_root() -> Path:
    return state_dir() / "mariadb"


def _point_in_time_source(backend: RDSBackend, identifier: str | None, resource_id: str | None) -> DBInstance:
    if identifier:
        if identifier.startswith("arn:"):
            identifier = identifier.rsplit(":", 1)[-1]
        database = backend.databases.get(identifier.lower())
        if database is None:
            raise DBInstanceNotFoundError(identifier)
        return database
    for database in backend.databases.values():
        if resource_id and database.dbi_resource_id == resource_id:
            return database
    raise DBInstanceNotFoundError(resource_id or "")

