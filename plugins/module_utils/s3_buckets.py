# Copyright: Open edX data services maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Amazon S3 bucket calls of the s3_bucket modules, and a bucket's settings in the modules' option names.

Each setting is read with its own call; a bucket without the setting answers an error code of its own, read here as
the setting's absence. Errors are raised as ``AnsibleS3BucketError``, which the modules turn into
``fail_json_aws_error``. Retries are botocore's (module_utils/modules.py).
"""

from __future__ import annotations

import json
from typing import Any

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict
from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.tagging import (
    ansible_dict_to_boto3_tag_list,
    boto3_tag_list_to_ansible_dict,
)
from ansible_collections.openedx.data_services.plugins.module_utils.common import kms_key_arn

PUBLIC_ACCESS_SETTINGS = {
    "block_public_acls": "BlockPublicAcls",
    "ignore_public_acls": "IgnorePublicAcls",
    "block_public_policy": "BlockPublicPolicy",
    "restrict_public_buckets": "RestrictPublicBuckets",
}
# Every setting the modules know, in the order they are read and applied.
SETTINGS = ("public_access", "object_ownership", "encryption", "policy", "versioning", "lifecycle_rules", "tags")
# The keys of the state a setting reads into, where they are not the setting's own name.
_STATE_KEYS = {"encryption": ("encryption", "encryption_key_id", "bucket_key_enabled")}
# HeadBucket answers a bare status code.
_MISSING_BUCKET = ("404", "NoSuchBucket", "NotFound")


class AnsibleS3BucketError(AnsibleAWSError):
    pass


class S3BucketErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleS3BucketError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code(list(_MISSING_BUCKET))


# --- lifecycle rules in option names ------------------------------------------------------------------------


def rule_state(rule: dict[str, Any]) -> dict[str, Any]:
    """A lifecycle rule as S3 holds it, in the option's names. What the option cannot say (transitions, filters on
    tags or sizes, expiry on a date...) is kept under ``other``, so that it differs from any rule the option asks for.
    """
    rule = dict(rule)
    state: dict[str, Any] = {"id": rule.pop("ID", None), "enabled": rule.pop("Status", "") == "Enabled"}
    rule_filter = dict(rule.pop("Filter", None) or {})
    state["prefix"] = rule_filter.pop("Prefix", rule.pop("Prefix", ""))
    expiration = dict(rule.pop("Expiration", None) or {})
    if "Days" in expiration:
        state["expiration_days"] = expiration.pop("Days")
    abort = dict(rule.pop("AbortIncompleteMultipartUpload", None) or {})
    if "DaysAfterInitiation" in abort:
        state["abort_incomplete_multipart_upload_days"] = abort.pop("DaysAfterInitiation")
    other = {key: value for key, value in (("Filter", rule_filter), ("Expiration", expiration),
                                           ("AbortIncompleteMultipartUpload", abort)) if value}
    other.update(rule)
    if other:
        state["other"] = camel_dict_to_snake_dict(other)
    return state


def rule_option(rule: dict[str, Any]) -> dict[str, Any]:
    """A rule of the option as ``rule_state`` reads it back: unset days left out."""
    return {key: value for key, value in rule.items() if value is not None}


def rule_request(rule: dict[str, Any]) -> dict[str, Any]:
    """A rule of the option as PutBucketLifecycleConfiguration takes it."""
    request: dict[str, Any] = {"ID": rule["id"], "Filter": {"Prefix": rule["prefix"]},
                               "Status": "Enabled" if rule["enabled"] else "Disabled"}
    if rule.get("expiration_days") is not None:
        request["Expiration"] = {"Days": rule["expiration_days"]}
    abort_days = rule.get("abort_incomplete_multipart_upload_days")
    if abort_days is not None:
        request["AbortIncompleteMultipartUpload"] = {"DaysAfterInitiation": abort_days}
    return request


def sorted_rules(rules: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rules in a stable order: S3 does not keep the order they were put in."""
    return sorted(rules, key=lambda rule: str(rule.get("id")))


# --- reads --------------------------------------------------------------------------------------------------


@S3BucketErrorHandler.list_error_handler("read bucket", False)
def bucket_exists(client, name: str) -> bool:
    """Whether the bucket exists; one that these credentials may not read (another account's) fails."""
    try:
        client.head_bucket(Bucket=name)
    except is_boto3_error_code("403") as e:
        raise AnsibleS3BucketError(
            message=f"Bucket {name} exists but these credentials may not read it: it belongs to another account "
                    f"(bucket names are global across all AWS accounts: choose another) or this account's policies "
                    f"refuse s3:ListBucket on it",
            exception=e) from e
    return True


def _read(client, method: str, name: str, absent: str) -> dict[str, Any] | None:
    try:
        return getattr(client, method)(Bucket=name)
    except is_boto3_error_code(absent):
        return None


@S3BucketErrorHandler.common_error_handler("read bucket public access block")
def get_public_access(client, name: str) -> dict[str, bool]:
    """The four settings; all off for a bucket without a public access block."""
    found = _read(client, "get_public_access_block", name, "NoSuchPublicAccessBlockConfiguration") or {}
    block = found.get("PublicAccessBlockConfiguration", {})
    return {option: bool(block.get(key)) for option, key in PUBLIC_ACCESS_SETTINGS.items()}


@S3BucketErrorHandler.common_error_handler("read bucket ownership controls")
def get_object_ownership(client, name: str) -> str | None:
    found = _read(client, "get_bucket_ownership_controls", name, "OwnershipControlsNotFoundError")
    rules = (found or {}).get("OwnershipControls", {}).get("Rules", [])
    return rules[0]["ObjectOwnership"] if rules else None


@S3BucketErrorHandler.common_error_handler("read bucket encryption")
def get_encryption(client, name: str) -> dict[str, Any]:
    """``encryption``, ``encryption_key_id`` and ``bucket_key_enabled``; None where the bucket has no default."""
    found = _read(client, "get_bucket_encryption", name, "ServerSideEncryptionConfigurationNotFoundError") or {}
    rules = found.get("ServerSideEncryptionConfiguration", {}).get("Rules", [])
    rule = rules[0] if rules else {}
    default = rule.get("ApplyServerSideEncryptionByDefault", {})
    return {"encryption": default.get("SSEAlgorithm"), "encryption_key_id": default.get("KMSMasterKeyID"),
            "bucket_key_enabled": bool(rule.get("BucketKeyEnabled"))}


@S3BucketErrorHandler.common_error_handler("read bucket policy")
def get_policy(client, name: str) -> dict[str, Any] | None:
    found = _read(client, "get_bucket_policy", name, "NoSuchBucketPolicy")
    return json.loads(found["Policy"]) if found else None


@S3BucketErrorHandler.common_error_handler("read bucket versioning")
def get_versioning(client, name: str) -> bool:
    """True when versioning is on; off (never set) and suspended both read False."""
    return client.get_bucket_versioning(Bucket=name).get("Status") == "Enabled"


@S3BucketErrorHandler.common_error_handler("read bucket lifecycle configuration")
def get_lifecycle_rules(client, name: str) -> list[dict[str, Any]]:
    found = _read(client, "get_bucket_lifecycle_configuration", name, "NoSuchLifecycleConfiguration") or {}
    return sorted_rules([rule_state(rule) for rule in found.get("Rules", [])])


@S3BucketErrorHandler.common_error_handler("read bucket tags")
def get_tags(client, name: str) -> dict[str, str]:
    found = _read(client, "get_bucket_tagging", name, "NoSuchTagSet") or {}
    return boto3_tag_list_to_ansible_dict(found.get("TagSet", []))


@S3BucketErrorHandler.common_error_handler("describe the KMS key of the bucket's default encryption")
def key_arn(kms_client, key_id: str) -> str:
    return kms_key_arn(kms_client, key_id)


def state_keys(settings: tuple[str, ...]) -> list[str]:
    """The keys of the state that reading ``settings`` gives."""
    return [key for setting in settings for key in _STATE_KEYS.get(setting, (setting,))]


def read_settings(client, name: str, settings: tuple[str, ...] = SETTINGS) -> dict[str, Any]:
    """The bucket's ``settings`` in option names (encryption brings encryption_key_id and bucket_key_enabled)."""
    readers = {"public_access": get_public_access, "object_ownership": get_object_ownership,
               "policy": get_policy, "versioning": get_versioning, "lifecycle_rules": get_lifecycle_rules,
               "tags": get_tags}
    state: dict[str, Any] = {}
    for setting in settings:
        if setting == "encryption":
            state.update(get_encryption(client, name))
        else:
            state[setting] = readers[setting](client, name)
    return state


# --- changes ------------------------------------------------------------------------------------------------


@S3BucketErrorHandler.common_error_handler("create bucket")
def create_bucket(client, name: str, region: str, object_ownership: str | None) -> None:
    params: dict[str, Any] = {"Bucket": name}
    # us-east-1 is the one region that refuses to be named as a location constraint.
    if region and region != "us-east-1":
        params["CreateBucketConfiguration"] = {"LocationConstraint": region}
    if object_ownership:
        params["ObjectOwnership"] = object_ownership
    client.create_bucket(**params)
    # A new bucket may not answer every call at once.
    client.get_waiter("bucket_exists").wait(Bucket=name)


@S3BucketErrorHandler.common_error_handler("delete bucket")
def delete_bucket(client, name: str) -> None:
    client.delete_bucket(Bucket=name)


@S3BucketErrorHandler.common_error_handler("put bucket public access block")
def put_public_access(client, name: str, settings: dict[str, bool]) -> None:
    client.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration={
        key: settings[option] for option, key in PUBLIC_ACCESS_SETTINGS.items()})


@S3BucketErrorHandler.common_error_handler("put bucket ownership controls")
def put_object_ownership(client, name: str, ownership: str) -> None:
    client.put_bucket_ownership_controls(Bucket=name, OwnershipControls={"Rules": [{"ObjectOwnership": ownership}]})


@S3BucketErrorHandler.common_error_handler("put bucket encryption")
def put_encryption(client, name: str, algorithm: str, key_id: str | None, bucket_key_enabled: bool) -> None:
    default: dict[str, Any] = {"SSEAlgorithm": algorithm}
    if key_id:
        default["KMSMasterKeyID"] = key_id
    client.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={"Rules": [
        {"ApplyServerSideEncryptionByDefault": default, "BucketKeyEnabled": bucket_key_enabled}]})


@S3BucketErrorHandler.common_error_handler("put bucket policy")
def put_policy(client, name: str, policy: dict[str, Any]) -> None:
    client.put_bucket_policy(Bucket=name, Policy=json.dumps(policy))


@S3BucketErrorHandler.common_error_handler("delete bucket policy")
def delete_policy(client, name: str) -> None:
    client.delete_bucket_policy(Bucket=name)


@S3BucketErrorHandler.common_error_handler("put bucket versioning")
def put_versioning(client, name: str, enabled: bool) -> None:
    client.put_bucket_versioning(Bucket=name, VersioningConfiguration={
        "Status": "Enabled" if enabled else "Suspended"})


@S3BucketErrorHandler.common_error_handler("put bucket lifecycle configuration")
def put_lifecycle_rules(client, name: str, rules: list[dict[str, Any]]) -> None:
    client.put_bucket_lifecycle_configuration(Bucket=name, LifecycleConfiguration={
        "Rules": [rule_request(rule) for rule in rules]})


@S3BucketErrorHandler.common_error_handler("delete bucket lifecycle configuration")
def delete_lifecycle_rules(client, name: str) -> None:
    client.delete_bucket_lifecycle(Bucket=name)


@S3BucketErrorHandler.common_error_handler("put bucket tags")
def put_tags(client, name: str, tags: dict[str, str]) -> None:
    # S3 replaces the whole tag set, and refuses an empty one.
    if tags:
        client.put_bucket_tagging(Bucket=name, Tagging={"TagSet": ansible_dict_to_boto3_tag_list(tags)})
    else:
        client.delete_bucket_tagging(Bucket=name)
