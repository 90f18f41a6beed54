# Copyright: Open edX data services maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The probes of the connection_check module: one data service reached the way the platform reaches it.

Every engine goes through the same steps, in order, and stops at the first that fails: DNS (the host resolves),
TCP (the port accepts), TLS (the handshake, with the chain verified and the host name checked against the CA
bundle), authentication with the stored credentials, and one harmless round trip. DNS, TCP and TLS are done here
with ``socket`` and ``ssl`` for every engine, so that a failure reads the same whatever the engine; authentication
and the round trip go through the engine's own client (PyMySQL, redis-py, http.client, pymongo).

MySQL negotiates TLS inside its own protocol: the server greets in plaintext, the client answers with an
SSLRequest packet and only then starts the handshake. Its TLS step is therefore PyMySQL's, run on the TCP socket
opened here and with the same kind of SSLContext as every other engine. The context records the handshake it
completed: a failure before that is the TLS step's (classified by ``tls_problem`` from the OSError PyMySQL keeps as
``original_exception``), a failure after it is authentication's. This keeps MySQL to one connection, which matters:
MySQL blocks a host after ``max_connect_errors`` connections that end before authenticating, so a TCP or TLS probe
of its own would, run after run, lock the director out.

No function here returns or formats a password; the module masks them in anything it returns besides.
"""

from __future__ import annotations

import base64
import contextlib
import errno
import http.client
import ipaddress
import json
import re
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NoReturn
from urllib.parse import urlsplit

try:
    import pymysql
except ImportError:
    pymysql = None

try:
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry
except ImportError:
    redis = None

try:
    import pymongo
    import pymongo.errors
except ImportError:
    pymongo = None

SERVICES = ("mysql", "documentdb", "opensearch", "redis")
LIBRARIES = {"mysql": ("PyMySQL", "pymysql"), "redis": ("redis", "redis"), "documentdb": ("pymongo", "pymongo")}
HEALTH_PATH = "/_cluster/health"
# OpenSSL's reasons when the peer answers a ClientHello with something that is not TLS.
PLAINTEXT_REASONS = frozenset({
    "WRONG_VERSION_NUMBER", "UNKNOWN_PROTOCOL", "HTTP_REQUEST", "PACKET_LENGTH_TOO_LONG", "RECORD_LAYER_FAILURE",
    "UNEXPECTED_EOF_WHILE_READING", "UNEXPECTED_RECORD",
})
# MySQL client error: the server's greeting does not offer TLS (CR_SSL_CONNECTION_ERROR).
MYSQL_NO_TLS = 2026
# MongoDB's AuthenticationFailed.
MONGO_AUTH_FAILED = 18


@dataclass
class Check:
    """One step: its name, whether it passed, and what it found or why it failed."""

    name: str
    ok: bool
    detail: str

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "ok": self.ok, "detail": self.detail}


@dataclass
class Target:
    """Where the service answers, the CA bundle that verifies it and the seconds each step may take."""

    host: str
    port: int
    ca_bundle: str | None = None
    timeout: float = 10.0

    @property
    def address(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


@dataclass
class Credentials:
    username: str
    password: str = field(repr=False)


class SecretProblem(ValueError):
    """A secret that does not hold what the service needs; the message never quotes the value."""


class _Stop(Exception):
    """A step failed and was recorded: the run ends there."""


class Steps:
    """The checks of one run, in order."""

    def __init__(self) -> None:
        self.checks: list[Check] = []

    def passed(self, name: str, detail: str) -> None:
        self.checks.append(Check(name, True, detail))

    def failed(self, name: str, detail: str) -> NoReturn:
        self.checks.append(Check(name, False, detail))
        raise _Stop(detail)


def _run(probe: Callable[[Steps], None]) -> list[Check]:
    steps = Steps()
    with contextlib.suppress(_Stop):
        probe(steps)
    return steps.checks


def outcome(checks: list[Check]) -> tuple[bool, str]:
    """Whether every step passed, and the first failure as ``<step>: <detail>`` (empty when none failed)."""
    failed = next((check for check in checks if not check.ok), None)
    return failed is None, "" if failed is None else f"{failed.name}: {failed.detail}"


def missing_library(service: str) -> str | None:
    """The Python library the service's client needs when it can't be imported, else None."""
    loaded = {"mysql": pymysql, "redis": redis, "documentdb": pymongo}
    if service in loaded and loaded[service] is None:
        return LIBRARIES[service][0]
    return None


def _seconds(value: float) -> str:
    return f"{value:g}s"


def _strerror(exc: BaseException) -> str:
    """OpenSSL's reason of an SSLError (TLSV1_ALERT_PROTOCOL_VERSION), the system's text of an OSError."""
    return getattr(exc, "reason", None) or getattr(exc, "strerror", None) or str(exc) or type(exc).__name__


# --- the secret ---------------------------------------------------------------------------------------------------


def credentials_from_secret(service: str, secret_string: str | None, username: str | None = None) -> Credentials:
    """The credentials a secret holds: the RDS shape (``username``, ``password``), or ``auth_token`` for Redis.

    ``username`` (the hand-off's) wins over the secret's, as it does for the platform.
    """
    try:
        value = json.loads(secret_string or "")
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise SecretProblem("it does not hold a JSON object")
    if service == "redis":
        token = value.get("auth_token")
        if not isinstance(token, str) or not token:
            raise SecretProblem("it holds no auth_token")
        return Credentials(username or "default", token)
    password = value.get("password")
    if not isinstance(password, str) or not password:
        raise SecretProblem("it holds no password")
    user = username or value.get("username")
    if not isinstance(user, str) or not user:
        raise SecretProblem("it holds no username, and none was given")
    return Credentials(user, password)


# --- DNS, TCP and TLS, the same for every engine --------------------------------------------------------------------


def dns_problem(host: str, exc: BaseException) -> str:
    if isinstance(exc, socket.gaierror) and exc.errno in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", None)):
        return f"{host} does not resolve ({_strerror(exc)})"
    return f"{host} could not be resolved ({_strerror(exc)})"


def tcp_problem(target: Target, exc: OSError) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return f"connection refused at {target.address} (server stopped?)"
    if isinstance(exc, TimeoutError):
        return (f"no answer from {target.address} within {_seconds(target.timeout)} (security group, network ACL "
                "or route?)")
    if exc.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH):
        return f"{target.address} is unreachable ({_strerror(exc)}): no route to it from here"
    return f"cannot connect to {target.address} ({_strerror(exc)})"


def tls_problem(target: Target, exc: BaseException) -> str:
    """What a failed TLS handshake means, phrased for a person: which bundle failed to verify, or a plaintext port."""
    bundle = target.ca_bundle or "the system's CA certificates"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"certificate verify failed: {exc.verify_message} (CA bundle {bundle})"
    plaintext = isinstance(exc, (ssl.SSLEOFError, ssl.SSLZeroReturnError, ConnectionResetError, BrokenPipeError))
    if plaintext or (isinstance(exc, ssl.SSLError) and exc.reason in PLAINTEXT_REASONS):
        return f"the server at {target.address} did not start a TLS handshake (plaintext port?)"
    if isinstance(exc, TimeoutError):
        return (f"the server at {target.address} did not answer the TLS handshake within "
                f"{_seconds(target.timeout)} (plaintext port?)")
    return f"the handshake with {target.address} failed ({_strerror(exc)})"


def tls_context(ca_bundle: str | None, context_class: type[ssl.SSLContext] = ssl.SSLContext) -> ssl.SSLContext:
    """A client context that verifies the chain against ``ca_bundle`` (the system's CAs when None) and the host name,
    TLS 1.2 or later, as the services of this collection require."""
    context = context_class(ssl.PROTOCOL_TLS_CLIENT)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if ca_bundle:
        context.load_verify_locations(cafile=ca_bundle)
    else:
        context.load_default_certs()
    return context


def tls_detail(target: Target, version: str | None) -> str:
    bundle = target.ca_bundle or "the system's CA certificates"
    return f"{version or 'TLS'}, certificate of {target.host} verified against {bundle}"


def _resolve(steps: Steps, target: Target) -> None:
    try:
        ipaddress.ip_address(target.host)
    except ValueError:
        pass
    else:
        steps.passed("DNS", f"{target.host} is an IP address")
        return
    try:
        found = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        steps.failed("DNS", dns_problem(target.host, exc))
    steps.passed("DNS", f"{target.host} resolves to {', '.join(sorted({str(info[4][0]) for info in found}))}")


def _connect(steps: Steps, target: Target) -> socket.socket:
    try:
        sock = socket.create_connection((target.host, target.port), timeout=target.timeout)
    except OSError as exc:
        steps.failed("TCP", tcp_problem(target, exc))
    steps.passed("TCP", f"{target.address} accepts connections")
    return sock


def _context(steps: Steps, target: Target, sock: socket.socket,
             context_class: type[ssl.SSLContext] = ssl.SSLContext) -> ssl.SSLContext:
    try:
        return tls_context(target.ca_bundle, context_class)
    except OSError as exc:  # ssl.SSLError is an OSError too
        sock.close()
        steps.failed("TLS", f"the CA bundle {target.ca_bundle} can't be used ({_strerror(exc)})")


def _start_tls(steps: Steps, target: Target, sock: socket.socket) -> tuple[ssl.SSLContext, ssl.SSLSocket]:
    context = _context(steps, target, sock)
    try:
        tls = context.wrap_socket(sock, server_hostname=target.host)
    except OSError as exc:
        sock.close()
        steps.failed("TLS", tls_problem(target, exc))
    steps.passed("TLS", tls_detail(target, tls.version()))
    return context, tls


def _network(steps: Steps, target: Target) -> tuple[ssl.SSLContext, ssl.SSLSocket]:
    _resolve(steps, target)
    return _start_tls(steps, target, _connect(steps, target))


# --- MySQL ----------------------------------------------------------------------------------------------------------


class _RecordingContext(ssl.SSLContext):
    """The context PyMySQL wraps its socket with: the TLS version it records once the handshake is done tells a TLS
    failure from a later one (PyMySQL closes the socket on any failure, so it is read here)."""

    tls_version: str | None = None

    def wrap_socket(self, *args: Any, **kwargs: Any) -> ssl.SSLSocket:  # type: ignore[override]
        wrapped = super().wrap_socket(*args, **kwargs)
        self.tls_version = wrapped.version()
        return wrapped


def _mysql_error(exc: BaseException) -> tuple[Any, str]:
    args = getattr(exc, "args", ())
    if len(args) >= 2:
        return args[0], str(args[1])
    return None, str(exc)


def mysql_tls_problem(target: Target, exc: BaseException, greeted: bool) -> str:
    """A failure of PyMySQL before its TLS handshake completed: no greeting, no TLS offered, or the handshake's."""
    code, message = _mysql_error(exc)
    original = getattr(exc, "original_exception", None)
    if code == MYSQL_NO_TLS:
        return f"the MySQL server at {target.address} does not offer TLS (plaintext server?)"
    if isinstance(code, int) and code < 2000:
        return f"the MySQL server at {target.address} refused the connection before TLS ({code} {message})"
    if not greeted:
        reason = _strerror(original) if original is not None else message
        return f"no MySQL greeting from {target.address} ({reason}): not a MySQL port?"
    if original is not None:
        return tls_problem(target, original)
    return f"the handshake with {target.address} failed ({message})"


def mysql_auth_problem(target: Target, exc: BaseException, username: str, database: str | None) -> str:
    code, message = _mysql_error(exc)
    if code == 1045:
        return f"access denied for user {username!r}"
    if code == 1044:
        return f"user {username!r} has no access to database {database!r}"
    if code == 1049:
        return f"database {database!r} does not exist"
    original = getattr(exc, "original_exception", None)
    if original is not None:
        return f"the connection to {target.address} broke off during authentication ({_strerror(original)})"
    return f"MySQL error {code}: {message}" if code is not None else message


def check_mysql(target: Target, credentials: Credentials, database: str | None = None) -> list[Check]:
    """DNS, TCP, then PyMySQL on that socket (TLS, login, ``SELECT 1``): one connection, see the module docstring."""

    def probe(steps: Steps) -> None:
        _resolve(steps, target)
        sock = _connect(steps, target)
        context = _context(steps, target, sock, _RecordingContext)
        connection = pymysql.connections.Connection(
            host=target.host, port=target.port, user=credentials.username, password=credentials.password,
            database=database or None, ssl=context, connect_timeout=target.timeout, read_timeout=target.timeout,
            write_timeout=target.timeout, charset="utf8mb4", defer_connect=True)
        try:
            connection.connect(sock)
        # Whatever answers on a port that is not MySQL can make PyMySQL fail in any way as it parses the greeting.
        except Exception as exc:
            if context.tls_version is None:
                greeted = getattr(connection, "server_version", None) is not None
                steps.failed("TLS", mysql_tls_problem(target, exc, greeted))
            steps.passed("TLS", tls_detail(target, context.tls_version))
            steps.failed("authentication", mysql_auth_problem(target, exc, credentials.username, database))
        try:
            steps.passed("TLS", tls_detail(target, context.tls_version))
            steps.passed("authentication", f"logged in as {credentials.username!r}"
                         + (f" to database {database!r}" if database else ""))
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT 1")
                    row = cursor.fetchone()
            except pymysql.MySQLError as exc:
                code, message = _mysql_error(exc)
                steps.failed("round trip", f"SELECT 1 failed ({code} {message})")
            if row != (1,):
                steps.failed("round trip", f"SELECT 1 answered {row!r}")
            steps.passed("round trip", f"SELECT 1 answered 1 (server {connection.get_server_info()})")
        finally:
            with contextlib.suppress(pymysql.MySQLError):
                connection.close()

    return _run(probe)


# --- Redis ----------------------------------------------------------------------------------------------------------


def redis_auth_problem(exc: BaseException) -> str:
    message = str(exc)
    if "NOAUTH" in message or "Authentication required" in message:
        return "the server asks for an AUTH token and none was sent"
    return f"the AUTH token was refused ({message})"


def check_redis(target: Target, credentials: Credentials) -> list[Check]:
    """DNS, TCP, TLS here; then redis-py over TLS (verified, host name checked) with the AUTH token, and ``PING``."""

    def probe(steps: Steps) -> None:
        _network(steps, target)[1].close()
        connection = redis.SSLConnection(
            host=target.host, port=target.port, password=credentials.password or None,
            ssl_ca_certs=target.ca_bundle, ssl_cert_reqs="required", ssl_check_hostname=True,
            ssl_min_version=ssl.TLSVersion.TLSv1_2, socket_timeout=target.timeout,
            socket_connect_timeout=target.timeout, retry=Retry(NoBackoff(), 0))
        connected = False
        try:
            connection.connect()  # TLS, then AUTH with the token
            connected = True
            connection.send_command("PING")
            reply = connection.read_response()
        except redis.AuthenticationError as exc:
            steps.failed("authentication", redis_auth_problem(exc))
        except (redis.RedisError, OSError) as exc:
            if not connected:
                steps.failed("authentication", f"the connection to {target.address} failed ({exc})")
            steps.passed("authentication", "AUTH token accepted")
            steps.failed("round trip", f"PING failed ({exc})")
        finally:
            connection.disconnect()
        steps.passed("authentication", "AUTH token accepted")
        if reply not in (b"PONG", "PONG", True):
            steps.failed("round trip", f"PING answered {reply!r}")
        steps.passed("round trip", "PING answered PONG")

    return _run(probe)


# --- OpenSearch -----------------------------------------------------------------------------------------------------


def opensearch_target(endpoint: str, ca_bundle: str | None, timeout: float) -> Target:
    """The target of a domain endpoint URL (``https://host[:port]``); ValueError when it is not one."""
    parts = urlsplit(endpoint)
    if parts.scheme != "https" or not parts.hostname:
        raise ValueError(f"endpoint must be an https:// URL such as https://vpc-x.us-east-1.es.amazonaws.com, "
                         f"got {endpoint!r}")
    return Target(parts.hostname, parts.port or 443, ca_bundle, timeout)


def health_detail(body: Any) -> tuple[bool, str]:
    """Whether a cluster health answer is one the platform can work with (green or yellow), and what it says."""
    if not isinstance(body, dict) or "status" not in body:
        return False, f"GET {HEALTH_PATH} answered no cluster health: {str(body)[:200]}"
    status = body["status"]
    detail = (f"cluster {body.get('cluster_name', '?')} is {status}, {body.get('number_of_nodes', '?')} node(s), "
              f"{body.get('number_of_data_nodes', '?')} data node(s)")
    if status == "red":
        return False, f"{detail}: {body.get('unassigned_shards', '?')} shard(s) unassigned"
    return True, detail


def check_opensearch(target: Target, credentials: Credentials) -> list[Check]:
    """DNS, TCP, TLS here; then ``GET /_cluster/health`` with basic auth over that same TLS connection."""

    def probe(steps: Steps) -> None:
        context, tls = _network(steps, target)
        connection = http.client.HTTPSConnection(target.host, target.port, timeout=target.timeout, context=context)
        connection.sock = tls
        token = base64.b64encode(f"{credentials.username}:{credentials.password}".encode()).decode()
        try:
            connection.request("GET", HEALTH_PATH, headers={"Authorization": f"Basic {token}",
                                                            "Accept": "application/json"})
            response = connection.getresponse()
            raw = response.read()
        except (OSError, http.client.HTTPException) as exc:
            steps.failed("authentication", f"no HTTP answer from {target.address} ({_strerror(exc)})")
        finally:
            connection.close()
        user = credentials.username
        status = f"HTTP {response.status} {response.reason}".rstrip()
        if response.status == 401:
            steps.failed("authentication", f"user {user!r} was refused ({status})")
        if response.status not in (200, 403):
            steps.failed("authentication", f"GET {HEALTH_PATH} answered {status}, neither accepting nor refusing "
                                           f"user {user!r} (is {target.address} the domain's endpoint?)")
        steps.passed("authentication", f"user {user!r} accepted")
        if response.status == 403:
            steps.failed("round trip", f"GET {HEALTH_PATH} answered {status}: user {user!r} may not read the "
                                       "cluster's health (its role needs cluster_monitor)")
        try:
            body = json.loads(raw)
        except ValueError:
            body = raw.decode(errors="replace")
        healthy, detail = health_detail(body)
        if not healthy:
            steps.failed("round trip", detail)
        steps.passed("round trip", f"GET {HEALTH_PATH}: {detail}")

    return _run(probe)


# --- DocumentDB -----------------------------------------------------------------------------------------------------

_USERINFO = re.compile(r"^(mongodb(?:\+srv)?://)[^@/?#]*@", re.IGNORECASE)


def without_userinfo(connection_string: str) -> str:
    """The connection string without ``user[:password]@``: the credentials are given beside it."""
    return _USERINFO.sub(r"\1", connection_string, count=1)


def connection_string_address(connection_string: str) -> tuple[str, int]:
    """Host and port of the first host of a ``mongodb://`` connection string (27017 when it names no port)."""
    match = re.match(r"^mongodb://(?:[^@/?#]*@)?(?:\[([^\]]+)\]|([^/?#,:]+))(?::(\d+))?(?:[/?#,]|$)",
                     connection_string, re.IGNORECASE)
    if not match:
        raise ValueError("connection_string must be a mongodb:// URI naming a host (and port)")
    return match.group(1) or match.group(2), int(match.group(3) or 27017)


def mongo_selection_problem(target: Target, message: str) -> str:
    """A ServerSelectionTimeoutError made short: the first server's own error, without pymongo's timeouts."""
    errors = re.findall(r"error=\w+\((['\"])(.*?)\1\)", message)
    reason = errors[0][1] if errors else message.split(", Timeout:")[0]
    reason = re.sub(r"\s*\(configured timeouts:[^)]*\)", "", reason).strip()
    reason = re.sub(r"^\S+:\d+: ", "", reason)  # pymongo's own "host:port: " in front
    return f"no DocumentDB answered the MongoDB handshake at {target.address} ({reason})"


def check_documentdb(target: Target, credentials: Credentials, connection_string: str) -> list[Check]:
    """DNS, TCP, TLS here; then pymongo with the hand-off's connection string and the credentials, and ``ping``.

    The credentials go to MongoClient beside the connection string rather than into it: the same login as a
    string with ``user:password@`` inserted, without a string holding the password that an error could echo.
    """

    def probe(steps: Steps) -> None:
        _network(steps, target)[1].close()
        milliseconds = int(target.timeout * 1000)
        options: dict[str, Any] = {
            "username": credentials.username, "password": credentials.password, "appname": "openedx-connection-check",
            "serverSelectionTimeoutMS": milliseconds, "connectTimeoutMS": milliseconds,
            "socketTimeoutMS": milliseconds}
        if target.ca_bundle and "tlscafile=" not in connection_string.lower():
            options["tlsCAFile"] = target.ca_bundle
        try:
            client = pymongo.MongoClient(without_userinfo(connection_string), **options)
        except (pymongo.errors.PyMongoError, ValueError, TypeError) as exc:
            steps.failed("authentication", f"the connection string can't be used ({exc})")
        try:
            reply = client.admin.command("ping")
        except pymongo.errors.OperationFailure as exc:
            if exc.code == MONGO_AUTH_FAILED or "auth" in str(exc).lower():
                steps.failed("authentication", f"authentication failed for user {credentials.username!r} "
                                               f"({(exc.details or {}).get('errmsg', exc)})")
            steps.passed("authentication", f"logged in as {credentials.username!r}")
            steps.failed("round trip", f"ping failed ({exc})")
        except pymongo.errors.ServerSelectionTimeoutError as exc:
            steps.failed("authentication", mongo_selection_problem(target, str(exc)))
        except pymongo.errors.PyMongoError as exc:
            steps.failed("authentication", f"the MongoDB connection to {target.address} failed ({exc})")
        finally:
            client.close()
        steps.passed("authentication", f"logged in as {credentials.username!r}")
        if not reply.get("ok"):
            steps.failed("round trip", f"ping answered {reply!r}")
        steps.passed("round trip", "ping answered ok")

    return _run(probe)
