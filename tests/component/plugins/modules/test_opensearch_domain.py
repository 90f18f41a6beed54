"""opensearch_domain and opensearch_domain_info against moto + the sandbox's OpenSearch patch."""

from __future__ import annotations

import base64
import json
import ssl
import urllib.error
import urllib.request
from typing import Any

import boto3
import pytest
from ansible_collections.openedx.data_services.plugins.modules import opensearch_domain as module
from ansible_collections.openedx.data_services.plugins.modules import opensearch_domain_info as info_module
from harness import PLATFORM_SG, REGION, SUBNETS, assert_no_secret, run_module
from harness import opensearch_dataplane as dataplane

PASSWORD = "Sandbox-Master-1!"
NEW_PASSWORD = "Rotated-Master-2?"
LOG_GROUP = "/aws/opensearch/edx-search/application"
LOG_GROUP_ARN = f"arn:aws:logs:{REGION}:123456789012:log-group:{LOG_GROUP}"


@pytest.fixture(name="aws")
def aws_fixture(opensearch_aws: dict[str, Any]) -> dict[str, Any]:
    return opensearch_aws


def policy(action: str = "es:ESHttp*") -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": action,
        "Resource": "arn:aws:es:us-east-1:123456789012:domain/edx-search/*"}]}


def args(**overrides: Any) -> dict[str, Any]:
    result: dict[str, Any] = {
        "domain_name": "edx-search",
        "engine_version": "OpenSearch_2.13",
        "instance_type": "t3.small.search",
        "instance_count": 1,
        "volume_type": "gp3",
        "volume_size": 10,
        "subnet_ids": SUBNETS[:1],
        "security_group_ids": [PLATFORM_SG],
        "encryption_at_rest": True,
        "kms_key_id": "alias/edx-search",
        "node_to_node_encryption": True,
        "enforce_https": True,
        "tls_security_policy": "Policy-Min-TLS-1-2-PFS-2023-10",
        "fine_grained_access_control": True,
        "internal_user_database": True,
        "master_user_name": "admin",
        "master_user_password": PASSWORD,
        "access_policies": policy(),
        "log_publishing": [{"log_type": "ES_APPLICATION_LOGS", "log_group_arn": LOG_GROUP_ARN}],
        "off_peak_window_start": "03:00",
        "tags": {"environment": "local"},
    }
    result.update(overrides)
    return result


def prod(**overrides: Any) -> dict[str, Any]:
    return args(instance_type="r6g.large.search", instance_count=3, dedicated_master=True,
                dedicated_master_type="m6g.large.search", dedicated_master_count=3, zone_awareness=True,
                availability_zone_count=3, subnet_ids=SUBNETS, volume_size=100, throughput=250, **overrides)


def login(aws: dict[str, Any], endpoint: str, password: str) -> int:
    context = ssl.create_default_context(cafile=str(aws["state_dir"] / "tls" / "ca.pem"))
    token = base64.b64encode(f"admin:{password}".encode()).decode()
    request = urllib.request.Request(f"https://{endpoint}/_plugins/_security/authinfo",
                                     headers={"Authorization": f"Basic {token}"})
    try:
        with urllib.request.urlopen(request, context=context, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_create_then_a_rerun_makes_no_mutating_call(aws: dict[str, Any]) -> None:
    created = run_module(module, prod())
    assert not created.failed, created.result
    assert created.result["changed"] is True
    assert created.mutating == ["CreateDomain"]
    request = next(c.params for c in created.calls if c.operation == "CreateDomain")
    assert request["TagList"] == [{"Key": "environment", "Value": "local"}]
    assert request["EBSOptions"] == {"EBSEnabled": True, "VolumeType": "gp3", "VolumeSize": 100, "Throughput": 250}
    domain = created.result["domain"]
    assert (domain["dedicated_master_count"], domain["availability_zone_count"], domain["throughput"]) == (3, 3, 250)
    assert domain["kms_key_id"] == aws["key"]
    assert domain["log_publishing"] == [{"log_type": "ES_APPLICATION_LOGS", "log_group_arn": LOG_GROUP_ARN,
                                         "enabled": True}]
    assert_no_secret(created.result, PASSWORD)

    again = run_module(module, prod(), diff=True)
    assert (again.failed, again.result["changed"], again.mutating) == (False, False, [])
    assert again.result["diff"]["before"] == again.result["diff"]["after"]
    assert_no_secret(again.result, PASSWORD)


def test_check_mode_on_a_new_domain_makes_no_mutating_call(aws: dict[str, Any]) -> None:
    run = run_module(module, args(), check_mode=True, diff=True)
    assert (run.failed, run.result["changed"], run.mutating) == (False, True, [])
    assert run.result["diff"]["before"] == {}
    assert run.result["diff"]["after"]["instance_type"] == "t3.small.search"
    assert aws["client"].list_domain_names()["DomainNames"] == []
    assert_no_secret(run.result, PASSWORD)


def test_wait_false_returns_while_creating_and_wait_true_waits_for_the_endpoint(
        aws: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SANDBOX_TIME_SCALE", "0.05")  # 15 simulated minutes: 0.75 s
    started = run_module(module, args())
    assert (started.result["domain"]["processing"], started.result["domain"]["endpoint"]) == (True, None)
    # What wait_for_resources would say of it, from the same read: not ready yet.
    assert (started.result["resource"]["status"], started.result["resource"]["ready"]) == ("creating", False)
    waited = run_module(module, args(wait=True, wait_timeout=30))
    assert (waited.result["changed"], waited.mutating) == (False, [])
    assert waited.result["domain"]["processing"] is False
    assert waited.result["domain"]["endpoint"].startswith("localhost:")
    ready = waited.result["resource"]
    assert (ready["status"], ready["ready"], ready["port"]) == ("active", True, 443)
    assert ready["endpoint"] == waited.result["domain"]["endpoint"]


def test_updates_send_only_what_differs(aws: dict[str, Any]) -> None:
    run_module(module, args())
    logs = [{"log_type": "ES_APPLICATION_LOGS", "log_group_arn": LOG_GROUP_ARN},
            {"log_type": "INDEX_SLOW_LOGS", "log_group_arn": LOG_GROUP_ARN}]
    check = run_module(module, args(volume_size=20, access_policies=policy("es:*"), log_publishing=logs),
                       check_mode=True, diff=True)
    assert (check.result["changed"], check.mutating) == (True, [])
    assert check.result["diff"]["after"]["volume_size"] == 20
    updated = run_module(module, args(volume_size=20, access_policies=policy("es:*"), log_publishing=logs))
    assert updated.mutating == ["UpdateDomainConfig"]
    request = next(c.params for c in updated.calls if c.operation == "UpdateDomainConfig")
    assert sorted(request) == ["AccessPolicies", "DomainName", "EBSOptions", "LogPublishingOptions"]
    assert "AdvancedSecurityOptions" not in request
    domain = updated.result["domain"]
    assert (domain["volume_size"], domain["access_policies"]["Statement"][0]["Action"]) == (20, "es:*")
    assert [e["log_type"] for e in domain["log_publishing"]] == ["ES_APPLICATION_LOGS", "INDEX_SLOW_LOGS"]
    fewer = run_module(module, args(volume_size=20, access_policies=policy("es:*")))
    request = next(c.params for c in fewer.calls if c.operation == "UpdateDomainConfig")
    assert request["LogPublishingOptions"] == {"INDEX_SLOW_LOGS": {"Enabled": False,
                                                                   "CloudWatchLogsLogGroupArn": LOG_GROUP_ARN}}
    assert run_module(module, args(volume_size=20, access_policies=policy("es:*"))).mutating == []


def test_master_password_is_sent_on_create_and_on_demand_only(aws: dict[str, Any]) -> None:
    endpoint = run_module(module, args()).result["domain"]["endpoint"]
    assert login(aws, endpoint, PASSWORD) == 200
    quiet = run_module(module, args(master_user_password=NEW_PASSWORD))
    assert (quiet.result["changed"], quiet.mutating) == (False, [])
    assert login(aws, endpoint, PASSWORD) == 200
    rotated = run_module(module, args(master_user_password=NEW_PASSWORD, update_password="always"))
    assert (rotated.result["changed"], rotated.mutating) == (True, ["UpdateDomainConfig"])
    assert_no_secret(rotated.result, NEW_PASSWORD, PASSWORD)
    assert login(aws, endpoint, NEW_PASSWORD) == 200
    assert login(aws, endpoint, PASSWORD) == 401


def test_tags_are_reconciled(aws: dict[str, Any]) -> None:
    run_module(module, args())
    run = run_module(module, args(tags={"environment": "local", "team": "platform"}))
    assert run.mutating == ["AddTags"]
    assert run.result["domain"]["tags"] == {"environment": "local", "team": "platform"}


@pytest.mark.parametrize(("overrides", "message"), [
    ({"kms_key_id": None, "encryption_at_rest": True}, None),
    ({"engine_version": "OpenSearch_2.11"}, "cannot downgrade"),
    ({"engine_version": "OpenSearch_3.1"}, "allow_major_version_upgrade"),
    ({"encryption_at_rest": False, "kms_key_id": None, "fine_grained_access_control": None},
     "encryption_at_rest cannot be turned off"),
    ({"subnet_ids": []}, "cannot move between public and VPC"),
    ({"node_to_node_encryption": False, "fine_grained_access_control": None},
     "node_to_node_encryption cannot be turned off"),
])
def test_changes_aws_cannot_make_in_place_are_refused(aws: dict[str, Any], overrides: dict[str, Any],
                                                      message: str | None) -> None:
    run_module(module, args())
    run = run_module(module, args(**overrides))
    if message is None:
        assert not run.failed and run.mutating == []
        return
    assert run.failed and message in run.result["msg"]
    assert run.mutating == []


def test_a_different_kms_key_is_refused(aws: dict[str, Any]) -> None:
    run_module(module, args())
    other = boto3.client("kms", region_name=REGION).create_key()["KeyMetadata"]["KeyId"]
    run = run_module(module, args(kms_key_id=other))
    assert run.failed and "kms_key_id cannot be changed" in run.result["msg"]


@pytest.mark.parametrize(("overrides", "message"), [
    ({"domain_name": "Edx"}, "domain_name"),
    ({"engine_version": "2.13"}, "engine_version"),
    ({"instance_type": "t3.small"}, "instance_type"),
    ({"dedicated_master": True, "dedicated_master_type": "m6g.large.search", "dedicated_master_count": 2},
     "dedicated_master_count must be one of: 3, 5"),
    ({"zone_awareness": True, "availability_zone_count": 3, "instance_count": 2, "subnet_ids": SUBNETS},
     "multiple of availability_zone_count"),
    ({"subnet_ids": SUBNETS[:2]}, "exactly 1 subnet"),
    ({"throughput": 100}, "throughput must be between 125 and 1000"),
    ({"master_user_password": "nospecial1A"}, "special character"),
    ({"master_user_password": "Short1!"}, "8 to 128"),
    ({"node_to_node_encryption": False}, "needs node_to_node_encryption=true"),
    ({"internal_user_database": False, "master_user_name": None, "master_user_password": None,
      "master_user_arn": "role/admin"}, "master_user_arn"),
    ({"log_publishing": [{"log_type": "INDEX_SLOW_LOGS", "log_group_arn": "/aws/x"}]}, "log group ARN"),
    ({"off_peak_window_start": "3am"}, "off_peak_window_start"),
    ({"availability_zone_count": 4, "zone_awareness": True}, "availability_zone_count must be one of: 2, 3"),
    ({"tls_security_policy": "Policy-Min-TLS-1-1"}, "tls_security_policy must be one of"),
    ({"master_user_arn": "arn:aws:iam::123456789012:role/admin"}, "cannot be used with internal_user_database=true"),
    ({"master_user_password": None}, "go together"),
])
def test_invalid_options_fail_before_any_call(aws: dict[str, Any], overrides: dict[str, Any], message: str) -> None:
    run = run_module(module, args(**overrides))
    assert run.failed and message in run.result["msg"], run.result
    assert run.calls == []
    assert_no_secret(run.result, PASSWORD)


def test_iam_master_domain(aws: dict[str, Any]) -> None:
    arn = "arn:aws:iam::123456789012:role/search-admin"
    run = run_module(module, args(internal_user_database=False, master_user_name=None, master_user_password=None,
                                  master_user_arn=arn))
    assert not run.failed, run.result
    request = next(c.params for c in run.calls if c.operation == "CreateDomain")
    assert request["AdvancedSecurityOptions"] == {"Enabled": True, "InternalUserDatabaseEnabled": False,
                                                  "MasterUserOptions": {"MasterUserARN": arn}}
    assert run.result["domain"]["internal_user_database"] is False


def test_absent_deletes_and_is_idempotent(aws: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    run_module(module, args())
    check = run_module(module, {"domain_name": "edx-search", "state": "absent"}, check_mode=True)
    assert (check.result["changed"], check.mutating) == (True, [])
    monkeypatch.setenv("SANDBOX_TIME_SCALE", "0.05")
    deleted = run_module(module, {"domain_name": "edx-search", "state": "absent", "wait": True, "wait_timeout": 30})
    assert (deleted.result["changed"], deleted.mutating) == (True, ["DeleteDomain"])
    assert dataplane.servers() == []
    gone = run_module(module, {"domain_name": "edx-search", "state": "absent"})
    assert (gone.result["changed"], gone.mutating) == (False, [])


def test_info_describes_one_or_all(aws: dict[str, Any]) -> None:
    assert run_module(info_module, {"domain_name": "edx-search"}).result["domains"] == []
    run_module(module, args())
    run_module(module, args(domain_name="edx-other", log_publishing=[]))
    one = run_module(info_module, {"domain_name": "edx-search"}).result["domains"]
    assert [d["domain_name"] for d in one] == ["edx-search"]
    everything = run_module(info_module, {}).result["domains"]
    assert sorted(d["domain_name"] for d in everything) == ["edx-other", "edx-search"]
    assert all(not c.mutating for c in run_module(info_module, {}).calls)


def _call(aws: dict[str, Any], endpoint: str, method: str, path: str, body: bytes | None = None) -> Any:
    context = ssl.create_default_context(cafile=str(aws["state_dir"] / "tls" / "ca.pem"))
    token = base64.b64encode(f"admin:{PASSWORD}".encode()).decode()
    request = urllib.request.Request(f"https://{endpoint}{path}", data=body, method=method,
                                     headers={"Authorization": f"Basic {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, context=context, timeout=5) as response:
        return json.loads(response.read() or b"{}")


def _documents(aws: dict[str, Any], endpoint: str) -> list[str]:
    hits = _call(aws, endpoint, "POST", "/courses/_search", b"{}")["hits"]["hits"]
    return sorted(hit["_id"] for hit in hits)


def test_scaling_is_made_in_place_and_keeps_the_documents(aws: dict[str, Any]) -> None:
    domain = run_module(module, args(instance_type="r6g.large.search")).result["domain"]
    for number in range(3):
        _call(aws, domain["endpoint"], "PUT", f"/courses/_doc/c{number}", b'{"title": "course"}')

    scaled = run_module(module, args(instance_type="r7g.large.search", instance_count=2, volume_size=40))
    assert not scaled.failed, scaled.result
    assert scaled.mutating == ["UpdateDomainConfig"]
    request = next(c.params for c in scaled.calls if c.operation == "UpdateDomainConfig")
    assert request["ClusterConfig"]["InstanceType"] == "r7g.large.search"
    assert request["ClusterConfig"]["InstanceCount"] == 2 and request["EBSOptions"]["VolumeSize"] == 40
    after = run_module(module, args(instance_type="r7g.large.search", instance_count=2, volume_size=40,
                                    wait=True)).result["domain"]
    assert (after["arn"], after["endpoint"]) == (domain["arn"], domain["endpoint"])
    assert (after["instance_type"], after["instance_count"], after["volume_size"]) == ("r7g.large.search", 2, 40)
    assert _call(aws, after["endpoint"], "GET", "/_cluster/health")["number_of_data_nodes"] == 2
    assert _documents(aws, after["endpoint"]) == ["c0", "c1", "c2"]

    checked = run_module(module, args(instance_type="r7g.large.search", instance_count=4, volume_size=40),
                         check_mode=True)
    assert (checked.result["changed"], checked.mutating) == (True, [])


def test_a_minor_upgrade_is_made_in_place_before_other_changes(aws: dict[str, Any]) -> None:
    domain = run_module(module, args()).result["domain"]
    _call(aws, domain["endpoint"], "PUT", "/courses/_doc/kept", b'{"title": "course"}')
    checked = run_module(module, args(engine_version="OpenSearch_2.15"), check_mode=True)
    assert (checked.result["changed"], checked.mutating) == (True, [])

    upgraded = run_module(module, args(engine_version="OpenSearch_2.15", volume_size=20, wait=True))
    assert not upgraded.failed, upgraded.result
    assert upgraded.mutating == ["UpgradeDomain", "UpdateDomainConfig"]
    assert "GetCompatibleVersions" in [c.operation for c in upgraded.calls]
    result = upgraded.result["domain"]
    assert (result["engine_version"], result["volume_size"], result["endpoint"]) == (
        "OpenSearch_2.15", 20, domain["endpoint"])
    assert _call(aws, domain["endpoint"], "GET", "/")["version"]["number"] == "2.15.0"
    assert _documents(aws, domain["endpoint"]) == ["kept"]
    assert run_module(module, args(engine_version="OpenSearch_2.15", volume_size=20)).mutating == []


def test_a_major_upgrade_needs_the_allow_setting_and_a_documented_path(aws: dict[str, Any]) -> None:
    run_module(module, args())
    refused = run_module(module, args(engine_version="OpenSearch_3.1", allow_major_version_upgrade=True))
    assert refused.failed and "OpenSearch_2.19" in refused.result["msg"], refused.result
    assert refused.mutating == []

    run_module(module, args(engine_version="OpenSearch_2.19", wait=True))
    refused = run_module(module, args(engine_version="OpenSearch_3.1"))
    assert refused.failed and "allow_major_version_upgrade" in refused.result["msg"]
    assert refused.mutating == []
    upgraded = run_module(module, args(engine_version="OpenSearch_3.1", allow_major_version_upgrade=True, wait=True))
    assert not upgraded.failed, upgraded.result
    assert upgraded.mutating == ["UpgradeDomain"]
    assert upgraded.result["domain"]["engine_version"] == "OpenSearch_3.1"
