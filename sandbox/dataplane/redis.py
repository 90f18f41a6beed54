"""One real redis-server per ElastiCache replication group.

The control plane (``sandbox.services.elasticache``) reports ``127.0.0.1:<port>`` as the group's
primary and reader endpoints, so clients talk to a real Redis 7 with the group's TLS, AUTH token and
parameter group. Passwords only ever reach disk as SHA-256 hashes (ACL ``#<hash>``).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import redis as redis_py
from redis.backoff import NoBackoff
from redis.retry import Retry

from sandbox import state
from sandbox.dataplane import alive, free_port, port_open, release_port, start, terminate
from sandbox.state import AWS_HOST, state_dir
from sandbox.tls import ca_bundle, server_certificate

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
MAXMEMORY = "64mb"
_RESTARTS = 3
# Parameter-group parameters whose name and values mean the same to redis-server as to ElastiCache.
APPLIED = frozenset({
    "active-expire-effort", "activedefrag", "client-query-buffer-limit", "hash-max-listpack-entries",
    "hash-max-listpack-value", "hll-sparse-max-bytes", "latency-tracking", "lazyfree-lazy-eviction",
    "lazyfree-lazy-expire", "lazyfree-lazy-server-del", "lazyfree-lazy-user-del", "lazyfree-lazy-user-flush",
    "lfu-decay-time", "lfu-log-factor", "list-compress-depth", "list-max-listpack-size", "maxmemory-policy",
    "maxmemory-samples", "min-replicas-max-lag", "min-replicas-to-write", "notify-keyspace-events",
    "proto-max-bulk-len", "repl-backlog-size", "repl-backlog-ttl", "set-max-intset-entries",
    "slowlog-log-slower-than", "slowlog-max-len", "stream-node-max-bytes", "stream-node-max-entries",
    "tcp-keepalive", "timeout", "tracking-table-max-keys", "zset-max-listpack-entries", "zset-max-listpack-value",
})

_LOCK = threading.RLock()
_SERVERS: dict[str, RedisServer] = {}


def _first_port() -> int:
    """SANDBOX_REDIS_FIRST_PORT read now, so tests can move the range after import."""
    override = os.environ.get("SANDBOX_REDIS_FIRST_PORT")
    return int(override) if override else state.REDIS_FIRST_PORT


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _acl_rules(tokens: list[str]) -> list[str]:
    """ACL SETUSER rules giving ``default`` full access with exactly ``tokens`` (none: no password)."""
    passwords = [f"#{_hash(token)}" for token in tokens] if tokens else ["nopass"]
    return ["on", "resetpass", *passwords, "~*", "&*", "+@all"]


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


@dataclass
class RedisServer:
    """A redis-server standing in for one replication group."""

    resource_id: str
    tls: bool
    tokens: list[str]
    parameters: dict[str, str]
    port: int = 0
    proc: subprocess.Popen[bytes] | None = None
    restarts: int = 0
    stopped: bool = False
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    @property
    def directory(self) -> Path:
        return state_dir() / "redis" / self.resource_id

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def running(self) -> bool:
        return self.proc is not None and alive(self.proc)

    def start(self) -> None:
        """Write the config and launch redis-server on the first free port (no waiting)."""
        with self.lock:
            self.directory.mkdir(parents=True, exist_ok=True)
            if not self.port:
                self.port = free_port(_first_port())
            config = self.directory / "redis.conf"
            config.write_text(self._config())
            config.chmod(0o600)
            self.proc = start([REDIS_SERVER, str(config)], self.directory / "redis.log")

    def _config(self) -> str:
        lines = [
            f"bind {AWS_HOST}",
            "protected-mode no",
            "daemonize no",
            'logfile ""',
            f"dir {_quote(str(self.directory))}",
            "dbfilename dump.rdb",
            "save 900 1",
            "appendonly no",
            f"maxmemory {MAXMEMORY}",
            "hz 10",
            "io-threads 1",
            f"user default {' '.join(_acl_rules(self.tokens))}",
        ]
        if self.tls:
            cert, key = server_certificate(f"redis-{self.resource_id}")
            lines += [
                "port 0",
                f"tls-port {self.port}",
                f"tls-cert-file {_quote(str(cert))}",
                f"tls-key-file {_quote(str(key))}",
                f"tls-ca-cert-file {_quote(str(ca_bundle()))}",
                "tls-auth-clients no",
                'tls-protocols "TLSv1.2 TLSv1.3"',
            ]
        else:
            lines.append(f"port {self.port}")
        lines += [f"{name} {_quote(value)}" for name, value in sorted(self.parameters.items()) if name in APPLIED]
        return "\n".join(lines) + "\n"

    def client(self, token: str | None = None, timeout: float = 2.0) -> redis_py.Redis:
        """A client to this server as an application connects (TLS verified against the sandbox CA), without retries."""
        options: dict[str, Any] = {"host": AWS_HOST, "port": self.port, "password": token,
                                   "socket_timeout": timeout, "socket_connect_timeout": timeout,
                                   "retry": Retry(NoBackoff(), 0)}
        if self.tls:
            options.update(ssl=True, ssl_ca_certs=str(ca_bundle()), ssl_cert_reqs="required")
        return redis_py.Redis(**options)

    def _admin(self) -> redis_py.Redis:
        """A connected client authenticated with whichever current token works."""
        last: Exception | None = None
        for token in self.tokens or [None]:
            conn = self.client(token)
            try:
                conn.ping()
                return conn
            except redis_py.RedisError as error:
                conn.close()
                last = error
        raise RuntimeError(f"cannot administer redis for {self.resource_id}: {last}")

    def answers(self) -> bool:
        """Whether the server answers PING; restarts a crashed server a few times."""
        with self.lock:
            if self.stopped:
                return False
            if not self.running():
                if self.restarts >= _RESTARTS:
                    return False
                self.restarts += 1
                release_port(self.port)
                self.port = 0
                self.start()
        if not port_open(self.port):
            return False
        try:
            with self._admin() as conn:
                return bool(conn.ping())
        except (RuntimeError, redis_py.RedisError):
            return False

    def wait(self, timeout: float = 15.0) -> bool:
        """Wait until the server answers; False after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.answers():
                return True
            time.sleep(0.05)
        return False

    def set_tokens(self, tokens: list[str]) -> None:
        """Make exactly ``tokens`` valid for the default user (none: no password) and persist it."""
        with self.lock, self._admin() as conn:
            conn.execute_command("ACL", "SETUSER", "default", *_acl_rules(tokens))
            self.tokens = list(tokens)
            self._rewrite(conn)

    def apply_parameters(self, parameters: dict[str, str]) -> dict[str, str]:
        """CONFIG SET the dynamic parameters redis-server knows; returns {name: error} for any it refused."""
        self.parameters = dict(parameters)
        errors: dict[str, str] = {}
        with self.lock, self._admin() as conn:
            for name, value in sorted(parameters.items()):
                if name not in APPLIED:
                    continue
                try:
                    conn.config_set(name, value)
                except redis_py.RedisError as error:
                    errors[name] = str(error)
            self._rewrite(conn)
        return errors

    def _rewrite(self, conn: redis_py.Redis) -> None:
        # CONFIG REWRITE keeps redis.conf in step so a restarted server keeps tokens and parameters.
        with contextlib.suppress(redis_py.RedisError):
            conn.config_rewrite()

    def save(self, destination: Path) -> int:
        """Write the dataset to disk (SAVE, which returns once the RDB is written) and copy it to ``destination``;
        returns the copy's size in bytes."""
        with self.lock, self._admin() as conn:
            conn.save()
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.directory / "dump.rdb", destination)
        destination.chmod(0o600)
        return destination.stat().st_size

    def stop(self) -> None:
        with self.lock:
            self.stopped = True
            if self.proc is not None:
                terminate(self.proc)
            if self.port:
                release_port(self.port)

    def describe(self) -> dict[str, Any]:
        return {"engine": "redis", "resource": self.resource_id, "port": self.port, "pid": self.pid,
                "alive": self.running(), "tls": self.tls}


def snapshot_path(name: str) -> Path:
    """Where a snapshot's RDB file lives."""
    return state_dir() / "snapshots" / "elasticache" / f"{name}.rdb"


def create(resource_id: str, *, tls: bool, token: str | None, parameters: dict[str, str],
           seed: Path | None = None) -> RedisServer:
    """Start the server for ``resource_id`` (fresh data, or ``seed``'s RDB) without waiting for it."""
    server = RedisServer(resource_id, tls, [token] if token else [], dict(parameters))
    with _LOCK:
        old = _SERVERS.pop(resource_id, None)
        if old is not None:
            old.stop()
        shutil.rmtree(server.directory, ignore_errors=True)
        server.directory.mkdir(parents=True, exist_ok=True)
        if seed is not None and seed.exists():
            shutil.copyfile(seed, server.directory / "dump.rdb")
        server.start()
        _SERVERS[resource_id] = server
    return server


def get(resource_id: str) -> RedisServer | None:
    with _LOCK:
        return _SERVERS.get(resource_id)


def delete(resource_id: str) -> None:
    """Stop the server for ``resource_id`` and delete its data."""
    with _LOCK:
        server = _SERVERS.get(resource_id)
    if server is not None:
        server.stop()
        shutil.rmtree(server.directory, ignore_errors=True)
        with _LOCK:
            if _SERVERS.get(resource_id) is server:
                del _SERVERS[resource_id]


def stop_all() -> None:
    """Stop every server this process started (data stays on disk)."""
    with _LOCK:
        servers = list(_SERVERS.values())
        _SERVERS.clear()
    for server in servers:
        server.stop()


def servers() -> list[dict[str, Any]]:
    """engine, resource, port, pid, alive (and tls) of each server this process started."""
    with _LOCK:
        return [server.describe() for server in _SERVERS.values()]
