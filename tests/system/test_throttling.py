"""A converge with 20% of the AWS calls throttled succeeds and creates no duplicate; the next run changes nothing.

Both runs are the shared environment's (conftest.shared_environment): site.yml, the data services and the Analytics
stack.
"""

from __future__ import annotations

from conftest import recap

HOSTS = ("opensearch", "documentdb", "mysql", "redis", "analytics_mysql", "analytics_search", "analytics_instances")


def test_throttled_converge_succeeds_without_duplicates(shared_environment):
    result, calls = shared_environment.created, shared_environment.created_calls

    for host in HOSTS:
        assert recap(result.stdout, host)["failed"] == 0, result.stdout[-3000:]
    assert calls["totals"]["faulted"] >= 10, calls  # the faults really happened
    assert shared_environment.created_resources == {
        # MySQL, 3 DocumentDB instances, the Analytics MySQL
        "db_instances": 5, "db_clusters": 1, "domains": 2, "replication_groups": 1,
        "db_parameter_groups": 2, "cluster_parameter_groups": 1, "cache_parameter_groups": 1,
        "db_subnet_groups": 1, "cache_subnet_groups": 1, "kms_keys": 1, "kms_aliases": 1, "security_groups": 1,
        # MySQL admin + edxapp001, migrate, read_only and edxapp_ro; DocumentDB master, OpenSearch master + app, Redis
        # AUTH token; the Analytics MySQL's admin, analytics and reports001 (its migrate takes the edxapp one's
        # password); the two instances' SSH keys (the learners index has an IAM master and no application user)
        "secrets": 14,
        # MySQL error/general/slowquery (twice), DocumentDB audit/profiler, OpenSearch 3 (twice), Redis slow/engine
        "log_groups": 16,
        # The two MySQL's monitoring roles; EMR's service and instance roles, the analytics instance's, the reports
        # reader and the director's
        "iam_roles": 7,
        # The data services'; the analytics instance's, EMR's 3, the Analytics MySQL's and the learners index's
        "all_security_groups": 7,
        "buckets": 5, "instance_profiles": 3, "key_pairs": 2, "instances": 2,
        # MySQL 4; DocumentDB 4 per instance and 1 for the cluster; Redis 4 per member cluster; OpenSearch 5. The
        # environment's alarm topic.
        "alarms": 34, "topics": 1,
    }


def test_the_run_after_changes_nothing(shared_environment):
    again = shared_environment.rerun
    for host in HOSTS:
        assert recap(again.stdout, host)["changed"] == 0, again.stdout[-3000:]
        assert recap(again.stdout, host)["failed"] == 0, again.stdout[-3000:]
    assert shared_environment.rerun_calls["totals"]["mutating"] == 0, shared_environment.rerun_calls["mutating"]
