"""One real MariaDB server per RDS MySQL instance (or Aurora MySQL cluster).

The collection's post-create work (databases, users, grants) and its verification need a server that
speaks the MySQL protocol over TLS with the master credentials of the create call; MariaDB 10.11 is
close enough to MySQL 8.0 for that. Servers are small (a 2-core machine runs several), listen on
127.0.0.1 from ``SANDBOX_MYSQL_FIRST_PORT`` upward, and keep their data in ``.sandbox/mariadb/<id>/``.

Backups are real too. ``backup`` takes a consistent copy of a running server with ``mariadb-backup --backup``
and ``--prepare`` (InnoDB's redo log is copied alongside the files and applied, so writes during the copy are
consistent) and records the binary log position the copy ends at. ``start_server(source=...)`` starts a new
server from such a copy, and ``binlog_sql`` turns a server's binary log from a position up to a time into SQL
that ``start_server(replay=...)`` applies before the server counts as started: a point-in-time restore.

Every server writes a binary log (ROW format, 1 MB files, in ``.sandbox/mariadb/<id>/binlog/``) and runs in
UTC (``TZ=UTC`` and ``time_zone=+00:00``, as RDS's default ``time_zone`` parameter), so the times in its binary
log, ``NOW()`` and AWS's timestamps are all UTC.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC as UTC_ZONE
from datetime import datetime
from pathlib import Path
from typing import Any

from sandbox import tls
from sandbox.dataplane import alive, free_port, pid_alive, release_port, start, terminate, wait_for_port
from sandbox.state import AWS_HOST, MYSQL_FIRST_PORT, state_dir

LOG = logging.getLogger("sandbox.dataplane.mariadb")
MARIADBD = "/usr/sbin/mariadbd"
INSTALL_DB = "/usr/bin/mariadb-install-db"
BACKUP = "/usr/bin/mariadb-backup"
BINLOG = "/usr/bin/mariadb-binlog"
CLIENT = "/usr/bin/mariadb"
START_TIMEOUT = 60.0
BACKUP_TIMEOUT = 300.0
# Servers, mariadb-backup and mariadb-binlog all run in UTC: mariadb-binlog reads --stop-datetime in its own zone.
UTC = {"TZ": "UTC"}
BINLOG_BASENAME = "mysql-bin"
# What mariadb-backup writes beside the data: the binary log position the copy is consistent at.
BINLOG_INFO = "xtrabackup_binlog_info"

# Sized so that several servers fit a small CI machine; InnoDB's defaults would take ~200 MB each.
SMALL_SERVER = (
    "--innodb-buffer-pool-size=16M",
    "--innodb-log-file-size=8M",
    "--innodb-log-buffer-size=1M",
    "--key-buffer-size=1M",
    "--aria-pagecache-buffer-size=1M",
    "--table-open-cache=200",
    "--thread-cache-size=4",
    "--performance-schema=OFF",
    "--innodb-use-native-aio=0",
    "--skip-name-resolve",
)
# Binary logging for point-in-time restores: row events replay exactly; small files are cheap to copy and read.
BINARY_LOG = (
    "--binlog-format=ROW",
    "--max-binlog-size=1M",
    "--default-time-zone=+00:00",
)

# RDS MySQL parameter -> MariaDB global variable, for the parameters MariaDB can apply at runtime.
# (MySQL 8.0's transaction_isolation is MariaDB 10.11's tx_isolation.)
PARAMETERS = {
    "require_secure_transport": "require_secure_transport",
    "character_set_server": "character_set_server",
    "collation_server": "collation_server",
    "character_set_client": "character_set_client",
    "character_set_connection": "character_set_connection",
    "character_set_results": "character_set_results",
    "collation_connection": "collation_connection",
    "max_connections": "max_connections",
    "max_connect_errors": "max_connect_errors",
    "max_allowed_packet": "max_allowed_packet",
    "wait_timeout": "wait_timeout",
    "interactive_timeout": "interactive_timeout",
    "net_read_timeout": "net_read_timeout",
    "net_write_timeout": "net_write_timeout",
    "long_query_time": "long_query_time",
    "slow_query_log": "slow_query_log",
    "general_log": "general_log",
    "log_output": "log_output",
    "log_bin_trust_function_creators": "log_bin_trust_function_creators",
    "innodb_lock_wait_timeout": "innodb_lock_wait_timeout",
    "innodb_print_all_deadlocks": "innodb_print_all_deadlocks",
    "group_concat_max_len": "group_concat_max_len",
    "sql_mode": "sql_mode",
    "transaction_isolation": "tx_isolation",
    "tx_isolation": "tx_isolation",
    "event_scheduler": "event_scheduler",
    "tmp_table_size": "tmp_table_size",
    "max_heap_table_size": "max_heap_table_size",
    "table_open_cache": "table_open_cache",
    # A read replica's: set by the sandbox (RDS sets it on replicas), never from a parameter group.
    "read_only": "read_only",
}

STARTING, READY, FAILED, STOPPED = "starting", "ready", "failed", "stopped"


@dataclass
class Server:
    """A MariaDB server behind one RDS resource."""

    resource_id: str
    engine: str
    port: int
    directory: Path
    master_username: str
    master_password: str = field(repr=False)
    db_name: str | None = None
    parameters: dict[str, str] = field(default_factory=dict)
    state: str = STARTING
    error: str | None = None
    proc: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    ready_event: threading.Event = field(default_factory=threading.Event, repr=False)
    # A restored server starts from ``source`` (a prepared copy) and applies ``replay`` (SQL) before it is READY.
    source: Path | None = field(default=None, repr=False)
    replay: Path | None = field(default=None, repr=False)
    # A read replica starts from a copy of its source's data and replicates from it (start_server).
    replicate_from: str | None = None
    # One mariadb-backup at a time: a server takes one BACKUP STAGE at a time.
    backup_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def datadir(self) -> Path:
        return self.directory / "data"

    @property
    def binlog_dir(self) -> Path:
        return self.directory / "binlog"

    @property
    def socket(self) -> str:
        path = self.directory / "mysqld.sock"
        # Unix socket paths are limited to 107 bytes; deep state dirs (pytest's tmp_path) exceed it.
        if len(str(path)) > 100:
            return str(Path(tempfile.gettempdir()) / f"sandbox-mariadb-{self.port}.sock")
        return str(path)

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None else None

    @property
    def alive(self) -> bool:
        return self.proc is not None and alive(self.proc)

    def describe(self) -> dict[str, Any]:
        return {
            "engine": self.engine,
            "resource_id": self.resource_id,
            "host": AWS_HOST,
            "port": self.port,
            "pid": self.pid,
            "alive": self.alive,
            "state": self.state,
            "error": self.error,
            "datadir": str(self.datadir),
        }


_LOCK = threading.RLock()
_TEMPLATE_LOCK = threading.Lock()
_SERVERS: dict[str, Server] = {}


def _root() -> Path:
    path = state_dir() / "mariadb"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _template() -> Path:
    """An initialised, empty data directory, made once and copied for each server (copying beats reinstalling)."""
    template = _root() / ".template"
    with _TEMPLATE_LOCK:
        if not (template / "mysql").is_dir():
            shutil.rmtree(template, ignore_errors=True)
            result = subprocess.run(
                [INSTALL_DB, "--no-defaults", "--user=root", f"--datadir={template}", "--skip-test-db",
                 "--auth-root-authentication-method=normal", *SMALL_SERVER],
                capture_output=True, text=True, check=False,
            )
            if result.returncode != 0:
                shutil.rmtree(template, ignore_errors=True)
                raise RuntimeError(f"mariadb-install-db failed: {result.stderr[-2000:]}")
    return template


def start_server(
    resource_id: str,
    engine: str,
    master_username: str,
    master_password: str,
    db_name: str | None = None,
    parameters: dict[str, str] | None = None,
    source: Path | None = None,
    replay: Path | None = None,
    replicate_from: str | None = None,
) -> Server:
    """Reserve a port and start the server in the background; ``state(resource_id)`` tells when it answers.

    A new server is empty but for the master user (and ``db_name``). With ``source`` (a copy made by ``backup``) it
    starts from that copy instead, with the users and data in it, and applies the SQL file ``replay`` (from
    ``binlog_sql``; deleted once applied) before it counts as started. With ``replicate_from`` (the id of a running
    server) it starts from a fresh copy of that server and replicates from it, read-only: a read replica.
    """
    key = resource_id.lower()
    with _LOCK:
        existing = _SERVERS.get(key)
        if existing is not None:
            return existing
        port = free_port(MYSQL_FIRST_PORT)
        server = Server(key, engine, port, _root() / key, master_username, master_password, db_name,
                        dict(parameters or {}), source=source, replay=replay,
                        replicate_from=replicate_from.lower() if replicate_from else None)
        if replicate_from:
            server.parameters["read_only"] = "1"
        _SERVERS[key] = server
    threading.Thread(target=_boot, args=(server, True), name=f"mariadb-{key}", daemon=True).start()
    return server


def _boot(server: Server, fresh: bool) -> None:
    try:
        seed = None
        if fresh and server.replicate_from:
            seed = backup(server.replicate_from, _root() / f".seed-{server.resource_id}")
            server.source = seed.path
        if fresh:
            shutil.rmtree(server.directory, ignore_errors=True)
            server.directory.mkdir(parents=True)
            shutil.copytree(server.source or _template(), server.datadir)
        if seed is not None:
            shutil.rmtree(seed.path.parent, ignore_errors=True)
        _launch(server)
        if fresh and server.replay is not None:
            _replay(server, server.replay)
        _initialise(server, create_master=fresh and server.source is None)
        if seed is not None:
            _replicate(server, seed)
        server.state = READY
        LOG.info("mariadb for %s answers on port %s", server.resource_id, server.port)
    except Exception as exc:
        LOG.exception("mariadb for %s failed to start", server.resource_id)
        server.state, server.error = FAILED, str(exc)
        if server.proc is not None:
            terminate(server.proc)
    finally:
        server.ready_event.set()


def _launch(server: Server) -> None:
    cert, key = tls.server_certificate(f"mysql-{server.resource_id}")
    server.binlog_dir.mkdir(parents=True, exist_ok=True)
    argv = [
        MARIADBD, "--no-defaults", "--user=root", f"--datadir={server.datadir}", f"--port={server.port}",
        f"--bind-address={AWS_HOST}", f"--socket={server.socket}", f"--pid-file={server.directory / 'mysqld.pid'}",
        f"--log-error={server.directory / 'error.log'}", f"--ssl-ca={tls.ca_bundle()}", f"--ssl-cert={cert}",
        f"--ssl-key={key}", *SMALL_SERVER, *BINARY_LOG, f"--log-bin={server.binlog_dir / BINLOG_BASENAME}",
        # Distinct server ids: a replayed binary log comes from another server.
        f"--server-id={server.port}",
    ]
    server.proc = start(argv, server.directory / "mariadbd.out", env=UTC)
    if not wait_for_port(server.port, START_TIMEOUT) or not alive(server.proc):
        log = server.directory / "error.log"
        tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        raise RuntimeError(f"mariadbd did not answer on port {server.port}: {tail}")


def _run(argv: list[str], what: str, **kwargs: Any) -> subprocess.CompletedProcess[bytes]:
    """Run a MariaDB tool in UTC; a failure raises with the end of its error output."""
    result = subprocess.run(argv, env={**os.environ, **UTC}, stderr=subprocess.PIPE, check=False,
                            timeout=BACKUP_TIMEOUT, **kwargs)
    if result.returncode != 0:
        raise RuntimeError(f"{what} failed ({result.returncode}): {result.stderr.decode(errors='replace')[-2000:]}")
    return result


def _replay(server: Server, sql: Path) -> None:
    """Apply ``sql`` (mariadb-binlog output) as root, without writing it to this server's own binary log."""
    with sql.open("rb") as statements:
        _run([CLIENT, "--no-defaults", f"--socket={server.socket}", "--user=root", "--password=", "--binary-mode",
              "--init-command=SET sql_log_bin=0"], f"replaying the binary log into {server.resource_id}",
             stdin=statements, stdout=subprocess.DEVNULL)
    sql.unlink(missing_ok=True)


def _replicate(server: Server, seed: Copy) -> None:
    """Replicate from the source from where ``seed`` (its copy) ends, over TLS, with the source's master user."""
    source = get(server.replicate_from or "")
    if source is None or seed.binlog_file is None:
        raise RuntimeError(f"no binary log position to replicate {server.replicate_from} from")
    connection = _connect_root(server)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "CHANGE MASTER TO MASTER_HOST=%s, MASTER_PORT=%s, MASTER_USER=%s, MASTER_PASSWORD=%s, "
                "MASTER_LOG_FILE=%s, MASTER_LOG_POS=%s, MASTER_SSL=1, MASTER_USE_GTID=no, MASTER_CONNECT_RETRY=1",
                (AWS_HOST, source.port, source.master_username, source.master_password, seed.binlog_file,
                 seed.binlog_position))
            cursor.execute("START SLAVE")
    finally:
        connection.close()


def replica_status(resource_id: str) -> dict[str, Any] | None:
    """SHOW SLAVE STATUS of a replica's server (None when it replicates from nothing)."""
    server = get(resource_id)
    if server is None or server.state != READY:
        return None
    connection = _connect_root(server)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SHOW SLAVE STATUS")
            row = cursor.fetchone()
            names = [column[0] for column in cursor.description or ()]
    finally:
        connection.close()
    return dict(zip(names, row, strict=False)) if row else None


def promote(resource_id: str) -> None:
    """PromoteReadReplica: stop replicating (what was received is applied first) and take writes."""
    server = get(resource_id)
    if server is None:
        return
    server.replicate_from = None
    server.parameters.pop("read_only", None)
    if server.state != READY:
        return
    connection = _connect_root(server)
    try:
        with connection.cursor() as cursor:
            cursor.execute("STOP SLAVE IO_THREAD")
            cursor.execute("SELECT MASTER_POS_WAIT(%s, %s, 30)", _relay_end(cursor))
            cursor.execute("STOP SLAVE")
            cursor.execute("RESET SLAVE ALL")
            cursor.execute("SET GLOBAL read_only = 0")
    finally:
        connection.close()


def _relay_end(cursor: Any) -> tuple[str, int]:
    cursor.execute("SHOW SLAVE STATUS")
    row = cursor.fetchone()
    names = [column[0] for column in cursor.description or ()]
    status = dict(zip(names, row, strict=False)) if row else {}
    return str(status.get("Master_Log_File") or ""), int(status.get("Read_Master_Log_Pos") or 0)


def native_password_hash(password: str) -> str:
    """mysql_native_password's hash of ``password``: the form the sandbox gives MariaDB, which writes statements to
    its binary log as they come (a plain password would land in it)."""
    return "*" + hashlib.sha1(hashlib.sha1(password.encode()).digest()).hexdigest().upper()


def _connect_root(server: Server) -> Any:
    import pymysql

    return pymysql.connect(unix_socket=server.socket, user="root", password="", autocommit=True, connect_timeout=10)


def _initialise(server: Server, create_master: bool) -> None:
    connection = _connect_root(server)
    try:
        with connection.cursor() as cursor:
            if create_master:
                user = connection.escape(server.master_username)
                cursor.execute(f"CREATE USER IF NOT EXISTS {user}@'%%' IDENTIFIED BY PASSWORD %s",
                               (native_password_hash(server.master_password),))
                cursor.execute(f"GRANT ALL PRIVILEGES ON *.* TO {user}@'%' WITH GRANT OPTION")
                if server.db_name:
                    cursor.execute(f"CREATE DATABASE IF NOT EXISTS `{server.db_name.replace('`', '``')}`")
            _set_globals(cursor, server.parameters)
    finally:
        connection.close()


def _set_globals(cursor: Any, parameters: dict[str, str]) -> list[str]:
    """SET GLOBAL each supported parameter; returns the names MariaDB refused (logged, not fatal)."""
    refused = []
    for name, value in parameters.items():
        variable = PARAMETERS.get(name)
        if variable is None or value is None or "{" in str(value):
            continue  # unsupported here, or an RDS formula such as {DBInstanceClassMemory*3/4}
        text = str(value)
        argument: Any = int(text) if text.lstrip("-").isdigit() else text
        try:
            cursor.execute(f"SET GLOBAL {variable} = %s", (argument,))
        except Exception as exc:
            LOG.warning("MariaDB refused %s=%s: %s", name, value, exc)
            refused.append(name)
    return refused


def get(resource_id: str) -> Server | None:
    with _LOCK:
        return _SERVERS.get(resource_id.lower())


def state(resource_id: str) -> str | None:
    """STARTING, READY, FAILED, or None when no server belongs to ``resource_id``."""
    server = get(resource_id)
    return server.state if server is not None else None


def port(resource_id: str) -> int | None:
    server = get(resource_id)
    return server.port if server is not None else None


def wait_ready(resource_id: str, timeout: float) -> bool:
    """Wait until the server has started (or failed); True when it answers."""
    server = get(resource_id)
    if server is None:
        return False
    server.ready_event.wait(timeout)
    return server.state == READY


def set_master_password(resource_id: str, password: str) -> None:
    """ModifyDBInstance MasterUserPassword: the new password takes effect on the server."""
    server = get(resource_id)
    if server is None:
        return
    server.master_password = password
    if server.state != READY:
        return
    connection = _connect_root(server)
    try:
        with connection.cursor() as cursor:
            user = connection.escape(server.master_username)
            cursor.execute(f"ALTER USER {user}@'%%' IDENTIFIED BY PASSWORD %s", (native_password_hash(password),))
    finally:
        connection.close()


def apply_parameters(resource_id: str, parameters: dict[str, str]) -> list[str]:
    """Apply a DB parameter group's values (all supported ones are dynamic in MariaDB); returns refused names."""
    server = get(resource_id)
    if server is None:
        return []
    server.parameters = dict(parameters)
    if server.state != READY:
        return []
    connection = _connect_root(server)
    try:
        with connection.cursor() as cursor:
            return _set_globals(cursor, parameters)
    finally:
        connection.close()


def restart(resource_id: str) -> None:
    """RebootDBInstance/StartDBInstance: (stop and) start the server on the same port and data."""
    server = get(resource_id)
    if server is None or server.state == STARTING:
        return
    if server.proc is not None:
        terminate(server.proc)
    server.state, server.error = STARTING, None
    server.ready_event.clear()
    threading.Thread(target=_boot, args=(server, False), name=f"mariadb-{server.resource_id}", daemon=True).start()


def rename(old_id: str, new_id: str) -> None:
    """ModifyDBInstance NewDBInstanceIdentifier: the server now belongs to ``new_id`` (data stays where it is)."""
    with _LOCK:
        server = _SERVERS.pop(old_id.lower(), None)
        if server is not None:
            server.resource_id = new_id.lower()
            _SERVERS[server.resource_id] = server


def halt(resource_id: str) -> None:
    """StopDBInstance: the server stops answering but keeps its port and data for ``restart``."""
    server = get(resource_id)
    if server is None:
        return
    server.ready_event.wait(START_TIMEOUT)
    if server.proc is not None:
        terminate(server.proc)
    server.state = STOPPED


def stop(resource_id: str, delete_data: bool = True, expected: Server | None = None) -> None:
    """Stop the server of ``resource_id`` and (by default) delete its data.

    With ``expected``, only that server is stopped: a resource re-created under the same id keeps its new one.
    """
    with _LOCK:
        server = _SERVERS.get(resource_id.lower())
        if server is None or (expected is not None and server is not expected):
            return
        del _SERVERS[resource_id.lower()]
    server.ready_event.wait(START_TIMEOUT)
    if server.proc is not None:
        terminate(server.proc)
    release_port(server.port)
    if delete_data:
        shutil.rmtree(server.directory, ignore_errors=True)
    with contextlib.suppress(OSError):
        if not server.socket.startswith(str(server.directory)):
            Path(server.socket).unlink()


@dataclass(frozen=True)
class Copy:
    """A consistent copy of a server's data (``backup``) and the binary log position it is consistent at."""

    path: Path  # the prepared data directory, which a server can start from
    binlog_file: str | None
    binlog_position: int | None
    taken_at: float  # epoch seconds, once the copy was consistent: it holds what was committed before

    def describe(self) -> dict[str, Any]:
        return {"path": str(self.path), "binlog_file": self.binlog_file, "binlog_position": self.binlog_position,
                "taken_at": self.taken_at}

    def save(self, target: Path) -> None:
        """Describe the copy in ``target/copy.json`` (for people looking at the state directory)."""
        (target / "copy.json").write_text(json.dumps(self.describe(), indent=2) + "\n")


def backup(resource_id: str, target: Path) -> Copy:
    """Copy the running server of ``resource_id`` into ``target/data`` (mariadb-backup --backup, then --prepare).

    The copy is consistent: it holds exactly the transactions committed before the end of the backup, which is
    also where its binary log position points. A stopped server (StopDBInstance) was shut down cleanly: its files
    are copied as they are. ``target/copy.json`` describes the copy.
    """
    server = get(resource_id)
    if server is None or server.state not in (READY, STOPPED):
        raise RuntimeError(f"no MariaDB server to copy for {resource_id}")
    with server.backup_lock:
        return _backup(server, target)


def _backup(server: Server, target: Path) -> Copy:
    resource_id = server.resource_id
    target.mkdir(parents=True, exist_ok=True)
    partial, final = target / "data.partial", target / "data"
    for path in (partial, final):
        shutil.rmtree(path, ignore_errors=True)
    log_file: str | None = None
    log_position: int | None = None
    if server.state == STOPPED:
        end = binlog_position(resource_id)
        shutil.copytree(server.datadir, partial)
        taken_at = time.time()
        if end is not None:
            log_file, log_position = end
    else:
        _run([BACKUP, "--no-defaults", "--backup", f"--target-dir={partial}", f"--datadir={server.datadir}",
              f"--socket={server.socket}", "--user=root", "--password=", "--log-copy-interval=50"],
             f"mariadb-backup of {resource_id}", stdout=subprocess.DEVNULL)
        taken_at = time.time()
        _run([BACKUP, "--no-defaults", "--prepare", f"--target-dir={partial}", "--use-memory=32M"],
             f"mariadb-backup --prepare of {resource_id}", stdout=subprocess.DEVNULL)
        info = partial / BINLOG_INFO
        fields = info.read_text().split() if info.exists() else []
        if len(fields) >= 2:
            log_file, log_position = fields[0], int(fields[1])
    partial.rename(final)
    copy = Copy(final, log_file, log_position, taken_at)
    copy.save(target)
    return copy


def _binlog_files(server: Server) -> list[Path]:
    index = server.binlog_dir / f"{BINLOG_BASENAME}.index"
    if not index.exists():
        return []
    return [server.binlog_dir / Path(line.strip()).name for line in index.read_text().splitlines() if line.strip()]


def binlog_position(resource_id: str) -> tuple[str, int] | None:
    """Where the binary log of ``resource_id`` ends now (the end of its last committed transaction)."""
    server = get(resource_id)
    if server is None:
        return None
    if server.state == READY:
        connection = _connect_root(server)
        try:
            with connection.cursor() as cursor:
                cursor.execute("SHOW MASTER STATUS")
                row = cursor.fetchone()
        finally:
            connection.close()
        return (str(row[0]), int(row[1])) if row else None
    files = _binlog_files(server)  # stopped: the files are complete
    return (files[-1].name, files[-1].stat().st_size) if files else None


def binlog_sql(resource_id: str, start: tuple[str, int], stop: tuple[str, int], stop_datetime: datetime | None,
               out: Path) -> None:
    """Write to ``out`` the SQL that replays the binary log of ``resource_id`` from ``start`` to ``stop``.

    With ``stop_datetime`` (UTC) it ends before the first event at or after that time, in whole seconds: binary log
    events carry their statement's start time in seconds, and mariadb-binlog stops at the first event whose second
    is not before the second of ``stop_datetime``. A transaction whose COMMIT is cut off is rolled back.
    """
    server = get(resource_id)
    if server is None:
        raise RuntimeError(f"no MariaDB server for {resource_id}")
    files = _binlog_files(server)
    names = [path.name for path in files]
    if start[0] not in names or stop[0] not in names:
        raise RuntimeError(f"the binary log of {resource_id} no longer holds {start[0]} to {stop[0]}")
    selected = files[names.index(start[0]):names.index(stop[0]) + 1]
    argv = [BINLOG, "--no-defaults", f"--start-position={start[1]}", f"--stop-position={stop[1]}"]
    if stop_datetime is not None:
        argv.append(f"--stop-datetime={stop_datetime.astimezone(UTC_ZONE):%Y-%m-%d %H:%M:%S}")
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("wb") as sql:
        _run([*argv, *map(str, selected)], f"mariadb-binlog of {resource_id}", stdout=sql)


def servers() -> list[dict[str, Any]]:
    """Every server this process started: engine, resource id, port, pid, alive."""
    with _LOCK:
        return [server.describe() for server in _SERVERS.values()]


def stop_all(delete_data: bool = False) -> None:
    """Stop every server, including ones a killed sandbox left behind (found by their pid files)."""
    with _LOCK:
        ids = list(_SERVERS)
    for resource_id in ids:
        stop(resource_id, delete_data=delete_data)
    root = state_dir() / "mariadb"
    for pid_file in root.glob("*/mysqld.pid") if root.is_dir() else []:
        with contextlib.suppress(OSError, ValueError):
            pid = int(pid_file.read_text().strip())
            if pid_alive(pid) and "mariadbd" in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace"):
                terminate(pid)
