"""The sandbox's OpenSearch control plane (sandbox.services.opensearch) and its security API servers."""

from __future__ import annotations

import base64
import json
import os
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from ports import free_port_range, free_tcp_port
from sandbox_harness import ROOT, Keys, signed, wait_for

from sandbox import seed, services
from sandbox.dataplane import opensearch as dataplane
from sandbox.dataplane import port_open

PASSWORD = "Sandbox-Master-1!"
SUBNETS = [subnet[0] for subnet in seed.SUBNETS]
PLATFORM_SG = seed.SECURITY_GROUPS[0][0]


@dataclass
class Aws:
    client: Any
    logs: Any
    key_arn: str
    state_dir: Path


@pytest.fixture
def aws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Aws]:
    """In-process moto with the OpenSearch hooks and the sandbox's seeded network; no server is left behind."""
    monkeypatch.setenv("SANDBOX_STATE_DIR", str(tmp_path))
    monkeypatch.setenv("SANDBOX_OPENSEARCH_FIRST_PORT", str(free_port_range(10)))
    monkeypatch.setenv("SANDBOX_TIME_SCALE", "0")
    for name, value in (("AWS_DEFAULT_REGION", "us-east-1"), ("AWS_ACCESS_KEY_ID", "testing"),
                        ("AWS_SECRET_ACCESS_KEY", "testing")):
        monkeypatch.setenv(name, value)
    services.apply("opensearch")
    try:
        with mock_aws():
            seed.seed()
            key = boto3.client("kms").create_key()["KeyMetadata"]["Arn"]
            yield Aws(boto3.client("opensearch"), boto3.client("logs"), key, tmp_path)
    finally:
        dataplane.stop_all()
    assert dataplane.servers() == []


def request(aws: Aws, **overrides: Any) -> dict[str, Any]:
    """A CreateDomain request shaped like the role's test profile."""
    args: dict[str, Any] = {
        "DomainName": "edx-search",
        "EngineVersion": "OpenSearch_2.13",
        "ClusterConfig": {"InstanceType": "t3.small.search", "InstanceCount": 1},
        "EBSOptions": {"EBSEnabled": True, "VolumeType": "gp3", "VolumeSize": 10},
        "VPCOptions": {"SubnetIds": SUBNETS[:1], "SecurityGroupIds": [PLATFORM_SG]},
        "EncryptionAtRestOptions": {"Enabled": True, "KmsKeyId": aws.key_arn},
        "NodeToNodeEncryptionOptions": {"Enabled": True},
        "DomainEndpointOptions": {"EnforceHTTPS": True, "TLSSecurityPolicy": "Policy-Min-TLS-1-2-PFS-2023-10"},
        "AdvancedSecurityOptions": {"Enabled": True, "InternalUserDatabaseEnabled": True,
                                    "MasterUserOptions": {"MasterUserName": "admin", "MasterUserPassword": PASSWORD}},
    }
    args.update(overrides)
    return args


def prod_cluster() -> dict[str, Any]:
    return {"InstanceType": "r6g.large.search", "InstanceCount": 3, "DedicatedMasterEnabled": True,
            "DedicatedMasterType": "m6g.large.search", "DedicatedMasterCount": 3, "ZoneAwarenessEnabled": True,
            "ZoneAwarenessConfig": {"AvailabilityZoneCount": 3}}


def describe(aws: Aws, name: str = "edx-search") -> dict[str, Any]:
    return aws.client.describe_domain(DomainName=name)["DomainStatus"]


def get(url: str, state_dir: Path, auth: tuple[str, str] | None) -> tuple[int, Any]:
    """GET over TLS verified against the sandbox CA."""
    headers = {"Authorization": "Basic " + base64.b64encode(":".join(auth).encode()).decode()} if auth else {}
    context = ssl.create_default_context(cafile=str(state_dir / "tls" / "ca.pem"))
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), context=context, timeout=5) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def error_of(call: Any, **kwargs: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    return caught.value.response["Error"]["Code"], caught.value.response["Error"]["Message"]


def test_domain_is_processing_without_endpoint_until_created(aws: Aws, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SANDBOX_TIME_SCALE", "0.1")  # 15 simulated minutes: 1.5 s
    started = time.monotonic()
    created = aws.client.create_domain(**request(aws))["DomainStatus"]
    assert (created["Processing"], created["DomainProcessingStatus"]) == (True, "Creating")
    assert "Endpoints" not in created and "Endpoint" not in created
    during = describe(aws)
    assert (during["Processing"], during["DomainProcessingStatus"], "Endpoints" in during) == (True, "Creating", False)
    done = wait_for(lambda: describe(aws), lambda d: not d["Processing"], timeout=10)
    assert 1.4 <= time.monotonic() - started < 6
    assert done["DomainProcessingStatus"] == "Active"
    assert done["Endpoints"]["vpc"].startswith("localhost:")
    assert done["VPCOptions"]["AvailabilityZones"] == ["us-east-1a"]
    assert done["ChangeProgressDetails"]["ConfigChangeStatus"] == "Completed"


def test_dedicated_masters_add_their_minutes(aws: Aws, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SANDBOX_TIME_SCALE", "0.1")  # 15 + 5 simulated minutes: 2 s
    started = time.monotonic()
    aws.client.create_domain(**request(aws, ClusterConfig=prod_cluster(),
                                       VPCOptions={"SubnetIds": SUBNETS, "SecurityGroupIds": [PLATFORM_SG]}))
    time.sleep(1.6)
    assert describe(aws)["Processing"] is True
    done = wait_for(lambda: describe(aws), lambda d: not d["Processing"], timeout=10)
    assert time.monotonic() - started >= 1.9
    # The cluster's health counts the dedicated masters among its nodes, as a real domain's does.
    status, health = get(f"https://{done['Endpoints']['vpc']}/_cluster/health", aws.state_dir, ("admin", PASSWORD))
    assert (status, health["number_of_nodes"], health["number_of_data_nodes"]) == (200, 6, 3)


def test_security_api_answers_the_master_user_over_tls(aws: Aws) -> None:
    aws.client.create_domain(**request(aws))
    endpoint = "https://" + describe(aws)["Endpoints"]["vpc"]
    status, info = get(f"{endpoint}/_plugins/_security/authinfo", aws.state_dir, ("admin", PASSWORD))
    assert status == 200
    assert info["user_name"] == "admin" and "all_access" in info["roles"]
    assert get(f"{endpoint}/_plugins/_security/authinfo", aws.state_dir, None)[0] == 401
    assert get(f"{endpoint}/_plugins/_security/authinfo", aws.state_dir, ("admin", "Wrong-Pass-1!"))[0] == 401
    assert dataplane.servers()[0]["resource"] == "edx-search"


def test_iam_master_domain_answers_no_basic_credentials(aws: Aws) -> None:
    arn = "arn:aws:iam::123456789012:role/search-admin"
    aws.client.create_domain(**request(aws, AdvancedSecurityOptions={
        "Enabled": True, "InternalUserDatabaseEnabled": False, "MasterUserOptions": {"MasterUserARN": arn}}))
    endpoint = "https://" + describe(aws)["Endpoints"]["vpc"]
    assert get(f"{endpoint}/", aws.state_dir, ("admin", PASSWORD))[0] == 401


def test_iam_master_domain_admits_its_master_signed_and_follows_a_new_master(aws: Aws) -> None:
    iam, sts = boto3.client("iam"), boto3.client("sts")
    user_arn = iam.create_user(UserName="search-admin")["User"]["Arn"]
    key = iam.create_access_key(UserName="search-admin")["AccessKey"]
    user = Keys(key["AccessKeyId"], key["SecretAccessKey"])
    role_arn = iam.create_role(RoleName="search-admin", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    session = sts.assume_role(RoleArn=role_arn, RoleSessionName="director")["Credentials"]
    role = Keys(session["AccessKeyId"], session["SecretAccessKey"], session["SessionToken"])
    aws.client.create_domain(**request(aws, AdvancedSecurityOptions={
        "Enabled": True, "InternalUserDatabaseEnabled": False, "MasterUserOptions": {"MasterUserARN": user_arn}}))
    endpoint = "https://" + describe(aws)["Endpoints"]["vpc"]
    ca = aws.state_dir / "tls" / "ca.pem"
    path = "/_plugins/_security/api/rolesmapping/readall"
    assert signed(endpoint, ca, user, "PUT", path, {"backend_roles": ["analysts"]})[0] == 201
    assert signed(endpoint, ca, role, "GET", path)[0] == 403

    aws.client.update_domain_config(DomainName="edx-search", AdvancedSecurityOptions={
        "Enabled": True, "InternalUserDatabaseEnabled": False, "MasterUserOptions": {"MasterUserARN": role_arn}})
    status, info = signed(endpoint, ca, role, "GET", "/_plugins/_security/authinfo")
    assert (status, info["user_name"], info["backend_roles"]) == (200, role_arn, [role_arn])
    assert {"all_access", "security_manager"} <= set(info["roles"])
    assert signed(endpoint, ca, role, "GET", path)[1]["readall"]["backend_roles"] == ["analysts"]
    assert signed(endpoint, ca, user, "GET", path)[0] == 403
    # The domain is in us-east-1: a request scoped to another region is refused.
    assert signed(endpoint, ca, role, "GET", path, region="eu-west-1")[0] == 403


@pytest.mark.parametrize(("overrides", "message"), [
    ({"EngineVersion": "OpenSearch2.13"}, "regular expression"),
    ({"EngineVersion": "OpenSearch_2.4"}, "Unsupported engine version"),
    ({"ClusterConfig": {"InstanceType": "t3.small", "InstanceCount": 1}}, "not an OpenSearch Service instance type"),
    ({"ClusterConfig": {**prod_cluster(), "DedicatedMasterCount": 2}}, "DedicatedMasterCount must be 3 or 5"),
    ({"ClusterConfig": {**prod_cluster(), "InstanceCount": 4}}, "multiple of 3"),
    ({"ClusterConfig": prod_cluster()}, "exactly three subnets"),
    ({"VPCOptions": {"SubnetIds": SUBNETS[:2]}}, "exactly one subnet"),
    ({"VPCOptions": {"SubnetIds": ["subnet-12345678"]}}, "subnet-12345678 does not exist"),
    ({"VPCOptions": {"SubnetIds": SUBNETS[:1], "SecurityGroupIds": ["sg-12345678"]}}, "sg-12345678 does not exist"),
    ({"EBSOptions": {"EBSEnabled": True, "VolumeType": "gp3", "VolumeSize": 150}}, "between 10 and 100"),
    ({"EBSOptions": {"EBSEnabled": True, "VolumeType": "gp3", "VolumeSize": 10, "Throughput": 100}},
     "Throughput must be between 125 and 1000"),
    ({"EBSOptions": {"EBSEnabled": True, "VolumeType": "gp2", "VolumeSize": 10, "Iops": 3000}}, "only supported"),
    ({"EncryptionAtRestOptions": {"Enabled": True, "KmsKeyId": "arn:aws:kms:us-east-1:123456789012:key/nope"}},
     "not found"),
    ({"NodeToNodeEncryptionOptions": {"Enabled": False}}, "Node-to-node encryption is required"),
    ({"DomainEndpointOptions": {"EnforceHTTPS": False}}, "Enforce HTTPS is required"),
    ({"AdvancedSecurityOptions": {"Enabled": True, "InternalUserDatabaseEnabled": True, "MasterUserOptions": {
        "MasterUserName": "admin", "MasterUserPassword": "NoSpecial123"}}}, "one special character"),
    ({"AdvancedSecurityOptions": {"Enabled": True, "InternalUserDatabaseEnabled": False, "MasterUserOptions": {
        "MasterUserARN": "arn:aws:iam::123:role/x"}}}, "MasterUserARN must be an IAM role"),
])
def test_create_refuses_what_aws_refuses(aws: Aws, overrides: dict[str, Any], message: str) -> None:
    code, text = error_of(aws.client.create_domain, **request(aws, **overrides))
    assert code == "ValidationException"
    assert message in text
    assert aws.client.list_domain_names()["DomainNames"] == []
    assert dataplane.servers() == []


def test_duplicate_domain_is_refused(aws: Aws) -> None:
    aws.client.create_domain(**request(aws))
    assert error_of(aws.client.create_domain, **request(aws))[0] == "ResourceAlreadyExistsException"


def test_log_publishing_needs_the_resource_policy(aws: Aws) -> None:
    group = "/aws/opensearch/edx-search/application"
    aws.logs.create_log_group(logGroupName=group)
    arn = f"arn:aws:logs:us-east-1:123456789012:log-group:{group}"
    logs = {"ES_APPLICATION_LOGS": {"CloudWatchLogsLogGroupArn": arn, "Enabled": True}}
    code, text = error_of(aws.client.create_domain, **request(aws, LogPublishingOptions=logs))
    assert (code, "does not grant sufficient permissions" in text) == ("ValidationException", True)
    aws.logs.put_resource_policy(policyName="opensearch", policyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "es.amazonaws.com"},
            "Action": ["logs:PutLogEvents", "logs:CreateLogStream"],
            "Resource": "arn:aws:logs:us-east-1:123456789012:log-group:/aws/opensearch/edx-search/*"}]}))
    created = aws.client.create_domain(**request(aws, LogPublishingOptions=logs))["DomainStatus"]
    assert created["LogPublishingOptions"] == logs
    missing = {"INDEX_SLOW_LOGS": {"CloudWatchLogsLogGroupArn": arn + "-nope", "Enabled": True}}
    assert "does not exist" in error_of(aws.client.update_domain_config, DomainName="edx-search",
                                        LogPublishingOptions=missing)[1]


def test_update_is_a_no_op_when_nothing_changes(aws: Aws) -> None:
    aws.client.create_domain(**request(aws))
    before = aws.client.describe_domain_config(DomainName="edx-search")["DomainConfig"]
    same = request(aws)
    del same["DomainName"], same["EngineVersion"]
    aws.client.update_domain_config(DomainName="edx-search", **same)
    after = aws.client.describe_domain_config(DomainName="edx-search")["DomainConfig"]
    assert describe(aws)["Processing"] is False
    assert after["EBSOptions"]["Status"]["UpdateVersion"] == before["EBSOptions"]["Status"]["UpdateVersion"]
    dry = aws.client.update_domain_config(DomainName="edx-search", DryRun=True,
                                          EBSOptions={"VolumeSize": 20})["DryRunResults"]
    assert dry["DeploymentType"] == "Blue/Green"
    assert describe(aws)["EBSOptions"]["VolumeSize"] == 10


def test_blue_green_change_processes_for_the_modify_time(aws: Aws, monkeypatch: pytest.MonkeyPatch) -> None:
    aws.client.create_domain(**request(aws))
    monkeypatch.setenv("SANDBOX_TIME_SCALE", "0.1")  # modify: 10 simulated minutes, 1 s
    config = aws.client.update_domain_config(DomainName="edx-search", EBSOptions={"VolumeSize": 20,
                                                                                  "Throughput": 250})["DomainConfig"]
    assert config["EBSOptions"]["Status"]["State"] == "Processing"
    during = describe(aws)
    assert (during["Processing"], during["DomainProcessingStatus"]) == (True, "Modifying")
    assert "Endpoints" in during
    assert [p["Name"] for p in during["ModifyingProperties"]] == ["EBSOptions"]
    done = wait_for(lambda: describe(aws), lambda d: not d["Processing"], timeout=10)
    assert done["EBSOptions"] == {"EBSEnabled": True, "VolumeType": "gp3", "VolumeSize": 20, "Iops": 3000,
                                  "Throughput": 250}
    assert error_of(aws.client.update_domain_config, DomainName="edx-search",
                    EncryptionAtRestOptions={"Enabled": True, "KmsKeyId": boto3.client("kms").create_key()
                                             ["KeyMetadata"]["Arn"]})[0] == "ValidationException"


def test_new_master_password_reaches_the_security_api(aws: Aws) -> None:
    aws.client.create_domain(**request(aws))
    endpoint = "https://" + describe(aws)["Endpoints"]["vpc"] + "/_plugins/_security/authinfo"
    options = {"Enabled": True, "InternalUserDatabaseEnabled": True,
               "MasterUserOptions": {"MasterUserName": "admin", "MasterUserPassword": PASSWORD}}
    aws.client.update_domain_config(DomainName="edx-search", AdvancedSecurityOptions=options)
    assert aws.client.describe_domain(DomainName="edx-search")["DomainStatus"]["ChangeProgressDetails"][
        "ConfigChangeStatus"] == "Completed"
    options["MasterUserOptions"]["MasterUserPassword"] = "Rotated-Master-2?"
    aws.client.update_domain_config(DomainName="edx-search", AdvancedSecurityOptions=options)
    assert get(endpoint, aws.state_dir, ("admin", "Rotated-Master-2?"))[0] == 200
    assert get(endpoint, aws.state_dir, ("admin", PASSWORD))[0] == 401


def test_delete_stops_the_server(aws: Aws) -> None:
    aws.client.create_domain(**request(aws))
    port = dataplane.servers()[0]["port"]
    deleted = aws.client.delete_domain(DomainName="edx-search")["DomainStatus"]
    assert (deleted["Deleted"], "Endpoints" in deleted) == (True, False)
    assert not port_open(port)
    assert dataplane.servers() == []
    assert error_of(aws.client.describe_domain, DomainName="edx-search")[0] == "ResourceNotFoundException"
    assert not (aws.state_dir / "opensearch" / "edx-search-security.json").exists()


def test_status_lists_the_servers_and_down_stops_them(tmp_path: Path) -> None:
    aws_port, first = free_tcp_port(), free_port_range()
    env = dict(os.environ, SANDBOX_STATE_DIR=str(tmp_path), SANDBOX_AWS_PORT=str(aws_port),
               SANDBOX_MYSQL_FIRST_PORT=str(first), SANDBOX_REDIS_FIRST_PORT=str(first + 25),
               SANDBOX_OPENSEARCH_FIRST_PORT=str(first + 40), SANDBOX_TIME_SCALE="0", PYTHONPATH=str(ROOT))

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "sandbox", *args], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=120)

    assert cli("up").returncode == 0
    try:
        endpoint = f"http://127.0.0.1:{aws_port}"
        kms = boto3.client("kms", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="x",
                           aws_secret_access_key="x")
        client = boto3.client("opensearch", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="x",
                              aws_secret_access_key="x")
        aws = Aws(client, None, kms.create_key()["KeyMetadata"]["Arn"], tmp_path)
        client.create_domain(**request(aws))
        host = client.describe_domain(DomainName="edx-search")["DomainStatus"]["Endpoints"]["vpc"]
        assert get(f"https://{host}/", tmp_path, ("admin", PASSWORD))[0] == 200
        servers = [s for s in json.loads(cli("status").stdout)["dataplane"] if s["engine"] == "opensearch"]
        assert [(s["resource"], s["port"], s["alive"]) for s in servers] == [("edx-search", first + 40, True)]
        calls = json.loads(cli("calls").stdout)
        assert calls["mutating"] == {"es:CreateDomain": 1, "kms:CreateKey": 1}
    finally:
        assert cli("down").returncode == 0
    assert not port_open(first + 40)
    assert not (tmp_path / "opensearch").exists()


def test_automated_snapshots_start_when_the_domain_becomes_active(aws: Aws, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SANDBOX_TIME_SCALE", "0.1")  # 15 simulated minutes: 1.5 s
    aws.client.create_domain(**request(aws))
    assert dataplane.get("edx-search").automated_snapshots() == []  # still creating
    done = wait_for(lambda: describe(aws), lambda d: not d["Processing"], timeout=10)
    endpoint = f"https://{done['Endpoints']['vpc']}"
    time.sleep(1.1)  # a snapshot takes a second
    status, listed = get(f"{endpoint}/_snapshot/cs-automated-enc/_all", aws.state_dir, ("admin", PASSWORD))
    assert status == 200
    [snapshot] = listed["snapshots"]
    assert (snapshot["state"], snapshot["indices"], snapshot["shards"]["failed"]) == (
        "SUCCESS", [".opendistro_security"], 0)
    assert snapshot["snapshot"].startswith(snapshot["start_time"][:19].replace(":", "-").replace("T", "t"))
    # The repository follows encryption at rest.
    assert get(f"{endpoint}/_snapshot", aws.state_dir, ("admin", PASSWORD)) == (
        200, {"cs-automated-enc": {"type": "s3", "settings": {}}})
    assert get(f"{endpoint}/_snapshot/cs-automated/_all", aws.state_dir, ("admin", PASSWORD))[0] == 404
    assert get(f"{endpoint}/_snapshot/cs-automated-enc/_all", aws.state_dir, None)[0] == 401


def test_compatible_versions_follow_the_documented_upgrade_paths(aws: Aws) -> None:
    aws.client.create_domain(**request(aws))
    answer = aws.client.get_compatible_versions(DomainName="edx-search")["CompatibleVersions"]
    assert answer[0]["SourceVersion"] == "OpenSearch_2.13"
    assert answer[0]["TargetVersions"] == ["OpenSearch_2.15", "OpenSearch_2.17", "OpenSearch_2.19"]
    paths = aws.client.get_compatible_versions()["CompatibleVersions"]
    every = {e["SourceVersion"]: e["TargetVersions"] for e in paths}
    assert every["OpenSearch_2.19"] == ["OpenSearch_3.1", "OpenSearch_3.3"]
    assert "OpenSearch_2.3" in every["OpenSearch_1.3"] and "OpenSearch_3.1" not in every["OpenSearch_1.3"]
    assert every["Elasticsearch_7.10"][0] == "OpenSearch_1.0"
    code, message = error_of(aws.client.upgrade_domain, DomainName="edx-search", TargetVersion="OpenSearch_3.1")
    assert code == "ValidationException" and "OpenSearch_2.19" in message
    code, _ = error_of(aws.client.upgrade_domain, DomainName="edx-search", TargetVersion="OpenSearch_2.11")
    assert code == "ValidationException"


def test_an_upgrade_processes_keeps_the_documents_and_reports_the_new_version(
        aws: Aws, monkeypatch: pytest.MonkeyPatch) -> None:
    aws.client.create_domain(**request(aws))
    endpoint = "https://" + describe(aws)["Endpoints"]["vpc"]
    server = dataplane.get("edx-search")
    assert server is not None
    server._httpd.documents.apply("indices:data/write/index", "courses", "kept", b'{"title": "x"}')
    checked = aws.client.upgrade_domain(DomainName="edx-search", TargetVersion="OpenSearch_2.19",
                                        PerformCheckOnly=True)
    assert checked["PerformCheckOnly"] is True and describe(aws)["EngineVersion"] == "OpenSearch_2.13"
    assert aws.client.get_upgrade_status(DomainName="edx-search")["UpgradeStep"] == "PRE_UPGRADE_CHECK"

    monkeypatch.setenv("SANDBOX_TIME_SCALE", "0.05")  # upgrade: 30 simulated minutes, 1.5 s
    aws.client.upgrade_domain(DomainName="edx-search", TargetVersion="OpenSearch_2.19")
    during = describe(aws)
    assert (during["UpgradeProcessing"], during["DomainProcessingStatus"]) == (True, "UpgradingEngineVersion")
    assert error_of(aws.client.update_domain_config, DomainName="edx-search",
                    EBSOptions={"VolumeSize": 20})[0] == "ValidationException"
    status = aws.client.get_upgrade_status(DomainName="edx-search")
    assert (status["UpgradeStep"], status["StepStatus"]) == ("UPGRADE", "IN_PROGRESS")
    done = wait_for(lambda: describe(aws), lambda d: not d["Processing"], timeout=10)
    assert (done["EngineVersion"], done["UpgradeProcessing"]) == ("OpenSearch_2.19", False)
    assert aws.client.get_upgrade_status(DomainName="edx-search")["StepStatus"] == "SUCCEEDED"
    status_code, root = get(endpoint + "/", aws.state_dir, ("admin", PASSWORD))
    assert (status_code, root["version"]["number"]) == (200, "2.19.0")
    status_code, document = get(endpoint + "/courses/_doc/kept", aws.state_dir, ("admin", PASSWORD))
    assert (status_code, document["found"]) == (200, True)
