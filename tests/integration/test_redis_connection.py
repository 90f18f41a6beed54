"""The converged environment's Redis takes the platform's TLS + AUTH connection and refuses anything less.

Reads the ``redis`` entry of ``artifacts/local/connections.yml`` (written by the converge) and the AUTH token from
Secrets Manager, then runs ``redis_check.check_redis`` against the sandbox's real redis-server.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import redis
import yaml
from conftest import ROOT
from redis_check import check_redis, read_auth_token

# Overridable to check another converged environment or a sandbox on other ports.
CONNECTIONS = Path(os.environ.get("REDIS_CHECK_CONNECTIONS", ROOT / "artifacts" / "local" / "connections.yml"))
SANDBOX_ENDPOINT = f"http://127.0.0.1:{os.environ.get('SANDBOX_AWS_PORT', '4566')}"


@pytest.fixture(scope="module")
def redis_connection() -> dict:
    if not CONNECTIONS.exists():
        pytest.skip(f"{CONNECTIONS} is missing: converge the local environment first")
    document = yaml.safe_load(CONNECTIONS.read_text()) or {}
    connection = document.get("services", {}).get("redis") if "services" in document else document
    if not connection:
        pytest.skip("the environment provisions no Redis")
    return connection


def test_platform_connects_over_tls_with_the_token_and_nothing_less_gets_in(redis_connection: dict) -> None:
    token = read_auth_token(redis_connection["secret_arn"], SANDBOX_ENDPOINT)
    outcome = check_redis(redis_connection, token)
    assert set(outcome) == {"tls_with_token", "tls_without_token", "tls_with_wrong_token", "plaintext_with_token",
                            "plaintext_without_token"}
    assert all(value.startswith("refused") for name, value in outcome.items() if name != "tls_with_token")


def test_connection_settings_carry_no_token(redis_connection: dict) -> None:
    token = read_auth_token(redis_connection["secret_arn"], SANDBOX_ENDPOINT)
    assert token not in yaml.safe_dump(redis_connection)
    assert redis_connection["url"] == f"rediss://{redis_connection['primary_host']}:{redis_connection['port']}"


def test_check_fails_when_the_token_is_wrong(redis_connection: dict) -> None:
    with pytest.raises(redis.AuthenticationError):
        check_redis(redis_connection, "Not-the-token-" + "0" * 16)
