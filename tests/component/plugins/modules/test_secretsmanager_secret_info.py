"""secretsmanager_secret_info against moto: ARNs of the secrets asked for, the missing and deleted ones listed apart,
no value read and nothing changed."""

from __future__ import annotations

import boto3
from ansible_collections.openedx.data_services.plugins.modules import secretsmanager_secret_info as module
from harness import REGION, run_module


def test_reads_the_arns_and_lists_the_missing(moto) -> None:
    client = boto3.client("secretsmanager", region_name=REGION)
    app = client.create_secret(Name="openedx/test/mysql/edxapp001", SecretString='{"password": "s3cret-value-1"}',
                               Tags=[{"Key": "Environment", "Value": "test"}])
    client.create_secret(Name="openedx/test/mysql/gone", SecretString="{}")
    client.delete_secret(SecretId="openedx/test/mysql/gone", RecoveryWindowInDays=7)
    names = ["openedx/test/mysql/edxapp001", "openedx/test/mysql/gone", "openedx/test/mysql/nobody"]
    run = run_module(module, {"names": names}, check_mode=True)
    result = run.result
    assert not run.failed, result
    assert result["changed"] is False
    assert result["secrets"] == {"openedx/test/mysql/edxapp001": {
        "arn": app["ARN"], "name": "openedx/test/mysql/edxapp001", "kms_key_id": None,
        "tags": {"Environment": "test"}}}
    assert result["missing"] == ["openedx/test/mysql/gone", "openedx/test/mysql/nobody"]
    assert "s3cret-value-1" not in str(result)
    assert set(run.operations) == {"DescribeSecret"}
