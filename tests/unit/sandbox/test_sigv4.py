"""sandbox/dataplane/sigv4: the sandbox's SigV4 verification, against requests botocore signs."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from sandbox.dataplane import sigv4

SIGNED_AT = datetime(2025, 3, 1, 12, 0, 0, tzinfo=UTC)
URL = "https://localhost:19200/_plugins/_security/api/rolesmapping/openedx_app"
BODY = b'{"backend_roles": ["arn:aws:iam::123456789012:role/reader"]}'
USER = sigv4.Credential("AKIAUSER", "user-secret", "arn:aws:iam::123456789012:user/search-admin")
ROLE = sigv4.Credential("ASIAROLE", "role-secret", "arn:aws:iam::123456789012:role/reader", token="session-token",
                        expires=SIGNED_AT + timedelta(hours=1), backend_role=True)
KNOWN = {credential.access_key: credential for credential in (USER, ROLE)}


def signed(credential: sigv4.Credential = USER, *, secret: str | None = None, body: bytes = BODY,
           service: str = "es", region: str = "us-east-1", at: datetime = SIGNED_AT, token: str | None = None,
           url: str = URL, method: str = "PUT", payload_header: bool = True) -> list[tuple[str, str]]:
    """The headers a client sends: botocore's signature over host, the payload hash and the date, as the modules
    sign (module_utils.opensearch_security.sigv4_headers); without ``payload_header``, the hash is only signed."""
    request = AWSRequest(method=method, url=url, data=body, headers={"Content-Type": "application/json"})
    if payload_header:
        request.headers["X-Amz-Content-SHA256"] = hashlib.sha256(body).hexdigest()
    keys = Credentials(credential.access_key, secret or credential.secret_key, token or credential.token)
    with mock.patch("botocore.auth.get_current_datetime", return_value=at.replace(tzinfo=None)):
        SigV4Auth(keys, service, region).add_auth(request)
    return [("Host", "localhost:19200"), *request.headers.items()]


def verify(headers: list[tuple[str, str]], body: bytes = BODY, now: datetime = SIGNED_AT, method: str = "PUT",
           url: str = URL) -> sigv4.Credential:
    return sigv4.verify(method, url, headers, body, "us-east-1", KNOWN.get, now=now)


def refusal(headers: list[tuple[str, str]], **kwargs) -> str:
    with pytest.raises(sigv4.SignatureError) as refused:
        verify(headers, **kwargs)
    return str(refused.value)


def test_a_correct_signature_names_its_credential():
    assert verify(signed()) is USER
    assert verify(signed(ROLE)) is ROLE
    assert verify(signed(body=b"", method="GET"), body=b"", method="GET") is USER


def test_the_query_string_is_part_of_the_signature():
    url = URL + "?pretty=true&format=json"
    assert verify(signed(url=url), url=url) is USER
    assert refusal(signed(url=url), url=URL + "?pretty=false&format=json") == sigv4.BAD_SIGNATURE


def test_a_changed_byte_of_body_is_refused_whether_or_not_the_hash_header_is_sent():
    tampered = BODY.replace(b"reader", b"writer")
    assert len(tampered) == len(BODY)
    assert "x-amz-content-sha256" in refusal(signed(), body=tampered)
    without_hash = [(k, v) for k, v in signed() if k.lower() != "x-amz-content-sha256"]
    # The hash header was signed: without it, the signed headers are incomplete.
    assert "x-amz-content-sha256" in refusal(without_hash, body=tampered)
    # A client that signs the payload without sending its hash: the recomputed signature differs.
    assert verify(signed(payload_header=False)) is USER
    assert refusal(signed(payload_header=False), body=tampered) == sigv4.BAD_SIGNATURE


def test_a_wrong_secret_or_unknown_key_is_refused():
    assert refusal(signed(secret="not-the-secret")) == sigv4.BAD_SIGNATURE
    stranger = sigv4.Credential("AKIASTRANGER", "secret", "arn:aws:iam::123456789012:user/stranger")
    assert refusal(signed(stranger)) == sigv4.INVALID_TOKEN


def test_the_date_may_be_five_minutes_off_and_no_more():
    assert verify(signed(), now=SIGNED_AT + timedelta(minutes=5)) is USER
    assert verify(signed(), now=SIGNED_AT - timedelta(minutes=5)) is USER
    assert refusal(signed(), now=SIGNED_AT + timedelta(minutes=5, seconds=1)).startswith(
        "Signature expired: 20250301T120000Z is now earlier than 20250301T120001Z")
    assert refusal(signed(), now=SIGNED_AT - timedelta(minutes=6)).startswith("Signature not yet current")


def test_the_scope_must_name_the_es_service_and_the_domain_region():
    assert refusal(signed(service="s3")) == "Credential should be scoped to correct service: 'es'. "
    assert "valid region" in refusal(signed(region="eu-west-1"))


def test_temporary_credentials_need_their_session_token_and_must_not_have_expired():
    assert refusal(signed(ROLE, token="another-token")) == sigv4.INVALID_TOKEN
    without_token = [(k, v) for k, v in signed(ROLE) if k.lower() != "x-amz-security-token"]
    assert "x-amz-security-token" in refusal(without_token)
    assert refusal(signed(ROLE, at=SIGNED_AT + timedelta(hours=1)), now=SIGNED_AT + timedelta(hours=1)) == \
        sigv4.EXPIRED_TOKEN


def test_host_and_date_must_be_signed():
    headers = signed()
    authorization = next(v for k, v in headers if k == "Authorization")
    unsigned_host = authorization.replace("SignedHeaders=content-type;host;", "SignedHeaders=content-type;")
    assert unsigned_host != authorization
    assert "host" in refusal([(k, unsigned_host if k == "Authorization" else v) for k, v in headers])


@pytest.mark.parametrize("header", [
    "AWS4-HMAC-SHA256 Credential=AKIAUSER/20250301/us-east-1/es/aws4_request, Signature=" + "0" * 64,
    "AWS4-HMAC-SHA256 Credential=AKIAUSER/2025-03-01/us-east-1/es/aws4_request, SignedHeaders=host, Signature="
    + "0" * 64,
    "AWS4-HMAC-SHA256 Credential=AKIAUSER/20250301/us-east-1/es/aws4, SignedHeaders=host, Signature=" + "0" * 64,
])
def test_malformed_authorization_headers_are_refused(header):
    with pytest.raises(sigv4.SignatureError):
        sigv4.parse_authorization(header)


def test_parse_authorization_reads_the_scope():
    header = next(v for k, v in signed(ROLE) if k == "Authorization")
    parsed = sigv4.parse_authorization(header)
    assert (parsed.access_key, parsed.date, parsed.region, parsed.service) == ("ASIAROLE", "20250301", "us-east-1",
                                                                                "es")
    assert "host" in parsed.signed_headers and "x-amz-security-token" in parsed.signed_headers
    assert sigv4.is_sigv4(header) and not sigv4.is_sigv4("Basic YWRtaW46eA==") and not sigv4.is_sigv4(None)


def test_the_default_sandbox_keys_sign_as_a_fixed_principal():
    default = sigv4.known_credential(sigv4.DEFAULT_ACCESS_KEY)
    assert default is not None and default.secret_key == "sandbox-secret-key"
    assert default.principal == "arn:aws:iam::123456789012:user/moto" and not default.backend_role
