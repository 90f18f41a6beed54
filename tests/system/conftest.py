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
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
ANSIBLE_PLAYBOOK = str(Path(PYTHON).parent / "ansible-playbook")
KNOWN_ENVIRONMENTS = ["local", "test", "prod", "shared", "limited", "interrupted", "deleted", "torn", "access",
                      "tables", "serverless", "replicated", "pooled"]


def worker_sandbox(worker: str) -> dict[str, str]:
    """The sandbox settings of a pytest-xdist worker: ``gw0`` (or no xdist) the default sandbox, ``gwN`` ports and a
    state directory of its own, in ranges no other sandbox of the suite uses (test_interrupted's included)."""
    number = int(worker[2:]) if worker.startswith("gw") else 0
    if number == 0:
        return {}
    return {"SANDBOX_AWS_PORT": str(4566 + 10 * number),
            "SANDBOX_MYSQL_FIRST_PORT": str(13306 + 1000 * number),
            "SANDBOX_REDIS_FIRST_PORT": str(16379 + 1000 * number),
            "SANDBOX_OPENSEARCH_FIRST_PORT": str(19200 + 1000 * number),
            "SANDBOX_DOCDB_FIRST_PORT": str(17017 + 1000 * number),
            "SANDBOX_POSTGRES_FIRST_PORT": str(15432 + 1000 * number),
            "SANDBOX_STATE_DIR": str(ROOT / ".sandbox" / worker)}


# Set before the test modules are imported: the sandbox CLI, the playbooks' consumers and the tests that read
# these variables (test_handoff_analytics) all follow the worker's sandbox.
os.environ.update(worker_sandbox(os.environ.get("PYTEST_XDIST_WORKER", "gw0")))
SANDBOX_ENDPOINT = f"http://127.0.0.1:{os.environ.get('SANDBOX_AWS_PORT', '4566')}"
SANDBOX_STATE_DIR = Path(os.environ.get("SANDBOX_STATE_DIR", ROOT / ".sandbox"))
CA_BUNDLE = str(SANDBOX_STATE_DIR / "tls" / "ca.pem")
# The services the suite's tests of provisioning converge. The newer ones (Aurora PostgreSQL, DynamoDB) are in
# inventories/local too; their own modules test them, and leaving them out of every other run keeps those runs
# as short as they were. A test that passes --limit chooses for itself. localhost is named: `all` leaves out the
# implicit localhost, which the consumer playbooks run on.
CORE_SERVICES_LIMIT = ("--limit", "all:localhost:!postgresql:!dynamodb")
# Given to every playbook run before the test's own extra vars: the worker's sandbox in place of the inventory's.
SANDBOX_EXTRA_VARS = {"data_services_aws_endpoint_url": SANDBOX_ENDPOINT, "data_services_ca_bundle": CA_BUNDLE}


def sandbox(*args: str) -> str:
    """Run the sandbox CLI on the tests' sandbox (SANDBOX_* settings come through the environment)."""
    result = subprocess.run([PYTHON, "-m", "sandbox", *args], cwd=ROOT, capture_output=True, text=True, check=True)
    return result.stdout


def ledger() -> dict:
    return json.loads(sandbox("calls"))


def run_playbook(*args: str, extra_vars: dict | None = None, playbook: str = "playbooks/data-services.yml",
                 inventory: str = "inventories/local", timeout: int = 900) -> subprocess.CompletedProcess:
    """Run a playbook of the collection the way a user would, returning its combined output."""
    command = [ANSIBLE_PLAYBOOK, playbook, "-i", inventory, "-e", json.dumps(SANDBOX_EXTRA_VARS), *args]
    if not any(arg in ("--limit", "-l") or arg.startswith("--limit=") for arg in args):
        command += CORE_SERVICES_LIMIT
    if extra_vars:
        command += ["-e", json.dumps(extra_vars)]
    environment = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), ANSIBLE_NOCOLOR="1",
                       ANSIBLE_FORCE_COLOR="0", PY_COLORS="0")
    return subprocess.run(command, cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, timeout=timeout, check=False)


# The hand-off switched off: connections.yml only.
WITHOUT_HANDOFF = {"connections_edx_configuration": False, "connections_tutor": False, "connections_k8s": False}


def fresh_environment(name: str, handoff: bool = False) -> dict:
    """Extra vars that point the local inventory at an environment of its own.

    Without ``handoff``, the run writes connections.yml but not the hand-off files (edxapp vars, Tutor, Kubernetes),
    which the shared environment and the tests of the hand-off cover: the tests of provisioning run the playbook many
    times, and the hand-off's file writes would add seconds to each run.
    """
    settings = {"data_services_environment": name, "data_services_known_environments": KNOWN_ENVIRONMENTS}
    return settings if handoff else {**settings, **WITHOUT_HANDOFF}


def aws(service: str):
    return boto3.client(service, endpoint_url=SANDBOX_ENDPOINT, region_name="us-east-1",
                        aws_access_key_id="sandbox-access-key", aws_secret_access_key="sandbox-secret-key")


def secret_values(environment: str) -> list[str]:
    """Every secret value the environment keeps in Secrets Manager: passwords, AUTH tokens, and the key material of
    the instances' SSH private keys, line by line."""
    client = aws("secretsmanager")
    values = []
    for entry in client.list_secrets()["SecretList"]:
        if not entry["Name"].startswith(f"openedx/{environment}/"):
            continue
        text = client.get_secret_value(SecretId=entry["ARN"])["SecretString"]
        if text.startswith("-----BEGIN"):
            values += [line for line in text.splitlines() if len(line) >= 16 and not line.startswith("-----")]
            continue
        secret = json.loads(text)
        values += [secret[key] for key in ("password", "auth_token") if secret.get(key)]
    return values


def recap(output: str, host: str = "mysql") -> dict[str, int]:
    """The PLAY RECAP counters of one host."""
    for line in output.splitlines():
        fields = line.split()
        if fields[:2] == [host, ":"]:
            return {key: int(value) for key, value in (field.split("=") for field in fields[2:])}
    raise AssertionError(f"no PLAY RECAP line for {host} in:\n{output[-3000:]}")


# The modules whose tests use the shared environment (the fixture below).
SHARED_MODULES = frozenset(f"tests/system/{path.name}" for path in Path(__file__).parent.glob("test_*.py")
                           if "shared_environment" in path.read_text())


def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object:
    """With ``pytest -n 2`` (tests/system/run.sh): the modules of the shared environment run on one worker, which
    converges it once; every other module runs whole on either worker, so that an environment of the module's own
    (a module-scoped fixture) is made once too."""
    from xdist.scheduler import LoadScopeScheduling

    class SharedEnvironmentScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            return "shared_environment" if module in SHARED_MODULES else module

    return SharedEnvironmentScheduling(config, log)


# Seconds each xdist worker spent in tests (setup, call and teardown), by module: what to move when one worker
# finishes long after the other.
_WORKER_SECONDS: dict[str, dict[str, float]] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    node = getattr(report, "node", None)  # set by xdist on the controller
    if node is not None:
        modules = _WORKER_SECONDS.setdefault(node.gateway.id, {})
        module = report.nodeid.split("::", 1)[0]
        modules[module] = modules.get(module, 0.0) + report.duration


def pytest_terminal_summary(terminalreporter: object) -> None:
    for worker, modules in sorted(_WORKER_SECONDS.items()):
        terminalreporter.write_line(f"{worker}: {sum(modules.values()):.0f} s in tests: " + ", ".join(
            f"{Path(module).stem} {seconds:.0f}" for module, seconds in
            sorted(modules.items(), key=lambda item: -item[1])))


@pytest.fixture(scope="session", autouse=True)
def running_sandbox():
    """The worker's sandbox: started unless it runs, and then stopped at the end."""
    status = subprocess.run([PYTHON, "-m", "sandbox", "status"], cwd=ROOT, capture_output=True, text=True, check=False)
    started = status.returncode != 0
    if started:
        sandbox("up")
    yield
    if started:
        sandbox("down")


def count_resources(environment: str) -> dict[str, int]:
    """Every resource of each kind the environment has, by name or tag."""
    prefix = f"openedx-{environment}-"
    kms, rds, elasticache = aws("kms"), aws("rds"), aws("elasticache")

    def named(items: list[dict], key: str) -> int:
        return sum(item[key].startswith(prefix) for item in items)

    return {
        # RDS MySQL and the DocumentDB instances (the RDS API lists both)
        "db_instances": named(rds.describe_db_instances()["DBInstances"], "DBInstanceIdentifier"),
        "db_clusters": named(rds.describe_db_clusters()["DBClusters"], "DBClusterIdentifier"),
        "domains": named(aws("opensearch").list_domain_names()["DomainNames"], "DomainName"),
        "replication_groups": named(elasticache.describe_replication_groups()["ReplicationGroups"],
                                    "ReplicationGroupId"),
        "db_parameter_groups": named(rds.describe_db_parameter_groups()["DBParameterGroups"], "DBParameterGroupName"),
        "cluster_parameter_groups": named(rds.describe_db_cluster_parameter_groups()["DBClusterParameterGroups"],
                                          "DBClusterParameterGroupName"),
        "cache_parameter_groups": named(elasticache.describe_cache_parameter_groups()["CacheParameterGroups"],
                                        "CacheParameterGroupName"),
        "db_subnet_groups": named(rds.describe_db_subnet_groups()["DBSubnetGroups"], "DBSubnetGroupName"),
        "cache_subnet_groups": named(elasticache.describe_cache_subnet_groups()["CacheSubnetGroups"],
                                     "CacheSubnetGroupName"),
        "kms_keys": sum(any(t["TagKey"] == "Environment" and t["TagValue"] == environment
                            for t in kms.list_resource_tags(KeyId=k["KeyId"]).get("Tags", []))
                        for k in kms.list_keys()["Keys"]),
        "kms_aliases": sum(a["AliasName"] == f"alias/{prefix}data-services" for a in kms.list_aliases()["Aliases"]),
        "security_groups": len(aws("ec2").describe_security_groups(
            Filters=[{"Name": "group-name", "Values": [f"{prefix}data-services"]}])["SecurityGroups"]),
        "secrets": sum(s["Name"].startswith(f"openedx/{environment}/")
                       for s in aws("secretsmanager").list_secrets()["SecretList"]),
        # /aws/{rds/instance,docdb,opensearch,elasticache}/openedx-<env>-<service>/<kind>
        "log_groups": sum(f"/{prefix}" in g["logGroupName"]
                          for page in aws("logs").get_paginator("describe_log_groups").paginate()
                          for g in page["logGroups"]),
        "iam_roles": named(aws("iam").list_roles()["Roles"], "RoleName"),
        # The Analytics stack's, where the environment has one (site.yml).
        "all_security_groups": named(aws("ec2").describe_security_groups()["SecurityGroups"], "GroupName"),
        "buckets": named(aws("s3").list_buckets()["Buckets"], "Name"),
        "instance_profiles": named(aws("iam").list_instance_profiles()["InstanceProfiles"], "InstanceProfileName"),
        "key_pairs": named(aws("ec2").describe_key_pairs()["KeyPairs"], "KeyName"),
        "alarms": sum(len(page["MetricAlarms"]) for page in
                      aws("cloudwatch").get_paginator("describe_alarms").paginate(AlarmNamePrefix=prefix)),
        "topics": sum(topic["TopicArn"].rsplit(":", 1)[-1].startswith(prefix) for topic in aws("sns").list_topics()[
            "Topics"]),
        "instances": sum(tag["Key"] == "Name" and tag["Value"].startswith(prefix)
                         for reservation in aws("ec2").describe_instances(Filters=[
                             {"Name": "instance-state-name", "Values": ["pending", "running"]}])["Reservations"]
                         for instance in reservation["Instances"] for tag in instance.get("Tags", [])),
    }


@dataclass
class SharedEnvironment:
    name: str
    extra_vars: dict
    created: subprocess.CompletedProcess
    created_calls: dict
    created_resources: dict[str, int]
    rerun: subprocess.CompletedProcess
    rerun_calls: dict


@pytest.fixture(scope="session")
def shared_environment() -> SharedEnvironment:
    """A fresh prod-shaped environment that the tests whose property allows it share, instead of each converging one
    of its own: the data services and the Analytics stack (site.yml), created at -vvvv with 20% of the AWS calls
    throttled, then run again at -vvvv without faults."""
    extra_vars = fresh_environment("shared", handoff=True)
    sandbox("reset")
    sandbox("faults", "--throttle-rate", "0.2", "--seed", "7")
    try:
        created = run_playbook("-vvvv", extra_vars=extra_vars, playbook="playbooks/site.yml")
    finally:
        sandbox("faults", "--clear")
    created_calls = ledger()
    created_resources = count_resources("shared")
    sandbox("reset")
    rerun = run_playbook("-vvvv", extra_vars=extra_vars, playbook="playbooks/site.yml")
    return SharedEnvironment("shared", extra_vars, created, created_calls, created_resources, rerun, ledger())
