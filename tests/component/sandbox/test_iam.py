"""The sandbox's IAM patch: a trust policy naming an identity provider the account lacks is refused, as on AWS."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from sandbox import services

ISSUER = "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
PROVIDER = f"arn:aws:iam::123456789012:oidc-provider/{ISSUER}"


def trust(provider: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": provider}, "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {f"{ISSUER}:sub": "system:serviceaccount:openedx:lms"}}}]})


@pytest.fixture
def iam(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for name, value in (("AWS_DEFAULT_REGION", "us-east-1"), ("AWS_ACCESS_KEY_ID", "testing"),
                        ("AWS_SECRET_ACCESS_KEY", "testing")):
        monkeypatch.setenv(name, value)
    services.apply("iam")
    with mock_aws():
        yield boto3.client("iam")


def test_a_role_trusting_a_missing_oidc_provider_is_refused(iam: Any) -> None:
    with pytest.raises(ClientError) as refused:
        iam.create_role(RoleName="lms", AssumeRolePolicyDocument=trust(PROVIDER))
    assert refused.value.response["Error"]["Code"] == "MalformedPolicyDocument"
    assert PROVIDER in refused.value.response["Error"]["Message"]
    assert iam.list_roles()["Roles"] == []


def test_a_role_trusting_an_existing_provider_is_made_and_its_trust_cannot_name_a_missing_one(iam: Any) -> None:
    iam.create_open_id_connect_provider(Url=f"https://{ISSUER}", ClientIDList=["sts.amazonaws.com"],
                                        ThumbprintList=["9e99a48a9960b14926bb7f3b02e22da2b0ab7280"])
    iam.create_role(RoleName="lms", AssumeRolePolicyDocument=trust(PROVIDER))
    missing = PROVIDER.replace("EXAMPLE", "MISSING")
    with pytest.raises(ClientError) as refused:
        iam.update_assume_role_policy(RoleName="lms", PolicyDocument=trust(missing))
    assert refused.value.response["Error"]["Code"] == "MalformedPolicyDocument"
    document = iam.get_role(RoleName="lms")["Role"]["AssumeRolePolicyDocument"]
    assert document["Statement"][0]["Principal"]["Federated"] == PROVIDER


def test_service_principals_and_other_accounts_providers_are_left_to_moto(iam: Any) -> None:
    service = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
    iam.create_role(RoleName="instances", AssumeRolePolicyDocument=service)
    iam.create_role(RoleName="elsewhere", AssumeRolePolicyDocument=trust(PROVIDER.replace("123456789012",
                                                                                           "210987654321")))
    assert {role["RoleName"] for role in iam.list_roles()["Roles"]} == {"instances", "elsewhere"}
