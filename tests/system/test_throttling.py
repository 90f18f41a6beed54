"""A converge with 20% of the AWS calls throttled succeeds and creates no duplicate; the next run changes nothing.

Both runs are the shared environment's (conftest.shared_environment).
"""

from __future__ import annotations

from conftest import recap

HOSTS = ("opensearch", "documentdb", "mysql", "redis")


def test_throttled_converge_succeeds_without_duplicates(shared_environment):
    result, calls = shared_environment.created, shared_environment.created_calls

    for host in HOSTS:
        assert recap(result.stdout, host)["failed"] == 0, result.stdout[-3000:]
    assert calls["totals"]["faulted"] >= 10, calls  # the faults really happened
    assert shared_environment.created_resources == {
        "db_instances": 4, "db_clusters": 1, "domains": 1, "replication_groups": 1,
        "db_parameter_groups": 1, "cluster_parameter_groups": 1, "cache_parameter_groups": 1,
        "db_subnet_groups": 1, "cache_subnet_groups": 1, "kms_keys": 1, "kms_aliases": 1, "security_groups": 1,
        # MySQL admin + edxapp001, migrate and read_only; DocumentDB master, OpenSearch master + app, Redis AUTH token
        "secrets": 8,
        # MySQL error/general/slowquery, DocumentDB audit/profiler, OpenSearch 3, Redis slow/engine
        "log_groups": 10,
        "iam_roles": 1,
    }


def test_the_run_after_changes_nothing(shared_environment):
    again = shared_environment.rerun
    for host in HOSTS:
        assert recap(again.stdout, host)["changed"] == 0, again.stdout[-3000:]
        assert recap(again.stdout, host)["failed"] == 0, again.stdout[-3000:]
    assert shared_environment.rerun_calls["totals"]["mutating"] == 0, shared_environment.rerun_calls["mutating"]
