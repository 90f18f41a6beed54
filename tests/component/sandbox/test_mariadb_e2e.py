"""End to end: an RDS MySQL instance in the sandbox is a real MariaDB that enforces TLS, and goes away on delete."""

from __future__ import annotations

import os
from typing import Any

import pymysql
import pytest
from botocore.exceptions import ClientError
from sandbox_harness import Sandbox, dataplane_processes, wait_for


def connect(endpoint: dict[str, Any], password: str, ca: str | None) -> pymysql.connections.Connection:
    tls: dict[str, Any] = {"ssl": {"ca": ca}} if ca else {"ssl_disabled": True}
    return pymysql.connect(host=endpoint["Address"], port=endpoint["Port"], user="admin", password=password,
                           connect_timeout=5, **tls)


def test_mysql_instance_is_a_real_tls_only_server(fresh: Sandbox) -> None:
    rds = fresh.client("rds")
    ca = str(fresh.state_dir / "tls" / "ca.pem")
    rds.create_db_parameter_group(DBParameterGroupName="e2e-mysql80", DBParameterGroupFamily="mysql8.0",
                                  Description="TLS only")
    rds.modify_db_parameter_group(DBParameterGroupName="e2e-mysql80", Parameters=[
        {"ParameterName": "require_secure_transport", "ParameterValue": "1", "ApplyMethod": "immediate"},
        {"ParameterName": "character_set_server", "ParameterValue": "utf8mb4", "ApplyMethod": "immediate"},
        {"ParameterName": "collation_server", "ParameterValue": "utf8mb4_unicode_ci", "ApplyMethod": "immediate"},
    ])
    fresh.time_scale(0.02)
    created = rds.create_db_instance(
        DBInstanceIdentifier="e2e-mysql", Engine="mysql", EngineVersion="8.0.40", DBInstanceClass="db.t3.medium",
        AllocatedStorage=20, MasterUsername="admin", MasterUserPassword="E2e-master-pass1", DBName="edxapp",
        DBParameterGroupName="e2e-mysql80")["DBInstance"]
    assert created["DBInstanceStatus"] == "creating"
    described = wait_for(lambda: rds.describe_db_instances(DBInstanceIdentifier="e2e-mysql")["DBInstances"][0],
                         lambda i: i["DBInstanceStatus"] == "available", 60)
    assert described["DBInstanceStatus"] == "available"
    endpoint = described["Endpoint"]
    assert endpoint["Address"] == "127.0.0.1"
    assert endpoint["Port"] >= fresh.mysql_first_port

    with connect(endpoint, "E2e-master-pass1", ca) as connection, connection.cursor() as cursor:
        cursor.execute("SHOW STATUS LIKE 'Ssl_version'")
        assert cursor.fetchone()[1].startswith("TLSv1")
        cursor.execute("SELECT @@character_set_server, @@collation_server, @@require_secure_transport")
        assert cursor.fetchone() == ("utf8mb4", "utf8mb4_unicode_ci", 1)
        cursor.execute("SHOW DATABASES LIKE 'edxapp'")
        assert cursor.fetchone() == ("edxapp",)
    with pytest.raises(pymysql.err.OperationalError) as refused:
        connect(endpoint, "E2e-master-pass1", None)
    assert refused.value.args[0] == 1045  # insecure transport refused by require_secure_transport

    rds.modify_db_parameter_group(DBParameterGroupName="e2e-mysql80", Parameters=[
        {"ParameterName": "require_secure_transport", "ParameterValue": "0", "ApplyMethod": "immediate"}])
    connect(endpoint, "E2e-master-pass1", None).close()  # a dynamic parameter reaches the running server

    fresh.time_scale(0)
    rds.modify_db_instance(DBInstanceIdentifier="e2e-mysql", MasterUserPassword="E2e-rotated-pass2",
                           ApplyImmediately=True)
    with pytest.raises(pymysql.err.OperationalError):
        connect(endpoint, "E2e-master-pass1", ca)
    connect(endpoint, "E2e-rotated-pass2", ca).close()

    server = next(s for s in fresh.control("GET", "/_sandbox/status")["dataplane"] if s["resource_id"] == "e2e-mysql")
    assert (server["engine"], server["port"], server["alive"]) == ("mysql", endpoint["Port"], True)
    rds.delete_db_instance(DBInstanceIdentifier="e2e-mysql", SkipFinalSnapshot=True)
    with pytest.raises(ClientError) as gone:
        rds.describe_db_instances(DBInstanceIdentifier="e2e-mysql")
    assert gone.value.response["Error"]["Code"] == "DBInstanceNotFound"
    assert not os.path.exists(f"/proc/{server['pid']}")
    assert server["pid"] not in dataplane_processes(fresh.state_dir)
    assert not (fresh.state_dir / "mariadb" / "e2e-mysql").exists()
    assert all(s["resource_id"] != "e2e-mysql" for s in fresh.control("GET", "/_sandbox/status")["dataplane"])


def test_stopped_instance_does_not_answer_until_started(fresh: Sandbox) -> None:
    rds = fresh.client("rds")
    rds.create_db_instance(DBInstanceIdentifier="e2e-stop", Engine="mysql", DBInstanceClass="db.t3.micro",
                           AllocatedStorage=20, MasterUsername="admin", MasterUserPassword="E2e-stop-pass1")
    endpoint = rds.describe_db_instances(DBInstanceIdentifier="e2e-stop")["DBInstances"][0]["Endpoint"]
    ca = str(fresh.state_dir / "tls" / "ca.pem")
    assert rds.stop_db_instance(DBInstanceIdentifier="e2e-stop")["DBInstance"]["DBInstanceStatus"] == "stopped"
    with pytest.raises(pymysql.err.OperationalError):
        connect(endpoint, "E2e-stop-pass1", ca)
    assert rds.start_db_instance(DBInstanceIdentifier="e2e-stop")["DBInstance"]["DBInstanceStatus"] == "starting"
    assert rds.describe_db_instances(DBInstanceIdentifier="e2e-stop")["DBInstances"][0]["DBInstanceStatus"] == (
        "available")
    connect(endpoint, "E2e-stop-pass1", ca).close()
    rds.delete_db_instance(DBInstanceIdentifier="e2e-stop", SkipFinalSnapshot=True)
