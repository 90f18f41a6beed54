#!/usr/bin/python
# Copyright: Open edX data services maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: s3_bucket
version_added: 0.1.0
short_description: Manage an S3 bucket's protection and lifecycle, with check mode
description:
  - Create or delete an S3 general purpose bucket, and bring its default encryption, public access block, object
    ownership, bucket policy, versioning, lifecycle rules and tags to what the options say.
  - Unlike M(amazon.aws.s3_bucket) and M(community.aws.s3_lifecycle), which Ansible skips in check mode, it reports in
    check mode and in the diff what a run would change, without any mutating call. The lifecycle rules are the whole
    lifecycle configuration, set in one call.
  - An option left unset leaves that setting alone and is not read. A run reads the bucket's existence (C(HeadBucket))
    and one C(Get...) call per setting the options name; with nothing to change it makes no other call.
author:
  - Open edX data services maintainers (@openedx)
options:
  name:
    description:
      - The bucket's name, unique across all AWS accounts.
    type: str
    required: true
  encryption:
    description:
      - The default server-side encryption of new objects. S3 no longer lets a bucket go without one.
    type: str
    choices: [AES256, "aws:kms"]
  encryption_key_id:
    description:
      - With O(encryption=aws:kms), the KMS key, preferably by ARN (S3 stores the value as given). Unset with
        O(encryption=aws:kms) keeps the key of a bucket already encrypted with KMS, and otherwise uses the AWS
        managed key C(aws/s3).
    type: str
  bucket_key_enabled:
    description:
      - With O(encryption=aws:kms), whether S3 Bucket Keys cut the KMS requests for new objects.
      - Unset keeps the bucket's setting.
    type: bool
  public_access:
    description:
      - The bucket's public access block. Each setting defaults to V(true), so that V({}) blocks all public access.
    type: dict
    suboptions:
      block_public_acls:
        description: Refuse requests that set a public ACL.
        type: bool
        default: true
      ignore_public_acls:
        description: Ignore public ACLs.
        type: bool
        default: true
      block_public_policy:
        description: Refuse a bucket policy that grants public access.
        type: bool
        default: true
      restrict_public_buckets:
        description: Only AWS services and this account reach a bucket with a public policy.
        type: bool
        default: true
  object_ownership:
    description:
      - Who owns new objects. V(BucketOwnerEnforced) turns ACLs off; a new bucket is created with it when set.
    type: str
    choices: [BucketOwnerEnforced, BucketOwnerPreferred, ObjectWriter]
  policy:
    description:
      - The bucket policy, as a dict or a JSON string. V({}) deletes the bucket's policy.
    type: json
  versioning:
    description:
      - V(true) turns versioning on; V(false) suspends it on a bucket where it is on (S3 cannot turn it off again) and
        changes nothing on a bucket that never had it.
    type: bool
  lifecycle_rules:
    description:
      - The bucket's whole lifecycle configuration; rules not listed are removed, and V([]) removes the
        configuration.
      - Each rule needs O(lifecycle_rules[].expiration_days) or
        O(lifecycle_rules[].abort_incomplete_multipart_upload_days).
    type: list
    elements: dict
    suboptions:
      id:
        description: The rule's unique ID (1 to 255 characters).
        type: str
        required: true
      prefix:
        description: The key prefix of the objects the rule applies to; V("") for every object.
        type: str
        default: ""
      enabled:
        description: Whether the rule applies.
        type: bool
        default: true
      expiration_days:
        description: Days after creation when objects expire (deleted, or made noncurrent in a versioned bucket).
        type: int
      abort_incomplete_multipart_upload_days:
        description: Days after which S3 aborts a multipart upload not completed, and deletes its parts.
        type: int
  state:
    description:
      - V(present) creates the bucket if needed and applies the options; V(absent) deletes it, which S3 refuses
        unless it is empty.
    type: str
    choices: [present, absent]
    default: present
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
    details: The diff shows the settings the options name, in the options' names.
  platform:
    platforms: aws
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
notes:
  - Requires C(s3:ListBucket) (C(HeadBucket)) and the C(s3:Get...) and C(s3:Put...) permissions of the settings named,
    plus C(kms:DescribeKey) when O(encryption_key_id) is an alias.
"""

EXAMPLES = r"""
- name: A private bucket encrypted with the environment's key, TLS only, its logs expiring after 90 days
  openedx.data_services.s3_bucket:
    name: acme-prod-emr-logs
    encryption: "aws:kms"
    encryption_key_id: arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab
    bucket_key_enabled: true
    public_access: {}
    object_ownership: BucketOwnerEnforced
    policy:
      Version: "2012-10-17"
      Statement:
        - Sid: DenyInsecureTransport
          Effect: Deny
          Principal: "*"
          Action: "s3:*"
          Resource: ["arn:aws:s3:::acme-prod-emr-logs", "arn:aws:s3:::acme-prod-emr-logs/*"]
          Condition: {Bool: {"aws:SecureTransport": "false"}}
    lifecycle_rules:
      - id: abort-incomplete-multipart-uploads
        abort_incomplete_multipart_upload_days: 7
      - id: expire
        expiration_days: 90
    tags:
      Environment: prod

- name: Delete an empty bucket
  openedx.data_services.s3_bucket:
    name: acme-test-scratch
    state: absent
"""

RETURN = r"""
name:
  description: The bucket's name.
  returned: when the bucket exists, or would in check mode
  type: str
  sample: acme-prod-emr-logs
encryption:
  description: The default encryption's algorithm; null when the bucket has none.
  returned: when O(encryption) is set
  type: str
  sample: "aws:kms"
encryption_key_id:
  description: The KMS key of the default encryption as S3 holds it; null without one.
  returned: when O(encryption) is set
  type: str
  sample: arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab
bucket_key_enabled:
  description: Whether S3 Bucket Keys are on.
  returned: when O(encryption) is set
  type: bool
  sample: true
public_access:
  description: The public access block; every setting V(false) when the bucket has none.
  returned: when O(public_access) is set
  type: dict
  sample: {"block_public_acls": true, "ignore_public_acls": true, "block_public_policy": true,
           "restrict_public_buckets": true}
object_ownership:
  description: The object ownership; null without ownership controls.
  returned: when O(object_ownership) is set
  type: str
  sample: BucketOwnerEnforced
policy:
  description: The bucket policy; null without one.
  returned: when O(policy) is set
  type: dict
versioning:
  description: Whether versioning is on (V(false) when suspended or never on).
  returned: when O(versioning) is set
  type: bool
  sample: true
lifecycle_rules:
  description:
    - The lifecycle rules, sorted by ID, in the options' names. What a rule holds beyond them (transitions, other
      filters) is under C(other), in snake case.
  returned: when O(lifecycle_rules) is set
  type: list
  elements: dict
  sample: [{"id": "expire", "prefix": "", "enabled": true, "expiration_days": 90}]
tags:
  description: The bucket's tags.
  returned: when O(tags) is set
  type: dict
  sample: {"Environment": "prod"}
"""


from ansible_collections.amazon.aws.plugins.module_utils.policy import compare_policies
from ansible_collections.openedx.data_services.plugins.module_utils import common, engine, s3_buckets
from ansible_collections.openedx.data_services.plugins.module_utils.common import kms_key_matches, merged_tags
from ansible_collections.openedx.data_services.plugins.module_utils.modules import DataServicesAWSModule

MAX_RULE_ID_LENGTH = 255
# S3 takes at most 1,000 rules in a lifecycle configuration.
MAX_RULES = 1000


class Bucket(engine.Resource):
    """The state is the bucket's name and the settings the options name, in the options' names."""

    def __init__(self, module, client, policy: dict | None) -> None:
        super().__init__(module, client)
        self.policy = policy
        params = self.params
        self.settings = tuple(setting for setting in s3_buckets.SETTINGS if params[setting] is not None)
        self.rules = None if params["lifecycle_rules"] is None else s3_buckets.sorted_rules(
            [s3_buckets.rule_option(rule) for rule in params["lifecycle_rules"]])

    @property
    def name(self) -> str:
        return self.params["name"]

    def read(self) -> dict | None:
        if not s3_buckets.bucket_exists(self.client, self.name):
            return None
        settings = self.settings if self.params["state"] == "present" else ()
        return {"name": self.name, **s3_buckets.read_settings(self.client, self.name, settings)}

    def plan_create(self) -> engine.Plan:
        ownership = self.params["object_ownership"]
        # What a bucket without the settings reads as; a new bucket gets the ownership as it is created.
        empty = {"public_access": dict.fromkeys(s3_buckets.PUBLIC_ACCESS_SETTINGS, False),
                 "object_ownership": ownership, "encryption": None, "encryption_key_id": None,
                 "bucket_key_enabled": False, "policy": None, "versioning": False, "lifecycle_rules": [], "tags": {}}
        plan = engine.Plan({"name": self.name, **{key: empty[key] for key in s3_buckets.state_keys(self.settings)}})
        plan.call(lambda: s3_buckets.create_bucket(self.client, self.name, self.module.region, ownership))
        self.plan_settings(plan, empty)
        return plan

    def plan_update(self, current: dict) -> engine.Plan:
        plan = engine.Plan()
        ownership = self.params["object_ownership"]
        if ownership and ownership != current["object_ownership"]:
            plan.change("object_ownership", ownership)
            plan.call(lambda: s3_buckets.put_object_ownership(self.client, self.name, ownership))
        self.plan_settings(plan, current)
        return plan

    def plan_settings(self, plan: engine.Plan, current: dict) -> None:
        """Every setting but the ownership, which a new bucket gets when it is created."""
        params, client, name = self.params, self.client, self.name
        public_access = params["public_access"]
        if public_access is not None and public_access != current["public_access"]:
            plan.change("public_access", public_access)
            plan.call(lambda: s3_buckets.put_public_access(client, name, public_access))
        if params["encryption"]:
            self.plan_encryption(plan, current)
        policy, current_policy = self.policy, current.get("policy")
        # compare_policies answers True when the two policies differ.
        if policy and (current_policy is None or compare_policies(current_policy, policy)):
            plan.change("policy", policy)
            plan.call(lambda: s3_buckets.put_policy(client, name, policy))
        elif policy == {} and current_policy is not None:
            plan.change("policy", None)
            plan.call(lambda: s3_buckets.delete_policy(client, name))
        versioning = params["versioning"]
        if versioning is not None and versioning != current["versioning"]:
            plan.change("versioning", versioning)
            plan.call(lambda: s3_buckets.put_versioning(client, name, versioning))
        rules = self.rules
        if rules is not None and rules != current["lifecycle_rules"]:
            plan.change("lifecycle_rules", rules)
            plan.call(lambda: s3_buckets.put_lifecycle_rules(client, name, rules) if rules else
                      s3_buckets.delete_lifecycle_rules(client, name))
        if params["tags"] is not None:
            tags = merged_tags(current["tags"], params["tags"], params["purge_tags"])
            if tags != current["tags"]:
                plan.change("tags", tags)
                plan.call(lambda: s3_buckets.put_tags(client, name, tags))

    def plan_encryption(self, plan: engine.Plan, current: dict) -> None:
        params = self.params
        algorithm = params["encryption"]
        same_algorithm = algorithm == current["encryption"]
        key_id = None
        if algorithm == "aws:kms":
            key_id = params["encryption_key_id"] or (current["encryption_key_id"] if same_algorithm else None)
        bucket_key = params["bucket_key_enabled"]
        if bucket_key is None:
            bucket_key = current["bucket_key_enabled"] if same_algorithm else False
        if same_algorithm and bucket_key == current["bucket_key_enabled"] and self.same_key(
                key_id, current["encryption_key_id"]):
            return
        plan.change("encryption", algorithm)
        plan.change("encryption_key_id", key_id)
        plan.change("bucket_key_enabled", bucket_key)
        plan.call(lambda: s3_buckets.put_encryption(self.client, self.name, algorithm, key_id, bucket_key))

    def same_key(self, desired: str | None, current: str | None) -> bool:
        """Whether two ways of naming a KMS key (ARN, key id, alias, alias ARN) name the same key."""
        if not desired or not current:
            return desired == current
        same = kms_key_matches(desired, current)
        if same is None or (same is False and not current.startswith("arn:")):
            kms = self.kms_client()
            same = s3_buckets.key_arn(kms, desired) == s3_buckets.key_arn(kms, current)
        return same

    def plan_delete(self, current: dict) -> engine.Plan:
        plan = engine.Plan()
        plan.call(lambda: s3_buckets.delete_bucket(self.client, self.name))
        return plan


def input_problems(params: dict) -> list[str]:
    """What is wrong with the options that argument_spec cannot say."""
    problems = []
    if params["encryption"] != "aws:kms":
        problems += [f"{option} requires encryption=aws:kms" for option in ("encryption_key_id", "bucket_key_enabled")
                     if params[option] is not None]
    rules = params["lifecycle_rules"] or []
    if len(rules) > MAX_RULES:
        problems.append(f"lifecycle_rules holds at most {MAX_RULES} rules, got {len(rules)}")
    ids = [rule["id"] for rule in rules]
    duplicates = sorted({rule_id for rule_id in ids if ids.count(rule_id) > 1})
    if duplicates:
        problems.append(f"lifecycle_rules IDs must be unique; repeated: {', '.join(duplicates)}")
    for rule in rules:
        days = {key: rule[key] for key in ("expiration_days", "abort_incomplete_multipart_upload_days")
                if rule[key] is not None}
        if not 1 <= len(rule["id"]) <= MAX_RULE_ID_LENGTH:
            problems.append(f"lifecycle rule IDs are 1 to {MAX_RULE_ID_LENGTH} characters, got {rule['id']!r}")
        if not days:
            problems.append(f"lifecycle rule {rule['id']!r} needs expiration_days or "
                            f"abort_incomplete_multipart_upload_days")
        problems += [f"lifecycle rule {rule['id']!r}: {key} must be a positive number of days, got {value}"
                     for key, value in days.items() if value < 1]
    return problems


def main() -> None:
    rule = dict(
        id=dict(type="str", required=True),
        prefix=dict(type="str", default=""),
        enabled=dict(type="bool", default=True),
        expiration_days=dict(type="int"),
        abort_incomplete_multipart_upload_days=dict(type="int"),
    )
    public_access = {option: dict(type="bool", default=True) for option in s3_buckets.PUBLIC_ACCESS_SETTINGS}
    argument_spec = dict(
        name=dict(type="str", required=True),
        encryption=dict(type="str", choices=["AES256", "aws:kms"]),
        encryption_key_id=dict(type="str"),
        bucket_key_enabled=dict(type="bool"),
        public_access=dict(type="dict", options=public_access),
        object_ownership=dict(type="str", choices=["BucketOwnerEnforced", "BucketOwnerPreferred", "ObjectWriter"]),
        policy=dict(type="json"),
        versioning=dict(type="bool"),
        lifecycle_rules=dict(type="list", elements="dict", options=rule),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
    )
    module = DataServicesAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    policy, policy_problem = common.parse_policy(module.params["policy"], "bucket policy")
    problems = input_problems(module.params) + ([policy_problem] if policy_problem else [])
    if problems:
        module.fail_json(msg="; ".join(problems))
    engine.run(Bucket(module, module.client("s3"), policy))


if __name__ == "__main__":
    main()
