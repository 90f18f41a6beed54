#!/usr/bin/python
# Copyright: Open edX data services maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: wait_for_resources
version_added: 0.1.0
short_description: Wait until data-service resources are available, printing their progress
description:
  - Waits until every listed resource (RDS instance, DocumentDB cluster with all its instances, ElastiCache
    replication group, OpenSearch domain) is available, and returns each one's endpoints.
  - While waiting, prints one progress line per resource with its state and the time elapsed, when the state
    changes and at least every O(progress_interval) seconds. The polling runs on the controller (an action
    plugin), which calls this module once per poll; each poll is one describe call per resource.
  - Fails at once when a resource is in a state it does not leave on its own (for example C(failed) or
    C(incompatible-parameters)), or is absent outside check mode, and when O(timeout) passes.
  - Lets a playbook start the creation of several resources without waiting (C(wait=false)) and then wait
    for each where its own follow-up work starts, so that creations overlap.
author:
  - Open edX data services maintainers (@openedx)
options:
  resources:
    description:
      - The resources to wait for.
    type: list
    elements: dict
    required: true
    suboptions:
      kind:
        description:
          - The kind of resource.
          - The ready and failed states of each kind are the ones the collection's modules wait for with
            C(wait=true).
          - C(docdb_cluster) is ready when the cluster and every one of its instances are available.
          - C(rds_cluster) (an Aurora cluster) likewise.
          - C(opensearch_domain) is ready when the domain is created, has an endpoint and is not processing
            a change.
          - C(ec2_instance) is ready when running, its endpoint being its private IP address; stopped, stopping,
            shutting down or terminated are failures.
          - C(dynamodb_table) is ready when the table and every one of its global secondary indexes and replicas are
            active.
        type: str
        required: true
        choices: [rds_instance, docdb_cluster, rds_cluster, docdb_cluster_snapshot, elasticache_replication_group,
                  elasticache_snapshot, opensearch_domain, ec2_instance, dynamodb_table]
      name:
        description:
          - The identifier (RDS instance or Aurora cluster, DocumentDB cluster or cluster snapshot), replication
            group id or snapshot name (ElastiCache), domain name (OpenSearch) or instance ID (EC2).
        type: str
        required: true
  timeout:
    description:
      - How many seconds to wait in all before failing.
      - V(0) describes each resource once and returns without waiting.
    type: int
    default: 3600
  delay:
    description:
      - Seconds between two polls.
    type: int
    default: 30
  progress_interval:
    description:
      - Seconds after which an unchanged state is printed again.
    type: int
    default: 30
notes:
  - In check mode the resources are described once, never waited for, and an absent resource (one the run
    would create) is reported with RV(resources[].status=absent) rather than failing.
attributes:
  action:
    support: full
  async:
    support: none
  bypass_host_loop:
    support: none
  check_mode:
    support: full
  diff_mode:
    support: none
  platform:
    platforms: aws
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Start creating the replication group without waiting
  openedx.data_services.elasticache_replication_group:
    replication_group_id: openedx-prod-redis
    # ...
    wait: false

- name: Wait for the cache and the search domain together
  openedx.data_services.wait_for_resources:
    resources:
      - kind: elasticache_replication_group
        name: openedx-prod-redis
      - kind: opensearch_domain
        name: openedx-prod-search
    timeout: 3600
    delay: 30
  register: ready

- name: Use the primary endpoint
  ansible.builtin.debug:
    msg: "rediss://{{ ready.resources[0].endpoint }}:{{ ready.resources[0].port }}"
"""

RETURN = r"""
resources:
  description: One entry per resource, in the order given.
  returned: always
  type: list
  elements: dict
  contains:
    kind:
      description: The kind of resource.
      type: str
      sample: docdb_cluster
    name:
      description: The resource's name.
      type: str
      sample: openedx-prod-docdb
    status:
      description: The state AWS reports, in lower case; V(absent) when it does not exist.
      type: str
      sample: available
    ready:
      description: Whether the resource is available.
      type: bool
      sample: true
    arn:
      description: The resource's ARN (empty when absent).
      type: str
      sample: arn:aws:rds:us-east-1:123456789012:cluster:openedx-prod-docdb
    endpoint:
      description:
        - The address clients connect to, that is the instance or cluster (writer) endpoint, the replication group's
          primary endpoint, the domain's VPC endpoint. Empty until AWS reports it.
      type: str
      sample: openedx-prod-docdb.cluster-c1a2b3.us-east-1.docdb.amazonaws.com
    reader_endpoint:
      description: The load-balanced reader endpoint (DocumentDB, ElastiCache); empty otherwise.
      type: str
      sample: openedx-prod-docdb.cluster-ro-c1a2b3.us-east-1.docdb.amazonaws.com
    port:
      description: The port clients connect to (443 for OpenSearch); null until known.
      type: int
      sample: 27017
    description:
      description: The full describe result, keys in snake case.
      type: dict
      sample: {}
elapsed:
  description: Seconds spent waiting.
  returned: always
  type: int
  sample: 412
"""

import contextlib
import time

from ansible_collections.openedx.data_services.plugins.module_utils import resources as resource_utils
from ansible_collections.openedx.data_services.plugins.module_utils.modules import DataServicesAWSModule

with contextlib.suppress(ImportError):  # a missing botocore is reported by AnsibleAWSModule
    import botocore


def validate(module) -> None:
    params = module.params
    for name in ("timeout", "delay", "progress_interval"):
        if params[name] < 0:
            module.fail_json(msg=f"{name} must be 0 or more seconds, got {params[name]}")
    if params["delay"] == 0 and params["timeout"] > 0:
        module.fail_json(msg="delay must be at least 1 second when timeout is more than 0")
    seen = set()
    for resource in params["resources"]:
        key = (resource["kind"], resource["name"])
        if not resource["name"]:
            module.fail_json(msg=f"resources: a {resource['kind']} needs a name")
        if key in seen:
            module.fail_json(msg=f"resources: {resource['kind']} {resource['name']} is listed twice")
        seen.add(key)


def describe_all(module, clients: dict) -> list[dict]:
    states = []
    for resource in module.params["resources"]:
        kind, name = resource["kind"], resource["name"]
        service = resource_utils.SERVICES[kind]
        if service not in clients:
            clients[service] = module.client(service)
        try:
            state = resource_utils.describe(clients[service], kind, name)
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            module.fail_json_aws(e, msg=f"Failed to describe {kind} {name}")
        states.append({"kind": kind, "name": name, **state})
    return states


def main() -> None:
    argument_spec = dict(
        resources=dict(
            type="list",
            elements="dict",
            required=True,
            options=dict(
                kind=dict(type="str", required=True, choices=list(resource_utils.KINDS)),
                name=dict(type="str", required=True),
            ),
        ),
        timeout=dict(type="int", default=3600),
        delay=dict(type="int", default=30),
        progress_interval=dict(type="int", default=30),
    )
    module = DataServicesAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    validate(module)
    params = module.params
    clients: dict = {}
    started = time.monotonic()
    while True:
        states = describe_all(module, clients)
        elapsed = int(time.monotonic() - started)
        failed = [s for s in states if s["failed"] or (s["status"] == "absent" and not module.check_mode)]
        if failed:
            module.fail_json(
                msg="; ".join(f"{s['kind']} {s['name']} is {s['status']}" for s in failed)
                + " and will not become available by waiting",
                resources=states, elapsed=elapsed,
            )
        if module.check_mode or params["timeout"] == 0 or all(s["ready"] for s in states):
            module.exit_json(changed=False, resources=states, elapsed=elapsed)
        if elapsed + params["delay"] > params["timeout"]:
            module.fail_json(
                msg=f"Timed out after {elapsed}s (timeout {params['timeout']}s) waiting for "
                + ", ".join(f"{s['kind']} {s['name']} ({s['status']})" for s in states if not s["ready"]),
                resources=states, elapsed=elapsed,
            )
        time.sleep(params["delay"])


if __name__ == "__main__":
    main()
