#!/usr/bin/python
# Copyright: Open edX data services maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: environment_report_info
version_added: 0.1.0
short_description: Read what AWS says of an environment's data services, for the live report
description:
  - Reads, with describe, list and get calls only, what the live report (C(playbooks/report.yml)) shows and checks
    of an environment's data services. The report is built from this result, not from the inventory.
  - For each resource of O(resources), its description and what it needs read besides. An RDS instance, its
    parameter group's user-set parameters and its newest automated and manual snapshots (3 calls). A DocumentDB
    cluster, its instances, every parameter of its cluster parameter group, its subnet group and its newest snapshots
    (5 calls). An OpenSearch domain (1 call). An ElastiCache replication group, its first node (engine version,
    parameter group, maintenance window, security groups), the user-set parameters, its subnet group and its newest
    snapshots (5 calls). Then the log groups its logs go to (1 call per resource).
  - Once for the environment, whatever the resources. The key of O(kms_key_id), its rotation and its policy (3
    calls), and every alias of the account (1 call) to name the keys the resources use. The VPC, its security
    groups and the resources' subnets (3 calls). The CloudWatch Logs resource policies (1 call). The metric alarms
    named with O(alarm_name_prefix) (1 call) and the encryption of each SNS topic they notify (1 call per topic).
    The secrets named with O(secret_name_prefix) (1 call; their values are never read).
  - A resource that does not exist is not an error (RV(resources[].found) is false), nor is a read AWS refuses; its
    message is returned in RV(errors) and the other reads still happen.
author:
  - Open edX data services maintainers (@openedx)
options:
  resources:
    description:
      - The resources to read, one entry per service.
    type: list
    elements: dict
    default: []
    suboptions:
      service:
        description: The service's name in the result, such as C(mysql).
        type: str
        required: true
      kind:
        description: What the resource is.
        type: str
        required: true
        choices: [rds_instance, docdb_cluster, opensearch_domain, elasticache_replication_group]
      identifier:
        description:
          - The DB instance identifier, the DocumentDB cluster identifier, the domain name or the replication group
            ID.
        type: str
        required: true
  kms_key_id:
    description:
      - The environment's KMS key, as a key ID, key ARN, alias name (C(alias/...)) or alias ARN.
    type: str
    required: true
  vpc_id:
    description:
      - The environment's VPC; its security groups are read, to show each rule's source by name.
    type: str
    required: true
  alarm_name_prefix:
    description:
      - Read the metric alarms whose name starts with this prefix, such as C(openedx-prod-).
      - Empty reads every metric alarm of the region.
    type: str
    default: ""
  secret_name_prefix:
    description:
      - Read the secrets whose name starts with this prefix, such as C(openedx/prod/). Empty reads none.
    type: str
    default: ""
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
  platform:
    platforms: aws
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Read what AWS says of the production data services
  openedx.data_services.environment_report_info:
    resources:
      - {service: mysql, kind: rds_instance, identifier: openedx-prod-mysql}
      - {service: redis, kind: elasticache_replication_group, identifier: openedx-prod-redis}
    kms_key_id: alias/openedx-prod-data-services
    vpc_id: vpc-0d5a0000000000001
    alarm_name_prefix: openedx-prod-
    secret_name_prefix: openedx/prod/
  register: environment

- name: Say how many API calls the read made
  ansible.builtin.debug:
    msg: "{{ environment.api_calls.values() | sum }} calls"
"""

RETURN = r"""
resources:
  description: One entry per resource of O(resources), in that order.
  returned: always
  type: list
  elements: dict
  contains:
    service:
      description: The service's name, as given.
      type: str
      sample: mysql
    kind:
      description: What the resource is, as given.
      type: str
      sample: rds_instance
    identifier:
      description: The resource's identifier, as given.
      type: str
      sample: openedx-prod-mysql
    found:
      description: Whether the resource exists.
      type: bool
      sample: true
    instance:
      description: An RDS instance as C(DescribeDBInstances) gives it, in snake_case.
      returned: kind is C(rds_instance) and the instance exists
      type: dict
    cluster:
      description: A DocumentDB cluster as C(DescribeDBClusters) gives it, in snake_case.
      returned: kind is C(docdb_cluster) and the cluster exists
      type: dict
    instances:
      description: The DocumentDB cluster's instances as C(DescribeDBInstances) gives them, in snake_case.
      returned: kind is C(docdb_cluster) and the cluster exists
      type: list
      elements: dict
    domain:
      description: The OpenSearch domain, as M(openedx.data_services.opensearch_domain_info) returns one.
      returned: kind is C(opensearch_domain) and the domain exists
      type: dict
    replication_group:
      description: The replication group as C(DescribeReplicationGroups) gives it, in snake_case.
      returned: kind is C(elasticache_replication_group) and the group exists
      type: dict
    node:
      description: The replication group's first node as C(DescribeCacheClusters) gives it, in snake_case.
      returned: kind is C(elasticache_replication_group) and the group exists
      type: dict
    parameter_group:
      description: The replication group's cache parameter group.
      returned: kind is C(elasticache_replication_group) and the group exists
      type: str
      sample: openedx-prod-redis-redis7
    parameters:
      description:
        - The parameters of the resource's parameter group, by name. Those set in the group for RDS and
          ElastiCache (an absent one has its engine default), every one for DocumentDB.
      returned: the resource exists and is not an OpenSearch domain
      type: dict
      sample: {"require_secure_transport": "1"}
    snapshots:
      description: The newest automated and the newest manual snapshot, or null when there is none.
      returned: the resource exists and is not an OpenSearch domain
      type: dict
      contains:
        automated:
          description: C(identifier), C(time), C(status) and C(kms_key_id) of the newest automated snapshot.
          type: dict
        manual:
          description: C(identifier), C(time), C(status) and C(kms_key_id) of the newest manual snapshot.
          type: dict
    subnet_ids:
      description: The subnets the resource is placed in (its subnet group's, or the domain's).
      returned: the resource exists
      type: list
      elements: str
    security_group_ids:
      description: The security groups of the resource.
      returned: the resource exists
      type: list
      elements: str
    log_groups:
      description:
        - The CloudWatch Logs groups the resource sends its logs to, as C(log_type) and C(log_group) (and the
          delivery C(status) for ElastiCache).
      returned: the resource exists
      type: list
      elements: dict
kms_key:
  description:
    - The key of O(kms_key_id) as C(DescribeKey) gives it, in snake_case, with C(rotation_enabled) and C(policy) (the
      key policy as a dict). Null when no such key exists.
  returned: always
  type: dict
aliases:
  description: Every alias name of the account's keys, by key ID.
  returned: always
  type: dict
  sample: {"3915d3d7-15b2-4d88-a663-5b6ae593c8a3": ["alias/openedx-prod-data-services"]}
vpc:
  description: The VPC, C(found) and its C(cidr_blocks).
  returned: always
  type: dict
security_groups:
  description: Every security group of the VPC by ID, with C(group_name), C(vpc_id), C(tags) and C(ip_permissions).
  returned: always
  type: dict
subnets:
  description:
    - The resources' subnets by ID, with C(vpc_id), C(availability_zone), C(cidr_block) and
      C(map_public_ip_on_launch).
  returned: always
  type: dict
log_groups:
  description: The resources' log groups that exist, by name, with C(kms_key_id), C(retention_in_days) and C(arn).
  returned: always
  type: dict
log_resource_policies:
  description: The account's CloudWatch Logs resource policies, as C(policy_name) and C(policy_document).
  returned: always
  type: list
  elements: dict
alarms:
  description:
    - The metric alarms read, each with C(alarm_name), C(metrics) (C(namespace), C(metric_name) and C(dimensions) as a
      dict), C(comparison_operator), C(threshold), C(state_value), C(actions_enabled) and C(alarm_actions).
  returned: always
  type: list
  elements: dict
topics:
  description: The SNS topics the alarms notify, by ARN, with C(found) and C(kms_master_key_id).
  returned: always
  type: dict
secrets:
  description: The secrets read, with C(name), C(arn), C(kms_key_id) and C(deleted). Never their values.
  returned: always
  type: list
  elements: dict
errors:
  description: The message of each read AWS refused, by what was read.
  returned: always
  type: dict
  sample: {"alarms": "An error occurred (AccessDenied) when calling the DescribeAlarms operation"}
api_calls:
  description: How many calls of each operation the read made, keyed C(service:Operation); a page is a call.
  returned: always
  type: dict
  sample: {"rds:DescribeDBInstances": 1, "kms:DescribeKey": 1}
"""

from typing import Any

from ansible_collections.openedx.data_services.plugins.module_utils import report
from ansible_collections.openedx.data_services.plugins.module_utils.modules import DataServicesAWSModule


def main() -> None:
    argument_spec = dict(
        resources=dict(type="list", elements="dict", default=[], options=dict(
            service=dict(type="str", required=True),
            kind=dict(type="str", required=True, choices=list(report.KINDS)),
            identifier=dict(type="str", required=True),
        )),
        kms_key_id=dict(type="str", required=True),
        vpc_id=dict(type="str", required=True),
        alarm_name_prefix=dict(type="str", default=""),
        secret_name_prefix=dict(type="str", default="", no_log=False),
    )
    module = DataServicesAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    params = module.params
    counter = report.CallCounter()
    clients: dict[str, Any] = {}

    def client(name: str) -> Any:
        if name not in clients:
            clients[name] = counter.attach(module.client(name))
        return clients[name]

    reads = report.Reads()
    resources = []
    for resource in params["resources"]:
        kind = resource["kind"]
        found = report.READERS[kind](client(report.CLIENTS[kind]), resource["identifier"], reads)
        resources.append({**resource, **found})

    log_groups: dict[str, Any] = {}
    for resource in resources:
        names = [entry["log_group"] for entry in resource.get("log_groups", [])]
        log_groups.update(report.read_log_groups(client("logs"), names, reads))

    kms = client("kms")
    alarms = report.read_alarms(client("cloudwatch"), params["alarm_name_prefix"], reads)
    topics = [arn for alarm in alarms for arn in alarm["alarm_actions"] if arn.startswith("arn:aws") and ":sns:" in arn]
    subnet_ids = [subnet for resource in resources for subnet in resource.get("subnet_ids", [])]
    result = {
        "resources": resources,
        "kms_key": report.read_key(kms, params["kms_key_id"], reads),
        "aliases": report.read_aliases(kms, reads),
        **report.read_network(client("ec2"), params["vpc_id"], subnet_ids, reads),
        "log_groups": log_groups,
        "log_resource_policies": report.read_log_resource_policies(client("logs"), reads),
        "alarms": alarms,
        "topics": report.read_topics(client("sns"), topics, reads) if topics else {},
        "secrets": report.read_secrets(client("secretsmanager"), params["secret_name_prefix"], reads)
        if params["secret_name_prefix"] else [],
    }
    module.exit_json(changed=False, errors=reads.errors, api_calls=dict(sorted(counter.calls.items())), **result)


if __name__ == "__main__":
    main()
