# Copyright: Open edX data services maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Amazon CloudWatch alarm calls of the cloudwatch_metric_alarms module, and what AWS refuses in an alarm.

The limits are PutMetricAlarm's (CloudWatch API reference); the alarms filter checks the roles' settings with the
same functions before any AWS call. Errors are raised as ``AnsibleCloudWatchError``, which the engine turns into
``fail_json_aws``. Retries are botocore's (module_utils/modules.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list

STATISTICS = ("SampleCount", "Average", "Sum", "Minimum", "Maximum")
# The operators of static-threshold alarms (the others are for anomaly detection bands).
COMPARISON_OPERATORS = ("GreaterThanOrEqualToThreshold", "GreaterThanThreshold", "LessThanThreshold",
                        "LessThanOrEqualToThreshold")
TREAT_MISSING_DATA = ("breaching", "notBreaching", "ignore", "missing")
MAX_NAME_LENGTH = 255
MAX_DESCRIPTION_LENGTH = 1024
MAX_DIMENSIONS = 30
MAX_ACTIONS = 5
# DeleteAlarms takes at most 100 names.
DELETE_BATCH = 100
# Period x EvaluationPeriods: at most 7 days, and at most 1 day for periods under an hour.
MAX_EVALUATION_SECONDS = 7 * 86400
MAX_SHORT_PERIOD_EVALUATION_SECONDS = 86400
ACTION_ARN = re.compile(r"^arn:aws[a-z-]*:[a-z0-9-]+:")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class AnsibleCloudWatchError(AnsibleAWSError):
    pass


class CloudWatchErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleCloudWatchError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("ResourceNotFound")


# --- input --------------------------------------------------------------------------------------------------


def period_problem(period: Any) -> str | None:
    """Why AWS refuses ``period`` (seconds) as an alarm's period."""
    whole = isinstance(period, int) and not isinstance(period, bool)
    if whole and (period in (10, 20, 30) or (period > 0 and period % 60 == 0)):
        return None
    return f"period must be 10, 20, 30 or a multiple of 60 (seconds), got {period!r}"


def evaluation_problem(period: int, evaluation_periods: Any, datapoints_to_alarm: Any) -> str | None:
    """Why AWS refuses these evaluation periods and datapoints for an alarm of ``period`` seconds."""
    for option, value in (("evaluation_periods", evaluation_periods), ("datapoints_to_alarm", datapoints_to_alarm)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            return f"{option} must be a whole number of at least 1, got {value!r}"
    if datapoints_to_alarm > evaluation_periods:
        return (f"datapoints_to_alarm ({datapoints_to_alarm}) must not exceed evaluation_periods "
                f"({evaluation_periods})")
    limit = MAX_SHORT_PERIOD_EVALUATION_SECONDS if period < 3600 else MAX_EVALUATION_SECONDS
    if period * evaluation_periods > limit:
        return (f"period x evaluation_periods ({period} x {evaluation_periods} s) must not exceed {limit} s (one day "
                f"for periods under an hour, seven days otherwise)")
    return None


def alarm_problems(alarm: dict[str, Any], prefix: str = "") -> list[str]:
    """What AWS would refuse in ``alarm`` (in the module's option names), each naming the alarm and the option."""
    name = alarm.get("name") or ""
    problems = []
    if not 1 <= len(name) <= MAX_NAME_LENGTH or _CONTROL.search(name):
        problems.append(f"name must be 1 to {MAX_NAME_LENGTH} characters without control characters, got {name!r}")
    elif not name.startswith(prefix):
        problems.append(f"name must start with the prefix {prefix!r} the module manages, got {name!r}")
    if len(alarm.get("description") or "") > MAX_DESCRIPTION_LENGTH:
        problems.append(f"description must be at most {MAX_DESCRIPTION_LENGTH} characters")
    dimensions = alarm.get("dimensions") or {}
    if len(dimensions) > MAX_DIMENSIONS:
        problems.append(f"dimensions must be at most {MAX_DIMENSIONS}, got {len(dimensions)}")
    for key, value in dimensions.items():
        if not 1 <= len(str(key)) <= 255 or not 1 <= len(str(value)) <= 255:
            problems.append(f"dimension names and values must be 1 to 255 characters, got {key!r}: {value!r}")
    for option in ("namespace", "metric_name"):
        value = alarm.get(option) or ""
        if not 1 <= len(value) <= 255 or (option == "namespace" and value.startswith(":")):
            problems.append(f"{option} must be 1 to 255 characters (a namespace not starting with ':'), got {value!r}")
    period = alarm.get("period")
    problem = period_problem(period)
    if problem is None:
        evaluation_periods = alarm.get("evaluation_periods")
        datapoints = alarm.get("datapoints_to_alarm")
        problem = evaluation_problem(period, evaluation_periods,
                                     evaluation_periods if datapoints is None else datapoints)
    if problem:
        problems.append(problem)
    return [f"alarm {name!r}: {problem}" for problem in problems]


def action_problems(option: str, actions: Iterable[str]) -> list[str]:
    actions = list(actions)
    problems = [f"{option} must hold at most {MAX_ACTIONS} actions, got {len(actions)}"] if len(
        actions) > MAX_ACTIONS else []
    problems += [f"{option} must be ARNs (an SNS topic's, for example), got {action!r}" for action in actions
                 if not ACTION_ARN.match(str(action))]
    return problems


# --- shapes -------------------------------------------------------------------------------------------------


def alarm_state(alarm: dict[str, Any]) -> dict[str, Any]:
    """A described metric alarm in the module's option names (actions sorted: their order means nothing).

    An alarm on a metric math expression or a percentile has no statistic here, so that it differs from any alarm
    the module is asked for and is put again.
    """
    return {
        "description": alarm.get("AlarmDescription", ""),
        "namespace": alarm.get("Namespace"),
        "metric_name": alarm.get("MetricName"),
        "dimensions": {dimension["Name"]: dimension["Value"] for dimension in alarm.get("Dimensions", [])},
        "statistic": None if alarm.get("Metrics") else alarm.get("Statistic"),
        "period": alarm.get("Period"),
        "evaluation_periods": alarm.get("EvaluationPeriods"),
        "datapoints_to_alarm": alarm.get("DatapointsToAlarm", alarm.get("EvaluationPeriods")),
        "threshold": float(alarm["Threshold"]) if alarm.get("Threshold") is not None else None,
        "comparison_operator": alarm.get("ComparisonOperator"),
        "treat_missing_data": alarm.get("TreatMissingData", "missing"),
        "actions_enabled": alarm.get("ActionsEnabled", True),
        "alarm_actions": sorted(alarm.get("AlarmActions", [])),
        "ok_actions": sorted(alarm.get("OKActions", [])),
        "insufficient_data_actions": sorted(alarm.get("InsufficientDataActions", [])),
    }


def put_request(name: str, state: dict[str, Any], tags: dict[str, str] | None) -> dict[str, Any]:
    """PutMetricAlarm's parameters for the alarm ``name`` in ``state`` (alarm_state's shape)."""
    params: dict[str, Any] = {
        "AlarmName": name,
        "AlarmDescription": state["description"],
        "Namespace": state["namespace"],
        "MetricName": state["metric_name"],
        "Dimensions": [{"Name": key, "Value": value} for key, value in sorted(state["dimensions"].items())],
        "Statistic": state["statistic"],
        "Period": state["period"],
        "EvaluationPeriods": state["evaluation_periods"],
        "DatapointsToAlarm": state["datapoints_to_alarm"],
        "Threshold": state["threshold"],
        "ComparisonOperator": state["comparison_operator"],
        "TreatMissingData": state["treat_missing_data"],
        "ActionsEnabled": state["actions_enabled"],
        "AlarmActions": state["alarm_actions"],
        "OKActions": state["ok_actions"],
        "InsufficientDataActions": state["insufficient_data_actions"],
    }
    if tags:
        # CloudWatch applies these when it creates the alarm and ignores them on an update.
        params["Tags"] = ansible_dict_to_boto3_tag_list(tags)
    return params


# --- calls --------------------------------------------------------------------------------------------------


@CloudWatchErrorHandler.list_error_handler("describe alarms", [])
def describe_alarms(client, prefix: str) -> list[dict[str, Any]]:
    """Every metric alarm whose name starts with ``prefix``: one request per page of 100."""
    pages = client.get_paginator("describe_alarms").paginate(AlarmNamePrefix=prefix, AlarmTypes=["MetricAlarm"])
    return pages.build_full_result().get("MetricAlarms", [])


@CloudWatchErrorHandler.common_error_handler("put metric alarm")
def put_metric_alarm(client, params: dict[str, Any]) -> None:
    client.put_metric_alarm(**params)


@CloudWatchErrorHandler.common_error_handler("delete alarms")
def delete_alarms(client, names: list[str]) -> None:
    for start in range(0, len(names), DELETE_BATCH):
        client.delete_alarms(AlarmNames=names[start:start + DELETE_BATCH])
