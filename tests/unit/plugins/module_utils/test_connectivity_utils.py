"""module_utils/connectivity.py, its pure parts: how each failure is classified and phrased, what a secret must hold,
the connection string and endpoint parsing, and the outcome of a run."""

from __future__ import annotations

import errno
import socket
import ssl

import pymysql
import pytest
import redis
from ansible_collections.openedx.data_services.plugins.module_utils import connectivity
from ansible_collections.openedx.data_services.plugins.module_utils.connectivity import Check, Target

TARGET = Target("db.example.internal", 3306, "/etc/ssl/bundle.pem", 10)


def _ssl_error(reason: str) -> ssl.SSLError:
    error = ssl.SSLError(1, f"[SSL: {reason}] {reason.lower()}")
    error.reason = reason
    return error


def _verify_error(message: str) -> ssl.SSLCertVerificationError:
    error = ssl.SSLCertVerificationError(1, f"[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: {message}")
    error.verify_message = message
    return error


@pytest.mark.parametrize("exc, expected", [
    (_verify_error("unable to get local issuer certificate"),
     "certificate verify failed: unable to get local issuer certificate (CA bundle /etc/ssl/bundle.pem)"),
    (_verify_error("Hostname mismatch, certificate is not valid for 'db.example.internal'."),
     "certificate verify failed: Hostname mismatch, certificate is not valid for 'db.example.internal'. "
     "(CA bundle /etc/ssl/bundle.pem)"),
    (_verify_error("certificate has expired"), "certificate verify failed: certificate has expired "
                                               "(CA bundle /etc/ssl/bundle.pem)"),
    (_ssl_error("WRONG_VERSION_NUMBER"),
     "the server at db.example.internal:3306 did not start a TLS handshake (plaintext port?)"),
    (_ssl_error("RECORD_LAYER_FAILURE"),
     "the server at db.example.internal:3306 did not start a TLS handshake (plaintext port?)"),
    (ssl.SSLEOFError(8, "EOF occurred in violation of protocol"),
     "the server at db.example.internal:3306 did not start a TLS handshake (plaintext port?)"),
    (ConnectionResetError(errno.ECONNRESET, "Connection reset by peer"),
     "the server at db.example.internal:3306 did not start a TLS handshake (plaintext port?)"),
    (TimeoutError("timed out"),
     "the server at db.example.internal:3306 did not answer the TLS handshake within 10s (plaintext port?)"),
    (_ssl_error("TLSV1_ALERT_PROTOCOL_VERSION"),
     "the handshake with db.example.internal:3306 failed (TLSV1_ALERT_PROTOCOL_VERSION)"),
])
def test_tls_failures_say_what_they_are(exc: BaseException, expected: str) -> None:
    assert connectivity.tls_problem(TARGET, exc) == expected


def test_tls_failures_name_the_system_store_without_a_bundle() -> None:
    target = Target("db.example.internal", 3306, None, 10)
    assert connectivity.tls_problem(target, _verify_error("self-signed certificate")) == (
        "certificate verify failed: self-signed certificate (CA bundle the system's CA certificates)")


@pytest.mark.parametrize("exc, expected", [
    (ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused"),
     "connection refused at db.example.internal:3306 (server stopped?)"),
    (TimeoutError("timed out"),
     "no answer from db.example.internal:3306 within 10s (security group, network ACL or route?)"),
    (OSError(errno.EHOSTUNREACH, "No route to host"),
     "db.example.internal:3306 is unreachable (No route to host): no route to it from here"),
    (OSError(errno.EACCES, "Permission denied"), "cannot connect to db.example.internal:3306 (Permission denied)"),
])
def test_tcp_failures_say_what_they_are(exc: OSError, expected: str) -> None:
    assert connectivity.tcp_problem(TARGET, exc) == expected


def test_an_ipv6_address_is_bracketed() -> None:
    assert Target("::1", 6379).address == "[::1]:6379"


def test_dns_failures() -> None:
    missing = socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    assert connectivity.dns_problem("x.invalid", missing) == "x.invalid does not resolve (Name or service not known)"
    again = socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
    assert connectivity.dns_problem("x.internal", again) == (
        "x.internal could not be resolved (Temporary failure in name resolution)")


def _wrapped(original: OSError) -> pymysql.err.OperationalError:
    """What PyMySQL raises for an OSError inside connect()."""
    error = pymysql.err.OperationalError(2003, f"Can't connect to MySQL server on 'db' ({original})")
    error.original_exception = original
    return error


@pytest.mark.parametrize("exc, greeted, expected", [
    (pymysql.err.OperationalError(2026, "SSL is required but the server doesn't support it"), True,
     "the MySQL server at db.example.internal:3306 does not offer TLS (plaintext server?)"),
    (_wrapped(_verify_error("unable to get local issuer certificate")), True,
     "certificate verify failed: unable to get local issuer certificate (CA bundle /etc/ssl/bundle.pem)"),
    (pymysql.err.OperationalError(2013, "Lost connection to MySQL server during query (timed out)"), False,
     "no MySQL greeting from db.example.internal:3306 (Lost connection to MySQL server during query (timed out)): "
     "not a MySQL port?"),
    (pymysql.err.OperationalError(1040, "Too many connections"), False,
     "the MySQL server at db.example.internal:3306 refused the connection before TLS (1040 Too many connections)"),
    (ValueError("bad greeting"), False, "no MySQL greeting from db.example.internal:3306 (bad greeting): "
                                        "not a MySQL port?"),
])
def test_mysql_failures_before_tls(exc: BaseException, greeted: bool, expected: str) -> None:
    assert connectivity.mysql_tls_problem(TARGET, exc, greeted) == expected


@pytest.mark.parametrize("exc, expected", [
    (pymysql.err.OperationalError(1045, "Access denied for user 'openedx'@'10.0.0.5' (using password: YES)"),
     "access denied for user 'openedx'"),
    (pymysql.err.OperationalError(1044, "Access denied for user 'openedx'@'%' to database 'edxapp'"),
     "user 'openedx' has no access to database 'edxapp'"),
    (pymysql.err.OperationalError(1049, "Unknown database 'edxapp'"), "database 'edxapp' does not exist"),
    (_wrapped(ConnectionResetError(errno.ECONNRESET, "Connection reset by peer")),
     "the connection to db.example.internal:3306 broke off during authentication (Connection reset by peer)"),
    (pymysql.err.OperationalError(1129, "Host is blocked"), "MySQL error 1129: Host is blocked"),
])
def test_mysql_failures_after_tls(exc: BaseException, expected: str) -> None:
    assert connectivity.mysql_auth_problem(TARGET, exc, "openedx", "edxapp") == expected


@pytest.mark.parametrize("exc, expected", [
    (redis.AuthenticationError("invalid username-password pair or user is disabled."),
     "the AUTH token was refused (invalid username-password pair or user is disabled.)"),
    (redis.AuthenticationError("Authentication required."), "the server asks for an AUTH token and none was sent"),
])
def test_redis_authentication_failures(exc: BaseException, expected: str) -> None:
    assert connectivity.redis_auth_problem(exc) == expected


def test_a_server_selection_timeout_is_cut_to_the_servers_own_error() -> None:
    message = ("No replica set members found yet, Timeout: 10.0s, Topology Description: <TopologyDescription id: "
               "6650, topology_type: ReplicaSetNoPrimary, servers: [<ServerDescription ('docdb.internal', 27017) "
               "server_type: Unknown, rtt: None, error=AutoReconnect('docdb.internal:27017: connection closed "
               "(configured timeouts: socketTimeoutMS: 10000.0ms, connectTimeoutMS: 10000.0ms)')>]>")
    target = Target("docdb.internal", 27017)
    assert connectivity.mongo_selection_problem(target, message) == (
        "no DocumentDB answered the MongoDB handshake at docdb.internal:27017 (connection closed)")
    assert connectivity.mongo_selection_problem(target, "No servers found yet, Timeout: 1.0s, Topology") == (
        "no DocumentDB answered the MongoDB handshake at docdb.internal:27017 (No servers found yet)")


@pytest.mark.parametrize("uri, expected", [
    ("mongodb://docdbadmin@docdb.internal:27017/?tls=true&replicaSet=rs0", ("docdb.internal", 27017)),
    ("mongodb://docdb.internal/?tls=true", ("docdb.internal", 27017)),
    ("mongodb://user:pass@127.0.0.1:17017,other:17018/?replicaSet=rs0", ("127.0.0.1", 17017)),
    ("mongodb://[::1]:17017/", ("::1", 17017)),
])
def test_connection_string_address(uri: str, expected: tuple[str, int]) -> None:
    assert connectivity.connection_string_address(uri) == expected


@pytest.mark.parametrize("uri", ["", "postgres://db:5432", "mongodb://", "mongodb+srv://cluster.example.com/"])
def test_connection_string_address_refuses_what_names_no_host(uri: str) -> None:
    with pytest.raises(ValueError, match="mongodb://"):
        connectivity.connection_string_address(uri)


def test_the_credentials_go_beside_the_connection_string() -> None:
    assert connectivity.without_userinfo("mongodb://docdbadmin@docdb.internal:27017/?tls=true") == (
        "mongodb://docdb.internal:27017/?tls=true")
    assert connectivity.without_userinfo("mongodb://u:p%40ss@h:1/?a=b@c") == "mongodb://h:1/?a=b@c"
    assert connectivity.without_userinfo("mongodb://h:1/?a=b@c") == "mongodb://h:1/?a=b@c"


def test_opensearch_endpoint() -> None:
    assert connectivity.opensearch_target("https://vpc-x.es.amazonaws.com", None, 5) == Target(
        "vpc-x.es.amazonaws.com", 443, None, 5)
    assert connectivity.opensearch_target("https://localhost:19200/", "/ca.pem", 5).port == 19200
    for wrong in ("http://localhost:9200", "localhost:9200", ""):
        with pytest.raises(ValueError, match="https://"):
            connectivity.opensearch_target(wrong, None, 5)


def test_cluster_health() -> None:
    green = {"cluster_name": "123456789012:search", "status": "green", "number_of_nodes": 6,
             "number_of_data_nodes": 3}
    assert connectivity.health_detail(green) == (True, "cluster 123456789012:search is green, 6 node(s), "
                                                       "3 data node(s)")
    assert connectivity.health_detail({**green, "status": "yellow"})[0] is True
    red = connectivity.health_detail({**green, "status": "red", "unassigned_shards": 4})
    assert red == (False, "cluster 123456789012:search is red, 6 node(s), 3 data node(s): 4 shard(s) unassigned")
    assert connectivity.health_detail("<html>")[0] is False


@pytest.mark.parametrize("service, secret, username, expected", [
    ("mysql", '{"username": "openedx", "password": "P4ss-word-1234567"}', None, ("openedx", "P4ss-word-1234567")),
    ("mysql", '{"username": "admin", "password": "P4ss-word-1234567"}', "openedx", ("openedx", "P4ss-word-1234567")),
    ("redis", '{"auth_token": "T0ken-1234567890ab"}', None, ("default", "T0ken-1234567890ab")),
])
def test_credentials_from_secret(service: str, secret: str, username: str | None, expected: tuple[str, str]) -> None:
    credentials = connectivity.credentials_from_secret(service, secret, username)
    assert (credentials.username, credentials.password) == expected
    assert expected[1] not in repr(credentials)


@pytest.mark.parametrize("service, secret, message", [
    ("mysql", "not json", "it does not hold a JSON object"),
    ("mysql", '["a"]', "it does not hold a JSON object"),
    ("mysql", '{"username": "openedx"}', "it holds no password"),
    ("opensearch", '{"password": "P4ss-word-1234567"}', "it holds no username, and none was given"),
    ("redis", '{"password": "P4ss-word-1234567"}', "it holds no auth_token"),
])
def test_a_secret_without_what_the_service_needs(service: str, secret: str, message: str) -> None:
    with pytest.raises(connectivity.SecretProblem, match=message) as caught:
        connectivity.credentials_from_secret(service, secret)
    assert "P4ss" not in str(caught.value)


def test_outcome_is_the_first_failure() -> None:
    assert connectivity.outcome([Check("DNS", True, "ok")]) == (True, "")
    checks = [Check("DNS", True, "x resolves"), Check("TCP", False, "connection refused at x:1 (server stopped?)")]
    assert connectivity.outcome(checks) == (False, "TCP: connection refused at x:1 (server stopped?)")
