"""Harness for the sandbox tests: a real sandbox server in a subprocess, and clients for it.

The server runs in a subprocess so its moto hooks never leak into the in-process moto of other tests.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

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
