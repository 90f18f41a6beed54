"""The analytics role's buckets and IAM roles (tests/system/analytics_storage_iam.yml), on environments of their own.

Converged once for the module: every bucket and role holds what was asked (read back with boto3), every inline
policy passes policy_errors, a --check run changes nothing and makes no mutating call (a second run changes nothing:
the shared environment's re-run shows it for the whole stack); a --check run on an environment never provisioned
makes none either and still names every role's ARN. Then: settings changed out of band show in --check --diff and
are put back; an existing tracking-logs bucket is adopted as it is, read only; a
missing one and a bad bucket name fail with the variable named, before any change.
"""

from __future__ import annotations

import importlib.util
import json
import re

import pytest
from conftest import ROOT, aws, ledger, recap, run_playbook, sandbox

# The filters the role checks its policies with, as plain Python.
_spec = importlib.util.spec_from_file_location("policies", ROOT / "plugins" / "filter" / "policies.py")
policies = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(policies)
denies_insecure_transport, policy_errors = policies.denies_insecure_transport, policies.policy_errors

PLAYBOOK = "tests/system/analytics_storage_iam.yml"
ENVIRONMENT = "storage"
PREFIX = f"openedx-{ENVIRONMENT}"
BUCKETS = {"pipeline": f"{PREFIX}-analytics", "emr": f"{PREFIX}-emr", "emr_logs": f"{PREFIX}-emr-logs",
           "reports": f"{PREFIX}-api-reports", "tracking_logs": f"{PREFIX}-tracking-logs"}
ROLES = {"emr_service": f"{PREFIX}-emr-service", "emr_ec2": f"{PREFIX}-emr-ec2", "instance": f"{PREFIX}-analytics",
         "reports_reader": f"{PREFIX}-analytics-reports"}
ACCOUNT = "123456789012"
ABORT = {"ID": "abort-incomplete-multipart-uploads", "Filter": {"Prefix": ""}, "Status": "Enabled",
         "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7}}


def run(*args: str, environment: str = ENVIRONMENT, **extra_vars) -> tuple[str, dict]:
    sandbox("reset")
    result = run_playbook(*args, playbook=PLAYBOOK, extra_vars={"data_services_environment": environment,
                                                                **extra_vars})
    return result.stdout, ledger()


def facts(stdout: str) -> dict:
    """What the playbook prints of __analytics_buckets and __analytics_roles."""
    return json.loads(re.search(r"ANALYTICS=(\{.*\})", stdout).group(1))


@pytest.fixture(scope="module")
def converged() -> dict:
    assert BUCKETS["pipeline"] not in [b["Name"] for b in aws("s3").list_buckets()["Buckets"]], (
        f"the {ENVIRONMENT} environment already exists: this test needs a fresh sandbox (python -m sandbox down)")
    created, created_calls = run()
    # A second run changes nothing: the shared environment's re-run (site.yml) shows it for the whole stack.
    check, check_calls = run("--check", "--diff")
    return {"created": created, "created_calls": created_calls, "check": check, "check_calls": check_calls}


def test_creation_then_check_mode_change_nothing(converged: dict) -> None:
    assert recap(converged["created"])["failed"] == 0, converged["created"][-3000:]
    assert recap(converged["created"])["changed"] > 0
    mutating = converged["created_calls"]["mutating"]
    assert (mutating["s3:CreateBucket"], mutating["iam:CreateRole"], mutating["iam:CreateInstanceProfile"]) == (5, 4, 2)
    for name in ("check",):
        assert recap(converged[name]) == {**recap(converged[name]), "changed": 0, "failed": 0}, converged[name][-3000:]
        assert converged[f"{name}_calls"]["totals"]["mutating"] == 0, converged[f"{name}_calls"]["mutating"]


def test_the_facts_name_every_bucket_and_role(converged: dict) -> None:
    arn = f"arn:aws:iam::{ACCOUNT}:role/openedx/"
    assert facts(converged["created"]) == facts(converged["check"]) == {"buckets": BUCKETS, "roles": {
        "emr_service_role": ROLES["emr_service"], "emr_service_role_arn": arn + ROLES["emr_service"],
        "emr_ec2_role": ROLES["emr_ec2"], "emr_ec2_role_arn": arn + ROLES["emr_ec2"],
        "emr_ec2_instance_profile": ROLES["emr_ec2"],
        "instance_role": ROLES["instance"], "instance_role_arn": arn + ROLES["instance"],
        "instance_profile": ROLES["instance"],
        "reports_reader_role_arn": arn + ROLES["reports_reader"]}}


def test_every_bucket_is_encrypted_private_owner_enforced_and_tls_only(converged: dict) -> None:
    s3 = aws("s3")
    key = aws("kms").describe_key(KeyId=f"alias/{PREFIX}-data-services")["KeyMetadata"]["Arn"]
    for name in BUCKETS.values():
        encryption = s3.get_bucket_encryption(Bucket=name)["ServerSideEncryptionConfiguration"]["Rules"]
        assert encryption == [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms",
                                                                      "KMSMasterKeyID": key},
                               "BucketKeyEnabled": True}], name
        assert s3.get_public_access_block(Bucket=name)["PublicAccessBlockConfiguration"] == {
            "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True}, name
        assert s3.get_bucket_ownership_controls(Bucket=name)["OwnershipControls"]["Rules"] == [
            {"ObjectOwnership": "BucketOwnerEnforced"}], name
        policy = json.loads(s3.get_bucket_policy(Bucket=name)["Policy"])
        assert denies_insecure_transport(policy) and policy_errors(policy) == [], name
        tags = {tag["Key"]: tag["Value"] for tag in s3.get_bucket_tagging(Bucket=name)["TagSet"]}
        assert tags["Stack"] == "analytics" and tags["Environment"] == ENVIRONMENT, name
    versioning = {name: s3.get_bucket_versioning(Bucket=name).get("Status") for name in BUCKETS.values()}
    assert versioning == {**dict.fromkeys(BUCKETS.values()), BUCKETS["pipeline"]: "Enabled"}


def test_the_log_buckets_expire_and_every_bucket_aborts_stale_uploads(converged: dict) -> None:
    def rules(name: str) -> list[dict]:
        found = aws("s3").get_bucket_lifecycle_configuration(Bucket=name)["Rules"]
        return sorted(found, key=lambda rule: rule["ID"])

    for name in (BUCKETS["pipeline"], BUCKETS["emr"], BUCKETS["reports"]):
        assert rules(name) == [ABORT], name
    assert rules(BUCKETS["emr_logs"]) == [ABORT, {"ID": "expire-emr-logs", "Filter": {"Prefix": ""},
                                                  "Status": "Enabled", "Expiration": {"Days": 90}}]
    assert rules(BUCKETS["tracking_logs"]) == [ABORT, {"ID": "expire-tracking-logs",
                                                       "Filter": {"Prefix": "logs/tracking/"},
                                                       "Status": "Enabled", "Expiration": {"Days": 1095}}]


def test_objects_go_in_with_the_bucket_key_and_not_with_another_encryption(converged: dict) -> None:
    s3 = aws("s3")
    s3.put_object(Bucket=BUCKETS["pipeline"], Key="creds/probe", Body=b"{}")
    assert s3.get_object(Bucket=BUCKETS["pipeline"], Key="creds/probe")["Body"].read() == b"{}"
    with pytest.raises(s3.exceptions.ClientError) as refused:
        s3.put_object(Bucket=BUCKETS["pipeline"], Key="creds/aes", Body=b"{}", ServerSideEncryption="AES256")
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    s3.delete_object(Bucket=BUCKETS["pipeline"], Key="creds/probe")


def test_every_role_is_under_the_path_tagged_and_least_privileged(converged: dict) -> None:
    iam = aws("iam")
    for key, name in ROLES.items():
        role = iam.get_role(RoleName=name)["Role"]
        assert role["Path"] == "/openedx/", name
        assert {"Key": "Stack", "Value": "analytics"} in role["Tags"], name
        assert policy_errors(role["AssumeRolePolicyDocument"]) == [], name
        [inline] = iam.list_role_policies(RoleName=name)["PolicyNames"]
        assert policy_errors(iam.get_role_policy(RoleName=name, PolicyName=inline)["PolicyDocument"]) == [], name
        attached = [p["PolicyName"] for p in iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]]
        assert attached == (["AmazonEMRServicePolicy_v2"] if key == "emr_service" else []), name
    trust = iam.get_role(RoleName=ROLES["emr_service"])["Role"]["AssumeRolePolicyDocument"]["Statement"][0]
    assert trust["Condition"]["StringEquals"] == {"aws:SourceAccount": ACCOUNT}
    for profile in (ROLES["emr_ec2"], ROLES["instance"]):
        found = iam.get_instance_profile(InstanceProfileName=profile)["InstanceProfile"]
        assert (found["Path"], [r["RoleName"] for r in found["Roles"]]) == ("/openedx/", [profile])


def test_check_mode_on_a_new_environment_changes_nothing_and_names_the_arns() -> None:
    stdout, calls = run("--check", environment="storagecheck")
    assert recap(stdout)["failed"] == 0, stdout[-3000:]
    assert calls["totals"]["mutating"] == 0, calls["mutating"]
    roles = facts(stdout)["roles"]
    assert roles["instance_role_arn"] == f"arn:aws:iam::{ACCOUNT}:role/openedx/openedx-storagecheck-analytics"
    assert "openedx-storagecheck-emr" not in [b["Name"] for b in aws("s3").list_buckets()["Buckets"]]


def test_settings_changed_out_of_band_show_in_check_mode_and_are_put_back(converged: dict) -> None:
    s3, iam = aws("s3"), aws("iam")
    s3.delete_public_access_block(Bucket=BUCKETS["reports"])
    s3.put_bucket_encryption(Bucket=BUCKETS["emr"], ServerSideEncryptionConfiguration={"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]})
    iam.put_role_policy(RoleName=ROLES["reports_reader"], PolicyName=ROLES["reports_reader"], PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))

    check, check_calls = run("--check", "--diff")
    assert recap(check)["changed"] > 0 and check_calls["totals"]["mutating"] == 0, check_calls["mutating"]
    assert "encryption: AES256" in check and "restrict_public_buckets: false" in check, check[-3000:]

    repaired, repaired_calls = run()
    assert recap(repaired)["failed"] == 0, repaired[-3000:]
    assert set(repaired_calls["mutating"]) == {"s3:PutPublicAccessBlock", "s3:PutBucketEncryption",
                                               "iam:PutRolePolicy"}, repaired_calls["mutating"]
    inline = iam.get_role_policy(RoleName=ROLES["reports_reader"], PolicyName=ROLES["reports_reader"])
    assert policy_errors(inline["PolicyDocument"]) == []


def test_an_existing_tracking_logs_bucket_is_adopted_as_it_is(converged: dict) -> None:
    adopted = "acme-storage-tracking-logs"
    aws("s3").create_bucket(Bucket=adopted)
    stdout, calls = run(analytics_tracking_logs_create=False, analytics_tracking_logs_bucket=adopted)
    assert recap(stdout)["failed"] == 0, stdout[-3000:]
    # Read, never changed: the one change is the EMR instances' policy, which now names that bucket.
    assert calls["mutating"] == {"iam:PutRolePolicy": 1}, calls["mutating"]
    said = " ".join(stdout.split())
    assert f"The tracking-logs bucket {adopted}, adopted as it is" in said, stdout[-3000:]
    for lack in ("default encryption none rather than SSE-KMS", "public access not blocked",
                 "no bucket policy denying requests without TLS", "object ownership not set"):
        assert lack in said, lack
    assert facts(stdout)["buckets"]["tracking_logs"] == adopted
    ec2_policy = aws("iam").get_role_policy(RoleName=ROLES["emr_ec2"], PolicyName=ROLES["emr_ec2"])["PolicyDocument"]
    assert f"arn:aws:s3:::{adopted}/logs/tracking/*" in json.dumps(ec2_policy)


@pytest.mark.parametrize(("extra_vars", "message"), [
    ({"analytics_tracking_logs_create": False, "analytics_tracking_logs_bucket": "acme-storage-missing"},
     "analytics_tracking_logs_bucket acme-storage-missing does not exist"),
    ({"analytics_emr_bucket": "Acme_EMR"}, "analytics_emr_bucket must be a valid S3 bucket name"),
    ({"analytics_reports_bucket": f"{PREFIX}-emr"}, "must name five different buckets"),
    ({"analytics_reports_reader_principals": ["analytics-api"]}, "analytics_reports_reader_principals must be IAM"),
])
def test_bad_storage_settings_fail_before_any_change(converged: dict, extra_vars: dict, message: str) -> None:
    stdout, calls = run(**extra_vars)
    assert recap(stdout)["failed"] == 1, stdout[-3000:]
    assert message in " ".join(stdout.split()), stdout[-3000:]
    assert calls["totals"]["mutating"] == 0, calls["mutating"]
