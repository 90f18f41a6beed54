"""``python -m sandbox up|down|status|calls|reset|faults``: run and inspect the local AWS sandbox.

``up`` starts the server detached (log ``.sandbox/server.log``, pid ``.sandbox/server.pid``) and returns
once it answers; ``down`` stops it and its MariaDB/Redis/OpenSearch/DocumentDB servers and removes their data.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from sandbox import state

REPO_ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 60.0
STOP_TIMEOUT = 30.0
# The servers' data, and the snapshots' (whose records lived in moto's memory, gone with the server).
DATAPLANE_DIRS = ("mariadb", "redis", "opensearch", "snapshots")
DATAPLANE_BINARIES = ("mariadbd", "redis-server")


class NotUp(Exception):
    """The sandbox does not answer on its endpoint."""


def _request(method: str, path: str, body: Any = None, timeout: float = 10.0) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"{state.AWS_ENDPOINT}{path}", data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode(errors="replace")
        raise SystemExit(f"sandbox answered {exc.code} to {method} {path}: {detail}") from exc
    except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
        raise NotUp(f"the sandbox is not up (nothing answers on {state.AWS_ENDPOINT})") from exc


def healthy() -> bool:
    """Whether the sandbox answers its health check."""
    try:
        return _request("GET", "/_sandbox/health", timeout=2.0) == {"status": "ok"}
    except (NotUp, SystemExit):
        return False


def _pid_file() -> Path:
    return state.state_dir() / "server.pid"


def _recorded_pid() -> int | None:
    try:
        pid = int(_pid_file().read_text().strip())
    except (OSError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass
    return pid


def _print(data: Any) -> None:
    print(json.dumps(data, indent=2, sort_keys=False))


def cmd_up(args: argparse.Namespace) -> int:
    if healthy():
        print(f"sandbox already up on {state.AWS_ENDPOINT} (nothing to do)")
        return 0
    directory = state.state_dir()
    env = dict(os.environ)
    if args.time_scale is not None:
        env["SANDBOX_TIME_SCALE"] = str(args.time_scale)
    env.setdefault("SANDBOX_TIME_SCALE", "0")
    env["SANDBOX_STATE_DIR"] = str(directory)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    log_path = directory / "server.log"
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "sandbox.server"], cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )
    _pid_file().write_text(f"{process.pid}\n")
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log_path.read_text(errors="replace")[-3000:]
            print(f"sandbox server exited with code {process.returncode}; end of {log_path}:\n{tail}", file=sys.stderr)
            _pid_file().unlink(missing_ok=True)
            return 1
        if healthy():
            print(f"sandbox up on {state.AWS_ENDPOINT} (pid {process.pid}, time scale {env['SANDBOX_TIME_SCALE']}, "
                  f"log {log_path})")
            return 0
        time.sleep(0.2)
    print(f"sandbox did not answer within {START_TIMEOUT:.0f}s; see {log_path}", file=sys.stderr)
    return 1


def cmd_down(_args: argparse.Namespace) -> int:
    pid = _recorded_pid()
    if pid is None:
        if healthy():
            print(f"something answers on {state.AWS_ENDPOINT} but no sandbox pid is recorded in {_pid_file()}; "
                  "stop it yourself", file=sys.stderr)
            return 1
        print("sandbox is not running (nothing to do)")
        _cleanup()
        return 0
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    if not _wait_gone(pid, STOP_TIMEOUT):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        _wait_gone(pid, 5.0)
    _cleanup()
    print(f"sandbox stopped (pid {pid})")
    return 0


def _wait_gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        with contextlib.suppress(ChildProcessError, OSError):
            os.waitpid(pid, os.WNOHANG)
        time.sleep(0.1)
    return False


def _cleanup() -> None:
    """Stop data-plane servers a killed sandbox left behind and remove their data."""
    from sandbox.dataplane import terminate
    from sandbox.server import stop_dataplanes

    stop_dataplanes()
    directory = state.state_dir()
    for pid in _orphans(directory):
        terminate(pid)
    for name in DATAPLANE_DIRS:
        shutil.rmtree(directory / name, ignore_errors=True)
    _pid_file().unlink(missing_ok=True)


def _orphans(directory: Path) -> list[int]:
    """Data-plane servers still running from this state directory (a SIGKILLed sandbox cannot stop them).

    A server belongs to it when its command line names one of the directory's data-plane directories: another
    sandbox's state directory may lie inside this one (``.sandbox/gw1``), and its servers are not ours."""
    ours = [f"{directory / name}{os.sep}".encode() for name in DATAPLANE_DIRS]
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        with contextlib.suppress(OSError):
            argv = proc.joinpath("cmdline").read_bytes().split(b"\0")
            binary = Path(argv[0].decode(errors="replace")).name
            if binary in DATAPLANE_BINARIES and any(prefix in b" ".join(argv) for prefix in ours):
                found.append(int(proc.name))
    return found


def cmd_status(_args: argparse.Namespace) -> int:
    _print(_request("GET", "/_sandbox/status"))
    return 0


def cmd_calls(_args: argparse.Namespace) -> int:
    _print(_request("GET", "/_sandbox/calls"))
    return 0


def cmd_reset(_args: argparse.Namespace) -> int:
    _request("POST", "/_sandbox/reset")
    print("call ledger cleared")
    return 0


def cmd_faults(args: argparse.Namespace) -> int:
    config = _request("GET", "/_sandbox/faults")
    changed = False
    if args.clear:
        config = {"seed": config.get("seed"), "rules": []}
        changed = True
    if args.throttle_rate is not None or args.error_rate is not None:
        rule = {"service": args.service, "action": args.action, "throttle_rate": args.throttle_rate or 0.0,
                "error_rate": args.error_rate or 0.0, "limit": args.limit}
        rules = [r for r in config["rules"] if (r["service"], r["action"]) != (args.service, args.action)]
        config = {"seed": config.get("seed"), "rules": [*rules, rule]}
        changed = True
    if args.seed is not None:
        config["seed"] = args.seed
        changed = True
    if changed:
        config = _request("PUT", "/_sandbox/faults", {"seed": config.get("seed"), "rules": [
            {key: value for key, value in rule.items() if key != "injected"} for rule in config["rules"]
        ]})
    _print(config)
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = root.add_subparsers(dest="command", required=True)
    up = commands.add_parser("up", help="start the sandbox (no-op if it is up)")
    up.add_argument("--time-scale", type=float, help="simulated seconds per real minute of AWS work "
                    "(default: $SANDBOX_TIME_SCALE, else 0 = instant)")
    up.set_defaults(func=cmd_up)
    commands.add_parser("down", help="stop the sandbox and its servers, remove their data").set_defaults(func=cmd_down)
    commands.add_parser("status", help="print the sandbox status as JSON").set_defaults(func=cmd_status)
    commands.add_parser("calls", help="print the API call ledger as JSON").set_defaults(func=cmd_calls)
    commands.add_parser("reset", help="clear the API call ledger").set_defaults(func=cmd_reset)
    faults = commands.add_parser("faults", help="show or change injected throttling/5xx errors")
    faults.add_argument("--throttle-rate", type=float, help="share of matching calls answered with throttling")
    faults.add_argument("--error-rate", type=float, help="share of matching calls answered with HTTP 500/503")
    faults.add_argument("--service", default="*", help="signing service, e.g. rds, ec2, kms (default: all)")
    faults.add_argument("--action", default="*", help="operation or pattern, e.g. CreateDBInstance, Describe*")
    faults.add_argument("--limit", type=int, help="stop after this many faults from this rule")
    faults.add_argument("--seed", type=int, help="seed of the fault RNG (reproducible runs)")
    faults.add_argument("--clear", action="store_true", help="remove every fault rule")
    faults.set_defaults(func=cmd_faults)
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return int(args.func(args))
    except NotUp as exc:
        print(f"{exc}; start it with: python -m sandbox up", file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
