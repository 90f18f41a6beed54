"""Free ports for the component tests' servers (moto, MariaDB, Redis, the OpenSearch security API).

Each pytest-xdist worker draws only from its own blocks of 100 ports, so that parallel workers never race for one.
"""

from __future__ import annotations

import os
import socket

# Ports this module handed out, so that a single port and a range never overlap.
_RESERVED: set[int] = set()


def _worker() -> tuple[int, int]:
    """(index, count) of this pytest-xdist worker; (0, 1) when the tests run in one process."""
    name = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    return int(name.removeprefix("gw")), int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))


def _candidate() -> int:
    """A port free right now, in a block of 100 that belongs to this worker alone (parallel workers never race)."""
    index, count = _worker()
    for _attempt in range(1000):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        if port // 100 % count == index:
            return port
    raise RuntimeError("no free port")


def free_tcp_port() -> int:
    for _attempt in range(100):
        port = _candidate()
        if port not in _RESERVED:
            _RESERVED.add(port)
            return port
    raise RuntimeError("no free port")


def free_port_range(width: int = 50) -> int:
    """The first port of ``width`` consecutive ports nothing listens on (for the data-plane servers)."""
    for _attempt in range(100):
        first = _candidate() // 100 * 100
        ports = range(first, first + width)
        if first + width < 65000 and not _RESERVED.intersection(ports) and all(_port_free(p) for p in ports):
            _RESERVED.update(ports)
            return first
    raise RuntimeError("no free port range")


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True
