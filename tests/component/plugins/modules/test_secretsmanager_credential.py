"""secretsmanager_credential against moto: create, converge, never regenerate, check mode, diff, key, tags,
restore, delete, and bad input failing before any AWS call."""

from __future__ import annotations

import json

import boto3
import pytest
from ansible_collections.openedx.data_services.plugins.modules import secretsmanager_credential as module
from ansible_collections.openedx.data_services.plugins.modules.secretsmanager_credential import password_problem
from harness import run_module

NAME = "openedx/test/mysql/admin"
SUPPLIED = "Supplied-Passw0rd-From-Vault"


@pytest.fixture
def sm(moto):
    return boto3.client("secretsmanager", region_name="us-east-1")


@pytest.fixture
def kms_keys(moto):
    kms = boto3.client("kms", region_name="us-east-1")
    return [kms.create_key(Description=f"key {i}")["KeyMetadata"]["Arn"] for i in range(2)]


@pytest.fixture
def credential(calls, kms_keys):
    """Run the module with the environment key and the master user unless told otherwise."""

    def run(check_mode=False, diff=False, **args):
        calls.clear()
        args = {"name": NAME, "username": "admin", "engine": "mysql", "kms_key_id": kms_keys[0], **args}
        args = {key: value for key, value in args.items() if value is not None}
        return run_module(module, args, check_mode=check_mode, diff=diff, printed=True)

    return run


def stored(sm, name=NAME):
    return json.loads(sm.get_secret_value(SecretId=name)["SecretString"])


def test_create_generates_a_password_in_the_rds_shape(credential, calls, sm, kms_keys):
    exit_ = credential(description="Open edX mysql credential of admin (test)", tags={"environment": "test"},
                       password_max_length=41)
    result = exit_.result
    assert not exit_.failed, result
    assert result["changed"] and result["created"]
    assert calls.mutating == ["CreateSecret"]
    password = result["credential"]["password"]
    assert len(password) == 32 and password_problem(password, "database", 41) is None
    assert result["credential"] == {"username": "admin", "password": password, "engine": "mysql", "host": "",
                                    "port": 0, "dbname": ""}
    assert stored(sm) == result["credential"]
    described = sm.describe_secret(SecretId=NAME)
    assert described["KmsKeyId"] == kms_keys[0]
    assert described["Description"] == "Open edX mysql credential of admin (test)"
    assert described["Tags"] == [{"Key": "environment", "Value": "test"}]
    assert result["arn"] == described["ARN"] and result["name"] == NAME and result["version_id"]
    assert result["tags"] == {"environment": "test"} and result["kms_key_id"] == kms_keys[0]


def test_create_with_a_supplied_password_returns_it_and_never_shows_it_elsewhere(credential, sm):
    result = credential(password=SUPPLIED).result
    assert result["changed"] and result["credential"]["password"] == SUPPLIED
    assert stored(sm)["password"] == SUPPLIED
    assert result["invocation"]["module_args"]["password"] == "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"
    outside = {key: value for key, value in result.items() if key != "credential"}
    assert SUPPLIED not in json.dumps(outside, default=str)


def test_generated_password_never_appears_in_the_invocation(credential):
    result = credential().result
    assert result["credential"]["password"] not in json.dumps(result["invocation"])
    assert result["invocation"]["module_args"]["password"] is None


def test_rerun_is_a_no_op_with_two_reads(credential, calls):
    first = credential(tags={"environment": "test"}, description="d").result
    second = credential(tags={"environment": "test"}, description="d").result
    assert not second["changed"] and not second["created"]
    assert calls.mutating == []
    assert calls.operations == ["DescribeSecret", "GetSecretValue"]
    assert second["credential"] == first["credential"]
    assert second["version_id"] == first["version_id"]


def test_endpoint_fields_are_merged_and_empty_ones_keep_the_stored(credential, calls, sm):
    before = credential().result
    after = credential(host="db.example", port=3306, dbname="edxapp").result
    assert after["changed"] and calls.mutating == ["UpdateSecret"]
    assert after["credential"] == {**before["credential"], "host": "db.example", "port": 3306, "dbname": "edxapp"}
    assert stored(sm) == after["credential"]
    assert after["version_id"] != before["version_id"]

    later = credential(host="", port=0).result
    assert not later["changed"] and calls.mutating == []
    assert later["credential"]["host"] == "db.example" and stored(sm)["host"] == "db.example"


def test_extra_keys_of_the_stored_value_are_kept(credential, calls, sm):
    credential()
    value = {**stored(sm), "dbInstanceIdentifier": "openedx-test"}
    sm.put_secret_value(SecretId=NAME, SecretString=json.dumps(value))
    result = credential(host="db.example").result
    assert result["changed"]
    assert stored(sm) == {**value, "host": "db.example"}


def test_an_existing_password_is_never_regenerated_or_replaced(credential, calls, sm):
    password = credential().result["credential"]["password"]
    for args in ({"password_length": 64}, {"password_special": True}, {"password": SUPPLIED}):
        result = credential(**args).result
        assert not result["changed"] and calls.mutating == []
        assert result["credential"]["password"] == password
    assert stored(sm)["password"] == password


def test_a_stored_value_without_a_password_gets_one(credential, sm):
    credential()
    sm.put_secret_value(SecretId=NAME, SecretString=json.dumps({"username": "admin"}))
    result = credential().result
    assert result["changed"] and password_problem(result["credential"]["password"], "database", 128) is None
    assert stored(sm)["password"] == result["credential"]["password"]


def test_update_password_always_replaces_it_once(credential, calls, sm):
    credential()
    result = credential(password=SUPPLIED, update_password="always").result
    assert result["changed"] and calls.mutating == ["UpdateSecret"]
    assert result["credential"]["password"] == SUPPLIED == stored(sm)["password"]
    again = credential(password=SUPPLIED, update_password="always").result
    assert not again["changed"] and calls.mutating == []


def test_check_mode_on_a_missing_secret_returns_an_unstored_password(credential, calls, sm):
    result = credential(check_mode=True, password_special=True).result
    assert result["changed"] and result["created"]
    assert calls.mutating == [] and calls.operations == ["DescribeSecret"]
    assert password_problem(result["credential"]["password"], "database", 128) is None
    assert any(c in "-_.!#%*+=" for c in result["credential"]["password"])
    assert result["arn"] == "" and result["version_id"] == ""
    assert sm.list_secrets()["SecretList"] == []


def test_check_mode_on_an_existing_secret_predicts_without_changing(credential, calls, sm):
    first = credential().result
    result = credential(check_mode=True, host="db.example", tags={"team": "x"}, kms_key_id=None).result
    assert result["changed"] and not result["created"]
    assert calls.mutating == [] and len(calls.reads) <= 2
    assert result["credential"] == {**first["credential"], "host": "db.example"}
    assert result["tags"] == {"team": "x"}
    assert stored(sm)["host"] == ""
    assert "Tags" not in sm.describe_secret(SecretId=NAME)


def test_check_mode_no_op_on_an_existing_secret(credential, calls):
    credential()
    result = credential(check_mode=True).result
    assert not result["changed"] and calls.mutating == []


def test_diff_masks_the_password(credential):
    created = credential(diff=True, tags={"environment": "test"}).result
    password = created["credential"]["password"]
    assert created["diff"]["before"] == {}
    assert created["diff"]["after"]["password"] == "********"
    assert created["diff"]["after"]["username"] == "admin"
    result = credential(diff=True, host="db.example", tags={"environment": "test"}).result
    assert result["diff"]["before"]["host"] == "" and result["diff"]["after"]["host"] == "db.example"
    assert result["diff"]["before"]["password"] == result["diff"]["after"]["password"] == "********"
    assert password not in json.dumps(result["diff"]) and password not in json.dumps(created["diff"])
    rotated = credential(diff=True, password=SUPPLIED, update_password="always").result
    assert rotated["diff"]["after"]["password"] == "******** (changed)"
    assert SUPPLIED not in json.dumps(rotated["diff"])


def test_a_kms_key_change_reencrypts_the_secret(credential, calls, sm, kms_keys):
    password = credential().result["credential"]["password"]
    result = credential(kms_key_id=kms_keys[1]).result
    assert result["changed"] and calls.mutating == ["UpdateSecret"]
    assert calls.request("UpdateSecret") == {"SecretId": result["arn"], "KmsKeyId": kms_keys[1]}
    assert sm.describe_secret(SecretId=NAME)["KmsKeyId"] == kms_keys[1]
    assert result["credential"]["password"] == password == stored(sm)["password"]
    assert not credential(kms_key_id=kms_keys[1]).result["changed"]
    # The same key by id: Secrets Manager may report either form.
    assert not credential(kms_key_id=kms_keys[1].rsplit("/", 1)[1]).result["changed"]


def test_tags_are_purged_or_kept(credential, calls, sm):
    credential(tags={"environment": "test", "owner": "ops"})
    result = credential(tags={"environment": "test", "team": "data"}).result
    assert result["changed"] and sorted(calls.mutating) == ["TagResource", "UntagResource"]
    assert calls.request("UntagResource")["TagKeys"] == ["owner"]
    assert result["tags"] == {"environment": "test", "team": "data"}
    kept = credential(tags={"extra": "1"}, purge_tags=False).result
    assert calls.mutating == ["TagResource"]
    assert kept["tags"] == {"environment": "test", "team": "data", "extra": "1"}
    tags = {tag["Key"]: tag["Value"] for tag in sm.describe_secret(SecretId=NAME)["Tags"]}
    assert tags == kept["tags"]
    assert not credential().result["changed"]   # tags unset: left alone


def test_a_secret_scheduled_for_deletion_is_restored_with_its_value(credential, calls, sm):
    password = credential(host="db.example").result["credential"]["password"]
    sm.delete_secret(SecretId=NAME, RecoveryWindowInDays=7)

    checked = credential(check_mode=True, diff=True).result
    assert checked["changed"] and not checked["created"] and calls.mutating == []
    assert "deleted_date" in checked["diff"]["before"]
    assert "DeletedDate" in sm.describe_secret(SecretId=NAME)

    result = credential().result
    assert result["changed"] and not result["created"]
    assert calls.mutating == ["RestoreSecret"]
    assert result["credential"]["password"] == password and result["credential"]["host"] == "db.example"
    assert "DeletedDate" not in sm.describe_secret(SecretId=NAME)
    assert not credential().result["changed"]


def test_absent_schedules_the_deletion_once(credential, calls, sm):
    credential()
    checked = credential(state="absent", check_mode=True).result
    assert checked["changed"] and calls.mutating == []
    result = credential(state="absent", recovery_window=7).result
    assert result["changed"] and calls.mutating == ["DeleteSecret"]
    assert calls.request("DeleteSecret")["RecoveryWindowInDays"] == 7
    assert result["deletion_date"] and "credential" not in result
    assert "DeletedDate" in sm.describe_secret(SecretId=NAME)
    again = credential(state="absent", recovery_window=7).result
    assert not again["changed"] and calls.mutating == [] and calls.operations == ["DescribeSecret"]
    assert "deletion_date" not in again and again["diff"]["before"]["deleted_date"]


def test_absent_on_a_missing_secret_is_a_no_op(credential, calls):
    result = credential(state="absent").result
    assert not result["changed"] and calls.mutating == [] and result["arn"] == ""


def test_absent_without_recovery(credential, calls, sm):
    credential()
    result = credential(state="absent", force_delete_without_recovery=True).result
    assert result["changed"]
    assert calls.request("DeleteSecret")["ForceDeleteWithoutRecovery"] is True
    assert sm.list_secrets(IncludePlannedDeletion=True)["SecretList"] == []


def test_auth_token(credential, sm):
    exit_ = credential(name="openedx/test/redis/default", kind="auth_token", username=None, engine=None,
                       password_special=True)
    token = exit_.result["credential"]["auth_token"]
    assert exit_.result["credential"] == {"auth_token": token}
    assert password_problem(token, "auth_token", 128) is None and any(c in "!#-" for c in token)
    assert stored(sm, "openedx/test/redis/default") == {"auth_token": token}
    again = credential(name="openedx/test/redis/default", kind="auth_token", username=None, engine=None).result
    assert not again["changed"] and again["credential"]["auth_token"] == token


@pytest.mark.parametrize(("args", "message"), [
    ({"password": "short"}, "password must be 16-128"),
    ({"password": SUPPLIED + "/"}, "without / @"),
    ({"password": SUPPLIED, "password_max_length": 20, "password_length": 20}, "password must be 16-20"),
    ({"kind": "auth_token", "username": None, "engine": None, "password": "Token_With_Underscore1"},
     "letters, digits and !&#$^<>-"),
    ({"password_length": 8}, "password_length must be 16-128"),
    ({"kind": "auth_token", "engine": None}, "username apply to kind=database only"),
    ({"recovery_window": 3, "state": "absent"}, "recovery_window must be 7-30"),
    ({"password_special": True, "password_special_characters": "@"}, "password_special_characters"),
    ({"name": "has spaces"}, "name must be 1-512"),
])
def test_bad_input_fails_before_any_aws_call(credential, calls, args, message):
    exit_ = credential(**args)
    assert exit_.failed and message in exit_.result["msg"]
    assert calls.operations == []
    if "password" in args:
        assert args["password"] not in json.dumps(exit_.result)


def test_creating_a_database_credential_needs_a_username(credential, calls):
    exit_ = credential(username=None)
    assert exit_.failed and "username is required" in exit_.result["msg"]
    assert calls.mutating == []


def test_a_value_that_is_not_a_credential_is_refused(credential, calls, sm):
    sm.create_secret(Name=NAME, SecretString="plain text")
    exit_ = credential()
    assert exit_.failed and "does not hold a JSON object" in exit_.result["msg"]
    assert calls.mutating == []
