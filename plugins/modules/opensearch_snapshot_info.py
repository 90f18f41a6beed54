#!/usr/bin/python
# Copyright: Open edX data services maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: opensearch_snapshot_info
short_description: Read the automated snapshots Amazon OpenSearch Service keeps of a domain
version_added: 0.1.0
description:
  - Amazon OpenSearch Service snapshots every domain on its own and keeps the snapshots for 14 days, in a repository
    the service owns (C(cs-automated-enc) on domains encrypted at rest, C(cs-automated) otherwise). No AWS API lists
    them; this module reads them through the domain's C(_snapshot) REST API.
  - The domain cannot take a manual snapshot without a repository registered by the user (an S3 bucket and an IAM
    role), which this collection does not make; the automated snapshots are what a domain of this collection can be
    restored from.
author:
  - Open edX data services maintainers (@openedx)
options:
  repository:
    description:
      - The snapshot repository to read.
      - Unset, C(cs-automated-enc) is read, then C(cs-automated) when the domain has no repository of that name.
    type: str
extends_documentation_fragment:
  - openedx.data_services.opensearch_security
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
attributes:
  check_mode:
    support: full
    description: The module only reads.
  diff_mode:
    support: none
    description: The module changes nothing, so there is nothing to show.
notes:
  - The user needs C(cluster:admin/snapshot/get) on the domain (the master user has it; C(manage_snapshots) grants
    it).
  - I(validate_certs) also applies to the domain endpoint.
"""

EXAMPLES = r"""
- name: Read the domain's automated snapshots
  openedx.data_services.opensearch_snapshot_info:
    endpoint: "https://{{ opensearch_domain_endpoint }}"
    master_username: admin
    master_password: "{{ opensearch_master_password }}"
  register: search_snapshots

- name: Say when the latest one was taken
  ansible.builtin.debug:
    msg: "{{ search_snapshots.latest.snapshot }} at {{ search_snapshots.latest.end_time }}"
  when: search_snapshots.latest
"""

RETURN = r"""
repository:
  description: The repository read.
  returned: always
  type: str
  sample: cs-automated-enc
snapshots:
  description: The repository's snapshots, oldest first, as the snapshot API gives them (without the index list).
  returned: always
  type: list
  elements: dict
  contains:
    snapshot:
      description: The snapshot's name.
      type: str
      sample: 2026-12-01t03-12-44.5f1c1f5a-7cd5-4bd0-98d4-bd8d0f35b4d2
    state:
      description: C(SUCCESS), C(PARTIAL), C(FAILED) or C(IN_PROGRESS).
      type: str
      sample: SUCCESS
    start_time:
      description: When the snapshot started (UTC, ISO 8601).
      type: str
      sample: "2026-12-01T03:12:44.120Z"
    end_time:
      description: When it ended (UTC, ISO 8601); absent while in progress.
      type: str
      sample: "2026-12-01T03:12:46.802Z"
    index_count:
      description: How many indices it holds.
      type: int
      sample: 7
    shards:
      description: Shard totals (C(total), C(successful), C(failed)).
      type: dict
      sample: {"total": 7, "successful": 7, "failed": 0}
latest:
  description: The newest snapshot whose state is C(SUCCESS), or null when there is none.
  returned: always
  type: dict
  sample: {"snapshot": "2026-12-01t03-12-44.5f1c1f5a-7cd5-4bd0-98d4-bd8d0f35b4d2", "state": "SUCCESS",
           "start_time": "2026-12-01T03:12:44.120Z", "end_time": "2026-12-01T03:12:46.802Z", "index_count": 7,
           "shards": {"total": 7, "successful": 7, "failed": 0}}
"""

from typing import Any
from urllib.parse import quote

from ansible_collections.openedx.data_services.plugins.module_utils.modules import DataServicesAWSModule
from ansible_collections.openedx.data_services.plugins.module_utils.opensearch_security import (
    SECURITY_REQUIRED_IF,
    SecurityApiError,
    client_from_module,
    security_argument_spec,
    validate_endpoint,
)

AUTOMATED_REPOSITORIES = ("cs-automated-enc", "cs-automated")


def summarize(snapshot: dict[str, Any]) -> dict[str, Any]:
    """One snapshot of the API's answer, without its (long) index list."""
    summary = {key: snapshot[key] for key in ("snapshot", "state", "start_time", "end_time", "shards")
               if key in snapshot}
    summary["index_count"] = len(snapshot.get("indices") or [])
    return summary


def ordered(snapshots: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Oldest first, by start time (milliseconds when given, else the ISO text, which sorts the same)."""
    return sorted(snapshots, key=lambda s: (s.get("start_time_in_millis") or 0, s.get("start_time") or ""))


def latest_success(snapshots: list[dict[str, Any]]) -> dict[str, Any] | None:
    successes = [snapshot for snapshot in snapshots if snapshot.get("state") == "SUCCESS"]
    return successes[-1] if successes else None


def read_repository(client: Any, repository: str) -> list[dict[str, Any]] | None:
    """The snapshots of a repository, or None when the domain has no repository of that name."""
    status, body = client.request("GET", f"/_snapshot/{quote(repository, safe='')}/_all")
    if status == 404:
        return None
    if not isinstance(body, dict) or not isinstance(body.get("snapshots"), list):
        raise SecurityApiError(f"GET /_snapshot/{repository}/_all answered without a snapshot list", status, body)
    return body["snapshots"]


def main() -> None:
    argument_spec = security_argument_spec()
    argument_spec.update(repository=dict(type="str"))
    module = DataServicesAWSModule(
        argument_spec=argument_spec, required_if=SECURITY_REQUIRED_IF, supports_check_mode=True
    )
    params = module.params
    try:
        validate_endpoint(params["endpoint"])
    except ValueError as e:
        module.fail_json(msg=str(e))
    repositories = [params["repository"]] if params["repository"] else list(AUTOMATED_REPOSITORIES)

    client = client_from_module(module)
    try:
        for repository in repositories:
            found = read_repository(client, repository)
            if found is not None:
                break
        else:
            module.fail_json(msg=f"The domain has no snapshot repository {' or '.join(repositories)}")
    except SecurityApiError as e:
        module.fail_json(msg=e.message, status=e.status)
    snapshots = ordered(found)
    latest = latest_success(snapshots)
    module.exit_json(changed=False, repository=repository, snapshots=[summarize(s) for s in snapshots],
                     latest=summarize(latest) if latest else None)


if __name__ == "__main__":
    main()
