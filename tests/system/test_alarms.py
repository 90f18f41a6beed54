"""The shared environment's CloudWatch alarms watch metrics of resources that exist, and notify its alarm topic, which
its KMS key encrypts and lets CloudWatch use; the run after the converge changes neither.

An alarm whose dimensions name no resource (another instance's identifier, a member cluster that was never made, an
OpenSearch domain without its ClientId) is accepted by CloudWatch and never fires: each alarm's dimensions are looked
up here in the service that publishes its namespace. All on the shared environment (conftest.shared_environment):
site.yml converged once, then run again.
"""

from __future__ import annotations

import json
from collections import Counter

import pytest
from conftest import aws

PREFIX = "openedx-shared-"
TOPIC_NAME = "openedx-shared-data-services-alarms"
KEY_ALIAS = "alias/openedx-shared-data-services"


@pytest.fixture(scope="module")
def alarms(shared_environment) -> list[dict]:
    pages = aws("cloudwatch").get_paginator("describe_alarms").paginate(AlarmNamePrefix=PREFIX)
    return [alarm for page in pages for alarm in page["MetricAlarms"]]


@pytest.fixture(scope="module")
def topic_arn(shared_environment) -> str:
    account = aws("sts").get_caller_identity()["Account"]
    return f"arn:aws:sns:us-east-1:{account}:{TOPIC_NAME}"


def dimensions(alarm: dict) -> dict[str, str]:
    return {dimension["Name"]: dimension["Value"] for dimension in alarm["Dimensions"]}


def resource_named_by(alarm: dict, account: str) -> str:
    """The identifier of the resource the alarm's namespace and dimensions name, as its service describes it."""
    namespace, named = alarm["Namespace"], dimensions(alarm)
    if namespace == "AWS/RDS":
        assert set(named) == {"DBInstanceIdentifier"}, alarm
        instance = aws("rds").describe_db_instances(DBInstanceIdentifier=named["DBInstanceIdentifier"])[
            "DBInstances"][0]
        assert instance["Engine"] == "mysql"
        return instance["DBInstanceIdentifier"]
    if namespace == "AWS/DocDB":
        if set(named) == {"DBClusterIdentifier"}:
            cluster = aws("docdb").describe_db_clusters(DBClusterIdentifier=named["DBClusterIdentifier"])[
                "DBClusters"][0]
            assert cluster["Engine"] == "docdb"
            return cluster["DBClusterIdentifier"]
        assert set(named) == {"DBInstanceIdentifier"}, alarm
        instance = aws("docdb").describe_db_instances(DBInstanceIdentifier=named["DBInstanceIdentifier"])[
            "DBInstances"][0]
        assert instance["Engine"] == "docdb"
        return instance["DBInstanceIdentifier"]
    if namespace == "AWS/ElastiCache":
        assert set(named) == {"CacheClusterId", "CacheNodeId"}, alarm
        member = aws("elasticache").describe_cache_clusters(
            CacheClusterId=named["CacheClusterId"], ShowCacheNodeInfo=True)["CacheClusters"][0]
        assert named["CacheNodeId"] in [node["CacheNodeId"] for node in member["CacheNodes"]], member
        assert member["ReplicationGroupId"] == "openedx-shared-redis"
        return member["CacheClusterId"]
    assert namespace == "AWS/ES", alarm
    assert set(named) == {"DomainName", "ClientId"}, alarm
    # The classic mistake: a domain's metrics are published under the account's id as ClientId as well.
    assert named["ClientId"] == account
    return aws("opensearch").describe_domain(DomainName=named["DomainName"])["DomainStatus"]["DomainName"]


def test_each_alarm_names_a_resource_that_exists(shared_environment, alarms) -> None:
    account = aws("sts").get_caller_identity()["Account"]
    named = {alarm["AlarmName"]: resource_named_by(alarm, account) for alarm in alarms}
    # The prod shape: MySQL; 3 DocumentDB instances and their cluster; 3 Redis member clusters; the search domain.
    assert Counter(named.values()) == {
        "openedx-shared-mysql": 4,
        **{f"openedx-shared-docdb-{n}": 4 for n in (1, 2, 3)}, "openedx-shared-docdb": 1,
        **{f"openedx-shared-redis-00{n}": 4 for n in (1, 2, 3)},
        "openedx-shared-search": 5,
    }
    # A member's alarms end with the member's identifier.
    for name, resource in named.items():
        if resource[-1].isdigit():
            assert name.endswith(f"-{resource}"), name


def test_each_service_has_its_metrics(alarms) -> None:
    metrics = {(alarm["Namespace"], alarm["MetricName"]) for alarm in alarms}
    assert metrics == {
        ("AWS/RDS", "CPUUtilization"), ("AWS/RDS", "FreeableMemory"), ("AWS/RDS", "FreeStorageSpace"),
        ("AWS/RDS", "DatabaseConnections"),
        ("AWS/DocDB", "CPUUtilization"), ("AWS/DocDB", "FreeableMemory"), ("AWS/DocDB", "DatabaseConnections"),
        ("AWS/DocDB", "DBInstanceReplicaLag"), ("AWS/DocDB", "VolumeBytesUsed"),
        ("AWS/ElastiCache", "EngineCPUUtilization"), ("AWS/ElastiCache", "DatabaseMemoryUsagePercentage"),
        ("AWS/ElastiCache", "Evictions"), ("AWS/ElastiCache", "ReplicationLag"),
        ("AWS/ES", "ClusterStatus.red"), ("AWS/ES", "ClusterStatus.yellow"), ("AWS/ES", "FreeStorageSpace"),
        ("AWS/ES", "JVMMemoryPressure"), ("AWS/ES", "ClusterIndexWritesBlocked"),
    }
    # The shared environment has the prod profile: 5 % of MySQL's 100 GiB, 25 % of a search node's 100 GiB in MiB.
    by_name = {alarm["AlarmName"]: alarm for alarm in alarms}
    assert by_name["openedx-shared-mysql-free-storage-space"]["Threshold"] == 5 * 1024 ** 3
    assert by_name["openedx-shared-opensearch-free-storage-space"]["Threshold"] == 25 * 1024


def test_alarms_notify_the_topic_the_environment_key_encrypts(alarms, topic_arn) -> None:
    for alarm in alarms:
        assert (alarm["AlarmActions"], alarm["OKActions"], alarm["ActionsEnabled"]) == ([topic_arn], [topic_arn], True)
    key = aws("kms").describe_key(KeyId=KEY_ALIAS)["KeyMetadata"]
    attributes = aws("sns").get_topic_attributes(TopicArn=topic_arn)["Attributes"]
    assert attributes["KmsMasterKeyId"] == key["Arn"]
    account = key["AWSAccountId"]
    source = {"StringEquals": {"aws:SourceAccount": account},
              "ArnLike": {"aws:SourceArn": f"arn:aws:cloudwatch:us-east-1:{account}:alarm:openedx-shared-*"}}
    publish = [s for s in json.loads(attributes["Policy"])["Statement"]
               if s.get("Principal") == {"Service": "cloudwatch.amazonaws.com"}]
    assert [(s["Effect"], s["Action"], s["Resource"], s["Condition"]) for s in publish] == [
        ("Allow", "sns:Publish", topic_arn, source)]
    key_policy = json.loads(aws("kms").get_key_policy(KeyId=key["KeyId"], PolicyName="default")["Policy"])
    use = [s for s in key_policy["Statement"] if s.get("Principal") == {"Service": "cloudwatch.amazonaws.com"}]
    assert [(sorted(s["Action"]), s["Condition"]) for s in use] == [(["kms:Decrypt", "kms:GenerateDataKey*"], source)]
    # The local inventory's email subscription awaits its confirmation, as on AWS.
    subscriptions = aws("sns").list_subscriptions_by_topic(TopicArn=topic_arn)["Subscriptions"]
    assert [(s["Protocol"], s["Endpoint"], s["SubscriptionArn"]) for s in subscriptions] == [
        ("email", "platform-oncall@example.com", "PendingConfirmation")]


def test_the_rerun_changes_no_alarm_nor_the_topic_and_reads_each_service_once(shared_environment) -> None:
    calls = shared_environment.rerun_calls
    assert [call for call in calls["mutating"] if call.startswith(("monitoring:", "sns:"))] == []
    assert calls["read"]["monitoring:DescribeAlarms"] == 4  # one per service
    assert {call: count for call, count in calls["read"].items() if call.startswith("sns:")} == {
        "sns:GetTopicAttributes": 1, "sns:ListSubscriptionsByTopic": 1, "sns:ListTagsForResource": 1}
