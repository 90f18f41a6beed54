"""``--limit`` acts on the named services only (and the shared foundation) and keeps the others' connection entries.

On an environment of its own: ``--limit redis`` creates Redis and the foundation but no database or domain, and
connections.yml lists Redis alone; a later ``--limit mysql`` adds MySQL, reuses the foundation and keeps Redis in
connections.yml.
"""

from __future__ import annotations

import shutil

import yaml
from conftest import ROOT, aws, fresh_environment, ledger, recap, run_playbook, sandbox

ENVIRONMENT = "limited"
CONNECTIONS = ROOT / "artifacts" / ENVIRONMENT / "connections.yml"
CREATIONS = {
    "redis": "elasticache:CreateReplicationGroup",
    "mysql": "rds:CreateDBInstance",
    "documentdb": "rds:CreateDBCluster",
    "opensearch": "es:CreateDomain",
}
FOUNDATION = ("kms:CreateKey", "ec2:CreateSecurityGroup", "rds:CreateDBSubnetGroup",
              "elasticache:CreateCacheSubnetGroup")


def _limited_run(service: str) -> tuple[str, dict]:
    sandbox("reset")
    result = run_playbook("--limit", service, extra_vars=fresh_environment(ENVIRONMENT))
    assert recap(result.stdout, service)["failed"] == 0, result.stdout[-3000:]
    for other in set(CREATIONS) - {service}:
        assert f"\n{other} " not in result.stdout.split("PLAY RECAP")[-1], f"{other} ran despite --limit {service}"
    return result.stdout, ledger()["mutating"]


def _services() -> set[str]:
    return set(yaml.safe_load(CONNECTIONS.read_text())["services"])


def _alarmed_services() -> set[str]:
    """The services that have alarms: openedx-<env>-<service>-<metric>[-<resource>]."""
    prefix = f"openedx-{ENVIRONMENT}-"
    pages = aws("cloudwatch").get_paginator("describe_alarms").paginate(AlarmNamePrefix=prefix)
    return {alarm["AlarmName"][len(prefix):].split("-")[0] for page in pages for alarm in page["MetricAlarms"]}


def test_limit_provisions_only_the_named_service_and_keeps_the_others():
    groups = aws("elasticache").describe_replication_groups()["ReplicationGroups"]
    assert f"openedx-{ENVIRONMENT}-redis" not in [g["ReplicationGroupId"] for g in groups], (
        f"the {ENVIRONMENT} environment already exists: this test needs a fresh sandbox (python -m sandbox down)")
    shutil.rmtree(CONNECTIONS.parent, ignore_errors=True)

    mutating = _limited_run("redis")[1]
    assert CREATIONS["redis"] in mutating, mutating
    assert not {CREATIONS["mysql"], CREATIONS["documentdb"], CREATIONS["opensearch"]} & set(mutating), mutating
    assert set(FOUNDATION) <= set(mutating), mutating  # the shared foundation comes with the first service
    # No other service's resource: no domain call at all, no database call but the shared subnet group.
    assert [call for call in mutating if call.startswith(("es:", "rds:")) and call != "rds:CreateDBSubnetGroup"] == []
    assert mutating["secretsmanager:CreateSecret"] == 1, mutating  # the AUTH token only
    assert _services() == {"redis"}
    # The alarm topic comes with the foundation, and the alarms of Redis alone.
    assert mutating["sns:CreateTopic"] == 1, mutating
    assert _alarmed_services() == {"redis"}

    mutating = _limited_run("mysql")[1]
    assert CREATIONS["mysql"] in mutating, mutating
    assert not {CREATIONS["redis"], CREATIONS["documentdb"], CREATIONS["opensearch"]} & set(mutating), mutating
    assert not {"kms:CreateKey", "ec2:CreateSecurityGroup"} & set(mutating), mutating  # the foundation is reused
    assert [call for call in mutating if call.startswith(("es:", "elasticache:"))] == [], mutating
    # The master, and edx/configuration's application, migration and read-only users.
    assert mutating["secretsmanager:CreateSecret"] == 4, mutating
    assert _services() == {"mysql", "redis"}
    # The topic is reused; MySQL's alarms are added, Redis's kept.
    assert "sns:CreateTopic" not in mutating and "monitoring:DeleteAlarms" not in mutating, mutating
    assert _alarmed_services() == {"mysql", "redis"}
    connections = yaml.safe_load(CONNECTIONS.read_text())
    assert connections["environment"] == ENVIRONMENT
    assert connections["services"]["redis"]["url"].startswith("rediss://")
