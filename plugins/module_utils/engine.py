# Copyright: Open edX data services maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one resource engine of the collection's resource modules: describe -> normalise -> plan -> predict ->
apply -> wait.

A module describes its resource in a ``Resource`` subclass and hands it to ``run()``:

- ``read()`` describes the resource and normalises it into the module's option names (``None``: absent);
- ``plan_create()``, ``plan_update(current)`` and ``plan_delete(current)`` return a ``Plan``: the changes in option
  names and the calls (and waits) that make them, in order. They refuse what AWS cannot do in place by raising
  ``ReplacementRequired`` and bad combinations by ``fail_json``, before any mutating call;
- ``predict(current, plan)`` is the state after the plan, which check mode and the diff show;
- ``run()`` applies the plan's steps unless in check mode, then reads the resource again.

Because the calls only exist as steps of a plan, check mode and runs with nothing to change make no mutating
call by construction. Waiting goes through ``resources.wait``, which holds each kind's ready and failed states.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.openedx.data_services.plugins.module_utils import resources
from ansible_collections.openedx.data_services.plugins.module_utils.common import ReplacementRequired, merged_tags


class Plan:
    """The changes a run makes, in option names, and the steps (AWS calls and waits) that make them."""

    def __init__(self, changes: dict[str, Any] | None = None) -> None:
        self.changes: dict[str, Any] = dict(changes or {})
        self.steps: list[Callable[[], object]] = []

    def change(self, option: str, value: Any) -> None:
        self.changes[option] = value

    def call(self, step: Callable[[], object]) -> None:
        self.steps.append(step)

    def __bool__(self) -> bool:
        return bool(self.steps)


class Resource:
    """One AWS resource as a module manages it; subclasses fill in the service."""

    # resources.LIFECYCLES key of what ``wait()`` waits for ("" when the resource is never waited for).
    kind = ""
    # The module's return key holding the resource; "" puts the resource's keys at the top of the return value.
    result_key = ""
    # State keys that change from moment to moment rather than by configuration: left out of the diff.
    diff_hidden: tuple[str, ...] = ()

    def __init__(self, module: Any, client: Any) -> None:
        self.module = module
        self.client = client
        self.params = module.params
        # For a kind that is waited for: the resource's state in resources' common shape (ready, endpoint...),
        # which ``read()`` derives from the description it reads anyway; returned as ``resource``.
        self.readiness: dict[str, Any] | None = None

    @property
    def name(self) -> str:
        raise NotImplementedError

    def read(self) -> dict[str, Any] | None:
        raise NotImplementedError

    def plan_create(self) -> Plan:
        raise NotImplementedError

    def plan_update(self, current: dict[str, Any]) -> Plan:
        raise NotImplementedError

    def plan_delete(self, current: dict[str, Any]) -> Plan:
        raise NotImplementedError

    def predict(self, current: dict[str, Any] | None, plan: Plan) -> dict[str, Any] | None:
        if self.params.get("state") == "absent":
            return None
        return dict(current or {}, **plan.changes)

    def settle(self, current: dict[str, Any]) -> bool:
        """Called when nothing changes (outside check mode); True when it waited and the state must be read again."""
        return False

    def result(self, state: dict[str, Any] | None) -> dict[str, Any]:
        """The module's return value for ``state``."""
        return state or {}

    def extra_returns(self) -> dict[str, Any]:
        """Return values beside ``result_key``."""
        return {}

    def diff_view(self, state: dict[str, Any] | None) -> dict[str, Any]:
        return {k: v for k, v in (state or {}).items() if k not in self.diff_hidden}

    def wait(self, until: str = "ready") -> dict[str, Any]:
        return resources.wait(self.client, self.kind, self.name, self.params["wait_timeout"], until)

    def kms_client(self) -> Any:
        return self.module.client("kms")

    def plan_tags(self, plan: Plan, current: dict[str, Any], update_tags: Callable[..., bool]) -> None:
        """Add the tag changes ``tags`` and ``purge_tags`` ask for; ``update_tags`` is the service's, which compares
        the tags in check mode and changes them otherwise."""
        params = self.params

        def sync(check_mode: bool) -> bool:
            return update_tags(self.client, current["arn"], current["tags"], params["tags"], params["purge_tags"],
                               check_mode)

        if sync(True):
            plan.change("tags", merged_tags(current["tags"], params["tags"], params["purge_tags"]))
            plan.call(lambda: sync(False))


def run(resource: Resource) -> None:
    """Bring the resource to the module's parameters and exit the module with the result and the diff."""
    module = resource.module
    plan, before, after = Plan(), None, None
    try:
        before = resource.read()
        if module.params.get("state") == "absent":
            plan = resource.plan_delete(before) if before is not None else Plan()
        elif before is None:
            plan = resource.plan_create()
        else:
            plan = resource.plan_update(before)
        after = resource.predict(before, plan)
        if not module.check_mode:
            if plan:
                for step in plan.steps:
                    step()
                after = resource.read() if after is not None else None
            elif before is not None and after is not None and resource.settle(before):
                after = resource.read()
    except ReplacementRequired as e:
        module.fail_json(msg=str(e))
    except AnsibleAWSError as e:
        module.fail_json_aws_error(e)
    returned = resource.result(after)
    if resource.result_key:
        returned = {resource.result_key: returned}
    extra = resource.extra_returns()
    if resource.readiness is not None:
        extra["resource"] = resource.readiness
    module.exit_json(changed=bool(plan), **returned, **extra,
                     diff={"before": resource.diff_view(before), "after": resource.diff_view(after)})
