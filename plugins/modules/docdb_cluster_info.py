#!/usr/bin/python
# Copyright: Open edX data services maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: docdb_cluster_info
version_added: 0.1.0
short_description: Describe Amazon DocumentDB clusters and their instances
description:
  - Describe one DocumentDB cluster, or all of them, with their tags and instances.
author:
  - Open edX data services maintainers (@openedx)
options:
  identifier:
    description:
      - The cluster to describe. All DocumentDB clusters of the region when omitted.
    type: str
    aliases: [db_cluster_identifier]
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
- name: Describe the platform's DocumentDB cluster
  openedx.data_services.docdb_cluster_info:
    identifier: openedx-prod-docdb
  register: docdb

- name: Show its endpoints
  ansible.builtin.debug:
    msg: "{{ docdb.clusters[0].endpoint }} / {{ docdb.clusters[0].reader_endpoint }}"
"""

RETURN = r"""
clusters:
  description: The clusters, as M(openedx.data_services.docdb_cluster) returns one. Empty when none matches.
  returned: always
  type: list
  elements: dict
  contains:
    db_cluster_identifier:
      description: The cluster identifier.
      type: str
      sample: openedx-prod-docdb
    status:
      description: The cluster status.
      type: str
      sample: available
    endpoint:
      description: The writer endpoint.
      type: str
      sample: openedx-prod-docdb.cluster-c1a2b3.us-east-1.docdb.amazonaws.com
    reader_endpoint:
      description: The load-balanced reader endpoint.
      type: str
      sample: openedx-prod-docdb.cluster-ro-c1a2b3.us-east-1.docdb.amazonaws.com
    port:
      description: The port.
      type: int
      sample: 27017
    db_cluster_members:
      description: The instances and which one is the writer.
      type: list
      elements: dict
      sample: [{"db_instance_identifier": "openedx-prod-docdb-1", "is_cluster_writer": true}]
    tags:
      description: The cluster's tags.
      type: dict
      sample: {"environment": "prod"}
    instances:
      description: The cluster's instances as DescribeDBInstances reports them, in snake_case.
      type: list
      elements: dict
"""

from ansible_collections.openedx.data_services.plugins.module_utils import docdb
from ansible_collections.openedx.data_services.plugins.module_utils.modules import DataServicesAWSModule


def list_clusters(client, identifier: str | None) -> list[dict]:
    return [
        docdb.normalize_cluster(cluster, docdb.list_tags(client, cluster["DBClusterArn"]),
                                docdb.describe_cluster_instances(client, cluster["DBClusterIdentifier"]))
        for cluster in docdb.describe_clusters(client, identifier)
    ]


def main() -> None:
    argument_spec = dict(identifier=dict(type="str", aliases=["db_cluster_identifier"]))
    module = DataServicesAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    client = module.client("docdb")
    try:
        clusters = list_clusters(client, module.params["identifier"])
    except docdb.AnsibleDocDBError as e:
        module.fail_json_aws_error(e)
    module.exit_json(changed=False, clusters=clusters)


if __name__ == "__main__":
    main()
