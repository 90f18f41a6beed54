"""The wait_for_resources action plugin: polling the module and printing progress lines (no AWS)."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from ansible_collections.openedx.data_services.plugins.action import wait_for_resources as action


def poll(status: str, ready: bool, kind: str = "opensearch_domain", name: str = "edx-search") -> dict[str, Any]:
    return {"kind": kind, "name": name, "status": status, "ready": ready}


def run_action(polls: list[dict[str, Any]], args: dict[str, Any] | None = None,
               check_mode: bool = False) -> tuple[dict[str, Any], list[str], list[dict[str, Any]]]:
    plugin = object.__new__(action.ActionModule)
    plugin._task = mock.Mock(args={"resources": [], "delay": 10, **(args or {})}, check_mode=check_mode,
                             resolved_action="openedx.data_services.wait_for_resources")
    plugin._connection = mock.Mock()
    plugin._remove_tmp_path = mock.Mock()
    sent: list[dict[str, Any]] = []
    replies = iter(polls)

    def execute(module_name: str, module_args: dict[str, Any], task_vars: dict[str, Any]) -> dict[str, Any]:
        sent.append(module_args)
        return dict(next(replies))

    plugin._execute_module = execute
    lines: list[str] = []
    clock = {"now": 1000.0}

    def sleep(seconds: float) -> None:
        clock["now"] += seconds

    with mock.patch("ansible.plugins.action.ActionBase.run", return_value={}), \
            mock.patch.object(action.display, "display", side_effect=lines.append), \
            mock.patch.object(action.time, "sleep", side_effect=sleep), \
            mock.patch.object(action.time, "monotonic", side_effect=lambda: clock["now"]):
        result = plugin.run(task_vars={"inventory_hostname": "opensearch"})
    return result, lines, sent


def test_action_prints_a_line_per_state_change_and_at_the_interval() -> None:
    polls = [{"resources": [poll("creating", False)]}] * 5 + [{"resources": [poll("active", True)]}]
    result, lines, sent = run_action(polls, {"delay": 10, "progress_interval": 30})
    assert result["resources"][0]["ready"] is True and result["elapsed"] == 50
    assert lines == [
        "[opensearch] opensearch_domain edx-search: creating (0s elapsed)",
        "[opensearch] opensearch_domain edx-search: creating (30s elapsed)",
        "[opensearch] opensearch_domain edx-search: active, ready (50s elapsed)",
    ]
    # Every poll asks the module for one look only.
    assert {args["timeout"] for args in sent} == {0}


def test_action_is_silent_when_everything_is_ready_at_once() -> None:
    result, lines, sent = run_action([{"resources": [poll("available", True, "rds_instance", "edx-mysql")]}])
    assert lines == [] and len(sent) == 1 and not result.get("failed")


def test_action_times_out() -> None:
    result, _lines, _sent = run_action([{"resources": [poll("creating", False)]}] * 10, {"delay": 10, "timeout": 25})
    assert result["failed"] is True
    assert "Timed out after 20s (timeout 25s)" in result["msg"] and "edx-search (creating)" in result["msg"]


def test_action_passes_module_failures_and_check_mode_through() -> None:
    failure = {"failed": True, "msg": "rds_instance x is absent and will not become available by waiting"}
    result, _lines, sent = run_action([failure])
    assert result["failed"] is True and "absent" in result["msg"] and len(sent) == 1
    result, lines, sent = run_action([{"resources": [poll("creating", False)]}], check_mode=True)
    assert not result.get("failed") and len(sent) == 1 and lines == []


@pytest.mark.parametrize(("seconds", "text"), [(0, "0s"), (59, "59s"), (75, "1m15s"), (3725, "1h02m05s")])
def test_format_elapsed(seconds: int, text: str) -> None:
    assert action.format_elapsed(seconds) == text
