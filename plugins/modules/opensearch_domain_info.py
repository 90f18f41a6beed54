#!/usr/bin/python
# Copyright: Open edX data services maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: opensearch_domain_info
short_description: Describe Amazon OpenSearch Service domains
version_added: 0.1.0
description:
  - Describe one OpenSearch Service domain, or all of them in the region, in the shape
    M(openedx.data_services.opensearch_domain) returns.
  - The master user password is never returned (AWS does not return it either).
author:
  - Open edX data services maintainers (@openedx)
options:
  domain_name:
    description:
      - The domain to describe. All domains of the region when omitted.
      - A domain that does not exist gives an empty list, not an error.
    type: str
    aliases: [name]
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
attributes:
  check_mode:
    support: full
    description: The module only reads.
  diff_mode:
    support: none
    description: The module changes nothing.
"""

EXAMPLES = r"""
- name: Describe the Open edX search domain
  openedx.data_services.opensearch_domain_info:
    domain_name: openedx-prod-search
  register: search

- name: Show its endpoint
  ansible.builtin.debug:
    msg: "https://{{ search.domains[0].endpoint }}"
"""

RETURN = r"""
domains:
  description:
    - The domains, each as RV(openedx.data_services.opensearch_domain#module:domain) (name, ARN, processing state,
      endpoint, cluster and storage settings, network, encryption, access control, log publishing, tags).
  returned: always
  type: list
  elements: dict
  sample:
    - domain_name: openedx-prod-search
      arn: arn:aws:es:us-east-1:123456789012:domain/openedx-prod-search
      engine_version: OpenSearch_2.13
      processing: false
      endpoint: vpc-openedx-prod-search-abc123.us-east-1.es.amazonaws.com
      instance_type: r6g.large.search
      instance_count: 3
      tags: {environment: prod}
"""

from ansible_collections.openedx.data_services.plugins.module_utils.modules import DataServicesAWSModule
from ansible_collections.openedx.data_services.plugins.module_utils.opensearch import (
    AnsibleOpenSearchError,
    describe_domain_state,
    list_domain_names,
)


def main():
    argument_spec = dict(domain_name=dict(type="str", aliases=["name"]))
    module = DataServicesAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    client = module.client("opensearch")
    name = module.params["domain_name"]
    try:
        names = [name] if name else list_domain_names(client)
        domains = [state for state in (describe_domain_state(client, n) for n in names) if state]
    except AnsibleOpenSearchError as e:
        module.fail_json_aws_error(e)
    module.exit_json(changed=False, domains=domains)


if __name__ == "__main__":
    main()
