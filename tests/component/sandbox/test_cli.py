"""``python -m sandbox``: up/down are idempotent, and status/calls say clearly when the sandbox is down."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from ports import free_port_range, free_tcp_port
from sandbox_harness import ROOT, dataplane_processes


@pytest.fixture
def cli(tmp_path: Path):
    env = dict(os.environ, SANDBOX_STATE_DIR=str(tmp_path), SANDBOX_AWS_PORT=str(free_tcp_port()),
               SANDBOX_MYSQL_FIRST_PORT=str(free_port_range()), PYTHONPATH=str(ROOT))
    env.pop("SANDBOX_TIME_SCALE", None)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "sandbox", *args], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=120)

    yield run
    run("down")
    assert dataplane_processes(tmp_path) == []


def test_up_status_calls_faults_down(cli, tmp_path: Path) -> None:
    down = cli("status")
    assert down.returncode != 0
    assert "not up" in down.stderr and "python -m sandbox up" in down.stderr
    assert cli("calls").returncode != 0

    up = cli("up", "--time-scale", "0.5")
    assert up.returncode == 0, up.stderr
    assert "sandbox up" in up.stdout
    again = cli("up")
    assert (again.returncode, "already up" in again.stdout) == (0, True)
    pid = int((tmp_path / "server.pid").read_text())

    status = json.loads(cli("status").stdout)
    assert (status["pid"], status["time_scale"]) == (pid, 0.5)
    assert json.loads((tmp_path / "seed.json").read_text())["vpc"]["id"] == "vpc-0d5a0000000000001"
    assert json.loads(cli("calls").stdout)["totals"] == {
        "mutating": 0, "read": 0, "faulted": 0, "faulted_mutating": 0, "faulted_read": 0}

    faults = json.loads(cli("faults", "--throttle-rate", "0.2", "--service", "rds", "--seed", "7").stdout)
    assert faults["seed"] == 7
    assert [(r["service"], r["action"], r["throttle_rate"]) for r in faults["rules"]] == [("rds", "*", 0.2)]
    assert json.loads(cli("faults", "--clear").stdout)["rules"] == []
    assert cli("reset").returncode == 0

    stopped = cli("down")
    assert stopped.returncode == 0 and "stopped" in stopped.stdout
    assert not Path(f"/proc/{pid}").exists()
    assert not (tmp_path / "server.pid").exists()
    assert "not running" in cli("down").stdout
