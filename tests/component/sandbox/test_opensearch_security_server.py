"""The sandbox's fake OpenSearch security plugin REST API, spoken to over HTTPS as a client would."""

from __future__ import annotations

import base64
import datetime
import json
import socket
import ssl
import urllib.request
from collections.abc import Iterator
from urllib.error import HTTPError

import pytest

from sandbox.dataplane import opensearch_security

MASTER = ("master", "Master-Pass-1!")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server(tmp_path, monkeypatch: pytest.MonkeyPatch) -> Iterator[opensearch_security.Server]:
    monkeypatch.setenv("SANDBOX_STATE_DIR", str(tmp_path))
    running = opensearch_security.start("search", _free_port(), *MASTER)
    try:
        yield running
    finally:
        running.stop()


def call(server, method: str, path: str, body=None, auth=MASTER) -> tuple[int, dict]:
    from sandbox import tls

    context = ssl.create_default_context(cafile=str(tls.ca_bundle()))
    headers = {"Content-Type": "application/json"}
    if auth:
        headers["Authorization"] = "Basic " + base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(server.endpoint + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, context=context, timeout=10) as response:
            return response.status, json.loads(response.read())
    except HTTPError as e:
        return e.code, json.loads(e.read())


API = "/_plugins/_security/api"


def test_serves_tls_signed_by_the_sandbox_ca_on_the_requested_port(server):
    status, info = call(server, "GET", "/")
    assert status == 200 and info["version"]["distribution"] == "opensearch"
    assert server.port > 0 and server.endpoint.endswith(f":{server.port}")


def test_requests_without_valid_credentials_get_401(server):
    assert call(server, "GET", f"{API}/roles", auth=None)[0] == 401
    assert call(server, "GET", f"{API}/roles", auth=("master", "wrong"))[0] == 401


def test_role_crud_with_realistic_responses(server):
    role = {"cluster_permissions": ["cluster_monitor"],
            "index_permissions": [{"index_patterns": ["logs-*"], "allowed_actions": ["read"]}]}
    assert call(server, "PUT", f"{API}/roles/app", role) == (201, {"status": "CREATED", "message": "'app' created."})
    status, got = call(server, "GET", f"{API}/roles/app")
    assert status == 200
    assert got["app"] == {
        "reserved": False, "hidden": False, "static": False, "cluster_permissions": ["cluster_monitor"],
        "index_permissions": [{"index_patterns": ["logs-*"], "dls": "", "fls": [], "masked_fields": [],
                               "allowed_actions": ["read"]}],
        "tenant_permissions": [],
    }
    assert call(server, "PUT", f"{API}/roles/app", role) == (200, {"status": "OK", "message": "'app' updated."})
    assert "app" in call(server, "GET", f"{API}/roles")[1]
    assert call(server, "DELETE", f"{API}/roles/app") == (200, {"status": "OK", "message": "'app' deleted."})
    assert call(server, "GET", f"{API}/roles/app") == (404, {"status": "NOT_FOUND",
                                                              "message": "Resource 'app' not found."})
    assert call(server, "DELETE", f"{API}/roles/app")[0] == 404


def test_reserved_builtins_cannot_be_changed(server):
    roles = call(server, "GET", f"{API}/roles")[1]
    assert roles["all_access"]["reserved"] is True and roles["readall"]["reserved"] is True
    assert call(server, "PUT", f"{API}/roles/all_access", {"cluster_permissions": []})[0] == 403
    assert call(server, "DELETE", f"{API}/roles/readall") == (403, {"status": "FORBIDDEN",
                                                                    "message": "Resource 'readall' is reserved."})


def test_bad_bodies_are_rejected(server):
    assert call(server, "PUT", f"{API}/roles/x", {"clusterPermissions": []})[0] == 400
    assert call(server, "PUT", f"{API}/roles/x", {"cluster_permissions": "all"})[0] == 400
    assert call(server, "PUT", f"{API}/rolesmapping/no_such_role", {"users": ["u"]})[0] == 400


def test_internal_users_hash_passwords_and_never_return_them(server):
    assert call(server, "PUT", f"{API}/internalusers/app", {"backend_roles": ["b"]})[0] == 400  # no password
    created = call(server, "PUT", f"{API}/internalusers/app", {"password": "App-Pass-1!", "backend_roles": ["b"]})
    assert created[0] == 201
    user = call(server, "GET", f"{API}/internalusers/app")[1]["app"]
    assert user["hash"] == "" and "password" not in user and user["backend_roles"] == ["b"]
    stored = server.store.data["internalusers"]["app"]["hash"]
    assert "App-Pass-1!" not in stored
    # An update without a password keeps it.
    assert call(server, "PUT", f"{API}/internalusers/app", {"backend_roles": []})[0] == 200
    assert server.store.data["internalusers"]["app"]["hash"] == stored
    # The new user authenticates but is not mapped to an admin role, so the API is forbidden to it.
    assert call(server, "GET", "/_plugins/_security/authinfo", auth=("app", "App-Pass-1!"))[1]["user_name"] == "app"
    assert call(server, "GET", f"{API}/roles", auth=("app", "App-Pass-1!"))[0] == 403


def test_master_user_is_mapped_to_admin_roles(server):
    mappings = call(server, "GET", f"{API}/rolesmapping")[1]
    assert mappings["all_access"]["users"] == ["master"] and mappings["all_access"]["reserved"] is False
    info = call(server, "GET", "/_plugins/_security/authinfo")[1]
    assert {"all_access", "security_manager"} <= set(info["roles"])


def test_calls_are_recorded_and_state_survives_a_restart(server, tmp_path):
    call(server, "PUT", f"{API}/roles/kept", {"cluster_permissions": ["cluster_monitor"]})
    assert ("PUT", f"{API}/roles/kept") in server.calls
    assert (tmp_path / "opensearch" / "search-security.json").stat().st_mode & 0o077 == 0
    server.stop()
    restarted = opensearch_security.start("search", 0, *MASTER)
    try:
        assert call(restarted, "GET", f"{API}/roles/kept")[0] == 200
    finally:
        restarted.stop()


def test_cluster_health_answers_any_authenticated_internal_user(server):
    assert call(server, "PUT", f"{API}/internalusers/app", {"password": "App-Pass-1!"})[0] == 201
    for user in (MASTER, ("app", "App-Pass-1!")):
        status, health = call(server, "GET", "/_cluster/health", auth=user)
        assert status == 200
        assert health["cluster_name"] == "123456789012:search"
        assert (health["status"], health["number_of_nodes"], health["number_of_data_nodes"]) == ("green", 1, 1)
        assert health["unassigned_shards"] == 0 and health["timed_out"] is False
    assert call(server, "GET", "/_cluster/health", auth=None)[0] == 401
    assert call(server, "GET", "/_cluster/health", auth=("app", "wrong"))[0] == 401


def test_cluster_health_counts_the_domain_nodes(tmp_path, monkeypatch):
    monkeypatch.setenv("SANDBOX_STATE_DIR", str(tmp_path))
    running = opensearch_security.start("big", 0, *MASTER, data_nodes=3, master_nodes=3)
    try:
        health = call(running, "GET", "/_cluster/health")[1]
        assert (health["number_of_nodes"], health["number_of_data_nodes"], health["active_shards"]) == (6, 3, 3)
    finally:
        running.stop()


# --- automated snapshots ----------------------------------------------------------------------------------------


def test_automated_snapshots_are_hourly_from_activation_and_the_last_336_are_kept(server):
    assert call(server, "GET", "/_snapshot/cs-automated/_all") == (200, {"snapshots": []})  # not active yet
    now = datetime.datetime.now(datetime.UTC)
    server.activate(now - datetime.timedelta(hours=3, minutes=10))
    call(server, "PUT", "/courses/_doc/1", {"title": "Demo"})
    snapshots = call(server, "GET", "/_snapshot/cs-automated/_all")[1]["snapshots"]
    starts = [datetime.datetime.fromisoformat(s["start_time"]) for s in snapshots]
    assert [round((now - start).total_seconds() / 60) for start in starts] == [190, 130, 70, 10]
    first = snapshots[0]
    assert first["snapshot"] == f"{starts[0]:%Y-%m-%dt%H-%M-%S}.{first['snapshot'].split('.', 1)[1]}"
    assert (first["state"], first["version"], first["include_global_state"], first["indices"]) == (
        "SUCCESS", "2.13.0", True, [".opendistro_security"])  # the courses index is newer than every snapshot
    assert first["end_time_in_millis"] - first["start_time_in_millis"] == first["duration_in_millis"] == 1000
    assert first["shards"] == {"total": 1, "failed": 0, "successful": 1}
    # The same snapshots on every request, by name too.
    assert call(server, "GET", f"/_snapshot/cs-automated/{first['snapshot']}")[1] == {"snapshots": [first]}
    assert call(server, "GET", "/_snapshot/cs-automated/2020-01-01t00-00-00.missing")[1]["error"]["type"] == (
        "snapshot_missing_exception")

    server.activate(now - datetime.timedelta(days=20))
    kept = call(server, "GET", "/_snapshot/cs-automated/_all")[1]["snapshots"]
    assert len(kept) == 336
    assert now - datetime.timedelta(days=14) < datetime.datetime.fromisoformat(kept[0]["start_time"])
    # An hour from now the snapshot holds the courses index too.
    assert server.automated_snapshots(now + datetime.timedelta(hours=1))[-1]["indices"] == [
        ".opendistro_security", "courses"]

    server.activate(now)
    [running] = call(server, "GET", "/_snapshot/cs-automated/_all")[1]["snapshots"]
    assert (running["state"], running["end_time_in_millis"], running["shards"]["successful"]) == (
        "IN_PROGRESS", 0, 0)


def test_automated_snapshots_need_the_snapshot_permission(server):
    server.activate()
    server.set_encrypted(True)
    assert call(server, "GET", "/_snapshot/cs-automated-enc/_all")[0] == 200
    missing = call(server, "GET", "/_snapshot/cs-automated/_all")
    assert missing == (404, {"error": {"root_cause": [{"type": "repository_missing_exception",
                                                       "reason": "[cs-automated] missing"}],
                                       "type": "repository_missing_exception", "reason": "[cs-automated] missing"},
                             "status": 404})
    for name in ("reader", "operator"):
        call(server, "PUT", f"{API}/internalusers/{name}", {"password": "Reader-Pass-1!"})
    call(server, "PUT", f"{API}/rolesmapping/readall", {"users": ["reader"]})
    call(server, "PUT", f"{API}/rolesmapping/manage_snapshots", {"users": ["operator"]})
    status, refused = call(server, "GET", "/_snapshot/cs-automated-enc/_all", auth=("reader", "Reader-Pass-1!"))
    assert status == 403
    assert refused["error"]["reason"].startswith(
        "no permissions for [cluster:admin/snapshot/get] and User [name=reader")
    assert call(server, "GET", "/_snapshot/cs-automated-enc/_all", auth=("operator", "Reader-Pass-1!"))[0] == 200
    assert call(server, "GET", "/_snapshot/cs-automated-enc/_all", auth=None)[0] == 401
    assert call(server, "PUT", "/_snapshot/cs-automated-enc/mine", {})[0] == 405
