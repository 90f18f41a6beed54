"""Integration tests: run the playbooks against the local sandbox and inspect what they did.

The sandbox must be up (``tests/system/run.sh`` starts it; the ``sandbox`` fixture starts it too when
it is not). Tests that need an environment of their own give it a fresh name, so they create fresh resources
beside the converged ``local`` environment without touching it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import boto3
import pytest

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
ANSIBLE_PLAYBOOK = str(Path(PYTHON).parent / "ansible-playbook")
SANDBOX_ENDPOINT = "http://127.0.0.1:4566"
KNOWN_ENVIRONMENTS = ["local", "test", "prod", "leakcheck", "throttled", "drift", "limited", "interrupted", "deleted"]


def sandbox(*args: str) -> str:
    result = subprocess.run([PYTHON, "-m", "sandbox", *args], cwd=ROOT, capture_output=True, text=True, check=True)
    return result.stdout


def ledger() -> dict:
    return json.loads(sandbox("calls"))


def run_playbook(*args: str, extra_vars: dict | None = None, playbook: str = "playbooks/data-services.yml",
                 inventory: str = "inventories/local", timeout: int = 900) -> subprocess.CompletedProcess:
    """Run a playbook of the collection the way a user would, returning its combined output."""
    command = [ANSIBLE_PLAYBOOK, playbook, "-i", inventory, *args]
    if extra_vars:
        command += ["-e", json.dumps(extra_vars)]
    environment = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), ANSIBLE_NOCOLOR="1",
                       ANSIBLE_FORCE_COLOR="0", PY_COLORS="0")
    return subprocess.run(command, cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, timeout=timeout, check=False)


def fresh_environment(name: str) -> dict:
    """Extra vars that point the local inventory at an environment of its own."""
    return {"data_services_environment": name, "data_services_known_environments": KNOWN_ENVIRONMENTS}


def aws(service: str):
    return boto3.client(service, endpoint_url=SANDBOX_ENDPOINT, region_name="us-east-1",
                        aws_access_key_id="sandbox-access-key", aws_secret_access_key="sandbox-secret-key")


def recap(output: str, host: str = "mysql") -> dict[str, int]:
    """The PLAY RECAP counters of one host."""
    for line in output.splitlines():
        fields = line.split()
        if fields[:2] == [host, ":"]:
            return {key: int(value) for key, value in (field.split("=") for field in fields[2:])}
    raise AssertionError(f"no PLAY RECAP line for {host} in:\n{output[-3000:]}")


@pytest.fixture(scope="session", autouse=True)
def running_sandbox():
    status = subprocess.run([PYTHON, "-m", "sandbox", "status"], cwd=ROOT, capture_output=True, text=True, check=False)
    if status.returncode != 0:
        sandbox("up")
    yield
