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

from ansible_collections.openedx.data_services.plugins.module_utils import engine
from ansible_collections.openedx.data_services.plugins.module_utils.elasticache import (
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


def plan_parameters(parameters, desired, purge):
    """(values to set, names to reset) turning the group's parameters into ``desired``."""
    effective = {p["ParameterName"]: p.get("ParameterValue", "") for p in parameters}
    user_set = {p["ParameterName"] for p in parameters if p.get("Source") == "user"}
    to_set = {k: v for k, v in desired.items() if effective.get(k) != v}
    to_reset = sorted(user_set - set(desired)) if purge else []
    return to_set, to_reset


class ParameterGroup(engine.Resource):
    result_key = "cache_parameter_group"

    def __init__(self, module, client):
        super().__init__(module, client)
        self.group = None
        self.parameters = []
        self.desired = {k: parameter_value(v) for k, v in (self.params["parameters"] or {}).items()}

    @property
    def name(self):
        return self.params["name"]

    def read(self):
        self.group = describe_cache_parameter_group(self.client, self.name)
        if self.group is None:
            self.parameters = []
            return None
        self.parameters = describe_cache_parameters(self.client, self.name)
        tags = list_tags(self.client, self.group["ARN"]) if self.group.get("ARN") else {}
        return parameter_group_state(self.group, self.parameters, tags)

    def refuse_bad_parameters(self, parameters):
        problem = parameter_problems(parameters, self.desired)
        if problem:
            self.module.fail_json(msg=problem)

    def plan_create(self):
        params = self.params
        missing = [o for o in ("group_family", "description") if not params[o]]
        if missing:
            self.module.fail_json(msg=f"Creating cache parameter group {self.name} needs {' and '.join(missing)}.")
        defaults = describe_engine_default_parameters(self.client, params["group_family"])
        self.refuse_bad_parameters(defaults)
        to_set, _reset = plan_parameters(defaults, self.desired, purge=False)
        plan = engine.Plan({"cache_parameter_group_name": self.name,
                            "cache_parameter_group_family": params["group_family"],
                            "description": params["description"], "parameters": self.desired,
                            "tags": params["tags"] or {}})
        plan.call(lambda: create_cache_parameter_group(self.client, self.name, params["group_family"],
                                                       params["description"], params["tags"]))
        if to_set:
            plan.call(lambda: modify_cache_parameters(self.client, self.name, to_set))
        return plan

    def plan_update(self, current):
        params = self.params
        family = params["group_family"]
        if family and family != current["cache_parameter_group_family"]:
            self.module.fail_json(msg=f"group_family cannot change: {self.name} is a "
                                      f"{current['cache_parameter_group_family']} group; create a new group for "
                                      f"{family}.")
        if params["description"] is not None and params["description"] != current["description"]:
            self.module.warn("AWS cannot change the description of an existing cache parameter group; it is left "
                             "as is.")
        self.refuse_bad_parameters(self.parameters)
        to_set, to_reset = plan_parameters(self.parameters, self.desired, params["purge_parameters"])
        plan = engine.Plan()
        if to_set or to_reset:
            plan.change("parameters", {k: v for k, v in {**current["parameters"], **to_set}.items()
                                       if k not in to_reset})
        if to_reset:
            plan.call(lambda: reset_cache_parameters(self.client, self.name, to_reset))
        if to_set:
            plan.call(lambda: modify_cache_parameters(self.client, self.name, to_set))
        self.plan_tags(plan, current, update_tags)
        return plan

    def plan_delete(self, current):
        plan = engine.Plan()
        plan.call(lambda: delete_cache_parameter_group(self.client, self.name))
        return plan


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
    engine.run(ParameterGroup(module, module.client("elasticache")))


if __name__ == "__main__":
    main()
