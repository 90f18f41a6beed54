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

from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags
from ansible_collections.openedx.data_services.plugins.module_utils import docdb
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


def settings(group: dict, catalog: list[dict], tags: dict) -> dict:
    """The comparable state of a group, for the diff."""
    return {"family": group["DBParameterGroupFamily"], "description": group.get("Description"),
            "parameters": user_values(catalog), "tags": tags}


def ensure_present(module, client, group: dict | None, check_mode: bool) -> tuple[bool, dict, dict, list]:
    """Returns (changed, before, after, pending_reboot)."""
    params = module.params
    name = params["name"]
    desired_values = {key: as_value(value) for key, value in params["parameters"].items()}
    if group is None:
        if not params["family"]:
            module.fail_json(msg=f"creating parameter group {name} needs family (for example docdb5.0)")
        catalog = docdb.describe_engine_default_parameters(client, params["family"])
        if not catalog:
            module.fail_json(msg=f"family {params['family']!r} is unknown to DocumentDB (for example docdb5.0)")
        for parameter in catalog:
            parameter["Source"] = "engine-default"
        tags, before = {}, {}
    else:
        if params["family"] and params["family"] != group["DBParameterGroupFamily"]:
            module.fail_json(msg=f"parameter group {name} is of family {group['DBParameterGroupFamily']}; "
                                 f"family cannot change to {params['family']} (create a new group)")
        if params["description"] is not None and params["description"] != group.get("Description"):
            module.warn(f"parameter group {name}: the description cannot be changed after creation")
        catalog = docdb.describe_cluster_parameters(client, name)
        tags = docdb.list_tags(client, group["DBClusterParameterGroupArn"])
        before = settings(group, catalog, tags)
    modify, reset = plan_parameters(module, catalog, desired_values, params["purge_parameters"])
    to_add, to_remove = {}, []
    if params["tags"] is not None:
        to_add, to_remove = compare_aws_tags(tags, params["tags"], params["purge_tags"])
    after_parameters = {k: v for k, v in user_values(catalog).items()
                        if k not in {p["ParameterName"] for p in reset}}
    after_parameters.update({p["ParameterName"]: p["ParameterValue"] for p in modify})
    after_tags = {k: v for k, v in tags.items() if k not in to_remove}
    after_tags.update(to_add)
    after = {"family": group["DBParameterGroupFamily"] if group else params["family"],
             "description": group.get("Description") if group else params["description"] or name,
             "parameters": after_parameters, "tags": after_tags}
    pending_reboot = sorted(p["ParameterName"] for p in modify + reset if p["ApplyMethod"] == "pending-reboot")
    changed = group is None or bool(modify or reset or to_add or to_remove)
    if check_mode or not changed:
        return changed, before, after, pending_reboot
    if group is None:
        group = docdb.create_cluster_parameter_group(client, name, params["family"], after["description"],
                                                     after_tags)
    elif to_add or to_remove:
        docdb.update_tags(client, group["DBClusterParameterGroupArn"], to_add, to_remove)
    if reset:
        docdb.reset_cluster_parameters(client, name, reset)
    if modify:
        docdb.modify_cluster_parameters(client, name, modify)
    return True, before, after, pending_reboot


def ensure_absent(module, client, group: dict | None, check_mode: bool) -> bool:
    if group is None:
        return False
    if group["DBClusterParameterGroupName"].startswith("default."):
        module.fail_json(msg=f"{group['DBClusterParameterGroupName']} is an AWS default group and cannot be deleted")
    if check_mode:
        return True
    docdb.delete_cluster_parameter_group(client, module.params["name"])
    return True


def describe(client, name: str) -> dict:
    group = docdb.describe_cluster_parameter_group(client, name)
    if group is None:
        return {}
    result = docdb.to_ansible(group, docdb.list_tags(client, group["DBClusterParameterGroupArn"]))
    result["parameters"] = user_values(docdb.describe_cluster_parameters(client, name))
    return result


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
    client = module.client("docdb", retry_decorator=AWSRetry.jittered_backoff())
    name = module.params["name"]
    pending_reboot: list = []
    try:
        group = docdb.describe_cluster_parameter_group(client, name)
        if module.params["state"] == "present":
            changed, before, after, pending_reboot = ensure_present(module, client, group, module.check_mode)
            result = describe(client, name)
        else:
            before = {}
            if group:
                before = settings(group, docdb.describe_cluster_parameters(client, name),
                                  docdb.list_tags(client, group["DBClusterParameterGroupArn"]))
            after, result = {}, {}
            changed = ensure_absent(module, client, group, module.check_mode)
    except docdb.AnsibleDocDBError as e:
        module.fail_json_aws_error(e)
    module.exit_json(changed=changed, parameter_group=result, pending_reboot=pending_reboot,
                     diff={"before": before, "after": after})


if __name__ == "__main__":
    main()
