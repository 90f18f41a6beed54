"""Simulated AWS time.

A real AWS resource spends minutes in ``creating``/``modifying``/``deleting``. The sandbox keeps a
resource in that state for ``minutes * SANDBOX_TIME_SCALE`` real seconds (the scale is simulated
seconds per real minute of AWS work; 0, the default, makes every transition instant) and, when the
resource has a real server behind it, until that server answers.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

# Real AWS durations, in minutes, that the sandbox reproduces (scaled).
MINUTES = {
    "rds_instance": 8,
    "rds_instance_multi_az": 12,
    "rds_read_replica": 10,
    "docdb_cluster": 4,
    "docdb_instance": 8,
    "opensearch_domain": 15,
    "opensearch_dedicated_masters": 5,
    "elasticache_replication_group": 10,
    "modify": 10,
    # A change AWS applies in place (access policy, log publishing, master user): no blue/green deployment.
    "modify_dynamic": 1,
    # An OpenSearch engine upgrade (UpgradeDomain): its check, a snapshot, then a blue/green deployment.
    "upgrade": 30,
    "snapshot": 3,
    "delete": 5,
}


def time_scale() -> float:
    """Simulated seconds per real minute, read from SANDBOX_TIME_SCALE."""
    try:
        return max(0.0, float(os.environ.get("SANDBOX_TIME_SCALE", "0") or 0))
    except ValueError:
        return 0.0


def duration(*kinds: str) -> float:
    """Real seconds the sandbox spends on work that takes the sum of ``kinds`` minutes on AWS."""
    return sum(MINUTES[k] for k in kinds) * time_scale()


@dataclass
class Transition:
    status: str
    ends_at: float
    ready: Callable[[], bool] | None = None
    on_done: Callable[[], None] | None = None
    done: bool = field(default=False)


class Clock:
    """Tracks resources in a transitional state, keyed by any hashable (e.g. ``("rds", "db", id)``)."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._transitions: dict[Hashable, Transition] = {}

    def begin(
        self,
        key: Hashable,
        status: str,
        seconds: float,
        ready: Callable[[], bool] | None = None,
        on_done: Callable[[], None] | None = None,
    ) -> None:
        """Put ``key`` in ``status`` for ``seconds`` and until ``ready()`` is true; then call ``on_done``.

        ``on_done`` runs once, from a background thread (or at once when nothing is left to wait for).
        """
        transition = Transition(status, time.monotonic() + seconds, ready, on_done)
        with self._lock:
            self._transitions[key] = transition
        if seconds <= 0 and (ready is None or ready()):
            self._finish(key, transition)
            return
        threading.Thread(target=self._watch, args=(key, transition), daemon=True).start()

    def status(self, key: Hashable, settled: str) -> str:
        """The status to report: the transitional one while it lasts, else ``settled``."""
        with self._lock:
            transition = self._transitions.get(key)
        if transition is None or transition.done:
            return settled
        return transition.status

    def pending(self, key: Hashable) -> bool:
        with self._lock:
            transition = self._transitions.get(key)
        return transition is not None and not transition.done

    def forget(self, key: Hashable) -> None:
        with self._lock:
            self._transitions.pop(key, None)

    def _watch(self, key: Hashable, transition: Transition) -> None:
        while True:
            remaining = transition.ends_at - time.monotonic()
            if remaining > 0:
                time.sleep(min(remaining, 0.5))
                continue
            if transition.ready is None or transition.ready():
                break
            time.sleep(0.2)
        self._finish(key, transition)

    def _finish(self, key: Hashable, transition: Transition) -> None:
        with self._lock:
            if transition.done or self._transitions.get(key) is not transition:
                return
            transition.done = True
        if transition.on_done is not None:
            transition.on_done()


CLOCK = Clock()
