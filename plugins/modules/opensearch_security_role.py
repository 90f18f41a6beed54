#!/usr/bin/python
# Copyright: Open edX data services maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: opensearch_security_role
short_description: Manage a role of the OpenSearch security plugin (fine-grained access control)
version_added: 0.1.0
description:
  - Creates, updates or deletes a role inside an Amazon OpenSearch Service domain with fine-grained
    access control, through the domain's security plugin REST API (C(/_plugins/_security/api/roles)).
  - No AWS API manages these roles; the module talks to the domain endpoint, authenticated as the
    master user (internal user database, I(auth=basic)) or with SigV4 when the master user is an IAM role
    (I(auth=sigv4)).
  - The role is replaced as a whole when it changes. Options left unset keep the role's current value
    (or are empty for a new role); set a list to C([]) to clear it.
  - Reserved, static and hidden roles (such as C(all_access)) cannot be changed or deleted.
author:
  - Open edX data services maintainers (@openedx)
options:
  name:
    description:
      - Name of the role.
    type: str
    required: true
  state:
    description:
      - Whether the role should exist.
    type: str
    choices: [present, absent]
    default: present
  description:
    description:
      - Free-text description of the role.
    type: str
  cluster_permissions:
    description:
      - Cluster permissions and action groups, for example C(cluster_composite_ops_ro).
      - Compared without regard to order.
    type: list
    elements: str
  index_permissions:
    description:
      - Index permissions. Compared without regard to order.
    type: list
    elements: dict
    suboptions:
      index_patterns:
        description:
          - Index names or patterns the permission applies to; at least one.
        type: list
        elements: str
        required: true
      allowed_actions:
        description:
          - Index permissions and action groups, for example C(read) or C(crud).
        type: list
        elements: str
        default: []
      dls:
        description:
          - Document-level security query, as a JSON string.
        type: str
      fls:
        description:
          - Field-level security; fields prefixed with C(~) are excluded.
        type: list
        elements: str
      masked_fields:
        description:
          - Fields whose values are anonymised.
        type: list
        elements: str
  tenant_permissions:
    description:
      - OpenSearch Dashboards tenant permissions.
    type: list
    elements: dict
    suboptions:
      tenant_patterns:
        description:
          - Tenant names or patterns; at least one.
        type: list
        elements: str
        required: true
      allowed_actions:
        description:
          - C(kibana_all_read) or C(kibana_all_write).
        type: list
        elements: str
        required: true
extends_documentation_fragment:
  - openedx.data_services.opensearch_security
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
attributes:
  check_mode:
    support: full
    description: Reads the role and reports the change without sending any PUT or DELETE.
  diff_mode:
    support: full
    description: Shows the role before and after, without the plugin's metadata.
notes:
  - I(validate_certs) also applies to the domain endpoint.
"""

EXAMPLES = r"""
- name: Give the LMS read and write access to its course indices
  openedx.data_services.opensearch_security_role:
    endpoint: "https://{{ opensearch_domain_endpoint }}"
    master_username: admin
    master_password: "{{ opensearch_master_password }}"
    name: openedx_lms
    cluster_permissions:
      - cluster_composite_ops
      - cluster_monitor
    index_permissions:
      - index_patterns: ["courseware_*", "course_info*"]
        allowed_actions: [crud, create_index, manage]

- name: Read-only role for analytics, signing requests with the director's IAM role
  openedx.data_services.opensearch_security_role:
    endpoint: "https://{{ opensearch_domain_endpoint }}"
    auth: sigv4
    region: us-east-1
    name: analytics_read
    index_permissions:
      - index_patterns: ["courseware_*"]
        allowed_actions: [read]
        fls: ["~learner_email"]

- name: Remove a role
  openedx.data_services.opensearch_security_role:
    endpoint: "https://{{ opensearch_domain_endpoint }}"
    master_username: admin
    master_password: "{{ opensearch_master_password }}"
    name: legacy_search
    state: absent
"""

RETURN = r"""
role:
  description: The role after the task; empty when it is absent.
  returned: always
  type: dict
  contains:
    name:
      description: Name of the role.
      type: str
      sample: openedx_lms
    description:
      description: Description of the role (empty when unset).
      type: str
    cluster_permissions:
      description: Cluster permissions, sorted.
      type: list
      elements: str
      sample: [cluster_composite_ops, cluster_monitor]
    index_permissions:
      description: Index permissions, with the API's defaults (C(dls) empty, C(fls) and C(masked_fields) empty lists).
      type: list
      elements: dict
      sample:
        - {"index_patterns": ["courseware_*"], "allowed_actions": ["crud"], "dls": "", "fls": [], "masked_fields": []}
    tenant_permissions:
      description: Tenant permissions.
      type: list
      elements: dict
    reserved:
      description: Whether the role is reserved by the security plugin.
      type: bool
    hidden:
      description: Whether the role is hidden.
      type: bool
    static:
      description: Whether the role is static (built in).
      type: bool
"""

from ansible_collections.openedx.data_services.plugins.module_utils.modules import DataServicesAWSModule
from ansible_collections.openedx.data_services.plugins.module_utils.opensearch_security import (
    SECURITY_REQUIRED_IF,
    SecurityApiError,
    client_from_module,
    ensure_entity,
    entity_result,
    normalize_role,
    role_body,
    security_argument_spec,
    validate_endpoint,
    validate_name,
)


def validate(params: dict) -> list[str]:
    """Every problem with the requested role, each naming its option."""
    errors = []
    for index, entry in enumerate(params["index_permissions"] or []):
        if not [pattern for pattern in entry["index_patterns"] if pattern]:
            errors.append(f"index_permissions[{index}].index_patterns must list at least one index pattern")
    for index, entry in enumerate(params["tenant_permissions"] or []):
        if not [pattern for pattern in entry["tenant_patterns"] if pattern]:
            errors.append(f"tenant_permissions[{index}].tenant_patterns must list at least one tenant pattern")
    return errors


def main() -> None:
    argument_spec = security_argument_spec()
    argument_spec.update(
        name=dict(type="str", required=True),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        description=dict(type="str"),
        cluster_permissions=dict(type="list", elements="str"),
        index_permissions=dict(
            type="list",
            elements="dict",
            options=dict(
                index_patterns=dict(type="list", elements="str", required=True),
                allowed_actions=dict(type="list", elements="str", default=[]),
                dls=dict(type="str"),
                fls=dict(type="list", elements="str"),
                masked_fields=dict(type="list", elements="str"),
            ),
        ),
        tenant_permissions=dict(
            type="list",
            elements="dict",
            options=dict(
                tenant_patterns=dict(type="list", elements="str", required=True),
                allowed_actions=dict(type="list", elements="str", required=True),
            ),
        ),
    )
    module = DataServicesAWSModule(
        argument_spec=argument_spec, required_if=SECURITY_REQUIRED_IF, supports_check_mode=True
    )
    params = module.params
    errors = validate(params)
    try:
        validate_endpoint(params["endpoint"])
        validate_name("name", params["name"])
    except ValueError as e:
        errors.insert(0, str(e))
    if errors:
        module.fail_json(msg="; ".join(errors))

    client = client_from_module(module)
    requested = {
        key: params[key] for key in ("description", "cluster_permissions", "index_permissions", "tenant_permissions")
    }
    try:
        changed, before, after, current = ensure_entity(
            client, "role", params["name"], params["state"], requested, normalize_role, role_body, module.check_mode
        )
    except SecurityApiError as e:
        module.fail_json(msg=e.message, status=e.status)
    module.exit_json(
        changed=changed,
        role=entity_result(params["name"], after, current),
        diff={"before": before or {}, "after": after or {}},
    )


if __name__ == "__main__":
    main()
