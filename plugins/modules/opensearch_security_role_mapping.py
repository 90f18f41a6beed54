#!/usr/bin/python
# Copyright: Open edX data services maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: opensearch_security_role_mapping
short_description: Map users, backend roles and hosts to an OpenSearch security plugin role
version_added: 0.1.0
description:
  - Creates, updates or deletes the role mapping of a role inside an Amazon OpenSearch Service domain with
    fine-grained access control, through the domain's security plugin REST API
    (C(/_plugins/_security/api/rolesmapping)).
  - The mapping is named after the role it maps, which must exist.
  - IAM principals reach a role through backend roles (map the IAM role ARN as a backend role).
  - Options left unset keep the mapping's current value (or are empty for a new mapping); set a list to
    C([]) to clear it.
  - Reserved, static and hidden mappings cannot be changed or deleted.
author:
  - Open edX data services maintainers (@openedx)
options:
  role:
    description:
      - Name of the role the mapping is for.
    type: str
    required: true
    aliases: [name]
  state:
    description:
      - Whether the mapping should exist.
    type: str
    choices: [present, absent]
    default: present
  description:
    description:
      - Free-text description of the mapping.
    type: str
  backend_roles:
    description:
      - Backend roles mapped to the role, for example IAM role ARNs. Compared without regard to order.
    type: list
    elements: str
  and_backend_roles:
    description:
      - Backend roles a user must all have to be mapped.
    type: list
    elements: str
  hosts:
    description:
      - Host names or addresses mapped to the role.
    type: list
    elements: str
  users:
    description:
      - Internal or IAM user names mapped to the role.
    type: list
    elements: str
extends_documentation_fragment:
  - openedx.data_services.opensearch_security
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
attributes:
  check_mode:
    support: full
    description: Reads the mapping and reports the change without sending any PUT or DELETE.
  diff_mode:
    support: full
    description: Shows the mapping before and after, without the plugin's metadata.
notes:
  - I(validate_certs) also applies to the domain endpoint.
"""

EXAMPLES = r"""
- name: Map the LMS's internal user and the platform's IAM role to the LMS role
  openedx.data_services.opensearch_security_role_mapping:
    endpoint: "https://{{ opensearch_domain_endpoint }}"
    master_username: admin
    master_password: "{{ opensearch_master_password }}"
    role: openedx_lms
    users: [openedx_lms]
    backend_roles:
      - arn:aws:iam::123456789012:role/openedx-prod-lms

- name: Let the director's IAM role administer the domain
  openedx.data_services.opensearch_security_role_mapping:
    endpoint: "https://{{ opensearch_domain_endpoint }}"
    auth: sigv4
    region: us-east-1
    role: all_access
    backend_roles:
      - arn:aws:iam::123456789012:role/openedx-director
"""

RETURN = r"""
role_mapping:
  description: The mapping after the task; empty when it is absent.
  returned: always
  type: dict
  contains:
    name:
      description: Name of the mapped role.
      type: str
      sample: openedx_lms
    description:
      description: Description of the mapping (empty when unset).
      type: str
    backend_roles:
      description: Backend roles, sorted.
      type: list
      elements: str
      sample: ["arn:aws:iam::123456789012:role/openedx-prod-lms"]
    and_backend_roles:
      description: Backend roles a user must all have, sorted.
      type: list
      elements: str
    hosts:
      description: Hosts, sorted.
      type: list
      elements: str
    users:
      description: Users, sorted.
      type: list
      elements: str
      sample: [openedx_lms]
    reserved:
      description: Whether the mapping is reserved by the security plugin.
      type: bool
    hidden:
      description: Whether the mapping is hidden.
      type: bool
    static:
      description: Whether the mapping is static (built in).
      type: bool
"""

from ansible_collections.openedx.data_services.plugins.module_utils.modules import DataServicesAWSModule
from ansible_collections.openedx.data_services.plugins.module_utils.opensearch_security import (
    SECURITY_REQUIRED_IF,
    SecurityApiError,
    client_from_module,
    ensure_entity,
    entity_result,
    normalize_role_mapping,
    role_mapping_body,
    security_argument_spec,
    validate_endpoint,
    validate_name,
)

LIST_OPTIONS = ("backend_roles", "and_backend_roles", "hosts", "users")


def main() -> None:
    argument_spec = security_argument_spec()
    argument_spec.update(
        role=dict(type="str", required=True, aliases=["name"]),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        description=dict(type="str"),
        **{option: dict(type="list", elements="str") for option in LIST_OPTIONS},
    )
    module = DataServicesAWSModule(
        argument_spec=argument_spec, required_if=SECURITY_REQUIRED_IF, supports_check_mode=True
    )
    params = module.params
    errors = [f"{option} must not contain empty entries" for option in LIST_OPTIONS
              if params[option] and not all(item and item.strip() for item in params[option])]
    try:
        validate_endpoint(params["endpoint"])
        validate_name("role", params["role"])
    except ValueError as e:
        errors.insert(0, str(e))
    if errors:
        module.fail_json(msg="; ".join(errors))

    client = client_from_module(module)
    requested = {key: params[key] for key in ("description", *LIST_OPTIONS)}
    try:
        changed, before, after, current = ensure_entity(
            client, "role_mapping", params["role"], params["state"], requested, normalize_role_mapping,
            role_mapping_body, module.check_mode,
        )
    except SecurityApiError as e:
        module.fail_json(msg=e.message, status=e.status)
    module.exit_json(
        changed=changed,
        role_mapping=entity_result(params["role"], after, current),
        diff={"before": before or {}, "after": after or {}},
    )


if __name__ == "__main__":
    main()
