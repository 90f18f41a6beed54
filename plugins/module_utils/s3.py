# Copyright: Open edX data services maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Amazon S3 object calls of the s3_credentials_object module.

The client passed in is the one ``module.client("s3")`` returns, which retries through botocore's standard mode
(see modules.py). Errors are raised as ``AnsibleS3Error``; the module turns them into ``fail_json_aws_error``. No
function here logs an object's body.
"""

from __future__ import annotations

from typing import Any

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError


class AnsibleS3Error(AnsibleAWSError):
    pass


class S3ErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleS3Error

    @classmethod
    def _is_missing(cls):
        # A missing bucket holds no object either: a check run before the bucket is created reads as "to write",
        # and a real run then fails on the write, naming the bucket.
        return is_boto3_error_code(["NoSuchKey", "NoSuchBucket"])


@S3ErrorHandler.list_error_handler("read object")
def get_object(client, bucket: str, key: str) -> dict[str, Any] | None:
    """The object's ``Body`` (bytes), ``VersionId``, ``ServerSideEncryption`` and ``SSEKMSKeyId``, or None.

    The body is read rather than compared by ETag: under SSE-KMS the ETag is not the MD5 of the content.
    """
    response = client.get_object(Bucket=bucket, Key=key)
    found = {name: response[name] for name in ("VersionId", "ServerSideEncryption", "SSEKMSKeyId") if name in response}
    found["Body"] = response["Body"].read()
    return found


@S3ErrorHandler.common_error_handler("write object")
def put_object(client, bucket: str, key: str, body: bytes, kms_key_id: str, content_type: str) -> dict[str, Any]:
    """Write the object encrypted with the KMS key (SSE-KMS); returns ``VersionId`` and ``SSEKMSKeyId``."""
    response = client.put_object(Bucket=bucket, Key=key, Body=body, ContentType=content_type,
                                 ServerSideEncryption="aws:kms", SSEKMSKeyId=kms_key_id)
    return {name: response[name] for name in ("VersionId", "SSEKMSKeyId") if name in response}


@S3ErrorHandler.list_error_handler("list object versions", [])
def object_versions(client, bucket: str, key: str) -> list[dict[str, str]]:
    """Every version and delete marker of the object (a versioned bucket keeps each earlier body)."""
    pages = client.get_paginator("list_object_versions").paginate(Bucket=bucket, Prefix=key).build_full_result()
    return [{"Key": item["Key"], "VersionId": item["VersionId"]}
            for item in pages.get("Versions", []) + pages.get("DeleteMarkers", []) if item["Key"] == key]


@S3ErrorHandler.common_error_handler("delete object versions")
def delete_versions(client, bucket: str, versions: list[dict[str, str]]) -> None:
    # DeleteObjects takes at most 1000 keys a call.
    for start in range(0, len(versions), 1000):
        response = client.delete_objects(Bucket=bucket, Delete={"Objects": versions[start:start + 1000],
                                                                "Quiet": True})
        if response.get("Errors"):
            error = response["Errors"][0]
            raise AnsibleS3Error(message=f"could not delete {error.get('Key')} version {error.get('VersionId')}: "
                                         f"{error.get('Code')} {error.get('Message')}")
