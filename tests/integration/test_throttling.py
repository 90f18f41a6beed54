"""A converge with 20% of the AWS calls throttled succeeds and creates no duplicate."""

from __future__ import annotations

from conftest import aws, fresh_environment, ledger, recap, run_playbook, sandbox


def _count_resources(environment: str) -> dict[str, int]:
    prefix = f"openedx-{environment}-"
    kms = aws("kms")
    return {
        "db_instances": sum(i["DBInstanceIdentifier"].startswith(prefix)
                            for i in aws("rds").describe_db_instances()["DBInstances"]),
        "parameter_groups": sum(g["DBParameterGroupName"].startswith(prefix)
                                for g in aws("rds").describe_db_parameter_groups()["DBParameterGroups"]),
        "kms_keys": sum(any(t["TagKey"] == "Environment" and t["TagValue"] == environment
                            for t in kms.list_resource_tags(KeyId=k["KeyId"]).get("Tags", []))
                        for k in kms.list_keys()["Keys"]),
        "kms_aliases": sum(a["AliasName"] == f"alias/{prefix}data-services" for a in kms.list_aliases()["Aliases"]),
        "security_groups": len(aws("ec2").describe_security_groups(
            Filters=[{"Name": "group-name", "Values": [f"{prefix}data-services"]}])["SecurityGroups"]),
        "secrets": sum(s["Name"].startswith(f"openedx/{environment}/")
                       for s in aws("secretsmanager").list_secrets()["SecretList"]),
        "log_groups": len(aws("logs").describe_log_groups(
            logGroupNamePrefix=f"/aws/rds/instance/{prefix}mysql/")["logGroups"]),
        "iam_roles": sum(r["RoleName"].startswith(prefix) for r in aws("iam").list_roles()["Roles"]),
    }


def test_throttled_converge_succeeds_without_duplicates():
    extra_vars = fresh_environment("throttled")
    sandbox("reset")
    sandbox("faults", "--throttle-rate", "0.2", "--seed", "7")
    try:
        result = run_playbook(extra_vars=extra_vars)
    finally:
        sandbox("faults", "--clear")
    calls = ledger()

    assert recap(result.stdout)["failed"] == 0, result.stdout[-3000:]
    assert calls["totals"]["faulted"] >= 10, calls  # the faults really happened
    assert _count_resources("throttled") == {
        "db_instances": 1, "parameter_groups": 1, "kms_keys": 1, "kms_aliases": 1, "security_groups": 1,
        "secrets": 2, "log_groups": 3, "iam_roles": 1,
    }

    again = run_playbook(extra_vars=extra_vars)
    assert recap(again.stdout)["changed"] == 0, again.stdout[-3000:]
