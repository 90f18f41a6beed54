"""module_utils/opensearch_security: SigV4 signing, retries, comparisons and input checks."""

from __future__ import annotations

import io
import json
from urllib.error import HTTPError

import pytest
from ansible_collections.openedx.data_services.plugins.module_utils import opensearch_security as sec
from botocore.credentials import Credentials


def test_sigv4_headers_sign_for_the_es_service():
    credentials = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "session-token")
    body = json.dumps({"users": ["x"]}).encode()
    headers = sec.sigv4_headers(
        "PUT", "https://vpc-x.us-east-1.es.amazonaws.com/_plugins/_security/api/rolesmapping/r", body,
        {"Content-Type": "application/json"}, credentials, "us-east-1",
    )
    authorization = headers["Authorization"]
    assert authorization.startswith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
    assert "/us-east-1/es/aws4_request" in authorization
    assert "SignedHeaders=" in authorization and "host" in authorization
    assert headers["X-Amz-Security-Token"] == "session-token"
    assert "X-Amz-Date" in headers and len(headers["X-Amz-Content-SHA256"]) == 64
    assert "wJalrXUtnFEMI" not in json.dumps(headers)


def test_sigv4_client_sends_signed_requests(monkeypatch):
    sent = {}

    class Response:
        def getcode(self):
            return 200

        def read(self):
            return b'{"r": {"users": []}}'

    def fake_open_url(url, **kwargs):
        sent.update(url=url, **kwargs)
        return Response()

    monkeypatch.setattr(sec, "open_url", fake_open_url)
    client = sec.SecurityClient("https://vpc-x.eu-west-1.es.amazonaws.com", auth="sigv4",
                                credentials=Credentials("AKID", "SECRET"), region="eu-west-1")
    assert client.get("role_mapping", "r") == {"users": []}
    assert "/eu-west-1/es/aws4_request" in sent["headers"]["Authorization"]
    assert "url_username" not in sent


def _http_error(status: int, body: dict, headers: dict | None = None) -> HTTPError:
    return HTTPError("https://x/", status, "error", headers or {}, io.BytesIO(json.dumps(body).encode()))


def test_retries_throttling_and_server_errors_a_bounded_number_of_times(monkeypatch):
    attempts = []
    sleeps = []

    def always_throttled(url, **kwargs):
        attempts.append(url)
        raise _http_error(429, {"error": "Too Many Requests"})

    monkeypatch.setattr(sec, "open_url", always_throttled)
    client = sec.SecurityClient("https://d.example.com", username="u", password="p", max_attempts=4,
                                sleep=sleeps.append)
    with pytest.raises(sec.SecurityApiError) as failure:
        client.list("role")
    assert len(attempts) == 4 and sleeps == [1.0, 2.0, 4.0]
    assert failure.value.status == 429


def test_retry_then_success_and_no_retry_on_client_errors(monkeypatch):
    answers = [_http_error(503, {}), _http_error(500, {}, {"Retry-After": "0"})]

    class Response:
        def getcode(self):
            return 200

        def read(self):
            return b"{}"

    def flaky(url, **kwargs):
        if answers:
            raise answers.pop(0)
        return Response()

    monkeypatch.setattr(sec, "open_url", flaky)
    sleeps = []
    client = sec.SecurityClient("https://d.example.com", username="u", password="p", sleep=sleeps.append)
    assert client.list("role") == {}
    assert sleeps == [1.0, 0.0]

    calls = []

    def bad_request(url, **kwargs):
        calls.append(url)
        raise _http_error(400, {"status": "BAD_REQUEST", "message": "Invalid configuration"})

    monkeypatch.setattr(sec, "open_url", bad_request)
    with pytest.raises(sec.SecurityApiError, match="HTTP 400: Invalid configuration"):
        client.put("role", "r", {})
    assert len(calls) == 1


def test_not_found_is_none():
    client = sec.SecurityClient("https://d.example.com", username="u", password="p")
    client.request = lambda method, path, body=None: (404, {"status": "NOT_FOUND"})
    assert client.get("internal_user", "ghost") is None


@pytest.mark.parametrize("endpoint", ["http://d.example.com", "d.example.com", "https://d.example.com/path", ""])
def test_endpoint_must_be_a_base_https_url(endpoint):
    with pytest.raises(ValueError, match="endpoint"):
        sec.validate_endpoint(endpoint)


def test_client_refuses_incomplete_auth():
    with pytest.raises(ValueError, match="auth must be one of"):
        sec.SecurityClient("https://d.example.com", auth="digest")
    with pytest.raises(ValueError, match="master_username"):
        sec.SecurityClient("https://d.example.com", auth="basic", username="u")
    with pytest.raises(ValueError, match="region"):
        sec.SecurityClient("https://d.example.com", auth="sigv4", credentials=object())


def test_role_comparison_ignores_order_defaults_and_metadata():
    from_api = {
        "reserved": False, "hidden": False, "static": False, "cluster_permissions": ["b", "a"],
        "index_permissions": [{"index_patterns": ["i*"], "allowed_actions": ["read"], "dls": "", "fls": [],
                               "masked_fields": []}],
        "tenant_permissions": [],
    }
    desired = {"cluster_permissions": ["a", "b"], "index_permissions": [{"index_patterns": ["i*"],
                                                                         "allowed_actions": ["read"]}]}
    assert sec.normalize_role(sec.strip_metadata(from_api)) == sec.normalize_role(desired)


def test_internal_user_normalization_drops_secrets():
    user = sec.normalize_internal_user({"hash": "$2y$12$abc", "password": "p", "backend_roles": ["b"],
                                        "opendistro_security_roles": ["r"], "attributes": {"k": 1}})
    assert user == {"backend_roles": ["b"], "security_roles": ["r"], "attributes": {"k": "1"}, "description": ""}
    body = sec.internal_user_body(user)
    assert body["opendistro_security_roles"] == ["r"] and "password" not in body


def test_protected_entities_are_named_in_the_message():
    assert sec.is_protected({"reserved": True})
    assert not sec.is_protected({"reserved": False, "static": False})
    assert "'all_access' is reserved, static" in sec.protected_message("role", "all_access",
                                                                       {"reserved": True, "static": True})
