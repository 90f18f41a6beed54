"""One real PostgreSQL (Debian's, /usr/lib/postgresql/<major>/bin) per Aurora PostgreSQL cluster.

The control plane (``sandbox.services.aurora_postgresql``) reports ``127.0.0.1:<port>`` as the cluster's writer,
reader and instance endpoints, so the collection's databases and users, and the platform's logins, meet a real
server. TLS uses a certificate of the sandbox CA (the RDS global bundle's stand-in); ``rds.force_ssl=1`` in the
cluster's parameter group admits TLS logins only (pg_hba ``hostssl``; a plain one is rejected), as on Aurora.
The master user has CREATEDB and CREATEROLE, like ``rds_superuser``, not superuser. PostgreSQL refuses to run as
root: when the sandbox runs as root the server runs as the ``postgres`` account the Debian package creates.
"""

from __future__ import annotations

import contextlib
import glob
import logging
import os
import pwd
import shutil
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sandbox import state, tls
from sandbox.dataplane import alive, free_port, pid_alive, release_port, terminate, wait_for_port
from sandbox.state import AWS_HOST, state_dir

LOG = logging.getLogger(__name__)
STARTING, READY, FAILED = "starting", "ready", "failed"
START_TIMEOUT = 60.0
ADMIN = "rdsadmin"  # the bootstrap superuser, as on RDS, reached over the server's Unix socket only


def _bin_dir() -> Path:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"), key=lambda p: int(p.split("/")[4]))
    if not candidates:
        raise RuntimeError("PostgreSQL is not installed (Debian package postgresql): make system-deps")
    return Path(candidates[-1]).parent


def _first_port() -> int:
    """SANDBOX_POSTGRES_FIRST_PORT read now, so tests can move the range after import."""
    override = os.environ.get("SANDBOX_POSTGRES_FIRST_PORT")
    return int(override) if override else state.POSTGRES_FIRST_PORT


def _account() -> tuple[int, int] | None:
    """(uid, gid) to run the server as: ``postgres`` when the sandbox runs as root, else the sandbox's own."""
    if os.geteuid() != 0:
        return None
    entry = pwd.getpwnam("postgres")
    return entry.pw_uid, entry.pw_gid


def _chown(path: Path) -> None:
    account = _account()
    if account is None:
        return
    for root, dirs, files in os.walk(path):
        for name in [root, *(os.path.join(root, d) for d in dirs), *(os.path.join(root, f) for f in files)]:
            os.chown(name, *account)


def _run(argv: list[str], what: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    account = _account()
    result = subprocess.run(argv, capture_output=True, text=True, check=False,
                            user=account[0] if account else None, group=account[1] if account else None, **kwargs)
    if result.returncode != 0:
        raise RuntimeError(f"{what} failed: {result.stderr[-2000:]}")
    return result


def _quote_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _quote_ident(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


@dataclass
class Server:
    """A postgres standing in for one Aurora PostgreSQL cluster."""

    resource_id: str
    port: int
    master_username: str
    master_password: str = field(repr=False)
    force_ssl: bool = False
    db_name: str | None = None
    state: str = STARTING
    error: str | None = None
    proc: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    ready_event: threading.Event = field(default_factory=threading.Event, repr=False)

    @property
    def directory(self) -> Path:
        return state_dir() / "postgresql" / self.resource_id

    @property
    def datadir(self) -> Path:
        return self.directory / "data"

    @property
    def alive(self) -> bool:
        return self.proc is not None and alive(self.proc)

    def describe(self) -> dict[str, Any]:
        return {"engine": "aurora-postgresql", "resource_id": self.resource_id, "host": AWS_HOST, "port": self.port,
                "pid": self.proc.pid if self.proc else None, "alive": self.alive, "state": self.state,
                "error": self.error, "force_ssl": self.force_ssl, "datadir": str(self.datadir)}

    def hba(self) -> str:
        """pg_hba.conf as RDS writes it: hostssl only under rds.force_ssl=1, host otherwise."""
        lines = ["local all all trust"]
        if self.force_ssl:
            lines += [f"hostssl all all {AWS_HOST}/32 scram-sha-256", "hostnossl all all 0.0.0.0/0 reject"]
        else:
            lines += [f"host all all {AWS_HOST}/32 scram-sha-256"]
        return "\n".join(lines) + "\n"

    def sql(self, statement: str, database: str = "postgres") -> str:
        """Run ``statement`` as the bootstrap superuser over the Unix socket (never the network)."""
        return _run([str(_bin_dir() / "psql"), "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-h", str(self.datadir),
                     "-p", str(self.port), "-U", ADMIN, "-d", database], f"psql on {self.resource_id}",
                    input=statement).stdout


_LOCK = threading.RLock()
_TEMPLATE_LOCK = threading.Lock()
_SERVERS: dict[str, Server] = {}


def _root() -> Path:
    path = state_dir() / "postgresql"
    path.mkdir(parents=True, exist_ok=True)
    account = _account()
    if account is not None:
        os.chown(path, *account)
    return path


def _template() -> Path:
    """An initialised, empty cluster directory, made once and copied for each server (copying beats initdb)."""
    template = _root() / ".template"
    with _TEMPLATE_LOCK:
        if not (template / "PG_VERSION").exists():
            shutil.rmtree(template, ignore_errors=True)
            template.mkdir(parents=True)
            _chown(template)
            _run([str(_bin_dir() / "initdb"), "-D", str(template), "-U", ADMIN, "--auth-local=trust",
                  "--auth-host=scram-sha-256", "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync"], "initdb")
    return template


def start_server(resource_id: str, master_username: str, master_password: str, force_ssl: bool,
                 db_name: str | None = None) -> Server:
    """Reserve a port and start the server in the background; ``state(resource_id)`` tells when it answers."""
    key = resource_id.lower()
    with _LOCK:
        existing = _SERVERS.get(key)
        if existing is not None:
            return existing
        server = Server(key, free_port(_first_port()), master_username, master_password, force_ssl, db_name)
        _SERVERS[key] = server
    threading.Thread(target=_boot, args=(server,), name=f"postgresql-{key}", daemon=True).start()
    return server


def _boot(server: Server) -> None:
    try:
        shutil.rmtree(server.directory, ignore_errors=True)
        server.directory.mkdir(parents=True)
        shutil.copytree(_template(), server.datadir)
        server.datadir.chmod(0o700)
        cert, key = tls.server_certificate(f"postgresql-{server.resource_id}")
        shutil.copy(cert, server.datadir / "server.crt")
        shutil.copy(key, server.datadir / "server.key")
        (server.datadir / "server.key").chmod(0o600)
        (server.datadir / "pg_hba.conf").write_text(server.hba())
        with (server.datadir / "postgresql.conf").open("a") as conf:
            conf.write(f"\nlisten_addresses = '{AWS_HOST}'\nport = {server.port}\n"
                       f"unix_socket_directories = '{server.datadir}'\nssl = on\nssl_min_protocol_version = 'TLSv1.2'\n"
                       "password_encryption = 'scram-sha-256'\nshared_buffers = 16MB\nmax_connections = 40\n"
                       "fsync = off\nlogging_collector = off\n")
        _chown(server.directory)
        account = _account()
        with (server.directory / "postgres.log").open("ab") as out:
            server.proc = subprocess.Popen(
                [str(_bin_dir() / "postgres"), "-D", str(server.datadir)], stdout=out, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True,
                user=account[0] if account else None, group=account[1] if account else None)
        if not wait_for_port(server.port, START_TIMEOUT):
            raise RuntimeError(f"postgres for {server.resource_id} did not listen on {server.port}")
        statements = [f"CREATE ROLE {_quote_ident(server.master_username)} LOGIN CREATEDB CREATEROLE "
                      f"PASSWORD {_quote_literal(server.master_password)};"]
        if server.db_name:
            statements.append(f"CREATE DATABASE {_quote_ident(server.db_name)} "
                              f"OWNER {_quote_ident(server.master_username)};")
        server.sql("\n".join(statements))
        server.state = READY
        LOG.info("postgresql for %s answers on port %s", server.resource_id, server.port)
    except Exception as exc:
        LOG.exception("postgresql for %s failed to start", server.resource_id)
        server.state, server.error = FAILED, str(exc)
        if server.proc is not None:
            terminate(server.proc)
    finally:
        server.ready_event.set()


def get(resource_id: str) -> Server | None:
    with _LOCK:
        return _SERVERS.get(resource_id.lower())


def state_of(resource_id: str) -> str | None:
    server = get(resource_id)
    return server.state if server is not None else None


def wait_ready(resource_id: str, timeout: float) -> bool:
    server = get(resource_id)
    return server is not None and server.ready_event.wait(timeout) and server.state == READY


def set_master_password(resource_id: str, password: str) -> None:
    server = get(resource_id)
    if server is None or not server.ready_event.wait(START_TIMEOUT) or server.state != READY:
        return
    server.master_password = password
    server.sql(f"ALTER ROLE {_quote_ident(server.master_username)} PASSWORD {_quote_literal(password)};")


def set_force_ssl(resource_id: str, force_ssl: bool) -> None:
    """rds.force_ssl is dynamic on Aurora: rewrite pg_hba.conf and reload."""
    server = get(resource_id)
    if server is None or server.force_ssl == force_ssl:
        return
    server.force_ssl = force_ssl
    if server.ready_event.wait(START_TIMEOUT) and server.state == READY:
        (server.datadir / "pg_hba.conf").write_text(server.hba())
        server.sql("SELECT pg_reload_conf();")


def stop(resource_id: str, delete_data: bool = True) -> None:
    with _LOCK:
        server = _SERVERS.pop(resource_id.lower(), None)
    if server is None:
        return
    if server.proc is not None:
        terminate(server.proc)
    release_port(server.port)
    if delete_data:
        shutil.rmtree(server.directory, ignore_errors=True)


def servers() -> list[dict[str, Any]]:
    """Every server this process started."""
    with _LOCK:
        return [server.describe() for server in _SERVERS.values()]


def stop_all(delete_data: bool = False) -> None:
    """Stop every server, including ones a killed sandbox left behind (found by their postmaster.pid)."""
    with _LOCK:
        ids = list(_SERVERS)
    for resource_id in ids:
        stop(resource_id, delete_data=delete_data)
    root = state_dir() / "postgresql"
    for pid_file in root.glob("*/data/postmaster.pid") if root.is_dir() else []:
        with contextlib.suppress(OSError, ValueError, IndexError):
            pid = int(pid_file.read_text().splitlines()[0])
            if pid_alive(pid) and "postgres" in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace"):
                terminate(pid)
