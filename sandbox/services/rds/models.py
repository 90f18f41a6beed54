"""RDS models: simulated transitions, and the fields moto leaves out of instances, clusters and snapshots.

Every instance, cluster and snapshot reports the status of its ``sandbox.lifecycle`` transition; endpoints
are those of the MariaDB behind them (or, for other engines, of the resolver their service registers).
"""

from __future__ import annotations

import copy
import datetime
import json
import random
import string
import threading
import time
import uuid
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from moto.ec2.models import ec2_backends
from moto.rds.models import DBCluster, DBInstance, RDSBackend

from sandbox.dataplane import mariadb
from sandbox.lifecycle import CLOCK, time_scale
from sandbox.services import original

# One lock for all RDS state: background transitions mutate the backends that request threads iterate.
LOCK = threading.RLock()
SYNC_START_TIMEOUT = 60.0
MYSQL_ENGINES = ("mysql", "mariadb")
MYSQL_CLUSTER_ENGINES = ("aurora-mysql", "aurora")


@dataclass(frozen=True)
class ClusterServers:
    """The server another service runs behind each of its clusters, as MariaDB runs behind Aurora MySQL ones."""

    start: Callable[[DBCluster], int]  # starts the cluster's server; returns its port
    answers: Callable[[DBCluster], bool]
    set_master_password: Callable[[DBCluster, str], None]
    stop: Callable[[DBCluster], None]


# Per-engine resolvers, lifecycle kinds and servers other services (docdb) register through their hooks.
INSTANCE_ENDPOINTS: dict[str, Callable[[DBInstance], dict[str, Any]]] = {}
CLUSTER_ENDPOINTS: dict[str, Callable[[DBCluster], tuple[str, str]]] = {}
CREATE_KINDS: dict[str, str] = {}
CLUSTER_CREATE_KINDS: dict[str, str] = {}
CLUSTER_SERVERS: dict[str, ClusterServers] = {}
AFTER_ACTION = threading.local()


# --- lifecycle plumbing -------------------------------------------------------------------------------------


def clock_key(obj: Any) -> Hashable | None:
    return getattr(obj, "_sandbox_key", None)


def track(obj: Any, kind: str) -> None:
    if clock_key(obj) is None:
        obj._sandbox_key = (kind, uuid.uuid4().hex)


def begin(obj: Any, status: str, seconds: float, ready: Callable[[], bool] | None = None,
          on_done: Callable[[], None] | None = None) -> None:
    def locked_done() -> None:
        with LOCK:
            if on_done is not None:
                on_done()

    CLOCK.begin(clock_key(obj), status, seconds, ready, locked_done)


def status_of(obj: Any) -> str:
    return obj.status


def _status(self: Any) -> str:
    return CLOCK.status(clock_key(self), getattr(self, "_sandbox_status", "available"))


def _set_status(self: Any, value: str) -> None:
    self._sandbox_status = value


# The ``status`` of instances, clusters and snapshots: their transition's while it lasts.
STATUS = property(_status, _set_status)


def view(obj: Any, status: str, **attributes: Any) -> Any:
    """A frozen copy for a response: AWS answers create/modify/delete with the transitional status."""
    frozen = copy.copy(obj)
    frozen._sandbox_key = None
    frozen._sandbox_status = status
    for name, value in attributes.items():
        setattr(frozen, name, value)
    return frozen


def after_action(callback: Callable[[], None]) -> None:
    """Run ``callback`` once the current RDS request has released LOCK (used to wait for servers and copies)."""
    callbacks = getattr(AFTER_ACTION, "callbacks", None)
    if callbacks is None:
        callback()
    else:
        callbacks.append(callback)


def settle_synchronously(obj: Any, server_id: str | None, *events: threading.Event) -> None:
    """At time scale 0, hold the response until the resource's server answers, ``events`` are set (work that
    follows, such as a first backup) and its transition ended."""
    if time_scale() > 0:
        return
    key = clock_key(obj)

    def wait() -> None:
        if server_id is not None:
            mariadb.wait_ready(server_id, SYNC_START_TIMEOUT)
        for event in events:
            event.wait(mariadb.BACKUP_TIMEOUT)
        deadline = time.monotonic() + 2.0
        while CLOCK.pending(key) and time.monotonic() < deadline:
            time.sleep(0.02)

    after_action(wait)


def server_ready(server_id: str) -> Callable[[], bool]:
    return lambda: mariadb.state(server_id) != mariadb.STARTING


def fail_if_server_failed(obj: Any, server_id: str) -> Callable[[], None]:
    def done() -> None:
        if mariadb.state(server_id) == mariadb.FAILED:
            obj._sandbox_status = "failed"

    return done


def random_suffix(length: int, alphabet: str = string.ascii_uppercase + string.digits) -> str:
    return "".join(random.choice(alphabet) for _ in range(length))


# --- what moto's models leave out ---------------------------------------------------------------------------


def default_subnet_group(backend: RDSBackend) -> str:
    """AWS places an instance without a subnet group in the default VPC's ``default`` group."""
    if "default" not in backend.subnet_groups:
        ec2 = ec2_backends[backend.account_id][backend.region_name]
        vpc = ec2.default_vpc
        subnets = ec2.describe_subnets(filters={"vpc-id": [vpc.id]}) if vpc is not None else []
        backend.create_subnet_group("default", "default", list(subnets), [])
    return "default"


def server_id_of(database: DBInstance) -> str | None:
    """The MariaDB behind an instance: its own, or its Aurora MySQL cluster's."""
    if database.engine in MYSQL_ENGINES and database.db_cluster_identifier is None:
        return database.db_instance_identifier
    if database.engine in MYSQL_CLUSTER_ENGINES and database.db_cluster_identifier:
        return database.db_cluster_identifier
    return None


def instance_endpoint(self: DBInstance) -> dict[str, Any]:
    resolver = INSTANCE_ENDPOINTS.get(self.engine)
    if resolver is not None:
        return resolver(self)
    server_id = server_id_of(self)
    server = mariadb.get(server_id) if server_id else None
    if server is not None:
        return {"Address": server.describe()["host"], "Port": server.port, "HostedZoneId": "Z2R2ITUGPM61AM"}
    return {"Address": original(instance_address).fget(self), "Port": self.port, "HostedZoneId": "Z2R2ITUGPM61AM"}


def instance_address(self: DBInstance) -> str:
    return instance_endpoint(self)["Address"]


def instance_port(self: DBInstance) -> int | None:
    return instance_endpoint(self)["Port"]


def pending_modified_values(self: DBInstance) -> dict[str, Any]:
    return dict(getattr(self, "_sandbox_pending", {}))


def certificate_details(self: DBInstance) -> dict[str, Any]:
    return {"CAIdentifier": self.ca_certificate_identifier,
            "ValidTill": datetime.datetime(2061, 5, 21, tzinfo=datetime.UTC)}


def master_password(database: DBInstance | DBCluster) -> str:
    secret = getattr(database, "master_user_secret", None)
    if secret is not None:
        return json.loads(secret.secret.secret_string)["password"]
    return getattr(database, "_master_user_password", None) or ""


def designate_writer(self: DBCluster) -> None:
    if self.writer or not self._members:
        return
    candidates = [m for m in self._members if status_of(m) != "deleting"] or self._members
    min(candidates, key=lambda member: member.promotion_tier).is_cluster_writer = True


def snapshot_progress(self: Any) -> int:
    return 0 if status_of(self) == "creating" else 100


def cluster_endpoint(self: DBCluster) -> str:
    resolver = CLUSTER_ENDPOINTS.get(self.engine)
    if resolver is not None:
        return resolver(self)[0]
    if self.engine in MYSQL_CLUSTER_ENGINES and mariadb.get(self.db_cluster_identifier) is not None:
        return "127.0.0.1"
    return original(cluster_endpoint).fget(self)


def cluster_reader_endpoint(self: DBCluster) -> str:
    resolver = CLUSTER_ENDPOINTS.get(self.engine)
    if resolver is not None:
        return resolver(self)[1]
    if self.engine in MYSQL_CLUSTER_ENGINES and mariadb.get(self.db_cluster_identifier) is not None:
        return "127.0.0.1"
    return original(cluster_reader_endpoint).fget(self)


def window_overlap(start_1: datetime.datetime, end_1: datetime.datetime, start_2: datetime.datetime,
                   end_2: datetime.datetime) -> int:
    """Seconds two windows overlap; windows that only touch (03:00-04:00 and mon:04:00-mon:05:00) do not."""
    overlap = original(window_overlap)(start_1, end_1, start_2, end_2)
    return -1 if overlap == 0 else overlap
