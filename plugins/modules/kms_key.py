#!/usr/bin/python
# Copyright: Open edX data services maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: kms_key
version_added: 0.1.0
short_description: Manage a customer-managed AWS KMS key found by its alias
description:
  - Create, update and schedule the deletion of a symmetric customer-managed KMS key named by an alias, with its
    description, key policy, automatic rotation and tags.
  - The key is always a symmetric encryption key (key spec C(SYMMETRIC_DEFAULT), key usage C(ENCRYPT_DECRYPT)), the
    kind RDS, DocumentDB, ElastiCache, OpenSearch, Secrets Manager and CloudWatch Logs encrypt with. An alias that
    names a key of another spec or usage is refused.
  - The key is found by its alias alone. A run with nothing to change makes four read calls (C(DescribeKey),
    C(GetKeyRotationStatus), C(GetKeyPolicy), C(ListResourceTags)) and no other; M(amazon.aws.kms_key) makes
    about eighteen.
  - The key is kept enabled. When the alias names a key scheduled for deletion, its deletion is cancelled and it
    is enabled again (with a warning) rather than a second key created; a disabled key is enabled.
  - Rotation uses the AWS default period (365 days). The period is not an option because the AWS emulator this
    collection is tested against cannot store it.
author:
  - Open edX data services maintainers (@openedx)
options:
  alias:
    description:
      - The alias that names the key, with or without its C(alias/) prefix, for example
        V(alias/openedx-prod-data-services).
      - C(alias/) and 1 to 250 letters, digits, C(/), C(_) or C(-); it cannot start with C(alias/aws/), which AWS
        reserves for its own managed keys.
    type: str
    required: true
  description:
    description:
      - The description of the key. Left as it is when not given.
    type: str
  policy:
    description:
      - The key policy, as a dict or its JSON. It is compared as a policy (statement and list order do not
        matter), so an equivalent document changes nothing.
      - Left as it is when not given; a new key then gets the AWS default key policy.
    type: json
  enable_key_rotation:
    description:
      - Whether AWS rotates the key material automatically, every year.
    type: bool
    default: true
  pending_window:
    description:
      - With O(state=absent), the days (7 to 30) before the key scheduled for deletion is deleted; until then the
        deletion can be cancelled (a later O(state=present) run with the same alias does not find it, since the
        alias is deleted at once).
    type: int
    default: 30
  state:
    description:
      - V(present) creates or updates the key and its alias.
      - V(absent) schedules the key's deletion after O(pending_window) days and deletes the alias.
    type: str
    choices: [present, absent]
    default: present
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
  platform:
    platforms: aws
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: The environment's key, rotated, with its policy and tags
  openedx.data_services.kms_key:
    alias: alias/openedx-prod-data-services
    description: Open edX data services (prod)
    policy: "{{ lookup('ansible.builtin.template', 'key_policy.json.j2') }}"
    tags:
      environment: prod
  register: key

- name: Encrypt with it
  ansible.builtin.debug:
    msg: "{{ key.key_arn }}"

- name: Schedule the key's deletion in 7 days and delete its alias
  openedx.data_services.kms_key:
    alias: openedx-test-data-services
    pending_window: 7
    state: absent
"""

RETURN = r"""
key_arn:
  description: The ARN of the key.
  returned: when O(state=present), except in check mode before the key is created
  type: str
  sample: arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab
key_id:
  description: The id of the key.
  returned: when O(state=present), except in check mode before the key is created
  type: str
  sample: 1234abcd-12ab-34cd-56ef-1234567890ab
alias:
  description: The alias, with its C(alias/) prefix.
  returned: when O(state=present)
  type: str
  sample: alias/openedx-prod-data-services
key_state:
  description: The state of the key, V(Enabled) once the module has run.
  returned: when O(state=present)
  type: str
  sample: Enabled
description:
  description: The description of the key.
  returned: when O(state=present)
  type: str
  sample: Open edX data services (prod)
enable_key_rotation:
  description: Whether AWS rotates the key material automatically.
  returned: when O(state=present)
  type: bool
  sample: true
policy:
  description: The key policy.
  returned: when O(state=present), except in check mode before a key without O(policy) is created
  type: dict
tags:
  description: The tags of the key.
  returned: when O(state=present)
  type: dict
  sample: {"environment": "prod"}
"""

from ansible_collections.amazon.aws.plugins.module_utils.policy import compare_policies
from ansible_collections.openedx.data_services.plugins.module_utils import engine, kms
from ansible_collections.openedx.data_services.plugins.module_utils.common import ReplacementRequired
from ansible_collections.openedx.data_services.plugins.module_utils.modules import DataServicesAWSModule

RESTORABLE_STATES = ("Enabled", "Disabled", "PendingDeletion")


class Key(engine.Resource):
    """The state is the module's options plus the key's identity (``key_id``, ``key_arn``) and ``key_state``."""

    def __init__(self, module, client, policy: dict | None) -> None:
        super().__init__(module, client)
        self.alias = kms.alias_name(self.params["alias"])
        self.policy = policy
        self.key: dict | None = None

    @property
    def name(self) -> str:
        return self.alias

    def other_kind(self) -> str | None:
        """The key's spec and usage when they are not the ones this module manages."""
        spec, usage = self.key.get("KeySpec", kms.KEY_SPEC), self.key.get("KeyUsage", kms.KEY_USAGE)
        return None if (spec, usage) == (kms.KEY_SPEC, kms.KEY_USAGE) else f"{spec} {usage}"

    def read(self) -> dict | None:
        self.key = kms.describe_key(self.client, self.alias)
        if self.key is None:
            return None
        key_id = self.key["KeyId"]
        return {
            "alias": self.alias,
            "key_id": key_id,
            "key_arn": self.key["Arn"],
            "key_state": self.key["KeyState"],
            "description": self.key.get("Description", ""),
            # Only symmetric encryption keys rotate; AWS refuses to tell the rotation status of others.
            "enable_key_rotation": not self.other_kind() and kms.rotation_enabled(self.client, key_id),
            "policy": kms.key_policy(self.client, key_id),
            "tags": kms.list_tags(self.client, key_id),
        }

    def plan_create(self) -> engine.Plan:
        params = self.params
        tags = params["tags"] or {}
        plan = engine.Plan({"alias": self.alias, "key_state": "Enabled", "description": params["description"] or "",
                            "enable_key_rotation": params["enable_key_rotation"], "tags": tags})
        if self.policy is not None:
            plan.change("policy", self.policy)
        created: dict = {}
        plan.call(lambda: created.update(kms.create_key(self.client, params["description"], self.policy, tags)))
        plan.call(lambda: kms.create_alias(self.client, self.alias, created["KeyId"]))
        if params["enable_key_rotation"]:
            plan.call(lambda: kms.set_rotation(self.client, created["KeyId"], True))
        return plan

    def plan_update(self, current: dict) -> engine.Plan:
        params = self.params
        key_id, state = current["key_id"], current["key_state"]
        if self.other_kind():
            raise ReplacementRequired(
                f"{self.alias} names key {key_id}, a {self.other_kind()} key; kms_key manages {kms.KEY_SPEC} "
                f"{kms.KEY_USAGE} keys only: point the alias at such a key, or choose another alias.")
        if state not in RESTORABLE_STATES:
            self.module.fail_json(msg=f"{self.alias} names key {key_id} in state {state}; kms_key manages keys that "
                                      f"are {', '.join(RESTORABLE_STATES)}.")
        plan = engine.Plan()
        restoring = state == "PendingDeletion"
        if restoring:
            deletion = self.key.get("DeletionDate")
            done = "would be" if self.module.check_mode else "is"
            self.module.warn(f"{self.alias} names key {key_id}, scheduled for deletion"
                             f"{' on ' + str(deletion.date()) if deletion else ''}: its deletion {done} cancelled and "
                             f"the key enabled again, rather than a second key created.")
            plan.call(lambda: kms.cancel_key_deletion(self.client, key_id))
        if state != "Enabled":
            plan.change("key_state", "Enabled")
            plan.call(lambda: kms.enable_key(self.client, key_id))
        description = params["description"]
        if description is not None and description != current["description"]:
            plan.change("description", description)
            plan.call(lambda: kms.update_key_description(self.client, key_id, description))
        # compare_policies answers True when the two policies differ.
        if self.policy is not None and compare_policies(current["policy"], self.policy):
            plan.change("policy", self.policy)
            plan.call(lambda: kms.put_key_policy(self.client, key_id, self.policy))
        rotation = params["enable_key_rotation"]
        # AWS reports the rotation of a key pending deletion as off, and brings back what it was when the deletion
        # is cancelled: set it whatever it reads.
        if restoring or rotation != current["enable_key_rotation"]:
            plan.change("enable_key_rotation", rotation)
            plan.call(lambda: kms.set_rotation(self.client, key_id, rotation))
        self.plan_tags(plan, {"arn": key_id, "tags": current["tags"]}, kms.update_tags)
        return plan

    def plan_delete(self, current: dict) -> engine.Plan:
        plan = engine.Plan()
        if current["key_state"] != "PendingDeletion":
            plan.call(lambda: kms.schedule_key_deletion(self.client, current["key_id"], self.params["pending_window"]))
        plan.call(lambda: kms.delete_alias(self.client, self.alias))
        return plan


def main() -> None:
    argument_spec = dict(
        alias=dict(type="str", required=True),
        description=dict(type="str"),
        policy=dict(type="json"),
        enable_key_rotation=dict(type="bool", default=True),
        pending_window=dict(type="int", default=30),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )
    module = DataServicesAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    policy, policy_problem = kms.parse_policy(module.params["policy"])
    problems = [problem for problem in (kms.alias_problem(module.params["alias"]),
                                        kms.pending_window_problem(module.params["pending_window"]), policy_problem)
                if problem]
    if problems:
        module.fail_json(msg=" ".join(problems))
    engine.run(Key(module, module.client("kms"), policy))


if __name__ == "__main__":
    main()
