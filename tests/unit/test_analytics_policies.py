"""Every policy template of the analytics role renders to valid JSON that policy_errors finds nothing wrong with.

The templates are rendered with Ansible's own templar, over the role's defaults and vars and the facts the roles
before it record, as iam.yml and buckets.yml render them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar, trust_as_template

from plugins.filter.policies import denies_insecure_transport, policy_errors

ROOT = Path(__file__).resolve().parents[2]
ROLE = ROOT / "roles" / "analytics"
# The policy documents (the hand-off's templates are files of another kind).
TEMPLATES = sorted(path.relative_to(ROLE / "templates").as_posix()
                   for path in (ROLE / "templates").rglob("*.json.j2"))
ACCOUNT = "123456789012"
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
FACTS = {
    "data_services_environment": "prod",
    "data_services_result": {"account_id": ACCOUNT, "partition": "aws", "tags": {"Environment": "prod"}},
    "kms_result": {"key_arn": KEY, "key_id": "1234abcd-12ab-34cd-56ef-1234567890ab"},
    "__analytics_bucket": "openedx-prod-analytics",
}
# The settings that change what a template writes.
VARIANTS = {
    "defaults": {},
    "reports readers and no tracking-log prefix": {
        "analytics_reports_reader_principals": [f"arn:aws:iam::{ACCOUNT}:role/analytics-api"],
        "analytics_tracking_logs_prefix": "",
    },
}


def variables(overrides: dict[str, Any]) -> dict[str, Any]:
    loader = DataLoader()
    found: dict[str, Any] = {}
    for path in (ROOT / "roles/data_services/defaults/main.yml", ROLE / "defaults/main.yml", ROLE / "vars/main.yml"):
        found.update(loader.load_from_file(str(path), trusted_as_template=True))
    return {**found, **FACTS, **overrides}


def render(template: str, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    templar = Templar(loader=DataLoader(), variables=variables(overrides or {}))
    text = templar.template(trust_as_template((ROLE / "templates" / template).read_text()))
    return json.loads(text)


def statements(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {statement["Sid"]: statement for statement in document["Statement"]}


def test_every_policy_template_is_one_the_tasks_render() -> None:
    tasks = "".join(path.read_text() for path in (ROLE / "tasks").glob("*.yml"))
    assert {"s3/bucket_policy.json.j2", "iam/emr_service_trust.json.j2", "iam/emr_service_policy.json.j2",
            "iam/ec2_trust.json.j2", "iam/emr_ec2_policy.json.j2", "iam/instance_policy.json.j2",
            "iam/reports_reader_trust.json.j2", "iam/reports_reader_policy.json.j2"} <= set(TEMPLATES)
    assert [template for template in TEMPLATES if f"'{template}'" not in tasks] == []


@pytest.mark.parametrize("overrides", VARIANTS.values(), ids=VARIANTS.keys())
@pytest.mark.parametrize("template", TEMPLATES)
def test_every_policy_template_grants_nothing_wide(template: str, overrides: dict[str, Any]) -> None:
    document = render(template, overrides)
    assert document["Version"] == "2012-10-17"
    assert policy_errors(document) == []
    assert policy_errors(json.dumps(document)) == []


def test_only_the_calls_without_resource_level_permissions_name_every_resource() -> None:
    for template in TEMPLATES:
        for statement in render(template)["Statement"]:
            resources = statement.get("Resource", [])
            if "*" in ([resources] if isinstance(resources, str) else resources) and statement["Effect"] == "Allow":
                assert statement["Action"] in ("elasticmapreduce:RunJobFlow", "elasticmapreduce:ListClusters"), (
                    template, statement)


def test_the_bucket_policy_refuses_plain_http_and_other_encryption() -> None:
    policy = render("s3/bucket_policy.json.j2")
    assert denies_insecure_transport(policy)
    bucket = "arn:aws:s3:::openedx-prod-analytics"
    tls = statements(policy)["DenyInsecureTransport"]
    assert tls["Resource"] == [bucket, f"{bucket}/*"]
    other = statements(policy)["DenyObjectsEncryptedOtherwiseThanWithKms"]
    # Only a header naming another algorithm is refused: an object sent without one gets the default (SSE-KMS).
    assert other["Condition"] == {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"},
                                  "Null": {"s3:x-amz-server-side-encryption": "false"}}


def test_the_emr_service_role_is_assumed_by_emr_of_this_account_and_region_only() -> None:
    trust = statements(render("iam/emr_service_trust.json.j2"))["EmrOfThisAccountAndRegion"]
    assert trust["Principal"] == {"Service": "elasticmapreduce.amazonaws.com"}
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT},
                                  "ArnLike": {"aws:SourceArn": f"arn:aws:elasticmapreduce:us-east-1:{ACCOUNT}:*"}}
    passes = statements(render("iam/emr_service_policy.json.j2"))["PassTheEmrInstancesRoleToEc2"]
    assert passes["Resource"] == f"arn:aws:iam::{ACCOUNT}:role/openedx/openedx-prod-emr-ec2"


def test_the_emr_instances_reach_their_buckets_key_and_domain_only() -> None:
    policy = statements(render("iam/emr_ec2_policy.json.j2"))
    assert policy["ReadWriteThePipelineEmrAndReportsBuckets"]["Resource"] == [
        "arn:aws:s3:::openedx-prod-analytics/*", "arn:aws:s3:::openedx-prod-emr/*",
        "arn:aws:s3:::openedx-prod-api-reports/*"]
    assert policy["WriteEmrLogs"] == {"Sid": "WriteEmrLogs", "Effect": "Allow",
                                      "Action": ["s3:PutObject", "s3:AbortMultipartUpload"],
                                      "Resource": "arn:aws:s3:::openedx-prod-emr-logs/*"}
    assert policy["ListTheTrackingLogs"]["Condition"] == {"StringLike": {"s3:prefix": ["logs/tracking/*"]}}
    assert policy["ReadTheTrackingLogs"]["Resource"] == "arn:aws:s3:::openedx-prod-tracking-logs/logs/tracking/*"
    assert policy["UseTheEnvironmentKeyThroughS3"]["Resource"] == KEY
    domain = f"arn:aws:es:us-east-1:{ACCOUNT}:domain/openedx-prod-analytics"
    assert policy["WriteTheLearnersIndex"]["Resource"] == [domain, f"{domain}/*"]
    whole_bucket = statements(render("iam/emr_ec2_policy.json.j2", {"analytics_tracking_logs_prefix": ""}))
    assert "Condition" not in whole_bucket["ListTheTrackingLogs"]


def test_the_analytics_instance_acts_on_the_stacks_tagged_clusters_and_passes_the_two_emr_roles() -> None:
    policy = statements(render("iam/instance_policy.json.j2"))
    tags = {"for-use-with-amazon-emr-managed-policies": "true", "Environment": "prod"}
    assert policy["LaunchEmrClustersTaggedForTheStack"]["Condition"] == {"StringEquals": {
        f"elasticmapreduce:RequestTag/{key}": value for key, value in tags.items()}}
    assert policy["WatchAndTerminateTheStacksClusters"]["Condition"] == {"StringEquals": {
        f"elasticmapreduce:ResourceTag/{key}": value for key, value in tags.items()}}
    assert policy["PassTheEmrRolesToEmr"]["Resource"] == [
        f"arn:aws:iam::{ACCOUNT}:role/openedx/openedx-prod-emr-service",
        f"arn:aws:iam::{ACCOUNT}:role/openedx/openedx-prod-emr-ec2"]
    assert policy["ReadTheAnalyticsMysqlSecrets"]["Resource"] == (
        f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:openedx/prod/analytics-mysql/*")
    assert policy["AssumeTheReportsReaderRole"]["Resource"] == (
        f"arn:aws:iam::{ACCOUNT}:role/openedx/openedx-prod-analytics-reports")
    assert "AssumeTheReportsReaderRole" not in statements(render("iam/instance_policy.json.j2", {
        "analytics_reports_reader_principals": [f"arn:aws:iam::{ACCOUNT}:role/analytics-api"]}))


def test_the_reports_reader_is_assumed_by_the_instance_role_or_the_principals_given() -> None:
    [default] = render("iam/reports_reader_trust.json.j2")["Statement"]
    assert default["Principal"] == {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}
    assert default["Condition"] == {"ArnEquals": {
        "aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/openedx/openedx-prod-analytics"}}
    readers = [f"arn:aws:iam::{ACCOUNT}:role/analytics-api", "arn:aws:iam::111122223333:user/reports"]
    [given] = render("iam/reports_reader_trust.json.j2", {"analytics_reports_reader_principals": readers})["Statement"]
    assert given["Principal"] == {"AWS": readers} and "Condition" not in given
