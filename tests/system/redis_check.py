"""Check a Redis replication group the way the platform reaches it, and that it refuses anything less.

Reads the ``redis`` entry of ``connections.yml`` (or the role's ``redis_result.connection``), fetches the AUTH
token from Secrets Manager by its ``secret_arn``, then:

- connects over TLS, verifying the server certificate and host name against the CA bundle, authenticates with
  the token and writes, reads and deletes a key;
- expects a TLS connection without the token to be refused (``NOAUTH``) and one with a wrong token too;
- expects a plaintext connection, even with the right token, to fail.

Run by the molecule scenario's verify (``molecule/default/verify.yml``), and runnable on its own against any
environment::

    python tests/system/redis_check.py artifacts/local/connections.yml --endpoint-url http://127.0.0.1:4566

The token is never printed.
"""

from __future__ import annotations

import argparse
import json
import secrets
import sys
from pathlib import Path
from typing import Any

import boto3
import redis
import yaml
from redis.backoff import NoBackoff
from redis.retry import Retry

TIMEOUT = 5.0


class RedisCheckError(AssertionError):
    """The group let in a client it should refuse, or refused the platform."""


def read_auth_token(secret_arn: str, endpoint_url: str | None = None, region: str = "us-east-1") -> str:
    """The ``auth_token`` of the secret (the shape the redis role stores)."""
    options: dict[str, Any] = {"region_name": region}
    if endpoint_url:
        options.update(endpoint_url=endpoint_url, aws_access_key_id="sandbox-access-key",
                       aws_secret_access_key="sandbox-secret-key")
    value = boto3.client("secretsmanager", **options).get_secret_value(SecretId=secret_arn)["SecretString"]
    return json.loads(value)["auth_token"]


def _client(host: str, port: int, token: str | None, ca_bundle: str | None) -> redis.Redis:
    options: dict[str, Any] = {"host": host, "port": port, "password": token, "socket_timeout": TIMEOUT,
                               "socket_connect_timeout": TIMEOUT, "retry": Retry(NoBackoff(), 0),
                               "decode_responses": True}
    if ca_bundle:
        options.update(ssl=True, ssl_ca_certs=ca_bundle, ssl_cert_reqs="required", ssl_check_hostname=True)
    return redis.Redis(**options)


def _refused(host: str, port: int, token: str | None, ca_bundle: str | None) -> str | None:
    """Why the connection was refused, or None when the server answered PING."""
    try:
        with _client(host, port, token, ca_bundle) as client:
            client.ping()
    except redis.AuthenticationError as exc:
        return f"authentication: {exc}"
    except redis.ResponseError as exc:
        # Redis 7 answers NOAUTH to a command sent before AUTH.
        return f"response: {exc}"
    except redis.ConnectionError as exc:
        return f"connection: {exc}"
    return None


def check_redis(connection: dict[str, Any], token: str) -> dict[str, str]:
    """Run the checks against ``connection`` ({primary_host, port, ca_bundle, url, tls}); raise on a failure."""
    host, port, ca_bundle = connection["primary_host"], int(connection["port"]), connection["ca_bundle"]
    if not host:
        raise RedisCheckError("the connection has no primary_host (was the group created?)")
    if connection.get("url") != f"rediss://{host}:{port}":
        raise RedisCheckError(f"url should be rediss://{host}:{port}, got {connection.get('url')!r}")
    outcome: dict[str, str] = {}

    key, value = f"openedx-data-services-check-{secrets.token_hex(4)}", secrets.token_hex(8)
    with _client(host, port, token, ca_bundle) as client:
        client.set(key, value, ex=60)
        if client.get(key) != value:
            raise RedisCheckError("a key written over TLS with the AUTH token did not read back")
        client.delete(key)
        outcome["tls_with_token"] = f"read and wrote over TLS as {client.execute_command('ACL WHOAMI')}"

    for name, attempt_token, attempt_ca in (
        ("tls_without_token", None, ca_bundle),
        ("tls_with_wrong_token", "Wrong-token-" + secrets.token_hex(8), ca_bundle),
        ("plaintext_with_token", token, None),
        ("plaintext_without_token", None, None),
    ):
        reason = _refused(host, port, attempt_token, attempt_ca)
        if reason is None:
            raise RedisCheckError(f"{name.replace('_', ' ')}: the server accepted the client")
        outcome[name] = f"refused ({reason.split(':', maxsplit=1)[0]})"
    return outcome


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("connections", type=Path, help="connections.yml, or a YAML/JSON file holding the redis dict")
    parser.add_argument("--endpoint-url", help="AWS endpoint (the sandbox); default: AWS")
    parser.add_argument("--region", default="us-east-1")
    args = parser.parse_args(argv)
    document = yaml.safe_load(args.connections.read_text())
    connection = document.get("services", {}).get("redis", document) if isinstance(document, dict) else {}
    token = read_auth_token(connection["secret_arn"], args.endpoint_url, args.region)
    try:
        outcome = check_redis(connection, token)
    except RedisCheckError as exc:
        print(f"FAILED: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(outcome, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
