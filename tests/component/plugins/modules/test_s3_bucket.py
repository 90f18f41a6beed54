"""s3_bucket and s3_bucket_info against moto: creation, no-op runs, check mode, drift repaired, input refused."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from ansible_collections.openedx.data_services.plugins.modules import s3_bucket as module
from ansible_collections.openedx.data_services.plugins.modules import s3_bucket_info as info_module
from harness import REGION, run_module

NAME = "acme-test-emr-logs"
KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
POLICY = {"Version": "2012-10-17", "Statement": [{
    "Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
    "Resource": [f"arn:aws:s3:::{NAME}", f"arn:aws:s3:::{NAME}/*"],
    "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}
RULES = [{"id": "expire", "expiration_days": 90},
         {"id": "abort-incomplete-multipart-uploads", "abort_incomplete_multipart_upload_days": 7}]
ALL_BLOCKED = {"block_public_acls": True, "ignore_public_acls": True, "block_public_policy": True,
               "restrict_public_buckets": True}
GETS = ["GetPublicAccessBlock", "GetBucketOwnershipControls", "GetBucketEncryption", "GetBucketPolicy",
        "GetBucketVersioning", "GetBucketLifecycleConfiguration", "GetBucketTagging"]
STATE = {
    "name": NAME, "public_access": ALL_BLOCKED, "object_ownership": "BucketOwnerEnforced", "encryption": "aws:kms",
    "encryption_key_id": KEY, "bucket_key_enabled": True, "policy": POLICY, "versioning": True,
    "lifecycle_rules": [
        {"id": "abort-incomplete-multipart-uploads", "prefix": "", "enabled": True,
         "abort_incomplete_multipart_upload_days": 7},
        {"id": "expire", "prefix": "", "enabled": True, "expiration_days": 90}],
    "tags": {"Environment": "test"},
}


@pytest.fixture
def s3(moto: pytest.MonkeyPatch) -> Any:
    return boto3.client("s3", region_name=REGION)


def args(**overrides: Any) -> dict[str, Any]:
    return {"name": NAME, "encryption": "aws:kms", "encryption_key_id": KEY, "bucket_key_enabled": True,
            "public_access": {}, "object_ownership": "BucketOwnerEnforced", "policy": POLICY, "versioning": True,
            "lifecycle_rules": RULES, "tags": {"Environment": "test"}, **overrides}


def held(s3: Any) -> dict[str, Any]:
    """What S3 holds, read with boto3 rather than the module."""
    encryption = s3.get_bucket_encryption(Bucket=NAME)["ServerSideEncryptionConfiguration"]["Rules"][0]
    return {
        "encryption": encryption,
        "public_access": s3.get_public_access_block(Bucket=NAME)["PublicAccessBlockConfiguration"],
        "ownership": s3.get_bucket_ownership_controls(Bucket=NAME)["OwnershipControls"]["Rules"],
        "policy": json.loads(s3.get_bucket_policy(Bucket=NAME)["Policy"]),
        "versioning": s3.get_bucket_versioning(Bucket=NAME).get("Status"),
        "rules": sorted(s3.get_bucket_lifecycle_configuration(Bucket=NAME)["Rules"], key=lambda rule: rule["ID"]),
        "tags": s3.get_bucket_tagging(Bucket=NAME)["TagSet"],
    }


def test_create_makes_the_bucket_with_every_setting(s3: Any) -> None:
    run = run_module(module, args())
    assert run.result["changed"] and not run.failed
    assert run.mutating == ["CreateBucket", "PutPublicAccessBlock", "PutBucketEncryption", "PutBucketPolicy",
                            "PutBucketVersioning", "PutBucketLifecycleConfiguration", "PutBucketTagging"]
    assert run.request("CreateBucket") == {"Bucket": NAME, "ObjectOwnership": "BucketOwnerEnforced"}
    assert {key: value for key, value in run.result.items() if key in STATE} == STATE
    assert held(s3) == {
        "encryption": {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": KEY},
                       "BucketKeyEnabled": True},
        "public_access": {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
                          "RestrictPublicBuckets": True},
        "ownership": [{"ObjectOwnership": "BucketOwnerEnforced"}],
        "policy": POLICY,
        "versioning": "Enabled",
        "rules": [{"ID": "abort-incomplete-multipart-uploads", "Filter": {"Prefix": ""}, "Status": "Enabled",
                   "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7}},
                  {"ID": "expire", "Filter": {"Prefix": ""}, "Status": "Enabled", "Expiration": {"Days": 90}}],
        "tags": [{"Key": "Environment", "Value": "test"}],
    }


def test_a_run_with_nothing_to_change_reads_each_setting_once(s3: Any) -> None:
    run_module(module, args())
    again = run_module(module, args(), diff=True)
    assert (again.result["changed"], again.mutating, again.reads) == (False, [], ["HeadBucket", *GETS])
    assert again.result["diff"]["before"] == again.result["diff"]["after"] == STATE


def test_check_mode_predicts_a_new_bucket_without_a_change(s3: Any) -> None:
    check = run_module(module, args(), check_mode=True, diff=True)
    assert check.result["changed"] and check.mutating == [] and check.reads == ["HeadBucket"]
    assert check.result["diff"] == {"before": {}, "after": STATE}
    assert s3.list_buckets()["Buckets"] == []
    created = run_module(module, args())
    assert {key: value for key, value in created.result.items() if key in STATE} == STATE


def test_settings_changed_out_of_band_show_in_check_mode_and_are_put_back(s3: Any) -> None:
    run_module(module, args())
    s3.delete_public_access_block(Bucket=NAME)
    s3.put_bucket_encryption(Bucket=NAME, ServerSideEncryptionConfiguration={"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]})
    s3.delete_bucket_policy(Bucket=NAME)
    s3.put_bucket_versioning(Bucket=NAME, VersioningConfiguration={"Status": "Suspended"})
    s3.put_bucket_lifecycle_configuration(Bucket=NAME, LifecycleConfiguration={"Rules": [
        {"ID": "expire", "Filter": {"Prefix": ""}, "Status": "Enabled", "Expiration": {"Days": 90},
         "Transitions": [{"Days": 30, "StorageClass": "GLACIER"}]}]})
    s3.put_bucket_tagging(Bucket=NAME, Tagging={"TagSet": [{"Key": "Owner", "Value": "someone"}]})

    check = run_module(module, args(), check_mode=True, diff=True)
    assert check.result["changed"] and check.mutating == []
    before = check.result["diff"]["before"]
    assert before["public_access"] == dict.fromkeys(ALL_BLOCKED, False)
    assert (before["encryption"], before["encryption_key_id"], before["policy"], before["versioning"]) == (
        "AES256", None, None, False)
    assert before["lifecycle_rules"] == [{"id": "expire", "prefix": "", "enabled": True, "expiration_days": 90,
                                          "other": {"transitions": [{"days": 30, "storage_class": "GLACIER"}]}}]
    assert check.result["diff"]["after"] == STATE

    repaired = run_module(module, args())
    assert repaired.mutating == ["PutPublicAccessBlock", "PutBucketEncryption", "PutBucketPolicy",
                                 "PutBucketVersioning", "PutBucketLifecycleConfiguration", "PutBucketTagging"]
    assert not run_module(module, args()).result["changed"]


def test_unset_options_are_neither_read_nor_changed(s3: Any) -> None:
    run_module(module, args())
    s3.delete_bucket_policy(Bucket=NAME)
    run = run_module(module, {"name": NAME, "tags": {"Environment": "test"}})
    assert (run.result["changed"], run.reads) == (False, ["HeadBucket", "GetBucketTagging"])
    assert run.result == {"changed": False, "name": NAME, "tags": {"Environment": "test"},
                          "diff": {"before": {"name": NAME, "tags": {"Environment": "test"}},
                                   "after": {"name": NAME, "tags": {"Environment": "test"}}}}


def test_versioning_false_suspends_it_only_where_it_is_on(s3: Any) -> None:
    run = run_module(module, {"name": NAME, "versioning": False})
    assert run.mutating == ["CreateBucket"]
    assert "Status" not in s3.get_bucket_versioning(Bucket=NAME)
    run_module(module, {"name": NAME, "versioning": True})
    suspended = run_module(module, {"name": NAME, "versioning": False})
    assert suspended.mutating == ["PutBucketVersioning"]
    assert s3.get_bucket_versioning(Bucket=NAME)["Status"] == "Suspended"
    assert not run_module(module, {"name": NAME, "versioning": False}).result["changed"]


def test_empty_policy_rules_and_tags_remove_them(s3: Any) -> None:
    run_module(module, args())
    run = run_module(module, {"name": NAME, "policy": {}, "lifecycle_rules": [], "tags": {}})
    assert run.mutating == ["DeleteBucketPolicy", "DeleteBucketLifecycle", "DeleteBucketTagging"]
    assert (run.result["policy"], run.result["lifecycle_rules"], run.result["tags"]) == (None, [], {})
    assert not run_module(module, {"name": NAME, "policy": {}, "lifecycle_rules": [], "tags": {}}).result["changed"]


def test_bucket_keys_and_key_are_kept_when_unset(s3: Any) -> None:
    run_module(module, args())
    run = run_module(module, {"name": NAME, "encryption": "aws:kms"})
    assert (run.result["changed"], run.result["encryption_key_id"], run.result["bucket_key_enabled"]) == (
        False, KEY, True)
    aes = run_module(module, {"name": NAME, "encryption": "AES256"})
    assert aes.mutating == ["PutBucketEncryption"]
    assert (aes.result["encryption_key_id"], aes.result["bucket_key_enabled"]) == (None, False)


def test_a_key_named_by_alias_is_the_key_the_bucket_holds_by_arn(s3: Any) -> None:
    kms = boto3.client("kms", region_name=REGION)
    key = kms.create_key()["KeyMetadata"]
    kms.create_alias(AliasName="alias/analytics", TargetKeyId=key["KeyId"])
    run_module(module, args(encryption_key_id=key["Arn"]))
    run = run_module(module, args(encryption_key_id="alias/analytics"))
    assert (run.result["changed"], run.mutating) == (False, [])
    assert "DescribeKey" in run.reads
    other = kms.create_key()["KeyMetadata"]["Arn"]
    changed = run_module(module, args(encryption_key_id=other))
    assert changed.mutating == ["PutBucketEncryption"] and changed.result["encryption_key_id"] == other


def test_absent_deletes_the_bucket_once(s3: Any) -> None:
    run_module(module, args())
    run = run_module(module, {"name": NAME, "state": "absent"}, diff=True)
    assert run.result["changed"] and run.mutating == ["DeleteBucket"] and run.reads == ["HeadBucket"]
    assert run.result["diff"] == {"before": {"name": NAME}, "after": {}}
    assert s3.list_buckets()["Buckets"] == []
    assert not run_module(module, {"name": NAME, "state": "absent"}).result["changed"]


@pytest.mark.parametrize(("overrides", "message"), [
    ({"encryption": "AES256"}, "encryption_key_id requires encryption=aws:kms; bucket_key_enabled requires"),
    ({"lifecycle_rules": [{"id": "a", "expiration_days": 1}, {"id": "a", "expiration_days": 2}]},
     "lifecycle_rules IDs must be unique; repeated: a"),
    ({"lifecycle_rules": [{"id": "nothing"}]}, "lifecycle rule 'nothing' needs expiration_days or"),
    ({"lifecycle_rules": [{"id": "x", "expiration_days": 0}]}, "expiration_days must be a positive number"),
    ({"lifecycle_rules": [{"id": "", "expiration_days": 1}]}, "lifecycle rule IDs are 1 to 255 characters"),
    ({"policy": "{not json"}, "policy must be a JSON object (a bucket policy document)"),
    ({"policy": "[]"}, "policy must be a JSON object (a bucket policy document)"),
])
def test_bad_options_fail_before_any_call(s3: Any, overrides: dict[str, Any], message: str) -> None:
    run = run_module(module, args(**overrides))
    assert run.failed and message in run.result["msg"] and run.calls == []


def test_info_reads_every_setting_or_says_the_bucket_is_missing(s3: Any) -> None:
    missing = run_module(info_module, {"name": NAME})
    assert missing.result == {"changed": False, "exists": False, "bucket": {}}
    assert missing.reads == ["HeadBucket"]
    s3.create_bucket(Bucket=NAME)
    plain = run_module(info_module, {"name": NAME}, check_mode=True)
    assert plain.result["bucket"] == {
        "name": NAME, "public_access": dict.fromkeys(ALL_BLOCKED, False), "object_ownership": None,
        "encryption": None, "encryption_key_id": None, "bucket_key_enabled": False, "policy": None,
        "versioning": False, "lifecycle_rules": [], "tags": {}}
    run_module(module, args())
    assert run_module(info_module, {"name": NAME}).result["bucket"] == STATE
