#!/usr/bin/python
# Copyright: Open edX data services maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: s3_bucket_info
version_added: 0.1.0
short_description: Read an S3 bucket's protection and lifecycle settings
description:
  - Tells whether an S3 bucket exists and reads its default encryption, public access block, object ownership,
    bucket policy, versioning, lifecycle rules and tags, in the option names of M(openedx.data_services.s3_bucket).
  - Changes nothing. Reads the bucket's existence (C(HeadBucket)), then one C(Get...) call per setting.
author:
  - Open edX data services maintainers (@openedx)
options:
  name:
    description:
      - The bucket's name.
    type: str
    required: true
attributes:
  check_mode:
    support: full
    details: The module changes nothing; it runs in check mode as it does otherwise.
  diff_mode:
    support: none
  platform:
    platforms: aws
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
notes:
  - Requires C(s3:ListBucket), C(s3:GetEncryptionConfiguration), C(s3:GetBucketPublicAccessBlock),
    C(s3:GetBucketOwnershipControls), C(s3:GetBucketPolicy), C(s3:GetBucketVersioning),
    C(s3:GetLifecycleConfiguration) and C(s3:GetBucketTagging) on the bucket.
"""

EXAMPLES = r"""
- name: Read the tracking-logs bucket the LMS writes to
  openedx.data_services.s3_bucket_info:
    name: acme-prod-tracking-logs
  register: tracking_logs

- name: Stop unless it exists
  ansible.builtin.assert:
    that: tracking_logs.exists
"""

RETURN = r"""
exists:
  description: Whether the bucket exists.
  returned: always
  type: bool
  sample: true
bucket:
  description:
    - The bucket's settings, as M(openedx.data_services.s3_bucket) returns them; empty when it does not exist.
  returned: always
  type: dict
  contains:
    name:
      description: The bucket's name.
      type: str
      sample: acme-prod-tracking-logs
    encryption:
      description: The default encryption's algorithm; null when the bucket has none.
      type: str
      sample: AES256
    encryption_key_id:
      description: The KMS key of the default encryption; null without one.
      type: str
    bucket_key_enabled:
      description: Whether S3 Bucket Keys are on.
      type: bool
    public_access:
      description: The public access block's four settings; all V(false) without one.
      type: dict
      sample: {"block_public_acls": true, "ignore_public_acls": true, "block_public_policy": true,
               "restrict_public_buckets": true}
    object_ownership:
      description: The object ownership; null without ownership controls.
      type: str
      sample: BucketOwnerEnforced
    policy:
      description: The bucket policy; null without one.
      type: dict
    versioning:
      description: Whether versioning is on.
      type: bool
    lifecycle_rules:
      description: The lifecycle rules, sorted by ID; what the modules' options cannot say is under C(other).
      type: list
      elements: dict
    tags:
      description: The bucket's tags.
      type: dict
"""

from ansible_collections.openedx.data_services.plugins.module_utils import s3_buckets
from ansible_collections.openedx.data_services.plugins.module_utils.modules import DataServicesAWSModule


def main() -> None:
    module = DataServicesAWSModule(argument_spec=dict(name=dict(type="str", required=True)), supports_check_mode=True)
    client = module.client("s3")
    name = module.params["name"]
    try:
        exists = s3_buckets.bucket_exists(client, name)
        bucket = {"name": name, **s3_buckets.read_settings(client, name)} if exists else {}
    except s3_buckets.AnsibleS3BucketError as e:
        module.fail_json_aws_error(e)
    module.exit_json(changed=False, exists=exists, bucket=bucket)


if __name__ == "__main__":
    main()
