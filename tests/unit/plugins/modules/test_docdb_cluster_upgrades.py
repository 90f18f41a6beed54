"""docdb_cluster's decisions on engine versions and settings AWS cannot change in place (before any AWS call)."""

from __future__ import annotations

from typing import Any

import pytest
from ansible_collections.openedx.data_services.plugins.module_utils.common import ReplacementRequired
from ansible_collections.openedx.data_services.plugins.modules import docdb_cluster as module

KEY = "arn:aws:kms:us-east-1:123456789012:key/0d5a0000-0000-0000-0000-000000000001"
OTHER_KEY = "arn:aws:kms:us-east-1:123456789012:key/0d5a0000-0000-0000-0000-000000000002"


def current(**extra: Any) -> dict[str, Any]:
    return {"engine_version": "5.0.0", "instance_class": "db.t3.medium", "instance_count": 1,
            "master_username": "docdbadmin", "db_subnet_group_name": "subnets", "storage_encrypted": True,
            "kms_key_id": KEY, "enabled_cloudwatch_logs_exports": ["audit"], "tags": {}, **extra}


def params(**extra: Any) -> dict[str, Any]:
    return {"identifier": "c", "allow_major_version_upgrade": False, "update_password": "on_create",
            "master_user_password": None, **extra}


@pytest.mark.parametrize(("live", "target", "allowed", "expected"), [
    ("5.0.0", "5.0.0", False, None),
    ("5.0.0", "5.0", False, None),
    ("4.0.0", "5.0.0", True, None),
    ("3.6.0", "5.0.0", True, None),
    ("5.0.0", "8.0.0", True, None),
    ("4.0.0", "5.0.0", False, "allow_major_version_upgrade=true"),
    ("5.0.0", "4.0.0", True, "never downgrades"),
    ("4.0.0", "8.0.0", True, "one step at a time"),
])
def test_engine_versions_move_only_up_along_aws_paths_and_major_only_when_allowed(
        live: str, target: str, allowed: bool, expected: str | None) -> None:
    problem = module.upgrade_problem("c", live, target, allowed)
    assert (problem is None) if expected is None else (expected in problem), problem


def test_a_major_upgrade_is_sent_with_allow_major_version_upgrade() -> None:
    request = module.cluster_modifications(params(allow_major_version_upgrade=True), current(engine_version="4.0.0"),
                                           current(engine_version="5.0.0"))
    assert request == {"EngineVersion": "5.0.0", "AllowMajorVersionUpgrade": True}
    minor = module.cluster_modifications(params(), current(engine_version="5.0.0"), current(engine_version="5.0.1"))
    assert minor == {"EngineVersion": "5.0.1"}


def test_a_major_upgrade_without_the_setting_is_refused_before_any_call() -> None:
    with pytest.raises(ReplacementRequired, match="allow_major_version_upgrade=true"):
        module.cluster_modifications(params(), current(engine_version="4.0.0"), current(engine_version="5.0.0"))


def test_a_new_kms_key_is_refused_with_the_way_to_get_it() -> None:
    with pytest.raises(ReplacementRequired) as raised:
        module.cluster_modifications(params(), current(), current(kms_key_id=OTHER_KEY))
    assert "CopyDBClusterSnapshot with KmsKeyId" in str(raised.value)
    assert "restore the copy into a new cluster" in str(raised.value)
