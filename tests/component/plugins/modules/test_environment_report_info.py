"""environment_report_info against in-process moto: what the environment shares read once each, resources that do not
exist read as missing, and reads AWS refuses reported without stopping the others."""

from __future__ import annotations

import json

import boto3
from ansible_collections.openedx.data_services.plugins.modules import environment_report_info
from harness import REGION, run_module


def environment() -> dict[str, str]:
    """A key with its alias, a VPC with the data services' group admitting the platform's, a log group, a secret,
    an encrypted SNS topic and an alarm notifying it."""
    kms = boto3.client("kms", region_name=REGION)
    key = kms.create_key()["KeyMetadata"]
    kms.create_alias(AliasName="alias/openedx-test-data-services", TargetKeyId=key["KeyId"])
    kms.enable_key_rotation(KeyId=key["KeyId"])
    ec2 = boto3.client("ec2", region_name=REGION)
    vpc = ec2.create_vpc(CidrBlock="10.42.0.0/16")["Vpc"]["VpcId"]
    platform = ec2.create_security_group(GroupName="platform", Description="nodes", VpcId=vpc)["GroupId"]
    group = ec2.create_security_group(GroupName="openedx-test-data-services", Description="data", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": 3306, "ToPort": 3306, "UserIdGroupPairs": [{"GroupId": platform}]}])
    boto3.client("secretsmanager", region_name=REGION).create_secret(
        Name="openedx/test/mysql/admin", SecretString=json.dumps({"password": "Not-read-1"}), KmsKeyId=key["Arn"])
    topic = boto3.client("sns", region_name=REGION).create_topic(
        Name="openedx-test-alarms", Attributes={"KmsMasterKeyId": key["Arn"]})["TopicArn"]
    boto3.client("cloudwatch", region_name=REGION).put_metric_alarm(
        AlarmName="openedx-test-mysql-cpu", Namespace="AWS/RDS", MetricName="CPUUtilization", Statistic="Average",
        Dimensions=[{"Name": "DBInstanceIdentifier", "Value": "openedx-test-mysql"}], Period=300,
        EvaluationPeriods=1, Threshold=80.0, ComparisonOperator="GreaterThanThreshold", AlarmActions=[topic])
    return {"key": key["Arn"], "vpc": vpc, "group": group, "platform": platform, "topic": topic}


ARGS = {
    "resources": [
        {"service": "mysql", "kind": "rds_instance", "identifier": "openedx-test-mysql"},
        {"service": "redis", "kind": "elasticache_replication_group", "identifier": "openedx-test-redis"},
    ],
    "kms_key_id": "alias/openedx-test-data-services",
    "alarm_name_prefix": "openedx-test-",
    "secret_name_prefix": "openedx/test/",
}


def test_reads_what_the_environment_shares_once_each(moto) -> None:
    made = environment()
    run = run_module(environment_report_info.main, {**ARGS, "vpc_id": made["vpc"]})
    assert not run.failed, run.result
    result = run.result
    assert result["errors"] == {}
    assert [(r["service"], r["found"]) for r in result["resources"]] == [("mysql", False), ("redis", False)]
    assert result["kms_key"]["arn"] == made["key"]
    assert result["kms_key"]["rotation_enabled"] is True
    assert result["kms_key"]["policy"]["Statement"]
    assert ["alias/openedx-test-data-services"] in result["aliases"].values()
    group = result["security_groups"][made["group"]]
    assert group["group_name"] == "openedx-test-data-services"
    assert group["ip_permissions"][0]["user_id_group_pairs"][0]["group_id"] == made["platform"]
    assert result["alarms"] == [{
        "alarm_name": "openedx-test-mysql-cpu",
        "metrics": [{"namespace": "AWS/RDS", "metric_name": "CPUUtilization",
                     "dimensions": {"DBInstanceIdentifier": "openedx-test-mysql"}}],
        "comparison_operator": "GreaterThanThreshold", "threshold": 80.0,
        "state_value": result["alarms"][0]["state_value"], "actions_enabled": True, "alarm_actions": [made["topic"]],
    }]
    assert result["topics"] == {made["topic"]: {"found": True, "kms_master_key_id": made["key"]}}
    assert [(s["name"], s["kms_key_id"]) for s in result["secrets"]] == [("openedx/test/mysql/admin", made["key"])]
    assert "Not-read-1" not in json.dumps(result)
    # Only reads, each counted, and counted as the calls really made.
    assert run.mutating == []
    assert sum(result["api_calls"].values()) == len(run.calls)
    assert result["api_calls"]["kms:DescribeKey"] == 1
    assert result["api_calls"]["ec2:DescribeSecurityGroups"] == 1


def test_a_refused_read_is_reported_and_the_others_still_happen(moto, monkeypatch) -> None:
    made = environment()
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "")
    run = run_module(environment_report_info.main, {**ARGS, "vpc_id": made["vpc"], "region": "xx-nowhere-1"})
    assert not run.failed, run.result
    assert {"rds_instance openedx-test-mysql", "kms_key", "alarms", "secrets", "security groups"} <= set(
        run.result["errors"])
    assert run.result["kms_key"] is None
    assert run.result["resources"][0]["found"] is False
