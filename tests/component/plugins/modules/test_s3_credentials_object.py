"""s3_credentials_object against moto: the file's content and key, idempotence by content (not ETag), check mode,
rewrites on a rotated password or another key, deletion of every version, and the password nowhere but in S3."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest
from ansible_collections.openedx.data_services.plugins.modules import s3_credentials_object as module
from harness import assert_no_secret, run_module

BUCKET = "acme-test-analytics"
OBJECT = "config/edxapp_creds"
PASSWORD = "Edxapp-Ro-Passw0rd-Never-Shown-42"


@pytest.fixture
def s3(moto):
    client = boto3.client("s3", region_name="us-east-1")
    client.create_bucket(Bucket=BUCKET)
    client.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    return client


@pytest.fixture
def keys(moto):
    kms = boto3.client("kms", region_name="us-east-1")
    return [kms.create_key(Description=f"key {i}")["KeyMetadata"]["Arn"] for i in range(2)]


@pytest.fixture
def secret(moto):
    client = boto3.client("secretsmanager", region_name="us-east-1")
    value = {"username": "edxapp_ro", "password": PASSWORD, "engine": "mysql", "host": "edxapp.db.internal",
             "port": 3306, "dbname": ""}
    arn = client.create_secret(Name="openedx/test/mysql/edxapp_ro", SecretString=json.dumps(value))["ARN"]

    def rotate(password: str) -> None:
        client.put_secret_value(SecretId=arn, SecretString=json.dumps({**value, "password": password}))

    return arn, rotate


@pytest.fixture
def put(calls, s3, keys, secret):
    """Run the module for the edxapp credentials unless told otherwise, recording only its own calls."""

    def run(check_mode=False, **args):
        calls.clear()
        args = {"bucket": BUCKET, "object": OBJECT, "secret_id": secret[0], "host": "edxapp.db.internal",
                "port": 3306, "username": "edxapp_ro", "kms_key_id": keys[0], **args}
        return run_module(module, {k: v for k, v in args.items() if v is not None}, check_mode=check_mode,
                          diff=True, printed=True)

    return run


def stored(s3):
    response = s3.get_object(Bucket=BUCKET, Key=OBJECT)
    return json.loads(response["Body"].read()), response.get("ServerSideEncryption"), response.get("SSEKMSKeyId")


def test_writes_the_pipelines_json_encrypted_with_the_key(put, calls, s3, keys):
    run = put()
    assert not run.failed, run.result
    assert run.result["changed"] and calls.mutating == ["PutObject"]
    request = calls.request("PutObject")
    assert request["ServerSideEncryption"] == "aws:kms" and request["SSEKMSKeyId"] == keys[0]
    assert request["ContentType"] == "application/json"
    content, encryption, key = stored(s3)
    assert content == {"host": "edxapp.db.internal", "port": "3306", "username": "edxapp_ro", "password": PASSWORD}
    assert isinstance(content["port"], str) and encryption == "aws:kms" and key == keys[0]
    assert run.result["url"] == f"s3://{BUCKET}/{OBJECT}" and run.result["kms_key_id"] == keys[0]
    assert run.result["credential"] == {"host": "edxapp.db.internal", "port": "3306", "username": "edxapp_ro"}
    assert run.result["version_id"]
    assert run.result["diff"]["after"]["password"] == "********"
    assert_no_secret(run.result, PASSWORD)


def test_a_second_run_reads_twice_and_writes_nothing(put, calls):
    put()
    again = put()
    assert not again.failed and again.result["changed"] is False
    assert calls.mutating == [] and calls.reads == ["GetSecretValue", "GetObject"]
    assert again.result["diff"]["before"] == again.result["diff"]["after"]


def test_check_mode_reads_and_writes_nothing(put, calls, s3):
    first = put(check_mode=True)
    assert first.result["changed"] and calls.mutating == []
    assert "Versions" not in s3.list_object_versions(Bucket=BUCKET, Prefix=OBJECT)
    put()
    converged = put(check_mode=True)
    assert converged.result["changed"] is False and calls.mutating == []


def test_check_mode_before_the_bucket_exists_reads_as_to_write(put, calls, secret, keys):
    run = put(check_mode=True, bucket="acme-test-not-yet")
    assert not run.failed, run.result
    assert run.result["changed"] and calls.mutating == []
    failed = put(bucket="acme-test-not-yet")
    assert failed.failed and "NoSuchBucket" in failed.result["msg"]
    assert f"s3://acme-test-not-yet/{OBJECT}" in failed.result["msg"]
    assert_no_secret(failed.result, PASSWORD)


def test_a_rotated_password_is_written_again(put, calls, secret, s3):
    put()
    secret[1]("Rotated-Passw0rd-For-Edxapp-Ro-77")
    run = put()
    assert run.result["changed"] and calls.mutating == ["PutObject"]
    assert run.result["diff"]["after"]["password"] == "******** (changed)"
    assert stored(s3)[0]["password"] == "Rotated-Passw0rd-For-Edxapp-Ro-77"
    assert_no_secret(run.result, PASSWORD, "Rotated-Passw0rd-For-Edxapp-Ro-77")


@pytest.mark.parametrize("encryption", [{"ServerSideEncryption": "AES256"}, "other key", {}])
def test_the_same_body_under_another_encryption_is_written_again(put, calls, s3, keys, encryption):
    put()
    body = s3.get_object(Bucket=BUCKET, Key=OBJECT)["Body"].read()
    if encryption == "other key":
        encryption = {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": keys[1]}
    s3.put_object(Bucket=BUCKET, Key=OBJECT, Body=body, **encryption)
    run = put()
    assert run.result["changed"] and calls.mutating == ["PutObject"]
    assert stored(s3)[1:] == ("aws:kms", keys[0])


def test_a_changed_host_or_port_is_written_again(put, s3):
    put()
    assert put(host="edxapp-replica.db.internal", port=13306).result["changed"]
    assert stored(s3)[0] == {"host": "edxapp-replica.db.internal", "port": "13306", "username": "edxapp_ro",
                             "password": PASSWORD}


def test_absent_deletes_every_version(put, calls, s3, secret):
    put()
    secret[1]("Rotated-Passw0rd-For-Edxapp-Ro-77")
    put()
    assert len(s3.list_object_versions(Bucket=BUCKET, Prefix=OBJECT)["Versions"]) == 2
    checked = put(check_mode=True, state="absent")
    assert checked.result["changed"] and checked.result["deleted_versions"] == 2 and calls.mutating == []
    run = put(state="absent")
    assert run.result["changed"] and calls.mutating == ["DeleteObjects"]
    listing = s3.list_object_versions(Bucket=BUCKET, Prefix=OBJECT)
    assert "Versions" not in listing and "DeleteMarkers" not in listing
    again = put(state="absent")
    assert again.result["changed"] is False and calls.mutating == []


def test_bad_input_fails_before_any_aws_call(put, calls):
    run = put(bucket="Not_A_Bucket", port=0)
    assert run.failed and calls.calls == []
    assert "bucket must be" in run.result["msg"] and "port must be" in run.result["msg"]


def test_a_secret_without_a_password_fails_naming_it_only(put, calls, moto):
    client = boto3.client("secretsmanager", region_name="us-east-1")
    arn = client.create_secret(Name="openedx/test/broken", SecretString=json.dumps({"username": "u"}))["ARN"]
    run = put(secret_id=arn)
    assert run.failed and "openedx/test/broken" in run.result["msg"] and calls.mutating == []


def test_the_password_is_never_on_local_disk(put, tmp_path):
    put()
    put()
    for path in Path(tmp_path).rglob("*"):
        if path.is_file():
            assert PASSWORD.encode() not in path.read_bytes(), path
