"""connection-check.yml against the shared environment (conftest.shared_environment).

Every service answers the platform: four OKs, exit 0, one Secrets Manager read per service and no other AWS call,
and no password or token in the output even at -vvvv. A Redis AUTH token changed out of band in its secret is a FAIL
of authentication and a non-zero exit, and OK again once the secret is restored. An environment data-services.yml
never wrote is a FAIL for every service, saying to run it first.
"""

from __future__ import annotations

import json
import os
import re
import shutil

import yaml
from conftest import KNOWN_ENVIRONMENTS, ROOT, aws, ledger, run_playbook, sandbox

PLAYBOOK = "playbooks/connection-check.yml"
SERVICES = ("documentdb", "mysql", "opensearch", "redis")
ROW = re.compile(r"^\s*(documentdb|mysql|opensearch|redis)\s+\|\s+(OK|FAIL)\s+\|\s?(.*)$")


def table(output: str) -> dict[str, tuple[str, str]]:
    """The rows of the table the playbook prints: service -> (OK or FAIL, reason)."""
    rows = {}
    for line in output.splitlines():
        match = ROW.match(line)
        if match:
            rows[match.group(1)] = (match.group(2), match.group(3).strip())
    return rows


def _connections(environment: str) -> dict:
    return yaml.safe_load((ROOT / "artifacts" / environment / "connections.yml").read_text())["services"]


def _secret_values(environment: str) -> list[str]:
    client = aws("secretsmanager")
    values = []
    for entry in _connections(environment).values():
        secret = json.loads(client.get_secret_value(SecretId=entry["secret_arn"])["SecretString"])
        values += [secret[key] for key in ("password", "auth_token") if key in secret]
    return values


def test_every_service_answers_the_platform(shared_environment):
    sandbox("reset")
    result = run_playbook("-vvvv", playbook=PLAYBOOK, extra_vars=shared_environment.extra_vars, timeout=300)
    rows = table(result.stdout)
    assert {service: rows.get(service, ("missing", ""))[0] for service in SERVICES} == dict.fromkeys(SERVICES, "OK"), (
        result.stdout[-4000:])
    assert result.returncode == 0, result.stdout[-3000:]
    assert rows["mysql"][1].startswith("SELECT 1 answered 1")
    assert rows["redis"][1] == "PING answered PONG"
    assert rows["opensearch"][1].startswith("GET /_cluster/health: cluster 123456789012:openedx-shared-search is ")
    assert rows["documentdb"][1] == "ping answered ok"

    calls = ledger()
    assert calls["totals"]["mutating"] == 0, calls["mutating"]
    assert calls["read"] == {"secretsmanager:GetSecretValue": len(SERVICES)}, calls["read"]

    secrets = _secret_values(shared_environment.name)
    assert len(secrets) == len(SERVICES)
    assert "AnsiballZ_connection_check.py" in result.stdout  # really the most verbose output
    for secret in secrets:
        assert secret not in result.stdout


def test_a_token_changed_out_of_band_is_a_fail_until_restored(shared_environment):
    extra_vars = shared_environment.extra_vars
    arn = _connections(shared_environment.name)["redis"]["secret_arn"]
    client = aws("secretsmanager")
    original = client.get_secret_value(SecretId=arn)["SecretString"]
    changed = "Changed-0ut-of-band-Token"
    client.put_secret_value(SecretId=arn, SecretString=json.dumps({**json.loads(original), "auth_token": changed}))
    try:
        failed = run_playbook("--limit", "redis", playbook=PLAYBOOK, extra_vars=extra_vars, timeout=300)
    finally:
        client.put_secret_value(SecretId=arn, SecretString=original)
    assert failed.returncode != 0
    assert table(failed.stdout) == {"redis": (
        "FAIL", "authentication: the AUTH token was refused (invalid username-password pair or user is disabled.)")}, (
        failed.stdout[-3000:])
    assert "The platform cannot connect to redis" in failed.stdout
    assert changed not in failed.stdout

    restored = run_playbook("--limit", "redis", playbook=PLAYBOOK, extra_vars=extra_vars, timeout=300)
    assert restored.returncode == 0, restored.stdout[-3000:]
    assert table(restored.stdout) == {"redis": ("OK", "PING answered PONG")}


def test_an_environment_never_provisioned_is_a_fail_for_every_service():
    name = "unprovisioned"
    shutil.rmtree(ROOT / "artifacts" / name, ignore_errors=True)
    extra_vars = {"data_services_environment": name, "data_services_known_environments": [*KNOWN_ENVIRONMENTS, name]}
    result = run_playbook(playbook=PLAYBOOK, extra_vars=extra_vars, timeout=300)
    assert result.returncode != 0
    missing = os.path.realpath(ROOT / "artifacts" / name / "connections.yml")
    reason = f"{missing} does not exist: run playbooks/data-services.yml first"
    assert table(result.stdout) == {service: ("FAIL", reason) for service in SERVICES}, result.stdout[-3000:]
