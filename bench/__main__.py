"""``python -m bench``: how close ``data-services.yml`` comes to the floor, measured on the sandbox.

In one run, on a sandbox of its own (other ports, state under ``.sandbox/bench``) at SANDBOX_TIME_SCALE=5:

(a) ``playbooks/data-services.yml`` on a fresh, prod-shaped environment (``inventories/local``);
(b) the baseline ``bench/baseline.yml``: the same services provisioned one after another, each waiting for its
    resource, with stock modules where they exist;
(c) the floor: the slowest single resource's simulated creation time;
(d) a no-op re-run of (a): wall time and the read and mutating calls of the sandbox's ledger.

It prints the table, writes it to ``artifacts/bench/results.json`` and exits 1 when a goal is missed
(a/c <= 1.15, a/b <= 0.5, no mutating call in (d)).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
ANSIBLE_PLAYBOOK = str(Path(PYTHON).parent / "ansible-playbook")
GOALS = {"a/c": 1.15, "a/b": 0.5}

# The bench's own sandbox, apart from one a developer may be running on the default ports.
SANDBOX_ENV = {
    "SANDBOX_AWS_PORT": "4599",
    "SANDBOX_MYSQL_FIRST_PORT": "14306",
    "SANDBOX_REDIS_FIRST_PORT": "17379",
    "SANDBOX_OPENSEARCH_FIRST_PORT": "20200",
    "SANDBOX_STATE_DIR": str(ROOT / ".sandbox" / "bench"),
}

# What each prod-shaped resource takes on AWS, in the sandbox's minutes (sandbox/lifecycle.py), as the
# collection creates it: DocumentDB instances are added once their cluster is available.
PROD_RESOURCES = {
    "RDS MySQL, Multi-AZ": ("rds_instance_multi_az",),
    "DocumentDB cluster + 3 instances": ("docdb_cluster", "docdb_instance"),
    "OpenSearch, 3 data + 3 dedicated masters": ("opensearch_domain", "opensearch_dedicated_masters"),
    "ElastiCache Redis, 3 nodes": ("elasticache_replication_group",),
}


def environment(scale: float) -> dict[str, str]:
    return dict(os.environ, **SANDBOX_ENV, SANDBOX_TIME_SCALE=str(scale), ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
                ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0", ANSIBLE_DEPRECATION_WARNINGS="0")


def sandbox(env: dict[str, str], *args: str) -> str:
    return subprocess.run([PYTHON, "-m", "sandbox", *args], cwd=ROOT, env=env, check=True, capture_output=True,
                          text=True).stdout


def fresh_sandbox(env: dict[str, str]) -> None:
    subprocess.run([PYTHON, "-m", "sandbox", "down"], cwd=ROOT, env=env, check=False, capture_output=True)
    shutil.rmtree(SANDBOX_ENV["SANDBOX_STATE_DIR"], ignore_errors=True)
    sandbox(env, "up")


def ledger(env: dict[str, str]) -> dict[str, int]:
    url = f"http://127.0.0.1:{SANDBOX_ENV['SANDBOX_AWS_PORT']}/_sandbox/calls"
    with urllib.request.urlopen(url, timeout=10) as response:
        totals = json.loads(response.read())["totals"]
    return {"read": int(totals["read"]), "mutating": int(totals["mutating"])}


def playbook(env: dict[str, str], path: str, log: Path) -> float:
    """Run a playbook against the bench sandbox; return its wall time in seconds (fails loudly)."""
    state = Path(SANDBOX_ENV["SANDBOX_STATE_DIR"])
    extra = {
        "data_services_aws_endpoint_url": f"http://127.0.0.1:{SANDBOX_ENV['SANDBOX_AWS_PORT']}",
        "data_services_ca_bundle": str(state / "tls" / "ca.pem"),
        "data_services_artifacts_dir": str(ROOT / "artifacts" / "bench" / "local"),
    }
    command = [ANSIBLE_PLAYBOOK, path, "-i", "inventories/local", "-e", json.dumps(extra)]
    started = time.monotonic()
    with log.open("w") as out:
        completed = subprocess.run(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, check=False)
    elapsed = time.monotonic() - started
    if completed.returncode != 0:
        raise SystemExit(f"{path} failed (exit {completed.returncode}); see {log}")
    return elapsed


def floor(scale: float) -> tuple[float, dict[str, float]]:
    sys.path.insert(0, str(ROOT))
    from sandbox import lifecycle

    each = {name: sum(lifecycle.MINUTES[k] for k in kinds) * scale for name, kinds in PROD_RESOURCES.items()}
    return max(each.values()), each


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--time-scale", type=float, default=5.0,
                        help="simulated seconds per real minute of AWS work (default 5)")
    parser.add_argument("--skip-baseline", action="store_true", help="measure (a), (c) and (d) only")
    args = parser.parse_args()
    env = environment(args.time_scale)
    logs = ROOT / "artifacts" / "bench"
    shutil.rmtree(logs, ignore_errors=True)
    logs.mkdir(parents=True)

    try:
        print(f"(a) data-services.yml on a fresh prod-shaped sandbox, time scale {args.time_scale:g} ...", flush=True)
        fresh_sandbox(env)
        a = playbook(env, "playbooks/data-services.yml", logs / "a-data-services.log")
        print(f"    {a:.1f} s", flush=True)

        print("(d) no-op re-run ...", flush=True)
        sandbox(env, "reset")
        d = playbook(env, "playbooks/data-services.yml", logs / "d-rerun.log")
        d_calls = ledger(env)
        print(f"    {d:.1f} s, {d_calls['read']} read calls, {d_calls['mutating']} mutating calls", flush=True)

        b = None
        if not args.skip_baseline:
            print("(b) baseline: one service after another, stock modules where they exist ...", flush=True)
            fresh_sandbox(env)
            b = playbook(env, "bench/baseline.yml", logs / "b-baseline.log")
            print(f"    {b:.1f} s", flush=True)
    finally:
        subprocess.run([PYTHON, "-m", "sandbox", "down"], cwd=ROOT, env=env, check=False, capture_output=True)

    c, each = floor(args.time_scale)
    results = {
        "time_scale": args.time_scale,
        "a_seconds": round(a, 1),
        "b_seconds": None if b is None else round(b, 1),
        "c_seconds": round(c, 1),
        "d_seconds": round(d, 1),
        "d_read_calls": d_calls["read"],
        "d_mutating_calls": d_calls["mutating"],
        "a/c": round(a / c, 3),
        "a/b": None if b is None else round(a / b, 3),
        "resources": {name: round(seconds, 1) for name, seconds in each.items()},
    }
    (logs / "results.json").write_text(json.dumps(results, indent=2) + "\n")

    misses = []
    if results["a/c"] > GOALS["a/c"]:
        misses.append(f"a/c {results['a/c']} > {GOALS['a/c']}")
    if results["a/b"] is not None and results["a/b"] > GOALS["a/b"]:
        misses.append(f"a/b {results['a/b']} > {GOALS['a/b']}")
    if results["d_mutating_calls"] != 0:
        misses.append(f"{results['d_mutating_calls']} mutating calls in the no-op re-run")

    rows = [
        ("(a) data-services.yml, fresh prod shape", f"{a:7.1f} s", ""),
        ("(b) baseline, serial, stock modules", "skipped" if b is None else f"{b:7.1f} s", ""),
        ("(c) floor: slowest resource (simulated)", f"{c:7.1f} s", max(each, key=each.get)),
        ("(d) no-op re-run", f"{d:7.1f} s", f"{d_calls['read']} read, {d_calls['mutating']} mutating calls"),
        ("a/c", f"{results['a/c']:7.3f}", f"goal <= {GOALS['a/c']}"),
        ("a/b", "-" if b is None else f"{results['a/b']:7.3f}", f"goal <= {GOALS['a/b']}"),
    ]
    print()
    print(f"{'measure':42} {'value':>10}   note")
    print("-" * 90)
    for name, value, note in rows:
        print(f"{name:42} {value:>10}   {note}")
    print()
    print("Simulated creation times:", ", ".join(f"{name} {seconds:.0f} s" for name, seconds in each.items()))
    print(f"Logs and results.json: {logs}")
    if misses:
        print("Goals missed: " + "; ".join(misses))
        return 1
    print("All goals met.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
