"""The life of an environment of its own, to its end: the four services (on the local inventory, test profile, Tutor's
one database and user, MySQL and DocumentDB with deletion protection) are scaled and upgraded through
data-services.yml, then torn down with teardown.yml. One environment for both, converged once: scaling and engine
upgrades change what the shared environment must keep, and teardown ends it.

Scaling and upgrades: rows, documents, keys and indexed documents written first survive class, storage, instance
count, node type, replica count, instance type/count and volume changes and major upgrades of the four engines; a
shrink past the autoscaling ceiling, major upgrades without their allow settings and an OpenSearch downgrade are
refused before any AWS change; allowed, the major upgrades snapshot first (OpenSearch checks its automated
snapshot); a re-run changes nothing. The module and sandbox details (minor upgrades, the order of the calls,
GetCompatibleVersions, refusals of what AWS cannot change in place) are in the component tests.

Teardown: refusals before any AWS call and before any change, check mode, the teardown itself and what it leaves
(final snapshots encrypted with the key, secrets scheduled for deletion, log groups and the key kept); then, once the
snapshots and log groups are deleted, a re-run that changes nothing but the key, whose deletion it schedules. The
roles' own delete entry points, which teardown.yml runs, have their confirmation tested in test_delete.py.
"""

from __future__ import annotations

import base64
import json
import ssl
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pymongo
import pymysql
import pytest
import yaml
from conftest import CA_BUNDLE, ROOT, aws, fresh_environment, ledger, recap, run_playbook, sandbox
from redis_check import _client, read_auth_token

PLAYBOOK = "playbooks/teardown.yml"
ENVIRONMENT = "torn"
HOSTS = ("mysql", "documentdb", "opensearch", "redis")
MYSQL, REDIS = f"openedx-{ENVIRONMENT}-mysql", f"openedx-{ENVIRONMENT}-redis"
DOCDB, SEARCH = f"openedx-{ENVIRONMENT}-docdb", f"openedx-{ENVIRONMENT}-search"
ALIAS = f"alias/openedx-{ENVIRONMENT}-data-services"
# The test profile, and Tutor's one database and one user (edx/configuration's are three users): a cheaper converge.
# Redis and OpenSearch start older, and Redis with a replica, to grow and upgrade.
SETTINGS = dict(fresh_environment(ENVIRONMENT), data_services_profile="test", data_services_platform="tutor",
                rds_mysql_deletion_protection=True, documentdb_deletion_protection=True,
                redis_engine_version="6.2", redis_num_cache_clusters=2, opensearch_engine_version="OpenSearch_2.19",
                data_services_artifacts_dir=str(ROOT / "artifacts" / ENVIRONMENT))
CONFIRMED = dict(SETTINGS, data_services_teardown_confirm=ENVIRONMENT)
# The local inventory without the services teardown.yml leaves out (see the inventory).
INVENTORY = "tests/system/fixtures/core-services"
SCALED = {"rds_mysql_instance_class": "db.r6g.large", "rds_mysql_allocated_storage": 30,
          "documentdb_instance_class": "db.r6g.large", "documentdb_instance_count": 2}
GROWN = {"redis_node_type": "cache.r7g.xlarge", "redis_num_cache_clusters": 3,
         "opensearch_instance_type": "r7g.large.search", "opensearch_instance_count": 2, "opensearch_volume_size": 120}
UPGRADED = {"rds_mysql_engine_version": "8.4.5", "rds_mysql_parameter_group_family": "mysql8.4",
            "documentdb_engine_version": "8.0.0", "documentdb_parameter_group_family": "docdb8.0",
            "redis_engine_version": "7.1", "opensearch_engine_version": "OpenSearch_3.1"}
ALLOWED = {"rds_mysql_allow_major_version_upgrade": True, "documentdb_allow_major_version_upgrade": True,
           "redis_allow_major_version_upgrade": True, "opensearch_allow_major_version_upgrade": True}
KEYS = {f"course:{number}": f"value {number}" for number in range(100)}
DOCUMENTS = ("intro", "advanced")


@pytest.fixture(scope="module")
def environment() -> str:
    result = run_playbook(extra_vars=SETTINGS, inventory=INVENTORY)
    for host in HOSTS:
        assert recap(result.stdout, host)["failed"] == 0, result.stdout[-3000:]
    return INVENTORY


def _converge(*args: str, **extra: Any) -> tuple[str, dict, int]:
    sandbox("reset")
    result = run_playbook(*args, extra_vars={**SETTINGS, **extra}, inventory=INVENTORY, timeout=600)
    return result.stdout, ledger(), result.returncode


def _secret(service: str, user: str) -> dict:
    value = aws("secretsmanager").get_secret_value(SecretId=f"openedx/{ENVIRONMENT}/{service}/{user}")
    return json.loads(value["SecretString"])


def _mysql(*statements: str) -> list:
    credential = _secret("mysql", "admin")
    with pymysql.connect(host=credential["host"], port=int(credential["port"]), user="admin",
                         password=credential["password"], ssl={"ca": CA_BUNDLE}, autocommit=True,
                         connect_timeout=10) as connection, connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
        return list(cursor.fetchall())


def _mongo() -> pymongo.MongoClient:
    credential = _secret("documentdb", "docdbadmin")
    return pymongo.MongoClient(host=credential["host"], port=int(credential["port"]), username="docdbadmin",
                               password=credential["password"], tls=True, tlsCAFile=CA_BUNDLE,
                               retryWrites=False, serverSelectionTimeoutMS=5000)


def _connections() -> dict[str, Any]:
    return yaml.safe_load(Path(ROOT / "artifacts" / ENVIRONMENT / "connections.yml").read_text())["services"]


def _redis(entry: dict[str, Any]):
    token = read_auth_token(entry["secret_arn"], endpoint_url=aws("secretsmanager").meta.endpoint_url)
    return _client(entry["primary_host"], int(entry["port"]), token, CA_BUNDLE)


def _opensearch(entry: dict[str, Any], method: str, path: str, body: dict | None = None) -> Any:
    secret = _secret("opensearch", "admin")
    token = base64.b64encode(f"{secret['username']}:{secret['password']}".encode()).decode()
    request = urllib.request.Request(f"{entry['endpoint'].rstrip('/')}{path}", method=method,
                                     data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Authorization": f"Basic {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, context=ssl.create_default_context(cafile=CA_BUNDLE), timeout=10) as answer:
        return json.loads(answer.read() or b"{}")


def _write_data(connections: dict[str, Any]) -> None:
    _mysql("CREATE DATABASE IF NOT EXISTS scaling", "CREATE TABLE IF NOT EXISTS scaling.items (id INT PRIMARY KEY)",
           "REPLACE INTO scaling.items VALUES (1), (2)")
    with _mongo() as mongo:
        mongo.scaling.items.delete_many({})
        mongo.scaling.items.insert_many([{"_id": "a"}, {"_id": "b"}])
    client = _redis(connections["redis"])
    try:
        client.mset(KEYS)
    finally:
        client.close()
    for name in DOCUMENTS:
        _opensearch(connections["opensearch"], "PUT", f"/courses/_doc/{name}", {"title": name})


def _assert_data_kept(connections: dict[str, Any]) -> None:
    assert [row[0] for row in _mysql("SELECT id FROM scaling.items ORDER BY id")] == [1, 2]
    with _mongo() as mongo:
        assert sorted(doc["_id"] for doc in mongo.scaling.items.find({})) == ["a", "b"]
    client = _redis(connections["redis"])
    try:
        assert client.mget(list(KEYS)) == list(KEYS.values())
    finally:
        client.close()
    for name in DOCUMENTS:
        assert _opensearch(connections["opensearch"], "GET", f"/courses/_doc/{name}")["found"] is True


def _instance() -> dict:
    return aws("rds").describe_db_instances(DBInstanceIdentifier=MYSQL)["DBInstances"][0]


def _cluster() -> dict:
    return aws("rds").describe_db_clusters(DBClusterIdentifier=DOCDB)["DBClusters"][0]


def _group() -> dict[str, Any]:
    return aws("elasticache").describe_replication_groups(ReplicationGroupId=REDIS)["ReplicationGroups"][0]


def _domain() -> dict[str, Any]:
    return aws("opensearch").describe_domain(DomainName=SEARCH)["DomainStatus"]


def _failed(output: str) -> dict[str, int]:
    return {host: recap(output, host)["failed"] for host in HOSTS}


def test_scaling_and_major_upgrades_keep_the_resources_and_their_data(environment):
    connections = _connections()
    _write_data(connections)
    instance, cluster, group, domain = _instance(), _cluster(), _group(), _domain()

    # MySQL's class and storage and DocumentDB's class and instance count change in place.
    output, calls, returncode = _converge(**SCALED)
    assert returncode == 0, output[-4000:]
    assert "rds:CreateDBInstance" in calls["mutating"] and "rds:ModifyDBInstance" in calls["mutating"], calls
    assert not {"rds:DeleteDBInstance", "rds:DeleteDBCluster", "rds:CreateDBCluster"} & set(calls["mutating"]), calls
    scaled = _instance()
    assert (scaled["DBInstanceClass"], scaled["AllocatedStorage"]) == ("db.r6g.large", 30), scaled
    assert (scaled["DbiResourceId"], scaled["Endpoint"]) == (instance["DbiResourceId"], instance["Endpoint"])
    members = _cluster()["DBClusterMembers"]
    assert sorted(m["DBInstanceIdentifier"] for m in members) == [f"{DOCDB}-1", f"{DOCDB}-2"], members

    # A shrink below what the instance has and past the autoscaling ceiling, major upgrades without the allow
    # settings and an OpenSearch downgrade: refused before any AWS change, each with the way to do it.
    output, calls, returncode = _converge(**{**SCALED, **GROWN, **UPGRADED, "rds_mysql_allocated_storage": 20,
                                             "rds_mysql_max_allocated_storage": 25,
                                             "opensearch_engine_version": "OpenSearch_2.17"})
    assert returncode != 0 and _failed(output) == dict.fromkeys(HOSTS, 1), output[-4000:]
    assert "RDS never shrinks storage" in output and "mysqldump" in output, output[-3000:]
    for service in ("rds_mysql", "documentdb", "redis"):
        assert f"{service}_allow_major_version_upgrade=true" in output, output[-4000:]
    assert "OpenSearch Service cannot downgrade" in output, output[-4000:]
    assert calls["totals"]["mutating"] == 0, calls["mutating"]

    # Allowed: a snapshot first (OpenSearch checks its automated one), then the upgrades in place, Redis and
    # OpenSearch grown in the same run.
    output, calls, returncode = _converge(**SCALED, **GROWN, **UPGRADED, **ALLOWED)
    assert returncode == 0, output[-4000:]
    mutating = calls["mutating"]
    assert mutating.get("elasticache:CreateSnapshot") == 1 and mutating.get("rds:CreateDBSnapshot") == 1, mutating
    assert mutating.get("rds:CreateDBClusterSnapshot") == 1, mutating
    assert mutating.get("elasticache:IncreaseReplicaCount") == 1, mutating
    # Redis: the upgrade (with the redis7 parameter group), then the node type.
    assert mutating.get("elasticache:ModifyReplicationGroup") == 2, mutating
    assert mutating.get("es:UpgradeDomain") == 1 and mutating.get("es:UpdateDomainConfig") == 1, mutating
    assert not {"elasticache:CreateReplicationGroup", "elasticache:DeleteReplicationGroup", "es:CreateDomain",
                "es:DeleteDomain", "rds:DeleteDBInstance", "rds:DeleteDBCluster"} & set(mutating), mutating
    assert f"Upgrading domain {SEARCH} from OpenSearch_2.19 to OpenSearch_3.1" in output

    upgraded = _instance()
    assert upgraded["EngineVersion"] == "8.4.5" and upgraded["DbiResourceId"] == instance["DbiResourceId"]
    assert upgraded["DBParameterGroups"][0]["DBParameterGroupName"] == f"{MYSQL}-mysql8-4"
    upgraded_cluster = _cluster()
    assert upgraded_cluster["EngineVersion"] == "8.0.0"
    assert upgraded_cluster["DbClusterResourceId"] == cluster["DbClusterResourceId"]
    snapshots = [s["DBSnapshotIdentifier"] for s in aws("rds").describe_db_snapshots(
        DBInstanceIdentifier=MYSQL, SnapshotType="manual")["DBSnapshots"]]
    assert [s.startswith(f"{MYSQL}-before-8-4-5-") for s in snapshots] == [True], snapshots
    cluster_snapshots = [s["DBClusterSnapshotIdentifier"] for s in aws("rds").describe_db_cluster_snapshots(
        DBClusterIdentifier=DOCDB, SnapshotType="manual")["DBClusterSnapshots"]]
    assert [s.startswith(f"{DOCDB}-before-8-0-0-") for s in cluster_snapshots] == [True], cluster_snapshots
    cache_snapshots = aws("elasticache").describe_snapshots(ReplicationGroupId=REDIS)["Snapshots"]
    assert [s["SnapshotName"].startswith(f"{REDIS}-before-7-1-") for s in cache_snapshots] == [True]
    assert cache_snapshots[0]["SnapshotStatus"] == "available", cache_snapshots
    assert cache_snapshots[0]["EngineVersion"].startswith("6.2"), cache_snapshots

    grown_group = _group()
    assert (grown_group["ARN"], grown_group["NodeGroups"][0]["PrimaryEndpoint"]) == (
        group["ARN"], group["NodeGroups"][0]["PrimaryEndpoint"])
    assert (grown_group["CacheNodeType"], len(grown_group["MemberClusters"])) == ("cache.r7g.xlarge", 3)
    member = aws("elasticache").describe_cache_clusters(
        CacheClusterId=grown_group["MemberClusters"][0])["CacheClusters"][0]
    assert member["EngineVersion"].startswith("7.1"), member
    assert member["CacheParameterGroup"]["CacheParameterGroupName"] == f"{REDIS}-redis7"
    grown_domain = _domain()
    assert (grown_domain["ARN"], grown_domain["Endpoints"], grown_domain["EngineVersion"]) == (
        domain["ARN"], domain["Endpoints"], "OpenSearch_3.1")
    assert (grown_domain["ClusterConfig"]["InstanceType"], grown_domain["ClusterConfig"]["InstanceCount"],
            grown_domain["EBSOptions"]["VolumeSize"]) == ("r7g.large.search", 2, 120)
    assert _opensearch(connections["opensearch"], "GET", "/")["version"]["number"] == "3.1.0"
    assert _opensearch(connections["opensearch"], "GET", "/_cluster/health")["number_of_data_nodes"] == 2
    _assert_data_kept(connections)

    # Converged: the next run would change nothing (in check mode, to spare a run: the same decisions), and --check
    # calls nothing mutating (a major upgrade done is not done again: no second snapshot).
    output, calls, returncode = _converge("--check", **SCALED, **GROWN, **UPGRADED, **ALLOWED)
    assert returncode == 0, output[-4000:]
    assert {host: recap(output, host)["changed"] for host in HOSTS} == dict.fromkeys(HOSTS, 0), output[-3000:]
    assert calls["totals"]["mutating"] == 0, calls["mutating"]


def _teardown(inventory: str, *args: str, **extra) -> tuple[str, dict, int]:
    sandbox("reset")
    result = run_playbook(*args, playbook=PLAYBOOK, inventory=inventory, extra_vars={**CONFIRMED, **extra},
                          timeout=600)
    return result.stdout, ledger(), result.returncode


def _key_arn() -> str:
    return aws("kms").describe_key(KeyId=ALIAS)["KeyMetadata"]["Arn"]


def test_refused_without_the_environment_name_before_any_aws_call(environment):
    for confirmation in ("", "prod"):
        output, calls, returncode = _teardown(environment, data_services_teardown_confirm=confirmation)
        assert returncode != 0, output[-2000:]
        assert f"give -e data_services_teardown_confirm={ENVIRONMENT} to confirm it" in output, output[-3000:]
        assert calls["totals"]["read"] == 0 and calls["totals"]["mutating"] == 0, calls


def test_refused_while_deletion_protection_is_on(environment):
    output, calls, returncode = _teardown(environment)
    assert returncode != 0, output[-2000:]
    assert f"RDS instance {MYSQL} has deletion protection on" in output, output[-3000:]
    assert DOCDB in output and "deletion protection" in output, output[-3000:]
    assert "data_services_teardown_lift_deletion_protection=true" in output
    # Redis, which has no protection, is not deleted either: nothing changes before every service may go.
    assert calls["totals"]["mutating"] == 0, calls["mutating"]
    assert aws("elasticache").describe_replication_groups(ReplicationGroupId=REDIS)["ReplicationGroups"]


def test_check_mode_deletes_nothing(environment):
    output, calls, returncode = _teardown(environment, "--check", data_services_teardown_lift_deletion_protection=True)
    assert returncode == 0, output[-3000:]
    assert calls["totals"]["mutating"] == 0, calls["mutating"]
    assert "would be deleted" in output, output[-3000:]
    instance = aws("rds").describe_db_instances(DBInstanceIdentifier=MYSQL)["DBInstances"][0]
    assert instance["DeletionProtection"] is True
    assert aws("elasticache").describe_replication_groups(ReplicationGroupId=REDIS)["ReplicationGroups"]


def test_teardown_leaves_final_snapshots_scheduled_secrets_and_the_key(environment):
    key = _key_arn()
    output, calls, returncode = _teardown(environment, data_services_teardown_lift_deletion_protection=True,
                                          data_services_teardown_secret_recovery_days=7)
    assert returncode == 0, output[-4000:]
    mutating = calls["mutating"]
    assert mutating.get("rds:ModifyDBInstance") == 1, mutating  # deletion protection lifted
    assert mutating.get("rds:ModifyDBCluster") == 1, mutating
    assert "kms:ScheduleKeyDeletion" not in mutating, mutating

    rds, elasticache = aws("rds"), aws("elasticache")
    assert MYSQL not in [i["DBInstanceIdentifier"] for i in rds.describe_db_instances()["DBInstances"]]
    groups = elasticache.describe_replication_groups()["ReplicationGroups"]
    assert REDIS not in [g["ReplicationGroupId"] for g in groups]
    # The final snapshots stay, encrypted with the environment's key.
    snapshots = [s for s in rds.describe_db_snapshots()["DBSnapshots"]
                 if s["DBSnapshotIdentifier"].startswith(f"{MYSQL}-final-")]
    assert len(snapshots) == 1 and snapshots[0]["KmsKeyId"] == key, snapshots
    cache = [s for s in elasticache.describe_snapshots()["Snapshots"]
             if s["SnapshotName"].startswith(f"{REDIS}-final-")]
    assert len(cache) == 1 and cache[0]["KmsKeyId"] == key, cache
    docdb = aws("docdb")
    assert DOCDB not in [c["DBClusterIdentifier"] for c in docdb.describe_db_clusters()["DBClusters"]]
    assert not [i for i in docdb.describe_db_instances()["DBInstances"]
                if i["DBInstanceIdentifier"].startswith(DOCDB)]
    cluster = [s for s in docdb.describe_db_cluster_snapshots()["DBClusterSnapshots"]
               if s["DBClusterSnapshotIdentifier"].startswith(f"{DOCDB}-final-")]
    assert len(cluster) == 1 and cluster[0]["KmsKeyId"] == key, cluster
    # OpenSearch Service keeps no snapshot of a deleted domain.
    assert SEARCH not in [d["DomainName"] for d in aws("opensearch").list_domain_names()["DomainNames"]]
    # The secrets are scheduled for deletion, with the recovery window asked for.
    secrets = [s for s in aws("secretsmanager").list_secrets(IncludePlannedDeletion=True)["SecretList"]
               if s["Name"].startswith(f"openedx/{ENVIRONMENT}/")]
    assert secrets and all(s.get("DeletedDate") for s in secrets), secrets
    assert mutating.get("secretsmanager:DeleteSecret") == len(secrets), mutating
    # What the environment made around the services is gone; the log groups (evidence) are kept.
    # The parameter groups of both families, the one left by the major upgrade included.
    assert not [g for g in rds.describe_db_parameter_groups()["DBParameterGroups"]
                if g["DBParameterGroupName"].startswith(MYSQL)]
    assert not [g for g in aws("docdb").describe_db_cluster_parameter_groups()["DBClusterParameterGroups"]
                if g["DBClusterParameterGroupName"].startswith(DOCDB)]
    assert not [g for g in elasticache.describe_cache_parameter_groups()["CacheParameterGroups"]
                if g["CacheParameterGroupName"].startswith(REDIS)]
    assert not [g for g in elasticache.describe_cache_subnet_groups()["CacheSubnetGroups"]
                if g["CacheSubnetGroupName"] == f"openedx-{ENVIRONMENT}-data-services"]
    assert not aws("ec2").describe_security_groups(Filters=[
        {"Name": "group-name", "Values": [f"openedx-{ENVIRONMENT}-data-services"]}])["SecurityGroups"]
    assert not aws("cloudwatch").describe_alarms(AlarmNamePrefix=f"openedx-{ENVIRONMENT}-")["MetricAlarms"]
    assert not [t for t in aws("sns").list_topics()["Topics"] if f":openedx-{ENVIRONMENT}-" in t["TopicArn"]]
    assert aws("logs").describe_log_groups(logGroupNamePrefix=f"/aws/rds/instance/{MYSQL}/")["logGroups"]
    # The key stays while snapshots encrypted with it exist, and the summary says which.
    assert aws("kms").describe_key(KeyId=key)["KeyMetadata"]["KeyState"] == "Enabled"
    assert "KEPT, still needed by" in output and snapshots[0]["DBSnapshotIdentifier"] in output, output[-3000:]


def test_a_rerun_schedules_the_key_once_nothing_needs_it_and_changes_nothing_else(environment):
    key = _key_arn()
    rds, elasticache, logs = aws("rds"), aws("elasticache"), aws("logs")
    for snapshot in rds.describe_db_snapshots()["DBSnapshots"]:
        if snapshot["DBSnapshotIdentifier"].startswith(f"{MYSQL}-"):
            rds.delete_db_snapshot(DBSnapshotIdentifier=snapshot["DBSnapshotIdentifier"])
    for snapshot in elasticache.describe_snapshots()["Snapshots"]:
        if snapshot["SnapshotName"].startswith(f"{REDIS}-"):
            elasticache.delete_snapshot(SnapshotName=snapshot["SnapshotName"])
    docdb = aws("docdb")
    for snapshot in docdb.describe_db_cluster_snapshots()["DBClusterSnapshots"]:
        if snapshot["DBClusterSnapshotIdentifier"].startswith(f"{DOCDB}-"):
            docdb.delete_db_cluster_snapshot(DBClusterSnapshotIdentifier=snapshot["DBClusterSnapshotIdentifier"])
    for prefix in (f"/aws/rds/instance/{MYSQL}/", f"/aws/elasticache/{REDIS}/", f"/aws/docdb/{DOCDB}/",
                   f"/aws/opensearch/{SEARCH}/"):
        for group in logs.describe_log_groups(logGroupNamePrefix=prefix)["logGroups"]:
            logs.delete_log_group(logGroupName=group["logGroupName"])

    output, calls, returncode = _teardown(environment, data_services_teardown_key_pending_days=7)
    assert returncode == 0, output[-4000:]
    # Everything else was gone already: the re-run only schedules the key's deletion (and removes its alias).
    assert calls["mutating"] == {"kms:ScheduleKeyDeletion": 1, "kms:DeleteAlias": 1}, calls["mutating"]
    # One change, the key's (on whichever host runs the environment-wide steps).
    assert sum(recap(output, host)["changed"] for host in HOSTS) == 1, output[-3000:]
    described = aws("kms").describe_key(KeyId=key)["KeyMetadata"]
    assert described["KeyState"] == "PendingDeletion", described
    assert abs(described["DeletionDate"] - (datetime.now(UTC) + timedelta(days=7))) < timedelta(hours=1)
    assert "already gone" in output and "scheduled for deletion in 7 days" in output, output[-3000:]
