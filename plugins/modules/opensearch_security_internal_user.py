#!/usr/bin/python
# Copyright: Open edX data services maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: opensearch_security_internal_user
short_description: Manage a user of the OpenSearch security plugin's internal user database
version_added: 0.1.0
description:
  - Creates, updates or deletes an internal user inside an Amazon OpenSearch Service domain with
    fine-grained access control and the internal user database, through the domain's security plugin
    REST API (C(/_plugins/_security/api/internalusers)).
  - The API never returns passwords, so a password can't be compared; I(update_password) says when to send it.
  - Options left unset keep the user's current value (or are empty for a new user); set a list or
    I(attributes) to an empty value to clear it.
  - Reserved, static and hidden users cannot be changed or deleted.
author:
  - Open edX data services maintainers (@openedx)
options:
  name:
    description:
      - User name.
    type: str
    required: true
    aliases: [username]
  state:
    description:
      - Whether the user should exist.
    type: str
    choices: [present, absent]
    default: present
  password:
    description:
      - The user's password. Required to create a user.
      - Amazon OpenSearch Service requires at least 8 characters with upper and lower case letters, a digit
        and a special character.
    type: str
  update_password:
    description:
      - C(on_create) sets the password only when the user is created.
      - C(always) sends the password on every run, which always reports a change.
    type: str
    choices: [always, on_create]
    default: on_create
  description:
    description:
      - Free-text description of the user.
    type: str
  backend_roles:
    description:
      - Backend roles of the user. Compared without regard to order.
    type: list
    elements: str
  security_roles:
    description:
      - Security roles mapped directly to the user (C(opendistro_security_roles)); they must exist.
    type: list
    elements: str
  attributes:
    description:
      - Custom attributes (strings) for document-level security and role mappings.
    type: dict
extends_documentation_fragment:
  - openedx.data_services.opensearch_security
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
attributes:
  check_mode:
    support: full
    description: Reads the user and reports the change without sending any PUT or DELETE.
  diff_mode:
    support: full
    description: Shows the user before and after, never with a password or hash.
notes:
  - I(validate_certs) also applies to the domain endpoint.
"""

EXAMPLES = r"""
- name: Create the LMS's search user
  openedx.data_services.opensearch_security_internal_user:
    endpoint: "https://{{ opensearch_domain_endpoint }}"
    master_username: admin
    master_password: "{{ opensearch_master_password }}"
    name: openedx_lms
    password: "{{ opensearch_lms_password }}"
    backend_roles: [openedx]
    attributes:
      platform: openedx-prod

- name: Rotate the LMS user's password
  openedx.data_services.opensearch_security_internal_user:
    endpoint: "https://{{ opensearch_domain_endpoint }}"
    master_username: admin
    master_password: "{{ opensearch_master_password }}"
    name: openedx_lms
    password: "{{ opensearch_lms_new_password }}"
    update_password: always

- name: Remove a user
  openedx.data_services.opensearch_security_internal_user:
    endpoint: "https://{{ opensearch_domain_endpoint }}"
    master_username: admin
    master_password: "{{ opensearch_master_password }}"
    name: legacy_user
    state: absent
"""

RETURN = r"""
internal_user:
  description: The user after the task, without password or hash; empty when it is absent.
  returned: always
  type: dict
  contains:
    name:
      description: User name.
      type: str
      sample: openedx_lms
    description:
      description: Description of the user (empty when unset).
      type: str
    backend_roles:
      description: Backend roles, sorted.
      type: list
      elements: str
      sample: [openedx]
    security_roles:
      description: Security roles mapped directly to the user, sorted.
      type: list
      elements: str
    attributes:
      description: Custom attributes.
      type: dict
      sample: {"platform": "openedx-prod"}
    reserved:
      description: Whether the user is reserved by the security plugin.
      type: bool
    hidden:
      description: Whether the user is hidden.
      type: bool
    static:
      description: Whether the user is static (built in).
      type: bool
"""

from ansible_collections.openedx.data_services.plugins.module_utils.modules import DataServicesAWSModule
from ansible_collections.openedx.data_services.plugins.module_utils.opensearch_security import (
    SECURITY_REQUIRED_IF,
    SecurityApiError,
    client_from_module,
    ensure_entity,
    entity_result,
    internal_user_body,
    normalize_internal_user,
    security_argument_spec,
    validate_endpoint,
    validate_name,
)


def main() -> None:
    argument_spec = security_argument_spec()
    argument_spec.update(
        name=dict(type="str", required=True, aliases=["username"]),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        password=dict(type="str", no_log=True),
        update_password=dict(type="str", default="on_create", choices=["always", "on_create"], no_log=False),
        description=dict(type="str"),
        backend_roles=dict(type="list", elements="str"),
        security_roles=dict(type="list", elements="str"),
        attributes=dict(type="dict"),
    )
    module = DataServicesAWSModule(
        argument_spec=argument_spec,
        required_if=[*SECURITY_REQUIRED_IF, ("update_password", "always", ["password"])],
        supports_check_mode=True,
    )
    params = module.params
    errors = []
    try:
        validate_endpoint(params["endpoint"])
        validate_name("name", params["name"])
    except ValueError as e:
        errors.append(str(e))
    if params["password"] is not None and not params["password"]:
        errors.append("password must not be empty")
    for key, value in (params["attributes"] or {}).items():
        if isinstance(value, (dict, list)):
            errors.append(f"attributes.{key} must be a string, not a {type(value).__name__}")
    if errors:
        module.fail_json(msg="; ".join(errors))

    def require_password() -> None:
        if not params["password"]:
            raise SecurityApiError(f"password is required to create the internal user '{params['name']}'")

    client = client_from_module(module)
    requested = {key: params[key] for key in ("description", "backend_roles", "security_roles", "attributes")}
    force = params["update_password"] == "always" and params["state"] == "present"
    try:
        changed, before, after, current = ensure_entity(
            client, "internal_user", params["name"], params["state"], requested, normalize_internal_user,
            internal_user_body, module.check_mode, force=force,
            secrets={"password": params["password"]} if params["password"] else None,
            require_on_create=require_password,
        )
    except SecurityApiError as e:
        module.fail_json(msg=e.message, status=e.status)
    module.exit_json(
        changed=changed,
        internal_user=entity_result(params["name"], after, current),
        diff={"before": before or {}, "after": after or {}},
    )


if __name__ == "__main__":
    main()
