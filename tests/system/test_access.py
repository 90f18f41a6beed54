"""IAM for the people and the pods (playbooks/access.yml) on an environment of its own, test profile, MySQL only.

The developers' group gets a read-write policy scoped to the environment by ARN and tag, changes and secret reads
under MFA; each pod's IRSA role can be assumed only by its service account through the cluster's OIDC provider, and
reads its own secret and connects as its own database user only. Check mode and a re-run make no mutating call; bad
input is refused before any AWS call.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil

import kubernetes_validate
import pytest
import yaml
from conftest import KNOWN_ENVIRONMENTS, ROOT, WITHOUT_HANDOFF, aws, ledger, recap, run_playbook, sandbox

# The filter the role checks its policies with, as plain Python.
_spec = importlib.util.spec_from_file_location("policies", ROOT / "plugins" / "filter" / "policies.py")
_policies = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_policies)
policy_errors = _policies.policy_errors

ENVIRONMENT = "access"
ISSUER = "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
GROUP = f"openedx-{ENVIRONMENT}-developers"
ROLES = {"lms": f"openedx-{ENVIRONMENT}-pod-lms", "cms": f"openedx-{ENVIRONMENT}-pod-cms"}
K8S = ROOT / "artifacts" / ENVIRONMENT / "k8s" / "irsa"
SETTINGS = {"data_services_environment": ENVIRONMENT,
            "data_services_known_environments": KNOWN_ENVIRONMENTS,
            "data_services_profile": "test", **WITHOUT_HANDOFF}
ACCESS = {**SETTINGS,
          "access_oidc_provider": f"https://{ISSUER}",
          "access_developers_members": ["developer-one"],
          "access_pods": [
              {"name": "lms", "namespace": "openedx", "service_account": "lms", "secrets": ["mysql/edxapp001"],
               "database_user": "edxapp001"},
              {"name": "cms", "namespace": "openedx", "service_account": "cms", "secrets": ["mysql/migrate"]}]}
# The calls AWS authorizes on "*" only (no resource-level permission); every other statement names resources.
ACCOUNT_WIDE = {"cloudwatch:GetMetricData", "cloudwatch:GetMetricStatistics", "cloudwatch:ListMetrics",
                "es:ListDomainNames", "logs:DescribeLogGroups", "logs:GetQueryResults", "secretsmanager:ListSecrets",
                "dynamodb:ListTables"}
MFA = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}


def access_run(*args: str, **overrides) -> tuple[str, dict]:
    sandbox("reset")
    result = run_playbook("--limit", "mysql", *args, playbook="playbooks/access.yml",
                          extra_vars={**ACCESS, **overrides})
    return result.stdout, ledger()


@pytest.fixture(scope="module")
def environment() -> dict:
    """MySQL (IAM database authentication on) converged, the cluster's OIDC provider and a developer's IAM user,
    and no IAM of the access playbook yet."""
    shutil.rmtree(K8S, ignore_errors=True)
    result = run_playbook("--limit", "mysql", extra_vars=SETTINGS)
    assert recap(result.stdout)["failed"] == 0, result.stdout[-3000:]
    iam = aws("iam")
    providers = [p["Arn"] for p in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]]
    provider = next((arn for arn in providers if arn.endswith(ISSUER)), None) or iam.create_open_id_connect_provider(
        Url=f"https://{ISSUER}", ClientIDList=["sts.amazonaws.com"],
        ThumbprintList=["9e99a48a9960b14926bb7f3b02e22da2b0ab7280"])["OpenIDConnectProviderArn"]
    if "developer-one" not in [u["UserName"] for u in iam.list_users()["Users"]]:
        iam.create_user(UserName="developer-one")
    assert GROUP not in [g["GroupName"] for g in iam.list_groups()["Groups"]], (
        f"the {ENVIRONMENT} environment already has its IAM: this test needs a fresh sandbox (python -m sandbox down)")
    instance = aws("rds").describe_db_instances(DBInstanceIdentifier=f"openedx-{ENVIRONMENT}-mysql")["DBInstances"][0]
    assert instance["IAMDatabaseAuthenticationEnabled"]
    secrets = {s["Name"]: s["ARN"] for s in aws("secretsmanager").list_secrets()["SecretList"]}
    return {"provider": provider, "dbi": instance["DbiResourceId"], "account": provider.split(":")[4],
            "secrets": secrets}


@pytest.mark.parametrize(("overrides", "named"), [
    ({"access_oidc_provider": "arn:aws:iam::123456789012:oidc-provider"}, "access_oidc_provider"),
    ({"access_pods": [{"name": "lms", "namespace": "Open_edX", "service_account": "lms",
                       "secrets": ["mysql/edxapp001"]}]}, "namespace"),
], ids=["oidc provider", "namespace"])
def test_bad_input_is_refused_before_any_call(environment, overrides, named) -> None:
    output, calls = access_run(**overrides)
    assert recap(output)["failed"] == 1, output[-3000:]
    assert named in output
    assert calls["totals"]["mutating"] == calls["totals"]["read"] == 0, calls


@pytest.mark.parametrize(("overrides", "named"), [
    ({"access_pods": [{"name": "lms", "namespace": "openedx", "service_account": "lms", "secrets": ["mysql/nobody"]}]},
     f"openedx/{ENVIRONMENT}/mysql/nobody"),
    ({"access_oidc_provider": "https://oidc.eks.us-east-1.amazonaws.com/id/00000000000000000000000000MISSING"},
     "it does not exist"),
], ids=["secret", "oidc provider"])
def test_what_does_not_exist_is_refused_before_any_change(environment, overrides, named) -> None:
    output, calls = access_run(**overrides)
    assert recap(output)["failed"] == 1, output[-3000:]
    assert named in output
    assert calls["mutating"] == {}, calls


def test_check_mode_predicts_the_changes_without_a_mutating_call(environment) -> None:
    output, calls = access_run("--check", "--diff")
    assert recap(output)["failed"] == 0, output[-3000:]
    assert recap(output)["changed"] >= 3, output[-3000:]
    assert calls["mutating"] == {}, calls
    assert GROUP not in [g["GroupName"] for g in aws("iam").list_groups()["Groups"]]
    assert not K8S.exists()


@pytest.fixture(scope="module")
def created(environment) -> str:
    output, calls = access_run()
    assert recap(output)["failed"] == 0, output[-3000:]
    assert {"iam:CreateGroup", "iam:PutGroupPolicy", "iam:AddUserToGroup", "iam:CreateRole",
            "iam:PutRolePolicy"} <= set(calls["mutating"]), calls
    return output


def test_the_developers_group_is_scoped_to_the_environment_under_mfa(environment, created) -> None:
    iam = aws("iam")
    group = iam.get_group(GroupName=GROUP)
    assert [u["UserName"] for u in group["Users"]] == ["developer-one"]
    assert iam.list_attached_group_policies(GroupName=GROUP)["AttachedPolicies"] == []
    assert iam.list_group_policies(GroupName=GROUP)["PolicyNames"] == [GROUP]
    document = iam.get_group_policy(GroupName=GROUP, PolicyName=GROUP)["PolicyDocument"]
    document = json.loads(document) if isinstance(document, str) else document
    assert policy_errors(document) == []
    statements = {s["Sid"]: s for s in document["Statement"]}
    for sid, statement in statements.items():
        actions, resources = statement["Action"], statement["Resource"]
        actions = [actions] if isinstance(actions, str) else actions
        resources = [resources] if isinstance(resources, str) else resources
        assert not [a for a in actions if a == "*" or a.endswith(":*")], sid
        if "*" in resources:
            assert set(actions) <= ACCOUNT_WIDE, sid
            continue
        for resource in resources:
            assert (f"openedx-{ENVIRONMENT}-*" in resource or f"secret:openedx/{ENVIRONMENT}/*" in resource
                    or resource.startswith(f"arn:aws:kms:us-east-1:{environment['account']}:key/")), (sid, resource)
        writes = [a for a in actions if not re.match(r"^[a-z-]+:(Describe|List|Get|Filter|StartQuery|Download)", a)]
        if writes or "secretsmanager:GetSecretValue" in actions:
            assert statement["Condition"]["Bool"] == MFA["Bool"], sid
    # The test profile's changes need the environment's tag on the resource as well.
    changes = statements["ChangeTheEnvironmentsTaggedResources"]
    assert changes["Condition"]["StringEquals"] == {"aws:ResourceTag/Environment": ENVIRONMENT}
    assert "rds:ModifyDBInstance" in changes["Action"]
    assert statements["ReadTheEnvironmentsSecretValues"]["Resource"] == (
        f"arn:aws:secretsmanager:us-east-1:{environment['account']}:secret:openedx/{ENVIRONMENT}/*")


def test_each_pod_role_trusts_its_service_account_and_reads_only_its_own(environment, created) -> None:
    iam, secrets, account = aws("iam"), environment["secrets"], environment["account"]
    for pod, role_name in ROLES.items():
        role = iam.get_role(RoleName=role_name)["Role"]
        trust = role["AssumeRolePolicyDocument"]
        trust = json.loads(trust) if isinstance(trust, str) else trust
        assert trust["Statement"] == [{
            "Sid": "TheServiceAccountOfThePod", "Effect": "Allow", "Principal": {"Federated": environment["provider"]},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {f"{ISSUER}:sub": f"system:serviceaccount:openedx:{pod}",
                                           f"{ISSUER}:aud": "sts.amazonaws.com"}}}]
        assert iam.list_attached_role_policies(RoleName=role_name)["AttachedPolicies"] == []
        assert iam.list_role_policies(RoleName=role_name)["PolicyNames"] == [role_name]
        document = iam.get_role_policy(RoleName=role_name, PolicyName=role_name)["PolicyDocument"]
        document = json.loads(document) if isinstance(document, str) else document
        assert policy_errors(document) == []
        statements = {s["Sid"]: s for s in document["Statement"]}
        user = {"lms": "edxapp001", "cms": "migrate"}[pod]
        assert statements["ReadItsOwnSecrets"]["Resource"] == [secrets[f"openedx/{ENVIRONMENT}/mysql/{user}"]]
        key = statements["DecryptThemThroughSecretsManager"]
        assert key["Condition"] == {"StringEquals": {"kms:ViaService": "secretsmanager.us-east-1.amazonaws.com"}}
        if pod == "lms":
            assert statements["ConnectAsItsOwnDatabaseUser"]["Resource"] == (
                f"arn:aws:rds-db:us-east-1:{account}:dbuser:{environment['dbi']}/edxapp001")
        else:
            assert "ConnectAsItsOwnDatabaseUser" not in statements
        manifest = yaml.safe_load((K8S / f"serviceaccount-{pod}.yaml").read_text())
        assert manifest["kind"] == "ServiceAccount"
        assert manifest["metadata"]["namespace"] == "openedx" and manifest["metadata"]["name"] == pod
        assert manifest["metadata"]["annotations"]["eks.amazonaws.com/role-arn"] == role["Arn"]
        for version in ("1.33.0", "1.37.0"):
            kubernetes_validate.validate(manifest, version, strict=True)


def test_a_rerun_and_check_mode_change_nothing(created) -> None:
    for args in ((), ("--check", "--diff")):
        output, calls = access_run(*args)
        assert recap(output)["changed"] == 0 and recap(output)["failed"] == 0, output[-3000:]
        assert calls["mutating"] == {}, (args, calls)


def test_a_pod_dropped_from_the_list_loses_its_role_and_its_service_account(created) -> None:
    """Last in this module: it removes the cms pod."""
    lms_only = [pod for pod in ACCESS["access_pods"] if pod["name"] == "lms"]
    # A role named like a pod's but not made by the collection (no Environment tag) is not the collection's to remove.
    handmade = f"openedx-{ENVIRONMENT}-pod-handmade"
    aws("iam").create_role(RoleName=handmade, AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                                                "Action": "sts:AssumeRole"}]}))
    output, calls = access_run("--check", "--diff", access_pods=lms_only)
    assert recap(output)["failed"] == 0 and recap(output)["changed"] >= 1, output[-3000:]
    assert calls["mutating"] == {}, calls
    assert (K8S / "serviceaccount-cms.yaml").exists()

    output, calls = access_run(access_pods=lms_only)
    assert recap(output)["failed"] == 0, output[-3000:]
    assert calls["mutating"] == {"iam:DeleteRolePolicy": 1, "iam:DeleteRole": 1}, calls
    roles = [role["RoleName"] for role in aws("iam").list_roles()["Roles"]]
    assert ROLES["lms"] in roles and ROLES["cms"] not in roles and handmade in roles
    assert sorted(path.name for path in K8S.iterdir()) == ["serviceaccount-lms.yaml"]
