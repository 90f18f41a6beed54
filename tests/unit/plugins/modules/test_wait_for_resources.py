"""wait_for_resources (module and action plugin) against in-process moto with the sandbox's RDS/DocumentDB patches."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any
from unittest import mock

import boto3
import conftest_docdb
import pytest
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry, RetryingBotoClientWrapper
from ansible_collections.openedx.data_services.plugins.action import wait_for_resources as action
from ansible_collections.openedx.data_services.plugins.module_utils import resources
from ansible_collections.openedx.data_services.plugins.modules import wait_for_resources
from conftest_docdb import REGION, record_calls, run_module, subnet_group

from sandbox.dataplane import mariadb

PASSWORD = "Wait-pass-12345"


@pytest.fixture
def aws(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    try:
        with conftest_docdb.moto_docdb(tmp_path, monkeypatch):
            yield monkeypatch
    finally:
        # An RDS MySQL instance comes with a real MariaDB server: stop every one this test started.
        mariadb.stop_all(delete_data=True)
        assert mariadb.servers() == []


def docdb_client() -> Any:
    """A DocumentDB client as the module builds it (calls accept aws_retry)."""
    return RetryingBotoClientWrapper(boto3.client("docdb", region_name=REGION), AWSRetry.jittered_backoff())


def create_docdb(instances: int = 2) -> None:
    client = boto3.client("docdb", region_name=REGION)
    client.create_db_cluster(DBClusterIdentifier="edx-docdb", Engine="docdb", MasterUsername="docadmin",
                             MasterUserPassword=PASSWORD, DBSubnetGroupName=subnet_group())
    for number in range(1, instances + 1):
        client.create_db_instance(DBInstanceIdentifier=f"edx-docdb-{number}", DBClusterIdentifier="edx-docdb",
                                  DBInstanceClass="db.r6g.large", Engine="docdb")


def create_mysql() -> None:
    boto3.client("rds", region_name=REGION).create_db_instance(
        DBInstanceIdentifier="edx-mysql", Engine="mysql", DBInstanceClass="db.t3.medium", AllocatedStorage=20,
        MasterUsername="admin", MasterUserPassword=PASSWORD)


def test_available_resources_are_returned_with_their_endpoints(aws: pytest.MonkeyPatch) -> None:
    create_docdb()
    create_mysql()
    with record_calls() as calls:
        done = run_module(wait_for_resources.main, {"resources": [
            {"kind": "docdb_cluster", "name": "edx-docdb"}, {"kind": "rds_instance", "name": "edx-mysql"}]})
    assert not done.failed, done.result
    docdb, mysql = done.result["resources"]
    assert docdb["ready"] is True and docdb["status"] == "available"
    assert docdb["endpoint"].startswith("edx-docdb.cluster-")
    assert docdb["reader_endpoint"].startswith("edx-docdb.cluster-ro-")
    assert docdb["port"] == 27017
    assert [i["db_instance_identifier"] for i in docdb["description"]["instances"]] == ["edx-docdb-1", "edx-docdb-2"]
    assert mysql["ready"] is True and mysql["endpoint"] and mysql["arn"].endswith(":db:edx-mysql")
    assert calls.mutating == []


def test_waits_until_the_instance_is_available(aws: pytest.MonkeyPatch) -> None:
    # 0.1 simulated seconds per minute: an 8-minute creation lasts 0.8 s.
    aws.setenv("SANDBOX_TIME_SCALE", "0.1")
    create_mysql()
    assert boto3.client("rds", region_name=REGION).describe_db_instances(
        DBInstanceIdentifier="edx-mysql")["DBInstances"][0]["DBInstanceStatus"] == "creating"
    started = time.monotonic()
    done = run_module(wait_for_resources.main, {"resources": [{"kind": "rds_instance", "name": "edx-mysql"}],
                                                "delay": 1, "timeout": 60})
    assert not done.failed, done.result
    assert done.result["resources"][0]["status"] == "available"
    assert done.result["resources"][0]["endpoint"]
    assert time.monotonic() - started >= 0.5


def test_timeout_zero_describes_once_without_waiting(aws: pytest.MonkeyPatch) -> None:
    aws.setenv("SANDBOX_TIME_SCALE", "10")
    create_mysql()
    done = run_module(wait_for_resources.main, {"resources": [{"kind": "rds_instance", "name": "edx-mysql"}],
                                                "timeout": 0})
    assert not done.failed, done.result
    assert done.result["resources"][0]["status"] == "creating"
    assert done.result["resources"][0]["ready"] is False


def test_times_out_naming_what_is_not_ready(aws: pytest.MonkeyPatch) -> None:
    aws.setenv("SANDBOX_TIME_SCALE", "10")
    create_mysql()
    done = run_module(wait_for_resources.main, {"resources": [{"kind": "rds_instance", "name": "edx-mysql"}],
                                                "timeout": 2, "delay": 1})
    assert done.failed
    assert "Timed out" in done.result["msg"] and "rds_instance edx-mysql (creating)" in done.result["msg"]


def test_cluster_is_not_ready_until_every_instance_is(aws: pytest.MonkeyPatch) -> None:
    create_docdb(instances=0)
    client = boto3.client("docdb", region_name=REGION)
    aws.setenv("SANDBOX_TIME_SCALE", "10")
    client.create_db_instance(DBInstanceIdentifier="edx-docdb-1", DBClusterIdentifier="edx-docdb",
                              DBInstanceClass="db.r6g.large", Engine="docdb")
    state = resources.describe(docdb_client(), "docdb_cluster", "edx-docdb")
    assert state["ready"] is False
    assert state["status"] == "available, instances 0/1 available"


def test_cluster_without_instances_is_not_ready(aws: pytest.MonkeyPatch) -> None:
    create_docdb(instances=0)
    state = resources.describe(docdb_client(), "docdb_cluster", "edx-docdb")
    assert state["ready"] is False


def test_absent_fails_outside_check_mode_and_is_reported_in_check_mode(aws: pytest.MonkeyPatch) -> None:
    args = {"resources": [{"kind": "rds_instance", "name": "missing"},
                          {"kind": "elasticache_replication_group", "name": "missing"}]}
    failed = run_module(wait_for_resources.main, args)
    assert failed.failed
    assert "rds_instance missing is absent" in failed.result["msg"]
    checked = run_module(wait_for_resources.main, args, check_mode=True)
    assert not checked.failed, checked.result
    assert [r["status"] for r in checked.result["resources"]] == ["absent", "absent"]


def test_a_failed_state_fails_at_once(aws: pytest.MonkeyPatch) -> None:
    create_mysql()
    failing = mock.Mock(return_value=resources._state("incompatible-parameters", False))
    with mock.patch.dict(resources._DESCRIBE, {"rds_instance": failing}):
        done = run_module(wait_for_resources.main, {"resources": [{"kind": "rds_instance", "name": "edx-mysql"}],
                                                    "timeout": 600, "delay": 1})
    assert done.failed
    assert "incompatible-parameters" in done.result["msg"]


@pytest.mark.parametrize(("args", "message"), [
    ({"delay": -1}, "delay must be 0 or more"),
    ({"delay": 0}, "delay must be at least 1"),
    ({"resources": [{"kind": "rds_instance", "name": "a"}, {"kind": "rds_instance", "name": "a"}]}, "listed twice"),
])
def test_bad_input_fails_before_any_call(aws: pytest.MonkeyPatch, args: dict[str, Any], message: str) -> None:
    with record_calls() as calls:
        done = run_module(wait_for_resources.main, {"resources": [{"kind": "rds_instance", "name": "a"}], **args})
    assert done.failed and message in done.result["msg"]
    assert calls.calls == []


def test_opensearch_domain_states() -> None:
    def state(**domain: Any) -> dict[str, Any]:
        client = mock.Mock()
        client.describe_domain.return_value = {"DomainStatus": {"ARN": "arn", **domain}}
        return resources.describe(client, "opensearch_domain", "edx-search")

    creating = state(Created=True, Processing=True)
    assert (creating["status"], creating["ready"], creating["endpoint"]) == ("creating", False, "")
    modifying = state(Created=True, Processing=True, Endpoints={"vpc": "vpc-edx"}, DomainProcessingStatus="Modifying")
    assert (modifying["status"], modifying["ready"]) == ("modifying", False)
    active = state(Created=True, Processing=False, Endpoints={"vpc": "vpc-edx"})
    assert (active["status"], active["ready"], active["endpoint"], active["port"]) == ("active", True, "vpc-edx", 443)
    upgrading = state(Created=True, Processing=False, UpgradeProcessing=True, Endpoint="edx")
    assert (upgrading["status"], upgrading["ready"]) == ("processing", False)
    deleted = state(Created=True, Deleted=True, Endpoint="edx")
    assert (deleted["status"], deleted["ready"], deleted["failed"]) == ("deleting", False, True)


# --- the action plugin: polling and progress lines ----------------------------------------------------------


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
