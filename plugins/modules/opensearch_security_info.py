#!/usr/bin/python
# Copyright: Open edX data services maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: opensearch_security_info
short_description: List the roles, role mappings and internal users of an OpenSearch domain's security plugin
version_added: 0.1.0
description:
  - Reads the roles, role mappings and internal users of an Amazon OpenSearch Service domain with
    fine-grained access control, through the domain's security plugin REST API.
  - Internal users are returned without their password hashes.
author:
  - Open edX data services maintainers (@openedx)
options:
  resources:
    description:
      - Which kinds of entity to read.
    type: list
    elements: str
    choices: [roles, role_mappings, internal_users]
    default: [roles, role_mappings, internal_users]
  names:
    description:
      - Read only the entities with these names (missing ones are left out of the result).
      - All entities of each kind when unset.
    type: list
    elements: str
  include_reserved:
    description:
      - Whether to include the security plugin's reserved, static and hidden entities.
    type: bool
    default: true
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
  - I(validate_certs) also applies to the domain endpoint.
"""

EXAMPLES = r"""
- name: Read the domain's security configuration
  openedx.data_services.opensearch_security_info:
    endpoint: "https://{{ opensearch_domain_endpoint }}"
    master_username: admin
    master_password: "{{ opensearch_master_password }}"
  register: opensearch_security

- name: Read the roles the platform defines, signing with the director's IAM role
  openedx.data_services.opensearch_security_info:
    endpoint: "https://{{ opensearch_domain_endpoint }}"
    auth: sigv4
    region: us-east-1
    resources: [roles, role_mappings]
    include_reserved: false
"""

RETURN = r"""
roles:
  description: Roles by name, as the API returns them (with C(reserved), C(hidden) and C(static)).
  returned: when I(resources) includes C(roles)
  type: dict
  sample: {"openedx_lms": {"cluster_permissions": ["cluster_composite_ops"], "index_permissions": [],
           "tenant_permissions": [], "reserved": false, "hidden": false, "static": false}}
role_mappings:
  description: Role mappings by role name.
  returned: when I(resources) includes C(role_mappings)
  type: dict
  sample: {"openedx_lms": {"backend_roles": [], "and_backend_roles": [], "hosts": [], "users": ["openedx_lms"],
           "reserved": false, "hidden": false, "static": false}}
internal_users:
  description: Internal users by name, without C(hash) or password.
  returned: when I(resources) includes C(internal_users)
  type: dict
  sample: {"openedx_lms": {"backend_roles": ["openedx"], "attributes": {}, "opendistro_security_roles": [],
           "reserved": false, "hidden": false, "static": false}}
"""

from ansible_collections.openedx.data_services.plugins.module_utils.modules import DataServicesAWSModule
from ansible_collections.openedx.data_services.plugins.module_utils.opensearch_security import (
    SECURITY_REQUIRED_IF,
    SecurityApiError,
    client_from_module,
    is_protected,
    security_argument_spec,
    validate_endpoint,
    validate_name,
)

KIND_OF = {"roles": "role", "role_mappings": "role_mapping", "internal_users": "internal_user"}


def read(client, kind: str, names: list[str] | None, include_reserved: bool) -> dict:
    if names:
        found = {name: client.get(kind, name) for name in names}
        entities = {name: entity for name, entity in found.items() if entity is not None}
    else:
        entities = client.list(kind)
    result = {}
    for name, entity in entities.items():
        if include_reserved or not is_protected(entity):
            result[name] = {key: value for key, value in entity.items() if key not in ("hash", "password")}
    return result


def main() -> None:
    argument_spec = security_argument_spec()
    argument_spec.update(
        resources=dict(type="list", elements="str", choices=list(KIND_OF), default=list(KIND_OF)),
        names=dict(type="list", elements="str"),
        include_reserved=dict(type="bool", default=True),
    )
    module = DataServicesAWSModule(
        argument_spec=argument_spec, required_if=SECURITY_REQUIRED_IF, supports_check_mode=True
    )
    params = module.params
    try:
        validate_endpoint(params["endpoint"])
        for name in params["names"] or []:
            validate_name("names", name)
    except ValueError as e:
        module.fail_json(msg=str(e))

    client = client_from_module(module)
    result = {}
    try:
        for resource in params["resources"]:
            result[resource] = read(client, KIND_OF[resource], params["names"], params["include_reserved"])
    except SecurityApiError as e:
        module.fail_json(msg=e.message, status=e.status)
    module.exit_json(changed=False, **result)


if __name__ == "__main__":
    main()
