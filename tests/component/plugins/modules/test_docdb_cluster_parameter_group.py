"""docdb_cluster_parameter_group against in-process moto with the sandbox's DocumentDB patch."""

from __future__ import annotations

from typing import Any

import pytest
from ansible_collections.openedx.data_services.plugins.modules import docdb_cluster_parameter_group
from harness import record_calls, run_module

ARGS = {
    "name": "openedx-docdb50", "family": "docdb5.0", "description": "Open edX",
    "parameters": {"tls": "enabled", "audit_logs": "enabled", "profiler": "enabled", "profiler_threshold_ms": 200},
    "tags": {"environment": "test"},
}


@pytest.fixture
def aws(docdb_aws: pytest.MonkeyPatch) -> None:
    """The DocumentDB patch of the sandbox under moto."""


def test_create_applies_each_parameter_the_way_its_type_allows(aws: None) -> None:
    with record_calls() as calls:
        created = run_module(docdb_cluster_parameter_group.main, ARGS, diff=True)
    assert not created.failed, created.result
    assert created.result["changed"] is True
    assert calls.mutating == ["CreateDBClusterParameterGroup", "ModifyDBClusterParameterGroup"]
    methods = {p["ParameterName"]: p["ApplyMethod"] for p in calls.request("ModifyDBClusterParameterGroup")[
        "Parameters"]}
    # tls is the only one already at its engine default; the others are dynamic.
    assert methods == {"audit_logs": "immediate", "profiler": "immediate", "profiler_threshold_ms": "immediate"}
    group = created.result["parameter_group"]
    assert group["db_parameter_group_family"] == "docdb5.0"
    assert group["tags"] == {"environment": "test"}
    assert group["parameters"] == {"audit_logs": "enabled", "profiler": "enabled", "profiler_threshold_ms": "200"}
    assert created.result["diff"]["before"] == {}
    assert created.result["pending_reboot"] == []

    with record_calls() as calls:
        again = run_module(docdb_cluster_parameter_group.main, ARGS)
    assert again.result["changed"] is False
    assert calls.mutating == []


def test_static_parameters_are_applied_at_the_next_reboot(aws: None) -> None:
    run_module(docdb_cluster_parameter_group.main, ARGS)
    changed = {**ARGS, "parameters": {**ARGS["parameters"], "tls": "tls1.2+", "profiler": "disabled"}}
    with record_calls() as calls:
        updated = run_module(docdb_cluster_parameter_group.main, changed, diff=True)
    assert updated.result["changed"] is True
    methods = {p["ParameterName"]: p["ApplyMethod"] for p in calls.request("ModifyDBClusterParameterGroup")[
        "Parameters"]}
    assert methods == {"profiler": "immediate", "tls": "pending-reboot"}
    assert updated.result["pending_reboot"] == ["tls"]
    before, after = updated.result["diff"]["before"]["parameters"], updated.result["diff"]["after"]["parameters"]
    assert (before["profiler"], after["profiler"]) == ("enabled", "disabled")
    assert after["tls"] == "tls1.2+"


def test_check_mode_and_purge(aws: None) -> None:
    with record_calls() as calls:
        planned = run_module(docdb_cluster_parameter_group.main, ARGS, check_mode=True, diff=True)
    assert planned.result["changed"] is True
    assert calls.mutating == []
    assert planned.result["diff"]["after"]["parameters"]["profiler_threshold_ms"] == "200"

    run_module(docdb_cluster_parameter_group.main, ARGS)
    purged = {**ARGS, "parameters": {"audit_logs": "enabled"}, "purge_parameters": True}
    with record_calls() as calls:
        planned = run_module(docdb_cluster_parameter_group.main, purged, check_mode=True)
    assert planned.result["changed"] is True
    assert calls.mutating == []
    with record_calls() as calls:
        done = run_module(docdb_cluster_parameter_group.main, purged)
    assert calls.mutating == ["ResetDBClusterParameterGroup"]
    assert done.result["parameter_group"]["parameters"] == {"audit_logs": "enabled"}


@pytest.mark.parametrize(("args", "message"), [
    ({**ARGS, "parameters": {"nope": "1"}}, "unknown parameter(s) nope"),
    ({**ARGS, "family": None}, "needs family"),
])
def test_bad_input_fails_before_any_mutating_call(aws: None, args: dict[str, Any], message: str) -> None:
    with record_calls() as calls:
        failed = run_module(docdb_cluster_parameter_group.main, args)
    assert failed.failed
    assert message in failed.result["msg"]
    assert calls.mutating == []


def test_family_cannot_change(aws: None) -> None:
    run_module(docdb_cluster_parameter_group.main, ARGS)
    failed = run_module(docdb_cluster_parameter_group.main, {**ARGS, "family": "docdb4.0"})
    assert failed.failed
    assert "family cannot change" in failed.result["msg"]


def test_delete(aws: None) -> None:
    run_module(docdb_cluster_parameter_group.main, ARGS)
    absent = {"name": ARGS["name"], "state": "absent"}
    with record_calls() as calls:
        assert run_module(docdb_cluster_parameter_group.main, absent, check_mode=True).result["changed"] is True
    assert calls.mutating == []
    deleted = run_module(docdb_cluster_parameter_group.main, absent, diff=True)
    assert deleted.result["changed"] is True
    assert deleted.result["diff"]["before"]["family"] == "docdb5.0"
    assert deleted.result["parameter_group"] == {}
    assert run_module(docdb_cluster_parameter_group.main, absent).result["changed"] is False
