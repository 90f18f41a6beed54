"""The OpenSearch security modules against the sandbox's fake security API over HTTPS: basic auth and SigV4."""

from __future__ import annotations

from typing import Any

import harness
import pytest
from ansible_collections.openedx.data_services.plugins.modules import (
    opensearch_security_info,
    opensearch_security_internal_user,
    opensearch_security_role,
    opensearch_security_role_mapping,
)
from harness import MASTER_PASSWORD
from harness import security_mutations as mutating_calls


class ModuleExit(Exception):
    def __init__(self, result: dict[str, Any]) -> None:
        super().__init__(result.get("msg", ""))
        self.result = result


def run_module(module: Any, args: dict[str, Any], check_mode: bool = False, diff: bool = True) -> dict[str, Any]:
    """The module's result; ModuleExit when it fails (these modules take no AWS region)."""
    run = harness.run_module(module, args, check_mode=check_mode, diff=diff, region=False)
    if run.failed:
        raise ModuleExit(run.result)
    return run.result


LMS_ROLE = {
    "name": "openedx_lms",
    "cluster_permissions": ["cluster_monitor", "cluster_composite_ops"],
    "index_permissions": [{"index_patterns": ["courseware_*"], "allowed_actions": ["crud", "create_index"]}],
}


def test_role_create_then_unchanged_without_put(security_connection, security_server):
    created = run_module(opensearch_security_role, {**security_connection, **LMS_ROLE})
    assert created["changed"] is True
    assert created["role"]["cluster_permissions"] == ["cluster_composite_ops", "cluster_monitor"]
    assert created["role"]["reserved"] is False
    assert created["diff"]["before"] == {}
    assert security_server.store.data["roles"]["openedx_lms"]["index_permissions"][0]["allowed_actions"]

    calls_before = len(security_server.calls)
    again = run_module(opensearch_security_role, {**security_connection, **LMS_ROLE})
    assert again["changed"] is False
    assert security_server.calls[calls_before:] == [("GET", "/_plugins/_security/api/roles/openedx_lms")]


def test_role_update_shows_diff_and_keeps_unset_options(security_connection, security_server):
    run_module(opensearch_security_role, {**security_connection, **LMS_ROLE, "description": "LMS"})
    updated = run_module(
        opensearch_security_role,
        {
            **security_connection,
            "name": "openedx_lms",
            "index_permissions": [{"index_patterns": ["courseware_*"], "allowed_actions": ["read"], "fls": ["~email"]}],
        },
    )
    assert updated["changed"] is True
    assert updated["diff"]["before"]["index_permissions"][0]["allowed_actions"] == ["create_index", "crud"]
    assert updated["diff"]["after"]["index_permissions"][0] == {
        "index_patterns": ["courseware_*"],
        "allowed_actions": ["read"],
        "dls": "",
        "fls": ["~email"],
        "masked_fields": [],
    }
    # Options not given keep their current value.
    assert updated["role"]["cluster_permissions"] == ["cluster_composite_ops", "cluster_monitor"]
    assert updated["role"]["description"] == "LMS"
    assert security_server.store.data["roles"]["openedx_lms"]["index_permissions"][0]["fls"] == ["~email"]


def test_role_check_mode_sends_no_put_or_delete(security_connection, security_server):
    created = run_module(opensearch_security_role, {**security_connection, **LMS_ROLE}, check_mode=True)
    assert created["changed"] is True
    assert "openedx_lms" not in security_server.store.data["roles"]

    run_module(opensearch_security_role, {**security_connection, **LMS_ROLE})
    mutations = len(mutating_calls(security_server))
    changed = run_module(
        opensearch_security_role, {**security_connection, **LMS_ROLE, "cluster_permissions": []}, check_mode=True
    )
    deleted = run_module(
        opensearch_security_role, {**security_connection, "name": "openedx_lms", "state": "absent"}, check_mode=True
    )
    assert changed["changed"] and deleted["changed"]
    assert len(mutating_calls(security_server)) == mutations
    assert security_server.store.data["roles"]["openedx_lms"]["cluster_permissions"]


def test_role_absent_deletes_then_unchanged(security_connection, security_server):
    run_module(opensearch_security_role, {**security_connection, **LMS_ROLE})
    deleted = run_module(opensearch_security_role, {**security_connection, "name": "openedx_lms", "state": "absent"})
    assert deleted["changed"] is True and deleted["role"] == {}
    assert ("DELETE", "/_plugins/_security/api/roles/openedx_lms") in security_server.calls
    assert "openedx_lms" not in security_server.store.data["roles"]
    again = run_module(opensearch_security_role, {**security_connection, "name": "openedx_lms", "state": "absent"})
    assert again["changed"] is False


def test_reserved_role_is_refused_before_any_write(security_connection, security_server):
    with pytest.raises(ModuleExit) as failure:
        run_module(
            opensearch_security_role, {**security_connection, "name": "all_access", "cluster_permissions": ["x"]}
        )
    assert "all_access" in failure.value.result["msg"] and "reserved" in failure.value.result["msg"]
    with pytest.raises(ModuleExit):
        run_module(opensearch_security_role, {**security_connection, "name": "readall", "state": "absent"})
    assert mutating_calls(security_server) == []


def test_bad_input_fails_naming_the_option_before_any_request(security_connection, security_server):
    cases = [
        (
            {"name": "r", "index_permissions": [{"index_patterns": [], "allowed_actions": ["read"]}]},
            "index_permissions[0].index_patterns",
        ),
        ({"name": "r", "auth": "kerberos"}, "auth"),
        ({"name": "r", "endpoint": "http://localhost:9200"}, "endpoint"),
        ({"name": ""}, "name"),
    ]
    for args, option in cases:
        with pytest.raises(ModuleExit) as failure:
            run_module(opensearch_security_role, {**security_connection, **args})
        assert option in failure.value.result["msg"], failure.value.result["msg"]
    with pytest.raises(ModuleExit) as failure:
        run_module(opensearch_security_role, {"endpoint": security_connection["endpoint"], "name": "r"})
    assert "master_username" in failure.value.result["msg"]
    assert security_server.calls == []


def test_wrong_password_is_a_clear_auth_error(security_connection):
    with pytest.raises(ModuleExit) as failure:
        run_module(opensearch_security_role, {**security_connection, **LMS_ROLE, "master_password": "wrong"})
    assert "HTTP 401" in failure.value.result["msg"]
    assert "master_password" in failure.value.result["msg"]
    assert "wrong" not in failure.value.result["msg"]


def test_untrusted_certificate_is_refused(security_connection, security_server):
    with pytest.raises(ModuleExit) as failure:
        run_module(opensearch_security_role, {**security_connection, **LMS_ROLE, "ca_bundle": None})
    assert "Cannot reach the domain" in failure.value.result["msg"]
    assert mutating_calls(security_server) == []


def test_role_mapping_lifecycle(security_connection, security_server):
    run_module(opensearch_security_role, {**security_connection, **LMS_ROLE})
    mapping = {"role": "openedx_lms", "users": ["openedx_lms"], "backend_roles": ["arn:aws:iam::123456789012:role/x"]}
    created = run_module(opensearch_security_role_mapping, {**security_connection, **mapping})
    assert created["changed"] is True
    assert created["role_mapping"]["users"] == ["openedx_lms"]
    puts = len(mutating_calls(security_server))
    assert run_module(opensearch_security_role_mapping, {**security_connection, **mapping})["changed"] is False
    assert len(mutating_calls(security_server)) == puts

    updated = run_module(opensearch_security_role_mapping, {**security_connection, "role": "openedx_lms", "users": []})
    assert updated["diff"]["before"]["users"] == ["openedx_lms"] and updated["diff"]["after"]["users"] == []
    assert updated["role_mapping"]["backend_roles"] == ["arn:aws:iam::123456789012:role/x"]

    # The master user's all_access mapping is not reserved on Amazon OpenSearch Service: it can be extended.
    admin = run_module(
        opensearch_security_role_mapping,
        {**security_connection, "role": "all_access", "backend_roles": ["arn:aws:iam::123456789012:role/director"]},
    )
    assert admin["changed"] is True and admin["role_mapping"]["users"] == ["admin"]

    gone = run_module(
        opensearch_security_role_mapping, {**security_connection, "role": "openedx_lms", "state": "absent"}
    )
    assert gone["changed"] is True
    assert "openedx_lms" not in security_server.store.data["rolesmapping"]


def test_role_mapping_for_a_missing_role_reports_the_api_error(security_connection):
    with pytest.raises(ModuleExit) as failure:
        run_module(opensearch_security_role_mapping, {**security_connection, "role": "nope", "users": ["u"]})
    assert "not available for role-mapping" in failure.value.result["msg"]


def test_internal_user_password_handling(security_connection, security_server):
    user = {
        "name": "openedx_lms",
        "password": "Lms-Search-Pass-1!",
        "backend_roles": ["openedx"],
        "attributes": {"platform": "prod"},
    }
    created = run_module(opensearch_security_internal_user, {**security_connection, **user})
    assert created["changed"] is True
    stored_hash = security_server.store.data["internalusers"]["openedx_lms"]["hash"]
    assert stored_hash and "Lms-Search-Pass-1!" not in stored_hash
    assert "password" not in created["internal_user"] and "hash" not in created["internal_user"]
    assert "Lms-Search-Pass-1!" not in repr(created)

    # on_create: a different password on an existing user changes nothing.
    puts = len(mutating_calls(security_server))
    again = run_module(opensearch_security_internal_user, {**security_connection, **user, "password": "Other-Pass-2!"})
    assert again["changed"] is False and len(mutating_calls(security_server)) == puts

    # Other changes keep the password.
    changed = run_module(
        opensearch_security_internal_user,
        {**security_connection, "name": "openedx_lms", "backend_roles": ["openedx", "search"]},
    )
    assert changed["changed"] is True
    assert security_server.store.data["internalusers"]["openedx_lms"]["hash"] == stored_hash

    rotated = run_module(
        opensearch_security_internal_user,
        {**security_connection, **user, "password": "Rotated-Pass-3!", "update_password": "always"},
    )
    assert rotated["changed"] is True
    assert security_server.store.authenticate("openedx_lms", "Rotated-Pass-3!")
    assert "Rotated-Pass-3!" not in repr(rotated)


def test_internal_user_needs_a_password_to_be_created(security_connection, security_server):
    with pytest.raises(ModuleExit) as failure:
        run_module(opensearch_security_internal_user, {**security_connection, "name": "newbie"})
    assert "password is required" in failure.value.result["msg"]
    assert mutating_calls(security_server) == []


def test_internal_user_check_mode_and_absent(security_connection, security_server):
    user = {"name": "reader", "password": "Reader-Pass-1!"}
    assert run_module(opensearch_security_internal_user, {**security_connection, **user}, check_mode=True)["changed"]
    assert mutating_calls(security_server) == []
    run_module(opensearch_security_internal_user, {**security_connection, **user})
    gone = run_module(opensearch_security_internal_user, {**security_connection, "name": "reader", "state": "absent"})
    assert gone["changed"] is True and "reader" not in security_server.store.data["internalusers"]


def test_info_lists_everything_without_hashes(security_connection, security_server):
    run_module(opensearch_security_role, {**security_connection, **LMS_ROLE})
    run_module(
        opensearch_security_internal_user, {**security_connection, "name": "reader", "password": "Reader-Pass-1!"}
    )
    writes = len(mutating_calls(security_server))
    info = run_module(opensearch_security_info, security_connection)
    assert info["changed"] is False
    assert {"all_access", "readall", "openedx_lms"} <= set(info["roles"])
    assert info["roles"]["all_access"]["reserved"] is True
    assert "all_access" in info["role_mappings"]
    assert set(info["internal_users"]) == {"admin", "reader"}
    assert all("hash" not in user for user in info["internal_users"].values())
    assert MASTER_PASSWORD not in repr(info)

    custom = run_module(
        opensearch_security_info, {**security_connection, "resources": ["roles"], "include_reserved": False}
    )
    assert set(custom) >= {"roles"} and "internal_users" not in custom
    assert list(custom["roles"]) == ["openedx_lms"]

    named = run_module(
        opensearch_security_info,
        {**security_connection, "names": ["openedx_lms", "missing"], "resources": ["roles", "role_mappings"]},
    )
    assert list(named["roles"]) == ["openedx_lms"] and named["role_mappings"] == {}
    assert len(mutating_calls(security_server)) == writes


def test_sigv4_auth_takes_credentials_from_the_aws_options(security_connection, security_server, monkeypatch):
    # Keys the sandbox did not issue: the domain refuses the signature, as AWS refuses an unknown key.
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name, raising=False)
    args = {
        "endpoint": security_connection["endpoint"],
        "ca_bundle": security_connection["ca_bundle"],
        "auth": "sigv4",
        "access_key": "AKIDEXAMPLE",
        "secret_key": "not-a-real-secret",
        "region": "us-east-1",
        **LMS_ROLE,
    }
    with pytest.raises(ModuleExit) as failure:
        run_module(opensearch_security_role, args)
    assert "HTTP 403" in failure.value.result["msg"]
    assert "The security token included in the request is invalid" in failure.value.result["msg"]
    assert security_server.calls == [("GET", "/_plugins/_security/api/roles/openedx_lms")]


READER_ROLE_ARN = "arn:aws:iam::123456789012:role/roster-reader"


def test_sigv4_modules_converge_as_the_iam_master(sigv4_security):
    connection, server = sigv4_security.connection, sigv4_security.server
    mapping = {"role": "openedx_lms", "users": ["openedx_lms"], "backend_roles": [READER_ROLE_ARN]}
    user = {"name": "openedx_lms", "password": "Lms-Pass-1!", "update_password": "on_create"}
    runs = [(opensearch_security_role, LMS_ROLE), (opensearch_security_internal_user, user),
            (opensearch_security_role_mapping, mapping)]

    planned = [run_module(module, {**connection, **args}, check_mode=True)["changed"] for module, args in runs]
    assert planned == [True, True, True]
    assert mutating_calls(server) == []

    assert [run_module(module, {**connection, **args})["changed"] for module, args in runs] == [True, True, True]
    assert server.store.data["rolesmapping"]["openedx_lms"]["backend_roles"] == [READER_ROLE_ARN]
    assert server.store.authenticate("openedx_lms", "Lms-Pass-1!")
    writes = len(mutating_calls(server))
    assert writes == 3

    assert [run_module(module, {**connection, **args})["changed"] for module, args in runs] == [False, False, False]
    assert [run_module(module, {**connection, **args}, check_mode=True)["changed"] for module, args in runs] == \
        [False, False, False]
    assert len(mutating_calls(server)) == writes
    info = run_module(opensearch_security_info, {**connection, "names": ["openedx_lms"]})
    assert info["role_mappings"]["openedx_lms"]["backend_roles"] == [READER_ROLE_ARN]


def test_sigv4_as_a_principal_that_is_not_the_master_is_refused_clearly(sigv4_security):
    # The sandbox's default keys are a known principal, but not this domain's master.
    args = {**sigv4_security.connection, "access_key": "sandbox-access-key", "secret_key": "sandbox-secret-key",
            **LMS_ROLE}
    with pytest.raises(ModuleExit) as failure:
        run_module(opensearch_security_role, args)
    assert "HTTP 403" in failure.value.result["msg"]
    assert "User arn:aws:iam::123456789012:user/moto with roles [] does not have any access" in \
        failure.value.result["msg"]
    wrong_secret = {**sigv4_security.connection, "secret_key": "x" * 40, **LMS_ROLE}
    with pytest.raises(ModuleExit) as failure:
        run_module(opensearch_security_role, wrong_secret)
    assert "signature we calculated does not match" in failure.value.result["msg"]
    assert mutating_calls(sigv4_security.server) == []
