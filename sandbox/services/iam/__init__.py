"""IAM: a trust policy naming an OIDC or SAML provider that does not exist is refused, as AWS refuses it.

moto 5.2.5 stores any trust policy. AWS answers CreateRole and UpdateAssumeRolePolicy with MalformedPolicyDocument
(``Invalid principal in policy``) when a ``Federated`` principal is the ARN of an identity provider the account does
not have, which is what an IRSA role of a cluster without its OIDC provider runs into.
"""

from __future__ import annotations

import json
import re
from typing import Any

from moto.iam.exceptions import MalformedPolicyDocument
from moto.iam.models import IAMBackend

from sandbox.services import Hooks, wrap

_PROVIDER = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}):(oidc-provider|saml-provider)/")


def _federated(document: str) -> list[str]:
    try:
        statements = json.loads(document).get("Statement", [])
    except (ValueError, AttributeError):
        return []
    statements = [statements] if isinstance(statements, dict) else statements
    found: list[str] = []
    for statement in statements:
        principal = statement.get("Principal") if isinstance(statement, dict) else None
        federated = principal.get("Federated") if isinstance(principal, dict) else None
        found += [federated] if isinstance(federated, str) else list(federated or [])
    return found


def refuse_unknown_providers(backend: IAMBackend, document: str) -> None:
    for arn in _federated(document):
        match = _PROVIDER.match(arn)
        if not match or match.group(1) != backend.account_id:
            continue
        known = backend.open_id_providers if match.group(2) == "oidc-provider" else backend.saml_providers
        if arn not in known:
            raise MalformedPolicyDocument(f'Invalid principal in policy: "Federated":"{arn}"')


def create_role(factory: Any) -> Any:
    def patched(self: IAMBackend, role_name: str, assume_role_policy_document: str, *args: Any, **kwargs: Any) -> Any:
        refuse_unknown_providers(self, assume_role_policy_document)
        return factory(self, role_name, assume_role_policy_document, *args, **kwargs)

    return patched


def update_assume_role_policy(factory: Any) -> Any:
    def patched(self: IAMBackend, role_name: str, policy_document: str) -> Any:
        refuse_unknown_providers(self, policy_document)
        return factory(self, role_name, policy_document)

    return patched


HOOKS = Hooks(wrap(IAMBackend, "create_role", create_role),
              wrap(IAMBackend, "update_assume_role_policy", update_assume_role_policy))
