"""ElastiCache request checks, with the messages AWS gives."""

from __future__ import annotations

import re
from typing import Any

from moto.elasticache.exceptions import (
    InvalidParameterCombinationException,
    InvalidParameterValueException,
)
from moto.elasticache.models import ElastiCacheBackend
from moto.elasticache.responses import ElastiCacheResponse

from sandbox.services.elasticache.models import DEFAULT_ENGINE_VERSION, ENGINE_VERSIONS, LOG_TYPES

IDENTIFIER = re.compile(r"^[a-zA-Z](?:[a-zA-Z0-9]|-(?!-))*(?<!-)$")
NODE_TYPE = re.compile(r"^cache\.[a-z0-9]+\.[a-z0-9]+$")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY = "(mon|tue|wed|thu|fri|sat|sun)"
MAINTENANCE_WINDOW = re.compile(rf"^{_DAY}:(\d\d):(\d\d)-{_DAY}:(\d\d):(\d\d)$")
SNAPSHOT_WINDOW = re.compile(r"^(\d\d):(\d\d)-(\d\d):(\d\d)$")
TOKEN_FORBIDDEN = set('@"/')


def check_identifier(value: str, what: str, max_length: int) -> None:
    if not value or len(value) > max_length or not IDENTIFIER.match(value):
        raise InvalidParameterValueException(
            f"{what} must contain from 1 to {max_length} alphanumeric characters or hyphens; the first character "
            "must be a letter; it cannot end with a hyphen or contain two consecutive hyphens.")


def check_node_type(node_type: str | None) -> str:
    if not node_type:
        raise InvalidParameterValueException("The parameter CacheNodeType must be provided and must not be null.")
    if not NODE_TYPE.match(node_type):
        raise InvalidParameterValueException(f"Invalid Cache Node Type: {node_type}")
    return node_type


def check_engine(engine: str | None) -> None:
    if engine and engine.lower() != "redis":
        raise InvalidParameterValueException(
            f"Engine {engine} is not supported for replication groups in the sandbox; use redis.")


def check_engine_version(version: str | None) -> str:
    if version is None:
        return DEFAULT_ENGINE_VERSION
    if version not in ENGINE_VERSIONS:
        raise InvalidParameterCombinationException(f"Cannot find version {version} for redis")
    return ENGINE_VERSIONS[version]


def _minutes_of_week(day: str, hour: str, minute: str) -> int:
    return DAYS.index(day) * 1440 + int(hour) * 60 + int(minute)


def check_maintenance_window(window: str) -> str:
    window = window.lower()
    match = MAINTENANCE_WINDOW.match(window)
    if not match or int(match.group(2)) > 23 or int(match.group(5)) > 23 or int(match.group(3)) > 59 \
            or int(match.group(6)) > 59:
        raise InvalidParameterValueException(
            f"Invalid maintenance window {window}; the format is ddd:hh24:mi-ddd:hh24:mi (UTC).")
    start = _minutes_of_week(match.group(1), match.group(2), match.group(3))
    end = _minutes_of_week(match.group(4), match.group(5), match.group(6))
    if (end - start) % (7 * 1440) < 60:
        raise InvalidParameterValueException("The maintenance window must be at least 60 minutes long.")
    return window


def check_snapshot_window(window: str) -> str:
    match = SNAPSHOT_WINDOW.match(window)
    if not match or int(match.group(1)) > 23 or int(match.group(3)) > 23 or int(match.group(2)) > 59 \
            or int(match.group(4)) > 59:
        raise InvalidParameterValueException(f"Invalid snapshot window {window}; the format is hh24:mi-hh24:mi.")
    start = int(match.group(1)) * 60 + int(match.group(2))
    end = int(match.group(3)) * 60 + int(match.group(4))
    if (end - start) % 1440 < 60:
        raise InvalidParameterValueException("The snapshot window must be at least 60 minutes long.")
    return window


def check_retention(limit: int | None) -> int:
    if limit is None:
        return 0
    if not 0 <= limit <= 35:
        raise InvalidParameterValueException("SnapshotRetentionLimit must be between 0 and 35.")
    return limit


def check_token(token: str) -> None:
    if not 16 <= len(token) <= 128:
        raise InvalidParameterValueException("Passwords length must be between 16-128 characters.")
    if any(not 32 <= ord(c) <= 126 or c in TOKEN_FORBIDDEN for c in token):
        raise InvalidParameterValueException(
            "Invalid AUTH token: only printable ASCII characters are allowed, except '/', '\"' and '@'.")


def check_security_groups(backend: ElastiCacheBackend, group_ids: list[str]) -> list[str]:
    from moto.ec2.models import ec2_backends

    ec2 = ec2_backends[backend.account_id][backend.region_name]
    known = {sg.id for sg in ec2.describe_security_groups()}
    unknown = [sg for sg in group_ids if sg not in known]
    if unknown:
        raise InvalidParameterValueException(f"Some security group Ids were not recognized by EC2: {unknown}")
    return list(group_ids)


def check_kms_key(backend: ElastiCacheBackend, key_id: str) -> str:
    from moto.kms.models import kms_backends

    try:
        return kms_backends[backend.account_id][backend.region_name].describe_key(key_id).arn
    except Exception:
        raise InvalidParameterValueException(f"Invalid KMS key: {key_id}") from None


def log_request(request: dict[str, Any], current: dict[str, Any] | None) -> dict[str, Any]:
    """A validated log delivery configuration from a request entry (missing fields taken from ``current``)."""
    log_type = request.get("LogType") or (current or {}).get("LogType")
    if log_type not in LOG_TYPES:
        raise InvalidParameterValueException(f"Invalid LogType {log_type}; valid values are {', '.join(LOG_TYPES)}.")
    base = current or {}
    destination_type = request.get("DestinationType") or base.get("DestinationType")
    details = request.get("DestinationDetails") or base.get("DestinationDetails")
    log_format = request.get("LogFormat") or base.get("LogFormat")
    if destination_type not in ("cloudwatch-logs", "kinesis-firehose"):
        raise InvalidParameterValueException(
            f"Invalid DestinationType {destination_type} for {log_type}; use cloudwatch-logs or kinesis-firehose.")
    if log_format not in ("text", "json"):
        raise InvalidParameterValueException(f"Invalid LogFormat {log_format} for {log_type}; use text or json.")
    if destination_type == "cloudwatch-logs":
        if not (details or {}).get("CloudWatchLogsDetails", {}).get("LogGroup"):
            raise InvalidParameterValueException(f"DestinationDetails.CloudWatchLogsDetails.LogGroup is required "
                                                 f"for {log_type} to cloudwatch-logs.")
        details = {"CloudWatchLogsDetails": {"LogGroup": details["CloudWatchLogsDetails"]["LogGroup"]}}
    else:
        if not (details or {}).get("KinesisFirehoseDetails", {}).get("DeliveryStream"):
            raise InvalidParameterValueException(f"DestinationDetails.KinesisFirehoseDetails.DeliveryStream is "
                                                 f"required for {log_type} to kinesis-firehose.")
        details = {"KinesisFirehoseDetails": {"DeliveryStream": details["KinesisFirehoseDetails"]["DeliveryStream"]}}
    return {"LogType": log_type, "DestinationType": destination_type, "DestinationDetails": details,
            "LogFormat": log_format}


def log_types_once(requests: list[dict[str, Any]]) -> None:
    seen = [r.get("LogType") for r in requests]
    if len(seen) != len(set(seen)):
        raise InvalidParameterValueException("Each LogType may appear only once in LogDeliveryConfigurations.")


def paginate(response: ElastiCacheResponse, items: list[Any]) -> tuple[list[Any], str | None]:
    """One page of ``items`` per MaxRecords (20-100, default 100) and Marker (an offset)."""
    max_records = response._get_param("MaxRecords")
    if max_records is None:
        max_records = 100
    if not 20 <= max_records <= 100:
        raise InvalidParameterValueException("MaxRecords must be between 20 and 100.")
    marker = response._get_param("Marker")
    try:
        first = int(marker) if marker else 0
    except ValueError:
        raise InvalidParameterValueException(f"Invalid Marker: {marker}") from None
    end = first + max_records
    return items[first:end], (str(end) if end < len(items) else None)
