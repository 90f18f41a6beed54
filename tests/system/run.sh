#!/usr/bin/env bash
# The system suite: the molecule scenario (converge, idempotence, check mode on every service, real TLS logins
# to MySQL and Redis, the OpenSearch app user over HTTPS, connections.yml), then the pytest suite (bad-input matrix,
# -vvvv leak scan, throttled converge, drift repair, --limit, interrupted run on a timed sandbox of its own), all on
# a sandbox started afresh.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
bin="$root/.venv/bin"
export PATH="$bin:$PATH"
# Every Python process of the suite (ansible-playbook, its workers, the modules) keeps what each run would otherwise
# rebuild: tests/speedup/sitecustomize.py.
export PYTHONPATH="$root/tests/speedup${PYTHONPATH:+:$PYTHONPATH}"
trap '"$bin/python" -m sandbox down >/dev/null 2>&1 || true' EXIT
rm -rf artifacts
"$bin/python" -m sandbox down >/dev/null 2>&1 || true  # molecule starts its own; pytest starts one after it
"$bin/molecule" test --scenario-name provision
# Two workers, each with a sandbox of its own; the modules of the shared environment run on one (tests/system/conftest.py).
"$bin/pytest" -p no:cacheprovider -n 2 --durations=15 tests/system "$@"
