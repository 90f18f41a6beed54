# Copyright: Open edX data services maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""AWS Secrets Manager calls of the secretsmanager_* modules.

The client passed in is the one ``module.client("secretsmanager")`` returns, which retries through botocore's
standard mode (see modules.py). Errors are raised as ``AnsibleSecretsManagerError``; the modules turn them into
``fail_json_aws_error``. No function here logs or returns a request's secret value.
"""

from __future__ import annotations

import secrets
import string
from typing import Any

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list


class AnsibleSecretsManagerError(AnsibleAWSError):
    pass


class SecretsManagerErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleSecretsManagerError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("ResourceNotFoundException")


@SecretsManagerErrorHandler.list_error_handler("describe secret")
def describe_secret(client, secret_id: str) -> dict[str, Any] | None:
    """The secret's metadata (tags, KMS key, ``DeletedDate`` when scheduled for deletion), or None."""
    secret = client.describe_secret(SecretId=secret_id)
    secret.pop("ResponseMetadata", None)
    return secret


# A secret scheduled for deletion answers InvalidRequestException here: callers restore it first.
@SecretsManagerErrorHandler.list_error_handler("read secret value")
def get_secret_value(client, secret_id: str) -> dict[str, Any] | None:
    """``SecretString`` and ``VersionId`` of the AWSCURRENT version, or None when the secret is missing."""
    response = client.get_secret_value(SecretId=secret_id)
    return {key: response[key] for key in ("SecretString", "VersionId", "ARN", "Name") if key in response}


@SecretsManagerErrorHandler.common_error_handler("create secret")
def create_secret(client, name: str, secret_string: str, kms_key_id: str | None, description: str | None,
                  tags: dict[str, str] | None) -> dict[str, Any]:
    """Create the secret with its first version; returns ``ARN``, ``Name`` and ``VersionId``."""
    params: dict[str, Any] = {"Name": name, "SecretString": secret_string}
    if kms_key_id:
        params["KmsKeyId"] = kms_key_id
    if description is not None:
        params["Description"] = description
    if tags:
        params["Tags"] = ansible_dict_to_boto3_tag_list(tags)
    response = client.create_secret(**params)
    return {key: response[key] for key in ("ARN", "Name", "VersionId") if key in response}


@SecretsManagerErrorHandler.common_error_handler("update secret")
def update_secret(client, secret_id: str, secret_string: str | None = None, kms_key_id: str | None = None,
                  description: str | None = None) -> str | None:
    """One UpdateSecret for whatever changes; returns the new version's id when ``secret_string`` makes one.

    Changing the key alone re-encrypts the AWSCURRENT, AWSPENDING and AWSPREVIOUS versions with it.
    """
    params: dict[str, Any] = {"SecretId": secret_id}
    if secret_string is not None:
        params["SecretString"] = secret_string
    if kms_key_id is not None:
        params["KmsKeyId"] = kms_key_id
    if description is not None:
        params["Description"] = description
    return client.update_secret(**params).get("VersionId")


@SecretsManagerErrorHandler.common_error_handler("restore secret")
def restore_secret(client, secret_id: str) -> None:
    client.restore_secret(SecretId=secret_id)


@SecretsManagerErrorHandler.common_error_handler("delete secret")
def delete_secret(client, secret_id: str, recovery_window: int, force: bool) -> dict[str, Any]:
    """Schedule the deletion after ``recovery_window`` days, or delete at once with ``force``."""
    if force:
        params: dict[str, Any] = {"ForceDeleteWithoutRecovery": True}
    else:
        params = {"RecoveryWindowInDays": recovery_window}
    response = client.delete_secret(SecretId=secret_id, **params)
    response.pop("ResponseMetadata", None)
    return response


@SecretsManagerErrorHandler.common_error_handler("tag secret")
def tag_secret(client, secret_id: str, tags: dict[str, str]) -> None:
    client.tag_resource(SecretId=secret_id, Tags=ansible_dict_to_boto3_tag_list(tags))


@SecretsManagerErrorHandler.common_error_handler("untag secret")
def untag_secret(client, secret_id: str, keys: list[str]) -> None:
    client.untag_resource(SecretId=secret_id, TagKeys=keys)


@SecretsManagerErrorHandler.common_error_handler("read secret version")
def get_secret_version(client, secret_id: str, stage: str) -> dict[str, Any]:
    """``SecretString`` and ``VersionId`` of the version labelled ``stage``."""
    response = client.get_secret_value(SecretId=secret_id, VersionStage=stage)
    return {key: response[key] for key in ("SecretString", "VersionId") if key in response}


@SecretsManagerErrorHandler.common_error_handler("put secret value")
def put_secret_value(client, secret_id: str, secret_string: str, stages: list[str], token: str) -> str:
    """Store a new version labelled ``stages`` (idempotent for one ``token``); returns its version id."""
    return client.put_secret_value(SecretId=secret_id, SecretString=secret_string, VersionStages=stages,
                                   ClientRequestToken=token)["VersionId"]


@SecretsManagerErrorHandler.common_error_handler("update secret version stage")
def move_stage(client, secret_id: str, stage: str, to_version: str | None, from_version: str | None) -> None:
    """Move the label ``stage`` to ``to_version`` (None: only remove it) from ``from_version`` (None: unlabelled).

    Moving AWSCURRENT makes Secrets Manager label the version it left AWSPREVIOUS.
    """
    params: dict[str, Any] = {"SecretId": secret_id, "VersionStage": stage}
    if to_version:
        params["MoveToVersionId"] = to_version
    if from_version:
        params["RemoveFromVersionId"] = from_version
    client.update_secret_version_stage(**params)


def generate_password(length: int, special_characters: str = "") -> str:
    """Letters and digits with at least one upper case, lower case and digit (and one special character when
    given), shuffled: OpenSearch refuses a master password without all four, and a plain draw can miss one."""
    pools = [string.ascii_uppercase, string.ascii_lowercase, string.digits]
    if special_characters:
        pools.append(special_characters)
    alphabet = string.ascii_letters + string.digits
    chars = [secrets.choice(pool) for pool in pools]
    chars += [secrets.choice(alphabet) for position in range(len(chars), length)]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)
