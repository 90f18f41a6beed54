"""What rds_mysql and documentdb refuse to change in place, before any AWS change, and what they let through.

The roles decide in their vars (``__rds_mysql_refusals``, ``__documentdb_refusals``, ``__*_major_upgrade``) from the
settings and the resource as AWS describes it; rendered here with Ansible's own templar over the roles' defaults and
vars, as the roles render them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar, trust_as_template

ROOT = Path(__file__).resolve().parents[2]
KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
OTHER_KEY = "arn:aws:kms:us-east-1:123456789012:key/9999abcd-12ab-34cd-56ef-1234567890ab"
FACTS = {"data_services_environment": "prod", "data_services_profile": "prod", "kms_result": {"key_arn": KEY},
         "data_services_result": {"tags": {"Environment": "prod"}}}


def render(role: str, expression: str, **settings: Any) -> Any:
    loader = DataLoader()
    variables: dict[str, Any] = {}
    for path in (ROOT / "roles/data_services/defaults/main.yml", ROOT / "roles" / role / "defaults/main.yml",
                 ROOT / "roles" / role / "vars/main.yml"):
        variables.update(loader.load_from_file(str(path), trusted_as_template=True))
    templar = Templar(loader=loader, variables={**variables, **FACTS, **settings})
    return templar.template(trust_as_template("{{ " + expression + " }}"))


def instance(**extra: Any) -> dict[str, Any]:
    live = {"allocated_storage": 100, "engine_version": "8.0.42", "storage_encrypted": True, "kms_key_id": KEY,
            "db_instance_status": "available", **extra}
    return {"__rds_mysql_found": {"instances": [live]}}


def mysql_refusals(live: dict[str, Any], **settings: Any) -> str:
    return " ".join(render("rds_mysql", "__rds_mysql_refusals", **live, **settings))


@pytest.mark.parametrize("settings", [
    {},  # as it is
    {"rds_mysql_allocated_storage": 110},  # +10 %
    {"rds_mysql_allocated_storage": 80},  # below, within the autoscaling ceiling (200): kept, not refused
    {"rds_mysql_instance_class": "db.r6g.xlarge"},
    {"rds_mysql_engine_version": "8.0.43"},
    {"rds_mysql_engine_version": "8.4.5", "rds_mysql_parameter_group_family": "mysql8.4",
     "rds_mysql_allow_major_version_upgrade": True},
])
def test_mysql_changes_rds_makes_in_place_go_ahead(settings: dict[str, Any]) -> None:
    assert mysql_refusals(instance(), **settings) == ""


def test_a_new_instance_is_never_refused() -> None:
    assert mysql_refusals({"__rds_mysql_found": {"instances": []}}, rds_mysql_engine_version="8.4.5") == ""


@pytest.mark.parametrize(("live", "settings", "expected"), [
    ({"allocated_storage": 300}, {}, "RDS never shrinks storage"),
    ({"allocated_storage": 300}, {}, "mysqldump"),
    ({}, {"rds_mysql_allocated_storage": 105}, "at least 110 GiB"),
    ({"db_instance_status": "storage-optimization"}, {"rds_mysql_allocated_storage": 150}, "six hours"),
    ({"kms_key_id": OTHER_KEY}, {}, "CopyDBSnapshot with KmsKeyId"),
    ({"storage_encrypted": False, "kms_key_id": None}, {}, "encryption"),
    ({"engine_version": "8.4.5"}, {}, "cannot downgrade it to 8.0.42"),
    ({}, {"rds_mysql_engine_version": "8.4.5", "rds_mysql_parameter_group_family": "mysql8.4"},
     "rds_mysql_allow_major_version_upgrade=true"),
])
def test_mysql_changes_rds_cannot_make_in_place_are_refused_with_the_way(
        live: dict[str, Any], settings: dict[str, Any], expected: str) -> None:
    assert expected in mysql_refusals(instance(**live), **settings)


def test_a_mysql_major_upgrade_is_told_apart_from_a_minor_one() -> None:
    assert render("rds_mysql", "__rds_mysql_major_upgrade | bool", **instance(), rds_mysql_engine_version="8.4.5",
                  rds_mysql_parameter_group_family="mysql8.4") is True
    assert render("rds_mysql", "__rds_mysql_major_upgrade | bool", **instance(),
                  rds_mysql_engine_version="8.0.43") is False
    label = render("rds_mysql", "__rds_mysql_upgrade_label | trim", rds_mysql_engine_version="8.4.5")
    assert label.startswith("before-8-4-5-") and len(label) == len("before-8-4-5-") + 14


def cluster(version: str) -> dict[str, Any]:
    return {"__documentdb_live": {"clusters": [{"engine_version": version}]}}


def docdb_refusals(version: str, **settings: Any) -> str:
    return " ".join(render("documentdb", "__documentdb_refusals", **cluster(version), **settings))


@pytest.mark.parametrize(("live", "settings", "expected"), [
    ("5.0.0", {}, ""),
    ("5.0.0", {"documentdb_engine_version": "8.0.0", "documentdb_parameter_group_family": "docdb8.0",
               "documentdb_allow_major_version_upgrade": True}, ""),
    ("4.0.0", {"documentdb_allow_major_version_upgrade": True}, ""),
    ("4.0.0", {}, "documentdb_allow_major_version_upgrade=true"),
    ("8.0.0", {}, "never downgrades"),
    ("4.0.0", {"documentdb_engine_version": "8.0.0", "documentdb_parameter_group_family": "docdb8.0",
               "documentdb_allow_major_version_upgrade": True}, "one major version at a time"),
])
def test_documentdb_engine_versions(live: str, settings: dict[str, Any], expected: str) -> None:
    refusals = docdb_refusals(live, **settings)
    assert (refusals == "") if not expected else (expected in refusals), refusals


def test_a_new_cluster_is_never_refused() -> None:
    assert render("documentdb", "__documentdb_refusals", __documentdb_live={"clusters": []}) == []
