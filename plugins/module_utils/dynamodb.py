# Copyright: Open edX data services maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Amazon DynamoDB: the table's reads and writes, its normal form in the module's option names, and its rules.

Errors are raised as ``AnsibleDynamoDBError``, which the engine turns into ``fail_json_aws``. Retries are botocore's
(module_utils/modules.py), waiting is module_utils/resources.py's. ``problems()`` and the normal form are pure, so
that the bad-input rules are unit-tested without AWS.
"""

from __future__ import annotations

import re
from typing import Any

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.tagging import (
    ansible_dict_to_boto3_tag_list,
    boto3_tag_list_to_ansible_dict,
)
from ansible_collections.openedx.data_services.plugins.module_utils.common import sync_tags

NAME = re.compile(r"^[a-zA-Z0-9_.-]{3,255}$")
ATTRIBUTE_TYPES = ("S", "N", "B")
STREAM_VIEW_TYPES = ("KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES")
PROJECTION_TYPES = ("ALL", "KEYS_ONLY", "INCLUDE")
BILLING_MODES = ("PAY_PER_REQUEST", "PROVISIONED")
TABLE_CLASSES = ("STANDARD", "STANDARD_INFREQUENT_ACCESS")
# AWS's default quotas: 20 global secondary indexes per table (raisable), 5 local ones (fixed), 100 projected
# non-key attributes over all the indexes of a table.
MAX_GSI = 20
MAX_LSI = 5
MAX_PROJECTED = 100
MAX_CAPACITY = 40000


class AnsibleDynamoDBError(AnsibleAWSError):
    pass


class DynamoDBErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleDynamoDBError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code(["ResourceNotFoundException", "TableNotFoundException"])


# --- the rules ------------------------------------------------------------------------------------------------


def _key_problems(option: str, key: dict[str, Any] | None) -> list[str]:
    if not key:
        return []
    problems = []
    if not key.get("name") or len(key["name"]) > 255:
        problems.append(f"{option}.name must be 1 to 255 characters, got {key.get('name')!r}.")
    return problems


def problems(params: dict[str, Any]) -> list[str]:
    """Everything wrong with the module's parameters that argument_spec cannot say, before any AWS call."""
    found: list[str] = []
    if not NAME.match(params["name"] or ""):
        found.append(f"name must be 3 to 255 characters among a-z, A-Z, 0-9, _, - and ., got {params['name']!r}.")
    if params.get("state") == "absent":
        return found
    found += _key_problems("partition_key", params.get("partition_key"))
    found += _key_problems("sort_key", params.get("sort_key"))
    provisioned = params.get("billing_mode") == "PROVISIONED"
    for option in ("read_capacity", "write_capacity"):
        value = params.get(option)
        if provisioned and value is None:
            found.append(f"{option} is required with billing_mode PROVISIONED (1 to {MAX_CAPACITY}).")
        elif provisioned and not 1 <= value <= MAX_CAPACITY:
            found.append(f"{option} must be 1 to {MAX_CAPACITY}, got {value}.")
        elif not provisioned and value is not None:
            found.append(f"{option} is only allowed with billing_mode PROVISIONED (on-demand tables have no "
                         f"provisioned throughput).")
    gsis = params.get("global_indexes") or []
    lsis = params.get("local_indexes") or []
    if len(gsis) > MAX_GSI:
        found.append(f"global_indexes holds {len(gsis)} indexes; a table has at most {MAX_GSI}.")
    if len(lsis) > MAX_LSI:
        found.append(f"local_indexes holds {len(lsis)} indexes; a table has at most {MAX_LSI}.")
    if lsis and not params.get("sort_key"):
        found.append("local_indexes need the table to have a sort_key (a local index shares its partition key).")
    names = [index["name"] for index in gsis + lsis]
    for duplicate in sorted({n for n in names if names.count(n) > 1}):
        found.append(f"index name {duplicate!r} is used twice; index names are unique within a table.")
    projected = 0
    for option, indexes in (("global_indexes", gsis), ("local_indexes", lsis)):
        for index in indexes:
            where = f"{option}[{index['name']}]"
            if not NAME.match(index["name"] or ""):
                found.append(f"{where}.name must be 3 to 255 characters among a-z, A-Z, 0-9, _, - and ..")
            found += _key_problems(f"{where}.partition_key", index.get("partition_key"))
            found += _key_problems(f"{where}.sort_key", index.get("sort_key"))
            extra = index.get("non_key_attributes") or []
            if index.get("projection") == "INCLUDE" and not extra:
                found.append(f"{where}.non_key_attributes is required with projection INCLUDE.")
            if index.get("projection") != "INCLUDE" and extra:
                found.append(f"{where}.non_key_attributes is only allowed with projection INCLUDE.")
            projected += len(extra)
            if option == "global_indexes":
                for capacity in ("read_capacity", "write_capacity"):
                    value = index.get(capacity)
                    if provisioned and value is None:
                        found.append(f"{where}.{capacity} is required with billing_mode PROVISIONED.")
                    elif provisioned and not 1 <= value <= MAX_CAPACITY:
                        found.append(f"{where}.{capacity} must be 1 to {MAX_CAPACITY}, got {value}.")
                    elif not provisioned and value is not None:
                        found.append(f"{where}.{capacity} is only allowed with billing_mode PROVISIONED.")
    if projected > MAX_PROJECTED:
        found.append(f"the indexes project {projected} non-key attributes; a table allows at most {MAX_PROJECTED}.")
    try:
        attribute_definitions(params)
    except ValueError as e:
        found.append(str(e))
    replicas = params.get("replicas") or []
    regions = [replica["region"] for replica in replicas]
    for duplicate in sorted({r for r in regions if regions.count(r) > 1}):
        found.append(f"replicas name region {duplicate} twice.")
    if replicas:
        if params.get("stream_view_type") != "NEW_AND_OLD_IMAGES":
            found.append("replicas (global tables) need stream_view_type NEW_AND_OLD_IMAGES.")
        if provisioned:
            found.append("replicas (global tables) need billing_mode PAY_PER_REQUEST here: a provisioned global "
                         "table needs write autoscaling in every region, which this module does not set up.")
    ttl = params.get("ttl_attribute")
    if ttl is not None and len(ttl) > 255:
        found.append("ttl_attribute must be at most 255 characters.")
    return found


def _keys(params: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    keys = [("partition_key", params.get("partition_key")), ("sort_key", params.get("sort_key"))]
    for option in ("global_indexes", "local_indexes"):
        for index in params.get(option) or []:
            if option == "local_indexes":
                keys.append((f"{option}[{index['name']}].partition_key", params.get("partition_key")))
            keys.append((f"{option}[{index['name']}].partition_key", index.get("partition_key")))
            keys.append((f"{option}[{index['name']}].sort_key", index.get("sort_key")))
    return [(option, key) for option, key in keys if key]


def attribute_definitions(params: dict[str, Any], indexes: list[str] | None = None) -> list[dict[str, str]]:
    """The AttributeDefinitions of the keys (the table's, and of the indexes named, all when None).

    Raises ValueError when one attribute is given two types.
    """
    types: dict[str, tuple[str, str]] = {}
    for option, key in _keys(params):
        index = option.split("[", 1)[1].split("]", 1)[0] if "[" in option else None
        if index is not None and indexes is not None and index not in indexes:
            continue
        seen = types.get(key["name"])
        if seen and seen[0] != key["type"]:
            raise ValueError(f"attribute {key['name']!r} is {seen[0]} in {seen[1]} and {key['type']} in {option}; "
                             "an attribute has one type.")
        types.setdefault(key["name"], (key["type"], option))
    return [{"AttributeName": name, "AttributeType": kind} for name, (kind, _option) in types.items()]


# --- the normal form --------------------------------------------------------------------------------------------


def key_schema(partition_key: dict[str, Any] | None, sort_key: dict[str, Any] | None) -> list[dict[str, str]]:
    schema = [{"AttributeName": partition_key["name"], "KeyType": "HASH"}]
    if sort_key:
        schema.append({"AttributeName": sort_key["name"], "KeyType": "RANGE"})
    return schema


def projection(index: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = {"ProjectionType": index["projection"]}
    if index.get("non_key_attributes"):
        result["NonKeyAttributes"] = list(index["non_key_attributes"])
    return result


def _keys_of(schema: list[dict[str, str]], types: dict[str, str]) -> tuple[dict[str, str], dict[str, str] | None]:
    hash_key = next(k["AttributeName"] for k in schema if k["KeyType"] == "HASH")
    range_key = next((k["AttributeName"] for k in schema if k["KeyType"] == "RANGE"), None)
    return ({"name": hash_key, "type": types.get(hash_key, "S")},
            {"name": range_key, "type": types.get(range_key, "S")} if range_key else None)


def _index(index: dict[str, Any], types: dict[str, str], local: bool) -> dict[str, Any]:
    partition_key, sort_key = _keys_of(index["KeySchema"], types)
    proj = index.get("Projection") or {}
    normal = {"name": index["IndexName"], "sort_key": sort_key,
              "projection": proj.get("ProjectionType", "ALL"),
              "non_key_attributes": sorted(proj.get("NonKeyAttributes") or [])}
    if not local:
        throughput = index.get("ProvisionedThroughput") or {}
        normal.update(partition_key=partition_key, status=index.get("IndexStatus", "ACTIVE"),
                      read_capacity=throughput.get("ReadCapacityUnits") or None,
                      write_capacity=throughput.get("WriteCapacityUnits") or None)
    return normal


def normalise(table: dict[str, Any], ttl: dict[str, Any], backups: dict[str, Any],
              tags: dict[str, str]) -> dict[str, Any]:
    """A table as AWS describes it, in the module's option names."""
    types = {a["AttributeName"]: a["AttributeType"] for a in table.get("AttributeDefinitions") or []}
    partition_key, sort_key = _keys_of(table["KeySchema"], types)
    billing = (table.get("BillingModeSummary") or {}).get("BillingMode") or "PROVISIONED"
    throughput = table.get("ProvisionedThroughput") or {}
    stream = table.get("StreamSpecification") or {}
    sse = table.get("SSEDescription") or {}
    pitr = ((backups.get("PointInTimeRecoveryDescription") or {}).get("PointInTimeRecoveryStatus") == "ENABLED")
    ttl_on = ttl.get("TimeToLiveStatus") in ("ENABLED", "ENABLING")
    return {
        "name": table["TableName"],
        "arn": table.get("TableArn", ""),
        "status": table.get("TableStatus", ""),
        "partition_key": partition_key,
        "sort_key": sort_key,
        "billing_mode": billing,
        "read_capacity": throughput.get("ReadCapacityUnits") if billing == "PROVISIONED" else None,
        "write_capacity": throughput.get("WriteCapacityUnits") if billing == "PROVISIONED" else None,
        "table_class": (table.get("TableClassSummary") or {}).get("TableClass") or "STANDARD",
        "global_indexes": sorted((_index(i, types, False) for i in table.get("GlobalSecondaryIndexes") or []),
                                 key=lambda i: i["name"]),
        "local_indexes": sorted((_index(i, types, True) for i in table.get("LocalSecondaryIndexes") or []),
                                key=lambda i: i["name"]),
        "ttl_attribute": ttl.get("AttributeName") if ttl_on else None,
        "stream_view_type": stream.get("StreamViewType") if stream.get("StreamEnabled") else None,
        "stream_arn": table.get("LatestStreamArn") if stream.get("StreamEnabled") else None,
        "point_in_time_recovery": pitr,
        "kms_key_id": sse.get("KMSMasterKeyArn") if sse.get("Status") in ("ENABLED", "ENABLING", "UPDATING")
        else None,
        "deletion_protection": bool(table.get("DeletionProtectionEnabled")),
        "replicas": sorted(({"region": r["RegionName"], "kms_key_id": r.get("KMSMasterKeyId"),
                             "status": r.get("ReplicaStatus", "ACTIVE")} for r in table.get("Replicas") or []),
                           key=lambda r: r["region"]),
        "tags": tags,
    }


def readiness_status(table: dict[str, Any]) -> str:
    """``active`` once the table, each of its global indexes and each replica is; else what it waits for."""
    status = (table.get("TableStatus") or "unknown").lower()
    if status != "active":
        return status
    for index in table.get("GlobalSecondaryIndexes") or []:
        if index.get("IndexStatus", "ACTIVE") != "ACTIVE":
            return f"updating, index {index['IndexName']} {index['IndexStatus'].lower()}"
    for replica in table.get("Replicas") or []:
        if replica.get("ReplicaStatus", "ACTIVE") != "ACTIVE":
            return f"updating, replica {replica['RegionName']} {replica['ReplicaStatus'].lower()}"
    return "active"


# --- the calls ------------------------------------------------------------------------------------------------


@DynamoDBErrorHandler.list_error_handler("describe DynamoDB table", None)
def describe_table(client, name: str) -> dict[str, Any] | None:
    return client.describe_table(TableName=name)["Table"]


@DynamoDBErrorHandler.common_error_handler("describe DynamoDB time to live")
def describe_ttl(client, name: str) -> dict[str, Any]:
    return client.describe_time_to_live(TableName=name).get("TimeToLiveDescription") or {}


@DynamoDBErrorHandler.common_error_handler("describe DynamoDB continuous backups")
def describe_backups(client, name: str) -> dict[str, Any]:
    return client.describe_continuous_backups(TableName=name).get("ContinuousBackupsDescription") or {}


@DynamoDBErrorHandler.common_error_handler("list DynamoDB tags")
def list_tags(client, arn: str) -> dict[str, str]:
    tags: list[dict[str, str]] = []
    params = {"ResourceArn": arn}
    while True:
        page = client.list_tags_of_resource(**params)
        tags += page.get("Tags") or []
        if not page.get("NextToken"):
            return boto3_tag_list_to_ansible_dict(tags)
        params["NextToken"] = page["NextToken"]


@DynamoDBErrorHandler.common_error_handler("update DynamoDB tags")
def update_tags(client, arn: str, current: dict[str, str], desired: dict[str, str] | None, purge: bool,
                check_mode: bool) -> bool:
    return sync_tags(current, desired, purge, check_mode,
                     lambda add: client.tag_resource(ResourceArn=arn, Tags=ansible_dict_to_boto3_tag_list(add)),
                     lambda keys: client.untag_resource(ResourceArn=arn, TagKeys=keys))


@DynamoDBErrorHandler.common_error_handler("create DynamoDB table")
def create_table(client, **params: Any) -> dict[str, Any]:
    return client.create_table(**params)["TableDescription"]


@DynamoDBErrorHandler.common_error_handler("update DynamoDB table")
def update_table(client, **params: Any) -> dict[str, Any]:
    return client.update_table(**params)["TableDescription"]


@DynamoDBErrorHandler.common_error_handler("update DynamoDB time to live")
def update_ttl(client, name: str, attribute: str, enabled: bool) -> None:
    client.update_time_to_live(TableName=name,
                               TimeToLiveSpecification={"Enabled": enabled, "AttributeName": attribute})


@DynamoDBErrorHandler.common_error_handler("update DynamoDB point-in-time recovery")
def update_pitr(client, name: str, enabled: bool) -> None:
    client.update_continuous_backups(TableName=name,
                                     PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": enabled})


@DynamoDBErrorHandler.common_error_handler("delete DynamoDB table")
def delete_table(client, name: str) -> None:
    client.delete_table(TableName=name)
