# Copyright: Open edX data services maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The parameter groups of RDS (DB parameter groups) and DocumentDB (cluster parameter groups), on the engine.

Both APIs describe each parameter with its ApplyType and IsModifiable, hold every value as a string and refuse
ApplyMethod ``immediate`` for a static parameter (InvalidParameterCombination), so a change is planned per
parameter: ``immediate`` for dynamic ones, ``pending-reboot`` for static ones, which are then reported as waiting
for a reboot. Unknown and non-modifiable parameters and family changes are refused before any mutating call.
A module supplies its service's calls as an ``Api`` (module_utils/docdb.py, module_utils/rds.py) and hands them to
``run_module``, which takes the options both modules share (``ARGUMENT_SPEC``).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict
from ansible_collections.amazon.aws.plugins.module_utils.botocore import normalize_boto3_result
from ansible_collections.openedx.data_services.plugins.module_utils import engine
from ansible_collections.openedx.data_services.plugins.module_utils.common import merged_tags
from ansible_collections.openedx.data_services.plugins.module_utils.modules import DataServicesAWSModule

# Above this many parameters a family's names are too many to list in a message; close matches are given instead.
LISTED_NAMES = 40


def as_value(value: Any, parameter: dict[str, Any] | None = None) -> str:
    """AWS holds every value as a string; YAML gives booleans and numbers.

    A boolean parameter (MySQL's ``0,1``) takes a YAML boolean as ``1``/``0``, any other as ``true``/``false``.
    """
    if isinstance(value, bool):
        if (parameter or {}).get("DataType") == "boolean":
            return "1" if value else "0"
        return "true" if value else "false"
    return str(value)


def apply_method(parameter: dict[str, Any]) -> str:
    """Static parameters only take effect after a reboot; AWS refuses ``immediate`` for them."""
    return "pending-reboot" if parameter.get("ApplyType") == "static" else "immediate"


def user_values(parameters: list[dict[str, Any]]) -> dict[str, str | None]:
    """The values set in the group (source ``user``), by name."""
    return {p["ParameterName"]: p.get("ParameterValue") for p in parameters if p.get("Source") == "user"}


def parameter_problem(catalog: list[dict[str, Any]], names: list[str], family: str) -> str | None:
    """Why the parameters ``names`` cannot be set in a group whose parameters are ``catalog``, or None."""
    by_name = {p["ParameterName"]: p for p in catalog}
    unknown = sorted(set(names) - set(by_name))
    if unknown:
        if len(by_name) <= LISTED_NAMES:
            hint = f"allowed: {', '.join(sorted(by_name))}"
        else:
            close = sorted({match for name in unknown for match in difflib.get_close_matches(name, by_name, 3)})
            hint = f"did you mean {', '.join(close)}?" if close else f"none of its {len(by_name)} parameters is close"
        return f"parameters: unknown parameter(s) {', '.join(unknown)} for family {family}; {hint}"
    fixed = sorted(name for name in names if by_name[name].get("IsModifiable") is False)
    if fixed:
        return f"parameters: {', '.join(fixed)} cannot be modified (AWS sets them)"
    return None


def plan_parameters(catalog: list[dict[str, Any]], desired: dict[str, Any],
                    purge: bool) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """The (modify, reset) parameter lists that bring the group described by ``catalog`` to ``desired``.

    ``catalog`` holds every parameter named in ``desired`` (``parameter_problem`` has accepted them) and, for
    ``purge``, every user-set one.
    """
    by_name = {p["ParameterName"]: p for p in catalog}
    modify = []
    for name, value in sorted(desired.items()):
        value = as_value(value, by_name[name])
        if by_name[name].get("ParameterValue") != value:
            modify.append({"ParameterName": name, "ParameterValue": value, "ApplyMethod": apply_method(by_name[name])})
    reset = []
    if purge:
        reset = [{"ParameterName": p["ParameterName"], "ApplyMethod": apply_method(p)}
                 for p in catalog if p.get("Source") == "user" and p["ParameterName"] not in desired]
    return modify, reset


@dataclass(frozen=True)
class Api:
    """One service's parameter group calls, each taking the client first, and how its messages name things."""

    # How messages name the service and a family: "DocumentDB", "docdb5.0".
    service: str
    family_example: str
    # The describe output's key of the group's ARN.
    arn_key: str
    describe_group: Callable[[Any, str], dict[str, Any] | None]
    # (client, name, source): source "user" or None for every parameter.
    describe_parameters: Callable[[Any, str, str | None], list[dict[str, Any]]]
    describe_engine_defaults: Callable[[Any, str], list[dict[str, Any]]]
    # (client, name, family, description, tags)
    create_group: Callable[[Any, str, str, str, dict[str, str]], object]
    modify_parameters: Callable[[Any, str, list[dict[str, str]]], object]
    reset_parameters: Callable[[Any, str, list[dict[str, str]]], object]
    delete_group: Callable[[Any, str], object]
    list_tags: Callable[[Any, str], dict[str, str]]
    # (client, arn, to_add, to_remove)
    update_tags: Callable[[Any, str, dict[str, str], list[str]], object]
    # Read the user-set parameters first, and every parameter only when a desired one is not among them: a family
    # of hundreds of parameters (MySQL's, 100 a page) then costs one page per run instead of several.
    user_parameters_first: bool = False


class ParameterGroup(engine.Resource):
    """The diff shows the group's settings; the return value is AWS's description with the user-set values."""

    result_key = "parameter_group"

    def __init__(self, module: Any, client: Any, api: Api) -> None:
        super().__init__(module, client)
        self.api = api
        self.group: dict[str, Any] | None = None
        self.parameters: list[dict[str, Any]] = []
        # Whether ``parameters`` holds every parameter of the group, not only the user-set ones.
        self.complete = False
        self.tags: dict[str, str] = {}
        self.pending_reboot: list[str] = []
        self.desired: dict[str, Any] = self.params["parameters"] or {}

    @property
    def name(self) -> str:
        return self.params["name"]

    def read(self) -> dict[str, Any] | None:
        self.group = self.api.describe_group(self.client, self.name)
        if self.group is None:
            self.parameters, self.complete = [], False
            return None
        self.complete = not self.api.user_parameters_first
        self.parameters = self.api.describe_parameters(self.client, self.name, None if self.complete else "user")
        self.tags = self.api.list_tags(self.client, self.group[self.api.arn_key])
        return {"family": self.group["DBParameterGroupFamily"], "description": self.group.get("Description"),
                "parameters": user_values(self.parameters), "tags": self.tags}

    def result(self, state: dict[str, Any] | None) -> dict[str, Any]:
        if not state or self.group is None:
            return {}
        result = camel_dict_to_snake_dict(normalize_boto3_result(self.group))
        result["tags"] = self.tags
        result["parameters"] = user_values(self.parameters)
        return result

    def extra_returns(self) -> dict[str, Any]:
        return {"pending_reboot": self.pending_reboot}

    def catalog(self) -> list[dict[str, Any]]:
        """The group's parameters as far as planning needs them: the user-set ones when every desired parameter
        is among them, all of them otherwise."""
        user_set = {p["ParameterName"] for p in self.parameters}
        if not self.complete and set(self.desired) - user_set:
            self.parameters = self.api.describe_parameters(self.client, self.name, None)
            self.complete = True
        return self.parameters

    def plan_parameters(self, catalog: list[dict[str, Any]], current: dict[str, Any]) -> engine.Plan:
        """The parameter and tag changes from ``current`` (the settings of ``catalog``'s group)."""
        params = self.params
        problem = parameter_problem(catalog, list(self.desired), current["family"])
        if problem:
            self.module.fail_json(msg=problem)
        modify, reset = plan_parameters(catalog, self.desired, params["purge_parameters"])
        if (modify or reset) and self.name.lower().startswith("default."):
            self.module.fail_json(msg=f"{self.name} is an AWS default group and cannot be modified; create a group "
                                      f"of your own")
        reset_names = {p["ParameterName"] for p in reset}
        parameters = {k: v for k, v in current["parameters"].items() if k not in reset_names}
        parameters.update({p["ParameterName"]: p["ParameterValue"] for p in modify})
        self.pending_reboot = sorted(p["ParameterName"] for p in modify + reset if p["ApplyMethod"] == "pending-reboot")
        plan = engine.Plan(dict(current, parameters=parameters,
                                tags=merged_tags(current["tags"], params["tags"], params["purge_tags"])))
        if reset:
            plan.call(lambda: self.api.reset_parameters(self.client, self.name, reset))
        if modify:
            plan.call(lambda: self.api.modify_parameters(self.client, self.name, modify))
        return plan

    def plan_create(self) -> engine.Plan:
        params, api = self.params, self.api
        family = params["family"]
        if not family:
            self.module.fail_json(msg=f"creating parameter group {self.name} needs family (for example "
                                      f"{api.family_example})")
        catalog = api.describe_engine_defaults(self.client, family)
        if not catalog:
            self.module.fail_json(msg=f"family {family!r} is unknown to {api.service} (for example "
                                      f"{api.family_example})")
        catalog = [dict(p, Source="engine-default") for p in catalog]
        new = {"family": family, "description": params["description"] or self.name, "parameters": {}, "tags": {}}
        changes = self.plan_parameters(catalog, new)
        plan = engine.Plan(changes.changes)
        plan.call(lambda: api.create_group(self.client, self.name, family, new["description"], plan.changes["tags"]))
        plan.steps += changes.steps
        return plan

    def plan_update(self, current: dict[str, Any]) -> engine.Plan:
        params = self.params
        if params["family"] and params["family"] != current["family"]:
            self.module.fail_json(msg=f"parameter group {self.name} is of family {current['family']}; "
                                      f"family cannot change to {params['family']} (create a new group)")
        if params["description"] is not None and params["description"] != current["description"]:
            self.module.warn(f"parameter group {self.name}: the description cannot be changed after creation")
        plan = self.plan_parameters(self.catalog(), current)
        to_add = {k: v for k, v in plan.changes["tags"].items() if current["tags"].get(k) != v}
        to_remove = [k for k in current["tags"] if k not in plan.changes["tags"]]
        if to_add or to_remove:
            arn = self.group[self.api.arn_key] if self.group else ""
            plan.steps.insert(0, lambda: self.api.update_tags(self.client, arn, to_add, to_remove))
        return plan

    def plan_delete(self, current: dict[str, Any]) -> engine.Plan:
        if self.name.lower().startswith("default."):
            self.module.fail_json(msg=f"{self.name} is an AWS default group and cannot be deleted")
        plan = engine.Plan()
        plan.call(lambda: self.api.delete_group(self.client, self.name))
        return plan


# The options of both parameter group modules (their DOCUMENTATION describes them).
ARGUMENT_SPEC = dict(
    state=dict(type="str", choices=["present", "absent"], default="present"),
    name=dict(type="str", required=True),
    family=dict(type="str"),
    description=dict(type="str"),
    parameters=dict(type="dict", default={}),
    purge_parameters=dict(type="bool", default=False),
    tags=dict(type="dict", aliases=["resource_tags"]),
    purge_tags=dict(type="bool", default=True),
)


def run_module(service: str, api: Any) -> None:
    """A parameter group module's main(): ``service`` is the boto3 client's name, ``api`` its calls."""
    module = DataServicesAWSModule(argument_spec=dict(ARGUMENT_SPEC), supports_check_mode=True)
    engine.run(ParameterGroup(module, module.client(service), api))
