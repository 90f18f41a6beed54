"""The DocumentDB probe of connectivity against local servers and pymongo's own behaviour: a stopped port, a
plaintext port, a CA that did not sign the certificate, a TLS server that is not MongoDB, and a MongoDB-wire server
that refuses the login. (Its end-to-end test against the sandbox's DocumentDB comes with that data plane.)"""

from __future__ import annotations

import socket
import ssl
import struct
import subprocess
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import bson
import pytest
from ansible_collections.openedx.data_services.plugins.module_utils import connectivity
from harness import ca_bundle, server_certificate

CREDENTIALS = connectivity.Credentials("docdbadmin", "Docdb-Password-1")
TIMEOUT = 2
OP_REPLY, OP_QUERY, OP_MSG = 1, 2004, 2013


class Listener:
    """A TCP server on 127.0.0.1 serving each connection in a thread with ``serve`` (TLS first when ``tls``)."""

    def __init__(self, serve: Callable[[socket.socket], None], tls: ssl.SSLContext | None = None) -> None:
        self.serve, self.tls = serve, tls
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client = self.sock.accept()[0]
            except OSError:
                return
            threading.Thread(target=self._handle, args=(client,), daemon=True).start()

    def _handle(self, client: socket.socket) -> None:
        try:
            client.settimeout(TIMEOUT * 3)
            if self.tls is not None:
                client = self.tls.wrap_socket(client, server_side=True)
            self.serve(client)
        except OSError:
            pass
        finally:
            client.close()

    def close(self) -> None:
        self.sock.close()


def _read(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise ConnectionError("closed")
        data += chunk
    return data


def refusing_mongodb(sock: socket.socket) -> None:
    """Speaks the MongoDB wire protocol as a replica set member of rs0 would, and refuses every login."""
    while True:
        length, request_id, _response_to, opcode = struct.unpack("<iiii", _read(sock, 16))
        body = _read(sock, length - 16)
        # OP_QUERY: flags, collection name, skip, limit, then the command; OP_MSG: flags, section kind 0, command.
        start = body.index(b"\x00", 4) + 9 if opcode == OP_QUERY else 5
        command = bson.decode(body[start:start + struct.unpack("<i", body[start:start + 4])[0]])
        name = next(iter(command))
        if name.lower() in ("ismaster", "hello"):
            port = sock.getsockname()[1]
            reply = {"helloOk": True, "ismaster": True, "isWritablePrimary": True, "setName": "rs0",
                     "hosts": [f"localhost:{port}"], "primary": f"localhost:{port}", "me": f"localhost:{port}",
                     "saslSupportedMechs": ["SCRAM-SHA-1"], "maxWireVersion": 13, "minWireVersion": 0,
                     "maxBsonObjectSize": 16777216, "maxMessageSizeBytes": 48000000, "maxWriteBatchSize": 100000,
                     "logicalSessionTimeoutMinutes": 30, "ok": 1.0}
        else:
            reply = {"ok": 0.0, "errmsg": "Authentication failed.", "code": 18, "codeName": "AuthenticationFailed"}
        document = bson.encode(reply)
        if opcode == OP_QUERY:
            payload = struct.pack("<iqii", 8, 0, 0, 1) + document
            opcode_out = OP_REPLY
        else:
            payload = struct.pack("<I", 0) + b"\x00" + document
            opcode_out = OP_MSG
        sock.sendall(struct.pack("<iiii", 16 + len(payload), 1, request_id, opcode_out) + payload)


def closes_after_handshake(sock: socket.socket) -> None:
    sock.recv(1)


@pytest.fixture
def tls_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Listener]]:
    """Starts listeners with a certificate of the sandbox CA (for 127.0.0.1 and localhost) under tmp_path."""
    monkeypatch.setenv("SANDBOX_STATE_DIR", str(tmp_path))
    cert, key = server_certificate("documentdb")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(cert), str(key))
    started: list[Listener] = []

    def start(serve: Callable[[socket.socket], None], tls: bool = True) -> Listener:
        listener = Listener(serve, context if tls else None)
        started.append(listener)
        return listener

    yield start
    for listener in started:
        listener.close()


def check(port: int, ca: str | None = None, uri_options: str = "") -> tuple[bool, str, list[str]]:
    target = connectivity.Target("localhost", port, ca or str(ca_bundle()), TIMEOUT)
    uri = (f"mongodb://docdbadmin@localhost:{port}/?tls=true&replicaSet=rs0&readPreference=secondaryPreferred"
           f"&retryWrites=false{uri_options}")
    checks = connectivity.check_documentdb(target, CREDENTIALS, uri)
    ok, reason = connectivity.outcome(checks)
    assert CREDENTIALS.password not in reason
    return ok, reason, [c.name for c in checks]


def test_a_stopped_port_fails_tcp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SANDBOX_STATE_DIR", str(tmp_path))
    with socket.create_server(("127.0.0.1", 0)) as sock:
        port = sock.getsockname()[1]
    assert check(port)[:2] == (False, f"TCP: connection refused at localhost:{port} (server stopped?)")


def test_a_plaintext_port_fails_tls(tls_server: Callable[..., Listener]) -> None:
    port = tls_server(lambda sock: sock.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n"), tls=False).port
    reason, steps = check(port)[1:]
    assert reason == f"TLS: the server at localhost:{port} did not start a TLS handshake (plaintext port?)"
    assert steps == ["DNS", "TCP", "TLS"]


def test_a_ca_that_did_not_sign_the_certificate_fails_tls(tls_server: Callable[..., Listener], tmp_path: Path) -> None:
    port = tls_server(refusing_mongodb).port
    other = tmp_path / "other-ca.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=other",
                    "-keyout", str(tmp_path / "other.key"), "-out", str(other)], check=True, capture_output=True)
    assert check(port, str(other))[1] == (
        f"TLS: certificate verify failed: unable to get local issuer certificate (CA bundle {other})")


def test_a_tls_server_that_is_not_mongodb_fails_the_handshake(tls_server: Callable[..., Listener]) -> None:
    port = tls_server(closes_after_handshake).port
    ok, reason, steps = check(port)
    assert not ok and steps == ["DNS", "TCP", "TLS", "authentication"]
    assert reason.startswith(f"authentication: no DocumentDB answered the MongoDB handshake at localhost:{port} (")
    assert "configured timeouts" not in reason and "Topology Description" not in reason


def test_a_refused_login_fails_authentication(tls_server: Callable[..., Listener]) -> None:
    port = tls_server(refusing_mongodb).port
    reason, steps = check(port)[1:]
    assert reason == "authentication: authentication failed for user 'docdbadmin' (Authentication failed.)"
    assert steps == ["DNS", "TCP", "TLS", "authentication"]


def test_the_connection_strings_own_ca_file_is_used(tls_server: Callable[..., Listener]) -> None:
    """tlsCAFile in the hand-off's string is the platform's: the client uses it, and the login is reached."""
    port = tls_server(refusing_mongodb).port
    reason = check(port, uri_options=f"&tlsCAFile={ca_bundle()}")[1]
    assert reason.startswith("authentication: authentication failed")
