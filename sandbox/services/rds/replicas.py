"""RDS MySQL read replicas: a real MariaDB replicating from its source's, in the source's region or another.

CreateDBInstanceReadReplica starts the replica's server from a fresh copy of the source's data (mariadb-backup)
and replicates from the binary log position the copy ends at, read-only; the source may sit in another region
(SourceDBInstanceIdentifier is then its ARN). PromoteReadReplica stops replication once what the replica received
is applied, and the server takes writes. ``replica_lag`` answers CloudWatch's ReplicaLag from the server's
Seconds_Behind_Master. What AWS refuses and moto accepts is refused here: a source that is not available or has no
automated backups, more than 15 replicas of one source, an encrypted cross-region replica without a key of its
region, promoting an instance that is not a replica.
"""

from __future__ import annotations

from typing import Any

from moto.rds.exceptions import DBInstanceNotFoundError, InvalidParameterCombination, RDSClientError
from moto.rds.models import DBInstance, RDSBackend

from sandbox.dataplane import mariadb
from sandbox.lifecycle import duration
from sandbox.services import original
from sandbox.services.rds import backups
from sandbox.services.rds.models import (
    begin,
    default_subnet_group,
    fail_if_server_failed,
    master_password,
    random_suffix,
    server_id_of,
    server_ready,
    settle_synchronously,
    status_of,
    track,
    view,
)
from sandbox.services.rds.parameters import PENDING_REBOOT, instance_parameters
from sandbox.services.rds.validation import kms_arn, require_status

# AWS: up to 15 read replicas per RDS MySQL source instance.
MAX_REPLICAS = 15


def _check_source(backend: RDSBackend, primary: DBInstance, kwargs: dict[str, Any], cross_region: bool) -> None:
    require_status(primary, ("available",), "InvalidDBInstanceState",
                   f"Source instance {primary.db_instance_identifier} is not in the available state.")
    if not primary.backup_retention_period:
        raise InvalidParameterCombination(
            "Automated backups are not enabled for this database instance. To enable automated backups, use "
            "ModifyDBInstance to set the backup retention period to a non-zero value.")
    if len(primary.replicas) >= MAX_REPLICAS:
        raise RDSClientError("DBInstanceQuotaExceeded",
                             f"The source instance {primary.db_instance_identifier} has {MAX_REPLICAS} read replicas "
                             "already, the most RDS allows.")
    key = kwargs.get("kms_key_id")
    if cross_region and primary.storage_encrypted and not key:
        raise InvalidParameterCombination(
            "For encrypted cross-region replica, kmsKeyId should be explicitly specified")
    if key and not primary.storage_encrypted:
        raise InvalidParameterCombination("Cannot create an encrypted read replica of an unencrypted source.")
    if key and key.startswith("arn:") and key.split(":")[3] != backend.region_name:
        raise RDSClientError("KMSKeyNotAccessibleFault",
                             f"The KMS key {key} is not in the region of the read replica ({backend.region_name}).")


def create_db_instance_read_replica(self: RDSBackend, db_kwargs: Any) -> DBInstance:
    db_kwargs.pop("port", None)
    source = db_kwargs["source_db_instance_identifier"]
    cross_region = bool(self.arn_regex.match(source)) and source.split(":")[3] != self.region_name
    primary = self.find_db_from_id(source)
    if not cross_region and self.arn_regex.match(source):
        db_kwargs["source_db_instance_identifier"] = primary.db_instance_identifier
    _check_source(self, primary, db_kwargs, cross_region)
    if db_kwargs.get("kms_key_id"):
        db_kwargs["kms_key_id"] = kms_arn(self, db_kwargs["kms_key_id"])
    if db_kwargs.get("db_subnet_group_name") and db_kwargs["db_subnet_group_name"] not in self.subnet_groups:
        raise RDSClientError("DBSubnetGroupNotFoundFault",
                             f"DB subnet group {db_kwargs['db_subnet_group_name']} does not exist.")
    if cross_region:
        db_kwargs["backend"] = self
        # AWS places a cross-region replica without a subnet group in the default VPC of its region.
        subnet_group = db_kwargs.pop("db_subnet_group_name", None) or default_subnet_group(self)
        group = db_kwargs.get("db_parameter_group_name")
        if group and group not in self.db_parameter_groups:
            raise RDSClientError("DBParameterGroupNotFound", f"DBParameterGroup not found: {group}")
        # AWS: a cross-region replica without a group of its region gets the engine's default group there.
        db_kwargs["db_parameter_group_name"] = group or "default.{}{}".format(
            primary.engine, ".".join(primary.engine_version.split(".")[:2]))
    replica = original(create_db_instance_read_replica)(self, db_kwargs)
    if cross_region:
        # Set once the replica belongs to this region's backend (moto looks the group up there).
        replica.db_subnet_group_name = subnet_group
        # moto keeps the copy's region-bound fields: a cross-region replica has its own.
        replica.availability_zone = f"{self.region_name}a"
        if not db_kwargs.get("vpc_security_group_ids"):
            replica.vpc_security_group_ids = []
    # moto copies the primary object: give the replica its own identity, lists and transition.
    replica._sandbox_key = None
    replica.__dict__.pop("_sandbox_server", None)
    replica.__dict__.pop(PENDING_REBOOT, None)
    replica.__dict__.pop(backups.BACKED_UP, None)
    replica.tags = list(db_kwargs.get("tags") or [])
    replica.enabled_cloudwatch_logs_exports = list(replica.enabled_cloudwatch_logs_exports)
    replica.vpc_security_group_ids = list(replica.vpc_security_group_ids)
    replica.dbi_resource_id = "db-" + random_suffix(26)
    replica.multi_az = bool(db_kwargs.get("multi_az"))
    replica.backup_retention_period = 0  # AWS: a MySQL replica starts without automated backups
    replica._sandbox_pending = {}
    replica._sandbox_status = "available"
    track(replica, "rds-db")
    server_id = server_id_of(replica)
    ready = on_done = None
    if server_id is not None:
        replica._sandbox_server = mariadb.start_server(
            server_id, replica.engine, replica.master_username or "admin", master_password(replica),
            replica.db_name, _parameters(replica), replicate_from=server_id_of(primary))
        ready, on_done = server_ready(server_id), fail_if_server_failed(replica, server_id)
    begin(replica, "creating", duration("rds_read_replica"), ready, on_done)
    settle_synchronously(replica, server_id)
    return view(replica, "creating")


def _parameters(replica: DBInstance) -> dict[str, str]:
    try:
        return instance_parameters(replica)
    except KeyError:  # a default group moto has not made in this region: the engine's defaults
        return {}


def promote_read_replica(self: RDSBackend, db_kwargs: Any) -> DBInstance:
    identifier = db_kwargs["db_instance_identifier"]
    if identifier not in self.databases:
        raise DBInstanceNotFoundError(identifier)
    replica = self.databases[identifier]
    if not replica.is_replica:
        raise RDSClientError("InvalidDBInstanceState", f"DB Instance {identifier} is not a read replica.")
    require_status(replica, ("available",), "InvalidDBInstanceState",
                   f"Database instance {identifier} is not in available state.")
    source = replica.source_db_instance_identifier or ""
    try:
        primary = self.find_db_from_id(source)
    except DBInstanceNotFoundError:
        primary = None  # gone with its region: promotion is what is left
    if primary is not None:
        for name in (replica.db_instance_identifier, replica.db_instance_arn):
            if name in primary.replicas:
                primary.replicas.remove(name)
    replica.is_replica = False
    replica.source_db_instance_identifier = None
    retention = db_kwargs.get("backup_retention_period")
    replica.backup_retention_period = retention if retention is not None else 1
    for name in ("preferred_backup_window",):
        if db_kwargs.get(name):
            setattr(replica, name, db_kwargs[name])
    server_id = server_id_of(replica)
    if server_id is not None:
        mariadb.promote(server_id)
    begin(replica, "modifying", duration("modify"), None, None)
    return view(replica, "modifying")


def replica_lag(backend: RDSBackend, identifier: str) -> float | None:
    """CloudWatch ReplicaLag (seconds) of a replica: its server's Seconds_Behind_Master (None when not replicating)."""
    database = backend.databases.get(identifier)
    if database is None or not database.is_replica or status_of(database) != "available":
        return None
    status = mariadb.replica_status(server_id_of(database) or "")
    if not status or status.get("Seconds_Behind_Master") is None:
        return None
    return float(status["Seconds_Behind_Master"])


def status_infos(self: DBInstance) -> list[dict[str, Any]] | None:
    """AWS reports a replica's replication state in StatusInfos (amazon.aws.rds_instance promotes only then)."""
    if not getattr(self, "is_replica", False):
        return None
    status = mariadb.replica_status(server_id_of(self) or "") if status_of(self) == "available" else None
    running = bool(status) and status.get("Slave_IO_Running") == "Yes" and status.get("Slave_SQL_Running") == "Yes"
    return [{"StatusType": "read replication", "Normal": running or status is None,
             "Status": "replicating" if running or status is None else "error"}]


def remove_replica(self: DBInstance, replica: DBInstance) -> None:
    """A deleted replica leaves its source's list, which names another region's replica by ARN (moto fails then)."""
    for name in (replica.db_instance_identifier, replica.db_instance_arn):
        if name in self.replicas:
            self.replicas.remove(name)
