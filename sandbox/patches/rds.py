"""RDS: simulated time, real MariaDB endpoints, and what moto gets wrong for amazon.aws.rds_instance.

* Instances, clusters and snapshots pass through ``creating``/``modifying``/``deleting`` for the
  scaled AWS durations of ``sandbox.lifecycle`` (and until their MariaDB answers); deleted resources
  stay visible as ``deleting`` and then disappear, as on AWS.
* MySQL/MariaDB instances and Aurora MySQL clusters get a real MariaDB (``sandbox.dataplane.mariadb``)
  and report it as their endpoint; master password and parameter group changes reach the server.
* Describe output carries the fields amazon.aws compares for idempotence (Performance Insights, gp3
  IOPS/throughput, pending modifications, subnet group, a unique DbiResourceId, engine default parameters).

At time scale 0 a create call returns only once its server answers (still reporting ``creating``):
clients then see ``available`` on their first describe instead of sleeping through a waiter delay.
Modifications apply after the simulated ``modify`` time whatever ApplyImmediately says; the port of a
MariaDB-backed instance is the port its server listens on (DBPortNumber/Port are not honoured).
"""

from __future__ import annotations

import copy
import datetime
import json
import random
import re
import string
import threading
import time
import uuid
from collections.abc import Callable, Hashable
from typing import Any

from moto.ec2.models import ec2_backends
from moto.rds import utils as rds_utils
from moto.rds.exceptions import (
    DBClusterNotFoundError,
    DBClusterToBeDeletedHasActiveMembers,
    DBInstanceNotFoundError,
    DBParameterGroupNotFoundError,
    DBSubnetGroupNotFoundError,
    InvalidParameterCombination,
    InvalidParameterValue,
    RDSClientError,
)
from moto.rds.models import (
    DBCluster,
    DBClusterSnapshot,
    DBInstance,
    DBInstanceClustered,
    DBParameterGroup,
    DBSnapshot,
    RDSBackend,
)
from moto.rds.responses import RDSResponse

from sandbox.dataplane import mariadb
from sandbox.lifecycle import CLOCK, duration, time_scale

# One lock for all RDS state: background transitions mutate the backends that request threads iterate.
LOCK = threading.RLock()
SYNC_START_TIMEOUT = 60.0
DEFAULT_CA = "rds-ca-rsa2048-g1"
FINAL_SNAPSHOT_REQUIRED = "FinalDBSnapshotIdentifier is required unless SkipFinalSnapshot is specified."

MYSQL_ENGINES = ("mysql", "mariadb")
MYSQL_CLUSTER_ENGINES = ("aurora-mysql", "aurora")

# Engine-specific hooks other patch modules (docdb) register.
INSTANCE_ENDPOINTS: dict[str, Callable[[DBInstance], dict[str, Any]]] = {}
CLUSTER_ENDPOINTS: dict[str, Callable[[DBCluster], tuple[str, str]]] = {}
CREATE_KINDS: dict[str, str] = {}
CLUSTER_CREATE_KINDS: dict[str, str] = {}
PARAMETER_CATALOGS: dict[str, list[dict[str, Any]]] = {}  # family prefix -> engine default parameters
CLUSTER_PARAMETER_CATALOGS: dict[str, list[dict[str, Any]]] = {}

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

_ORIGINAL: dict[str, Callable[..., Any]] = {}
_AFTER_ACTION = threading.local()


# --- lifecycle plumbing -------------------------------------------------------------------------------


def _key(obj: Any) -> Hashable | None:
    return getattr(obj, "_sandbox_key", None)


def _track(obj: Any, kind: str) -> None:
    if _key(obj) is None:
        obj._sandbox_key = (kind, uuid.uuid4().hex)


def _begin(obj: Any, status: str, seconds: float, ready: Callable[[], bool] | None = None,
           on_done: Callable[[], None] | None = None) -> None:
    def locked_done() -> None:
        with LOCK:
            if on_done is not None:
                on_done()

    CLOCK.begin(_key(obj), status, seconds, ready, locked_done)


def _status(obj: Any) -> str:
    return obj.status


def _view(obj: Any, status: str, **attributes: Any) -> Any:
    """A frozen copy for a response: AWS answers create/modify/delete with the transitional status."""
    view = copy.copy(obj)
    view._sandbox_key = None
    view._sandbox_status = status
    for name, value in attributes.items():
        setattr(view, name, value)
    return view


def _install_status(cls: type) -> None:
    def getter(self: Any) -> str:
        return CLOCK.status(_key(self), getattr(self, "_sandbox_status", "available"))

    def setter(self: Any, value: str) -> None:
        self._sandbox_status = value

    cls.status = property(getter, setter)


def _after_action(callback: Callable[[], None]) -> None:
    """Run ``callback`` once the current RDS request has released LOCK (used to wait for servers)."""
    callbacks = getattr(_AFTER_ACTION, "callbacks", None)
    if callbacks is None:
        callback()
    else:
        callbacks.append(callback)


def _call_action(self: RDSResponse) -> Any:
    _AFTER_ACTION.callbacks = []
    try:
        with LOCK:
            result = _ORIGINAL["call_action"](self)
        for callback in _AFTER_ACTION.callbacks:
            callback()
    finally:
        _AFTER_ACTION.callbacks = None
    return result


def _settle_synchronously(obj: Any, server_id: str | None) -> None:
    """At time scale 0, hold the response until the resource's server answers and its transition ended."""
    if time_scale() > 0:
        return
    key = _key(obj)

    def wait() -> None:
        if server_id is not None:
            mariadb.wait_ready(server_id, SYNC_START_TIMEOUT)
        deadline = time.monotonic() + 2.0
        while CLOCK.pending(key) and time.monotonic() < deadline:
            time.sleep(0.02)

    _after_action(wait)


def _server_ready(server_id: str) -> Callable[[], bool]:
    return lambda: mariadb.state(server_id) != mariadb.STARTING


def _fail_if_server_failed(obj: Any, server_id: str) -> Callable[[], None]:
    def done() -> None:
        if mariadb.state(server_id) == mariadb.FAILED:
            obj._sandbox_status = "failed"

    return done


def _require_status(obj: Any, allowed: tuple[str, ...], code: str, message: str) -> None:
    if _status(obj) not in allowed:
        raise RDSClientError(code, message)


def _random_suffix(length: int, alphabet: str = string.ascii_uppercase + string.digits) -> str:
    return "".join(random.choice(alphabet) for _ in range(length))


def _kms_arn(backend: RDSBackend, key_id: str | None) -> str | None:
    """AWS reports KMS keys as ARNs whatever form the request used; unknown keys fail like AWS."""
    if not key_id:
        return None
    if key_id.startswith("alias/") or ":alias/" in key_id:
        try:
            return backend.kms.describe_key(key_id).arn
        except Exception:
            return key_id
    return backend._validate_kms_key(key_id)


def _aws_managed_key(backend: RDSBackend, service: str) -> str:
    """The ARN of the AWS managed key (aws/rds), which AWS uses when no customer key is given."""
    key = uuid.uuid5(uuid.NAMESPACE_URL, f"{backend.account_id}/{backend.region_name}/aws/{service}")
    return f"arn:aws:kms:{backend.region_name}:{backend.account_id}:key/{key}"


# --- parameters -----------------------------------------------------------------------------------------


def _catalog(family: str | None, catalogs: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]] | None:
    if not family:
        return None
    for prefix in sorted(catalogs, key=len, reverse=True):
        if family.startswith(prefix):
            return catalogs[prefix]
    return None


def merged_parameters(group: Any, catalogs: dict[str, list[dict[str, Any]]], family: str | None) -> list[
    dict[str, Any]
]:
    """A parameter group's parameters as AWS describes them: engine defaults overlaid with the user's values."""
    user = {name: dict(values) for name, values in group.parameters.items()}
    result = []
    catalog = _catalog(family, catalogs) or []
    for default in catalog:
        entry = dict(default)
        if entry["ParameterName"] in user:
            values = user.pop(entry["ParameterName"])
            entry["ParameterValue"] = values.get("ParameterValue")
            entry["ApplyMethod"] = values.get("ApplyMethod", entry.get("ApplyMethod", "pending-reboot"))
            entry["Source"] = "user"
        result.append(entry)
    for name, values in user.items():
        result.append({
            "ParameterName": name, "ParameterValue": values.get("ParameterValue"), "Source": "user",
            "ApplyType": "dynamic", "DataType": "string", "IsModifiable": True,
            "ApplyMethod": values.get("ApplyMethod", "pending-reboot"),
        })
    return result


def validate_parameters(group_name: str, family: str | None, parameters: list[dict[str, Any]],
                        catalogs: dict[str, list[dict[str, Any]]]) -> None:
    """Reject unknown and unmodifiable parameters as AWS does (only for families with a known catalog)."""
    catalog = _catalog(family, catalogs)
    if catalog is None:
        return
    known = {entry["ParameterName"]: entry for entry in catalog}
    for parameter in parameters:
        name = parameter.get("ParameterName")
        if name not in known:
            raise InvalidParameterValue(f"Could not find parameter with name: {name}")
        if not known[name].get("IsModifiable", True):
            raise InvalidParameterValue(f"The parameter {name} cannot be modified.")
        value, allowed = parameter.get("ParameterValue"), known[name].get("AllowedValues")
        checkable = allowed and known[name].get("DataType") != "list"
        if value is not None and checkable and not _allowed(str(value), allowed):
            raise InvalidParameterValue(f"Value: {value} is not valid for parameter {name}")
        if parameter.get("ApplyMethod") == "immediate" and known[name].get("ApplyType") == "static":
            raise InvalidParameterCombination(
                f"cannot use immediate apply method for static parameter {name} in group {group_name}"
            )


def _allowed(value: str, allowed: str) -> bool:
    """Whether ``value`` fits AllowedValues: a numeric range (``1-100``) or a comma-separated list."""
    if "{" in value:
        return True  # a formula such as {DBInstanceClassMemory/12582880}
    bounds = re.fullmatch(r"(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)", allowed)
    if bounds:
        try:
            return float(bounds.group(1)) <= float(value) <= float(bounds.group(2))
        except ValueError:
            return False
    return value in allowed.split(",")


def _instance_parameters(database: DBInstance) -> dict[str, str]:
    """The values the instance's parameter group sets (user values only: engine defaults are MariaDB's own)."""
    groups = database.db_parameter_groups()
    if not groups:
        return {}
    return {name: values.get("ParameterValue") for name, values in groups[0].parameters.items()
            if values.get("ParameterValue") is not None}


# --- DB instances --------------------------------------------------------------------------------------


def _server_id(database: DBInstance) -> str | None:
    """The MariaDB behind an instance: its own, or its Aurora MySQL cluster's."""
    if database.engine in MYSQL_ENGINES and database.db_cluster_identifier is None:
        return database.db_instance_identifier
    if database.engine in MYSQL_CLUSTER_ENGINES and database.db_cluster_identifier:
        return database.db_cluster_identifier
    return None


def _instance_endpoint(self: DBInstance) -> dict[str, Any]:
    resolver = INSTANCE_ENDPOINTS.get(self.engine)
    if resolver is not None:
        return resolver(self)
    server_id = _server_id(self)
    server = mariadb.get(server_id) if server_id else None
    if server is not None:
        return {"Address": server.describe()["host"], "Port": server.port, "HostedZoneId": "Z2R2ITUGPM61AM"}
    return {"Address": _ORIGINAL["address"].fget(self), "Port": self.port, "HostedZoneId": "Z2R2ITUGPM61AM"}


def _instance_address(self: DBInstance) -> str:
    return _instance_endpoint(self)["Address"]


def _instance_port(self: DBInstance) -> int | None:
    return _instance_endpoint(self)["Port"]


def _pending_modified_values(self: DBInstance) -> dict[str, Any]:
    return dict(getattr(self, "_sandbox_pending", {}))


def _certificate_details(self: DBInstance) -> dict[str, Any]:
    return {"CAIdentifier": self.ca_certificate_identifier,
            "ValidTill": datetime.datetime(2061, 5, 21, tzinfo=datetime.UTC)}


def _default_subnet_group(backend: RDSBackend) -> str:
    """AWS places an instance without a subnet group in the default VPC's ``default`` group."""
    if "default" not in backend.subnet_groups:
        ec2 = ec2_backends[backend.account_id][backend.region_name]
        vpc = ec2.default_vpc
        subnets = ec2.describe_subnets(filters={"vpc-id": [vpc.id]}) if vpc is not None else []
        backend.create_subnet_group("default", "default", list(subnets), [])
    return "default"


def _prepare_instance_kwargs(backend: RDSBackend, kwargs: Any) -> None:
    if not kwargs.get("ca_certificate_identifier"):
        kwargs["ca_certificate_identifier"] = DEFAULT_CA
    if kwargs.get("publicly_accessible") is None:
        kwargs["publicly_accessible"] = False
    if kwargs.get("db_cluster_identifier") is None:
        if not kwargs.get("db_subnet_group_name"):
            kwargs["db_subnet_group_name"] = _default_subnet_group(backend)
        if kwargs.get("storage_encrypted"):
            kwargs["kms_key_id"] = _kms_arn(backend, kwargs.get("kms_key_id")) or _aws_managed_key(backend, "rds")
    kwargs.pop("port", None)


def _finish_instance(backend: RDSBackend, database: DBInstance, kwargs: Any) -> None:
    """Fill what moto leaves out and AWS reports."""
    database.dbi_resource_id = "db-" + _random_suffix(26)
    pi_enabled = bool(kwargs.get("enable_performance_insights"))
    database.performance_insights_enabled = pi_enabled
    if pi_enabled:
        database.performance_insights_kms_key_id = (
            _kms_arn(backend, kwargs.get("performance_insights_kms_key_id")) or _aws_managed_key(backend, "rds")
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


def _master_password(database: DBInstance | DBCluster) -> str:
    secret = getattr(database, "master_user_secret", None)
    if secret is not None:
        return json.loads(secret.secret.secret_string)["password"]
    return getattr(database, "_master_user_password", None) or ""


def _start_instance_lifecycle(backend: RDSBackend, database: DBInstance, kind: str) -> None:
    _track(database, "rds-db")
    server_id = _server_id(database)
    ready = on_done = None
    if server_id is not None and database.db_cluster_identifier is None:
        server = mariadb.start_server(
            server_id, database.engine, database.master_username or "admin", _master_password(database),
            database.db_name, _instance_parameters(database),
        )
        database._sandbox_server = server
    if server_id is not None:
        ready, on_done = _server_ready(server_id), _fail_if_server_failed(database, server_id)
    _begin(database, "creating", duration(CREATE_KINDS.get(database.engine, kind)), ready, on_done)
    _settle_synchronously(database, server_id)


def create_db_instance(self: RDSBackend, db_kwargs: Any) -> DBInstance:
    _prepare_instance_kwargs(self, db_kwargs)
    cluster_id = db_kwargs.get("db_cluster_identifier")
    if cluster_id and not db_kwargs.get("availability_zone") and cluster_id in self.clusters:
        db_kwargs["availability_zone"] = _spread_zone(self.clusters[cluster_id])
    database = _ORIGINAL["create_db_instance"](self, db_kwargs)
    _finish_instance(self, database, db_kwargs)
    kind = "rds_instance_multi_az" if database.multi_az else "rds_instance"
    _start_instance_lifecycle(self, database, kind)
    return _view(database, "creating")


def create_db_instance_read_replica(self: RDSBackend, db_kwargs: Any) -> DBInstance:
    db_kwargs.pop("port", None)
    replica = _ORIGINAL["create_db_instance_read_replica"](self, db_kwargs)
    # moto copies the primary object: give the replica its own identity, lists and transition.
    replica._sandbox_key = None
    replica.__dict__.pop("_sandbox_server", None)
    replica.tags = list(db_kwargs.get("tags") or [])
    replica.enabled_cloudwatch_logs_exports = list(replica.enabled_cloudwatch_logs_exports)
    replica.vpc_security_group_ids = list(replica.vpc_security_group_ids)
    replica.dbi_resource_id = "db-" + _random_suffix(26)
    replica._sandbox_pending = {}
    replica._sandbox_status = "available"
    _start_instance_lifecycle(self, replica, "rds_read_replica")
    return _view(replica, "creating")


def _spread_zone(cluster: DBCluster) -> str:
    """AWS spreads a cluster's instances over its availability zones; pick the least used one."""
    zones = list(cluster.availability_zones or [f"{cluster.region}a"])
    used = [member.availability_zone for member in cluster._members if _status(member) != "deleting"]
    return min(zones, key=lambda zone: (used.count(zone), zones.index(zone)))


def modify_db_instance(self: RDSBackend, db_instance_identifier: str, db_kwargs: Any) -> DBInstance:
    database = self.describe_db_instances(db_instance_identifier)[0]
    _require_status(database, ("available",), "InvalidDBInstanceState",
                    f"Database instance {database.db_instance_identifier} is not in available state.")
    kwargs = {key: value for key, value in db_kwargs.items() if value is not None}
    kwargs.pop("db_port_number", None)
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
    database = _ORIGINAL["modify_db_instance"](self, db_instance_identifier, kwargs)  # validates, applies the rest
    changed |= _modify_performance_insights(self, database, insights)
    if exports:
        changed |= _apply_log_exports(database, exports)
    if database.db_instance_identifier != old_id:
        mariadb.rename(old_id, database.db_instance_identifier)
    server_id = _server_id(database)
    if server_id and database.db_parameter_group_name != old_group:
        mariadb.apply_parameters(server_id, _instance_parameters(database))
    if not (changed or pending):
        return database

    database._sandbox_pending = {key: ("****" if key == "MasterUserPassword" else value)
                                 for key, (_, value) in pending.items()}
    view = _view(database, "modifying", _sandbox_pending=dict(database._sandbox_pending))

    def apply_pending() -> None:
        for key, (attribute, value) in pending.items():
            setattr(database, attribute, value)
            if key == "MasterUserPassword" and server_id:
                mariadb.set_master_password(server_id, value)
        if "StorageType" in database._sandbox_pending and database.storage_type == "gp3":
            _finish_gp3(database)
        database._sandbox_pending = {}

    _begin(database, "modifying", duration("modify"), None, apply_pending)
    return view


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
            arn = _kms_arn(backend, key_id)
            current = getattr(database, "performance_insights_kms_key_id", None)
            if current and current != arn:
                raise InvalidParameterCombination(
                    "You can't change the KMS key of Performance Insights once it is set."
                )
            database.performance_insights_kms_key_id = arn
        elif not getattr(database, "performance_insights_kms_key_id", None):
            database.performance_insights_kms_key_id = _aws_managed_key(backend, "rds")
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
    _require_status(database, ("available",), "InvalidDBInstanceState",
                    f"Database instance {database.db_instance_identifier} is not in available state.")
    server_id = _server_id(database)
    ready = None
    if server_id and database.db_cluster_identifier is None:
        mariadb.restart(server_id)
        ready = _server_ready(server_id)
    _begin(database, "rebooting", 0, ready, None)
    return _view(database, "rebooting")


def stop_db_instance(self: RDSBackend, db_instance_identifier: str,
                     db_snapshot_identifier: str | None = None) -> DBInstance:
    database = _ORIGINAL["stop_db_instance"](self, db_instance_identifier, db_snapshot_identifier)
    server_id = _server_id(database)
    if server_id and database.db_cluster_identifier is None:
        mariadb.halt(server_id)
    return database


def start_db_instance(self: RDSBackend, db_instance_identifier: str) -> DBInstance:
    database = _ORIGINAL["start_db_instance"](self, db_instance_identifier)
    server_id = _server_id(database)
    if server_id and database.db_cluster_identifier is None:
        mariadb.restart(server_id)
        _begin(database, "starting", 0, _server_ready(server_id), _fail_if_server_failed(database, server_id))
        _settle_synchronously(database, server_id)
        return _view(database, "starting")
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
    if _status(database) == "deleting":
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
    if not clustered and not skip_final_snapshot:
        self.create_db_snapshot(db_instance_identifier, final_db_snapshot_identifier, snapshot_type="manual")
    if isinstance(database, DBInstanceClustered) and database.is_cluster_writer:
        _fail_over_from(database)
    _ORIGINAL["delete_db_instance"](self, db_instance_identifier, None, True, delete_automated_backups)
    # moto forgets the instance at once; AWS shows it ``deleting`` first.
    self.databases[database.db_instance_identifier] = database
    _track(database, "rds-db")
    server = getattr(database, "_sandbox_server", None)

    def remove() -> None:
        if self.databases.get(database.db_instance_identifier) is database:
            del self.databases[database.db_instance_identifier]
        if server is not None:
            mariadb.stop(server.resource_id, expected=server)
        CLOCK.forget(_key(database))

    _begin(database, "deleting", duration("delete"), None, remove)
    return _view(database, "deleting")


def _fail_over_from(writer: DBInstanceClustered) -> None:
    writer.is_cluster_writer = False
    candidates = [m for m in writer.cluster._members if m is not writer and _status(m) != "deleting"]
    if candidates:
        min(candidates, key=lambda member: member.promotion_tier).is_cluster_writer = True


def _designate_writer(self: DBCluster) -> None:
    if self.writer or not self._members:
        return
    candidates = [m for m in self._members if _status(m) != "deleting"] or self._members
    min(candidates, key=lambda member: member.promotion_tier).is_cluster_writer = True


# --- snapshots ------------------------------------------------------------------------------------------


def create_db_snapshot(self: RDSBackend, db_instance_identifier: str, db_snapshot_identifier: str,
                       snapshot_type: str = "manual", *args: Any, **kwargs: Any) -> DBSnapshot:
    snapshot = _ORIGINAL["create_db_snapshot"](self, db_instance_identifier, db_snapshot_identifier, snapshot_type,
                                               *args, **kwargs)
    if snapshot_type != "manual":
        return snapshot
    _track(snapshot, "rds-snapshot")
    _begin(snapshot, "creating", duration("snapshot"), None, None)
    return _view(snapshot, "creating")


def create_db_cluster_snapshot(self: RDSBackend, db_cluster_identifier: str, db_cluster_snapshot_identifier: str,
                               snapshot_type: str = "manual", *args: Any, **kwargs: Any) -> DBClusterSnapshot:
    snapshot = _ORIGINAL["create_db_cluster_snapshot"](self, db_cluster_identifier, db_cluster_snapshot_identifier,
                                                       snapshot_type, *args, **kwargs)
    if snapshot_type != "manual":
        return snapshot
    _track(snapshot, "rds-cluster-snapshot")
    _begin(snapshot, "creating", duration("snapshot"), None, None)
    return _view(snapshot, "creating")


def _snapshot_progress(self: Any) -> int:
    return 0 if _status(self) == "creating" else 100


def response_create_db_snapshot(self: RDSResponse) -> Any:
    identifier = self.params.get("DBInstanceIdentifier")
    if identifier in self.backend.databases:
        database = self.backend.databases[identifier]
        _require_status(database, ("available",), "InvalidDBInstanceState",
                        "Cannot create a snapshot because the database instance "
                        f"{database.db_instance_identifier} is not currently in the available state.")
    return _ORIGINAL["response_create_db_snapshot"](self)


def response_create_db_cluster_snapshot(self: RDSResponse) -> Any:
    identifier = self.params.get("DBClusterIdentifier")
    if identifier in self.backend.clusters:
        _require_status(self.backend.clusters[identifier], ("available",), "InvalidDBClusterStateFault",
                        f"DBCluster {identifier} is not in the available state.")
    return _ORIGINAL["response_create_db_cluster_snapshot"](self)


# --- DB clusters ----------------------------------------------------------------------------------------


def _cluster_endpoint(self: DBCluster) -> str:
    resolver = CLUSTER_ENDPOINTS.get(self.engine)
    if resolver is not None:
        return resolver(self)[0]
    if self.engine in MYSQL_CLUSTER_ENGINES and mariadb.get(self.db_cluster_identifier) is not None:
        return "127.0.0.1"
    return _ORIGINAL["cluster_endpoint"].fget(self)


def _cluster_reader_endpoint(self: DBCluster) -> str:
    resolver = CLUSTER_ENDPOINTS.get(self.engine)
    if resolver is not None:
        return resolver(self)[1]
    if self.engine in MYSQL_CLUSTER_ENGINES and mariadb.get(self.db_cluster_identifier) is not None:
        return "127.0.0.1"
    return _ORIGINAL["cluster_reader_endpoint"].fget(self)


def create_db_cluster(self: RDSBackend, kwargs: Any) -> DBCluster:
    engine = kwargs.get("engine")
    if engine in MYSQL_CLUSTER_ENGINES:
        kwargs.pop("port", None)
        if not kwargs.get("db_cluster_parameter_group_name"):
            version = kwargs.get("engine_version") or "8.0"
            kwargs["db_cluster_parameter_group_name"] = f"default.aurora-mysql{version[:3]}"
    if kwargs.get("storage_encrypted"):
        kwargs["kms_key_id"] = _kms_arn(self, kwargs.get("kms_key_id")) or _aws_managed_key(self, "rds")
    subnet_group = kwargs.get("db_subnet_group_name")
    if subnet_group:
        if subnet_group not in self.subnet_groups:
            raise DBSubnetGroupNotFoundError(subnet_group)
        if not kwargs.get("availability_zones"):
            zones = {subnet.availability_zone for subnet in self.subnet_groups[subnet_group]._subnets}
            kwargs["availability_zones"] = sorted(zones)
    cluster = _ORIGINAL["create_db_cluster"](self, kwargs)
    _track(cluster, "rds-cluster")
    cluster._sandbox_status = "available"
    ready = on_done = None
    server_id = None
    if cluster.engine in MYSQL_CLUSTER_ENGINES:
        server_id = cluster.db_cluster_identifier
        server = mariadb.start_server(server_id, cluster.engine, cluster.master_username or "admin",
                                      _master_password(cluster), cluster.database_name, {})
        cluster._sandbox_server = server
        cluster.port = server.port
        ready, on_done = _server_ready(server_id), _fail_if_server_failed(cluster, server_id)
    _begin(cluster, "creating", duration(CLUSTER_CREATE_KINDS.get(cluster.engine, "rds_instance")), ready, on_done)
    _settle_synchronously(cluster, server_id)
    return _view(cluster, "creating")


def modify_db_cluster(self: RDSBackend, kwargs: Any) -> DBCluster:
    cluster_id = kwargs["db_cluster_identifier"]
    if cluster_id not in self.clusters:
        raise DBClusterNotFoundError(cluster_id)
    cluster = self.clusters[cluster_id]
    _require_status(cluster, ("available",), "InvalidDBClusterStateFault",
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
            kwargs[name] = _kms_arn(self, kwargs[name])
    _ORIGINAL["modify_db_cluster"](self, kwargs)
    if password is not None and cluster.engine in MYSQL_CLUSTER_ENGINES:
        mariadb.set_master_password(cluster_id, password)
    if not changed:
        return cluster
    _begin(cluster, "modifying", duration("modify"), None, None)
    return _view(cluster, "modifying")


def delete_db_cluster(self: RDSBackend, cluster_identifier: str, snapshot_name: str | None = None,
                      skip_final_snapshot: bool | None = None) -> DBCluster:
    if cluster_identifier not in self.clusters:
        raise DBClusterNotFoundError(cluster_identifier)
    cluster = self.clusters[cluster_identifier]
    if _status(cluster) == "deleting":
        raise RDSClientError("InvalidDBClusterStateFault", f"Cluster {cluster_identifier} is already being deleted.")
    if cluster.deletion_protection:
        raise InvalidParameterCombination(
            "Cannot delete protected Cluster, please disable deletion protection and try again."
        )
    if [member for member in cluster._members if _status(member) != "deleting"]:
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
    _track(cluster, "rds-cluster")
    server = getattr(cluster, "_sandbox_server", None)
    identifier = cluster.db_cluster_identifier

    def remove() -> None:
        if self.clusters.get(identifier) is cluster:
            del self.clusters[identifier]
        for name, snapshot in list(self.cluster_snapshots.items()):
            if snapshot.snapshot_type == "automated" and snapshot.db_cluster_identifier == identifier:
                del self.cluster_snapshots[name]
        if server is not None:
            mariadb.stop(server.resource_id, expected=server)
        CLOCK.forget(_key(cluster))

    _begin(cluster, "deleting", duration("delete"), None, remove)
    return _view(cluster, "deleting")


def response_delete_db_cluster(self: RDSResponse) -> Any:
    from moto.core.responses import ActionResult

    snapshot = self.params.get("FinalDBSnapshotIdentifier")
    if snapshot is not None:
        self.backend.validate_db_snapshot_identifier(snapshot, parameter_name="FinalDBSnapshotIdentifier")
    cluster = self.backend.delete_db_cluster(
        cluster_identifier=self.params.get("DBClusterIdentifier"),
        snapshot_name=snapshot,
        skip_final_snapshot=bool(self.params.get("SkipFinalSnapshot", False)),
    )
    return ActionResult({"DBCluster": cluster})


# --- parameter groups -----------------------------------------------------------------------------------


def response_describe_db_parameters(self: RDSResponse) -> Any:
    from moto.core.responses import ActionResult

    name = self.params.get("DBParameterGroupName")
    groups = self.backend.describe_db_parameter_groups({"db_parameter_group_name": name})
    parameters = merged_parameters(groups[0], PARAMETER_CATALOGS, groups[0].family)
    source = self.params.get("Source")
    if source:
        parameters = [p for p in parameters if p.get("Source") == source]
    return ActionResult({"Parameters": parameters})


def response_describe_engine_default_parameters(self: RDSResponse) -> Any:
    from moto.core.responses import ActionResult

    family = self.params.get("DBParameterGroupFamily")
    catalog = _catalog(family, PARAMETER_CATALOGS) or []
    return ActionResult({"EngineDefaults": {"DBParameterGroupFamily": family, "Parameters": catalog}})


def _default_parameter_group(backend: RDSBackend, name: str) -> DBParameterGroup:
    family = name[len("default."):]
    group = DBParameterGroup(backend=backend, db_parameter_group_name=name, db_parameter_group_family=family,
                             description=f"Default parameter group for {family}", tags=[])
    backend.db_parameter_groups[name] = group
    return group


def describe_db_parameter_groups(self: RDSBackend, db_parameter_group_kwargs: Any) -> list[DBParameterGroup]:
    """A named group that does not exist is DBParameterGroupNotFound (moto answers an empty list)."""
    name = db_parameter_group_kwargs.get("db_parameter_group_name")
    groups = _ORIGINAL["describe_db_parameter_groups"](self, db_parameter_group_kwargs)
    if name and not groups:
        if name.lower().startswith("default."):
            return [_default_parameter_group(self, name.lower())]
        raise DBParameterGroupNotFoundError(name)
    return groups


def modify_db_parameter_group(self: RDSBackend, db_parameter_group_name: str,
                              db_parameter_group_parameters: Any) -> DBParameterGroup:
    if db_parameter_group_name not in self.db_parameter_groups:
        raise DBParameterGroupNotFoundError(db_parameter_group_name)
    group = self.db_parameter_groups[db_parameter_group_name]
    parameters = list(db_parameter_group_parameters)
    if group.name.startswith("default."):
        raise InvalidParameterValue(f"Default parameter groups cannot be modified: {group.name}")
    validate_parameters(group.name, group.family, parameters, PARAMETER_CATALOGS)
    group = _ORIGINAL["modify_db_parameter_group"](self, db_parameter_group_name, parameters)
    for database in list(self.databases.values()):
        server_id = _server_id(database)
        if server_id and (database.db_parameter_group_name or "").lower() == group.name:
            mariadb.apply_parameters(server_id, _instance_parameters(database))
    return group


def response_reset_db_parameter_group(self: RDSResponse) -> Any:
    from moto.core.responses import ActionResult

    name = self.params.get("DBParameterGroupName")
    if name not in self.backend.db_parameter_groups:
        raise DBParameterGroupNotFoundError(name)
    group = self.backend.db_parameter_groups[name]
    if self.params.get("ResetAllParameters"):
        group.parameters.clear()
    for parameter in self.params.get("Parameters") or []:
        group.parameters.pop(parameter.get("ParameterName"), None)
    for database in list(self.backend.databases.values()):
        server_id = _server_id(database)
        if server_id and (database.db_parameter_group_name or "").lower() == group.name:
            mariadb.apply_parameters(server_id, _instance_parameters(database))
    return ActionResult({"DBParameterGroupName": group.name})


# --- the MySQL 8.0 engine defaults ----------------------------------------------------------------------

_CHARSETS = ("big5,dec8,cp850,hp8,koi8r,latin1,latin2,swe7,ascii,ujis,sjis,hebrew,tis620,euckr,koi8u,gb2312,greek,"
             "cp1250,gbk,latin5,armscii8,utf8,ucs2,cp866,keybcs2,macce,macroman,cp852,latin7,utf8mb4,cp1251,utf16,"
             "cp1256,cp1257,utf32,binary,geostd8,cp932,eucjpms")
_ISOLATION = "READ-UNCOMMITTED,READ-COMMITTED,REPEATABLE-READ,SERIALIZABLE"
_SQL_MODES = ("ALLOW_INVALID_DATES,ANSI_QUOTES,ERROR_FOR_DIVISION_BY_ZERO,HIGH_NOT_PRECEDENCE,IGNORE_SPACE,"
              "NO_AUTO_VALUE_ON_ZERO,NO_BACKSLASH_ESCAPES,NO_DIR_IN_CREATE,NO_ENGINE_SUBSTITUTION,NO_UNSIGNED_SUBTRACTION,"
              "NO_ZERO_DATE,NO_ZERO_IN_DATE,ONLY_FULL_GROUP_BY,PAD_CHAR_TO_FULL_LENGTH,PIPES_AS_CONCAT,REAL_AS_FLOAT,"
              "STRICT_ALL_TABLES,STRICT_TRANS_TABLES,TIME_TRUNCATE_FRACTIONAL")

# (name, data type, apply type, allowed values, modifiable, value (None: engine default unset), source, description)
_MYSQL80 = (
    ("autocommit", "boolean", "dynamic", "0,1", True, None, "Sets the autocommit mode."),
    ("binlog_format", "string", "dynamic", "ROW,STATEMENT,MIXED", True, None, "Binary logging format."),
    ("character_set_client", "string", "dynamic", _CHARSETS, True, None, "The character set for statements."),
    ("character_set_connection", "string", "dynamic", _CHARSETS, True, None,
     "The character set used for literals that do not have a character set introducer."),
    ("character_set_database", "string", "dynamic", _CHARSETS, True, None,
     "The character set of the default database."),
    ("character_set_filesystem", "string", "dynamic", _CHARSETS, True, None, "The file system character set."),
    ("character_set_results", "string", "dynamic", _CHARSETS, True, None,
     "The character set used for returning query results to the client."),
    ("character_set_server", "string", "dynamic", _CHARSETS, True, None, "The server's default character set."),
    ("collation_connection", "string", "dynamic", None, True, None, "The collation of the connection."),
    ("collation_server", "string", "dynamic", None, True, None, "The server's default collation."),
    ("default_authentication_plugin", "string", "static", "mysql_native_password,sha256_password,"
     "caching_sha2_password", True, "mysql_native_password", "The default authentication plugin."),
    ("event_scheduler", "string", "dynamic", "ON,OFF", True, None, "Whether the Event Scheduler is enabled."),
    ("explicit_defaults_for_timestamp", "boolean", "dynamic", "0,1", True, None,
     "Whether TIMESTAMP columns get nonstandard default values."),
    ("general_log", "boolean", "dynamic", "0,1", True, None, "Whether the general query log is enabled."),
    ("group_concat_max_len", "integer", "dynamic", "4-18446744073709551615", True, None,
     "The maximum allowed result length in bytes for GROUP_CONCAT()."),
    ("init_connect", "string", "dynamic", None, True, None, "A string executed for each client that connects."),
    ("innodb_buffer_pool_size", "integer", "static", "5242880-9223372036854775807", True,
     "{DBInstanceClassMemory*3/4}", "The size in bytes of the InnoDB buffer pool."),
    ("innodb_file_per_table", "boolean", "dynamic", "0,1", True, "1", "Use tablespaces or files for InnoDB."),
    ("innodb_flush_log_at_trx_commit", "integer", "dynamic", "0,1,2", True, "1",
     "Controls how the log buffer is flushed at commit."),
    ("innodb_lock_wait_timeout", "integer", "dynamic", "1-1073741824", True, None,
     "Seconds an InnoDB transaction waits for a row lock before giving up."),
    ("innodb_print_all_deadlocks", "boolean", "dynamic", "0,1", True, None, "Print all deadlocks to the error log."),
    ("innodb_strict_mode", "boolean", "dynamic", "0,1", True, None, "Error out on some InnoDB conditions."),
    ("interactive_timeout", "integer", "dynamic", "1-31536000", True, None,
     "Seconds the server waits for activity on an interactive connection."),
    ("local_infile", "boolean", "dynamic", "0,1", True, "0", "Controls LOAD DATA LOCAL."),
    ("log_bin_trust_function_creators", "boolean", "dynamic", "0,1", True, None,
     "Whether stored function creators are trusted with binary logging."),
    ("log_output", "string", "dynamic", "TABLE,FILE", True, "FILE", "Where the general and slow query logs go."),
    ("long_query_time", "float", "dynamic", "0-31536000", True, None,
     "Queries taking longer than this many seconds go to the slow query log."),
    ("lower_case_table_names", "integer", "static", "0,1", True, None, "How table names are stored and compared."),
    ("max_allowed_packet", "integer", "dynamic", "1024-1073741824", True, None,
     "The maximum size of one packet or generated string."),
    ("max_connect_errors", "integer", "dynamic", "1-18446744073709551615", True, None,
     "Interrupted connection requests after which a host is blocked."),
    ("max_connections", "integer", "dynamic", "1-100000", True, "{DBInstanceClassMemory/12582880}",
     "The maximum permitted number of simultaneous client connections."),
    ("max_execution_time", "integer", "dynamic", "0-4294967295", True, None, "Timeout for SELECT statements (ms)."),
    ("max_heap_table_size", "integer", "dynamic", "16384-1844674407370954752", True, None,
     "The maximum size of user-created MEMORY tables."),
    ("net_read_timeout", "integer", "dynamic", "1-31536000", True, None,
     "Seconds to wait for more data from a connection before aborting the read."),
    ("net_write_timeout", "integer", "dynamic", "1-31536000", True, None,
     "Seconds to wait for a block to be written to a connection before aborting the write."),
    ("performance_schema", "boolean", "static", "0,1", True, None, "Enables or disables the Performance Schema."),
    ("require_secure_transport", "boolean", "dynamic", "0,1", True, None,
     "Whether client connections must use a secure transport."),
    ("skip_name_resolve", "boolean", "static", "0,1", True, None, "Do not resolve host names."),
    ("slow_query_log", "boolean", "dynamic", "0,1", True, None, "Whether the slow query log is enabled."),
    ("sql_mode", "list", "dynamic", _SQL_MODES, True, None, "The current server SQL mode."),
    ("table_open_cache", "integer", "dynamic", "1-524288", True, None, "The number of open tables for all threads."),
    ("time_zone", "string", "dynamic", None, True, None, "The server time zone."),
    ("tls_version", "string", "static", "TLSv1.2,TLSv1.3", True, "TLSv1.2,TLSv1.3",
     "The TLS protocols the server permits for encrypted connections."),
    ("tmp_table_size", "integer", "dynamic", "1024-18446744073709551615", True, None,
     "The maximum size of internal in-memory temporary tables."),
    ("transaction_isolation", "string", "dynamic", _ISOLATION, True, None, "The default transaction isolation level."),
    ("wait_timeout", "integer", "dynamic", "1-31536000", True, None,
     "Seconds the server waits for activity on a noninteractive connection."),
)


def _catalog_entries(rows: tuple[tuple[Any, ...], ...], version: str) -> list[dict[str, Any]]:
    entries = []
    for name, data_type, apply_type, allowed, modifiable, value, description in rows:
        entry: dict[str, Any] = {
            "ParameterName": name, "Description": description,
            "Source": "system" if value is not None else "engine-default",
            "ApplyType": apply_type, "DataType": data_type, "IsModifiable": modifiable,
            "MinimumEngineVersion": version, "ApplyMethod": "pending-reboot",
        }
        if allowed:
            entry["AllowedValues"] = allowed
        if value is not None:
            entry["ParameterValue"] = value
        entries.append(entry)
    return entries


def _register_mysql_catalog() -> None:
    catalog = _catalog_entries(_MYSQL80, "8.0.11")
    for family in ("mysql8", "mysql5", "mariadb", "aurora-mysql"):
        PARAMETER_CATALOGS.setdefault(family, catalog)


# --- apply ----------------------------------------------------------------------------------------------


def _window_overlap(start_1: datetime.datetime, end_1: datetime.datetime, start_2: datetime.datetime,
                    end_2: datetime.datetime) -> int:
    """Seconds two windows overlap; windows that only touch (03:00-04:00 and mon:04:00-mon:05:00) do not."""
    overlap = _ORIGINAL["get_overlap_between_two_date_ranges"](start_1, end_1, start_2, end_2)
    return -1 if overlap == 0 else overlap


def _patch(owner: Any, name: str, replacement: Any, key: str | None = None) -> None:
    _ORIGINAL[key or name] = owner.__dict__.get(name, getattr(owner, name, None))
    setattr(owner, name, replacement)


def apply() -> None:
    """Patch moto's RDS models and responses in place (idempotent)."""
    if getattr(RDSBackend, "_sandbox_rds_patched", False):
        return
    RDSBackend._sandbox_rds_patched = True
    for cls in (DBInstance, DBCluster, DBSnapshot, DBClusterSnapshot):
        _install_status(cls)
    _patch(RDSResponse, "call_action", _call_action)
    _patch(rds_utils, "get_overlap_between_two_date_ranges", _window_overlap)  # type: ignore[arg-type]
    _patch(DBInstance, "endpoint", property(_instance_endpoint))
    _patch(DBInstance, "address", property(_instance_address))
    _patch(DBInstance, "db_instance_port", property(_instance_port))
    DBInstance.pending_modified_values = property(_pending_modified_values)
    DBInstance.certificate_details = property(_certificate_details)
    DBSnapshot.percent_progress = property(_snapshot_progress)
    _patch(DBClusterSnapshot, "percent_progress", property(_snapshot_progress, lambda self, value: None))
    _patch(DBCluster, "endpoint", property(_cluster_endpoint), "cluster_endpoint")
    _patch(DBCluster, "reader_endpoint", property(_cluster_reader_endpoint), "cluster_reader_endpoint")
    _patch(DBCluster, "designate_writer", _designate_writer)
    for name, function in (
        ("create_db_instance", create_db_instance),
        ("create_db_instance_read_replica", create_db_instance_read_replica),
        ("modify_db_instance", modify_db_instance),
        ("reboot_db_instance", reboot_db_instance),
        ("stop_db_instance", stop_db_instance),
        ("start_db_instance", start_db_instance),
        ("delete_db_instance", delete_db_instance),
        ("create_db_snapshot", create_db_snapshot),
        ("create_db_cluster_snapshot", create_db_cluster_snapshot),
        ("create_db_cluster", create_db_cluster),
        ("modify_db_cluster", modify_db_cluster),
        ("delete_db_cluster", delete_db_cluster),
        ("describe_db_parameter_groups", describe_db_parameter_groups),
        ("modify_db_parameter_group", modify_db_parameter_group),
    ):
        _patch(RDSBackend, name, function)
    _patch(RDSResponse, "create_db_snapshot", response_create_db_snapshot, "response_create_db_snapshot")
    _patch(RDSResponse, "create_db_cluster_snapshot", response_create_db_cluster_snapshot,
           "response_create_db_cluster_snapshot")
    _patch(RDSResponse, "delete_db_cluster", response_delete_db_cluster, "response_delete_db_cluster")
    _patch(RDSResponse, "describe_db_parameters", response_describe_db_parameters, "response_describe_db_parameters")
    RDSResponse.describe_engine_default_parameters = response_describe_engine_default_parameters
    RDSResponse.reset_db_parameter_group = response_reset_db_parameter_group
    _register_mysql_catalog()

