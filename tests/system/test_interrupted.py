"""A provision killed in the middle, while its resources are still being created, converges when run again.

Runs on a sandbox of its own with simulated time (SANDBOX_TIME_SCALE=2: an OpenSearch domain with dedicated
masters takes 40 s), so that the kill really lands while AWS is still creating: the playbook is killed with
its whole process group as soon as every service's creation has been requested.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import urllib.request

import boto3
import pytest
import yaml
from conftest import ANSIBLE_PLAYBOOK, CORE_SERVICES_LIMIT, PYTHON, ROOT, fresh_environment, recap, run_playbook

PORT = 4598
SANDBOX_ENV = {
    "SANDBOX_AWS_PORT": str(PORT),
    "SANDBOX_MYSQL_FIRST_PORT": "15306",
    "SANDBOX_REDIS_FIRST_PORT": "18379",
    "SANDBOX_OPENSEARCH_FIRST_PORT": "21200",
    "SANDBOX_DOCDB_FIRST_PORT": "22017",
    "SANDBOX_STATE_DIR": str(ROOT / ".sandbox" / "interrupted"),
    "SANDBOX_TIME_SCALE": "2",
}
ENVIRONMENT = "interrupted"
HOSTS = ("opensearch", "documentdb", "mysql", "redis")
# One creation request per service: when all have been made, the run is mid-provision.
CREATIONS = ("rds:CreateDBInstance", "rds:CreateDBCluster", "es:CreateDomain", "elasticache:CreateReplicationGroup")


def _sandbox(*args: str) -> str:
    return subprocess.run([PYTHON, "-m", "sandbox", *args], cwd=ROOT, env=dict(os.environ, **SANDBOX_ENV),
                          check=True, capture_output=True, text=True).stdout


def _ledger() -> dict:
    with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/_sandbox/calls", timeout=10) as response:
        return json.loads(response.read())


def _aws(service: str):
    return boto3.client(service, endpoint_url=f"http://127.0.0.1:{PORT}", region_name="us-east-1",
                        aws_access_key_id="sandbox-access-key", aws_secret_access_key="sandbox-secret-key")


@pytest.fixture
def timed_sandbox():
    subprocess.run([PYTHON, "-m", "sandbox", "down"], cwd=ROOT, env=dict(os.environ, **SANDBOX_ENV), check=False,
                   capture_output=True)
    _sandbox("up")
    yield {
        **fresh_environment(ENVIRONMENT),
        "data_services_aws_endpoint_url": f"http://127.0.0.1:{PORT}",
        "data_services_ca_bundle": f"{SANDBOX_ENV['SANDBOX_STATE_DIR']}/tls/ca.pem",
        "data_services_wait_delay": 1,
    }
    _sandbox("down")


def _counts() -> dict[str, object]:
    prefix = f"openedx-{ENVIRONMENT}-"
    rds = _aws("rds")
    instances = [i for i in rds.describe_db_instances()["DBInstances"] if i["DBInstanceIdentifier"].startswith(prefix)]
    return {
        "mysql_instances": sum(i["Engine"] == "mysql" for i in instances),
        "docdb_clusters": sum(c["DBClusterIdentifier"].startswith(prefix)
                              for c in rds.describe_db_clusters()["DBClusters"]),
        "docdb_instances": sum(i["Engine"] == "docdb" for i in instances),
        "domains": sorted(d["DomainName"] for d in _aws("opensearch").list_domain_names()["DomainNames"]),
        "replication_groups": len(_aws("elasticache").describe_replication_groups()["ReplicationGroups"]),
        "kms_keys": len(_aws("kms").list_keys()["Keys"]),
        "secrets": sorted(s["Name"] for s in _aws("secretsmanager").list_secrets()["SecretList"]),
    }


def test_killed_provision_converges_without_duplicates(timed_sandbox: dict) -> None:
    extra = timed_sandbox
    command = [ANSIBLE_PLAYBOOK, "playbooks/data-services.yml", "-i", "inventories/local", "-e", json.dumps(extra),
               *CORE_SERVICES_LIMIT]
    environment = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), ANSIBLE_NOCOLOR="1")
    connections_file = ROOT / "artifacts" / ENVIRONMENT / "connections.yml"
    connections_file.unlink(missing_ok=True)
    with open(ROOT / ".sandbox" / "interrupted" / "killed-run.log", "w") as log:
        run = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
        try:
            deadline = time.monotonic() + 300
            while time.monotonic() < deadline and run.poll() is None:
                if all(action in _ledger()["mutating"] for action in CREATIONS):
                    break
                time.sleep(0.5)
            assert run.poll() is None, "the playbook ended before every creation was requested"
        finally:
            # The playbook and every module process it started, whatever happened above.
            if run.poll() is None:
                os.killpg(run.pid, signal.SIGKILL)
            run.wait(timeout=30)

    # Killed mid-provision: something is still being created, and connections.yml was never written.
    assert not connections_file.exists()
    still_creating = [i["DBInstanceStatus"] for i in _aws("rds").describe_db_instances()["DBInstances"]]
    domains = _aws("opensearch").list_domain_names()["DomainNames"]
    assert "creating" in still_creating or any(
        _aws("opensearch").describe_domain(DomainName=d["DomainName"])["DomainStatus"]["Processing"] for d in domains)
    before = _counts()

    rerun = run_playbook(extra_vars=extra, timeout=900)
    for host in HOSTS:
        assert recap(rerun.stdout, host)["failed"] == 0, rerun.stdout[-4000:]
    after = _counts()
    assert after == {
        "mysql_instances": 1,
        "docdb_clusters": 1,
        "docdb_instances": 3,
        "domains": [f"openedx-{ENVIRONMENT}-search"],
        "replication_groups": 1,
        "kms_keys": 1,
        "secrets": after["secrets"],
    }
    # Secrets created before the kill were kept (the passwords the resources were created with), none added twice.
    assert set(before["secrets"]) <= set(after["secrets"])
    assert len(after["secrets"]) == len(set(after["secrets"]))
    connections = yaml.safe_load(connections_file.read_text())
    assert set(connections["services"]) == set(HOSTS)

    again = run_playbook(extra_vars=extra, timeout=900)
    for host in HOSTS:
        assert recap(again.stdout, host)["changed"] == 0, again.stdout[-4000:]
        assert recap(again.stdout, host)["failed"] == 0, again.stdout[-4000:]
