# Copyright: Open edX data services maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Amazon CloudWatch Logs calls of the cloudwatchlogs_* modules, and what they need to know about log groups.

Errors are raised as ``AnsibleLogsError``, which the modules turn into ``fail_json_aws_error``. Retries are
botocore's (module_utils/modules.py).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

# Every value PutRetentionPolicy accepts (CloudWatch Logs API reference, the Days type).
RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
                  3653)
# What CreateLogGroup accepts as logGroupName.
LOG_GROUP_NAME = re.compile(r"[.\-_/#A-Za-z0-9]{1,512}")


class AnsibleLogsError(AnsibleAWSError):
    pass


class LogsErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleLogsError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("ResourceNotFoundException")


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a log group's name (None when it can)."""
    if LOG_GROUP_NAME.fullmatch(name):
        return None
    return (f"{name!r} is not a log group name: 1 to 512 characters, each a letter, a digit or one of . - _ / # "
            f"(got {len(name)} characters)")


def common_prefix(names: Iterable[str]) -> str:
    """The longest prefix every name starts with, character by character ("" for no names)."""
    names = list(names)
    if not names:
        return ""
    first, last = min(names), max(names)
    length = 0
    while length < min(len(first), len(last)) and first[length] == last[length]:
        length += 1
    return first[:length]


def group_arn(group: dict[str, Any]) -> str:
    """The log group's ARN as the tagging calls take it: without the ``:*`` DescribeLogGroups' ``arn`` ends with."""
    arn = group.get("logGroupArn") or group["arn"]
    return arn[:-2] if arn.endswith(":*") else arn


@LogsErrorHandler.list_error_handler("describe log groups", [])
def describe_log_groups(client, prefix: str, names: Iterable[str]) -> list[dict[str, Any]]:
    """The groups named in ``names`` among those whose name starts with ``prefix``.

    Pages stop being read once every name has been found.
    """
    wanted = set(names)
    found = []
    for page in client.get_paginator("describe_log_groups").paginate(logGroupNamePrefix=prefix):
        found += [group for group in page.get("logGroups", []) if group["logGroupName"] in wanted]
        if len(found) == len(wanted):
            break
    return found


@LogsErrorHandler.list_error_handler("list log group tags", {})
def list_tags(client, arn: str) -> dict[str, str]:
    return client.list_tags_for_resource(resourceArn=arn).get("tags", {})


@LogsErrorHandler.common_error_handler("create log group")
def create_log_group(client, name: str, kms_key_id: str | None, tags: dict[str, str] | None) -> None:
    params: dict[str, Any] = {"logGroupName": name}
    if kms_key_id:
        params["kmsKeyId"] = kms_key_id
    if tags:
        params["tags"] = tags
    client.create_log_group(**params)


@LogsErrorHandler.common_error_handler("set log group retention")
def put_retention_policy(client, name: str, days: int) -> None:
    client.put_retention_policy(logGroupName=name, retentionInDays=days)


@LogsErrorHandler.common_error_handler("remove log group retention")
def delete_retention_policy(client, name: str) -> None:
    client.delete_retention_policy(logGroupName=name)


@LogsErrorHandler.common_error_handler("associate KMS key with log group")
def associate_kms_key(client, name: str, kms_key_id: str) -> None:
    client.associate_kms_key(logGroupName=name, kmsKeyId=kms_key_id)


@LogsErrorHandler.common_error_handler("tag log group")
def tag_log_group(client, arn: str, tags: dict[str, str]) -> None:
    client.tag_resource(resourceArn=arn, tags=tags)


@LogsErrorHandler.common_error_handler("untag log group")
def untag_log_group(client, arn: str, keys: list[str]) -> None:
    client.untag_resource(resourceArn=arn, tagKeys=keys)


@LogsErrorHandler.deletion_error_handler("delete log group")
def delete_log_group(client, name: str) -> bool:
    client.delete_log_group(logGroupName=name)
    return True


@LogsErrorHandler.common_error_handler("describe resource policies")
def describe_resource_policy(client, name: str) -> dict[str, Any] | None:
    """The account's resource policy ``name`` in the module's option names, or None."""
    token = None
    while True:
        page = client.describe_resource_policies(**({"nextToken": token} if token else {}))
        for policy in page.get("resourcePolicies", []):
            if policy["policyName"] == name:
                return {"policy_name": name, "policy_document": json.loads(policy["policyDocument"])}
        token = page.get("nextToken")
        if not token:
            return None


@LogsErrorHandler.common_error_handler("put resource policy")
def put_resource_policy(client, name: str, document: dict[str, Any]) -> None:
    client.put_resource_policy(policyName=name, policyDocument=json.dumps(document))


@LogsErrorHandler.deletion_error_handler("delete resource policy")
def delete_resource_policy(client, name: str) -> bool:
    client.delete_resource_policy(policyName=name)
    return True
