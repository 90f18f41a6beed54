"""sandbox/dataplane/opensearch_security: who gets which roles and permissions (fine-grained access control)."""

from __future__ import annotations

import pytest

from sandbox.dataplane import opensearch_security as security
from sandbox.dataplane.sigv4 import Credential

MASTER_ARN = "arn:aws:iam::123456789012:user/search-admin"
READER_ROLE = "arn:aws:iam::123456789012:role/roster-reader"
APP_USER_ARN = "arn:aws:iam::123456789012:user/app"


@pytest.fixture
def store() -> security.SecurityStore:
    store = security.SecurityStore("admin", "Admin-Pass-1!", master_arn=MASTER_ARN)
    store.data["roles"]["roster_reader"] = {"cluster_permissions": [], "index_permissions": [
        {"index_patterns": ["roster_*"], "allowed_actions": ["read"]}]}
    store.data["roles"]["app_writer"] = {"cluster_permissions": [], "index_permissions": [
        {"index_patterns": ["courses"], "allowed_actions": ["crud"]}]}
    store.data["rolesmapping"]["roster_reader"] = {"backend_roles": [READER_ROLE], "users": []}
    store.data["rolesmapping"]["app_writer"] = {"backend_roles": [], "users": [APP_USER_ARN, "openedx"]}
    return store


def signed(principal: str, role: bool = False) -> security.Principal:
    return security.SecurityStore.signed(Credential("AKIA", "secret", principal, backend_role=role))


@pytest.mark.parametrize(("allowed", "action", "expected"), [
    (["read"], "indices:data/read/search", True),
    (["read"], "indices:data/write/index", False),
    (["crud"], "indices:data/write/delete", True),
    (["search"], "indices:data/read/get", False),
    (["get"], "indices:data/read/get", True),
    (["indices_all"], "indices:data/write/index", True),
    (["*"], "indices:data/write/index", True),
    (["indices:data/read/search*"], "indices:data/read/search", True),
    (["indices:data/read/search*"], "indices:data/read/get", False),
    ([], "indices:data/read/search", False),
])
def test_allowed_actions_expand_action_groups(allowed, action, expected):
    assert security.allows(allowed, action) is expected


def test_an_assumed_role_gets_the_roles_its_role_arn_is_mapped_to_as_a_backend_role(store):
    reader = signed(READER_ROLE, role=True)
    assert reader.backend_roles == (READER_ROLE,) and reader.iam
    assert store.roles_of(reader) == ["roster_reader"]
    assert not store.is_admin(reader)
    assert store.permitted(reader, "indices:data/read/search", "roster_1_2")
    assert not store.permitted(reader, "indices:data/write/index", "roster_1_2")
    assert not store.permitted(reader, "indices:data/read/search", "courses")


def test_an_iam_user_is_matched_by_its_arn_as_a_user_not_as_a_backend_role(store):
    app = signed(APP_USER_ARN)
    assert app.backend_roles == ()
    assert store.roles_of(app) == ["app_writer"]
    store.data["rolesmapping"]["roster_reader"]["backend_roles"].append(APP_USER_ARN)
    assert store.roles_of(app) == ["app_writer"]


def test_the_iam_master_is_admin_and_nobody_else_signed(store):
    assert store.roles_of(signed(MASTER_ARN)) == ["all_access", "security_manager"]
    assert store.is_admin(signed(MASTER_ARN))
    assert store.permitted(signed(MASTER_ARN), "indices:data/write/index", "anything")
    assert store.roles_of(signed("arn:aws:iam::123456789012:user/stranger")) == []
    store.master_arn = None
    assert not store.is_admin(signed(MASTER_ARN))


def test_only_a_signed_request_is_the_iam_master_and_internal_users_keep_their_mappings(store):
    assert not store.is_admin(security.Principal(MASTER_ARN))
    assert store.is_admin("admin") and store.is_admin(store.internal("admin"))
    assert store.roles_of(store.internal("openedx")) == ["app_writer"]


def test_internal_users_get_their_backend_roles_and_security_roles(store):
    store.data["internalusers"]["analyst"] = {"hash": "", "backend_roles": [READER_ROLE],
                                              "opendistro_security_roles": ["readall"]}
    analyst = store.internal("analyst")
    assert analyst.backend_roles == (READER_ROLE,) and not analyst.iam
    assert store.roles_of(analyst) == ["readall", "roster_reader"]


def test_and_backend_roles_need_every_one_of_them(store):
    store.data["rolesmapping"]["readall"] = {"and_backend_roles": ["a", "b"], "backend_roles": [], "users": []}
    assert "readall" not in store.roles_of(security.Principal("x", ("a",)))
    assert "readall" in store.roles_of(security.Principal("x", ("a", "b")))


def test_principals_render_as_the_plugin_names_users():
    assert signed(READER_ROLE, role=True).describe() == (
        f"User [name={READER_ROLE}, backend_roles=[{READER_ROLE}], requestedTenant=null]")
