"""Real servers behind the endpoints the control plane reports, and the process helpers they share.

Each engine module (``mariadb``, ``redis``, ``opensearch``, ``documentdb``) starts one server per AWS resource,
on the first free port of its range, and offers ``servers()`` and ``stop_all()`` for the server and the CLI.
``opensearch_security`` is the HTTPS server the ``opensearch`` engine runs, a fake of the security plugin's API,
and ``sigv4`` verifies the signed requests it receives; ``scram`` is the SCRAM-SHA-1 server side ``documentdb``
authenticates with.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

from sandbox.state import AWS_HOST

_TAKEN: set[int] = set()


def port_open(port: int, host: str = AWS_HOST) -> bool:
    """Whether something accepts TCP connections on ``host:port``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def free_port(first: int) -> int:
    """The first port from ``first`` upward that nothing listens on and no caller has been handed yet.

    Servers take a few seconds to bind, so a port handed out is remembered until ``release_port``.
    """
    port = first
    while port < 65536:
        if port not in _TAKEN and not port_open(port):
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
                # Servers bind with SO_REUSEADDR, so connections of a previous server in TIME_WAIT do not block them.
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                try:
                    sock.bind((AWS_HOST, port))
                except OSError:
                    port += 1
                    continue
            _TAKEN.add(port)
            return port
        port += 1
    raise RuntimeError(f"no free port from {first} upward")


def release_port(port: int) -> None:
    """Let ``free_port`` hand ``port`` out again."""
    _TAKEN.discard(port)


def wait_for_port(port: int, timeout: float, host: str = AWS_HOST) -> bool:
    """Wait until ``host:port`` accepts connections; False when ``timeout`` seconds pass first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if port_open(port, host):
            return True
        time.sleep(0.1)
    return False


def start(argv: list[str], log: Path, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    """Start a server process in its own session, its output appended to ``log``."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        return subprocess.Popen(
            argv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True, env={**os.environ, **(env or {})},
        )


def pid_alive(pid: int) -> bool:
    """Whether a process with ``pid`` exists and is not a zombie."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    with contextlib.suppress(OSError):
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[0] != "Z"
    return True


def alive(proc_or_pid: subprocess.Popen[bytes] | int) -> bool:
    """Whether a server process still runs."""
    if isinstance(proc_or_pid, subprocess.Popen):
        return proc_or_pid.poll() is None
    return pid_alive(proc_or_pid)


def terminate(proc_or_pid: subprocess.Popen[bytes] | int, timeout: float = 10.0) -> None:
    """Stop a server: SIGTERM, wait up to ``timeout`` seconds, then SIGKILL; reaps a child we started."""
    pid = proc_or_pid.pid if isinstance(proc_or_pid, subprocess.Popen) else proc_or_pid
    if not alive(proc_or_pid):
        _reap(proc_or_pid)
        return
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        _reap(proc_or_pid)
        if not alive(proc_or_pid):
            return
        time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and alive(proc_or_pid):
        _reap(proc_or_pid)
        time.sleep(0.05)
    _reap(proc_or_pid)


def _reap(proc_or_pid: subprocess.Popen[bytes] | int) -> None:
    if isinstance(proc_or_pid, subprocess.Popen):
        proc_or_pid.poll()
        return
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(proc_or_pid, os.WNOHANG)
