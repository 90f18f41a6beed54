# Copyright: Open edX data services maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What grants too much in an IAM or resource policy, and whether a bucket policy refuses plain HTTP: checked on the
rendered documents before any IAM or S3 call, so that a template change cannot widen access unnoticed."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

# A whole service (s3:*) or everything (*, *:*).
_BROAD_ACTION = re.compile(r"^(\*|(\*|[A-Za-z0-9-]+):\*)$")
# Condition keys that pin down who calls: an account, an organization, a principal, a source resource or network.
_RESTRICTING_KEYS = frozenset(key.lower() for key in (
    "aws:PrincipalAccount", "aws:PrincipalArn", "aws:PrincipalOrgID", "aws:PrincipalOrgPaths",
    "aws:PrincipalServiceName", "aws:SourceAccount", "aws:SourceArn", "aws:SourceOwner", "aws:SourceOrgID",
    "aws:SourceOrgPaths", "aws:SourceVpc", "aws:SourceVpce", "aws:SourceIp", "aws:VpcSourceIp", "aws:userid",
    "aws:username", "kms:CallerAccount",
))


def _quote(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def _strings(value: Any) -> list[str]:
    """A policy element that is one string or a list of them, as a list."""
    if value is None:
        return []
    return [str(item) for item in value] if isinstance(value, list) else [str(value)]


def _document(policy: Any) -> tuple[Mapping[str, Any] | None, str | None]:
    if isinstance(policy, (str, bytes)):
        try:
            policy = json.loads(policy)
        except ValueError as e:
            return None, f"the policy is not JSON ({e})"
    if not isinstance(policy, Mapping):
        return None, f"the policy is not a JSON object: {_quote(policy)}"
    return policy, None


def _statements(policy: Any) -> tuple[list[Any], list[str]]:
    document, problem = _document(policy)
    if problem:
        return [], [problem]
    statements = document.get("Statement")
    if isinstance(statements, Mapping):
        statements = [statements]
    if not isinstance(statements, list) or not statements:
        return [], ["the policy has no Statement"]
    return statements, []


def _where(index: int, statement: Any) -> str:
    sid = statement.get("Sid") if isinstance(statement, Mapping) else None
    return f"statement {index}" + (f" ({sid})" if sid else "")


def _wildcard_grant(statement: Mapping[str, Any]) -> str | None:
    """Why the statement allows whole services on every resource, or None."""
    if "NotAction" in statement:
        actions = f"every action but {_quote(statement['NotAction'])} (NotAction)"
    else:
        broad = [action for action in _strings(statement.get("Action")) if _BROAD_ACTION.match(action)]
        if not broad:
            return None
        actions = ", ".join(broad)
    if "NotResource" in statement:
        resources = f"every resource but {_quote(statement['NotResource'])} (NotResource)"
    elif "*" in _strings(statement.get("Resource")):
        resources = "every resource (*)"
    else:
        return None
    return f"allows {actions} on {resources}"


def _restricts_caller(condition: Any) -> bool:
    """Whether a Condition block limits who may call, with an operator that holds when the key is absent too."""
    if not isinstance(condition, Mapping):
        return False
    for operator, tests in condition.items():
        if str(operator).endswith("IfExists") or str(operator).startswith("Null") or not isinstance(tests, Mapping):
            continue
        if any(str(key).lower() in _RESTRICTING_KEYS for key in tests):
            return True
    return False


def _open_principal(statement: Mapping[str, Any]) -> str | None:
    """Why the statement lets anyone in (a Principal of *, or NotPrincipal), or None."""
    if "NotPrincipal" in statement:
        return f"allows every principal but {_quote(statement['NotPrincipal'])} (NotPrincipal)"
    principal = statement.get("Principal")
    values = principal.values() if isinstance(principal, Mapping) else [principal]
    if not any("*" in _strings(value) for value in values):
        return None
    if _restricts_caller(statement.get("Condition")):
        return None
    return ("allows Principal * without a condition that restricts who calls (such as aws:SourceAccount, "
            "aws:SourceArn, aws:PrincipalOrgID or aws:PrincipalArn)")


def policy_errors(policy: Any) -> list[str]:
    """One line per Allow statement that grants too much, naming the statement; empty when there is none."""
    statements, errors = _statements(policy)
    for index, statement in enumerate(statements, 1):
        where = _where(index, statement)
        if not isinstance(statement, Mapping):
            errors.append(f"{where}: not a JSON object")
            continue
        # Deny statements only take access away; anything else IAM would treat as, or refuse in place of, Allow.
        if statement.get("Effect") == "Deny":
            continue
        errors += [f"{where}: {problem}" for problem in (_wildcard_grant(statement), _open_principal(statement))
                   if problem]
    return errors


def denies_insecure_transport(policy: Any) -> bool:
    """Whether a bucket policy refuses every S3 request that does not come over TLS (aws:SecureTransport false)."""
    statements, errors = _statements(policy)
    if errors:
        return False
    for statement in statements:
        if not isinstance(statement, Mapping) or statement.get("Effect") != "Deny":
            continue
        principal = statement.get("Principal")
        everyone = principal == "*" or (isinstance(principal, Mapping) and _strings(principal.get("AWS")) == ["*"])
        every_action = bool({"*", "s3:*"} & set(_strings(statement.get("Action"))))
        condition = statement.get("Condition")
        tests = condition.get("Bool", {}) if isinstance(condition, Mapping) else {}
        insecure = isinstance(tests, Mapping) and any(
            key.lower() == "aws:securetransport" and _strings(value) in (["false"], ["False"])
            for key, value in tests.items())
        if everyone and every_action and insecure:
            return True
    return False


class FilterModule:
    def filters(self):
        return {"policy_errors": policy_errors, "denies_insecure_transport": denies_insecure_transport}
