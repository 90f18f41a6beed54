"""The sandbox's OpenSearch security API verifying SigV4 for real: IAM users' keys and assumed roles from moto
in-process, signed by botocore as a client signs, over HTTPS."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws
from ports import free_tcp_port
from sandbox_harness import Keys, https, signed, signed_headers

from sandbox import tls
from sandbox.dataplane import opensearch_security, sigv4

API = "/_plugins/_security/api"
ROSTER_ROLE = {"cluster_permissions": ["cluster_composite_ops_ro"],
               "index_permissions": [{"index_patterns": ["roster_*"], "allowed_actions": ["read"]}]}


@dataclass
class Domain:
    server: opensearch_security.Server
    master: Keys
    master_arn: str


@pytest.fixture
def domain(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Domain]:
    """moto in-process with an IAM user ``search-admin`` and its access key; a domain's security API whose IAM
    master is that user."""
    monkeypatch.setenv("SANDBOX_STATE_DIR", str(tmp_path))
    for name, value in (("AWS_DEFAULT_REGION", "us-east-1"), ("AWS_ACCESS_KEY_ID", "testing"),
                        ("AWS_SECRET_ACCESS_KEY", "testing")):
        monkeypatch.setenv(name, value)
    with mock_aws():
        iam = boto3.client("iam")
        arn = iam.create_user(UserName="search-admin")["User"]["Arn"]
        key = iam.create_access_key(UserName="search-admin")["AccessKey"]
        server = opensearch_security.start("search", free_tcp_port(), "admin", "Admin-Pass-1!", master_arn=arn)
        try:
            yield Domain(server, Keys(key["AccessKeyId"], key["SecretAccessKey"]), arn)
        finally:
            server.stop()


def send(server: opensearch_security.Server, method: str, path: str, headers: dict[str, str] | None = None,
         data: bytes = b"") -> tuple[int, Any]:
    return https(server.endpoint + path, tls.ca_bundle(), method, data, headers)


def call(server: opensearch_security.Server, keys: Keys, method: str, path: str, body: Any = None,
         **signing: Any) -> tuple[int, Any]:
    return signed(server.endpoint, tls.ca_bundle(), keys, method, path, body, **signing)


def test_the_iam_master_signs_and_writes_the_security_configuration(domain: Domain) -> None:
    assert call(domain.server, domain.master, "PUT", f"{API}/roles/roster_reader", ROSTER_ROLE) == (
        201, {"status": "CREATED", "message": "'roster_reader' created."})
    assert domain.server.store.data["roles"]["roster_reader"]["index_permissions"][0]["index_patterns"] == \
        ["roster_*"]
    status, info = call(domain.server, domain.master, "GET", "/_plugins/_security/authinfo")
    assert status == 200
    assert (info["user_name"], info["backend_roles"]) == (domain.master_arn, [])
    assert info["roles"] == ["all_access", "security_manager"]
    # The basic-auth master of an internal-user domain keeps working beside it.
    assert domain.server.store.is_admin("admin")


@pytest.mark.parametrize(("tamper", "message"), [
    ("body", "x-amz-content-sha256"),
    ("secret", "signature we calculated does not match"),
    ("date", "Signature expired"),
    ("service", "correct service: 'es'"),
    ("region", "valid region"),
])
def test_a_request_altered_after_signing_or_signed_wrongly_is_refused(domain: Domain, tamper: str,
                                                                      message: str) -> None:
    path = f"{API}/roles/roster_reader"
    body = json.dumps(ROSTER_ROLE).encode()
    keys = Keys(domain.master.access_key, "wrong" + domain.master.secret_key[5:]) if tamper == "secret" \
        else domain.master
    signing: dict[str, Any] = {"date": {"at": datetime.now(UTC) - timedelta(minutes=6)},
                               "service": {"service": "s3"}, "region": {"region": "eu-west-1"}}.get(tamper, {})
    headers = signed_headers("PUT", domain.server.endpoint + path, body, keys, **signing)
    sent = body.replace(b"roster_*", b"roster_?") if tamper == "body" else body
    assert len(sent) == len(body)
    status, answer = send(domain.server, "PUT", path, headers=headers, data=sent)
    assert status == 403 and message in answer["message"], answer
    assert "roster_reader" not in domain.server.store.data["roles"]


def test_unknown_keys_and_unsigned_requests_are_refused(domain: Domain) -> None:
    assert call(domain.server, Keys("AKIAUNKNOWN000000000", "secret"), "GET", f"{API}/roles") == (
        403, {"message": sigv4.INVALID_TOKEN})
    assert send(domain.server, "GET", f"{API}/roles")[0] == 401
    # The sandbox's default keys sign as their fixed principal, which is not this domain's master.
    default = Keys(sigv4.DEFAULT_ACCESS_KEY, sigv4.DEFAULT_SECRET_KEY)
    status, info = call(domain.server, default, "GET", "/_plugins/_security/authinfo")
    assert (status, info["user_name"], info["roles"]) == (200, "arn:aws:iam::123456789012:user/moto", [])
    assert call(domain.server, default, "GET", f"{API}/roles")[0] == 403


def test_an_inactive_access_key_is_refused(domain: Domain) -> None:
    boto3.client("iam").update_access_key(UserName="search-admin", AccessKeyId=domain.master.access_key,
                                          Status="Inactive")
    assert call(domain.server, domain.master, "GET", f"{API}/roles") == (403, {"message": sigv4.INVALID_TOKEN})


def test_an_assumed_role_mapped_as_a_backend_role_gets_exactly_its_roles_permissions(domain: Domain) -> None:
    role_arn = boto3.client("iam").create_role(RoleName="roster-reader", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                "Principal": {"AWS": "arn:aws:iam::123456789012:root"}}]}))[
        "Role"]["Arn"]
    session = boto3.client("sts").assume_role(RoleArn=role_arn, RoleSessionName="analytics")["Credentials"]
    reader = Keys(session["AccessKeyId"], session["SecretAccessKey"], session["SessionToken"])
    master = domain.master
    assert call(domain.server, master, "PUT", f"{API}/roles/roster_reader", ROSTER_ROLE)[0] == 201
    assert call(domain.server, master, "PUT", f"{API}/rolesmapping/roster_reader", {"backend_roles": [role_arn]})[
        0] == 201
    assert call(domain.server, master, "PUT", "/roster_1_2/_doc/1", {"username": "edx"})[0] == 201
    assert call(domain.server, master, "PUT", "/grades_1/_doc/1", {"grade": 0.9})[0] == 201

    status, info = call(domain.server, reader, "GET", "/_plugins/_security/authinfo")
    assert (status, info["user_name"], info["backend_roles"], info["roles"]) == (
        200, role_arn, [role_arn], ["roster_reader"])
    status, found = call(domain.server, reader, "GET", "/roster_1_2/_search")
    assert status == 200 and [hit["_source"] for hit in found["hits"]["hits"]] == [{"username": "edx"}]
    assert call(domain.server, reader, "GET", "/roster_1_2/_doc/1")[1]["_source"] == {"username": "edx"}

    status, refused = call(domain.server, reader, "PUT", "/roster_1_2/_doc/2", {"username": "x"})
    assert status == 403 and refused["error"]["type"] == "security_exception"
    assert refused["error"]["reason"].startswith("no permissions for [indices:data/write/index] and User "
                                                 f"[name={role_arn}, backend_roles=[{role_arn}]")
    assert call(domain.server, reader, "GET", "/grades_1/_search")[0] == 403
    for method, path, body in (("GET", f"{API}/roles", None), ("PUT", f"{API}/roles/mine", ROSTER_ROLE)):
        status, refused = call(domain.server, reader, method, path, body)
        assert status == 403 and refused["message"].startswith("No permission to access REST API")
    assert "mine" not in domain.server.store.data["roles"]
    assert call(domain.server, Keys(reader.access_key, reader.secret_key, "forged-token"), "GET",
                "/roster_1_2/_search") == (403, {"message": sigv4.INVALID_TOKEN})


def test_the_document_api_answers_as_opensearch_does(domain: Domain) -> None:
    master = domain.master
    assert call(domain.server, master, "GET", "/roster_1_2/_search")[1]["error"]["type"] == "index_not_found_exception"
    assert call(domain.server, master, "PUT", "/roster_1_2/_doc/1", {"a": 1})[1]["result"] == "created"
    assert call(domain.server, master, "PUT", "/roster_1_2/_doc/1", {"a": 2}) == (
        200, {"_index": "roster_1_2", "_id": "1", "result": "updated"})
    assert call(domain.server, master, "GET", "/roster_1_2/_doc/2") == (
        404, {"_index": "roster_1_2", "_id": "2", "found": False})
    assert call(domain.server, master, "DELETE", "/roster_1_2/_doc/1")[1]["result"] == "deleted"
    assert call(domain.server, master, "GET", "/roster_1_2/_search")[1]["hits"]["total"]["value"] == 0
    assert call(domain.server, master, "PUT", "/Roster/_doc/1", {"a": 1})[0] == 400
