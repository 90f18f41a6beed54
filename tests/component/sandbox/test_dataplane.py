"""Process and port helpers shared by the data-plane servers (sandbox.dataplane)."""

from __future__ import annotations

import socket
import sys
import threading
import time
from pathlib import Path

from sandbox import dataplane


def test_free_port_skips_ports_in_use_and_ports_already_handed_out() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        taken = busy.getsockname()[1]
        first = dataplane.free_port(taken)
        second = dataplane.free_port(taken)
    try:
        assert first > taken
        assert second > first
    finally:
        dataplane.release_port(first)
        dataplane.release_port(second)
    assert dataplane.free_port(first) == first
    dataplane.release_port(first)


def test_wait_for_port_sees_a_late_listener_and_gives_up_on_none() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert dataplane.wait_for_port(port, 0.3) is False
    listener = socket.socket()

    def listen_later() -> None:
        time.sleep(0.3)
        listener.bind(("127.0.0.1", port))
        listener.listen()

    thread = threading.Thread(target=listen_later)
    thread.start()
    try:
        assert dataplane.wait_for_port(port, 5) is True
    finally:
        thread.join()
        listener.close()


def test_terminate_stops_a_process_and_falls_back_to_sigkill(tmp_path: Path) -> None:
    polite = dataplane.start([sys.executable, "-c", "import time; time.sleep(60)"], tmp_path / "polite.log")
    stubborn = dataplane.start(
        [sys.executable, "-c", "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
                               "print('ready', flush=True); time.sleep(60)"], tmp_path / "stubborn.log")
    deadline = time.monotonic() + 10
    while "ready" not in (tmp_path / "stubborn.log").read_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    dataplane.terminate(polite)
    dataplane.terminate(stubborn.pid, timeout=0.5)
    assert polite.poll() is not None
    assert not dataplane.alive(polite)
    assert not dataplane.pid_alive(stubborn.pid)  # ignored SIGTERM, so SIGKILL it was
