"""``python -m bench``: the director's own cost of ``data-services.yml``, measured on the sandbox.

In one run, on a sandbox of its own (other ports, state under ``.sandbox/bench``):

(a) ``playbooks/data-services.yml`` on a fresh, prod-shaped environment (``inventories/local``), at
    SANDBOX_TIME_SCALE=5 and again at 20;
(c) the floor: the slowest single resource's simulated creation time at each scale; the overhead is (a) - (c),
    the seconds the director adds to the slowest resource, which must not grow with the scale;
(d) a no-op re-run of (a) and (e) a ``--check --diff`` run: wall time and the read and mutating calls of the
    sandbox's ledger;
(b) the baseline ``bench/baseline.yml`` at scale 5: the same services provisioned one after another, each waiting
    for its resource, with stock modules where they exist.

It prints the table, writes it to ``artifacts/bench/results.json`` and exits 1 when a goal is missed (GOALS).
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
GOALS = {"overhead_seconds": 25, "a/b": 0.5, "noop_seconds": 30, "noop_read_calls": 70}
SCALES = (5.0, 20.0)

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


def playbook(env: dict[str, str], path: str, log: Path, *args: str) -> float:
    """Run a playbook against the bench sandbox; return its wall time in seconds (fails loudly)."""
    state = Path(SANDBOX_ENV["SANDBOX_STATE_DIR"])
    extra = {
        "data_services_aws_endpoint_url": f"http://127.0.0.1:{SANDBOX_ENV['SANDBOX_AWS_PORT']}",
        "data_services_ca_bundle": str(state / "tls" / "ca.pem"),
        "data_services_artifacts_dir": str(ROOT / "artifacts" / "bench" / "local"),
    }
    command = [ANSIBLE_PLAYBOOK, path, "-i", "inventories/local", "-e", json.dumps(extra), *args]
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


def provision(scale: float, logs: Path) -> float:
    """(a) at one time scale, on a fresh sandbox."""
    env = environment(scale)
    print(f"(a) data-services.yml on a fresh prod-shaped sandbox, time scale {scale:g} ...", flush=True)
    fresh_sandbox(env)
    seconds = playbook(env, "playbooks/data-services.yml", logs / f"a-data-services-scale{scale:g}.log")
    print(f"    {seconds:.1f} s", flush=True)
    return seconds


def rerun(env: dict[str, str], name: str, logs: Path, *args: str) -> tuple[float, dict[str, int]]:
    """A run on the converged environment, with the API calls it made."""
    sandbox(env, "reset")
    seconds = playbook(env, "playbooks/data-services.yml", logs / f"{name}.log", *args)
    calls = ledger(env)
    print(f"    {seconds:.1f} s, {calls['read']} read calls, {calls['mutating']} mutating calls", flush=True)
    return seconds, calls


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--skip-baseline", action="store_true", help="do not measure (b)")
    args = parser.parse_args()
    logs = ROOT / "artifacts" / "bench"
    shutil.rmtree(logs, ignore_errors=True)
    logs.mkdir(parents=True)
    low, high = SCALES
    env = environment(low)

    try:
        a = {low: provision(low, logs)}
        print("(d) no-op re-run ...", flush=True)
        d, d_calls = rerun(env, "d-rerun", logs)
        print("(e) --check --diff ...", flush=True)
        e, e_calls = rerun(env, "e-check", logs, "--check", "--diff")
        a[high] = provision(high, logs)
        b = None
        if not args.skip_baseline:
            print(f"(b) baseline at time scale {low:g}: one service after another, stock modules where they exist ...",
                  flush=True)
            fresh_sandbox(env)
            b = playbook(env, "bench/baseline.yml", logs / "b-baseline.log")
            print(f"    {b:.1f} s", flush=True)
    finally:
        subprocess.run([PYTHON, "-m", "sandbox", "down"], cwd=ROOT, env=env, check=False, capture_output=True)

    c = {scale: floor(scale)[0] for scale in SCALES}
    overhead = {scale: a[scale] - c[scale] for scale in SCALES}
    each = floor(low)[1]
    results = {
        "time_scales": list(SCALES),
        "a_seconds": {f"{scale:g}": round(a[scale], 1) for scale in SCALES},
        "c_seconds": {f"{scale:g}": round(c[scale], 1) for scale in SCALES},
        "overhead_seconds": {f"{scale:g}": round(overhead[scale], 1) for scale in SCALES},
        "b_seconds": None if b is None else round(b, 1),
        "a/b": None if b is None else round(a[low] / b, 3),
        "noop": {"seconds": round(d, 1), **d_calls},
        "check": {"seconds": round(e, 1), **e_calls},
        "resources_at_scale_5": {name: round(seconds, 1) for name, seconds in each.items()},
    }
    (logs / "results.json").write_text(json.dumps(results, indent=2) + "\n")

    misses = [f"overhead at scale {scale:g}: {overhead[scale]:.1f} s > {GOALS['overhead_seconds']} s"
              for scale in SCALES if overhead[scale] > GOALS["overhead_seconds"]]
    if results["a/b"] is not None and results["a/b"] > GOALS["a/b"]:
        misses.append(f"a/b {results['a/b']} > {GOALS['a/b']}")
    for name, seconds, calls in (("no-op re-run", d, d_calls), ("--check", e, e_calls)):
        if seconds > GOALS["noop_seconds"]:
            misses.append(f"{name}: {seconds:.1f} s > {GOALS['noop_seconds']} s")
        if calls["read"] > GOALS["noop_read_calls"]:
            misses.append(f"{name}: {calls['read']} read calls > {GOALS['noop_read_calls']}")
        if calls["mutating"]:
            misses.append(f"{name}: {calls['mutating']} mutating calls")

    rows = [(f"(a) data-services.yml, fresh prod shape, scale {scale:g}", f"{a[scale]:7.1f} s", "") for scale in SCALES]
    rows += [(f"(c) floor: slowest resource, scale {scale:g}", f"{c[scale]:7.1f} s", max(each, key=each.get))
             for scale in SCALES]
    rows += [(f"overhead (a) - (c), scale {scale:g}", f"{overhead[scale]:7.1f} s",
              f"goal <= {GOALS['overhead_seconds']} s") for scale in SCALES]
    rows += [
        (f"(b) baseline, serial, scale {low:g}", "skipped" if b is None else f"{b:7.1f} s", ""),
        ("a/b", "-" if b is None else f"{results['a/b']:7.3f}", f"goal <= {GOALS['a/b']}"),
        ("(d) no-op re-run", f"{d:7.1f} s", f"{d_calls['read']} read, {d_calls['mutating']} mutating calls"),
        ("(e) --check --diff", f"{e:7.1f} s", f"{e_calls['read']} read, {e_calls['mutating']} mutating calls"),
    ]
    print()
    print(f"{'measure':48} {'value':>10}   note")
    print("-" * 96)
    for name, value, note in rows:
        print(f"{name:48} {value:>10}   {note}")
    print()
    print(f"Goals: (d) and (e) <= {GOALS['noop_seconds']} s with <= {GOALS['noop_read_calls']} read calls and no "
          "mutating call.")
    print(f"Simulated creation times at scale {low:g}:", ", ".join(f"{name} {seconds:.0f} s"
                                                               for name, seconds in each.items()))
    print(f"Logs and results.json: {logs}")
    if misses:
        print("Goals missed: " + "; ".join(misses))
        return 1
    print("All goals met.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
