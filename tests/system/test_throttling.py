"""A converge with 20% of the AWS calls throttled succeeds and creates no duplicate."""

from __future__ import annotations

from conftest import aws, fresh_environment, ledger, recap, run_playbook, sandbox

HOSTS = ("opensearch", "documentdb", "mysql", "redis")


def _count_resources(environment: str) -> dict[str, int]:
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
    }


def test_throttled_converge_succeeds_without_duplicates():
    extra_vars = fresh_environment("throttled")
    sandbox("reset")
    sandbox("faults", "--throttle-rate", "0.2", "--seed", "7")
    try:
        result = run_playbook(extra_vars=extra_vars)
    finally:
        sandbox("faults", "--clear")
    calls = ledger()

    for host in HOSTS:
        assert recap(result.stdout, host)["failed"] == 0, result.stdout[-3000:]
    assert calls["totals"]["faulted"] >= 10, calls  # the faults really happened
    assert _count_resources("throttled") == {
        "db_instances": 4, "db_clusters": 1, "domains": 1, "replication_groups": 1,
        "db_parameter_groups": 1, "cluster_parameter_groups": 1, "cache_parameter_groups": 1,
        "db_subnet_groups": 1, "cache_subnet_groups": 1, "kms_keys": 1, "kms_aliases": 1, "security_groups": 1,
        # MySQL admin + app, DocumentDB master, OpenSearch master + app, Redis AUTH token
        "secrets": 6,
        # MySQL error/general/slowquery, DocumentDB audit/profiler, OpenSearch 3, Redis slow/engine
        "log_groups": 10,
        "iam_roles": 1,
    }

    again = run_playbook(extra_vars=extra_vars)
    for host in HOSTS:
        assert recap(again.stdout, host)["changed"] == 0, again.stdout[-3000:]
        assert recap(again.stdout, host)["failed"] == 0, again.stdout[-3000:]
