"""rds_parameter_group against in-process moto with the sandbox's RDS patch (MySQL 8.0 catalogue)."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from ansible_collections.openedx.data_services.plugins.modules import rds_parameter_group
from harness import REGION, rds_pages_of, record_calls, run_module

NAME = "openedx-test-mysql-mysql8-0"
ARGS = {
    "name": NAME, "family": "mysql8.0", "description": "Open edX MySQL",
    "parameters": {"require_secure_transport": True, "character_set_server": "utf8mb4",
                   "collation_server": "utf8mb4_unicode_ci", "slow_query_log": "1", "long_query_time": 2},
    "tags": {"environment": "test"},
}
NO_OP_READS = ["DescribeDBParameterGroups", "DescribeDBParameters", "ListTagsForResource"]


@pytest.fixture
def aws(rds_aws: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """The RDS patch of the sandbox under moto."""
    return rds_aws


def methods(calls: Any, operation: str = "ModifyDBParameterGroup") -> dict[str, str]:
    return {p["ParameterName"]: p["ApplyMethod"] for p in calls.request(operation)["Parameters"]}


def with_parameters(**parameters: Any) -> dict[str, Any]:
    return {**ARGS, "parameters": {**ARGS["parameters"], **parameters}}


def test_create_applies_dynamic_parameters_immediately(aws: pytest.MonkeyPatch) -> None:
    with record_calls() as calls:
        created = run_module(rds_parameter_group.main, ARGS, diff=True)
    assert not created.failed, created.result
    assert created.result["changed"] is True
    assert calls.mutating == ["CreateDBParameterGroup", "ModifyDBParameterGroup"]
    assert "DescribeEngineDefaultParameters" in calls.reads
    assert methods(calls) == dict.fromkeys(ARGS["parameters"], "immediate")
    group = created.result["parameter_group"]
    assert group["db_parameter_group_name"] == NAME
    assert group["db_parameter_group_family"] == "mysql8.0"
    assert group["description"] == "Open edX MySQL"
    assert group["db_parameter_group_arn"].endswith(f":pg:{NAME}")
    assert group["tags"] == {"environment": "test"}
    # A YAML boolean of a boolean parameter is MySQL's 1, numbers are strings.
    assert group["parameters"] == {"require_secure_transport": "1", "character_set_server": "utf8mb4",
                                   "collation_server": "utf8mb4_unicode_ci", "slow_query_log": "1",
                                   "long_query_time": "2"}
    assert created.result["diff"] == {
        "before": {}, "after": {"family": "mysql8.0", "description": "Open edX MySQL",
                                "parameters": group["parameters"], "tags": {"environment": "test"}}}
    assert created.result["pending_reboot"] == []


def test_a_run_with_nothing_to_change_reads_three_times_and_changes_nothing(aws: pytest.MonkeyPatch) -> None:
    run_module(rds_parameter_group.main, ARGS)
    for check_mode in (False, True):
        with record_calls() as calls:
            again = run_module(rds_parameter_group.main, ARGS, check_mode=check_mode, diff=True)
        assert again.result["changed"] is False
        assert calls.operations == NO_OP_READS
        assert calls.request("DescribeDBParameters")["Source"] == "user"
        assert again.result["diff"]["before"] == again.result["diff"]["after"]
        assert again.result["pending_reboot"] == []


def test_check_mode_predicts_without_a_mutating_call(aws: pytest.MonkeyPatch) -> None:
    with record_calls() as calls:
        planned = run_module(rds_parameter_group.main, ARGS, check_mode=True, diff=True)
    assert planned.result["changed"] is True
    assert calls.mutating == []
    assert planned.result["diff"]["after"]["parameters"]["require_secure_transport"] == "1"
    assert planned.result["parameter_group"] == {}

    run_module(rds_parameter_group.main, ARGS)
    changed = with_parameters(innodb_log_buffer_size=33554432, long_query_time=5)
    with record_calls() as calls:
        planned = run_module(rds_parameter_group.main, changed, check_mode=True, diff=True)
    assert planned.result["changed"] is True
    assert calls.mutating == []
    assert planned.result["pending_reboot"] == ["innodb_log_buffer_size"]
    before, after = planned.result["diff"]["before"]["parameters"], planned.result["diff"]["after"]["parameters"]
    assert (before["long_query_time"], after["long_query_time"]) == ("2", "5")
    assert "innodb_log_buffer_size" not in before
    assert after["innodb_log_buffer_size"] == "33554432"
    assert run_module(rds_parameter_group.main, ARGS).result["changed"] is False


def test_static_parameters_wait_for_a_reboot_and_dynamic_ones_do_not(aws: pytest.MonkeyPatch) -> None:
    run_module(rds_parameter_group.main, ARGS)
    changed = with_parameters(innodb_log_buffer_size=33554432, performance_schema=True, long_query_time=5)
    with record_calls() as calls:
        updated = run_module(rds_parameter_group.main, changed, diff=True)
    assert not updated.failed, updated.result
    assert updated.result["changed"] is True
    assert calls.mutating == ["ModifyDBParameterGroup"]
    assert methods(calls) == {"innodb_log_buffer_size": "pending-reboot", "long_query_time": "immediate",
                              "performance_schema": "pending-reboot"}
    assert updated.result["pending_reboot"] == ["innodb_log_buffer_size", "performance_schema"]
    assert updated.result["parameter_group"]["parameters"]["performance_schema"] == "1"
    # Every parameter is now set in the group: the next run reads only the user-set ones.
    with record_calls() as calls:
        assert run_module(rds_parameter_group.main, changed).result["changed"] is False
    assert calls.operations == NO_OP_READS


def test_a_static_parameter_sent_immediate_is_refused_as_aws_does(aws: pytest.MonkeyPatch) -> None:
    """What amazon.aws.rds_instance_param_group with immediate: true does, and why this module exists."""
    run_module(rds_parameter_group.main, ARGS)
    rds = boto3.client("rds", region_name=REGION)
    with pytest.raises(rds.exceptions.ClientError) as refused:
        rds.modify_db_parameter_group(DBParameterGroupName=NAME, Parameters=[
            {"ParameterName": "innodb_log_buffer_size", "ParameterValue": "33554432", "ApplyMethod": "immediate"}])
    assert refused.value.response["Error"]["Code"] == "InvalidParameterCombination"
    assert "cannot use immediate apply method for static parameter" in refused.value.response["Error"]["Message"]


def test_a_parameter_at_its_engine_default_is_not_set(aws: pytest.MonkeyPatch) -> None:
    run_module(rds_parameter_group.main, ARGS)
    at_default = with_parameters(local_infile=0)
    with record_calls() as calls:
        same = run_module(rds_parameter_group.main, at_default)
    assert same.result["changed"] is False
    assert calls.mutating == []
    # local_infile is not set in the group: its default value and apply type come from every parameter.
    assert calls.reads == ["DescribeDBParameterGroups", "DescribeDBParameters", "ListTagsForResource",
                           "DescribeDBParameters"]


def test_every_page_of_parameters_is_read(aws: pytest.MonkeyPatch) -> None:
    rds_pages_of(aws, 20)
    with record_calls() as calls:
        created = run_module(rds_parameter_group.main, ARGS)
    assert created.result["parameter_group"]["parameters"]["long_query_time"] == "2"
    assert calls.reads.count("DescribeEngineDefaultParameters") == 4
    with record_calls() as calls:
        updated = run_module(rds_parameter_group.main, with_parameters(tmp_table_size=33554432))
    assert not updated.failed, updated.result
    assert updated.result["changed"] is True
    # The user-set parameters (one page), then every parameter of the family (62: four pages).
    pages = [c.params for c in calls.calls if c.operation == "DescribeDBParameters"]
    assert [page.get("Source") for page in pages[:5]] == ["user", None, None, None, None]
    assert methods(calls) == {"tmp_table_size": "immediate"}


def test_more_than_twenty_changes_are_sent_in_batches(aws: pytest.MonkeyPatch) -> None:
    many = {name: 600 for name in ("interactive_timeout", "net_read_timeout", "net_write_timeout", "wait_timeout")}
    many.update({"innodb_lock_wait_timeout": 120, "max_connect_errors": 1000, "max_allowed_packet": 67108864,
                 "max_execution_time": 60000, "group_concat_max_len": 65536, "table_open_cache": 4000,
                 "tmp_table_size": 33554432, "max_heap_table_size": 33554432, "event_scheduler": "ON",
                 "binlog_format": "ROW", "autocommit": 1, "innodb_print_all_deadlocks": 1,
                 "log_bin_trust_function_creators": 1, "explicit_defaults_for_timestamp": 1,
                 "innodb_strict_mode": 1, "time_zone": "UTC", "transaction_isolation": "READ-COMMITTED",
                 "innodb_read_io_threads": 8, "innodb_write_io_threads": 8})
    with record_calls() as calls:
        created = run_module(rds_parameter_group.main, with_parameters(**many))
    assert not created.failed, created.result
    batches = [len(c.params["Parameters"]) for c in calls.calls if c.operation == "ModifyDBParameterGroup"]
    assert batches == [20, 8]
    assert created.result["pending_reboot"] == ["innodb_read_io_threads", "innodb_write_io_threads"]


@pytest.mark.parametrize(("args", "message"), [
    (with_parameters(innodb_log_bufer_size=1), "unknown parameter(s) innodb_log_bufer_size for family mysql8.0; "
                                               "did you mean innodb_buffer_pool_size, innodb_log_buffer_size"),
    (with_parameters(datadir="/tmp"), "datadir cannot be modified"),
    ({**ARGS, "family": None}, "needs family (for example mysql8.0)"),
    ({**ARGS, "family": "mysql9.9"}, "family 'mysql9.9' is unknown to RDS"),
])
def test_bad_input_fails_before_any_mutating_call(aws: pytest.MonkeyPatch, args: dict[str, Any],
                                                  message: str) -> None:
    with record_calls() as calls:
        failed = run_module(rds_parameter_group.main, args)
    assert failed.failed
    assert message in failed.result["msg"]
    assert calls.mutating == []


@pytest.mark.parametrize(("parameters", "message"), [
    ({"innodb_log_bufer_size": 1}, "unknown parameter(s) innodb_log_bufer_size"),
    ({"basedir": "/opt/mysql"}, "basedir cannot be modified"),
])
def test_bad_parameters_of_an_existing_group_fail_before_any_mutating_call(
        aws: pytest.MonkeyPatch, parameters: dict[str, Any], message: str) -> None:
    run_module(rds_parameter_group.main, ARGS)
    with record_calls() as calls:
        failed = run_module(rds_parameter_group.main, {**with_parameters(**parameters), "tags": {"new": "tag"}})
    assert failed.failed
    assert message in failed.result["msg"]
    assert calls.mutating == []


def test_purge_resets_what_is_not_listed(aws: pytest.MonkeyPatch) -> None:
    run_module(rds_parameter_group.main, with_parameters(performance_schema=1))
    purged = {**ARGS, "parameters": {"require_secure_transport": 1}, "purge_parameters": True}
    with record_calls() as calls:
        planned = run_module(rds_parameter_group.main, purged, check_mode=True)
    assert planned.result["changed"] is True
    assert calls.mutating == []
    with record_calls() as calls:
        done = run_module(rds_parameter_group.main, purged)
    assert calls.mutating == ["ResetDBParameterGroup"]
    assert methods(calls, "ResetDBParameterGroup") == {
        "character_set_server": "immediate", "collation_server": "immediate", "long_query_time": "immediate",
        "performance_schema": "pending-reboot", "slow_query_log": "immediate"}
    assert done.result["pending_reboot"] == ["performance_schema"]
    assert done.result["parameter_group"]["parameters"] == {"require_secure_transport": "1"}
    assert run_module(rds_parameter_group.main, purged).result["changed"] is False


def test_tags_are_added_and_purged(aws: pytest.MonkeyPatch) -> None:
    run_module(rds_parameter_group.main, ARGS)
    with record_calls() as calls:
        retagged = run_module(rds_parameter_group.main, {**ARGS, "tags": {"team": "data"}}, diff=True)
    assert calls.mutating == ["RemoveTagsFromResource", "AddTagsToResource"]
    assert retagged.result["parameter_group"]["tags"] == {"team": "data"}
    assert retagged.result["diff"]["before"]["tags"] == {"environment": "test"}
    with record_calls() as calls:
        kept = run_module(rds_parameter_group.main, {**ARGS, "tags": {"owner": "me"}, "purge_tags": False})
    assert calls.mutating == ["AddTagsToResource"]
    assert kept.result["parameter_group"]["tags"] == {"team": "data", "owner": "me"}
    with record_calls() as calls:
        untouched = run_module(rds_parameter_group.main, {**ARGS, "tags": None})
    assert untouched.result["changed"] is False
    assert calls.mutating == []


def test_family_and_description_cannot_change(aws: pytest.MonkeyPatch) -> None:
    run_module(rds_parameter_group.main, ARGS)
    with record_calls() as calls:
        failed = run_module(rds_parameter_group.main, {**ARGS, "family": "mysql8.4"})
    assert failed.failed
    assert "family cannot change to mysql8.4" in failed.result["msg"]
    assert calls.mutating == []
    kept = run_module(rds_parameter_group.main, {**ARGS, "description": "Another"})
    assert kept.result["changed"] is False
    assert any("description cannot be changed" in warning for warning in kept.result.get("warnings", []))


def test_default_groups_are_left_alone(aws: pytest.MonkeyPatch) -> None:
    with record_calls() as calls:
        failed = run_module(rds_parameter_group.main, {"name": "default.mysql8.0",
                                                       "parameters": {"long_query_time": 5}})
    assert failed.failed
    assert "AWS default group" in failed.result["msg"]
    assert calls.mutating == []


def test_delete(aws: pytest.MonkeyPatch) -> None:
    run_module(rds_parameter_group.main, ARGS)
    absent = {"name": NAME, "state": "absent"}
    with record_calls() as calls:
        assert run_module(rds_parameter_group.main, absent, check_mode=True).result["changed"] is True
    assert calls.mutating == []
    with record_calls() as calls:
        deleted = run_module(rds_parameter_group.main, absent, diff=True)
    assert calls.mutating == ["DeleteDBParameterGroup"]
    assert deleted.result["changed"] is True
    assert deleted.result["diff"]["before"]["family"] == "mysql8.0"
    assert deleted.result["diff"]["after"] == {}
    assert deleted.result["parameter_group"] == {}
    with record_calls() as calls:
        assert run_module(rds_parameter_group.main, absent).result["changed"] is False
    assert calls.operations == ["DescribeDBParameterGroups"]
