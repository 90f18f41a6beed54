"""One HTTPS security API server per OpenSearch domain (``opensearch_security``), in the sandbox process.

The control plane (``sandbox.services.opensearch``) reports ``localhost:<port>`` as the domain's endpoint, a
name the sandbox CA's server certificates cover, so clients verify TLS against ``.sandbox/tls/ca.pem`` as
they verify a real domain. The servers are threads of the sandbox server, so they end with it.
"""

from __future__ import annotations

import os
import secrets
import threading
from typing import Any

from sandbox import state
from sandbox.dataplane import free_port, opensearch_security, release_port
from sandbox.state import state_dir

HOST = "localhost"

_LOCK = threading.RLock()
_SERVERS: dict[str, opensearch_security.Server] = {}


def _first_port() -> int:
    """SANDBOX_OPENSEARCH_FIRST_PORT read now, so tests can move the range after import."""
    override = os.environ.get("SANDBOX_OPENSEARCH_FIRST_PORT")
    return int(override) if override else state.OPENSEARCH_FIRST_PORT


def _state_file(domain: str) -> Any:
    return state_dir() / "opensearch" / f"{domain}-security.json"


def create(domain: str, master_user: str | None, master_password: str | None, data_nodes: int = 1,
           master_nodes: int = 0, master_arn: str | None = None,
           region: str = state.REGION, encrypted: bool = False) -> opensearch_security.Server:
    """Start a fresh security API for ``domain`` (a previous domain's security index is discarded); the node counts
    are what its ``/_cluster/health`` reports, ``region`` the one SigV4 requests must be scoped to, ``encrypted``
    whether the domain encrypts at rest (its automated snapshots are then in ``cs-automated-enc``).

    Without an internal master user (an IAM master, ``master_arn``, or no fine-grained access control) the server
    is seeded with a random user nobody knows, so every basic-auth request of the master is refused as a real domain
    would; requests signed by ``master_arn`` are the admin.
    """
    user = master_user or f"iam-{secrets.token_hex(4)}"
    password = master_password or secrets.token_urlsafe(24)
    with _LOCK:
        old = _SERVERS.pop(domain, None)
        if old is not None:
            _stop(old)
        _state_file(domain).unlink(missing_ok=True)
        port = free_port(_first_port())
        try:
            server = opensearch_security.start(domain, port, user, password, data_nodes, master_nodes, master_arn,
                                               region, encrypted)
        except OSError:
            release_port(port)
            raise
        server.save()
        _SERVERS[domain] = server
    return server


def get(domain: str) -> opensearch_security.Server | None:
    with _LOCK:
        return _SERVERS.get(domain)


def set_master_user(domain: str, username: str, password: str) -> bool:
    """Make ``username``/``password`` the master user (mapped to all_access and security_manager).

    Returns whether anything changed: the same password for the same user changes nothing.
    """
    server = get(domain)
    if server is None:
        return False
    store = server.store
    with store.lock:
        user = store.data["internalusers"].get(username)
        if user is not None and store.authenticate(username, password) and store.is_admin(username):
            return False
        if user is None:
            store.data["internalusers"][username] = {
                "reserved": False, "hidden": False, "static": False, "hash": "", "backend_roles": [],
                "attributes": {}, "opendistro_security_roles": []}
        store.data["internalusers"][username]["hash"] = opensearch_security.hash_password(password)
        for role in ("all_access", "security_manager"):
            users = store.data["rolesmapping"][role].setdefault("users", [])
            if username not in users:
                users.append(username)
    server.save()
    return True


def set_master_arn(domain: str, arn: str | None) -> None:
    """Make the IAM principal ``arn`` the domain's master (all_access and security_manager for its signed requests)."""
    server = get(domain)
    if server is not None:
        server.store.master_arn = arn


def activate(domain: str) -> None:
    """The domain became active: its automated snapshots start now."""
    server = get(domain)
    if server is not None:
        server.activate()


def set_encrypted(domain: str, encrypted: bool) -> None:
    server = get(domain)
    if server is not None:
        server.set_encrypted(encrypted)


def engine_number(engine_version: str) -> str:
    """The version ``/`` reports for an engine version of the API: OpenSearch_2.19 -> 2.19.0."""
    return engine_version.split("_", 1)[-1] + ".0"


def set_engine(domain: str, engine_version: str) -> None:
    """The domain now runs ``engine_version`` (OpenSearch_2.19); its documents stay."""
    server = get(domain)
    if server is not None:
        server.set_engine(engine_number(engine_version))


def set_nodes(domain: str, data_nodes: int, master_nodes: int) -> None:
    """The domain's node counts changed (a blue/green deployment in AWS); its documents stay."""
    server = get(domain)
    if server is not None:
        server.set_nodes(data_nodes, master_nodes)


def password_matches(domain: str, username: str, password: str) -> bool:
    """Whether ``username`` already logs in with ``password`` on the domain's server."""
    server = get(domain)
    return server is not None and server.store.authenticate(username, password)


def _stop(server: opensearch_security.Server) -> None:
    server.stop()
    release_port(server.port)


def delete(domain: str) -> None:
    """Stop the server of ``domain`` and delete its security index."""
    with _LOCK:
        server = _SERVERS.pop(domain, None)
    if server is not None:
        _stop(server)
    _state_file(domain).unlink(missing_ok=True)


def stop_all() -> None:
    """Stop every server (their security indexes stay on disk until ``down`` removes the state)."""
    with _LOCK:
        servers = list(_SERVERS.values())
        _SERVERS.clear()
    for server in servers:
        _stop(server)


def servers() -> list[dict[str, Any]]:
    """engine, resource, port, pid, alive and tls of each running server."""
    with _LOCK:
        return [{"engine": "opensearch", "resource": name, "port": server.port, "pid": os.getpid(),
                 "alive": server.alive(), "tls": True, "endpoint": f"https://{HOST}:{server.port}"}
                for name, server in _SERVERS.items()]
