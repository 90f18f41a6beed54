"""The pure planning of plugins/module_utils/parameter_groups.py, shared by the RDS and DocumentDB modules."""

from __future__ import annotations

from typing import Any

import pytest
from ansible_collections.openedx.data_services.plugins.module_utils import parameter_groups, rds

CATALOG = [
    {"ParameterName": "long_query_time", "ApplyType": "dynamic", "DataType": "float", "IsModifiable": True,
     "Source": "user", "ParameterValue": "2"},
    {"ParameterName": "slow_query_log", "ApplyType": "dynamic", "DataType": "boolean", "IsModifiable": True,
     "Source": "engine-default"},
    {"ParameterName": "performance_schema", "ApplyType": "static", "DataType": "boolean", "IsModifiable": True,
     "Source": "user", "ParameterValue": "1"},
    {"ParameterName": "innodb_log_buffer_size", "ApplyType": "static", "DataType": "integer", "IsModifiable": True,
     "Source": "engine-default", "ParameterValue": "8388608"},
    {"ParameterName": "datadir", "ApplyType": "static", "DataType": "string", "IsModifiable": False,
     "Source": "system", "ParameterValue": "/rdsdbdata/db/"},
]


@pytest.mark.parametrize(("value", "parameter", "expected"), [
    (True, {"DataType": "boolean"}, "1"),
    (False, {"DataType": "boolean"}, "0"),
    (True, {"DataType": "string"}, "true"),
    (False, None, "false"),
    (2, None, "2"),
    (0.5, None, "0.5"),
    ("utf8mb4", None, "utf8mb4"),
])
def test_values_are_the_strings_aws_holds(value: Any, parameter: dict[str, Any] | None, expected: str) -> None:
    assert parameter_groups.as_value(value, parameter) == expected


def test_apply_method_follows_the_apply_type() -> None:
    assert parameter_groups.apply_method({"ApplyType": "static"}) == "pending-reboot"
    assert parameter_groups.apply_method({"ApplyType": "dynamic"}) == "immediate"


def test_user_values_are_the_values_set_in_the_group() -> None:
    assert parameter_groups.user_values(CATALOG) == {"long_query_time": "2", "performance_schema": "1"}


def test_changes_are_planned_per_parameter_with_the_method_aws_allows() -> None:
    desired = {"long_query_time": 2, "slow_query_log": True, "innodb_log_buffer_size": 33554432}
    modify, reset = parameter_groups.plan_parameters(CATALOG, desired, purge=False)
    assert modify == [
        {"ParameterName": "innodb_log_buffer_size", "ParameterValue": "33554432", "ApplyMethod": "pending-reboot"},
        {"ParameterName": "slow_query_log", "ParameterValue": "1", "ApplyMethod": "immediate"},
    ]
    assert reset == []
    assert parameter_groups.plan_parameters(CATALOG, desired, purge=True)[1] == [
        {"ParameterName": "performance_schema", "ApplyMethod": "pending-reboot"}]
    assert parameter_groups.plan_parameters(CATALOG, {"long_query_time": "2", "performance_schema": 1},
                                            purge=True) == ([], [])


def test_unknown_and_fixed_parameters_are_named() -> None:
    assert parameter_groups.parameter_problem(CATALOG, ["long_query_time"], "mysql8.0") is None
    assert parameter_groups.parameter_problem(CATALOG, ["nope", "slow_query_lg"], "mysql8.0") == (
        "parameters: unknown parameter(s) nope, slow_query_lg for family mysql8.0; allowed: datadir, "
        "innodb_log_buffer_size, long_query_time, performance_schema, slow_query_log")
    assert parameter_groups.parameter_problem(CATALOG, ["datadir", "long_query_time"], "mysql8.0") == (
        "parameters: datadir cannot be modified (AWS sets them)")


def test_a_long_family_suggests_close_names_instead_of_listing_them_all() -> None:
    catalog = [{"ParameterName": f"parameter_{i}"} for i in range(100)] + [{"ParameterName": "slow_query_log"}]
    assert parameter_groups.parameter_problem(catalog, ["slow_query_lg"], "mysql8.0") == (
        "parameters: unknown parameter(s) slow_query_lg for family mysql8.0; did you mean slow_query_log?")
    assert parameter_groups.parameter_problem(catalog, ["zzz"], "mysql8.0") == (
        "parameters: unknown parameter(s) zzz for family mysql8.0; none of its 101 parameters is close")


def test_rds_parameters_are_modified_and_reset_twenty_at_a_time() -> None:
    batches: list[tuple[str, int]] = []

    class Client:
        def modify_db_parameter_group(self, DBParameterGroupName: str, Parameters: list[Any]) -> None:
            batches.append(("modify", len(Parameters)))

        def reset_db_parameter_group(self, DBParameterGroupName: str, Parameters: list[Any]) -> None:
            batches.append(("reset", len(Parameters)))

    rds.modify_parameters(Client(), "g", [{"ParameterName": str(i)} for i in range(41)])
    rds.reset_parameters(Client(), "g", [{"ParameterName": str(i)} for i in range(20)])
    assert batches == [("modify", 20), ("modify", 20), ("modify", 1), ("reset", 20)]
