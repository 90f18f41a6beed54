#!/usr/bin/python
# Copyright: Open edX data services maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: s3_credentials_object
version_added: 0.1.0
short_description: Keep a database's credentials file in S3, built from its Secrets Manager secret
description:
  - 'Ensures the S3 object O(bucket)/O(object) holds the JSON credentials file the edX analytics pipeline reads
    (C(edxapp_creds), C(edxanalytics_creds)): C({"host": ..., "port": "3306", "username": ..., "password": ...}),
    with the port as a string, encrypted with the KMS key O(kms_key_id) (SSE-KMS).'
  - The password is read from the Secrets Manager secret O(secret_id) (the RDS secret shape) inside the module and
    goes straight to S3. It is never a module argument, a return value or a file on the machine running the module.
  - The object is read and its body compared with the wanted one, with its encryption key; it is written only when
    either differs. Under SSE-KMS an object's ETag is not the MD5 of its content, so comparing ETags (as
    M(amazon.aws.s3_object) does with O(amazon.aws.s3_object#module:overwrite=different)) would rewrite it on every
    run.
  - A no-op run makes one C(GetSecretValue) and one C(GetObject) call and no other.
author:
  - Open edX data services maintainers (@openedx)
options:
  bucket:
    description:
      - The bucket (it must exist; versioning, default encryption and its policy are the bucket's own business).
    type: str
    required: true
  object:
    description:
      - The object's key, such as C(config/edxapp_creds).
    type: str
    required: true
    aliases: [key]
  state:
    description:
      - V(present) ensures the object; V(absent) deletes it with every earlier version of it, so that no copy of
        the password stays in a versioned bucket.
    type: str
    choices: [present, absent]
    default: present
  secret_id:
    description:
      - ARN or name of the Secrets Manager secret holding the credential, a JSON object with at least C(password)
        (and C(username), C(host), C(port) unless given here). Required with O(state=present).
    type: str
  host:
    description:
      - The database's address. Unset uses the secret's C(host).
    type: str
  port:
    description:
      - The database's port (1-65535). Unset uses the secret's C(port), else 3306. Written as a string.
    type: int
  username:
    description:
      - The login name. Unset uses the secret's C(username).
    type: str
  kms_key_id:
    description:
      - The KMS key the object is encrypted with (SSE-KMS), its ARN preferably (what S3 reports). An object
        encrypted otherwise is written again with this key. Required with O(state=present).
    type: str
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
attributes:
  check_mode:
    support: full
    description:
      - Reads the secret and the object and makes no mutating call. A bucket that does not exist yet reads as an
        object to write.
  diff_mode:
    support: full
    description: Shows the credential's fields and key before and after, with the password masked.
  platform:
    platforms: aws
notes:
  - "IAM actions: C(secretsmanager:GetSecretValue) on the secret; C(s3:GetObject), C(s3:PutObject) on the object
    (C(s3:ListBucketVersions), C(s3:DeleteObjectVersion) for V(absent)); C(kms:Decrypt) on the secret's key and
    C(kms:GenerateDataKey), C(kms:Decrypt) on O(kms_key_id)."
  - In a versioned bucket each change leaves the earlier body as a noncurrent version, encrypted with the key it was
    written with; after a password rotation its password no longer logs in. O(state=absent) removes them all.
"""

EXAMPLES = r"""
- name: Keep the pipeline's credentials of the edxapp MySQL in the pipeline bucket
  openedx.data_services.s3_credentials_object:
    bucket: acme-prod-analytics
    object: config/edxapp_creds
    secret_id: "{{ edxapp_ro_secret_arn }}"
    host: "{{ edxapp_mysql_host }}"
    port: 3306
    username: edxapp_ro
    kms_key_id: "{{ kms_result.key_arn }}"
  no_log: true

- name: Remove it, with every earlier version
  openedx.data_services.s3_credentials_object:
    bucket: acme-prod-analytics
    object: config/edxapp_creds
    state: absent
"""

RETURN = r"""
changed:
  description: Whether the object was (or, in check mode, would be) written or deleted.
  returned: always
  type: bool
bucket:
  description: The bucket.
  returned: always
  type: str
  sample: acme-prod-analytics
object:
  description: The object's key.
  returned: always
  type: str
  sample: config/edxapp_creds
url:
  description: The object's URL, as the pipeline's configuration names it.
  returned: always
  type: str
  sample: s3://acme-prod-analytics/config/edxapp_creds
version_id:
  description: The object's current version; empty when the bucket is not versioned or nothing was written yet.
  returned: when O(state=present)
  type: str
kms_key_id:
  description: The KMS key the object is encrypted with (after the task).
  returned: when O(state=present)
  type: str
credential:
  description: The fields of the file other than the password.
  returned: when O(state=present)
  type: dict
  contains:
    host:
      description: The database's address.
      type: str
    port:
      description: Its port, a string as the file has it.
      type: str
      sample: "3306"
    username:
      description: The login name.
      type: str
deleted_versions:
  description: How many versions (and delete markers) of the object were (or would be) deleted.
  returned: when O(state=absent)
  type: int
"""

import json
import re
from typing import Any

from ansible_collections.openedx.data_services.plugins.module_utils import s3, secretsmanager
from ansible_collections.openedx.data_services.plugins.module_utils.common import kms_key_arn, kms_key_matches
from ansible_collections.openedx.data_services.plugins.module_utils.modules import DataServicesAWSModule

CONTENT_TYPE = "application/json"
MASK = "********"
BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
DEFAULT_PORT = 3306


class CredentialsError(Exception):
    """Input that only turns out wrong once the secret has been read; never carries the secret's value."""


def option_problems(params: dict[str, Any]) -> list[str]:
    """Every invalid input, found without calling AWS."""
    problems = []
    if not BUCKET_NAME.match(params["bucket"] or ""):
        problems.append(f"bucket must be an S3 bucket name (3-63 lower case letters, digits, dots and hyphens), "
                        f"not {params['bucket']!r}")
    key = params["object"] or ""
    if not key or key.startswith("/") or key.endswith("/") or len(key.encode()) > 1024:
        problems.append(f"object must be an object key (1-1024 bytes, no leading or trailing /), not {key!r}")
    if params["state"] == "present":
        for option in ("secret_id", "kms_key_id"):
            if not (params[option] or "").strip():
                problems.append(f"{option} is required with state=present")
    if params["port"] is not None and not 1 <= params["port"] <= 65535:
        problems.append(f"port must be 1-65535, not {params['port']}")
    return problems


def credentials_of(secret_id: str, secret_string: str | None, params: dict[str, Any]) -> dict[str, str]:
    """The file's fields: the secret's password, and the connection fields given or else the secret's."""
    try:
        stored = json.loads(secret_string or "")
    except ValueError:
        stored = None
    if not isinstance(stored, dict) or not isinstance(stored.get("password"), str) or not stored["password"]:
        raise CredentialsError(f"secret {secret_id} does not hold a JSON object with a password")
    fields = {
        "host": params["host"] or stored.get("host") or "",
        "port": str(params["port"] or stored.get("port") or DEFAULT_PORT),
        "username": params["username"] or stored.get("username") or "",
        "password": stored["password"],
    }
    missing = [name for name in ("host", "username") if not fields[name]]
    if missing:
        raise CredentialsError(f"{' and '.join(missing)} not given, and secret {secret_id} holds none")
    return fields


def render(fields: dict[str, str]) -> bytes:
    """The file's bytes, always the same for the same fields: host, port, username, password, in that order."""
    ordered = {name: fields[name] for name in ("host", "port", "username", "password")}
    return (json.dumps(ordered, indent=2) + "\n").encode()


def parse_body(body: bytes | None) -> dict[str, Any] | None:
    """The fields of a stored file, or None when it is not a JSON object."""
    if body is None:
        return None
    try:
        value = json.loads(body)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def diff_view(fields: dict[str, Any] | None, kms_key_id: str, password_changed: bool = False) -> dict[str, Any]:
    """A credentials file as the diff shows it, with the password masked."""
    if fields is None:
        return {}
    view = {name: fields.get(name, "") for name in ("host", "port", "username")}
    view["password"] = f"{MASK} (changed)" if password_changed else MASK
    view["kms_key_id"] = kms_key_id
    return view


class CredentialsObject:
    """One credentials object: read the secret and the object, then write it unless it already matches."""

    def __init__(self, module: DataServicesAWSModule) -> None:
        self.module = module
        self.params = module.params
        self.s3 = module.client("s3")

    def same_key(self, current: str | None) -> bool:
        desired = self.params["kms_key_id"]
        same = kms_key_matches(desired, current)
        if same is None:
            same = kms_key_arn(self.module.client("kms"), desired) == current
        return same

    def present(self) -> dict[str, Any]:
        params, bucket, key = self.params, self.params["bucket"], self.params["object"]
        secret = secretsmanager.get_secret_value(self.module.client("secretsmanager"), params["secret_id"])
        if secret is None:
            raise CredentialsError(f"secret {params['secret_id']} does not exist")
        fields = credentials_of(params["secret_id"], secret.get("SecretString"), params)
        # Masked wherever it could surface from here on, a failure's message included.
        self.module.no_log_values.add(fields["password"])
        body = render(fields)

        current = s3.get_object(self.s3, bucket, key)
        encrypted_with = ""
        if current is not None and current.get("ServerSideEncryption") == "aws:kms":
            encrypted_with = current.get("SSEKMSKeyId", "")
        same_body = current is not None and current["Body"] == body
        same_key = bool(encrypted_with) and self.same_key(encrypted_with)
        before = parse_body(current["Body"]) if current is not None else None
        changed = not (same_body and same_key)

        version_id = (current or {}).get("VersionId", "")
        kms_key_id = encrypted_with
        if changed and not self.module.check_mode:
            written = s3.put_object(self.s3, bucket, key, body, params["kms_key_id"], CONTENT_TYPE)
            version_id = written.get("VersionId", "")
            kms_key_id = written.get("SSEKMSKeyId", params["kms_key_id"])
        elif changed:
            kms_key_id = params["kms_key_id"]
        password_changed = before is None or before.get("password") != fields["password"]
        return {
            "changed": changed,
            "version_id": version_id or "",
            "kms_key_id": kms_key_id,
            "credential": {name: fields[name] for name in ("host", "port", "username")},
            "diff": {
                "before": diff_view(before, encrypted_with) if current is not None else {},
                "after": diff_view(fields, kms_key_id, password_changed and current is not None),
            },
        }

    def absent(self) -> dict[str, Any]:
        bucket, key = self.params["bucket"], self.params["object"]
        versions = s3.object_versions(self.s3, bucket, key)
        if versions and not self.module.check_mode:
            s3.delete_versions(self.s3, bucket, versions)
        state = {"object": key} if versions else {}
        return {"changed": bool(versions), "deleted_versions": len(versions),
                "diff": {"before": state, "after": {}}}


def main() -> None:
    argument_spec = dict(
        bucket=dict(type="str", required=True),
        object=dict(type="str", required=True, aliases=["key"], no_log=False),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        secret_id=dict(type="str", no_log=False),
        host=dict(type="str"),
        port=dict(type="int"),
        username=dict(type="str"),
        kms_key_id=dict(type="str", no_log=False),
    )
    module = DataServicesAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    params = module.params
    problems = option_problems(params)
    if problems:
        module.fail_json(msg="; ".join(problems))

    target = CredentialsObject(module)
    try:
        result = target.present() if params["state"] == "present" else target.absent()
    except CredentialsError as e:
        module.fail_json(msg=str(e))
    except s3.AnsibleS3Error as e:
        e.message = f"{e.message} s3://{params['bucket']}/{params['object']}"
        module.fail_json_aws_error(e)
    except secretsmanager.AnsibleSecretsManagerError as e:
        e.message = f"{e.message} {params['secret_id']}"
        module.fail_json_aws_error(e)
    module.exit_json(bucket=params["bucket"], object=params["object"],
                     url=f"s3://{params['bucket']}/{params['object']}", **result)


if __name__ == "__main__":
    main()
