"""Pure helpers of secretsmanager_credential: password generation and validation, the value merge, key matching."""

from __future__ import annotations

import re
import string

import pytest
from ansible_collections.openedx.data_services.plugins.modules import secretsmanager_credential as module

KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
KEY_ARN = f"arn:aws:kms:us-east-1:123456789012:key/{KEY_ID}"
GOOD = "Abcdefgh1234567890xyz"


def params(**overrides):
    base = dict(
        name="openedx/test/mysql/admin", state="present", kind="database", username=None, engine=None, host=None,
        port=None, dbname=None, password=None, update_password="on_create", password_length=32,
        password_max_length=128, password_special=False, password_special_characters=None, kms_key_id=None,
        description=None, tags=None, purge_tags=True, recovery_window=30, force_delete_without_recovery=False,
    )
    base.update(overrides)
    return base


@pytest.mark.parametrize("length", [16, 32, 41, 128])
def test_generated_password_has_every_class_and_the_length(length):
    for password in [module.generate_password(length) for attempt in range(50)]:
        assert len(password) == length
        assert set(password) <= set(string.ascii_letters + string.digits)
        assert re.search("[a-z]", password) and re.search("[A-Z]", password) and re.search("[0-9]", password)
        assert module.password_problem(password, "database", 128) is None
        assert module.password_problem(password, "auth_token", 128) is None


@pytest.mark.parametrize(("kind", "special"), [("database", "-_.!#%*+="), ("auth_token", "!&#$^<>-")])
def test_generated_password_with_special_characters(kind, special):
    for password in [module.generate_password(16, special) for attempt in range(50)]:
        assert any(c in special for c in password)
        assert set(password) <= set(string.ascii_letters + string.digits + special)
        assert module.password_problem(password, kind, 128) is None


def test_generated_passwords_differ():
    assert len({module.generate_password(32) for attempt in range(20)}) == 20


@pytest.mark.parametrize("value", [
    "Short1a",                       # too short
    GOOD + "x" * 30,                 # over the maximum of 41
    "abcdefgh1234567890xyz",         # no upper case
    "ABCDEFGH1234567890XYZ",         # no lower case
    "Abcdefghijklmnopqrstu",         # no digit
    GOOD + "/", GOOD + "@", GOOD + '"', GOOD + "'", GOOD[:10] + " " + GOOD[10:],
    GOOD + "é", GOOD + "\t",
])
def test_database_password_refused(value):
    problem = module.password_problem(value, "database", 41)
    assert problem.startswith("password must be 16-41 printable ASCII characters without / @")
    assert value not in problem


@pytest.mark.parametrize("value", [GOOD + "_", GOOD + "%", GOOD + "*", GOOD + "x" * 120, "abcdefgh1234567890"])
def test_auth_token_refused(value):
    problem = module.password_problem(value, "auth_token", 128)
    assert "letters, digits and !&#$^<>-" in problem


def test_accepted_passwords():
    assert module.password_problem(GOOD + "!#$%&()*+,.:;<=>?[]^_`{|}~-", "database", 128) is None
    assert module.password_problem(GOOD + "!&#$^<>-", "auth_token", 128) is None


def test_valid_options_have_no_problem():
    assert module.option_problems(params()) == []
    assert module.option_problems(params(kind="auth_token", password=GOOD, password_special=True,
                                         password_special_characters="!&")) == []


@pytest.mark.parametrize(("overrides", "expected"), [
    ({"name": "bad name"}, "name must be 1-512"),
    ({"name": "x" * 513}, "name must be 1-512"),
    ({"password_length": 15}, "password_length must be 16-128, not 15"),
    ({"password_length": 129}, "password_length must be 16-128, not 129"),
    ({"password_max_length": 41, "password_length": 48}, "password_length (48) must not exceed password_max_length"),
    ({"password_special_characters": "/"}, "password_special_characters must be one or more ASCII punctuation"),
    ({"password_special_characters": "a"}, "password_special_characters must be one or more ASCII punctuation"),
    ({"password_special_characters": ""}, "password_special_characters must be one or more"),
    ({"kind": "auth_token", "password_special_characters": "_"}, "characters of !&#$^<>-"),
    ({"password": "short"}, "password must be 16-128"),
    ({"password": GOOD + "x" * 30, "password_max_length": 41, "password_length": 41}, "password must be 16-41"),
    ({"update_password": "always"}, "update_password=always needs password"),
    ({"port": 70000}, "port must be 1-65535"),
    ({"kind": "auth_token", "host": "h", "username": "u"}, "username, host apply to kind=database only"),
    ({"recovery_window": 6}, "recovery_window must be 7-30 days, not 6"),
    ({"kms_key_id": " "}, "kms_key_id must be a KMS key ARN"),
])
def test_option_problems(overrides, expected):
    problems = module.option_problems(params(**overrides))
    assert any(expected in problem for problem in problems), problems


def test_merge_new_database_value_has_the_rds_shape():
    value = module.merge_value({}, params(username="admin", engine="mysql"), "S3cret")
    assert value == {"username": "admin", "password": "S3cret", "engine": "mysql", "host": "", "port": 0,
                     "dbname": ""}
    assert list(value) == ["username", "password", "engine", "host", "port", "dbname"]


def test_merge_fills_in_the_endpoint_and_keeps_the_rest():
    stored = {"username": "admin", "password": "old", "engine": "mysql", "host": "", "port": 0, "dbname": "",
              "dbInstanceIdentifier": "openedx-test"}
    value = module.merge_value(stored, params(host="db.example", port=3306), "old")
    assert value == {**stored, "host": "db.example", "port": 3306}


def test_merge_empty_fields_keep_the_stored_ones():
    stored = {"username": "admin", "password": "old", "engine": "mysql", "host": "db.example", "port": 3306,
              "dbname": "edxapp"}
    assert module.merge_value(stored, params(host="", port=0, engine="", dbname=None), "old") == stored


def test_merge_auth_token():
    assert module.merge_value({}, params(kind="auth_token"), "Tok") == {"auth_token": "Tok"}
    assert module.merge_value({"auth_token": "old", "note": "x"}, params(kind="auth_token"), "old") == {
        "auth_token": "old", "note": "x"}


@pytest.mark.parametrize(("current", "desired", "same"), [
    (KEY_ARN, KEY_ARN, True),
    (KEY_ID, KEY_ARN, True),
    (KEY_ARN, KEY_ID, True),
    (KEY_ARN, KEY_ARN.replace("1234abcd", "9999abcd"), False),
    (KEY_ARN, KEY_ARN.replace("123456789012", "210987654321"), False),
    ("arn:aws:kms:us-east-1:123456789012:alias/openedx", "alias/openedx", True),
    (None, "alias/aws/secretsmanager", True),
    (None, KEY_ARN, False),
    ("", KEY_ARN, False),
])
def test_same_kms_key(current, desired, same):
    assert module.same_kms_key(current, desired) is same


@pytest.mark.parametrize(("secret_string", "kind", "message"), [
    ("not json", "database", "does not hold a JSON object"),
    ("[1, 2]", "database", "does not hold a JSON object"),
    ('{"auth_token": "x"}', "database", "holds 'auth_token', not 'password'"),
    ('{"password": "x"}', "auth_token", "holds 'password', not 'auth_token'"),
])
def test_parse_stored_refuses_other_values(secret_string, kind, message):
    with pytest.raises(module.CredentialError, match=re.escape(message)):
        module.parse_stored("openedx/test/x/y", secret_string, kind)


def test_diff_view_masks_the_secret():
    value = {"username": "admin", "password": "S3cret", "engine": "mysql", "host": "h", "port": 1, "dbname": ""}
    view = module.diff_view({"name": "n"}, value, "database", secret_changed=True)
    assert view["password"] == "******** (changed)"
    assert "S3cret" not in repr(view)
    assert module.diff_view({"name": "n"}, {"auth_token": "T0k"}, "auth_token") == {
        "name": "n", "auth_token": "********"}
