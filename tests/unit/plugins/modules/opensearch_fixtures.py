"""Fixtures for the OpenSearch security module tests: a fake security API over HTTPS and a module runner."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest
from ansible.module_utils import basic
from ansible.module_utils.testing import patch_module_args

from sandbox import opensearch_security

MASTER_USER = "admin"
MASTER_PASSWORD = "Sandbox-Master-1!"


class ModuleExit(Exception):
    def __init__(self, result: dict[str, Any], failed: bool) -> None:
        super().__init__(result.get("msg", ""))
        self.result = result
        self.failed = failed


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def security_server(tmp_path, monkeypatch: pytest.MonkeyPatch) -> Iterator[opensearch_security.Server]:
    """A fake domain's security API on a free port, with its state and TLS material under tmp_path."""
    monkeypatch.setenv("SANDBOX_STATE_DIR", str(tmp_path))
    server = opensearch_security.start("testdomain", _free_port(), MASTER_USER, MASTER_PASSWORD)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def security_connection(security_server: opensearch_security.Server, tmp_path) -> dict[str, Any]:
    """The module options that reach the fake domain as its master user, verifying TLS with the sandbox CA."""
    return {
        "endpoint": security_server.endpoint,
        "auth": "basic",
        "master_username": MASTER_USER,
        "master_password": MASTER_PASSWORD,
        "ca_bundle": str(tmp_path / "tls" / "ca.pem"),
    }


def run_module(module: Any, args: dict[str, Any], check_mode: bool = False, diff: bool = True) -> dict[str, Any]:
    """Run a module's main() in-process; its result, or ModuleExit(failed=True) when it fails."""

    def exit_json(self, **kwargs):
        raise ModuleExit(kwargs, failed=False)

    def fail_json(self, msg, **kwargs):
        raise ModuleExit({"msg": msg, **kwargs}, failed=True)

    module_args = {**args, "_ansible_check_mode": check_mode, "_ansible_diff": diff}
    with (
        patch_module_args(module_args),
        mock.patch.object(basic.AnsibleModule, "exit_json", exit_json),
        mock.patch.object(basic.AnsibleModule, "fail_json", fail_json),
    ):
        try:
            module.main()
        except ModuleExit as e:
            if e.failed:
                raise
            return e.result
    raise AssertionError("the module returned without exit_json or fail_json")


def mutating_calls(server: opensearch_security.Server) -> list[tuple[str, str]]:
    return [call for call in server.calls if call[0] in ("PUT", "DELETE", "PATCH", "POST")]
