# Copyright: Open edX data services maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""AWS KMS calls of the kms_key module, and the checks of its input that need no AWS call.

Errors are raised as ``AnsibleKMSError``, which the engine turns into ``fail_json_aws``. Retries are botocore's
(module_utils/modules.py).
"""

from __future__ import annotations

import json
import re
from typing import Any

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.tagging import (
    ansible_dict_to_boto3_tag_list,
    boto3_tag_list_to_ansible_dict,
)
from ansible_collections.openedx.data_services.plugins.module_utils.common import parse_policy as parse_policy_document
from ansible_collections.openedx.data_services.plugins.module_utils.common import sync_tags

KEY_SPEC = "SYMMETRIC_DEFAULT"
KEY_USAGE = "ENCRYPT_DECRYPT"
ALIAS_PREFIX = "alias/"
# AliasName, prefix included: 1-256 characters of these; alias/aws/ is reserved for AWS managed keys.
ALIAS_MAX_LENGTH = 256
ALIAS_CHARACTERS = re.compile(r"^[A-Za-z0-9/_-]+$")
PENDING_WINDOW_DAYS = (7, 30)


class AnsibleKMSError(AnsibleAWSError):
    pass


class KMSErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleKMSError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("NotFoundException")


# --- input --------------------------------------------------------------------------------------------------


def alias_name(alias: str) -> str:
    """``alias`` with the ``alias/`` prefix AWS wants."""
    return alias if alias.startswith(ALIAS_PREFIX) else ALIAS_PREFIX + alias


def alias_problem(alias: str) -> str | None:
    """Why AWS would refuse ``alias`` as the alias of a customer-managed key."""
    name = alias_name(alias)
    body = name[len(ALIAS_PREFIX):]
    if body and len(name) <= ALIAS_MAX_LENGTH and ALIAS_CHARACTERS.match(body) and not body.startswith("aws/"):
        return None
    return (f"alias must be alias/ followed by 1 to {ALIAS_MAX_LENGTH - len(ALIAS_PREFIX)} letters, digits, '/', "
            f"'_' or '-' (the alias/ prefix may be left out), and must not start with alias/aws/ (reserved for AWS "
            f"managed keys); got {alias!r}.")


def pending_window_problem(days: int) -> str | None:
    low, high = PENDING_WINDOW_DAYS
    if low <= days <= high:
        return None
    return f"pending_window must be between {low} and {high} (days); got {days}."


def parse_policy(policy: str | None) -> tuple[dict[str, Any] | None, str | None]:
    """The key policy as a dict, or why it is not one."""
    return parse_policy_document(policy, "key policy")


# --- reads --------------------------------------------------------------------------------------------------


@KMSErrorHandler.list_error_handler("describe KMS key")
def describe_key(client, key_id: str) -> dict[str, Any] | None:
    """The key's metadata, or None when ``key_id`` (here: an alias name) names no key."""
    return client.describe_key(KeyId=key_id)["KeyMetadata"]


@KMSErrorHandler.common_error_handler("get KMS key rotation status")
def rotation_enabled(client, key_id: str) -> bool:
    return bool(client.get_key_rotation_status(KeyId=key_id).get("KeyRotationEnabled"))


@KMSErrorHandler.common_error_handler("get KMS key policy")
def key_policy(client, key_id: str) -> dict[str, Any]:
    # A key has exactly one policy, named "default".
    return json.loads(client.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"])


@KMSErrorHandler.common_error_handler("list KMS key tags")
def list_tags(client, key_id: str) -> dict[str, str]:
    tags = client.get_paginator("list_resource_tags").paginate(KeyId=key_id).build_full_result()["Tags"]
    return boto3_tag_list_to_ansible_dict(tags, "TagKey", "TagValue")


# --- changes ------------------------------------------------------------------------------------------------


@KMSErrorHandler.common_error_handler("create KMS key")
def create_key(client, description: str | None, policy: dict[str, Any] | None,
               tags: dict[str, str] | None) -> dict[str, Any]:
    params: dict[str, Any] = {"KeyUsage": KEY_USAGE, "KeySpec": KEY_SPEC}
    if description is not None:
        params["Description"] = description
    if policy is not None:
        params["Policy"] = json.dumps(policy)
    if tags:
        params["Tags"] = ansible_dict_to_boto3_tag_list(tags, "TagKey", "TagValue")
    return client.create_key(**params)["KeyMetadata"]


@KMSErrorHandler.common_error_handler("create KMS alias")
def create_alias(client, alias: str, key_id: str) -> None:
    client.create_alias(AliasName=alias, TargetKeyId=key_id)


@KMSErrorHandler.deletion_error_handler("delete KMS alias")
def delete_alias(client, alias: str) -> bool:
    client.delete_alias(AliasName=alias)
    return True


@KMSErrorHandler.common_error_handler("cancel KMS key deletion")
def cancel_key_deletion(client, key_id: str) -> None:
    client.cancel_key_deletion(KeyId=key_id)


@KMSErrorHandler.common_error_handler("enable KMS key")
def enable_key(client, key_id: str) -> None:
    client.enable_key(KeyId=key_id)


@KMSErrorHandler.common_error_handler("schedule KMS key deletion")
def schedule_key_deletion(client, key_id: str, pending_window: int) -> None:
    client.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=pending_window)


@KMSErrorHandler.common_error_handler("update KMS key description")
def update_key_description(client, key_id: str, description: str) -> None:
    client.update_key_description(KeyId=key_id, Description=description)


@KMSErrorHandler.common_error_handler("put KMS key policy")
def put_key_policy(client, key_id: str, policy: dict[str, Any]) -> None:
    client.put_key_policy(KeyId=key_id, PolicyName="default", Policy=json.dumps(policy))


@KMSErrorHandler.common_error_handler("change KMS key rotation")
def set_rotation(client, key_id: str, enabled: bool) -> None:
    if enabled:
        client.enable_key_rotation(KeyId=key_id)
    else:
        client.disable_key_rotation(KeyId=key_id)


@KMSErrorHandler.common_error_handler("update KMS key tags")
def update_tags(client, key_id: str, current: dict[str, str], desired: dict[str, str] | None, purge: bool,
                check_mode: bool) -> bool:
    return sync_tags(
        current, desired, purge, check_mode,
        add=lambda tags: client.tag_resource(KeyId=key_id, Tags=ansible_dict_to_boto3_tag_list(tags, "TagKey",
                                                                                               "TagValue")),
        remove=lambda keys: client.untag_resource(KeyId=key_id, TagKeys=keys),
    )
