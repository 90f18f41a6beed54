"""Harness for the sandbox tests: a real sandbox server in a subprocess, and clients for it, including SigV4-signed
HTTPS requests to the OpenSearch security API.

The server runs in a subprocess so its moto hooks never leak into the in-process moto of other tests.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import ssl
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from unittest import mock
from urllib.error import HTTPError

import boto3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

ROOT = Path(__file__).resolve().parents[3]


def dataplane_processes(state_dir: Path) -> list[int]:
    """mariadbd/redis-server processes serving from ``state_dir``."""
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        with contextlib.suppress(OSError):
            argv = proc.joinpath("cmdline").read_bytes().split(b"\0")
            binary = Path(argv[0].decode(errors="replace")).name
            if binary in ("mariadbd", "redis-server") and str(state_dir).encode() in b" ".join(argv):
                found.append(int(proc.name))
    return found


@dataclass
class Sandbox:
    """A running sandbox server and what tests need to talk to it."""

    endpoint: str
    state_dir: Path
    mysql_first_port: int
    process: subprocess.Popen[bytes]

    def client(self, service: str, retries: int = 1) -> Any:
        config = Config(retries={"mode": "standard", "total_max_attempts": retries}, connect_timeout=5, read_timeout=60)
        return boto3.client(service, endpoint_url=self.endpoint, region_name="us-east-1", aws_access_key_id="testing",
                            aws_secret_access_key="testing", config=config)

    def control(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"{self.endpoint}{path}", data=data, method=method)
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    def time_scale(self, scale: float) -> None:
        self.control("PUT", "/_sandbox/time-scale", {"time_scale": scale})


def start_server(state_dir: Path, port: int, mysql_first_port: int, time_scale: float = 0) -> subprocess.Popen[bytes]:
    env = dict(os.environ, SANDBOX_STATE_DIR=str(state_dir), SANDBOX_AWS_PORT=str(port),
               SANDBOX_MYSQL_FIRST_PORT=str(mysql_first_port), SANDBOX_REDIS_FIRST_PORT=str(mysql_first_port + 25),
               SANDBOX_OPENSEARCH_FIRST_PORT=str(mysql_first_port + 40),
               SANDBOX_DOCDB_FIRST_PORT=str(mysql_first_port + 45), SANDBOX_TIME_SCALE=str(time_scale),
               PYTHONPATH=str(ROOT))
    log = (state_dir / "server.log").open("ab")
    process = subprocess.Popen([sys.executable, "-m", "sandbox.server"], cwd=ROOT, env=env, stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, (state_dir / "server.log").read_text()[-3000:]
        url = f"http://127.0.0.1:{port}/_sandbox/health"
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=1) as response:
            if response.status == 200:
                return process
        time.sleep(0.1)
    process.kill()
    raise RuntimeError("sandbox server did not start")


def stop_server(process: subprocess.Popen[bytes], state_dir: Path) -> None:
    """SIGTERM (the server stops its data-plane servers), SIGKILL as a last resort, and no orphan survives."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
    leftovers = dataplane_processes(state_dir)
    for pid in leftovers:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    assert leftovers == [], "data-plane servers outlived the sandbox server"


def wait_for(fetch: Callable[[], Any], predicate: Callable[[Any], bool], timeout: float = 30) -> Any:
    """Poll ``fetch`` until ``predicate`` holds for its result; the last result otherwise (the test asserts)."""
    deadline = time.monotonic() + timeout
    value = fetch()
    while not predicate(value) and time.monotonic() < deadline:
        time.sleep(0.05)
        value = fetch()
    return value


@dataclass
class Keys:
    """AWS credentials to sign with (``token`` for temporary ones)."""

    access_key: str
    secret_key: str
    token: str | None = None


def signed_headers(method: str, url: str, body: bytes, keys: Keys, *, service: str = "es", region: str = "us-east-1",
                   at: datetime | None = None) -> dict[str, str]:
    """What a client sends: botocore's signature over the payload hash, the host and the date (``at``, or now)."""
    request = AWSRequest(method=method, url=url, data=body, headers={"Content-Type": "application/json"})
    request.headers["X-Amz-Content-SHA256"] = hashlib.sha256(body).hexdigest()
    signer = SigV4Auth(Credentials(keys.access_key, keys.secret_key, keys.token), service, region)
    with mock.patch("botocore.auth.get_current_datetime",
                    return_value=(at or datetime.now(UTC)).replace(tzinfo=None)):
        signer.add_auth(request)
    return dict(request.headers.items())


def https(url: str, ca: Path, method: str = "GET", data: bytes = b"", headers: dict[str, str] | None = None
          ) -> tuple[int, Any]:
    """(status, decoded JSON) of a request over TLS verified against the sandbox CA ``ca``."""
    context = ssl.create_default_context(cafile=str(ca))
    request = urllib.request.Request(url, data=data or None, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, context=context, timeout=10) as response:
            return response.status, json.loads(response.read())
    except HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def signed(endpoint: str, ca: Path, keys: Keys, method: str, path: str, body: Any = None, **signing: Any
           ) -> tuple[int, Any]:
    """A request to ``endpoint`` + ``path`` signed with ``keys`` (``signing``: service, region, at)."""
    data = json.dumps(body).encode() if body is not None else b""
    headers = signed_headers(method, endpoint + path, data, keys, **signing)
    return https(endpoint + path, ca, method, data, headers)
