# Copyright: Open edX data services maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every resource module of the collection shares: its identity, KMS keys, tags, windows, parameter batches
and the refusal of changes AWS cannot make in place."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags

COLLECTION_NAME = "openedx.data_services"
# Modules run inside AnsiballZ, which ships Python files only: galaxy.yml and MANIFEST.json are not there to be
# read. tests/unit/plugins/module_utils/test_common.py fails when this differs from galaxy.yml.
COLLECTION_VERSION = "0.1.0"

# Modify/Reset*ParameterGroup calls of RDS, DocumentDB and ElastiCache take at most 20 parameters each.
MAX_PARAMETERS_PER_CALL = 20

DAILY_WINDOW = re.compile(r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$")
WEEKLY_WINDOW = re.compile(
    r"^(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d-(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d$",
    re.IGNORECASE,
)
TIME_OF_DAY = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
KMS_KEY_ARN = re.compile(r"^arn:aws[a-z-]*:kms:.*:key/")


class ReplacementRequired(Exception):
    """A change AWS cannot make in place; the message says how to make it instead."""


def window_problem(option: str, value: str | None, weekly: bool) -> str | None:
    """Why ``value`` is not a daily (``hh24:mi-hh24:mi``) or weekly (``ddd:hh24:mi-ddd:hh24:mi``) UTC window."""
    if value is None:
        return None
    if weekly and not WEEKLY_WINDOW.match(value):
        return f"{option} must be ddd:hh24:mi-ddd:hh24:mi (UTC), for example mon:04:00-mon:05:00, got {value!r}."
    if not weekly and not DAILY_WINDOW.match(value):
        return f"{option} must be hh24:mi-hh24:mi (UTC), for example 03:00-04:00, got {value!r}."
    return None


def kms_key_matches(desired: str, current: str | None) -> bool | None:
    """True/False when a key id or ARN settles it, None when ``desired`` is an alias that needs resolving."""
    if not current:
        return False
    if desired == current or current.endswith("/" + desired):
        return True
    if desired.startswith("alias/") or ":alias/" in desired:
        return None
    return False


def kms_key_arn(kms_client, key_id: str) -> str:
    """The ARN of a key given as ARN, key id, alias or alias ARN (what the services report)."""
    if KMS_KEY_ARN.match(key_id):
        return key_id
    return kms_client.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]


def refuse_kms_key_change(kms_client: Callable[[], Any], resource: str, desired: str | None,
                          current: str | None, how: str) -> None:
    """Raise ReplacementRequired when ``desired`` names another key than the ``current`` ARN."""
    if not desired:
        return
    same = kms_key_matches(desired, current)
    if same is None:
        same = kms_key_arn(kms_client(), desired) == current
    if not same:
        raise ReplacementRequired(f"kms_key_id cannot be changed on {resource} (it is encrypted with {current}); "
                                  f"{how}")


def parse_policy(policy: str | None, kind: str) -> tuple[dict[str, Any] | None, str | None]:
    """A policy option as a dict, or why it is not one (the option is a JSON string once Ansible checked it)."""
    if policy is None:
        return None, None
    try:
        document = json.loads(policy)
    except ValueError as e:
        return None, f"policy must be a JSON object (a {kind} document) or a dict; it is not valid JSON: {e}."
    if not isinstance(document, dict):
        return None, f"policy must be a JSON object (a {kind} document) or a dict; got a {type(document).__name__}."
    return document, None


def merged_tags(current: dict[str, str], desired: dict[str, str] | None, purge: bool) -> dict[str, str]:
    """The tags a resource has once ``desired`` is applied."""
    if desired is None:
        return dict(current)
    merged = {} if purge else dict(current)
    merged.update(desired)
    return merged


def sync_tags(current: dict[str, str], desired: dict[str, str] | None, purge: bool, check_mode: bool,
              add: Callable[[dict[str, str]], object], remove: Callable[[list[str]], object]) -> bool:
    """Bring a resource's tags from ``current`` to ``desired`` through the service's own ``add``/``remove`` calls.

    ``desired=None`` leaves the tags alone; returns whether anything changes (nothing is called in check mode).
    """
    if desired is None:
        return False
    to_set, to_remove = compare_aws_tags(current, desired, purge)
    if not to_set and not to_remove:
        return False
    if check_mode:
        return True
    if to_remove:
        remove(to_remove)
    if to_set:
        add(to_set)
    return True


def batches(items: list[Any], size: int = MAX_PARAMETERS_PER_CALL) -> Iterator[list[Any]]:
    """``items`` in slices of at most ``size``."""
    for start in range(0, len(items), size):
        yield items[start:start + size]
