"""One real MariaDB server per RDS MySQL instance (or Aurora MySQL cluster).

The collection's post-create work (databases, users, grants) and its verification need a server that
speaks the MySQL protocol over TLS with the master credentials of the create call; MariaDB 10.11 is
close enough to MySQL 8.0 for that. Servers are small (a 2-core machine runs several), listen on
127.0.0.1 from ``SANDBOX_MYSQL_FIRST_PORT`` upward, and keep their data in ``.sandbox/mariadb/<id>/``.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import subprocess
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sandbox import tls
from sandbox.dataplane import alive, free_port, pid_alive, release_port, start, terminate, wait_for_port
from sandbox.state import AWS_HOST, MYSQL_FIRST_PORT, state_dir

LOG = logging.getLogger("sandbox.dataplane.mariadb")
MARIADBD = "/usr/sbin/mariadbd"
INSTALL_DB = "/usr/bin/mariadb-install-db"
START_TIMEOUT = 60.0

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
    "--skip-log-bin",
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

    @property
    def datadir(self) -> Path:
        return self.directory / "data"

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
) -> Server:
    """Reserve a port and start the server in the background; ``state(resource_id)`` tells when it answers."""
    key = resource_id.lower()
    with _LOCK:
        existing = _SERVERS.get(key)
        if existing is not None:
            return existing
        port = free_port(MYSQL_FIRST_PORT)
        server = Server(key, engine, port, _root() / key, master_username, master_password, db_name,
                        dict(parameters or {}))
        _SERVERS[key] = server
    threading.Thread(target=_boot, args=(server, True), name=f"mariadb-{key}", daemon=True).start()
    return server


def _boot(server: Server, fresh: bool) -> None:
    try:
        if fresh:
            shutil.rmtree(server.directory, ignore_errors=True)
            server.directory.mkdir(parents=True)
            shutil.copytree(_template(), server.datadir)
        _launch(server)
        _initialise(server, create_master=fresh)
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
    argv = [
        MARIADBD, "--no-defaults", "--user=root", f"--datadir={server.datadir}", f"--port={server.port}",
        f"--bind-address={AWS_HOST}", f"--socket={server.socket}", f"--pid-file={server.directory / 'mysqld.pid'}",
        f"--log-error={server.directory / 'error.log'}", f"--ssl-ca={tls.ca_bundle()}", f"--ssl-cert={cert}",
        f"--ssl-key={key}", *SMALL_SERVER,
    ]
    server.proc = start(argv, server.directory / "mariadbd.out")
    if not wait_for_port(server.port, START_TIMEOUT) or not alive(server.proc):
        log = server.directory / "error.log"
        tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        raise RuntimeError(f"mariadbd did not answer on port {server.port}: {tail}")


def _connect_root(server: Server) -> Any:
    import pymysql

    return pymysql.connect(unix_socket=server.socket, user="root", password="", autocommit=True, connect_timeout=10)


def _initialise(server: Server, create_master: bool) -> None:
    connection = _connect_root(server)
    try:
        with connection.cursor() as cursor:
            if create_master:
                user = connection.escape(server.master_username)
                cursor.execute(f"CREATE USER IF NOT EXISTS {user}@'%%' IDENTIFIED BY %s", (server.master_password,))
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
            cursor.execute(f"ALTER USER {user}@'%%' IDENTIFIED BY %s", (password,))
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
