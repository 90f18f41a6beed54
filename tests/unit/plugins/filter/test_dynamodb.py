"""The dynamodb role's checks and the module parameters its table entries become."""

from __future__ import annotations

from pathlib import Path

import yaml
from ansible_collections.openedx.data_services.plugins.filter.dynamodb import (
    dynamodb_connection,
    dynamodb_settings_errors,
    dynamodb_table_params,
)

ROOT = Path(__file__).resolve().parents[4]


def test_every_inventory_example_is_valid() -> None:
    for environment in ("local", "test", "prod"):
        example = yaml.safe_load((ROOT / "inventories" / environment / "group_vars" / "all" / "dynamodb.yml")
                                 .read_text())
        assert dynamodb_settings_errors(example["dynamodb_tables"], example["dynamodb_kinesis_streams"],
                                        f"openedx-{environment}") == []


def test_bad_entries_are_named() -> None:
    problems = dynamodb_settings_errors(
        [{"name": "events", "partition_key": "id", "sortkey": "t", "autoscaling": {"min": 5, "max": 1}}],
        [{"name": "feed", "retention_hours": 1, "lambda_function": "f"}], "openedx-test")
    text = " ".join(problems)
    assert "dynamodb_tables[events] has unknown settings ['sortkey']" in text
    assert "dynamodb_tables[events].autoscaling needs billing_mode PROVISIONED" in text
    assert "1 <= min <= max" in text
    assert "dynamodb_kinesis_streams[feed].retention_hours must be 24 to 8760" in text
    assert "lambda_function needs the table" in text


def test_entries_become_module_parameters() -> None:
    [params] = dynamodb_table_params([{"name": "events", "partition_key": "id",
                                       "global_indexes": [{"name": "by-c", "partition_key": {"name": "c",
                                                                                             "type": "N"}}]}],
                                     "openedx-prod", "arn:k", {"Environment": "prod"}, True, True)
    assert params["name"] == "openedx-prod-events"
    assert params["partition_key"] == {"name": "id", "type": "S"}
    assert params["global_indexes"][0]["partition_key"] == {"name": "c", "type": "N"}
    assert (params["kms_key_id"], params["point_in_time_recovery"], params["deletion_protection"]) == (
        "arn:k", True, True)
    assert "sort_key" not in params and "stream_view_type" not in params


def test_connection_entry_by_short_names() -> None:
    tables = [{"item": {"name": "openedx-prod-events"},
               "table": {"name": "openedx-prod-events", "arn": "arn:t", "stream_arn": "arn:s"}}]
    streams = [{"item": {"name": "feed"}, "stream_name": "openedx-prod-feed", "stream_arn": "arn:k"}]
    assert dynamodb_connection(tables, streams, "openedx-prod") == {
        "tables": {"events": {"name": "openedx-prod-events", "arn": "arn:t", "stream_arn": "arn:s"}},
        "kinesis_streams": {"feed": {"name": "openedx-prod-feed", "arn": "arn:k"}}}
