#!/usr/bin/python
# Copyright: Open edX data services maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: secretsmanager_credential_rotation
version_added: 0.1.0
short_description: Rotate a service credential kept in AWS Secrets Manager, through its version stages
description:
  - Moves a credential secret made by M(openedx.data_services.secretsmanager_credential) to a new password (or AUTH
    token) the way a Secrets Manager rotation does, in steps between which the caller changes the service.
  - O(step=pending) ensures a version labelled C(AWSPENDING) holding a newly generated password, the other
    fields copied from the C(AWSCURRENT) version. A pending version that exists already (a rotation interrupted
    before O(step=promote)) is returned as it is, so a re-run resumes it rather than generating another password.
    With O(usernames) (the alternating-users strategy), the pending version names the twin that is not current.
  - O(step=promote) moves C(AWSCURRENT) to the pending version and removes C(AWSPENDING) from it; Secrets Manager
    labels the version that was current C(AWSPREVIOUS). Without a pending version it changes nothing.
  - O(step=read) changes nothing and returns the current and previous credentials.
author:
  - Open edX data services maintainers (@openedx)
options:
  name:
    description:
      - Name or ARN of the secret, which must exist and hold a JSON object.
    type: str
    required: true
  step:
    description:
      - V(pending) ensures the pending version, V(promote) makes it current, V(read) only reads.
    type: str
    choices: [pending, promote, read]
    default: pending
  kind:
    description:
      - V(database) (the RDS secret shape, key C(password)) or V(auth_token) (key C(auth_token)).
    type: str
    choices: [database, auth_token]
    default: database
  usernames:
    description:
      - The two users of the alternating-users strategy, such as C([edxapp001, edxapp001_clone]). The pending
        version gets the one that is not the current version's C(username) (the first when the current one is
        neither). Only with O(kind=database).
    type: list
    elements: str
  password_length:
    description:
      - Length of the generated password (16-128).
    type: int
    default: 32
  password_special:
    description:
      - Put at least one character of O(password_special_characters) in the password (OpenSearch requires it).
    type: bool
    default: false
  password_special_characters:
    description:
      - Special characters the password draws from with O(password_special=true).
    type: str
    default: "-_.!#%*+="
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
attributes:
  check_mode:
    support: full
    description:
      - Reads the secret and makes no mutating call. O(step=pending) then returns a generated credential that is
        not stored.
  diff_mode:
    support: none
  platform:
    platforms: aws
notes:
  - The result carries passwords in clear text (RV(pending), RV(current), RV(previous)), so register it from a task
    with C(no_log) set to V(true).
  - "IAM actions: C(secretsmanager:DescribeSecret), C(GetSecretValue), C(PutSecretValue),
    C(UpdateSecretVersionStage), and C(kms:GenerateDataKey) and C(kms:Decrypt) on the secret's key."
"""

EXAMPLES = r"""
- name: Make a pending credential for the twin user that is not current
  openedx.data_services.secretsmanager_credential_rotation:
    name: openedx/prod/mysql/edxapp001
    step: pending
    usernames: [edxapp001, edxapp001_clone]
  register: rotation
  no_log: true

# ... set rotation.pending.password on rotation.pending.username, test the login ...

- name: Make it current (the previous one becomes AWSPREVIOUS)
  openedx.data_services.secretsmanager_credential_rotation:
    name: openedx/prod/mysql/edxapp001
    step: promote
  no_log: true
"""

RETURN = r"""
changed:
  description: Whether a pending version was stored or a stage moved (or would be, in check mode).
  returned: always
  type: bool
arn:
  description: ARN of the secret.
  returned: always
  type: str
resumed:
  description: Whether O(step=pending) found a pending version from an interrupted rotation and returned it.
  returned: always
  type: bool
stages:
  description: The version id labelled with each stage after the task (empty when none is).
  returned: always
  type: dict
  sample: {"AWSCURRENT": "2b6f...", "AWSPREVIOUS": "9c1e...", "AWSPENDING": ""}
pending:
  description: The pending credential (the secret's JSON value); empty unless O(step=pending). Holds the password.
  returned: always
  type: dict
current:
  description: The credential labelled C(AWSCURRENT) after the task. Holds the password.
  returned: always
  type: dict
previous:
  description: The credential labelled C(AWSPREVIOUS) after the task; empty when there is none. Holds the password.
  returned: always
  type: dict
"""

import json
import uuid
from typing import Any

from ansible_collections.openedx.data_services.plugins.module_utils import secretsmanager
from ansible_collections.openedx.data_services.plugins.module_utils.modules import DataServicesAWSModule

SECRET_KEY = {"database": "password", "auth_token": "auth_token"}
STAGES = ("AWSCURRENT", "AWSPREVIOUS", "AWSPENDING")
# What ElastiCache accepts in an AUTH token besides letters and digits.
AUTH_TOKEN_SPECIALS = "!&#$^<>-"
DATABASE_FORBIDDEN = "/@\"' "


def option_problems(params: dict[str, Any]) -> list[str]:
    """Every invalid input, found without calling AWS."""
    problems = []
    if not 16 <= params["password_length"] <= 128:
        problems.append(f"password_length must be 16-128, not {params['password_length']}")
    usernames = params["usernames"]
    if usernames is not None:
        if params["kind"] != "database":
            problems.append("usernames apply to kind=database only")
        elif len(usernames) != 2 or len(set(usernames)) != 2 or not all(usernames):
            problems.append("usernames must be two different, non-empty user names")
    special = params["password_special_characters"]
    if params["password_special"]:
        allowed = AUTH_TOKEN_SPECIALS if params["kind"] == "auth_token" else None

        def acceptable(c: str) -> bool:
            if allowed:
                return c in allowed
            return " " < c <= "~" and not c.isalnum() and c not in DATABASE_FORBIDDEN

        valid = special and all(acceptable(c) for c in special)
        if not valid:
            problems.append("password_special_characters must be one or more "
                            + (f"of {AUTH_TOKEN_SPECIALS}" if allowed else "ASCII punctuation other than / @ \" '"))
    return problems


def stages_of(secret: dict[str, Any]) -> dict[str, str]:
    """The version id of each stage, from DescribeSecret's VersionIdsToStages."""
    found = dict.fromkeys(STAGES, "")
    for version, labels in (secret.get("VersionIdsToStages") or {}).items():
        for label in labels:
            if label in found:
                found[label] = version
    return found


def other_username(current: str, usernames: list[str]) -> str:
    """The twin that is not ``current`` (the first when ``current`` is neither)."""
    return usernames[1] if current == usernames[0] else usernames[0]


class Rotation:
    def __init__(self, module: DataServicesAWSModule, client: Any) -> None:
        self.module = module
        self.client = client
        self.params = module.params
        self.key = SECRET_KEY[self.params["kind"]]

    def read(self, stage: str) -> dict[str, Any]:
        response = secretsmanager.get_secret_version(self.client, self.params["name"], stage)
        try:
            value = json.loads(response.get("SecretString") or "")
        except ValueError:
            value = None
        if not isinstance(value, dict) or self.key not in value:
            self.module.fail_json(msg=f"The {stage} version of secret {self.params['name']} is not a JSON object "
                                      f"with the key {self.key!r}: check kind (now {self.params['kind']})")
        if value.get(self.key):
            self.module.no_log_values.add(str(value[self.key]))
        return value

    def new_value(self, current: dict[str, Any]) -> dict[str, Any]:
        params = self.params
        special = params["password_special_characters"] if params["password_special"] else ""
        password = secretsmanager.generate_password(params["password_length"], special)
        while password == current.get(self.key):
            password = secretsmanager.generate_password(params["password_length"], special)
        self.module.no_log_values.add(password)
        value = {**current, self.key: password}
        if params["usernames"]:
            value["username"] = other_username(current.get("username", ""), params["usernames"])
        return value

    def run(self) -> dict[str, Any]:
        params = self.params
        secret = secretsmanager.describe_secret(self.client, params["name"])
        if secret is None:
            self.module.fail_json(msg=f"Secret {params['name']} does not exist: provision the service first "
                                      "(data-services.yml)")
        if secret.get("DeletedDate"):
            self.module.fail_json(msg=f"Secret {params['name']} is scheduled for deletion: restore it first")
        arn = secret["ARN"]
        stages = stages_of(secret)
        current = self.read("AWSCURRENT")
        # A pending label left on the current version (a promote that did not remove it) is not a pending rotation.
        pending_version = stages["AWSPENDING"] if stages["AWSPENDING"] != stages["AWSCURRENT"] else ""
        result: dict[str, Any] = {"changed": False, "arn": arn, "resumed": False, "pending": {}}
        check_mode = self.module.check_mode
        step = params["step"]

        if step == "pending":
            if pending_version:
                result.update(pending=self.read("AWSPENDING"), resumed=True)
            else:
                pending = self.new_value(current)
                result.update(pending=pending, changed=True)
                if not check_mode:
                    stages["AWSPENDING"] = secretsmanager.put_secret_value(
                        self.client, arn, json.dumps(pending), ["AWSPENDING"], str(uuid.uuid4()))
        elif step == "promote" and pending_version:
            result["changed"] = True
            pending = self.read("AWSPENDING")
            if not check_mode:
                secretsmanager.move_stage(self.client, arn, "AWSCURRENT", pending_version, stages["AWSCURRENT"])
                secretsmanager.move_stage(self.client, arn, "AWSPENDING", None, pending_version)
                stages = stages_of(secretsmanager.describe_secret(self.client, arn) or {})
            else:
                stages = {"AWSCURRENT": pending_version, "AWSPREVIOUS": stages["AWSCURRENT"], "AWSPENDING": ""}
            previous = current
            current = pending
            result.update(current=current, previous=previous)
        result["stages"] = stages
        result.setdefault("current", current)
        if "previous" not in result:
            result["previous"] = self.read("AWSPREVIOUS") if stages["AWSPREVIOUS"] else {}
        return result


def main() -> None:
    argument_spec = dict(
        name=dict(type="str", required=True),
        step=dict(type="str", choices=["pending", "promote", "read"], default="pending"),
        kind=dict(type="str", choices=["database", "auth_token"], default="database"),
        usernames=dict(type="list", elements="str"),
        password_length=dict(type="int", default=32, no_log=False),
        password_special=dict(type="bool", default=False, no_log=False),
        password_special_characters=dict(type="str", default="-_.!#%*+=", no_log=False),
    )
    module = DataServicesAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    problems = option_problems(module.params)
    if problems:
        module.fail_json(msg="; ".join(problems))
    client = module.client("secretsmanager")
    try:
        result = Rotation(module, client).run()
    except secretsmanager.AnsibleSecretsManagerError as e:
        module.fail_json_aws_error(e)
    # The passwords must reach the (no_log) result: they leave the masked set only now.
    for part in ("pending", "current", "previous"):
        for value in result[part].values():
            module.no_log_values.discard(str(value))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
