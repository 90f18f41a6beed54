"""iam_open_id_connect_provider_info against moto: a provider found with its audiences, one missing is not an
error, reads only."""

from __future__ import annotations

import boto3
from ansible_collections.openedx.data_services.plugins.modules import iam_open_id_connect_provider_info as module
from harness import REGION, run_module

ISSUER = "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"


def test_reads_a_provider_and_finds_none_where_there_is_none(moto) -> None:
    arn = boto3.client("iam", region_name=REGION).create_open_id_connect_provider(
        Url=f"https://{ISSUER}", ClientIDList=["sts.amazonaws.com"],
        ThumbprintList=["9e99a48a9960b14926bb7f3b02e22da2b0ab7280"])["OpenIDConnectProviderArn"]
    run = run_module(module, {"arn": arn}, check_mode=True)
    assert not run.failed, run.result
    assert run.result["found"] is True and run.result["changed"] is False
    assert run.result["provider"]["client_id_list"] == ["sts.amazonaws.com"]
    assert run.result["provider"]["url"] == ISSUER
    missing = run_module(module, {"arn": arn.replace("EXAMPLE", "MISSING")})
    assert not missing.failed and missing.result == {"changed": False, "found": False}
    assert set(run.operations + missing.operations) == {"GetOpenIDConnectProvider"}
