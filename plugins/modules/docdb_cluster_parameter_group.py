#!/usr/bin/python
# Copyright: Open edX data services maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: docdb_cluster_parameter_group
version_added: 0.1.0
short_description: Manage an Amazon DocumentDB cluster parameter group
description:
  - Create, update and delete a DocumentDB cluster parameter group and the values of its parameters.
  - Each changed parameter is applied the way AWS allows for it, V(immediate) for dynamic parameters and
    V(pending-reboot) for static ones (such as C(tls)), which take effect when the instances reboot.
author:
  - Open edX data services maintainers (@openedx)
options:
  state:
    description:
      - Whether the parameter group should exist.
    type: str
    choices: [present, absent]
    default: present
  name:
    description:
      - The name of the parameter group.
    type: str
    required: true
  family:
    description:
      - The parameter group family, for example V(docdb5.0). Required to create the group; cannot be changed.
    type: str
  description:
    description:
      - The description of the group. Defaults to the name when creating; cannot be changed.
    type: str
  parameters:
    description:
      - "Parameter values by name, for example C({tls: enabled, audit_logs: enabled})."
      - Parameters not listed keep their value unless O(purge_parameters=true).
    type: dict
    default: {}
  purge_parameters:
    description:
      - Reset the parameters set in the group but not listed in O(parameters) to their engine default.
    type: bool
    default: false
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
  platform:
    platforms: aws
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: TLS only, with audit logs and the profiler on
  openedx.data_services.docdb_cluster_parameter_group:
    name: openedx-prod-docdb50
    family: docdb5.0
    description: Open edX DocumentDB 5.0
    parameters:
      tls: enabled
      audit_logs: enabled
      profiler: enabled
      profiler_threshold_ms: 100
    tags:
      environment: prod

- name: Delete the group
  openedx.data_services.docdb_cluster_parameter_group:
    name: openedx-test-docdb50
    state: absent
"""

RETURN = r"""
parameter_group:
  description: The parameter group. Empty after a deletion.
  returned: always
  type: dict
  contains:
    db_cluster_parameter_group_name:
      description: The name of the group.
      type: str
      sample: openedx-prod-docdb50
    db_parameter_group_family:
      description: The family.
      type: str
      sample: docdb5.0
    description:
      description: The description.
      type: str
      sample: Open edX DocumentDB 5.0
    db_cluster_parameter_group_arn:
      description: The ARN of the group.
      type: str
      sample: arn:aws:rds:us-east-1:123456789012:cluster-pg:openedx-prod-docdb50
    parameters:
      description: The values of the parameters set in the group (source V(user)).
      type: dict
      sample: {"tls": "enabled", "audit_logs": "enabled"}
    tags:
      description: The group's tags.
      type: dict
      sample: {"environment": "prod"}
pending_reboot:
  description: The changed parameters that take effect only after the cluster's instances reboot.
  returned: always
  type: list
  elements: str
  sample: [tls]
"""

from ansible_collections.openedx.data_services.plugins.module_utils import docdb, engine
from ansible_collections.openedx.data_services.plugins.module_utils.common import merged_tags
from ansible_collections.openedx.data_services.plugins.module_utils.modules import DataServicesAWSModule


def as_value(value) -> str:
    """AWS holds every value as a string; YAML gives booleans and numbers."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def plan_parameters(module, catalog: list[dict], desired: dict, purge: bool) -> tuple[list, list]:
    """The (modify, reset) parameter lists that bring ``catalog`` (current values) to ``desired``."""
    by_name = {p["ParameterName"]: p for p in catalog}
    unknown = sorted(set(desired) - set(by_name))
    if unknown:
        module.fail_json(msg=f"parameters: unknown parameter(s) {', '.join(unknown)}; allowed: "
                             f"{', '.join(sorted(by_name))}")
    fixed = sorted(name for name in desired if by_name[name].get("IsModifiable") is False)
    if fixed:
        module.fail_json(msg=f"parameters: {', '.join(fixed)} cannot be modified")
    modify = [
        {"ParameterName": name, "ParameterValue": value, "ApplyMethod": docdb.apply_method(by_name[name])}
        for name, value in sorted(desired.items()) if by_name[name].get("ParameterValue") != value
    ]
    reset = []
    if purge:
        reset = [{"ParameterName": p["ParameterName"], "ApplyMethod": docdb.apply_method(p)}
                 for p in catalog if p.get("Source") == "user" and p["ParameterName"] not in desired]
    return modify, reset


def user_values(catalog: list[dict]) -> dict:
    return {p["ParameterName"]: p.get("ParameterValue") for p in catalog if p.get("Source") == "user"}


class ParameterGroup(engine.Resource):
    """The diff shows the group's settings; the return value is AWS's description with the user-set values."""

    result_key = "parameter_group"

    def __init__(self, module, client) -> None:
        super().__init__(module, client)
        self.group: dict | None = None
        self.catalog: list = []
        self.tags: dict = {}
        self.pending_reboot: list = []

    @property
    def name(self) -> str:
        return self.params["name"]

    def read(self) -> dict | None:
        self.group = docdb.describe_cluster_parameter_group(self.client, self.name)
        if self.group is None:
            return None
        self.catalog = docdb.describe_cluster_parameters(self.client, self.name)
        self.tags = docdb.list_tags(self.client, self.group["DBClusterParameterGroupArn"])
        return {"family": self.group["DBParameterGroupFamily"], "description": self.group.get("Description"),
                "parameters": user_values(self.catalog), "tags": self.tags}

    def result(self, state: dict | None) -> dict:
        if not state or self.group is None:
            return {}
        result = docdb.to_ansible(self.group, self.tags)
        result["parameters"] = user_values(self.catalog)
        return result

    def extra_returns(self) -> dict:
        return {"pending_reboot": self.pending_reboot}

    def plan_parameters(self, catalog: list, current: dict) -> engine.Plan:
        """The parameter and tag changes from ``current`` (the settings of ``catalog``'s group)."""
        params = self.params
        desired = {key: as_value(value) for key, value in params["parameters"].items()}
        modify, reset = plan_parameters(self.module, catalog, desired, params["purge_parameters"])
        parameters = {k: v for k, v in current["parameters"].items() if k not in {p["ParameterName"] for p in reset}}
        parameters.update({p["ParameterName"]: p["ParameterValue"] for p in modify})
        self.pending_reboot = sorted(p["ParameterName"] for p in modify + reset if p["ApplyMethod"] == "pending-reboot")
        plan = engine.Plan(dict(current, parameters=parameters,
                                tags=merged_tags(current["tags"], params["tags"], params["purge_tags"])))
        if reset:
            plan.call(lambda: docdb.reset_cluster_parameters(self.client, self.name, reset))
        if modify:
            plan.call(lambda: docdb.modify_cluster_parameters(self.client, self.name, modify))
        return plan

    def plan_create(self) -> engine.Plan:
        params = self.params
        if not params["family"]:
            self.module.fail_json(msg=f"creating parameter group {self.name} needs family (for example docdb5.0)")
        catalog = docdb.describe_engine_default_parameters(self.client, params["family"])
        if not catalog:
            self.module.fail_json(msg=f"family {params['family']!r} is unknown to DocumentDB (for example docdb5.0)")
        catalog = [dict(p, Source="engine-default") for p in catalog]
        new = {"family": params["family"], "description": params["description"] or self.name, "parameters": {},
               "tags": {}}
        changes = self.plan_parameters(catalog, new)
        plan = engine.Plan(changes.changes)
        plan.call(lambda: docdb.create_cluster_parameter_group(self.client, self.name, params["family"],
                                                               new["description"], plan.changes["tags"]))
        plan.steps += changes.steps
        return plan

    def plan_update(self, current: dict) -> engine.Plan:
        params = self.params
        if params["family"] and params["family"] != current["family"]:
            self.module.fail_json(msg=f"parameter group {self.name} is of family {current['family']}; "
                                      f"family cannot change to {params['family']} (create a new group)")
        if params["description"] is not None and params["description"] != current["description"]:
            self.module.warn(f"parameter group {self.name}: the description cannot be changed after creation")
        plan = self.plan_parameters(self.catalog, current)
        to_add = {k: v for k, v in plan.changes["tags"].items() if current["tags"].get(k) != v}
        to_remove = [k for k in current["tags"] if k not in plan.changes["tags"]]
        if to_add or to_remove:
            arn = self.group["DBClusterParameterGroupArn"]
            plan.steps.insert(0, lambda: docdb.update_tags(self.client, arn, to_add, to_remove))
        return plan

    def plan_delete(self, current: dict) -> engine.Plan:
        if self.name.startswith("default."):
            self.module.fail_json(msg=f"{self.name} is an AWS default group and cannot be deleted")
        plan = engine.Plan()
        plan.call(lambda: docdb.delete_cluster_parameter_group(self.client, self.name))
        return plan


def main() -> None:
    argument_spec = dict(
        state=dict(type="str", choices=["present", "absent"], default="present"),
        name=dict(type="str", required=True),
        family=dict(type="str"),
        description=dict(type="str"),
        parameters=dict(type="dict", default={}),
        purge_parameters=dict(type="bool", default=False),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )
    module = DataServicesAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    engine.run(ParameterGroup(module, module.client("docdb")))


if __name__ == "__main__":
    main()
