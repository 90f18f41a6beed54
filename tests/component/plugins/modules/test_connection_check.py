"""connection_check against real servers: a sandbox (in a subprocess, on free ports) with a real MariaDB, a real
Redis with TLS and an AUTH token, an OpenSearch domain's HTTPS API and a DocumentDB cluster's MongoDB server; the
credentials in its Secrets Manager.

For each service: OK with the right credentials, and a FAIL naming its kind for a wrong password, a plaintext port, a
CA that did not sign the server's certificate, and a stopped server. pymongo's own failures are also tested against
local stand-ins in tests/component/plugins/module_utils/test_connectivity_documentdb.py.
"""

from __future__ import annotations

import base64
import json
import socket
import ssl
import struct
import subprocess
import threading
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pymysql
import pytest
from ansible_collections.openedx.data_services.plugins.modules import connection_check
from harness import REGION, assert_no_secret, run_module
from ports import free_port_range, free_tcp_port
from sandbox_harness import Sandbox, start_server, stop_server, wait_for

MYSQL_PASSWORD = "Check-Mysql-Pass-1"
REDIS_TOKEN = "Check-Redis-Token-1"
SEARCH_MASTER = ("admin", "Check-Search-Master-1!")
SEARCH_APP = ("openedx", "Check-Search-App-1!")
DOCDB_PASSWORD = "Check-Docdb-Pass-1"
WRONG = "Wrong-Password-0123"
TIMEOUT = 3
STEPS = ["secret", "DNS", "TCP", "TLS", "authentication", "round trip"]


# --- listeners that are not what the check expects --------------------------------------------------------------


class PlaintextMySQL:
    """A MySQL server that offers no TLS: it sends a protocol-10 greeting without CLIENT_SSL, then waits."""

    # CLIENT_LONG_PASSWORD | CLIENT_PROTOCOL_41 | CLIENT_SECURE_CONNECTION | CLIENT_PLUGIN_AUTH; no CLIENT_SSL (0x800).
    CAPABILITIES = 0x1 | 0x200 | 0x8000 | 0x80000

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def greeting(self) -> bytes:
        caps = self.CAPABILITIES
        payload = (b"\x0a" + b"8.0.36-plaintext\x00" + struct.pack("<I", 7) + b"abcdefgh\x00"
                   + struct.pack("<H", caps & 0xFFFF) + bytes([45]) + struct.pack("<H", 2)
                   + struct.pack("<H", caps >> 16) + bytes([21]) + b"\x00" * 10 + b"ijklmnopqrst\x00"
                   + b"mysql_native_password\x00")
        return struct.pack("<I", len(payload))[:3] + b"\x00" + payload

    def _serve(self) -> None:
        while True:
            try:
                client = self.listener.accept()[0]
            except OSError:
                return
            with client:
                client.sendall(self.greeting())
                client.settimeout(TIMEOUT)
                try:
                    while client.recv(4096):
                        pass
                except OSError:
                    pass

    def close(self) -> None:
        self.listener.close()


class _PlainHTTP(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b'{"status": "green"}'
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


# --- the environment: servers, secrets and the module options that reach them ---------------------------------------


@dataclass
class Environment:
    sandbox: Sandbox
    ca: str
    other_ca: str
    ok: dict[str, dict[str, Any]] = field(default_factory=dict)
    wrong_password: dict[str, dict[str, Any]] = field(default_factory=dict)
    plaintext: dict[str, dict[str, Any]] = field(default_factory=dict)
    stopped: dict[str, dict[str, Any]] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict)

    def run(self, args: dict[str, Any], check_mode: bool = False) -> dict[str, Any]:
        aws = {"endpoint_url": self.sandbox.endpoint, "access_key": "testing", "secret_key": "testing",
               "region": REGION}
        done = run_module(connection_check, {**aws, **args}, check_mode=check_mode, printed=True)
        assert not done.failed, done.result
        assert done.operations == ["GetSecretValue"]  # the module's one AWS call, whatever the outcome
        return done.result


def _secret(sandbox: Sandbox, name: str, value: dict[str, Any]) -> str:
    return sandbox.client("secretsmanager").create_secret(Name=name, SecretString=json.dumps(value))["ARN"]


def _mysql(sandbox: Sandbox, identifier: str) -> dict[str, Any]:
    rds = sandbox.client("rds")
    rds.create_db_instance(DBInstanceIdentifier=identifier, Engine="mysql", EngineVersion="8.0.40",
                           DBInstanceClass="db.t3.micro", AllocatedStorage=20, MasterUsername="admin",
                           MasterUserPassword=MYSQL_PASSWORD, DBName="openedx")
    described = wait_for(lambda: rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0],
                         lambda i: i["DBInstanceStatus"] == "available", 120)
    assert described["DBInstanceStatus"] == "available"
    return described["Endpoint"]


def _redis(sandbox: Sandbox, group: str, **tls: Any) -> dict[str, Any]:
    ec = sandbox.client("elasticache")
    ec.create_replication_group(ReplicationGroupId=group, ReplicationGroupDescription="check",
                                CacheNodeType="cache.t4g.micro", EngineVersion="7.1", **tls)
    described = wait_for(lambda: ec.describe_replication_groups(ReplicationGroupId=group)["ReplicationGroups"][0],
                         lambda g: g["Status"] == "available", 60)
    return described["NodeGroups"][0]["PrimaryEndpoint"]


def _domain(sandbox: Sandbox, name: str) -> str:
    client = sandbox.client("opensearch")
    client.create_domain(
        DomainName=name, EngineVersion="OpenSearch_2.13",
        ClusterConfig={"InstanceType": "t3.small.search", "InstanceCount": 1},
        EBSOptions={"EBSEnabled": True, "VolumeType": "gp3", "VolumeSize": 10},
        NodeToNodeEncryptionOptions={"Enabled": True}, EncryptionAtRestOptions={"Enabled": True},
        DomainEndpointOptions={"EnforceHTTPS": True},
        AdvancedSecurityOptions={"Enabled": True, "InternalUserDatabaseEnabled": True, "MasterUserOptions": {
            "MasterUserName": SEARCH_MASTER[0], "MasterUserPassword": SEARCH_MASTER[1]}})
    domain = wait_for(lambda: client.describe_domain(DomainName=name)["DomainStatus"],
                      lambda d: not d["Processing"], 60)
    return "https://" + (domain.get("Endpoints", {}).get("vpc") or domain["Endpoint"])


def _docdb(sandbox: Sandbox, identifier: str) -> dict[str, Any]:
    docdb = sandbox.client("docdb")
    docdb.create_db_cluster(DBClusterIdentifier=identifier, Engine="docdb", EngineVersion="5.0.0",
                            MasterUsername="docdbadmin", MasterUserPassword=DOCDB_PASSWORD, Port=27017)
    docdb.create_db_instance(DBInstanceIdentifier=f"{identifier}-1", DBInstanceClass="db.t3.medium", Engine="docdb",
                             DBClusterIdentifier=identifier)
    return wait_for(lambda: docdb.describe_db_clusters(DBClusterIdentifier=identifier)["DBClusters"][0],
                    lambda c: c["Status"] == "available", 60)


def _connection_string(cluster: dict[str, Any], ca: str) -> str:
    """The documentdb role's connection string: no password in it."""
    return (f"mongodb://docdbadmin@{cluster['Endpoint']}:{cluster['Port']}/?tls=true&tlsCAFile={ca}&replicaSet=rs0"
            "&readPreference=secondaryPreferred&retryWrites=false")


def _add_search_user(endpoint: str, ca: str) -> None:
    """The application user, created through the domain's security API as the master user."""
    token = base64.b64encode(":".join(SEARCH_MASTER).encode()).decode()
    request = urllib.request.Request(
        f"{endpoint}/_plugins/_security/api/internalusers/{SEARCH_APP[0]}", method="PUT",
        data=json.dumps({"password": SEARCH_APP[1]}).encode(),
        headers={"Authorization": f"Basic {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, context=ssl.create_default_context(cafile=ca), timeout=10) as response:
        assert response.status == 201


@pytest.fixture(scope="module")
def environment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Environment]:
    state_dir = tmp_path_factory.mktemp("sandbox")
    port, first_port = free_tcp_port(), free_port_range()
    process = start_server(state_dir, port, first_port)
    plain_mysql = PlaintextMySQL()
    plain_http = ThreadingHTTPServer(("127.0.0.1", 0), _PlainHTTP)
    threading.Thread(target=plain_http.serve_forever, daemon=True).start()
    try:
        sandbox = Sandbox(f"http://127.0.0.1:{port}", state_dir, first_port, process)
        other = tmp_path_factory.mktemp("other-ca")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                        "/CN=Some other CA", "-keyout", str(other / "ca.key"), "-out", str(other / "ca.pem")],
                       check=True, capture_output=True)
        env = Environment(sandbox, str(state_dir / "tls" / "ca.pem"), str(other / "ca.pem"))
        base = {"ca_bundle": env.ca, "timeout": TIMEOUT}

        mysql = _mysql(sandbox, "check-mysql")
        stopped_mysql = _mysql(sandbox, "check-mysql-stopped")
        sandbox.client("rds").stop_db_instance(DBInstanceIdentifier="check-mysql-stopped")
        right = _secret(sandbox, "openedx/check/mysql/admin", {"username": "admin", "password": MYSQL_PASSWORD,
                                                               "engine": "mysql"})
        wrong = _secret(sandbox, "openedx/check/mysql/wrong", {"username": "admin", "password": WRONG})
        mysql_args = {**base, "service": "mysql", "host": mysql["Address"], "port": mysql["Port"],
                      "database": "openedx", "secret_arn": right}
        env.ok["mysql"] = mysql_args
        env.wrong_password["mysql"] = {**mysql_args, "secret_arn": wrong}
        env.plaintext["mysql"] = {**mysql_args, "host": "127.0.0.1", "port": plain_mysql.port}
        env.stopped["mysql"] = {**mysql_args, "port": stopped_mysql["Port"]}

        redis = _redis(sandbox, "check-redis", TransitEncryptionEnabled=True, AuthToken=REDIS_TOKEN)
        plain_redis = _redis(sandbox, "check-redis-plain")
        gone_redis = _redis(sandbox, "check-redis-gone", TransitEncryptionEnabled=True, AuthToken=REDIS_TOKEN)
        sandbox.client("elasticache").delete_replication_group(ReplicationGroupId="check-redis-gone")
        right = _secret(sandbox, "openedx/check/redis/default", {"auth_token": REDIS_TOKEN})
        wrong = _secret(sandbox, "openedx/check/redis/wrong", {"auth_token": WRONG})
        redis_args = {**base, "service": "redis", "host": redis["Address"], "port": redis["Port"],
                      "secret_arn": right}
        env.ok["redis"] = redis_args
        env.wrong_password["redis"] = {**redis_args, "secret_arn": wrong}
        env.plaintext["redis"] = {**redis_args, "port": plain_redis["Port"]}
        env.stopped["redis"] = {**redis_args, "port": gone_redis["Port"]}

        endpoint = _domain(sandbox, "check-search")
        gone_endpoint = _domain(sandbox, "check-search-gone")
        sandbox.client("opensearch").delete_domain(DomainName="check-search-gone")
        _add_search_user(endpoint, env.ca)
        right = _secret(sandbox, "openedx/check/opensearch/openedx", {"username": SEARCH_APP[0],
                                                                      "password": SEARCH_APP[1]})
        wrong = _secret(sandbox, "openedx/check/opensearch/wrong", {"username": SEARCH_APP[0], "password": WRONG})
        search_args = {**base, "service": "opensearch", "endpoint": endpoint, "username": SEARCH_APP[0],
                       "secret_arn": right}
        env.ok["opensearch"] = search_args
        env.wrong_password["opensearch"] = {**search_args, "secret_arn": wrong}
        env.plaintext["opensearch"] = {**search_args, "endpoint": f"https://localhost:{plain_http.server_port}"}
        env.stopped["opensearch"] = {**search_args, "endpoint": gone_endpoint}

        cluster = _docdb(sandbox, "check-docdb")
        gone_cluster = _docdb(sandbox, "check-docdb-gone")
        sandbox.client("docdb").delete_db_instance(DBInstanceIdentifier="check-docdb-gone-1")
        sandbox.client("docdb").delete_db_cluster(DBClusterIdentifier="check-docdb-gone", SkipFinalSnapshot=True)
        right = _secret(sandbox, "openedx/check/documentdb/docdbadmin", {"username": "docdbadmin",
                                                                         "password": DOCDB_PASSWORD})
        wrong = _secret(sandbox, "openedx/check/documentdb/wrong", {"username": "docdbadmin", "password": WRONG})
        docdb_args = {**base, "service": "documentdb", "host": cluster["Endpoint"], "port": cluster["Port"],
                      "connection_string": _connection_string(cluster, env.ca), "username": "docdbadmin",
                      "secret_arn": right}
        env.ok["documentdb"] = docdb_args
        env.wrong_password["documentdb"] = {**docdb_args, "secret_arn": wrong}
        env.plaintext["documentdb"] = {**docdb_args, "host": "127.0.0.1", "port": plain_http.server_port}
        env.stopped["documentdb"] = {**docdb_args, "host": gone_cluster["Endpoint"], "port": gone_cluster["Port"]}
        env.secrets = {"mysql": MYSQL_PASSWORD, "redis": REDIS_TOKEN, "opensearch": SEARCH_APP[1],
                       "documentdb": DOCDB_PASSWORD}
        yield env
    finally:
        plain_mysql.close()
        plain_http.shutdown()
        plain_http.server_close()
        stop_server(process, state_dir)


SERVICES = ["mysql", "redis", "opensearch", "documentdb"]


def _address(args: dict[str, Any]) -> str:
    if "endpoint" in args:
        return args["endpoint"].removeprefix("https://")
    return f"{args['host']}:{args['port']}"


@pytest.mark.parametrize("service", SERVICES)
def test_ok_with_the_stored_credentials(environment: Environment, service: str) -> None:
    result = environment.run(environment.ok[service])
    assert (result["ok"], result["reason"], result["changed"], result["service"]) == (True, "", False, service)
    assert [c["name"] for c in result["checks"]] == STEPS
    assert all(c["ok"] for c in result["checks"]), result["checks"]
    tls = result["checks"][3]["detail"]
    assert tls.startswith("TLSv1.") and tls.endswith(f"verified against {environment.ca}")
    round_trip = result["checks"][-1]["detail"]
    assert {"mysql": "SELECT 1 answered 1", "redis": "PING answered PONG",
            "opensearch": "GET /_cluster/health: cluster 123456789012:check-search is green",
            "documentdb": "ping answered ok"}[service] in round_trip
    assert_no_secret(result, environment.secrets[service])


@pytest.mark.parametrize("service", SERVICES)
def test_check_mode_runs_the_same_steps(environment: Environment, service: str) -> None:
    result = environment.run(environment.ok[service], check_mode=True)
    assert result["ok"] is True and [c["name"] for c in result["checks"]] == STEPS


@pytest.mark.parametrize("service, reason", [
    ("mysql", "authentication: access denied for user 'admin'"),
    ("redis", "authentication: the AUTH token was refused (invalid username-password pair or user is disabled.)"),
    ("opensearch", "authentication: user 'openedx' was refused (HTTP 401 Unauthorized)"),
    ("documentdb", "authentication: authentication failed for user 'docdbadmin' (Authentication failed.)"),
])
def test_a_wrong_password_fails_authentication(environment: Environment, service: str, reason: str) -> None:
    result = environment.run(environment.wrong_password[service])
    assert (result["ok"], result["reason"]) == (False, reason)
    expected = [(step, step != "authentication") for step in STEPS[:5]]
    assert [(c["name"], c["ok"]) for c in result["checks"]] == expected
    assert result["checks"][3]["detail"].startswith("TLSv1.")
    assert_no_secret(result, WRONG, environment.secrets[service])


@pytest.mark.parametrize("service", SERVICES)
def test_a_plaintext_port_fails_tls(environment: Environment, service: str) -> None:
    args = environment.plaintext[service]
    result = environment.run(args)
    assert result["ok"] is False
    if service == "mysql":
        assert result["reason"] == f"TLS: the MySQL server at {_address(args)} does not offer TLS (plaintext server?)"
    else:
        assert result["reason"].startswith(f"TLS: the server at {_address(args)} did not ")
        assert result["reason"].endswith("(plaintext port?)")
    assert [c["name"] for c in result["checks"]] == ["secret", "DNS", "TCP", "TLS"]


@pytest.mark.parametrize("service", SERVICES)
def test_a_ca_that_did_not_sign_the_certificate_fails_tls(environment: Environment, service: str) -> None:
    result = environment.run({**environment.ok[service], "ca_bundle": environment.other_ca})
    assert result["ok"] is False
    # MariaDB and Redis send the sandbox CA along with their certificate, the OpenSearch and DocumentDB servers
    # their own alone.
    verify_message = {"mysql": "self-signed certificate in certificate chain",
                      "redis": "self-signed certificate in certificate chain"}.get(
        service, "unable to get local issuer certificate")
    assert result["reason"] == f"TLS: certificate verify failed: {verify_message} (CA bundle {environment.other_ca})"
    assert [c["name"] for c in result["checks"]] == ["secret", "DNS", "TCP", "TLS"]


@pytest.mark.parametrize("service", SERVICES)
def test_a_stopped_server_fails_tcp(environment: Environment, service: str) -> None:
    args = environment.stopped[service]
    result = environment.run(args)
    assert result["ok"] is False
    assert result["reason"] == f"TCP: connection refused at {_address(args)} (server stopped?)"
    assert [c["name"] for c in result["checks"]] == ["secret", "DNS", "TCP"]


def test_mysql_is_checked_over_one_connection(environment: Environment) -> None:
    """No probe connection of its own that MySQL would count against max_connect_errors."""
    args = environment.ok["mysql"]

    def status() -> dict[str, int]:
        with pymysql.connect(host=args["host"], port=args["port"], user="admin", password=MYSQL_PASSWORD,
                             ssl={"ca": environment.ca}) as connection, connection.cursor() as cursor:
            cursor.execute("SHOW GLOBAL STATUS WHERE Variable_name IN ('Connections', 'Aborted_connects')")
            return {name: int(value) for name, value in cursor.fetchall()}

    before = status()
    assert environment.run(args)["ok"] is True
    after = status()
    # One for the check, one for the status read itself.
    assert after["Connections"] - before["Connections"] == 2
    assert after["Aborted_connects"] == before["Aborted_connects"]


def test_a_mysql_check_against_a_port_that_is_not_mysql(environment: Environment) -> None:
    redis = environment.ok["redis"]
    args = {**environment.ok["mysql"], "host": redis["host"], "port": redis["port"]}
    result = environment.run(args)
    assert result["reason"].startswith(f"TLS: no MySQL greeting from {_address(args)} (")
    assert result["reason"].endswith("): not a MySQL port?")


def test_the_secret_is_read_first(environment: Environment) -> None:
    missing = "arn:aws:secretsmanager:us-east-1:123456789012:secret:openedx/check/none-AbCdEf"
    result = environment.run({**environment.ok["redis"], "secret_arn": missing})
    assert (result["ok"], result["reason"]) == (False, f"secret: {missing} does not exist")
    arn = _secret(environment.sandbox, "openedx/check/redis/shapeless", {"password": REDIS_TOKEN})
    result = environment.run({**environment.ok["redis"], "secret_arn": arn})
    assert result["reason"] == f"secret: {arn} can't be used: it holds no auth_token"
    assert [c["name"] for c in result["checks"]] == ["secret"]


@pytest.mark.parametrize("args, message", [
    ({"service": "mysql", "port": 3306}, "host is required for service=mysql"),
    ({"service": "redis", "host": "127.0.0.1", "port": 70000}, "port must be 1-65535, not 70000"),
    ({"service": "opensearch", "endpoint": "http://localhost:9200"}, "endpoint must be an https:// URL"),
    ({"service": "documentdb", "connection_string": "postgres://x"}, "connection_string must be a mongodb:// URI"),
    ({"service": "mysql", "host": "db", "port": 3306, "timeout": 0}, "timeout must be more than 0"),
])
def test_invalid_options_fail_before_any_call(args: dict[str, Any], message: str) -> None:
    done = run_module(connection_check, {"secret_arn": "openedx/x", **args})
    assert done.failed and message in done.result["msg"], done.result
    assert done.calls == []


def test_a_host_that_does_not_resolve_fails_dns(environment: Environment) -> None:
    result = environment.run({**environment.ok["redis"], "host": "no-such-host.invalid"})
    assert result["reason"].startswith("DNS: no-such-host.invalid does not resolve (")
    assert [c["name"] for c in result["checks"]] == ["secret", "DNS"]
