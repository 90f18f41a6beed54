"""Secrets Manager: moving the AWSCURRENT label moves the version GetSecretValue returns by default, as in AWS.

moto 5.x answers GetSecretValue without VersionId or VersionStage with the version it last made current through
CreateSecret, PutSecretValue or UpdateSecret (``default_version_id``), and UpdateSecretVersionStage moves the labels
without it: after a rotation (a version stored as AWSPENDING, then AWSCURRENT moved to it) every reader that does
not name a stage, such as the ``amazon.aws.secretsmanager_secret`` lookup, would still get the old credential. AWS
returns the AWSCURRENT version. The hook keeps ``default_version_id`` on the version labelled AWSCURRENT.
"""

from __future__ import annotations

from typing import Any

from moto.secretsmanager.models import SecretsManagerBackend

from sandbox.services import Hooks, wrap


def update_secret_version_stage(factory: Any) -> Any:
    def patched(self: SecretsManagerBackend, secret_id: str, version_stage: str, remove_from_version_id: str,
                move_to_version_id: str) -> tuple[str, str]:
        result = factory(self, secret_id, version_stage, remove_from_version_id, move_to_version_id)
        if version_stage == "AWSCURRENT" and move_to_version_id:
            self.secrets[secret_id].default_version_id = move_to_version_id
        return result

    return patched


HOOKS = Hooks(wrap(SecretsManagerBackend, "update_secret_version_stage", update_secret_version_stage))
