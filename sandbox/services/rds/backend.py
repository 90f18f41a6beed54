"""RDS backend operations: instances, clusters and snapshots with simulated time and a real MariaDB each.

At time scale 0 a create call returns only once its server answers (still reporting ``creating``):
clients then see ``available`` on their first describe instead of sleeping through a waiter delay.
Modifications apply after the simulated ``modify`` time whatever ApplyImmediately says, except a new master
password, which reaches a cluster's server at once (a DocumentDB cluster's only with ApplyImmediately). The port
of a resource with a server is the port its server listens on (DBPortNumber/Port are not honoured).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from moto.rds.exceptions import (
    DBClusterNotFoundError,
    DBClusterToBeDeletedHasActiveMembers,
    DBInstanceNotFoundError,
    DBSubnetGroupNotFoundError,
    InvalidParameterCombination,
    RDSClientError,
)
from moto.rds.models import DBCluster, DBClusterSnapshot, DBInstance, DBInstanceClustered, RDSBackend

from sandbox.dataplane import mariadb
from sandbox.lifecycle import CLOCK, duration
from sandbox.services import original
from sandbox.services.rds import backups, upgrades
from sandbox.services.rds.models import (
    CLUSTER_CREATE_KINDS,
    CLUSTER_SERVERS,
    CREATE_KINDS,
    MYSQL_CLUSTER_ENGINES,
    begin,
    clock_key,
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
from sandbox.services.rds.validation import FINAL_SNAPSHOT_REQUIRED, aws_managed_key, kms_arn, require_status

DEFAULT_CA = "rds-ca-rsa2048-g1"
# ModifyDBInstance parameters that wait in PendingModifiedValues while the instance is ``modifying``:
# (parameter, attribute, PendingModifiedValues key).
PENDING_FIELDS = (
    ("db_instance_class", "db_instance_class", "DBInstanceClass"),
    ("allocated_storage", "allocated_storage", "AllocatedStorage"),
    ("multi_az", "multi_az", "MultiAZ"),
    ("engine_version", "engine_version", "EngineVersion"),
    ("iops", "iops", "Iops"),
    ("storage_type", "storage_type", "StorageType"),
    ("storage_throughput", "storage_throughput", "StorageThroughput"),
    ("ca_certificate_identifier", "ca_certificate_identifier", "CACertificateIdentifier"),
    ("backup_retention_period", "backup_retention_period", "BackupRetentionPeriod"),
    ("license_model", "license_model", "LicenseModel"),
)
PERFORMANCE_INSIGHTS = (
    "enable_performance_insights", "performance_insights_kms_key_id", "performance_insights_retention_period",
)
# Request flags, not instance attributes: never compared, never stored.
NOT_ATTRIBUTES = {
    "db_instance_identifier", "apply_immediately", "allow_major_version_upgrade", "db_port_number",
    "cloudwatch_logs_export_configuration", "master_user_password", "new_db_instance_identifier",
    "enable_performance_insights", "performance_insights_kms_key_id", "performance_insights_retention_period",
    "rotate_master_user_password", "manage_master_user_password", "master_user_secret_kms_key_id",
    "use_default_processor_features", "processor_features", "certificate_rotation_restart",
}


# --- DB instances -------------------------------------------------------------------------------------------


def _prepare_instance_kwargs(backend: RDSBackend, kwargs: Any) -> None:
    if not kwargs.get("ca_certificate_identifier"):
        kwargs["ca_certificate_identifier"] = DEFAULT_CA
    if kwargs.get("publicly_accessible") is None:
        kwargs["publicly_accessible"] = False
    if kwargs.get("db_cluster_identifier") is None:
        if not kwargs.get("db_subnet_group_name"):
            kwargs["db_subnet_group_name"] = default_subnet_group(backend)
        if kwargs.get("storage_encrypted"):
            managed = aws_managed_key(backend, "rds")  # not a key of moto's KMS: a restore may carry it over
            key = kwargs.get("kms_key_id")
            kwargs["kms_key_id"] = key if key == managed else kms_arn(backend, key) or managed
    kwargs.pop("port", None)


def _finish_instance(backend: RDSBackend, database: DBInstance, kwargs: Any) -> None:
    """Fill what moto leaves out and AWS reports."""
    database.dbi_resource_id = "db-" + random_suffix(26)
    pi_enabled = bool(kwargs.get("enable_performance_insights"))
    database.performance_insights_enabled = pi_enabled
    if pi_enabled:
        database.performance_insights_kms_key_id = (
            kms_arn(backend, kwargs.get("performance_insights_kms_key_id")) or aws_managed_key(backend, "rds")
        )
        database.performance_insights_retention_period = kwargs.get("performance_insights_retention_period") or 7
    if database.db_cluster_identifier is None and database.storage_type == "gp3":
        large = (database.allocated_storage or 0) >= 400
        if database.iops is None:
            database.iops = 12000 if large else 3000
        if database.storage_throughput is None:
            database.storage_throughput = 500 if large else 125
    if database.monitoring_interval:
        database.enhanced_monitoring_resource_arn = (
            f"arn:aws:logs:{backend.region_name}:{backend.account_id}:log-group:RDSOSMetrics:"
            f"log-stream:{database.dbi_resource_id}"
        )
    if database.multi_az and database.db_cluster_identifier is None:
        zones = [f"{backend.region_name}{suffix}" for suffix in "abc"]
        database.secondary_availability_zone = next(z for z in zones if z != database.availability_zone)
    database._sandbox_pending = {}


def _start_instance_lifecycle(backend: RDSBackend, database: DBInstance, kind: str,
                              restore: backups.Restore | None = None) -> None:
    track(database, "rds-db")
    server_id = server_id_of(database)
    ready = on_done = None
    if server_id is not None and database.db_cluster_identifier is None:
        server = mariadb.start_server(
            server_id, database.engine, database.master_username or "admin", master_password(database),
            database.db_name, instance_parameters(database), source=restore.source if restore else None,
            replay=restore.replay if restore else None,
        )
        database._sandbox_server = server
    if server_id is not None:
        ready, server_done = server_ready(server_id), fail_if_server_failed(database, server_id)

        def on_done() -> None:
            server_done()
            backups.start_first_backup(backend, database)

    backed_up = getattr(database, backups.BACKED_UP, None)
    begin(database, "creating", duration(CREATE_KINDS.get(database.engine, kind)), ready, on_done)
    settle_synchronously(database, server_id, *([backed_up] if backed_up is not None else []))


def create_db_instance(self: RDSBackend, db_kwargs: Any) -> DBInstance:
    restore = db_kwargs.pop(backups.RESTORE, None)
    _prepare_instance_kwargs(self, db_kwargs)
    cluster_id = db_kwargs.get("db_cluster_identifier")
    if cluster_id and not db_kwargs.get("availability_zone") and cluster_id in self.clusters:
        db_kwargs["availability_zone"] = _spread_zone(self.clusters[cluster_id])
    database = original(create_db_instance)(self, db_kwargs)
    _finish_instance(self, database, db_kwargs)
    backups.prepare_first_backup(self, database)
    kind = "rds_instance_multi_az" if database.multi_az else "rds_instance"
    _start_instance_lifecycle(self, database, kind, restore)
    return view(database, "creating")


def _spread_zone(cluster: DBCluster) -> str:
    """AWS spreads a cluster's instances over its availability zones; pick the least used one."""
    zones = list(cluster.availability_zones or [f"{cluster.region}a"])
    used = [member.availability_zone for member in cluster._members if status_of(member) != "deleting"]
    return min(zones, key=lambda zone: (used.count(zone), zones.index(zone)))


def modify_db_instance(self: RDSBackend, db_instance_identifier: str, db_kwargs: Any) -> DBInstance:
    database = self.describe_db_instances(db_instance_identifier)[0]
    require_status(database, ("available",), "InvalidDBInstanceState",
                   f"Database instance {database.db_instance_identifier} is not in available state.")
    kwargs = {key: value for key, value in db_kwargs.items() if value is not None}
    kwargs.pop("db_port_number", None)
    _check_scaling(self, database, kwargs)
    changed = False

    pending: dict[str, tuple[str, Any]] = {}
    for parameter, attribute, pending_key in PENDING_FIELDS:
        if parameter in kwargs:
            value = kwargs.pop(parameter)
            if value != getattr(database, attribute, None):
                pending[pending_key] = (attribute, value)
    password = kwargs.pop("master_user_password", None)
    if password is not None:
        pending["MasterUserPassword"] = ("_master_user_password", password)

    insights = {name: kwargs.pop(name) for name in PERFORMANCE_INSIGHTS if name in kwargs}
    exports = kwargs.pop("cloudwatch_logs_export_configuration", None)
    old_group = database.db_parameter_group_name
    for name, value in kwargs.items():
        if name not in NOT_ATTRIBUTES and getattr(database, name, None) != value:
            changed = True
    if kwargs.get("new_db_instance_identifier"):
        changed = True

    old_id = database.db_instance_identifier
    database = original(modify_db_instance)(self, db_instance_identifier, kwargs)  # validates, applies the rest
    changed |= _modify_performance_insights(self, database, insights)
    if exports:
        changed |= _apply_log_exports(database, exports)
    if database.db_instance_identifier != old_id:
        mariadb.rename(old_id, database.db_instance_identifier)
        for snapshot in backups.automated_snapshots(self, old_id):  # automated backups follow the instance
            snapshot.db_instance_identifier = database.db_instance_identifier
    server_id = server_id_of(database)
    if database.db_parameter_group_name != old_group:
        # AWS uses an instance's new parameter group from its next reboot.
        setattr(database, PENDING_REBOOT, True)
        if server_id:
            mariadb.apply_parameters(server_id, instance_parameters(database))
    if not (changed or pending):
        return database

    database._sandbox_pending = {key: ("****" if key == "MasterUserPassword" else value)
                                 for key, (_, value) in pending.items()}
    answer = view(database, "modifying", _sandbox_pending=dict(database._sandbox_pending))

    retention_before = database.backup_retention_period

    def apply_pending() -> None:
        for key, (attribute, value) in pending.items():
            setattr(database, attribute, value)
            if key == "MasterUserPassword" and server_id:
                mariadb.set_master_password(server_id, value)
        if "StorageType" in database._sandbox_pending and database.storage_type == "gp3":
            _finish_gp3(database)
        database._sandbox_pending = {}
        if "BackupRetentionPeriod" in pending:
            backups.retention_changed(self, database, retention_before, database.backup_retention_period)

    begin(database, "modifying", duration("modify"), None, apply_pending)
    return answer


def _check_scaling(backend: RDSBackend, database: DBInstance, kwargs: dict[str, Any]) -> None:
    """Refuse, as AWS does and moto does not, a storage shrink or a growth under 10 %, and an engine version change
    AWS cannot make in place (see ``upgrades``)."""
    if database.db_cluster_identifier is not None:
        return
    if "allocated_storage" in kwargs:
        upgrades.check(upgrades.storage_problem(database.allocated_storage, kwargs["allocated_storage"]))
    target = kwargs.get("engine_version")
    if target and database.engine in upgrades.MAJOR_UPGRADES:
        group = kwargs.get("db_parameter_group_name") or database.db_parameter_group_name
        # An instance on its engine's default group has the default group of its current version's family.
        family = upgrades.group_family(backend.db_parameter_groups, group) or upgrades.family_of(
            database.engine, database.engine_version)
        upgrades.check(upgrades.engine_upgrade_problem(
            database.engine, database.engine_version, target, bool(kwargs.get("allow_major_version_upgrade")),
            family))


def _finish_gp3(database: DBInstance) -> None:
    large = (database.allocated_storage or 0) >= 400
    database.iops = database.iops or (12000 if large else 3000)
    database.storage_throughput = database.storage_throughput or (500 if large else 125)


def _modify_performance_insights(backend: RDSBackend, database: DBInstance, kwargs: dict[str, Any]) -> bool:
    changed = False
    enabled = kwargs.pop("enable_performance_insights", None)
    key_id = kwargs.pop("performance_insights_kms_key_id", None)
    retention = kwargs.pop("performance_insights_retention_period", None)
    if enabled is not None and bool(enabled) != bool(getattr(database, "performance_insights_enabled", False)):
        database.performance_insights_enabled = bool(enabled)
        changed = True
    if getattr(database, "performance_insights_enabled", False):
        if key_id is not None:
            arn = kms_arn(backend, key_id)
            current = getattr(database, "performance_insights_kms_key_id", None)
            if current and current != arn:
                raise InvalidParameterCombination(
                    "You can't change the KMS key of Performance Insights once it is set."
                )
            database.performance_insights_kms_key_id = arn
        elif not getattr(database, "performance_insights_kms_key_id", None):
            database.performance_insights_kms_key_id = aws_managed_key(backend, "rds")
        if retention is not None and retention != getattr(database, "performance_insights_retention_period", None):
            changed = True
        database.performance_insights_retention_period = (
            retention or getattr(database, "performance_insights_retention_period", None) or 7
        )
    return changed


def _apply_log_exports(resource: Any, exports: Any) -> bool:
    """CloudwatchLogsExportConfiguration; AWS applies it at once whatever ApplyImmediately says."""
    current = list(resource.enabled_cloudwatch_logs_exports or [])
    enable = list(exports.get("EnableLogTypes") or exports.get("enable_log_types") or [])
    disable = list(exports.get("DisableLogTypes") or exports.get("disable_log_types") or [])
    updated = [log for log in current if log not in disable] + [log for log in enable if log not in current]
    resource.enabled_cloudwatch_logs_exports = updated
    return updated != current


def reboot_db_instance(self: RDSBackend, db_instance_identifier: str) -> DBInstance:
    database = self.describe_db_instances(db_instance_identifier)[0]
    require_status(database, ("available",), "InvalidDBInstanceState",
                   f"Database instance {database.db_instance_identifier} is not in available state.")
    server_id = server_id_of(database)
    ready = None
    setattr(database, PENDING_REBOOT, False)
    if server_id and database.db_cluster_identifier is None:
        mariadb.restart(server_id)
        ready = server_ready(server_id)
    begin(database, "rebooting", 0, ready, None)
    return view(database, "rebooting")


def stop_db_instance(self: RDSBackend, db_instance_identifier: str,
                     db_snapshot_identifier: str | None = None) -> DBInstance:
    database = original(stop_db_instance)(self, db_instance_identifier, db_snapshot_identifier)
    server_id = server_id_of(database)
    if server_id and database.db_cluster_identifier is None:
        mariadb.halt(server_id)
    return database


def start_db_instance(self: RDSBackend, db_instance_identifier: str) -> DBInstance:
    database = original(start_db_instance)(self, db_instance_identifier)
    server_id = server_id_of(database)
    if server_id and database.db_cluster_identifier is None:
        mariadb.restart(server_id)
        begin(database, "starting", 0, server_ready(server_id), fail_if_server_failed(database, server_id))
        settle_synchronously(database, server_id)
        return view(database, "starting")
    return database


def delete_db_instance(
    self: RDSBackend,
    db_instance_identifier: str,
    final_db_snapshot_identifier: str | None = None,
    skip_final_snapshot: bool | None = False,
    delete_automated_backups: bool | None = True,
    **_: Any,
) -> DBInstance:
    if db_instance_identifier not in self.databases:
        raise DBInstanceNotFoundError(db_instance_identifier)
    database = self.databases[db_instance_identifier]
    if status_of(database) == "deleting":
        raise RDSClientError("InvalidDBInstanceState", f"Instance {database.db_instance_identifier} is already "
                             "being deleted.")
    if database.deletion_protection:
        raise InvalidParameterCombination(
            "Cannot delete protected DB Instance, please disable deletion protection and try again."
        )
    clustered = database.db_cluster_identifier is not None
    if clustered and final_db_snapshot_identifier:
        raise InvalidParameterCombination(
            "FinalDBSnapshotIdentifier can not be specified when deleting a clustered instance"
        )
    if not clustered and not skip_final_snapshot and not final_db_snapshot_identifier:
        raise InvalidParameterCombination(FINAL_SNAPSHOT_REQUIRED)
    final_copy = None
    if not clustered and not skip_final_snapshot:
        final = self.create_db_snapshot(db_instance_identifier, final_db_snapshot_identifier, snapshot_type="manual")
        final_copy = getattr(final, "_sandbox_copied", None)  # the server stops once its data is copied
    if isinstance(database, DBInstanceClustered) and database.is_cluster_writer:
        _fail_over_from(database)
    original(delete_db_instance)(self, db_instance_identifier, None, True, delete_automated_backups)
    # moto forgets the instance at once; AWS shows it ``deleting`` first.
    self.databases[database.db_instance_identifier] = database
    track(database, "rds-db")
    server = getattr(database, "_sandbox_server", None)

    def remove() -> None:
        if self.databases.get(database.db_instance_identifier) is database:
            del self.databases[database.db_instance_identifier]
        if server is not None:
            mariadb.stop(server.resource_id, expected=server)
        CLOCK.forget(clock_key(database))

    begin(database, "deleting", duration("delete"), final_copy.is_set if final_copy else None, remove)
    if final_copy is not None:
        settle_synchronously(database, None)
    return view(database, "deleting")


def _fail_over_from(writer: DBInstanceClustered) -> None:
    writer.is_cluster_writer = False
    candidates = [m for m in writer.cluster._members if m is not writer and status_of(m) != "deleting"]
    if candidates:
        min(candidates, key=lambda member: member.promotion_tier).is_cluster_writer = True


# --- snapshots ----------------------------------------------------------------------------------------------


def create_db_cluster_snapshot(self: RDSBackend, db_cluster_identifier: str, db_cluster_snapshot_identifier: str,
                               snapshot_type: str = "manual", *args: Any, **kwargs: Any) -> DBClusterSnapshot:
    snapshot = original(create_db_cluster_snapshot)(self, db_cluster_identifier, db_cluster_snapshot_identifier,
                                                    snapshot_type, *args, **kwargs)
    if snapshot_type != "manual":
        return snapshot
    track(snapshot, "rds-cluster-snapshot")
    begin(snapshot, "creating", duration("snapshot"), None, None)
    return view(snapshot, "creating")


# --- DB clusters --------------------------------------------------------------------------------------------


def create_db_cluster(self: RDSBackend, kwargs: Any) -> DBCluster:
    engine = kwargs.get("engine")
    if engine in MYSQL_CLUSTER_ENGINES:
        kwargs.pop("port", None)
        if not kwargs.get("db_cluster_parameter_group_name"):
            version = kwargs.get("engine_version") or "8.0"
            kwargs["db_cluster_parameter_group_name"] = f"default.aurora-mysql{version[:3]}"
    if kwargs.get("storage_encrypted"):
        kwargs["kms_key_id"] = kms_arn(self, kwargs.get("kms_key_id")) or aws_managed_key(self, "rds")
    subnet_group = kwargs.get("db_subnet_group_name")
    if subnet_group:
        if subnet_group not in self.subnet_groups:
            raise DBSubnetGroupNotFoundError(subnet_group)
        if not kwargs.get("availability_zones"):
            zones = {subnet.availability_zone for subnet in self.subnet_groups[subnet_group]._subnets}
            kwargs["availability_zones"] = sorted(zones)
    cluster = original(create_db_cluster)(self, kwargs)
    track(cluster, "rds-cluster")
    cluster._sandbox_status = "available"
    ready: Callable[[], bool] | None = None
    on_done = None
    server_id = None
    servers = CLUSTER_SERVERS.get(cluster.engine)
    if cluster.engine in MYSQL_CLUSTER_ENGINES:
        server_id = cluster.db_cluster_identifier
        server = mariadb.start_server(server_id, cluster.engine, cluster.master_username or "admin",
                                      master_password(cluster), cluster.database_name, {})
        cluster._sandbox_server = server
        cluster.port = server.port
        ready, on_done = server_ready(server_id), fail_if_server_failed(cluster, server_id)
    elif servers is not None:
        cluster.port = servers.start(cluster)
        ready = partial(servers.answers, cluster)
    begin(cluster, "creating", duration(CLUSTER_CREATE_KINDS.get(cluster.engine, "rds_instance")), ready, on_done)
    settle_synchronously(cluster, server_id)
    return view(cluster, "creating")


def modify_db_cluster(self: RDSBackend, kwargs: Any) -> DBCluster:
    cluster_id = kwargs["db_cluster_identifier"]
    if cluster_id not in self.clusters:
        raise DBClusterNotFoundError(cluster_id)
    cluster = self.clusters[cluster_id]
    require_status(cluster, ("available",), "InvalidDBClusterStateFault",
                   f"DBCluster {cluster.db_cluster_identifier} is not in the available state.")
    kwargs = {key: value for key, value in kwargs.items() if value is not None}
    kwargs.pop("port", None)
    changed = False
    exports = kwargs.pop("cloudwatch_logs_export_configuration", None)
    if exports:
        changed |= _apply_log_exports(cluster, exports)
    password = kwargs.get("master_user_password")
    attributes = {"db_cluster_parameter_group_name": "parameter_group"}
    for name, value in kwargs.items():
        if name in NOT_ATTRIBUTES or name in ("db_cluster_identifier", "new_db_cluster_identifier"):
            continue
        if getattr(cluster, attributes.get(name, name), None) != value:
            changed = True
    if kwargs.get("new_db_cluster_identifier") or password is not None:
        changed = True
    for name in ("kms_key_id",):
        if name in kwargs:
            kwargs[name] = kms_arn(self, kwargs[name])
    original(modify_db_cluster)(self, kwargs)
    on_done = None
    servers = CLUSTER_SERVERS.get(cluster.engine)
    if password is not None and cluster.engine in MYSQL_CLUSTER_ENGINES:
        mariadb.set_master_password(cluster_id, password)
    elif password is not None and servers is not None:
        if kwargs.get("apply_immediately"):
            servers.set_master_password(cluster, password)
        else:
            # Without ApplyImmediately AWS changes it in the next maintenance window: here, when modifying ends.
            on_done = partial(servers.set_master_password, cluster, password)
    if not changed:
        return cluster
    begin(cluster, "modifying", duration("modify"), None, on_done)
    return view(cluster, "modifying")


def delete_db_cluster(self: RDSBackend, cluster_identifier: str, snapshot_name: str | None = None,
                      skip_final_snapshot: bool | None = None) -> DBCluster:
    if cluster_identifier not in self.clusters:
        raise DBClusterNotFoundError(cluster_identifier)
    cluster = self.clusters[cluster_identifier]
    if status_of(cluster) == "deleting":
        raise RDSClientError("InvalidDBClusterStateFault", f"Cluster {cluster_identifier} is already being deleted.")
    if cluster.deletion_protection:
        raise InvalidParameterCombination(
            "Cannot delete protected Cluster, please disable deletion protection and try again."
        )
    if [member for member in cluster._members if status_of(member) != "deleting"]:
        raise DBClusterToBeDeletedHasActiveMembers()
    if skip_final_snapshot is not None and not skip_final_snapshot and not snapshot_name:
        raise InvalidParameterCombination(FINAL_SNAPSHOT_REQUIRED)
    if skip_final_snapshot:
        snapshot_name = None
    global_id = cluster.global_cluster_identifier or ""
    if global_id in self.global_clusters:
        self.remove_from_global_cluster(global_id, cluster_identifier)
    if cluster.manage_master_user_password:
        cluster.master_user_secret.delete_secret()
    if snapshot_name:
        self.create_db_cluster_snapshot(cluster_identifier, snapshot_name)
    track(cluster, "rds-cluster")
    server = getattr(cluster, "_sandbox_server", None)
    servers = CLUSTER_SERVERS.get(cluster.engine)
    identifier = cluster.db_cluster_identifier

    def remove() -> None:
        if self.clusters.get(identifier) is cluster:
            del self.clusters[identifier]
        for name, snapshot in list(self.cluster_snapshots.items()):
            if snapshot.snapshot_type == "automated" and snapshot.db_cluster_identifier == identifier:
                del self.cluster_snapshots[name]
        if server is not None:
            mariadb.stop(server.resource_id, expected=server)
        if servers is not None:
            servers.stop(cluster)
        CLOCK.forget(clock_key(cluster))

    begin(cluster, "deleting", duration("delete"), None, remove)
    return view(cluster, "deleting")
