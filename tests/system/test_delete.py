"""Every service role's delete entry point is refused without a confirmation equal to the identifier, before any AWS
call. What a deletion does (deletion protection, final snapshots, what is left) is tested through teardown.yml,
which runs these entry points for the whole environment (test_lifecycle.py).
"""

from __future__ import annotations

from conftest import fresh_environment, ledger, recap, run_playbook, sandbox

ENVIRONMENT = "deleted"
HOSTS = ("mysql", "documentdb", "opensearch", "redis")
IDS = {"mysql": f"openedx-{ENVIRONMENT}-mysql", "documentdb": f"openedx-{ENVIRONMENT}-docdb",
       "opensearch": f"openedx-{ENVIRONMENT}-search", "redis": f"openedx-{ENVIRONMENT}-redis"}
CONFIRMS = {"rds_mysql_delete_confirm": IDS["mysql"], "documentdb_delete_confirm": IDS["documentdb"],
            "opensearch_delete_confirm": IDS["opensearch"], "redis_delete_confirm": IDS["redis"]}
SETTINGS = dict(fresh_environment(ENVIRONMENT), data_services_profile="test")


def _delete(*args: str, **extra_vars) -> str:
    sandbox("reset")
    return run_playbook(*args, playbook="tests/system/delete.yml", extra_vars=dict(SETTINGS, **extra_vars)).stdout


def test_delete_needs_the_identifier_as_confirmation():
    output = _delete(rds_mysql_delete_confirm="yes", documentdb_delete_confirm="openedx-deleted-mysql")

    for host in HOSTS:
        assert recap(output, host)["failed"] == 1, output[-3000:]
    for variable in CONFIRMS:
        assert f"needs {variable} set to" in output, variable
    assert ledger()["totals"]["read"] == 0
