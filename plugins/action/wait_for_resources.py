# Copyright: Open edX data services maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Polls the wait_for_resources module from the controller and prints a progress line per resource.

A module can only report when it ends; the waiting therefore happens here: each poll runs the module with
``timeout=0`` (one describe per resource) and the plugin prints what changed. Several hosts waiting at
once under ``strategy: free`` each print their own lines.
"""

from __future__ import annotations

import time

from ansible.module_utils.common.text.converters import to_text
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

display = Display()


def format_elapsed(seconds: float) -> str:
    """``75`` -> ``1m15s``; ``3725`` -> ``1h02m05s``."""
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m{secs:02d}s"
    if minutes:
        return f"{minutes}m{secs:02d}s"
    return f"{secs}s"


def progress_line(host: str, state: dict, elapsed: float) -> str:
    status = state.get("status", "unknown")
    if state.get("ready"):
        status = f"{status}, ready"
    return f"[{host}] {state.get('kind')} {state.get('name')}: {status} ({format_elapsed(elapsed)} elapsed)"


class ActionModule(ActionBase):
    TRANSFERS_FILES = False

    def _int_arg(self, name: str, default: int) -> int:
        value = self._task.args.get(name, default)
        try:
            return int(value)
        except (TypeError, ValueError):
            return -1  # the module rejects it with a message naming the option

    def run(self, tmp=None, task_vars=None):
        if task_vars is None:
            task_vars = {}
        result = super().run(tmp, task_vars)
        del tmp

        timeout = self._int_arg("timeout", 3600)
        delay = self._int_arg("delay", 30)
        interval = self._int_arg("progress_interval", 30)
        host = to_text(task_vars.get("inventory_hostname", ""))
        module_args = dict(self._task.args, timeout=0)
        started = time.monotonic()
        printed: dict[tuple, tuple[str, float]] = {}

        try:
            while True:
                polled_at = time.monotonic()
                poll = self._execute_module(
                    module_name=self._task.resolved_action or "openedx.data_services.wait_for_resources",
                    module_args=module_args,
                    task_vars=task_vars,
                )
                elapsed = time.monotonic() - started
                states = poll.get("resources") or []
                if poll.get("failed") or timeout <= 0 or self._task.check_mode:
                    poll["elapsed"] = int(elapsed)
                    result.update(poll)
                    return result
                waiting = not all(state.get("ready") for state in states)
                for state in states:
                    key = (state.get("kind"), state.get("name"))
                    last = printed.get(key)
                    status = state.get("status")
                    if not waiting and last is None:
                        continue  # ready at the first look: nothing to report
                    if last is None or last[0] != status or elapsed - last[1] >= interval:
                        display.display(progress_line(host, state, elapsed))
                        printed[key] = (status, elapsed)
                if not waiting:
                    result.update(poll, changed=False, elapsed=int(elapsed))
                    return result
                if elapsed + delay > timeout:
                    result.update(
                        poll,
                        failed=True,
                        elapsed=int(elapsed),
                        msg=f"Timed out after {format_elapsed(elapsed)} (timeout {timeout}s) waiting for "
                        + ", ".join(
                            f"{s.get('kind')} {s.get('name')} ({s.get('status')})" for s in states if not s.get("ready")
                        ),
                    )
                    return result
                # One poll every `delay` seconds, however long a poll takes.
                time.sleep(max(delay - (time.monotonic() - polled_at), 0.1))
        finally:
            self._remove_tmp_path(self._connection._shell.tmpdir)
