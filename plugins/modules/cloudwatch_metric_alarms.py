#!/usr/bin/python
# Copyright: Open edX data services maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: cloudwatch_metric_alarms
version_added: 0.1.0
short_description: Manage the set of CloudWatch metric alarms whose names start with a prefix
description:
  - Makes the CloudWatch metric alarms whose names start with O(prefix) exactly the ones listed in O(alarms), all
    with the same actions, in one task.
  - The alarms are read with one C(DescribeAlarms) request for O(prefix) (one per 100 alarms). Only an alarm that
    is missing or differs from its entry in O(alarms) is put (C(PutMetricAlarm)); with O(purge=true), the alarms of
    the prefix that O(alarms) does not list are deleted (C(DeleteAlarms), 100 names a request). A run with nothing to
    change makes that one read and no other call. M(amazon.aws.cloudwatch_metric_alarm) reads each alarm on its own.
  - Alarms on a static threshold of one metric only (no metric math, percentiles or anomaly detection). An alarm of
    the prefix of another kind is replaced by the one O(alarms) lists under its name, or deleted.
  - The task owns its prefix. With O(purge=true), any other alarm whose name starts with it is deleted.
author:
  - Open edX data services maintainers (@openedx)
options:
  prefix:
    description:
      - The start of every alarm name the task manages, such as C(openedx-prod-mysql-).
      - 1 to 255 characters. Every name in O(alarms) must start with it.
    type: str
    required: true
  alarms:
    description:
      - The alarms, each on one metric of one resource and a static threshold.
      - An empty list with O(purge=true) deletes every alarm of the prefix.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: The alarm's name, unique in the region; 1 to 255 characters starting with O(prefix).
        type: str
        required: true
      description:
        description: What the alarm means and what to do; at most 1024 characters.
        type: str
        default: ""
      namespace:
        description: The metric's namespace, such as C(AWS/RDS).
        type: str
        required: true
      metric_name:
        description: The metric's name, such as C(CPUUtilization).
        type: str
        required: true
      dimensions:
        description:
          - The metric's dimensions, name to value (at most 30), such as C(DBInstanceIdentifier) to an RDS
            instance's identifier.
          - They must name the dimensions the service publishes the metric with, all of them, or the alarm watches a
            metric that does not exist and stays in C(INSUFFICIENT_DATA).
        type: dict
        default: {}
      statistic:
        description: The statistic compared with the threshold.
        type: str
        required: true
        choices: [SampleCount, Average, Sum, Minimum, Maximum]
      period:
        description: Seconds per data point, 10, 20, 30 or a multiple of 60.
        type: int
        required: true
      evaluation_periods:
        description:
          - The number of latest periods evaluated (the N of "M out of N").
          - O(alarms[].period) times this is at most one day for periods under an hour, seven days otherwise.
        type: int
        required: true
      datapoints_to_alarm:
        description:
          - The breaching data points among them that set the alarm off (the M).
          - O(alarms[].evaluation_periods) when unset.
        type: int
      threshold:
        description: The value the statistic is compared with, in the metric's unit.
        type: float
        required: true
      comparison_operator:
        description: How the statistic is compared with the threshold.
        type: str
        required: true
        choices: [GreaterThanOrEqualToThreshold, GreaterThanThreshold, LessThanThreshold, LessThanOrEqualToThreshold]
      treat_missing_data:
        description: How periods without data count.
        type: str
        default: missing
        choices: [breaching, notBreaching, ignore, missing]
  alarm_actions:
    description: The ARNs (at most 5) notified when an alarm goes into C(ALARM), such as an SNS topic's.
    type: list
    elements: str
    default: []
  ok_actions:
    description: The ARNs (at most 5) notified when an alarm goes back to C(OK).
    type: list
    elements: str
    default: []
  insufficient_data_actions:
    description: The ARNs (at most 5) notified when an alarm goes into C(INSUFFICIENT_DATA).
    type: list
    elements: str
    default: []
  actions_enabled:
    description: Whether the alarms notify their actions.
    type: bool
    default: true
  tags:
    description:
      - Tags given to each alarm the task creates.
      - CloudWatch ignores the tags of C(PutMetricAlarm) on an alarm that exists, and reading them back takes a call
        per alarm, so the tags of existing alarms are neither read nor changed.
    type: dict
    aliases: [resource_tags]
  purge:
    description: Whether the alarms of the prefix that O(alarms) does not list are deleted.
    type: bool
    default: true
  state:
    description:
      - V(present) puts the listed alarms (and with O(purge=true) deletes the others of the prefix).
      - V(absent) deletes every alarm of the prefix; O(alarms) is not used.
    type: str
    choices: [present, absent]
    default: present
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
    details: The diff shows each alarm of the prefix, by name, in the module's option names.
  platform:
    platforms: aws
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: CPU and free storage alarms of an RDS instance, to an SNS topic
  openedx.data_services.cloudwatch_metric_alarms:
    prefix: openedx-prod-mysql-
    alarms:
      - name: openedx-prod-mysql-cpu-utilization
        description: Average CPU above 80 % for 5 minutes.
        namespace: AWS/RDS
        metric_name: CPUUtilization
        dimensions:
          DBInstanceIdentifier: openedx-prod-mysql
        statistic: Average
        period: 60
        evaluation_periods: 5
        threshold: 80
        comparison_operator: GreaterThanThreshold
      - name: openedx-prod-mysql-free-storage-space
        namespace: AWS/RDS
        metric_name: FreeStorageSpace
        dimensions:
          DBInstanceIdentifier: openedx-prod-mysql
        statistic: Minimum
        period: 60
        evaluation_periods: 5
        threshold: 10737418240
        comparison_operator: LessThanThreshold
    alarm_actions: [arn:aws:sns:us-east-1:123456789012:openedx-prod-data-services-alarms]
    ok_actions: [arn:aws:sns:us-east-1:123456789012:openedx-prod-data-services-alarms]
    tags:
      Environment: prod

- name: Delete every alarm of the service
  openedx.data_services.cloudwatch_metric_alarms:
    prefix: openedx-test-redis-
    state: absent
"""

RETURN = r"""
alarms:
  description:
    - The alarms of the prefix as the run leaves them, by name order. In check mode, as the run would leave them.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The alarm's name.
      type: str
      sample: openedx-prod-mysql-cpu-utilization
    arn:
      description: The alarm's ARN.
      type: str
      returned: when the alarm exists
      sample: arn:aws:cloudwatch:us-east-1:123456789012:alarm:openedx-prod-mysql-cpu-utilization
    state_value:
      description: The alarm's state, V(OK), V(ALARM) or V(INSUFFICIENT_DATA).
      type: str
      returned: when the alarm exists
      sample: OK
    description:
      description: The alarm's description.
      type: str
    namespace:
      description: The metric's namespace.
      type: str
      sample: AWS/RDS
    metric_name:
      description: The metric's name.
      type: str
      sample: CPUUtilization
    dimensions:
      description: The metric's dimensions.
      type: dict
      sample: {"DBInstanceIdentifier": "openedx-prod-mysql"}
    statistic:
      description: The statistic; null for an alarm of another kind (metric math, percentile).
      type: str
      sample: Average
    period:
      description: Seconds per data point.
      type: int
      sample: 60
    evaluation_periods:
      description: The periods evaluated.
      type: int
      sample: 5
    datapoints_to_alarm:
      description: The breaching data points that set the alarm off.
      type: int
      sample: 5
    threshold:
      description: The threshold.
      type: float
      sample: 80.0
    comparison_operator:
      description: The comparison.
      type: str
      sample: GreaterThanThreshold
    treat_missing_data:
      description: How periods without data count.
      type: str
      sample: missing
    actions_enabled:
      description: Whether the alarm notifies its actions.
      type: bool
    alarm_actions:
      description: The ARNs notified on C(ALARM).
      type: list
      elements: str
    ok_actions:
      description: The ARNs notified on C(OK).
      type: list
      elements: str
    insufficient_data_actions:
      description: The ARNs notified on C(INSUFFICIENT_DATA).
      type: list
      elements: str
put:
  description: The names of the alarms the run created or changed (or would, in check mode).
  returned: always
  type: list
  elements: str
  sample: [openedx-prod-mysql-cpu-utilization]
deleted:
  description: The names of the alarms the run deleted (or would, in check mode).
  returned: always
  type: list
  elements: str
  sample: []
"""

from functools import partial

from ansible_collections.openedx.data_services.plugins.module_utils import cloudwatch, engine
from ansible_collections.openedx.data_services.plugins.module_utils.modules import DataServicesAWSModule

ACTION_OPTIONS = ("alarm_actions", "ok_actions", "insufficient_data_actions")


class Alarms(engine.Resource):
    """The resource is the set of the prefix's alarms: name -> state in option names; None when there is none."""

    result_key = "alarms"

    def __init__(self, module, client) -> None:
        super().__init__(module, client)
        self.prefix: str = self.params["prefix"]
        self.described: dict[str, dict] = {}
        self.put: list[str] = []
        self.deleted: list[str] = []

    def desired(self) -> dict[str, dict]:
        """Each listed alarm in alarm_state's shape, by name."""
        params = self.params
        shared = {"actions_enabled": params["actions_enabled"],
                  **{option: sorted(params[option]) for option in ACTION_OPTIONS}}
        alarms = {}
        for alarm in params["alarms"]:
            state = {key: alarm[key] for key in ("description", "namespace", "metric_name", "statistic", "period",
                                                 "evaluation_periods", "comparison_operator", "treat_missing_data")}
            state.update(dimensions={str(k): str(v) for k, v in (alarm["dimensions"] or {}).items()},
                         datapoints_to_alarm=alarm["datapoints_to_alarm"] or alarm["evaluation_periods"],
                         threshold=float(alarm["threshold"]), **shared)
            alarms[alarm["name"]] = state
        return alarms

    def read(self) -> dict | None:
        found = cloudwatch.describe_alarms(self.client, self.prefix)
        self.described = {alarm["AlarmName"]: alarm for alarm in found}
        return {name: cloudwatch.alarm_state(alarm) for name, alarm in self.described.items()} or None

    def plan_create(self) -> engine.Plan:
        return self.plan_update({})

    def plan_update(self, current: dict) -> engine.Plan:
        plan = engine.Plan()
        desired = self.desired()
        for name, state in desired.items():
            if current.get(name) != state:
                self.put.append(name)
                plan.change(name, state)
                plan.call(partial(cloudwatch.put_metric_alarm, self.client,
                                  cloudwatch.put_request(name, state, self.params["tags"])))
        if self.params["purge"]:
            self.plan_deletions(plan, [name for name in current if name not in desired])
        return plan

    def plan_delete(self, current: dict) -> engine.Plan:
        plan = engine.Plan()
        self.plan_deletions(plan, list(current))
        return plan

    def plan_deletions(self, plan: engine.Plan, names: list[str]) -> None:
        if names:
            self.deleted = sorted(names)
            plan.call(partial(cloudwatch.delete_alarms, self.client, self.deleted))

    def predict(self, current: dict | None, plan: engine.Plan) -> dict | None:
        if self.params["state"] == "absent":
            return None
        after = {name: state for name, state in (current or {}).items() if name not in self.deleted}
        after.update(plan.changes)
        return after or None

    def result(self, state: dict | None) -> list[dict]:
        alarms = []
        for name, alarm in sorted((state or {}).items()):
            described = self.described.get(name)
            identity = {"arn": described["AlarmArn"], "state_value": described.get("StateValue")} if described else {}
            alarms.append({"name": name, **identity, **alarm})
        return alarms

    def extra_returns(self) -> dict:
        return {"put": self.put, "deleted": self.deleted}


def input_problems(params: dict) -> list[str]:
    """What AWS would refuse in the options, before any call."""
    prefix = params["prefix"]
    problems = [] if 1 <= len(prefix) <= cloudwatch.MAX_NAME_LENGTH else [
        f"prefix must be 1 to {cloudwatch.MAX_NAME_LENGTH} characters, got {prefix!r}"]
    if params["state"] == "absent":
        return problems
    names = [alarm["name"] for alarm in params["alarms"]]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        problems.append(f"alarms must have distinct names; listed more than once: {', '.join(duplicates)}")
    for alarm in params["alarms"]:
        problems += cloudwatch.alarm_problems(alarm, prefix)
    for option in ACTION_OPTIONS:
        problems += cloudwatch.action_problems(option, params[option])
    return problems


def main() -> None:
    alarm_options = dict(
        name=dict(type="str", required=True),
        description=dict(type="str", default=""),
        namespace=dict(type="str", required=True),
        metric_name=dict(type="str", required=True),
        dimensions=dict(type="dict", default={}),
        statistic=dict(type="str", required=True, choices=list(cloudwatch.STATISTICS)),
        period=dict(type="int", required=True),
        evaluation_periods=dict(type="int", required=True),
        datapoints_to_alarm=dict(type="int"),
        threshold=dict(type="float", required=True),
        comparison_operator=dict(type="str", required=True, choices=list(cloudwatch.COMPARISON_OPERATORS)),
        treat_missing_data=dict(type="str", default="missing", choices=list(cloudwatch.TREAT_MISSING_DATA)),
    )
    argument_spec = dict(
        prefix=dict(type="str", required=True),
        alarms=dict(type="list", elements="dict", default=[], options=alarm_options),
        alarm_actions=dict(type="list", elements="str", default=[]),
        ok_actions=dict(type="list", elements="str", default=[]),
        insufficient_data_actions=dict(type="list", elements="str", default=[]),
        actions_enabled=dict(type="bool", default=True),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge=dict(type="bool", default=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
    )
    module = DataServicesAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    problems = input_problems(module.params)
    if problems:
        module.fail_json(msg="; ".join(problems))
    engine.run(Alarms(module, module.client("cloudwatch")))


if __name__ == "__main__":
    main()
