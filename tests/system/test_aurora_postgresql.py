"""Aurora PostgreSQL Serverless v2 through data-services.yml --limit postgresql, on environments of their own.

inventories/local has the prod shape: a cluster per service, each with a db.serverless writer and two readers in
distinct zones. The sandbox runs a real PostgreSQL behind each cluster: each service's user logs in over verified
TLS with the password of its secret and reaches its own database only; a login without TLS is refused. The test
profile (environment ``pooled``) shares one cluster, without readers, between the services.
"""

from __future__ import annotations

import json

import psycopg2
import pytest
import yaml
from conftest import CA_BUNDLE, ROOT, aws, fresh_environment, ledger, recap, run_playbook, sandbox

ENVIRONMENT = "serverless"
SERVICES = ("discovery", "ecommerce")
CLUSTERS = {name: f"openedx-{ENVIRONMENT}-postgresql-{name}" for name in SERVICES}
CONNECTIONS = ROOT / "artifacts" / ENVIRONMENT / "connections.yml"
POOLED = "pooled"


def _run(*args: str, **extra: object):
    sandbox("reset")
    result = run_playbook("--limit", "postgresql", *args, extra_vars={**fresh_environment(ENVIRONMENT), **extra})
    return result, ledger()["mutating"]


@pytest.fixture(scope="module")
def created():
    result, mutating = _run()
    assert recap(result.stdout, "postgresql")["failed"] == 0, result.stdout[-4000:]
    return result, mutating


def _secret(name: str, environment: str = ENVIRONMENT) -> dict:
    return json.loads(aws("secretsmanager").get_secret_value(SecretId=f"openedx/{environment}/postgresql/{name}")[
        "SecretString"])


def _connect(secret: dict, database: str, sslmode: str = "verify-full"):
    return psycopg2.connect(host=secret["host"], port=secret["port"], user=secret["username"],
                            password=secret["password"], dbname=database, sslmode=sslmode, sslrootcert=CA_BUNDLE,
                            connect_timeout=10)


def test_creates_a_serverless_v2_cluster_per_service_with_readers_in_distinct_zones(created):
    mutating = created[1]
    assert mutating["rds:CreateDBCluster"] == 2, mutating
    assert mutating["rds:CreateDBInstance"] == 6, mutating
    assert mutating["rds:CreateDBClusterParameterGroup"] == 1, mutating
    rds = aws("rds")
    key = aws("kms").describe_key(KeyId=f"alias/openedx-{ENVIRONMENT}-data-services")["KeyMetadata"]["Arn"]
    for name, identifier in CLUSTERS.items():
        cluster = rds.describe_db_clusters(DBClusterIdentifier=identifier)["DBClusters"][0]
        assert cluster["Engine"] == "aurora-postgresql" and cluster["EngineVersion"].startswith("16."), cluster
        assert cluster["ServerlessV2ScalingConfiguration"] == {"MinCapacity": 1.0, "MaxCapacity": 16.0}
        assert cluster["StorageEncrypted"] and cluster["KmsKeyId"] == key
        assert cluster["IAMDatabaseAuthenticationEnabled"] and cluster["DeletionProtection"]
        assert cluster["EnabledCloudwatchLogsExports"] == ["postgresql"]
        assert cluster["BackupRetentionPeriod"] == 7 and cluster["PreferredBackupWindow"] == "03:00-04:00"
        assert cluster["PreferredMaintenanceWindow"] == "mon:04:00-mon:05:00"
        instances = rds.describe_db_instances(Filters=[{"Name": "db-cluster-id", "Values": [identifier]}])[
            "DBInstances"]
        assert {i["DBInstanceClass"] for i in instances} == {"db.serverless"}
        assert len({i["AvailabilityZone"] for i in instances}) == 3, instances
        writers = [m for m in cluster["DBClusterMembers"] if m["IsClusterWriter"]]
        assert [w["DBInstanceIdentifier"] for w in writers] == [f"{identifier}-1"], name
        parameters = rds.describe_db_cluster_parameters(DBClusterParameterGroupName=cluster["DBClusterParameterGroup"],
                                                        Source="user")["Parameters"]
        assert {"ParameterName": "rds.force_ssl", "ParameterValue": "1"}.items() <= next(
            p for p in parameters if p["ParameterName"] == "rds.force_ssl").items()
    groups = aws("logs").describe_log_groups(logGroupNamePrefix="/aws/rds/cluster/openedx-serverless")["logGroups"]
    assert {g["logGroupName"] for g in groups} == {f"/aws/rds/cluster/{c}/postgresql" for c in CLUSTERS.values()}
    assert all(g.get("kmsKeyId") == key for g in groups)


def test_connections_name_each_database_without_a_password(created):
    entry = yaml.safe_load(CONNECTIONS.read_text())["services"]["postgresql"]
    assert set(entry["databases"]) == set(SERVICES)
    for name in SERVICES:
        database = entry["databases"][name]
        assert database["cluster"] == CLUSTERS[name] and database["database"] == database["username"] == name
        assert database["secret_arn"].startswith("arn:aws:secretsmanager:")
        assert database["host"] and database["reader_host"] and database["port"]
    for name in SERVICES:
        assert _secret(name)["password"] not in CONNECTIONS.read_text()


def test_each_service_logs_in_over_tls_to_its_own_database_only(created):
    for name in SERVICES:
        secret = _secret(name)
        assert secret["engine"] == "postgres" and secret["dbname"] == name
        with _connect(secret, name) as connection, connection.cursor() as cursor:
            cursor.execute("SELECT current_database(), current_user, ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
            assert cursor.fetchone() == (name, name, True)
            cursor.execute("CREATE TABLE IF NOT EXISTS probe (id int)")  # the owner of its database
        connection.close()
        with pytest.raises(psycopg2.OperationalError, match=r"pg_hba\.conf rejects"):
            _connect(secret, name, sslmode="disable")
    # Each cluster serves one service: the other service's user has no login there.
    other = _secret(SERVICES[1])
    with pytest.raises(psycopg2.OperationalError):
        _connect(dict(other, host=_secret(SERVICES[0])["host"], port=_secret(SERVICES[0])["port"]), SERVICES[0])


def test_a_second_run_changes_nothing(created):
    result, mutating = _run()
    assert recap(result.stdout, "postgresql")["changed"] == 0, result.stdout[-4000:]
    assert mutating == {}, mutating


def test_check_mode_makes_no_mutating_call(created):
    result, mutating = _run("--check", "--diff", aurora_postgresql_max_capacity=32)
    assert recap(result.stdout, "postgresql")["failed"] == 0, result.stdout[-4000:]
    assert mutating == {}, mutating


@pytest.mark.parametrize(("settings", "message"), [
    ({"aurora_postgresql_min_capacity": 0.3}, "aurora_postgresql_min_capacity and aurora_postgresql_max_capacity"),
    ({"aurora_postgresql_min_capacity": 8, "aurora_postgresql_max_capacity": 4}, "not below the minimum"),
    ({"aurora_postgresql_databases": [{"name": "Discovery-Service"}]}, "aurora_postgresql_databases a non-empty list"),
])
def test_bad_inputs_are_refused_before_any_call(settings, message):
    result, mutating = _run(**settings)
    assert recap(result.stdout, "postgresql")["failed"] == 1, result.stdout[-3000:]
    assert message in " ".join(result.stdout.split()), result.stdout[-3000:]
    assert mutating == {}, mutating


@pytest.fixture(scope="module")
def pooled():
    sandbox("reset")
    result = run_playbook("--limit", "postgresql",
                          extra_vars={**fresh_environment(POOLED), "data_services_profile": "test"})
    assert recap(result.stdout, "postgresql")["failed"] == 0, result.stdout[-4000:]
    return ledger()["mutating"]


def test_the_test_profile_shares_one_cluster_between_the_services(pooled):
    assert (pooled["rds:CreateDBCluster"], pooled["rds:CreateDBInstance"]) == (1, 1), pooled
    identifier = f"openedx-{POOLED}-postgresql"
    cluster = aws("rds").describe_db_clusters(DBClusterIdentifier=identifier)["DBClusters"][0]
    assert cluster["ServerlessV2ScalingConfiguration"] == {"MinCapacity": 0.5, "MaxCapacity": 4.0}
    assert not cluster["DeletionProtection"] and cluster["BackupRetentionPeriod"] == 1
    assert [m["DBInstanceIdentifier"] for m in cluster["DBClusterMembers"]] == [f"{identifier}-1"]
    secrets = {name: _secret(name, POOLED) for name in SERVICES}
    assert {(s["host"], s["port"]) for s in secrets.values()} == {(cluster["Endpoint"], cluster["Port"])}
    # A database and a user per service on the one server: each user reaches its own database and not the other's.
    for name, other in (SERVICES, SERVICES[::-1]):
        with _connect(secrets[name], name) as connection, connection.cursor() as cursor:
            cursor.execute("SELECT current_database(), current_user")
            assert cursor.fetchone() == (name, name)
        connection.close()
        with pytest.raises(psycopg2.OperationalError, match="permission denied for database"):
            _connect(secrets[name], other)
