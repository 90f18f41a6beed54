"""The access role's policy templates render, for both profiles and for every kind of pod, to policies that grant
nothing wide: no "*" action, no service wildcard on "*", "*" resources only for the list calls AWS authorizes on no
resource, MFA on every change and every secret read, and the pods' policies naming their own secrets and user only.

Rendered with Ansible's own templar over the role's defaults and vars and the facts the role reads first.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar, trust_as_template

from plugins.filter.policies import policy_errors

ROOT = Path(__file__).resolve().parents[2]
ROLE = ROOT / "roles" / "access"
ACCOUNT = "123456789012"
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ISSUER = "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
SECRETS = {"mysql/edxapp001": f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:openedx/prod/mysql/edxapp001-AbCdEf",
           "mysql/migrate": f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:openedx/prod/mysql/migrate-GhIjKl"}
FACTS = {
    "data_services_environment": "prod",
    "data_services_result": {"account_id": ACCOUNT, "partition": "aws", "tags": {"Environment": "prod"}},
    "__access_kms_key_arn": KEY,
    "__access_dbi_resource_id": "db-ABCDEFGHIJKLMNOPQRSTUVWXY0",
    "__access_secret_arns": SECRETS,
    "access_oidc_provider": f"https://{ISSUER}",
}
# The calls AWS authorizes on "*" only: no resource-level permission exists for them.
ACCOUNT_WIDE = {"cloudwatch:GetMetricData", "cloudwatch:GetMetricStatistics", "cloudwatch:ListMetrics",
                "es:ListDomainNames", "logs:DescribeLogGroups", "logs:GetQueryResults", "secretsmanager:ListSecrets",
                "dynamodb:ListTables"}
READS = re.compile(r"^[a-z-]+:(Describe|List|Get(?!SecretValue)|Filter|StartQuery|Download)")
MFA = {"aws:MultiFactorAuthPresent": "true"}


def variables(overrides: dict[str, Any]) -> dict[str, Any]:
    loader = DataLoader()
    found: dict[str, Any] = {}
    for path in (ROOT / "roles/data_services/defaults/main.yml", ROOT / "roles/data_services/vars/main.yml",
                 ROLE / "defaults/main.yml", ROLE / "vars/main.yml"):
        found.update(loader.load_from_file(str(path), trusted_as_template=True))
    return {**found, **FACTS, **overrides}


def render(template: str, **overrides: Any) -> dict[str, Any]:
    templar = Templar(loader=DataLoader(), variables=variables(overrides))
    return json.loads(templar.template(trust_as_template((ROLE / "templates" / template).read_text())))


def listed(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


@pytest.mark.parametrize("access", ["read-only", "read-write"])
@pytest.mark.parametrize("mfa", [True, False])
def test_the_developers_policy_grants_nothing_wide(access: str, mfa: bool) -> None:
    document = render("developers_policy.json.j2", access_developers_access=access, access_developers_mfa=mfa)
    assert policy_errors(document) == []
    # A group's inline policies hold 5,120 characters together, white space not counted.
    assert len(re.sub(r"\s", "", json.dumps(document))) <= 5120
    for statement in document["Statement"]:
        actions, resources = listed(statement["Action"]), listed(statement["Resource"])
        assert statement["Effect"] == "Allow" and "NotAction" not in statement and "NotResource" not in statement
        assert not [action for action in actions if action == "*" or action.endswith(":*")], statement
        if "*" in resources:
            assert resources == ["*"] and set(actions) <= ACCOUNT_WIDE, statement
            continue
        for resource in resources:
            assert "openedx-prod-*" in resource or ":secret:openedx/prod/*" in resource or resource == KEY, resource
        changes = [action for action in actions if not READS.match(action)]
        if changes and mfa:
            assert statement["Condition"]["Bool"] == MFA, statement
        elif not mfa:
            assert "Bool" not in statement.get("Condition", {}), statement


def test_read_only_reads_no_secret_value_nor_data_and_changes_nothing() -> None:
    actions = {action for statement in render("developers_policy.json.j2", access_developers_access="read-only")[
        "Statement"] for action in listed(statement["Action"])}
    assert {action for action in actions if not READS.match(action)} == set()
    assert not {"secretsmanager:GetSecretValue", "kms:Decrypt", "es:ESHttpGet", "dynamodb:GetItem"} & actions


def test_read_write_changes_only_tagged_resources_of_the_environment() -> None:
    statements = {s["Sid"]: s for s in render("developers_policy.json.j2", access_developers_access="read-write")[
        "Statement"]}
    changes = statements["ChangeTheEnvironmentsTaggedResources"]
    assert changes["Condition"] == {"StringEquals": {"aws:ResourceTag/Environment": "prod"}, "Bool": MFA}
    assert statements["ReadTheEnvironmentsSecretValues"]["Condition"] == {"Bool": MFA}
    decrypt = statements["DecryptTheSecretsThroughSecretsManager"]
    assert decrypt["Resource"] == KEY
    assert decrypt["Condition"]["StringEquals"] == {"kms:ViaService": "secretsmanager.us-east-1.amazonaws.com"}


@pytest.mark.parametrize("provider", [f"https://{ISSUER}", f"arn:aws:iam::{ACCOUNT}:oidc-provider/{ISSUER}"])
def test_a_pod_is_trusted_through_its_service_account_only(provider: str) -> None:
    pod = {"name": "lms", "namespace": "openedx", "service_account": "lms-sa", "secrets": [], "database_user": ""}
    document = render("pod_trust.json.j2", access_oidc_provider=provider, __access_pod=pod)
    assert policy_errors(document) == []
    assert document["Statement"] == [{
        "Sid": "TheServiceAccountOfThePod", "Effect": "Allow",
        "Principal": {"Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/{ISSUER}"},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {f"{ISSUER}:sub": "system:serviceaccount:openedx:lms-sa",
                                       f"{ISSUER}:aud": "sts.amazonaws.com"}}}]


def test_a_pod_reads_its_own_secrets_and_connects_as_its_own_user() -> None:
    pod = {"name": "lms", "namespace": "openedx", "service_account": "lms", "secrets": ["mysql/edxapp001"],
           "database_user": "edxapp001"}
    statements = {s["Sid"]: s for s in render("pod_policy.json.j2", __access_pod=pod)["Statement"]}
    assert statements["ReadItsOwnSecrets"]["Resource"] == [SECRETS["mysql/edxapp001"]]
    assert statements["DecryptThemThroughSecretsManager"]["Resource"] == KEY
    assert statements["ConnectAsItsOwnDatabaseUser"]["Resource"] == (
        f"arn:aws:rds-db:us-east-1:{ACCOUNT}:dbuser:db-ABCDEFGHIJKLMNOPQRSTUVWXY0/edxapp001")


def test_a_pod_without_a_database_user_gets_no_rds_db_connect() -> None:
    pod = {"name": "cms", "namespace": "openedx", "service_account": "cms", "secrets": ["mysql/migrate"],
           "database_user": ""}
    document = render("pod_policy.json.j2", __access_pod=pod)
    assert policy_errors(document) == []
    assert [s["Sid"] for s in document["Statement"]] == ["ReadItsOwnSecrets", "DecryptThemThroughSecretsManager"]
    assert document["Statement"][0]["Resource"] == [SECRETS["mysql/migrate"]]
