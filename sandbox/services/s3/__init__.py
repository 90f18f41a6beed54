"""S3: bucket policies evaluated with their conditions, as AWS evaluates them for object requests.

moto 5.2.5 applies a bucket policy's statements to object requests (GetObject, PutObject, DeleteObject...) without
looking at their conditions: a statement denying requests without TLS (``aws:SecureTransport`` false), or objects sent
with another encryption than SSE-KMS, denies every request, and a TLS-only bucket cannot be used at all. Here each
statement that names every principal (``*``, the only principal moto checks) applies only when its conditions hold
for the request:

- ``aws:SecureTransport``: the sandbox stands in for AWS's HTTPS endpoints, so it is true unless
  ``SANDBOX_S3_SECURE_TRANSPORT`` is ``false`` (read on every request: a test can play a client on plain HTTP);
- ``s3:x-amz-server-side-encryption``, ``s3:x-amz-server-side-encryption-aws-kms-key-id`` and
  ``s3:x-amz-server-side-encryption-customer-algorithm``: the request's headers of those names;
- the operators ``String(Not)Equals``, ``String(Not)EqualsIgnoreCase``, ``String(Not)Like``, ``Bool``, ``Null`` and
  ``Arn(Not)Equals``/``Arn(Not)Like``, each also with ``IfExists``. A statement with another operator does not apply.
"""

from __future__ import annotations

import contextvars
import fnmatch
import json
import os
from typing import Any

from moto.iam.access_control import PermissionResult
from moto.s3.models import FakeBucket
from moto.s3.responses import S3Response

from sandbox.services import Hooks, replace, wrap

_REQUEST: contextvars.ContextVar[dict[str, str] | None] = contextvars.ContextVar("sandbox_s3_request", default=None)
_HEADER_KEYS = ("s3:x-amz-server-side-encryption", "s3:x-amz-server-side-encryption-aws-kms-key-id",
                "s3:x-amz-server-side-encryption-customer-algorithm")


def request_context(headers: Any) -> dict[str, str]:
    """The condition keys a request carries, keyed in lower case."""
    lowered = {str(key).lower(): str(value) for key, value in dict(headers or {}).items()}
    secure = os.environ.get("SANDBOX_S3_SECURE_TRANSPORT", "true").lower() != "false"
    context = {"aws:securetransport": "true" if secure else "false"}
    for key in _HEADER_KEYS:
        header = key.split(":", 1)[1]
        if header in lowered:
            context[key] = lowered[header]
    return context


def setup_class(factory: Any) -> Any:
    """S3Response.setup_class, which every S3 request goes through, also keeping the request's condition keys."""

    def setup(self: S3Response, request: Any, full_url: str | None = None, headers: Any = None) -> None:
        factory(self, request, full_url, headers)
        _REQUEST.set(request_context(request.headers if headers is None else headers))

    return setup


def _values(value: Any) -> list[str]:
    values = value if isinstance(value, list) else [value]
    return [str(item).lower() if isinstance(item, bool) else str(item) for item in values]


def _matches(patterns: Any, value: str) -> bool:
    return any(fnmatch.fnmatchcase(value.lower(), pattern.lower()) for pattern in _values(patterns))


_TESTS = {
    "StringEquals": lambda expected, actual: actual in expected,
    "StringNotEquals": lambda expected, actual: actual not in expected,
    "StringEqualsIgnoreCase": lambda expected, actual: actual.lower() in [e.lower() for e in expected],
    "StringNotEqualsIgnoreCase": lambda expected, actual: actual.lower() not in [e.lower() for e in expected],
    "StringLike": lambda expected, actual: any(fnmatch.fnmatchcase(actual, e) for e in expected),
    "StringNotLike": lambda expected, actual: not any(fnmatch.fnmatchcase(actual, e) for e in expected),
    "Bool": lambda expected, actual: actual.lower() in [e.lower() for e in expected],
    "ArnEquals": lambda expected, actual: any(fnmatch.fnmatchcase(actual, e) for e in expected),
    "ArnLike": lambda expected, actual: any(fnmatch.fnmatchcase(actual, e) for e in expected),
    "ArnNotEquals": lambda expected, actual: not any(fnmatch.fnmatchcase(actual, e) for e in expected),
    "ArnNotLike": lambda expected, actual: not any(fnmatch.fnmatchcase(actual, e) for e in expected),
}
# Negated operators hold when the key is absent from the request; the others do not.
_NEGATED = frozenset(name for name in _TESTS if "Not" in name)


def conditions_hold(condition: dict[str, Any], context: dict[str, str]) -> bool | None:
    """Whether every condition of a statement holds for the request; None when an operator is unknown."""
    for operator, tests in condition.items():
        if_exists = operator.endswith("IfExists")
        name = operator.removesuffix("IfExists")
        for key, expected in tests.items():
            actual = context.get(key.lower())
            if name == "Null":
                if (actual is None) != (_values(expected)[0].lower() == "true"):
                    return False
                continue
            if name not in _TESTS:
                return None
            if actual is None:
                if not (if_exists or name in _NEGATED):
                    return False
                continue
            if not _TESTS[name](_values(expected), actual):
                return False
    return True


def statement_result(statement: dict[str, Any], action: str, resource: str, context: dict[str, str]) -> Any:
    principal = statement.get("Principal")
    if principal != "*" and not (isinstance(principal, dict) and _values(principal.get("AWS")) == ["*"]):
        return PermissionResult.NEUTRAL
    if "NotAction" in statement:
        concerned = not _matches(statement["NotAction"], action)
    else:
        concerned = _matches(statement.get("Action", []), action)
    if "NotResource" in statement:
        concerned = concerned and not _matches(statement["NotResource"], resource)
    else:
        concerned = concerned and _matches(statement.get("Resource", []), resource)
    if not concerned or not conditions_hold(statement.get("Condition") or {}, context):
        return PermissionResult.NEUTRAL
    return PermissionResult.DENIED if statement.get("Effect") == "Deny" else PermissionResult.PERMITTED


def get_permission(self: FakeBucket, action: str, resource: str) -> Any:
    if self.policy is None:
        return PermissionResult.NEUTRAL
    statements = json.loads(self.policy)["Statement"]
    context = _REQUEST.get() or request_context({})
    results = [statement_result(statement, action, resource, context)
               for statement in (statements if isinstance(statements, list) else [statements])]
    if PermissionResult.DENIED in results:
        return PermissionResult.DENIED
    return PermissionResult.PERMITTED if PermissionResult.PERMITTED in results else PermissionResult.NEUTRAL


HOOKS = Hooks(
    wrap(S3Response, "setup_class", setup_class),
    replace(FakeBucket, "get_permission", get_permission),
)
