"""secretsmanager_credential_rotation against moto: the pending, promote and read steps, the version stages, the
alternating users, a resumed rotation, check mode, and bad input failing before any AWS call."""

from __future__ import annotations

import json

import boto3
import pytest
from ansible_collections.openedx.data_services.plugins.modules import secretsmanager_credential as credential_module
from ansible_collections.openedx.data_services.plugins.modules import secretsmanager_credential_rotation as module
from ansible_collections.openedx.data_services.plugins.modules.secretsmanager_credential import password_problem
from harness import run_module

from sandbox import services

NAME = "openedx/test/mysql/edxapp001"
TOKEN_NAME = "openedx/test/redis/default"
FIRST = {"username": "edxapp001", "password": "First-Passw0rd-0123456", "engine": "mysql", "host": "db.example",
         "port": 3306, "dbname": "edxapp"}
TWINS = ["edxapp001", "edxapp001_clone"]


@pytest.fixture
def sm(moto):
    # Readers that name no stage get the AWSCURRENT version, as from AWS (moto needs the sandbox's hook).
    services.apply("secretsmanager")
    client = boto3.client("secretsmanager", region_name="us-east-1")
    client.create_secret(Name=NAME, SecretString=json.dumps(FIRST))
    client.create_secret(Name=TOKEN_NAME, SecretString=json.dumps({"auth_token": "First-Token-0123456789"}))
    return client


@pytest.fixture
def rotate(calls, sm):
    def run(check_mode=False, **args):
        calls.clear()
        return run_module(module, {"name": NAME, **args}, check_mode=check_mode, printed=True)

    return run


def stage(sm, stage_name, name=NAME):
    return json.loads(sm.get_secret_value(SecretId=name, VersionStage=stage_name)["SecretString"])


def labels(sm, name=NAME):
    return sorted(sorted(v) for v in sm.describe_secret(SecretId=name)["VersionIdsToStages"].values() if v)


def test_alternating_users_rotate_through_the_stages(rotate, calls, sm):
    pending = rotate(step="pending", usernames=TWINS)
    assert not pending.failed, pending.result
    assert pending.result["changed"] and not pending.result["resumed"]
    assert calls.mutating == ["PutSecretValue"]
    new = pending.result["pending"]
    assert new["username"] == "edxapp001_clone" and new["password"] != FIRST["password"]
    assert password_problem(new["password"], "database", 128) is None
    assert {k: v for k, v in new.items() if k not in ("username", "password")} == {
        k: v for k, v in FIRST.items() if k not in ("username", "password")}
    assert stage(sm, "AWSPENDING") == new and stage(sm, "AWSCURRENT") == FIRST
    # A re-run before promote (an interrupted rotation) resumes with the same pending credential.
    again = rotate(step="pending", usernames=TWINS)
    assert again.result["resumed"] and not again.result["changed"] and again.result["pending"] == new
    assert calls.mutating == []

    promoted = rotate(step="promote")
    assert promoted.result["changed"]
    assert calls.mutating == ["UpdateSecretVersionStage", "UpdateSecretVersionStage"]
    assert promoted.result["current"] == new and promoted.result["previous"] == FIRST
    assert stage(sm, "AWSCURRENT") == new and stage(sm, "AWSPREVIOUS") == FIRST
    assert labels(sm) == [["AWSCURRENT"], ["AWSPREVIOUS"]]
    assert rotate(step="promote").result["changed"] is False and calls.mutating == []

    # The next rotation goes back to the first user, with yet another password.
    rotate(step="pending", usernames=TWINS)
    third = rotate(step="promote").result
    assert third["current"]["username"] == "edxapp001"
    assert third["current"]["password"] not in (FIRST["password"], new["password"])
    assert third["previous"] == new


def test_an_auth_token_rotates_and_read_changes_nothing(rotate, calls, sm):
    pending = rotate(name=TOKEN_NAME, kind="auth_token", step="pending", password_length=40)
    token = pending.result["pending"]["auth_token"]
    assert len(token) == 40 and password_problem(token, "auth_token", 128) is None
    rotate(name=TOKEN_NAME, kind="auth_token", step="promote")
    read = rotate(name=TOKEN_NAME, kind="auth_token", step="read")
    assert read.result["changed"] is False and calls.mutating == []
    assert read.result["current"] == {"auth_token": token}
    assert read.result["previous"] == {"auth_token": "First-Token-0123456789"}


def test_check_mode_stores_nothing(rotate, calls, sm):
    planned = rotate(check_mode=True, step="pending", usernames=TWINS)
    assert planned.result["changed"] and planned.result["pending"]["username"] == "edxapp001_clone"
    assert calls.mutating == []
    assert rotate(check_mode=True, step="promote").result["changed"] is False
    assert labels(sm) == [["AWSCURRENT"]]


def test_passwords_stay_out_of_the_invocation(rotate):
    result = rotate(step="pending", usernames=TWINS).result
    assert FIRST["password"] not in json.dumps(result.get("invocation", {}))


@pytest.mark.parametrize(("args", "message"), [
    ({"usernames": ["edxapp001"]}, "usernames must be two different"),
    ({"usernames": ["a", "a"]}, "usernames must be two different"),
    ({"kind": "auth_token", "usernames": TWINS}, "usernames apply to kind=database only"),
    ({"password_length": 8}, "password_length must be 16-128"),
    ({"password_special": True, "password_special_characters": "@"}, "password_special_characters"),
])
def test_bad_input_fails_before_any_aws_call(rotate, calls, args, message):
    failed = rotate(**args)
    assert failed.failed and message in failed.result["msg"]
    assert calls.operations == []


def test_a_missing_secret_is_named(rotate):
    failed = rotate(name="openedx/test/mysql/nobody")
    assert failed.failed and "openedx/test/mysql/nobody does not exist" in failed.result["msg"]


def test_credential_keeps_the_twin_the_rotation_made_current(rotate, calls, sm):
    rotate(step="pending", usernames=TWINS)
    current = rotate(step="promote").result["current"]
    kept = run_module(credential_module, {"name": NAME, "username": "edxapp001", "alternate_username":
                                          "edxapp001_clone", "engine": "mysql"})
    assert kept.result["changed"] is False and kept.result["credential"]["username"] == "edxapp001_clone"
    assert kept.result["credential"]["password"] == current["password"]
    replaced = run_module(credential_module, {"name": NAME, "username": "edxapp001", "engine": "mysql"})
    assert replaced.result["credential"]["username"] == "edxapp001"
