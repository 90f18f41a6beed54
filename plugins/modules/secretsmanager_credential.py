#!/usr/bin/python
# Copyright: Open edX data services maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: secretsmanager_credential
version_added: 0.1.0
short_description: Get or generate a service credential kept in AWS Secrets Manager
description:
  - Ensures the secret O(name) holds a credential, encrypted with O(kms_key_id), and returns it so the calling
    tasks can create the database user or the resource that uses it.
  - With O(kind=database) the secret value is the JSON object AWS uses for RDS secrets (C(username), C(password),
    C(engine), C(host), C(port), C(dbname)); with O(kind=auth_token) it is an object with the single key
    C(auth_token), an ElastiCache Redis AUTH token. Other keys found in the stored object are kept.
  - A new secret gets O(password), or a generated password when O(password) is not set. An existing secret keeps
    its password or token, unless O(update_password=always) with O(password) replaces it. The module never
    generates a new password for a secret that already holds one.
  - Connection fields (O(username), O(engine), O(host), O(port), O(dbname)) given non-empty replace the stored
    ones; empty or unset ones keep what is stored. A first run before the resource exists (no O(host)) and a
    second one with its endpoint both converge, and a later run without O(host) keeps the stored host.
  - A secret scheduled for deletion is restored (with its value) when O(state=present).
  - A no-op run reads the secret with one C(DescribeSecret) and one C(GetSecretValue) call and makes no other.
author:
  - Open edX data services maintainers (@openedx)
options:
  name:
    description:
      - Name of the secret, such as C(openedx/prod/mysql/admin).
      - 1 to 512 letters, digits and C(/_+=.@-).
    type: str
    required: true
  state:
    description:
      - V(present) ensures the secret and returns the credential; V(absent) schedules its deletion.
    type: str
    choices: [present, absent]
    default: present
  kind:
    description:
      - Shape of the secret value.
      - V(database) stores the RDS secret shape; V(auth_token) stores an object with the key C(auth_token) and
        takes no connection field.
    type: str
    choices: [database, auth_token]
    default: database
  username:
    description:
      - Login name stored in the secret. Required to create a V(database) secret; empty keeps the stored one.
    type: str
  alternate_username:
    description:
      - The twin of O(username) in the alternating-users rotation of C(rotate.yml). A stored username equal to it
        is kept rather than replaced by O(username), since the secret then names the twin that is current.
    type: str
  engine:
    description:
      - Engine stored in the secret, such as V(mysql), V(docdb) or V(opensearch). Empty keeps the stored one.
    type: str
  host:
    description:
      - Endpoint address, once known. Empty keeps the stored one.
    type: str
  port:
    description:
      - Endpoint port, once known (1-65535). V(0) or unset keeps the stored one.
    type: int
  dbname:
    description:
      - Database name stored in the secret. Empty keeps the stored one.
    type: str
  password:
    description:
      - Password (or AUTH token) to store when the secret is created, for example from a vault. Unset generates
        one. Ignored for an existing secret unless O(update_password=always).
      - For V(database), 16 to O(password_max_length) printable ASCII characters without C(/), C(@), C("), C(')
        or spaces, with at least one lower case letter, one upper case letter and one digit.
      - For V(auth_token), 16 to O(password_max_length) letters, digits and C(!&#$^<>-) (what ElastiCache
        accepts), with at least one lower case letter, one upper case letter and one digit.
    type: str
  update_password:
    description:
      - V(on_create) uses O(password) only when the secret is created; an existing secret keeps its password.
      - V(always) replaces the stored password with O(password) when they differ (compared, so idempotent).
    type: str
    choices: [always, on_create]
    default: on_create
  password_length:
    description:
      - Length of a generated password (16-128), at most O(password_max_length).
    type: int
    default: 32
  password_max_length:
    description:
      - Longest password accepted in O(password) (16-128). The engine's own limit belongs here, for example
        V(41) for an RDS MySQL master password.
    type: int
    default: 128
  password_special:
    description:
      - Put at least one character of O(password_special_characters) in a generated password, as OpenSearch
        Service requires of master and internal user passwords. Generated passwords always hold an upper case
        letter, a lower case letter and a digit; the other characters are letters and digits.
    type: bool
    default: false
  password_special_characters:
    description:
      - Special characters a generated password draws from when O(password_special=true).
      - Defaults to C(-_.!#%*+=) for V(database) (accepted by RDS, DocumentDB and OpenSearch, and harmless in
        URLs, shells and YAML) and C(!#-) for V(auth_token).
      - For V(database) they must be printable ASCII punctuation other than C(/), C(@), C(") and C(');
        for V(auth_token), characters of C(!&#$^<>-).
    type: str
  kms_key_id:
    description:
      - ARN of the KMS key that encrypts the secret. A different key re-encrypts the secret with it.
      - Unset leaves the key of an existing secret alone and creates a new one with C(aws/secretsmanager).
      - Give the key in the same form every run (the ARN); Secrets Manager reports the form it was given.
    type: str
  description:
    description:
      - Description of the secret. Unset leaves it alone.
    type: str
  recovery_window:
    description:
      - With O(state=absent), days (7-30) during which the deleted secret can still be restored.
    type: int
    default: 30
  force_delete_without_recovery:
    description:
      - With O(state=absent), delete the secret at once, without a recovery window (also one already scheduled for
        deletion). It can't be restored afterwards.
    type: bool
    default: false
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
attributes:
  check_mode:
    support: full
    description:
      - Reads the secret and makes no mutating call. For a secret that does not exist yet, or is scheduled for
        deletion (its value can't be read until restored), the returned password is O(password) or a generated
        one that is not stored, so the rest of a check run can go on.
  diff_mode:
    support: full
    description: Shows the secret's settings and credential fields before and after, with the password masked.
  platform:
    platforms: aws
notes:
  - The result carries the password in RV(credential). Register it from a task with C(no_log) set to V(true). A
    module can't hide its own return values from the output (masking a value also blanks it in the result), so
    only the task's C(no_log) keeps it out of the output, even at C(-vvvv). O(password) itself is never shown; the
    invocation in the result has it masked.
  - "IAM actions: C(secretsmanager:DescribeSecret), C(GetSecretValue), C(CreateSecret), C(UpdateSecret),
    C(RestoreSecret), C(DeleteSecret), C(TagResource), C(UntagResource), and C(kms:GenerateDataKey) and
    C(kms:Decrypt) on the key."
"""

EXAMPLES = r"""
- name: Ensure the RDS MySQL master credential (before the instance exists)
  openedx.data_services.secretsmanager_credential:
    name: openedx/prod/mysql/admin
    username: admin
    engine: mysql
    password_max_length: 41
    kms_key_id: "{{ kms_result.key_arn }}"
    description: Open edX mysql credential of admin (prod)
    tags:
      environment: prod
  register: master_credential
  no_log: true

- name: Record the endpoint in it once the instance is available
  openedx.data_services.secretsmanager_credential:
    name: openedx/prod/mysql/admin
    host: "{{ instance.endpoint.address }}"
    port: "{{ instance.endpoint.port }}"
    kms_key_id: "{{ kms_result.key_arn }}"
  register: master_credential
  no_log: true

- name: Ensure the Redis AUTH token
  openedx.data_services.secretsmanager_credential:
    name: openedx/prod/redis/default
    kind: auth_token
    password: "{{ redis_auth_token | default(omit) }}"
    kms_key_id: "{{ kms_result.key_arn }}"
  register: redis_token
  no_log: true

- name: Ensure the OpenSearch master user's credential (with a special character)
  openedx.data_services.secretsmanager_credential:
    name: openedx/prod/opensearch/admin
    username: admin
    engine: opensearch
    password_special: true
    kms_key_id: "{{ kms_result.key_arn }}"
  register: opensearch_master
  no_log: true

- name: Delete a credential, restorable for 7 days
  openedx.data_services.secretsmanager_credential:
    name: openedx/test/mysql/admin
    state: absent
    recovery_window: 7
"""

RETURN = r"""
changed:
  description: Whether the secret was (or, in check mode, would be) created, restored, updated or deleted.
  returned: always
  type: bool
created:
  description: Whether this run created the secret (or, in check mode, would create it).
  returned: always
  type: bool
name:
  description: Name of the secret.
  returned: always
  type: str
  sample: openedx/prod/mysql/admin
arn:
  description: ARN of the secret; empty when it does not exist (or, in check mode, is not created yet).
  returned: always
  type: str
  sample: arn:aws:secretsmanager:us-east-1:123456789012:secret:openedx/prod/mysql/admin-AbCdEf
version_id:
  description: Version id of the secret's current value; empty when unknown (check mode, state absent).
  returned: when O(state=present)
  type: str
kms_key_id:
  description: The KMS key encrypting the secret; empty for C(aws/secretsmanager).
  returned: when O(state=present)
  type: str
tags:
  description: Tags of the secret.
  returned: when O(state=present)
  type: dict
  sample: {"environment": "prod"}
deletion_date:
  description: End of the recovery window (ISO 8601), after which the secret is deleted for good.
  returned: when this run schedules the deletion
  type: str
  sample: "2025-07-01T12:00:00+00:00"
credential:
  description:
    - The credential the secret holds after the task. It carries the password or token in clear text, so the
      task that registers it must set C(no_log) to V(true).
  returned: when O(state=present)
  type: dict
  contains:
    username:
      description: Login name (kind V(database)).
      type: str
      sample: admin
    password:
      description: The password (kind V(database)).
      type: str
    engine:
      description: Engine (kind V(database)).
      type: str
      sample: mysql
    host:
      description: Endpoint address; empty until known (kind V(database)).
      type: str
    port:
      description: Endpoint port; 0 until known (kind V(database)).
      type: int
      sample: 3306
    dbname:
      description: Database name (kind V(database)).
      type: str
    auth_token:
      description: The AUTH token (kind V(auth_token)).
      type: str
"""

import json
import re
import string
from datetime import datetime
from typing import Any

from ansible.module_utils.common.parameters import remove_values
from ansible_collections.amazon.aws.plugins.module_utils.tagging import (
    boto3_tag_list_to_ansible_dict,
    compare_aws_tags,
)
from ansible_collections.openedx.data_services.plugins.module_utils import secretsmanager
from ansible_collections.openedx.data_services.plugins.module_utils.modules import DataServicesAWSModule
from ansible_collections.openedx.data_services.plugins.module_utils.secretsmanager import generate_password

CONNECTION_FIELDS = ("username", "engine", "host", "port", "dbname")
SECRET_KEY = {"database": "password", "auth_token": "auth_token"}
DEFAULT_SPECIAL_CHARACTERS = {"database": "-_.!#%*+=", "auth_token": "!#-"}
# What ElastiCache accepts in an AUTH token besides letters and digits.
AUTH_TOKEN_SPECIALS = "!&#$^<>-"
# Refused in RDS (and DocumentDB) master passwords.
DATABASE_FORBIDDEN = "/@\"' "
MIN_LENGTH = 16
MAX_LENGTH = 128
NAME_PATTERN = re.compile(r"^[A-Za-z0-9/_+=.@-]{1,512}$")
MASK = "********"


def password_problem(value: str, kind: str, max_length: int, option: str = "password") -> str | None:
    """Why ``value`` is not a password the service of ``kind`` accepts, or None; never quotes the value."""
    if kind == "auth_token":
        allowed = f"letters, digits and {AUTH_TOKEN_SPECIALS}"
        valid_chars = all(c in string.ascii_letters + string.digits + AUTH_TOKEN_SPECIALS for c in value)
    else:
        allowed = "printable ASCII characters without / @ \" ' or spaces"
        valid_chars = all(" " < c <= "~" and c not in DATABASE_FORBIDDEN for c in value)
    classes = (any(c.islower() for c in value) and any(c.isupper() for c in value)
               and any(c.isdigit() for c in value))
    if not (MIN_LENGTH <= len(value) <= max_length and valid_chars and classes):
        return (f"{option} must be {MIN_LENGTH}-{max_length} {allowed}, with at least one lower case letter, one "
                f"upper case letter and one digit (it has {len(value)} characters)")
    return None


def option_problems(params: dict[str, Any]) -> list[str]:
    """Every invalid input, found without calling AWS."""
    problems = []
    kind = params["kind"]
    if not NAME_PATTERN.match(params["name"]):
        problems.append("name must be 1-512 letters, digits and /_+=.@-")
    for option in ("password_length", "password_max_length"):
        if not MIN_LENGTH <= params[option] <= MAX_LENGTH:
            problems.append(f"{option} must be {MIN_LENGTH}-{MAX_LENGTH}, not {params[option]}")
    if params["password_length"] > params["password_max_length"]:
        problems.append(f"password_length ({params['password_length']}) must not exceed password_max_length "
                        f"({params['password_max_length']})")
    special = params["password_special_characters"]
    if special is not None:
        if kind == "auth_token":
            valid = special and all(c in AUTH_TOKEN_SPECIALS for c in special)
            allowed = f"characters of {AUTH_TOKEN_SPECIALS} (what ElastiCache accepts) for kind=auth_token"
        else:
            valid = special and all(c in string.punctuation and c not in DATABASE_FORBIDDEN for c in special)
            allowed = "ASCII punctuation other than / @ \" ' for kind=database"
        if not valid:
            problems.append(f"password_special_characters must be one or more {allowed}")
    if params["password"] is not None:
        problem = password_problem(params["password"], kind, params["password_max_length"])
        if problem:
            problems.append(problem)
    if params["update_password"] == "always" and not params["password"]:
        problems.append("update_password=always needs password")
    if params["port"] is not None and not 0 <= params["port"] <= 65535:
        problems.append(f"port must be 1-65535 (or 0 to keep the stored one), not {params['port']}")
    if kind == "auth_token":
        given = [field for field in CONNECTION_FIELDS if params[field]]
        if given:
            problems.append(f"{', '.join(given)} apply to kind=database only; an auth_token secret holds the token")
    if not 7 <= params["recovery_window"] <= 30:
        problems.append(f"recovery_window must be 7-30 days, not {params['recovery_window']}")
    if params["kms_key_id"] is not None and not params["kms_key_id"].strip():
        problems.append("kms_key_id must be a KMS key ARN, not empty")
    return problems


def merge_value(stored: dict[str, Any], params: dict[str, Any], secret: str) -> dict[str, Any]:
    """The secret value to store: ``stored`` with the secret and the connection fields given non-empty."""
    kind = params["kind"]
    if kind == "auth_token":
        return {**stored, "auth_token": secret}
    username = params["username"] or stored.get("username", "")
    if params.get("alternate_username") and stored.get("username") == params["alternate_username"]:
        username = stored["username"]
    value = {
        "username": username,
        "password": secret,
        "engine": params["engine"] or stored.get("engine", ""),
        "host": params["host"] or stored.get("host", ""),
        "port": params["port"] or stored.get("port", 0),
        "dbname": params["dbname"] or stored.get("dbname", ""),
    }
    return {**stored, **value}


def _key_resource(key: str) -> str:
    if key.startswith("arn:"):
        return key.split(":", 5)[-1]
    return key if key.startswith("alias/") else f"key/{key}"


def same_kms_key(current: str | None, desired: str) -> bool:
    """Whether ``desired`` names the key Secrets Manager reports, which may be an ARN, a key id or an alias."""
    if not current:
        return _key_resource(desired) == "alias/aws/secretsmanager"
    if current == desired:
        return True
    if current.startswith("arn:") and desired.startswith("arn:"):
        return False
    return _key_resource(current) == _key_resource(desired)


def credential_of(value: dict[str, Any], kind: str) -> dict[str, Any]:
    """The credential fields of a secret value (extra keys left out)."""
    if kind == "auth_token":
        return {"auth_token": value.get("auth_token", "")}
    return {field: value.get(field, 0 if field == "port" else "") for field in
            ("username", "password", "engine", "host", "port", "dbname")}


def diff_view(meta: dict[str, Any], value: dict[str, Any] | None, kind: str, secret_changed: bool = False
              ) -> dict[str, Any]:
    """The secret as the diff shows it, in the module's option names, with the password masked."""
    view = dict(meta)
    if value is not None:
        view.update(credential_of(value, kind))
        view[SECRET_KEY[kind]] = f"{MASK} (changed)" if secret_changed else MASK
    return view


def meta_of(secret: dict[str, Any]) -> dict[str, Any]:
    view = {
        "name": secret["Name"],
        "kms_key_id": secret.get("KmsKeyId", ""),
        "description": secret.get("Description", ""),
        "tags": boto3_tag_list_to_ansible_dict(secret.get("Tags", [])),
    }
    if secret.get("DeletedDate"):
        view["deleted_date"] = _iso(secret["DeletedDate"])
    return view


def _iso(value: Any) -> str:
    return value.isoformat() if isinstance(value, datetime) else str(value)


class CredentialError(Exception):
    """Input that only turns out wrong once the secret has been read."""


def parse_stored(name: str, secret_string: str | None, kind: str) -> dict[str, Any]:
    try:
        stored = json.loads(secret_string or "{}")
    except ValueError:
        stored = None
    if not isinstance(stored, dict):
        raise CredentialError(f"secret {name} does not hold a JSON object; a credential secret holds the RDS secret "
                              "shape or {\"auth_token\": ...}")
    other = SECRET_KEY["auth_token" if kind == "database" else "database"]
    if other in stored and SECRET_KEY[kind] not in stored:
        raise CredentialError(f"secret {name} holds {other!r}, not {SECRET_KEY[kind]!r}: check kind (now {kind})")
    return stored


class Credential:
    """One credential secret: plan from what is read, then apply unless in check mode."""

    def __init__(self, module: DataServicesAWSModule, client: Any) -> None:
        self.module = module
        self.client = client
        self.params = module.params
        self.kind = self.params["kind"]

    def new_secret(self) -> str:
        special = ""
        if self.params["password_special"]:
            special = self.params["password_special_characters"] or DEFAULT_SPECIAL_CHARACTERS[self.kind]
        return self.params["password"] or generate_password(self.params["password_length"], special)

    def hide(self, value: str) -> str:
        # Masked in any failure output until the result that is meant to carry it.
        if value:
            self.module.no_log_values.add(value)
        return value

    def desired_meta(self, current: dict[str, Any]) -> dict[str, Any]:
        params = self.params
        meta = dict(current)
        if params["kms_key_id"] is not None and not same_kms_key(current.get("kms_key_id"), params["kms_key_id"]):
            meta["kms_key_id"] = params["kms_key_id"]
        if params["description"] is not None:
            meta["description"] = params["description"]
        if params["tags"] is not None:
            to_set, to_remove = compare_aws_tags(current.get("tags", {}), params["tags"], params["purge_tags"])
            tags = {key: value for key, value in current.get("tags", {}).items() if key not in to_remove}
            meta["tags"] = {**tags, **to_set}
        meta.pop("deleted_date", None)
        return meta

    def create(self) -> dict[str, Any]:
        params = self.params
        if self.kind == "database" and not params["username"]:
            raise CredentialError(f"username is required to create the database credential {params['name']}")
        value = merge_value({}, params, self.hide(self.new_secret()))
        meta = {"name": params["name"], "kms_key_id": params["kms_key_id"] or "",
                "description": params["description"] or "", "tags": params["tags"] or {}}
        result = {"changed": True, "created": True, "arn": "", "version_id": "", "value": value}
        if not self.module.check_mode:
            response = secretsmanager.create_secret(self.client, params["name"], json.dumps(value),
                                                    params["kms_key_id"], params["description"], params["tags"])
            result.update(arn=response["ARN"], version_id=response.get("VersionId", ""))
        result["diff"] = {"before": {}, "after": diff_view(meta, value, self.kind)}
        result["meta"] = meta
        return result

    def update(self, secret: dict[str, Any]) -> dict[str, Any]:
        params = self.params
        check_mode = self.module.check_mode
        current = meta_of(secret)
        deleted = "deleted_date" in current
        if deleted and not check_mode:
            secretsmanager.restore_secret(self.client, secret["ARN"])
        if deleted and check_mode:
            # The value of a secret scheduled for deletion can't be read before it is restored.
            stored, version_id = None, ""
        else:
            response = secretsmanager.get_secret_value(self.client, secret["ARN"]) or {}
            stored = parse_stored(params["name"], response.get("SecretString"), self.kind)
            version_id = response.get("VersionId", "")

        key = SECRET_KEY[self.kind]
        if stored is None:
            secret_value = params["password"] if params["update_password"] == "always" else None
            secret_value = self.hide(secret_value or self.new_secret())
            value = merge_value({}, params, secret_value)
            value_changed = secret_changed = False
        else:
            # A stored secret is never replaced by a generated one; only update_password=always replaces it.
            secret_value = params["password"] if params["update_password"] == "always" else stored.get(key)
            secret_value = self.hide(secret_value or self.new_secret())
            value = merge_value(stored, params, secret_value)
            value_changed = value != stored
            secret_changed = secret_value != stored.get(key)

        meta = self.desired_meta(current)
        tags_to_set, tags_to_remove = ({}, [])
        if params["tags"] is not None:
            tags_to_set, tags_to_remove = compare_aws_tags(current["tags"], params["tags"], params["purge_tags"])
        kms_changed = meta["kms_key_id"] != current["kms_key_id"]
        description_changed = meta["description"] != current["description"]
        changed = deleted or value_changed or kms_changed or description_changed or bool(
            tags_to_set or tags_to_remove)

        if not check_mode:
            if value_changed or kms_changed or description_changed:
                new_version = secretsmanager.update_secret(
                    self.client, secret["ARN"],
                    secret_string=json.dumps(value) if value_changed else None,
                    kms_key_id=meta["kms_key_id"] if kms_changed else None,
                    description=meta["description"] if description_changed else None)
                version_id = new_version or version_id
            if tags_to_remove:
                secretsmanager.untag_secret(self.client, secret["ARN"], tags_to_remove)
            if tags_to_set:
                secretsmanager.tag_secret(self.client, secret["ARN"], tags_to_set)

        return {
            "changed": changed, "created": False, "arn": secret["ARN"], "version_id": version_id, "value": value,
            "meta": meta,
            "diff": {"before": diff_view(current, stored, self.kind),
                     "after": diff_view(meta, value, self.kind, secret_changed)},
        }

    def delete(self, secret: dict[str, Any] | None) -> dict[str, Any]:
        params = self.params
        if secret is None:
            return {"changed": False, "arn": "", "diff": {"before": {}, "after": {}}}
        current = meta_of(secret)
        result = {"changed": False, "arn": secret["ARN"], "diff": {"before": current, "after": current}}
        if "deleted_date" in current and not params["force_delete_without_recovery"]:
            return result
        result.update(changed=True, diff={"before": current, "after": {}})
        if not self.module.check_mode:
            response = secretsmanager.delete_secret(self.client, secret["ARN"], params["recovery_window"],
                                                    params["force_delete_without_recovery"])
            if not params["force_delete_without_recovery"] and response.get("DeletionDate"):
                result["deletion_date"] = _iso(response["DeletionDate"])
        return result


def exit_with_credential(module: DataServicesAWSModule, result: dict[str, Any], kind: str) -> None:
    """Exit with the credential in clear text under ``credential`` and nowhere else."""
    value = result.pop("value")
    meta = result.pop("meta")
    secret_value = value.get(SECRET_KEY[kind], "")
    # Everything in no_log_values is masked in the whole result, so the secret has to leave that set to reach
    # ``credential``; the invocation is masked here instead, where O(password) may hold the same value.
    invocation = {"module_args": remove_values(module.params, module.no_log_values)}
    module.no_log_values.discard(secret_value)
    module.exit_json(
        **result,
        name=meta["name"],
        kms_key_id=meta["kms_key_id"],
        tags=meta["tags"],
        credential=credential_of(value, kind),
        invocation=invocation,
    )


def main() -> None:
    argument_spec = dict(
        name=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        kind=dict(type="str", choices=["database", "auth_token"], default="database"),
        username=dict(type="str"),
        alternate_username=dict(type="str"),
        engine=dict(type="str"),
        host=dict(type="str"),
        port=dict(type="int"),
        dbname=dict(type="str"),
        password=dict(type="str", no_log=True),
        update_password=dict(type="str", choices=["always", "on_create"], default="on_create", no_log=False),
        password_length=dict(type="int", default=32, no_log=False),
        password_max_length=dict(type="int", default=128, no_log=False),
        password_special=dict(type="bool", default=False, no_log=False),
        password_special_characters=dict(type="str", no_log=False),
        kms_key_id=dict(type="str"),
        description=dict(type="str"),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
        recovery_window=dict(type="int", default=30),
        force_delete_without_recovery=dict(type="bool", default=False),
    )
    module = DataServicesAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    params = module.params
    problems = option_problems(params)
    if problems:
        module.fail_json(msg="; ".join(problems))

    client = module.client("secretsmanager")
    credential = Credential(module, client)
    try:
        secret = secretsmanager.describe_secret(client, params["name"])
        if params["state"] == "absent":
            result = credential.delete(secret)
            module.exit_json(created=False, name=params["name"], **result)
        result = credential.create() if secret is None else credential.update(secret)
    except CredentialError as e:
        module.fail_json(msg=str(e))
    except secretsmanager.AnsibleSecretsManagerError as e:
        module.fail_json_aws_error(e)
    exit_with_credential(module, result, params["kind"])


if __name__ == "__main__":
    main()
