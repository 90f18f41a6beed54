"""module_utils/common.py: the collection's identity and the helpers every resource module shares."""

from __future__ import annotations

from pathlib import Path
from unittest import mock

import pytest
import yaml
from ansible_collections.openedx.data_services.plugins.module_utils import common

GALAXY = Path(__file__).resolve().parents[4] / "galaxy.yml"


def test_collection_version_is_galaxy_yml_s() -> None:
    # AnsiballZ ships no galaxy.yml: the version is a constant, kept in step by this test.
    galaxy = yaml.safe_load(GALAXY.read_text())
    assert f"{galaxy['namespace']}.{galaxy['name']}" == common.COLLECTION_NAME
    assert galaxy["version"] == common.COLLECTION_VERSION


ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


@pytest.mark.parametrize(("desired", "expected"), [
    (ARN, True), ("1234abcd-12ab-34cd-56ef-1234567890ab", True), ("other-key", False),
    ("alias/openedx", None), ("arn:aws:kms:us-east-1:123456789012:alias/openedx", None),
])
def test_kms_key_matches(desired: str, expected: bool | None) -> None:
    assert common.kms_key_matches(desired, ARN) is expected


def test_kms_key_arn_resolves_only_what_is_not_an_arn() -> None:
    kms = mock.Mock()
    kms.describe_key.return_value = {"KeyMetadata": {"Arn": ARN}}
    assert common.kms_key_arn(kms, ARN) == ARN
    assert kms.describe_key.call_count == 0
    assert common.kms_key_arn(kms, "alias/openedx") == ARN
    kms.describe_key.assert_called_once_with(KeyId="alias/openedx")


def test_a_different_kms_key_is_refused_with_the_way_to_do_it() -> None:
    kms = mock.Mock()
    kms.describe_key.return_value = {"KeyMetadata": {"Arn": ARN}}
    common.refuse_kms_key_change(lambda: kms, "group g", "alias/same", ARN, "restore a snapshot.")
    common.refuse_kms_key_change(lambda: kms, "group g", None, ARN, "restore a snapshot.")
    with pytest.raises(common.ReplacementRequired, match=r"kms_key_id cannot be changed on group g .*restore a"):
        common.refuse_kms_key_change(lambda: kms, "group g", "other-key", ARN, "restore a snapshot.")


@pytest.mark.parametrize(("current", "desired", "purge", "expected"), [
    ({"a": "1"}, None, True, {"a": "1"}),
    ({"a": "1"}, {"b": "2"}, True, {"b": "2"}),
    ({"a": "1"}, {"b": "2"}, False, {"a": "1", "b": "2"}),
])
def test_merged_tags(current: dict, desired: dict | None, purge: bool, expected: dict) -> None:
    assert common.merged_tags(current, desired, purge) == expected


def test_sync_tags_calls_nothing_in_check_mode() -> None:
    add, remove = mock.Mock(), mock.Mock()
    assert common.sync_tags({"a": "1"}, {"b": "2"}, True, True, add, remove) is True
    assert add.call_count == remove.call_count == 0
    assert common.sync_tags({"a": "1"}, {"b": "2"}, True, False, add, remove) is True
    add.assert_called_once_with({"b": "2"})
    remove.assert_called_once_with(["a"])
    assert common.sync_tags({"a": "1"}, {"a": "1"}, True, False, add, remove) is False


@pytest.mark.parametrize(("value", "weekly", "ok"), [
    ("03:00-04:00", False, True), ("3-4", False, False), ("24:00-01:00", False, False),
    ("mon:04:00-mon:05:00", True, True), ("Mon:04:00-Mon:05:00", True, True), ("monday", True, False),
    ("03:00-04:00", True, False), (None, True, True),
])
def test_window_problem(value: str | None, weekly: bool, ok: bool) -> None:
    problem = common.window_problem("w", value, weekly)
    assert (problem is None) is ok
    assert problem is None or problem.startswith("w ")


def test_batches_of_twenty() -> None:
    assert [len(b) for b in common.batches(list(range(45)))] == [20, 20, 5]
    assert list(common.batches([])) == []
