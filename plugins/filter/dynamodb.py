# Copyright: Open edX data services maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The dynamodb role's tables and streams: their checks (the dynamodb_table module's own rules, applied in the
validate step before any AWS call) and the module parameters each table entry becomes."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ansible.errors import AnsibleFilterError

TABLE_KEYS = {"name", "partition_key", "sort_key", "billing_mode", "read_capacity", "write_capacity", "table_class",
              "global_indexes", "local_indexes", "ttl_attribute", "stream_view_type", "point_in_time_recovery",
              "deletion_protection", "replicas", "autoscaling", "tags"}
INDEX_KEYS = {"name", "partition_key", "sort_key", "projection", "non_key_attributes", "read_capacity",
              "write_capacity"}
STREAM_KEYS = {"name", "shards", "retention_hours", "table", "lambda_function", "batch_size", "starting_position"}
AUTOSCALING_KEYS = {"min", "max", "target"}
SHORT_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
STREAM_NAME = re.compile(r"^[a-zA-Z0-9_.-]{1,128}$")


def _rules():
    """The dynamodb_table module's rules (module_utils dynamodb), imported when a check runs: that file imports boto3,
    and Ansible loads this one in each worker that templates one of its filters."""
    from ansible_collections.openedx.data_services.plugins.module_utils import dynamodb

    return dynamodb


def _key(value: Any, where: str, problems: list[str]) -> dict[str, str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return {"name": value, "type": "S"}
    if not isinstance(value, Mapping) or set(value) - {"name", "type"} or "name" not in value:
        problems.append(f"{where} must be an attribute name or {{name, type}}, got {value!r}.")
        return None
    kind = str(value.get("type", "S"))
    if kind not in _rules().ATTRIBUTE_TYPES:
        problems.append(f"{where}.type must be one of S, N, B (string, number, binary), got {kind!r}.")
    return {"name": str(value["name"]), "type": kind}


def _index(index: Any, where: str, local: bool, problems: list[str]) -> dict[str, Any] | None:
    if not isinstance(index, Mapping) or "name" not in index:
        problems.append(f"{where} must be a dict with a name, got {index!r}.")
        return None
    where = f"{where[:where.rindex('[')]}[{index['name']}]"
    allowed = INDEX_KEYS - ({"read_capacity", "write_capacity", "partition_key"} if local else set())
    unknown = set(index) - allowed
    if unknown:
        problems.append(f"{where} has unknown settings {sorted(unknown)}; allowed: {sorted(allowed)}.")
    projection = index.get("projection", "ALL")
    if projection not in _rules().PROJECTION_TYPES:
        problems.append(f"{where}.projection must be one of {', '.join(_rules().PROJECTION_TYPES)}, "
                        f"got {projection!r}.")
    result = {"name": str(index["name"]), "sort_key": _key(index.get("sort_key"), f"{where}.sort_key", problems),
              "projection": projection, "non_key_attributes": list(index.get("non_key_attributes") or [])}
    if local:
        if result["sort_key"] is None:
            problems.append(f"{where}.sort_key is required (a local index differs from the table by its sort key).")
    else:
        result["partition_key"] = _key(index.get("partition_key"), f"{where}.partition_key", problems)
        if result["partition_key"] is None:
            problems.append(f"{where}.partition_key is required.")
        result["read_capacity"] = index.get("read_capacity")
        result["write_capacity"] = index.get("write_capacity")
    return result


def table_params(table: Mapping[str, Any], name_prefix: str, defaults: Mapping[str, Any],
                 problems: list[str] | None = None) -> dict[str, Any]:
    """The dynamodb_table parameters of one entry of dynamodb_tables (``defaults``: kms_key_id, tags,
    point_in_time_recovery, deletion_protection)."""
    problems = [] if problems is None else problems
    where = f"dynamodb_tables[{table.get('name')}]"
    unknown = set(table) - TABLE_KEYS
    if unknown:
        problems.append(f"{where} has unknown settings {sorted(unknown)}; allowed: {sorted(TABLE_KEYS)}.")
    short = str(table.get("name") or "")
    if not SHORT_NAME.match(short):
        problems.append(f"{where}.name must start with a lowercase letter or digit and hold only a-z, 0-9, _, - "
                        f"and . (it becomes {name_prefix}-<name>), got {short!r}.")
    billing = table.get("billing_mode", "PAY_PER_REQUEST")
    if billing not in _rules().BILLING_MODES:
        problems.append(f"{where}.billing_mode must be PAY_PER_REQUEST or PROVISIONED, got {billing!r}.")
    for option, choices in (("stream_view_type", _rules().STREAM_VIEW_TYPES),
                            ("table_class", _rules().TABLE_CLASSES)):
        if table.get(option) is not None and table[option] not in choices:
            problems.append(f"{where}.{option} must be one of {', '.join(choices)}, got {table[option]!r}.")
    params = {
        "name": f"{name_prefix}-{short}",
        "state": "present",
        "partition_key": _key(table.get("partition_key"), f"{where}.partition_key", problems),
        "sort_key": _key(table.get("sort_key"), f"{where}.sort_key", problems),
        "billing_mode": billing,
        "read_capacity": table.get("read_capacity"),
        "write_capacity": table.get("write_capacity"),
        "table_class": table.get("table_class", "STANDARD"),
        "global_indexes": [i for n, index in enumerate(table.get("global_indexes") or [])
                           if (i := _index(index, f"{where}.global_indexes[{n}]", False, problems))],
        "local_indexes": [i for n, index in enumerate(table.get("local_indexes") or [])
                          if (i := _index(index, f"{where}.local_indexes[{n}]", True, problems))],
        "ttl_attribute": table.get("ttl_attribute"),
        "stream_view_type": table.get("stream_view_type"),
        "point_in_time_recovery": bool(table.get("point_in_time_recovery", defaults.get("point_in_time_recovery"))),
        "deletion_protection": bool(table.get("deletion_protection", defaults.get("deletion_protection"))),
        "kms_key_id": defaults.get("kms_key_id") or None,
        "replicas": [{"region": r.get("region"), "kms_key_id": r.get("kms_key_id")}
                     for r in table.get("replicas") or [] if isinstance(r, Mapping)],
        "tags": dict(defaults.get("tags") or {}, **(table.get("tags") or {})),
        "autoscaled": bool(table.get("autoscaling")),
    }
    if params["partition_key"] is None:
        problems.append(f"{where}.partition_key is required.")
    if params["kms_key_id"] and any(not r["kms_key_id"] for r in params["replicas"]):
        problems.append(f"{where}.replicas need each a kms_key_id (a key of the replica's region), as the table is "
                        "encrypted with the environment's key.")
    autoscaling = table.get("autoscaling")
    if autoscaling is not None:
        if billing != "PROVISIONED":
            problems.append(f"{where}.autoscaling needs billing_mode PROVISIONED (on-demand tables scale by "
                            "themselves).")
        if not isinstance(autoscaling, Mapping) or set(autoscaling) - AUTOSCALING_KEYS:
            problems.append(f"{where}.autoscaling must be a dict of min, max and target, got {autoscaling!r}.")
        else:
            low, high, target = (autoscaling.get(k) for k in ("min", "max", "target"))
            if not (isinstance(low, int) and isinstance(high, int) and 1 <= low <= high <= _rules().MAX_CAPACITY):
                problems.append(f"{where}.autoscaling.min and max must be whole capacity units with 1 <= min <= max "
                                f"<= {_rules().MAX_CAPACITY}, got {low!r} and {high!r}.")
            if not (isinstance(target, (int, float)) and 20 <= target <= 90):
                problems.append(f"{where}.autoscaling.target must be a utilisation percentage from 20 to 90, got "
                                f"{target!r}.")
    # The module's own rules; a setting already refused above is left out of them.
    checked = dict(params, stream_view_type=params["stream_view_type"] if params["stream_view_type"]
                   in _rules().STREAM_VIEW_TYPES else None, name=f"{name_prefix}-{short or 'x'}")
    problems += [f"{where}: {p}" for p in _rules().problems(checked) if not p.startswith("name must")]
    return params


def dynamodb_settings_errors(tables: Any, streams: Any, name_prefix: str) -> list[str]:
    """Every problem of dynamodb_tables and dynamodb_kinesis_streams, naming the setting and what is allowed."""
    problems: list[str] = []
    if not isinstance(tables, list):
        return [f"dynamodb_tables must be a list of tables, got {tables!r}."]
    if not isinstance(streams, list):
        return [f"dynamodb_kinesis_streams must be a list of streams, got {streams!r}."]
    names = []
    for table in tables:
        if not isinstance(table, Mapping):
            problems.append(f"each entry of dynamodb_tables must be a dict, got {table!r}.")
            continue
        names.append(table.get("name"))
        found: list[str] = []
        table_params(table, name_prefix, {}, found)
        problems += found
    for duplicate in sorted({str(n) for n in names if names.count(n) > 1}):
        problems.append(f"dynamodb_tables names {duplicate} twice.")
    stream_names = []
    for stream in streams:
        if not isinstance(stream, Mapping):
            problems.append(f"each entry of dynamodb_kinesis_streams must be a dict, got {stream!r}.")
            continue
        where = f"dynamodb_kinesis_streams[{stream.get('name')}]"
        stream_names.append(stream.get("name"))
        unknown = set(stream) - STREAM_KEYS
        if unknown:
            problems.append(f"{where} has unknown settings {sorted(unknown)}; allowed: {sorted(STREAM_KEYS)}.")
        if not STREAM_NAME.match(f"{name_prefix}-{stream.get('name')}") or not stream.get("name"):
            problems.append(f"{where}.name must hold only a-z, A-Z, 0-9, _, - and . and {name_prefix}-<name> at most "
                            "128 characters.")
        shards = stream.get("shards", 1)
        if not isinstance(shards, int) or isinstance(shards, bool) or not 1 <= shards <= 500:
            problems.append(f"{where}.shards must be a whole number from 1 to 500, got {shards!r}.")
        hours = stream.get("retention_hours", 24)
        if not isinstance(hours, int) or isinstance(hours, bool) or not 24 <= hours <= 8760:
            problems.append(f"{where}.retention_hours must be 24 to 8760 (365 days), got {hours!r}.")
        if stream.get("table") is not None and stream["table"] not in names:
            problems.append(f"{where}.table must name a table of dynamodb_tables ({', '.join(map(str, names))}), "
                            f"got {stream['table']!r}.")
        batch = stream.get("batch_size", 100)
        if not isinstance(batch, int) or isinstance(batch, bool) or not 1 <= batch <= 10000:
            problems.append(f"{where}.batch_size must be 1 to 10000, got {batch!r}.")
        if stream.get("starting_position", "LATEST") not in ("LATEST", "TRIM_HORIZON"):
            problems.append(f"{where}.starting_position must be LATEST or TRIM_HORIZON.")
        if stream.get("lambda_function") and not stream.get("table"):
            problems.append(f"{where}.lambda_function needs the table the function writes to in {where}.table.")
    for duplicate in sorted({str(n) for n in stream_names if stream_names.count(n) > 1}):
        problems.append(f"dynamodb_kinesis_streams names {duplicate} twice.")
    return problems


def dynamodb_table_params(tables: Any, name_prefix: str, kms_key_id: str = "", tags: Any = None,
                          point_in_time_recovery: bool = False, deletion_protection: bool = False) -> list[dict]:
    """The dynamodb_table parameters of each entry of dynamodb_tables (checked before by dynamodb_settings_errors)."""
    if not isinstance(tables, list):
        raise AnsibleFilterError(f"dynamodb_table_params: a list of tables is expected, got {tables!r}")
    defaults = {"kms_key_id": kms_key_id, "tags": tags or {}, "point_in_time_recovery": point_in_time_recovery,
                "deletion_protection": deletion_protection}
    # A None would reach the module as a value (and fail its choices): left out, the module's default applies.
    return [{k: v for k, v in table_params(table, name_prefix, defaults).items() if v is not None}
            for table in tables]


def dynamodb_unready(results: Any) -> list[dict[str, str]]:
    """The tables of the dynamodb_table task's results that are not ready yet, as wait_for_resources takes them."""
    return [{"kind": "dynamodb_table", "name": result["item"]["name"]} for result in results or []
            if not (result.get("resource") or {}).get("ready")]


def dynamodb_connection(tables: Any, streams: Any, name_prefix: str) -> dict[str, Any]:
    """The tables and streams of the dynamodb_table and kinesis_stream tasks' results, by their short names."""
    def short(name: str) -> str:
        return name[len(name_prefix) + 1:] if name.startswith(f"{name_prefix}-") else name

    return {
        "tables": {short(r["item"]["name"]): {"name": r["table"].get("name", r["item"]["name"]),
                                              "arn": r["table"].get("arn", ""),
                                              "stream_arn": r["table"].get("stream_arn") or ""}
                   for r in tables or [] if "table" in r},
        "kinesis_streams": {r["item"]["name"]: {"name": r.get("stream_name") or f"{name_prefix}-{r['item']['name']}",
                                                "arn": r.get("stream_arn") or ""}
                            for r in streams or []},
    }


class FilterModule:
    def filters(self):
        return {"dynamodb_settings_errors": dynamodb_settings_errors, "dynamodb_table_params": dynamodb_table_params,
                "dynamodb_unready": dynamodb_unready, "dynamodb_connection": dynamodb_connection}
