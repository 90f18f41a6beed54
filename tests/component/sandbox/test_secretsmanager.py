"""The sandbox's Secrets Manager hook: GetSecretValue without a stage follows AWSCURRENT when a rotation moves it."""

from __future__ import annotations

import json

import boto3
import pytest
from moto import mock_aws

from sandbox import services


@pytest.fixture
def client():
    services.apply("secretsmanager")
    with mock_aws():
        yield boto3.client("secretsmanager", region_name="us-east-1")


def test_moving_awscurrent_moves_the_default_version(client):
    first = client.create_secret(Name="openedx/test/redis/default", SecretString=json.dumps({"auth_token": "one"}))
    pending = client.put_secret_value(SecretId="openedx/test/redis/default", SecretString=json.dumps(
        {"auth_token": "two"}), VersionStages=["AWSPENDING"], ClientRequestToken="a" * 32)
    # A pending version is not what readers get.
    assert json.loads(client.get_secret_value(SecretId="openedx/test/redis/default")["SecretString"]) == {
        "auth_token": "one"}
    client.update_secret_version_stage(SecretId="openedx/test/redis/default", VersionStage="AWSCURRENT",
                                       MoveToVersionId=pending["VersionId"], RemoveFromVersionId=first["VersionId"])
    current = client.get_secret_value(SecretId="openedx/test/redis/default")
    assert current["VersionId"] == pending["VersionId"] and "AWSCURRENT" in current["VersionStages"]
    assert json.loads(current["SecretString"]) == {"auth_token": "two"}
    previous = client.get_secret_value(SecretId="openedx/test/redis/default", VersionStage="AWSPREVIOUS")
    assert previous["VersionId"] == first["VersionId"]
    # A later UpdateSecret makes the rotated version AWSPREVIOUS, as AWS does.
    client.update_secret(SecretId="openedx/test/redis/default", SecretString=json.dumps({"auth_token": "three"}))
    previous = client.get_secret_value(SecretId="openedx/test/redis/default", VersionStage="AWSPREVIOUS")
    assert previous["VersionId"] == pending["VersionId"]
