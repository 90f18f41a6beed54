# Copyright: Open edX data services maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

from collections.abc import Callable

from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags

COLLECTION_NAME = "openedx.data_services"
# Keep in step with galaxy.yml.
COLLECTION_VERSION = "0.1.0"


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
