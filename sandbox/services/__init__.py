"""The AWS services the sandbox extends beyond moto, one package each, and the one way they hook into moto.

Each service package declares ``HOOKS``: a ``Hooks`` listing every attribute (or registry entry) it replaces
in moto or in another service, and the services it builds on. Nothing changes on import; ``apply(name)``
installs a service's hooks (after those it requires), once per process, and ``apply_all()`` installs them
all. The server applies them all before serving; tests apply the ones they exercise in-process.

A replacement that wraps what it replaced calls ``original(replacement)``.
"""

from __future__ import annotations

import importlib
import json
import threading
from collections.abc import Callable, Iterable, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SERVICES = ("ec2", "rds", "docdb", "elasticache", "opensearch", "logs", "s3", "sns", "secretsmanager", "kms", "iam",
            "dynamodb", "aurora_postgresql")

_LOCK = threading.RLock()
_ORIGINALS: dict[Callable[..., Any], Any] = {}
_APPLIED: set[str] = set()


@dataclass(frozen=True)
class Hook:
    """``target.name`` (an attribute, or an item when ``target`` is a mapping) becomes ``value``.

    With ``wrap``, ``value`` is a factory called with the current attribute, returning the replacement.
    """

    target: Any
    name: str
    value: Any
    wrap: bool = False

    def install(self) -> None:
        if isinstance(self.target, MutableMapping):
            current = self.target.get(self.name)
        else:
            current = getattr(self.target, self.name, None)
        replacement = self.value(current) if self.wrap else self.value
        key = _function(replacement)
        if callable(key):
            _ORIGINALS[key] = current
        if isinstance(self.target, MutableMapping):
            self.target[self.name] = replacement
        else:
            setattr(self.target, self.name, replacement)


class Hooks:
    """What one service changes, and the services whose hooks must be in place first."""

    def __init__(self, *hooks: Hook | Iterable[Hook], requires: tuple[str, ...] = ()) -> None:
        self.hooks = [hook for item in hooks for hook in ([item] if isinstance(item, Hook) else item)]
        self.requires = requires


def replace(target: Any, name: str, value: Any) -> Hook:
    return Hook(target, name, value)


def wrap(target: Any, name: str, factory: Callable[[Any], Any]) -> Hook:
    return Hook(target, name, factory, wrap=True)


def methods(target: Any, *functions: Callable[..., Any]) -> list[Hook]:
    """Hooks replacing each method of ``target`` by the function of the same name."""
    return [Hook(target, function.__name__, function) for function in functions]


def original(replacement: Any) -> Any:
    """What ``replacement`` (a function, or the getter of a property) replaced when it was installed."""
    return _ORIGINALS[_function(replacement)]


def apply(service: str) -> None:
    """Install the hooks of ``service`` and of the services it requires (once per process)."""
    with _LOCK:
        if service in _APPLIED:
            return
        hooks: Hooks = importlib.import_module(f"{__name__}.{service}").HOOKS
        for required in hooks.requires:
            apply(required)
        for hook in hooks.hooks:
            hook.install()
        _APPLIED.add(service)


def apply_all() -> list[str]:
    """Install every service's hooks; return the services' names."""
    for service in SERVICES:
        apply(service)
    return list(SERVICES)


def load_data(module_file: str, name: str) -> Any:
    """A JSON file from the ``data/`` folder beside ``module_file`` (catalogues are data, not code)."""
    return json.loads((Path(module_file).parent / "data" / name).read_text())


def _function(value: Any) -> Any:
    """The object ``original`` is keyed by: a property's getter, a wrapper's function, or the value itself."""
    if isinstance(value, property):
        return value.fget
    if isinstance(value, classmethod | staticmethod):
        return value.__func__
    return value

