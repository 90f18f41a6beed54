"""A MySQL instance AWS took past its settings is kept as it is, not shrunk nor downgraded.

Storage autoscaling grows the volume past ``rds_mysql_allocated_storage`` and an automatic minor version upgrade
moves the engine past ``rds_mysql_engine_version``; RDS refuses to shrink storage or downgrade an engine, so a run
that sent the settings as they are would fail half-way on AWS (the sandbox, like moto, would quietly do it). On the
shared environment (conftest.shared_environment), converged: move its MySQL on as AWS would, then check the next run
leaves it alone and says so, and the run after it changes nothing.
"""

from __future__ import annotations

import yaml
from conftest import ROOT, WITHOUT_HANDOFF, aws, ledger, recap, run_playbook, sandbox


def _instance(identifier: str) -> dict:
    return aws("rds").describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]


def test_storage_autoscaling_grew_and_a_minor_upgrade_are_kept(shared_environment):
    # The hand-off has tests of its own: these runs write connections.yml only.
    extra_vars = {**shared_environment.extra_vars, **WITHOUT_HANDOFF}
    identifier = f"openedx-{shared_environment.name}-mysql"
    before = _instance(identifier)
    assert (before["AllocatedStorage"], before["EngineVersion"]) == (100, "8.0.42"), before

    # What AWS does on its own: autoscaling grows the volume, the maintenance window brings a minor version.
    rds = aws("rds")
    rds.modify_db_instance(DBInstanceIdentifier=identifier, AllocatedStorage=120, EngineVersion="8.0.43",
                           ApplyImmediately=True)
    rds.get_waiter("db_instance_available").wait(DBInstanceIdentifier=identifier,
                                                 WaiterConfig={"Delay": 1, "MaxAttempts": 120})

    sandbox("reset")
    again = run_playbook("--limit", "mysql", extra_vars=extra_vars)
    assert recap(again.stdout)["failed"] == 0, again.stdout[-3000:]
    assert "rds:ModifyDBInstance" not in ledger()["mutating"], ledger()["mutating"]
    after = _instance(identifier)
    assert (after["AllocatedStorage"], after["EngineVersion"]) == (120, "8.0.43"), after
    assert "keeps 120 GiB of storage" in again.stdout and "MySQL 8.0.43" in again.stdout, again.stdout[-3000:]
    connections = yaml.safe_load((ROOT / "artifacts" / shared_environment.name / "connections.yml").read_text())
    assert connections["services"]["mysql"]["engine_version"] == "8.0.43"

    # Nothing left to change: the run after it changes nothing.
    sandbox("reset")
    third = run_playbook("--limit", "mysql", extra_vars=extra_vars)
    assert recap(third.stdout)["changed"] == 0, third.stdout[-3000:]
    assert ledger()["totals"]["mutating"] == 0, ledger()["mutating"]
