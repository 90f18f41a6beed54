#!/usr/bin/python
# Copyright: Open edX data services maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: elasticache_cache_parameter_group
short_description: Manage ElastiCache cache parameter groups of any family
version_added: 0.1.0
description:
  - Create, update and delete an Amazon ElastiCache cache parameter group and set its parameters.
  - Works for every parameter group family AWS offers (V(redis7), V(valkey8), V(memcached1.6), ...).
    M(community.aws.elasticache_parameter_group) restricts O(group_family) to a fixed list that stops at
    V(redis6.x), so it cannot create a V(redis7) group.
  - Parameters are compared with the values AWS reports (user-set and defaults), so a run that asks for what is
    already in effect changes nothing.
  - Unknown and read-only parameters and values outside the allowed list are refused before any change.
author:
  - Open edX data services maintainers (@openedx)
options:
  name:
    description:
      - The parameter group name.
    type: str
    required: true
    aliases: [cache_parameter_group_name]
  group_family:
    description:
      - The family, for example V(redis7). Required when creating the group.
      - The family of an existing group cannot change; a different value fails.
    type: str
    aliases: [cache_parameter_group_family]
  description:
    description:
      - The description. Required when creating the group; AWS cannot change it afterwards (the module warns).
    type: str
  parameters:
    description:
      - 'Parameter names and values, for example C(maxmemory-policy: allkeys-lru).'
      - Booleans become V(yes)/V(no), numbers become strings.
    type: dict
  purge_parameters:
    description:
      - Whether user-set parameters missing from O(parameters) are reset to their defaults.
    type: bool
    default: false
  state:
    description:
      - V(present) creates or updates the group, V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
notes:
  - Parameters whose change type is V(requires-reboot) only take effect on the members after a reboot.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
attributes:
  check_mode:
    support: full
    description: Computes the changes and reports them without making any mutating call.
  diff_mode:
    support: full
    description: Shows the group and its user-set parameters before and after.
"""

EXAMPLES = r"""
- name: A Redis 7 parameter group for Open edX
  openedx.data_services.elasticache_cache_parameter_group:
    name: openedx-prod-redis7
    group_family: redis7
    description: Open edX Redis 7 settings
    parameters:
      maxmemory-policy: allkeys-lru
      timeout: 300
    tags:
      environment: prod

- name: Delete it
  openedx.data_services.elasticache_cache_parameter_group:
    name: openedx-prod-redis7
    state: absent
"""

RETURN = r"""
cache_parameter_group:
  description: The parameter group (empty after deletion).
  returned: always
  type: dict
  contains:
    cache_parameter_group_name:
      description: The name.
      type: str
      sample: openedx-prod-redis7
    cache_parameter_group_family:
      description: The family.
      type: str
      sample: redis7
    description:
      description: The description.
      type: str
    arn:
      description: The ARN.
      type: str
    is_global:
      description: Whether the group belongs to a global datastore.
      type: bool
    parameters:
      description: The user-set parameters and their values.
      type: dict
      sample: {maxmemory-policy: allkeys-lru, timeout: "300"}
    tags:
      description: The tags.
      type: dict
"""

from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.openedx.data_services.plugins.module_utils.elasticache import (
    AnsibleElastiCacheError,
    create_cache_parameter_group,
    delete_cache_parameter_group,
    describe_cache_parameter_group,
    describe_cache_parameters,
    describe_engine_default_parameters,
    list_tags,
    modify_cache_parameters,
    parameter_group_state,
    parameter_problems,
    parameter_value,
    reset_cache_parameters,
    update_tags,
    validate_parameter_group_params,
)
from ansible_collections.openedx.data_services.plugins.module_utils.modules import DataServicesAWSModule


def describe(client, name):
    """(group, all parameters, state) or (None, [], None)."""
    group = describe_cache_parameter_group(client, name)
    if group is None:
        return None, [], None
    parameters = describe_cache_parameters(client, name)
    tags = list_tags(client, group["ARN"]) if group.get("ARN") else {}
    return group, parameters, parameter_group_state(group, parameters, tags)


def plan_parameters(parameters, desired, purge):
    """(values to set, names to reset) turning the group's parameters into ``desired``."""
    effective = {p["ParameterName"]: p.get("ParameterValue", "") for p in parameters}
    user_set = {p["ParameterName"] for p in parameters if p.get("Source") == "user"}
    to_set = {k: v for k, v in desired.items() if effective.get(k) != v}
    to_reset = sorted(user_set - set(desired)) if purge else []
    return to_set, to_reset


def ensure_present(module, client, group, parameters, current):
    params = module.params
    name = params["name"]
    desired = {k: parameter_value(v) for k, v in (params["parameters"] or {}).items()}
    changed = False

    if group is None:
        missing = [o for o in ("group_family", "description") if not params[o]]
        if missing:
            module.fail_json(msg=f"Creating cache parameter group {name} needs {' and '.join(missing)}.")
        parameters = describe_engine_default_parameters(client, params["group_family"])
        problem = parameter_problems(parameters, desired)
        if problem:
            module.fail_json(msg=problem)
        if module.check_mode:
            return True, {"cache_parameter_group_name": name, "cache_parameter_group_family": params["group_family"],
                          "description": params["description"], "parameters": desired, "tags": params["tags"] or {}}
        create_cache_parameter_group(client, name, params["group_family"], params["description"], params["tags"])
        changed = True
        group, parameters, current = describe(client, name)
    else:
        family = params["group_family"]
        if family and family != group.get("CacheParameterGroupFamily"):
            module.fail_json(msg=f"group_family cannot change: {name} is a {group.get('CacheParameterGroupFamily')} "
                                 f"group; create a new group for {family}.")
        if params["description"] is not None and params["description"] != group.get("Description"):
            module.warn("AWS cannot change the description of an existing cache parameter group; it is left as is.")
        problem = parameter_problems(parameters, desired)
        if problem:
            module.fail_json(msg=problem)

    to_set, to_reset = plan_parameters(parameters, desired, params["purge_parameters"])
    tags_changed = update_tags(client, current["arn"], current["tags"], params["tags"], params["purge_tags"], True)
    if not (to_set or to_reset or tags_changed):
        return changed, current
    if module.check_mode:
        after = dict(current, parameters={k: v for k, v in {**current["parameters"], **to_set}.items()
                                          if k not in to_reset})
        if tags_changed:
            after["tags"] = dict({} if params["purge_tags"] else current["tags"], **params["tags"])
        return True, after
    if to_reset:
        reset_cache_parameters(client, name, to_reset)
    if to_set:
        modify_cache_parameters(client, name, to_set)
    if tags_changed:
        update_tags(client, current["arn"], current["tags"], params["tags"], params["purge_tags"], False)
    return True, describe(client, name)[2]


def main():
    argument_spec = dict(
        name=dict(type="str", required=True, aliases=["cache_parameter_group_name"]),
        group_family=dict(type="str", aliases=["cache_parameter_group_family"]),
        description=dict(type="str"),
        parameters=dict(type="dict"),
        purge_parameters=dict(type="bool", default=False),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )
    module = DataServicesAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    problem = validate_parameter_group_params(module.params)
    if problem:
        module.fail_json(msg=problem)

    client = module.client("elasticache", retry_decorator=AWSRetry.jittered_backoff())
    name = module.params["name"]
    try:
        group, parameters, before = describe(client, name)
        if module.params["state"] == "absent":
            after = None
            changed = before is not None
            if changed and not module.check_mode:
                delete_cache_parameter_group(client, name)
        else:
            changed, after = ensure_present(module, client, group, parameters, before)
    except AnsibleElastiCacheError as e:
        module.fail_json_aws_error(e)

    result = {"changed": changed, "cache_parameter_group": after or {}}
    if module._diff:
        result["diff"] = {"before": before or {}, "after": after or {}}
    module.exit_json(**result)


if __name__ == "__main__":
    main()
