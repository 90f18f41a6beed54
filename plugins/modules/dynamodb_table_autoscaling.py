#!/usr/bin/python
# Copyright: Open edX data services maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: dynamodb_table_autoscaling
version_added: 0.2.0
short_description: Scale the provisioned capacity of a DynamoDB table with Application Auto Scaling
description:
  - Registers the table's read and write capacity as scalable targets (minimum and maximum units) and gives each a
    target-tracking policy on the table's capacity utilisation, as the DynamoDB console does.
  - community.aws.application_autoscaling_policy calls AWS in check mode and reports a change on every run for a
    target-tracking policy; this module compares what AWS holds and changes only what differs.
author:
  - Open edX data services maintainers (@openedx)
options:
  state:
    description: Whether the table's capacity is scaled (V(absent) deregisters both targets and their policies).
    type: str
    choices: [present, absent]
    default: present
  table:
    description: The table name.
    type: str
    required: true
  read:
    description: The scaling of the read capacity.
    type: dict
    suboptions:
      min:
        description: The fewest read capacity units.
        type: int
        required: true
      max:
        description: The most read capacity units.
        type: int
        required: true
      target:
        description: The utilisation (percent, 20 to 90) the policy keeps.
        type: float
        default: 70
  write:
    description: The scaling of the write capacity.
    type: dict
    suboptions:
      min:
        description: The fewest write capacity units.
        type: int
        required: true
      max:
        description: The most write capacity units.
        type: int
        required: true
      target:
        description: The utilisation (percent, 20 to 90) the policy keeps.
        type: float
        default: 70
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
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Scale the sessions table between 5 and 100 units, at 70 % utilisation
  openedx.data_services.dynamodb_table_autoscaling:
    table: openedx-prod-sessions
    read: {min: 5, max: 100, target: 70}
    write: {min: 5, max: 100, target: 70}
"""

RETURN = r"""
read:
  description: The read capacity's scaling (min, max, target), null when not scaled.
  returned: always
  type: dict
write:
  description: The write capacity's scaling (min, max, target), null when not scaled.
  returned: always
  type: dict
"""

from typing import Any

from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.openedx.data_services.plugins.module_utils import engine
from ansible_collections.openedx.data_services.plugins.module_utils.modules import DataServicesAWSModule

NAMESPACE = "dynamodb"
DIMENSIONS = {"read": ("dynamodb:table:ReadCapacityUnits", "DynamoDBReadCapacityUtilization"),
              "write": ("dynamodb:table:WriteCapacityUnits", "DynamoDBWriteCapacityUtilization")}


class AnsibleAutoScalingError(AnsibleAWSError):
    pass


class AutoScalingErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleAutoScalingError


@AutoScalingErrorHandler.common_error_handler("describe the table's scaling")
def describe(client, resource_id: str) -> dict[str, Any]:
    targets = client.describe_scalable_targets(ServiceNamespace=NAMESPACE, ResourceIds=[resource_id])
    policies = client.describe_scaling_policies(ServiceNamespace=NAMESPACE, ResourceId=resource_id)
    result: dict[str, Any] = {}
    for side, (dimension, _metric) in DIMENSIONS.items():
        target = next((t for t in targets["ScalableTargets"] if t["ScalableDimension"] == dimension), None)
        policy = next((p for p in policies["ScalingPolicies"] if p["ScalableDimension"] == dimension
                       and p.get("PolicyType") == "TargetTrackingScaling"), None)
        value = (policy or {}).get("TargetTrackingScalingPolicyConfiguration", {}).get("TargetValue")
        result[side] = ({"min": target["MinCapacity"], "max": target["MaxCapacity"],
                         "target": float(value) if value is not None else None} if target else None)
    return result


@AutoScalingErrorHandler.common_error_handler("scale the table")
def put(client, resource_id: str, table: str, side: str, wanted: dict[str, Any]) -> None:
    dimension, metric = DIMENSIONS[side]
    client.register_scalable_target(ServiceNamespace=NAMESPACE, ResourceId=resource_id, ScalableDimension=dimension,
                                    MinCapacity=wanted["min"], MaxCapacity=wanted["max"])
    client.put_scaling_policy(
        PolicyName=f"{table}-{side}-scaling", ServiceNamespace=NAMESPACE, ResourceId=resource_id,
        ScalableDimension=dimension, PolicyType="TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration={
            "TargetValue": float(wanted["target"]),
            "PredefinedMetricSpecification": {"PredefinedMetricType": metric}})


@AutoScalingErrorHandler.common_error_handler("stop scaling the table")
def remove(client, resource_id: str, side: str) -> None:
    # Deregistering a target deletes its policies with it.
    client.deregister_scalable_target(ServiceNamespace=NAMESPACE, ResourceId=resource_id,
                                      ScalableDimension=DIMENSIONS[side][0])


class Scaling(engine.Resource):
    @property
    def name(self) -> str:
        return self.params["table"]

    @property
    def resource_id(self) -> str:
        return f"table/{self.name}"

    def read(self) -> dict[str, Any] | None:
        state = describe(self.client, self.resource_id)
        return state if any(state.values()) else None

    def wanted(self, side: str) -> dict[str, Any] | None:
        value = self.params[side]
        return {"min": value["min"], "max": value["max"], "target": float(value["target"])} if value else None

    def plan_create(self) -> engine.Plan:
        return self.plan_update({"read": None, "write": None})

    def plan_update(self, current: dict[str, Any]) -> engine.Plan:
        plan = engine.Plan()
        for side in DIMENSIONS:
            wanted = self.wanted(side)
            if wanted == current.get(side):
                continue
            plan.change(side, wanted)
            if wanted:
                plan.call(lambda side=side, wanted=wanted: put(self.client, self.resource_id, self.name, side, wanted))
            else:
                plan.call(lambda side=side: remove(self.client, self.resource_id, side))
        return plan

    def plan_delete(self, current: dict[str, Any]) -> engine.Plan:
        plan = engine.Plan()
        for side in DIMENSIONS:
            if current.get(side):
                plan.call(lambda side=side: remove(self.client, self.resource_id, side))
        return plan

    def result(self, state: dict[str, Any] | None) -> dict[str, Any]:
        return state or {"read": None, "write": None}


def main() -> None:
    side = dict(type="dict", options=dict(min=dict(type="int", required=True), max=dict(type="int", required=True),
                                          target=dict(type="float", default=70)))
    argument_spec = dict(state=dict(type="str", choices=["present", "absent"], default="present"),
                         table=dict(type="str", required=True), read=side, write=side)
    module = DataServicesAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    for name in DIMENSIONS:
        value = module.params[name]
        if value and not (1 <= value["min"] <= value["max"] <= 40000 and 20 <= value["target"] <= 90):
            module.fail_json(msg=f"{name} must have 1 <= min <= max <= 40000 capacity units and a target from 20 to "
                                 f"90 percent, got {value}.")
    engine.run(Scaling(module, module.client("application-autoscaling")))


if __name__ == "__main__":
    main()
