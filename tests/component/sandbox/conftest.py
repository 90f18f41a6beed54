"""Fixtures for the sandbox tests (the harness itself is in sandbox_harness.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from moto import mock_aws
from ports import free_port_range, free_tcp_port
from sandbox_harness import Sandbox, start_server, stop_server

from sandbox import services
from sandbox.dataplane import redis as redis_dataplane


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    """One real sandbox server for the session, on free ports, with its state in a temporary directory."""
    state_dir = tmp_path_factory.mktemp("sandbox")
    port, mysql_first_port = free_tcp_port(), free_port_range()
    process = start_server(state_dir, port, mysql_first_port)
    try:
        yield Sandbox(f"http://127.0.0.1:{port}", state_dir, mysql_first_port, process)
    finally:
        stop_server(process, state_dir)


@pytest.fixture
def fresh(sandbox: Sandbox) -> Iterator[Sandbox]:
    """The session sandbox with an empty ledger, no faults and time scale 0, restored afterwards."""
    sandbox.control("POST", "/_sandbox/reset")
    sandbox.control("PUT", "/_sandbox/faults", {"seed": None, "rules": []})
    sandbox.time_scale(0)
    yield sandbox
    sandbox.control("PUT", "/_sandbox/faults", {"seed": None, "rules": []})
    sandbox.time_scale(0)


@pytest.fixture
def elasticache_moto(tmp_path, monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    """In-process moto with the ElastiCache hooks, state under tmp_path; yields the first Redis port.

    Every Redis server started by the test is stopped afterwards, and the fixture checks none is left.
    """
    first_port = free_port_range()
    monkeypatch.setenv("SANDBOX_STATE_DIR", str(tmp_path))
    monkeypatch.setenv("SANDBOX_REDIS_FIRST_PORT", str(first_port))
    monkeypatch.setenv("SANDBOX_TIME_SCALE", "0")
    for name, value in (("AWS_DEFAULT_REGION", "us-east-1"), ("AWS_ACCESS_KEY_ID", "testing"),
                        ("AWS_SECRET_ACCESS_KEY", "testing")):
        monkeypatch.setenv(name, value)
    services.apply("elasticache")
    try:
        with mock_aws():
            yield first_port
    finally:
        redis_dataplane.stop_all()
    assert redis_dataplane.servers() == []
