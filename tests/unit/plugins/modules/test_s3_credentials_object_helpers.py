"""Pure helpers of s3_credentials_object: input checks, the file built from a secret, its bytes and its diff."""

from __future__ import annotations

import json

import pytest
from ansible_collections.openedx.data_services.plugins.modules import s3_credentials_object as module

SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:openedx/test/mysql/edxapp_ro-AbCdEf"
PASSWORD = "Sup3r-Secret-Passw0rd-Value-1234"
KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def params(**overrides):
    base = dict(bucket="acme-test-analytics", object="config/edxapp_creds", state="present", secret_id=SECRET,
                host=None, port=None, username=None, kms_key_id=KEY)
    base.update(overrides)
    return base


def secret(**fields):
    return json.dumps({"username": "edxapp_ro", "password": PASSWORD, "engine": "mysql",
                       "host": "db.example.internal", "port": 3306, "dbname": "", **fields})


def test_valid_input_has_no_problem():
    assert module.option_problems(params()) == []
    assert module.option_problems(params(state="absent", secret_id=None, kms_key_id=None)) == []


@pytest.mark.parametrize(("overrides", "word"), [
    ({"bucket": "Acme_Bucket"}, "bucket"),
    ({"bucket": "ab"}, "bucket"),
    ({"object": "/config/edxapp_creds"}, "object"),
    ({"object": "config/"}, "object"),
    ({"object": ""}, "object"),
    ({"secret_id": None}, "secret_id is required"),
    ({"kms_key_id": " "}, "kms_key_id is required"),
    ({"port": 0}, "port"),
    ({"port": 70000}, "port"),
])
def test_invalid_input_is_named(overrides, word):
    problems = module.option_problems(params(**overrides))
    assert len(problems) == 1 and word in problems[0]


def test_fields_come_from_the_secret_unless_given():
    assert module.credentials_of(SECRET, secret(), params()) == {
        "host": "db.example.internal", "port": "3306", "username": "edxapp_ro", "password": PASSWORD}
    given = module.credentials_of(SECRET, secret(), params(host="other.internal", port=13306, username="ro"))
    assert given == {"host": "other.internal", "port": "13306", "username": "ro", "password": PASSWORD}


def test_port_is_a_string_and_defaults_to_3306():
    fields = module.credentials_of(SECRET, secret(port=0), params())
    assert fields["port"] == "3306"


@pytest.mark.parametrize("value", ["not json", "[]", json.dumps({"username": "x"}), json.dumps({"password": ""})])
def test_a_secret_without_a_password_fails_without_showing_it(value):
    with pytest.raises(module.CredentialsError, match="does not hold a JSON object with a password") as raised:
        module.credentials_of(SECRET, value, params())
    assert PASSWORD not in str(raised.value)


def test_a_missing_host_is_named():
    with pytest.raises(module.CredentialsError, match="host not given"):
        module.credentials_of(SECRET, secret(host=""), params())


def test_rendered_file_is_stable_json_in_the_pipelines_shape():
    fields = {"password": PASSWORD, "username": "edxapp_ro", "port": "3306", "host": "db.example.internal"}
    body = module.render(fields)
    assert body == module.render(dict(reversed(list(fields.items()))))
    assert list(json.loads(body)) == ["host", "port", "username", "password"]
    assert json.loads(body)["port"] == "3306" and body.endswith(b"}\n")


def test_parse_body_reads_json_objects_only():
    assert module.parse_body(None) is None
    assert module.parse_body(b"garbage") is None
    assert module.parse_body(b"[1]") is None
    assert module.parse_body(b'{"host": "h"}') == {"host": "h"}


def test_diff_masks_the_password():
    fields = {"host": "h", "port": "3306", "username": "u", "password": PASSWORD}
    view = module.diff_view(fields, KEY, password_changed=True)
    assert view == {"host": "h", "port": "3306", "username": "u", "password": "******** (changed)", "kms_key_id": KEY}
    assert PASSWORD not in json.dumps(view)
    assert module.diff_view(None, KEY) == {}
