"""The sandbox's ElastiCache control plane (sandbox.services.elasticache) in-process under moto."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from sandbox.dataplane import redis as dataplane

TOKEN = "Sandbox-Token-0001!"


@dataclass
class Aws:
    ec: Any
    ec2: Any
    logs: Any
    kms: Any
    subnets: list[str]
    security_group: str
    first_port: int


@pytest.fixture
def aws(elasticache_moto: int) -> Aws:
    ec2 = boto3.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.10.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.10.{i}.0/24", AvailabilityZone=f"us-east-1{zone}")
               ["Subnet"]["SubnetId"] for i, zone in enumerate("abc")]
    group = ec2.create_security_group(GroupName="redis", Description="redis", VpcId=vpc)["GroupId"]
    ec = boto3.client("elasticache")
    ec.create_cache_subnet_group(CacheSubnetGroupName="redis-private", CacheSubnetGroupDescription="private",
                                 SubnetIds=subnets)
    return Aws(ec, ec2, boto3.client("logs"), boto3.client("kms"), subnets, group, elasticache_moto)


def wait_for(ec: Any, group_id: str, status: str = "available", timeout: float = 20) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        group = ec.describe_replication_groups(ReplicationGroupId=group_id)["ReplicationGroups"][0]
        if group["Status"] == status or time.monotonic() > deadline:
            assert group["Status"] == status
            return group
        time.sleep(0.05)


def create(aws: Aws, group_id: str = "edx-redis", **overrides: Any) -> dict[str, Any]:
    request: dict[str, Any] = {
        "ReplicationGroupId": group_id, "ReplicationGroupDescription": "Open edX cache",
        "CacheNodeType": "cache.t4g.micro", "Engine": "redis", "EngineVersion": "7.1",
        "CacheSubnetGroupName": "redis-private", "SecurityGroupIds": [aws.security_group],
    }
    request.update(overrides)
    return aws.ec.create_replication_group(**request)["ReplicationGroup"]


def error_code(call: Any, **kwargs: Any) -> str:
    with pytest.raises(ClientError) as raised:
        call(**kwargs)
    return raised.value.response["Error"]["Code"]


def members(aws: Aws, group_id: str) -> dict[str, dict[str, Any]]:
    clusters = aws.ec.describe_cache_clusters(ShowCacheNodeInfo=True)["CacheClusters"]
    return {c["CacheClusterId"]: c for c in clusters if c.get("ReplicationGroupId") == group_id}


def test_single_node_group_has_one_primary_member(aws: Aws) -> None:
    created = create(aws)
    assert created["Status"] == "creating"
    assert created["MemberClusters"] == ["edx-redis-001"]

    group = wait_for(aws.ec, "edx-redis")
    node_group = group["NodeGroups"][0]
    assert [(m["CacheClusterId"], m["CurrentRole"]) for m in node_group["NodeGroupMembers"]] == [
        ("edx-redis-001", "primary")]
    assert node_group["PrimaryEndpoint"] == node_group["ReaderEndpoint"]
    assert node_group["PrimaryEndpoint"]["Address"] == "127.0.0.1"
    assert node_group["PrimaryEndpoint"]["Port"] >= aws.first_port
    assert group["AutomaticFailover"] == "disabled"
    assert group["MultiAZ"] == "disabled"
    assert group["ClusterEnabled"] is False
    assert group["TransitEncryptionEnabled"] is False
    assert group["AuthTokenEnabled"] is False
    assert "SnapshottingClusterId" not in group

    cluster = members(aws, "edx-redis")["edx-redis-001"]
    assert cluster["CacheClusterStatus"] == "available"
    assert cluster["Engine"] == "redis"
    assert cluster["EngineVersion"] == "7.1.0"
    assert cluster["CacheNodeType"] == "cache.t4g.micro"
    assert cluster["CacheParameterGroup"]["CacheParameterGroupName"] == "default.redis7"
    assert cluster["CacheSubnetGroupName"] == "redis-private"
    assert cluster["SecurityGroups"] == [{"SecurityGroupId": aws.security_group, "Status": "active"}]
    assert cluster["PreferredAvailabilityZone"] == "us-east-1a"
    assert cluster["CacheNodes"][0]["Endpoint"] == node_group["PrimaryEndpoint"]


def test_three_node_group_spreads_members_over_the_subnet_zones(aws: Aws) -> None:
    aws.logs.create_log_group(logGroupName="/openedx/redis/slow")
    aws.logs.create_log_group(logGroupName="/openedx/redis/engine")
    key = aws.kms.create_key()["KeyMetadata"]
    create(aws, ReplicasPerNodeGroup=2, AutomaticFailoverEnabled=True, MultiAZEnabled=True,
           AtRestEncryptionEnabled=True, KmsKeyId=key["KeyId"], TransitEncryptionEnabled=True, AuthToken=TOKEN,
           SnapshotRetentionLimit=7, SnapshotWindow="03:00-04:00", PreferredMaintenanceWindow="Mon:04:00-Mon:05:00",
           LogDeliveryConfigurations=[
               {"LogType": "slow-log", "DestinationType": "cloudwatch-logs", "LogFormat": "json",
                "DestinationDetails": {"CloudWatchLogsDetails": {"LogGroup": "/openedx/redis/slow"}}},
               {"LogType": "engine-log", "DestinationType": "cloudwatch-logs", "LogFormat": "text",
                "DestinationDetails": {"CloudWatchLogsDetails": {"LogGroup": "/openedx/redis/engine"}}}],
           Tags=[{"Key": "environment", "Value": "local"}])
    group = wait_for(aws.ec, "edx-redis")

    assert group["MemberClusters"] == ["edx-redis-001", "edx-redis-002", "edx-redis-003"]
    roles = {m["CacheClusterId"]: (m["CurrentRole"], m["PreferredAvailabilityZone"])
             for m in group["NodeGroups"][0]["NodeGroupMembers"]}
    assert roles == {"edx-redis-001": ("primary", "us-east-1a"), "edx-redis-002": ("replica", "us-east-1b"),
                     "edx-redis-003": ("replica", "us-east-1c")}
    assert all(m["ReadEndpoint"]["Address"] == "127.0.0.1" for m in group["NodeGroups"][0]["NodeGroupMembers"])
    assert (group["AutomaticFailover"], group["MultiAZ"]) == ("enabled", "enabled")
    assert group["AtRestEncryptionEnabled"] is True
    assert group["KmsKeyId"] == key["Arn"]
    assert (group["TransitEncryptionEnabled"], group["TransitEncryptionMode"]) == (True, "required")
    assert group["AuthTokenEnabled"] is True
    assert "AuthTokenLastModifiedDate" in group
    assert (group["SnapshotRetentionLimit"], group["SnapshotWindow"]) == (7, "03:00-04:00")
    assert group["SnapshottingClusterId"] == "edx-redis-002"
    assert group["ARN"] == "arn:aws:elasticache:us-east-1:123456789012:replicationgroup:edx-redis"
    assert [(c["LogType"], c["LogFormat"], c["Status"], c["DestinationDetails"]["CloudWatchLogsDetails"]["LogGroup"])
            for c in group["LogDeliveryConfigurations"]] == [
        ("slow-log", "json", "active", "/openedx/redis/slow"),
        ("engine-log", "text", "active", "/openedx/redis/engine")]

    clusters = members(aws, "edx-redis")
    assert set(clusters) == set(group["MemberClusters"])
    for cluster in clusters.values():
        assert cluster["PreferredMaintenanceWindow"] == "mon:04:00-mon:05:00"
        assert cluster["TransitEncryptionEnabled"] is True
        assert cluster["AuthTokenEnabled"] is True
        assert cluster["ReplicationGroupLogDeliveryEnabled"] is True
        tags = aws.ec.list_tags_for_resource(ResourceName=cluster["ARN"])["TagList"]
        assert tags == [{"Key": "environment", "Value": "local"}]
    assert aws.ec.list_tags_for_resource(ResourceName=group["ARN"])["TagList"] == [
        {"Key": "environment", "Value": "local"}]


def test_log_delivery_to_a_missing_log_group_reports_an_error(aws: Aws) -> None:
    create(aws, LogDeliveryConfigurations=[{
        "LogType": "slow-log", "DestinationType": "cloudwatch-logs", "LogFormat": "json",
        "DestinationDetails": {"CloudWatchLogsDetails": {"LogGroup": "/missing"}}}])
    config = wait_for(aws.ec, "edx-redis")["LogDeliveryConfigurations"][0]
    assert config["Status"] == "error"
    assert "/missing" in config["Message"]


CREATE_REFUSALS: list[tuple[dict[str, Any], str]] = [
    ({"NumCacheClusters": 1, "AutomaticFailoverEnabled": True}, "InvalidParameterCombination"),
    ({"NumCacheClusters": 2, "MultiAZEnabled": True}, "InvalidParameterCombination"),
    ({"AuthToken": TOKEN}, "InvalidParameterValue"),
    ({"TransitEncryptionEnabled": True, "AuthToken": "short"}, "InvalidParameterValue"),
    ({"TransitEncryptionEnabled": True, "AuthToken": "has-an-@-in-it-0123"}, "InvalidParameterValue"),
    ({"TransitEncryptionEnabled": True, "AuthToken": 'has-a-"-in-it-01234'}, "InvalidParameterValue"),
    ({"TransitEncryptionEnabled": True, "AuthToken": "has-a-/-in-it-01234"}, "InvalidParameterValue"),
    ({"NumCacheClusters": 7}, "InvalidParameterValue"),
    ({"CacheNodeType": "m5.large"}, "InvalidParameterValue"),
    ({"CacheParameterGroupName": "missing"}, "CacheParameterGroupNotFound"),
    ({"CacheParameterGroupName": "default.redis6.x"}, "InvalidParameterCombination"),
    ({"CacheSubnetGroupName": "missing"}, "CacheSubnetGroupNotFoundFault"),
    ({"SecurityGroupIds": ["sg-00000000000000000"]}, "InvalidParameterValue"),
    ({"PreferredMaintenanceWindow": "mon:04:00-mon:04:30"}, "InvalidParameterValue"),
    ({"SnapshotRetentionLimit": 36}, "InvalidParameterValue"),
    ({"KmsKeyId": "alias/missing", "AtRestEncryptionEnabled": True}, "InvalidParameterValue"),
    ({"EngineVersion": "5.0.6"}, "InvalidParameterCombination"),
    ({"ReplicationGroupId": "bad--name"}, "InvalidParameterValue"),
    ({"PreferredCacheClusterAZs": ["us-east-1a", "us-east-1b"], "NumCacheClusters": 3}, "InvalidParameterValue"),
]


def test_create_rejects_what_aws_rejects(aws: Aws) -> None:
    for overrides, code in CREATE_REFUSALS:
        with pytest.raises(ClientError) as raised:
            create(aws, **overrides)
        assert raised.value.response["Error"]["Code"] == code, overrides
    assert aws.ec.describe_replication_groups()["ReplicationGroups"] == []
    assert dataplane.servers() == []


def test_duplicate_group_is_refused(aws: Aws) -> None:
    create(aws)
    assert error_code(create, aws=aws) == "ReplicationGroupAlreadyExists"


def test_modify_round_trips_every_field(aws: Aws) -> None:
    aws.logs.create_log_group(logGroupName="/redis/slow")
    aws.logs.create_log_group(logGroupName="/redis/engine")
    other_sg = aws.ec2.create_security_group(GroupName="redis2", Description="redis2",
                                             VpcId=aws.ec2.describe_vpcs()["Vpcs"][-1]["VpcId"])["GroupId"]
    aws.ec.create_cache_parameter_group(CacheParameterGroupName="openedx-redis7", CacheParameterGroupFamily="redis7",
                                        Description="Open edX")
    create(aws, EngineVersion="7.0", NumCacheClusters=2, AutomaticFailoverEnabled=True, MultiAZEnabled=True,
           LogDeliveryConfigurations=[
               {"LogType": "slow-log", "DestinationType": "cloudwatch-logs", "LogFormat": "json",
                "DestinationDetails": {"CloudWatchLogsDetails": {"LogGroup": "/redis/slow"}}},
               {"LogType": "engine-log", "DestinationType": "cloudwatch-logs", "LogFormat": "json",
                "DestinationDetails": {"CloudWatchLogsDetails": {"LogGroup": "/redis/engine"}}}])
    wait_for(aws.ec, "edx-redis")

    response = aws.ec.modify_replication_group(
        ReplicationGroupId="edx-redis", ApplyImmediately=True, ReplicationGroupDescription="changed",
        CacheNodeType="cache.t4g.small", EngineVersion="7.1", MultiAZEnabled=False, AutomaticFailoverEnabled=False,
        SnapshotRetentionLimit=5, SnapshotWindow="02:00-03:00", PreferredMaintenanceWindow="tue:04:00-tue:05:00",
        CacheParameterGroupName="openedx-redis7", SecurityGroupIds=[other_sg],
        LogDeliveryConfigurations=[{"LogType": "engine-log", "Enabled": False},
                                   {"LogType": "slow-log", "LogFormat": "text", "Enabled": True}],
    )["ReplicationGroup"]
    assert response["Status"] == "modifying"

    group = wait_for(aws.ec, "edx-redis")
    assert group["Description"] == "changed"
    assert group["CacheNodeType"] == "cache.t4g.small"
    assert (group["AutomaticFailover"], group["MultiAZ"]) == ("disabled", "disabled")
    assert (group["SnapshotRetentionLimit"], group["SnapshotWindow"]) == (5, "02:00-03:00")
    assert [(c["LogType"], c["LogFormat"], c["Status"]) for c in group["LogDeliveryConfigurations"]] == [
        ("slow-log", "text", "active")]
    assert group["PendingModifiedValues"] == {}
    for cluster in members(aws, "edx-redis").values():
        assert cluster["EngineVersion"] == "7.1.0"
        assert cluster["CacheNodeType"] == "cache.t4g.small"
        assert cluster["PreferredMaintenanceWindow"] == "tue:04:00-tue:05:00"
        assert cluster["CacheParameterGroup"] == {"CacheParameterGroupName": "openedx-redis7",
                                                  "ParameterApplyStatus": "in-sync", "CacheNodeIdsToReboot": []}
        assert cluster["SecurityGroups"] == [{"SecurityGroupId": other_sg, "Status": "active"}]
        assert cluster["PendingModifiedValues"] == {}


def test_node_type_change_without_apply_immediately_stays_pending(aws: Aws) -> None:
    create(aws)
    wait_for(aws.ec, "edx-redis")
    aws.ec.modify_replication_group(ReplicationGroupId="edx-redis", CacheNodeType="cache.t4g.small",
                                    ApplyImmediately=False)
    group = wait_for(aws.ec, "edx-redis")
    assert group["CacheNodeType"] == "cache.t4g.micro"
    assert members(aws, "edx-redis")["edx-redis-001"]["PendingModifiedValues"] == {"CacheNodeType": "cache.t4g.small"}

    aws.ec.modify_replication_group(ReplicationGroupId="edx-redis", ApplyImmediately=True,
                                    SnapshotRetentionLimit=1)
    assert wait_for(aws.ec, "edx-redis")["CacheNodeType"] == "cache.t4g.small"


MODIFY_REFUSALS: list[tuple[dict[str, Any], str]] = [
    ({}, "InvalidParameterCombination"),
    ({"MultiAZEnabled": True}, "InvalidParameterCombination"),
    ({"AutomaticFailoverEnabled": True}, "InvalidParameterCombination"),
    ({"AuthToken": TOKEN, "AuthTokenUpdateStrategy": "ROTATE"}, "InvalidParameterValue"),
    ({"EngineVersion": "6.2"}, "InvalidParameterValue"),
    ({"CacheParameterGroupName": "default.redis6.x"}, "InvalidParameterCombination"),
    ({"LogDeliveryConfigurations": [{"LogType": "audit-log", "Enabled": True}]}, "InvalidParameterValue"),
    ({"PreferredMaintenanceWindow": "someday"}, "InvalidParameterValue"),
]


def test_modify_rejects_what_aws_rejects(aws: Aws) -> None:
    create(aws)
    before = wait_for(aws.ec, "edx-redis")
    for request_fields, code in MODIFY_REFUSALS:
        assert error_code(aws.ec.modify_replication_group, ReplicationGroupId="edx-redis", ApplyImmediately=True,
                          **request_fields) == code, request_fields
    after = wait_for(aws.ec, "edx-redis")
    assert {k: v for k, v in after.items() if k != "ResponseMetadata"} == \
        {k: v for k, v in before.items() if k != "ResponseMetadata"}


def test_replica_count_goes_up_and_down_without_touching_the_primary(aws: Aws) -> None:
    create(aws, NumCacheClusters=2, AutomaticFailoverEnabled=True)
    wait_for(aws.ec, "edx-redis")

    increased = aws.ec.increase_replica_count(ReplicationGroupId="edx-redis", NewReplicaCount=3,
                                              ApplyImmediately=True)["ReplicationGroup"]
    assert increased["Status"] == "modifying"
    assert increased["MemberClusters"] == ["edx-redis-001", "edx-redis-002", "edx-redis-003", "edx-redis-004"]
    group = wait_for(aws.ec, "edx-redis")
    zones = [m["PreferredAvailabilityZone"] for m in group["NodeGroups"][0]["NodeGroupMembers"]]
    assert zones == ["us-east-1a", "us-east-1b", "us-east-1c", "us-east-1a"]
    assert set(members(aws, "edx-redis")) == set(group["MemberClusters"])

    assert error_code(aws.ec.decrease_replica_count, ReplicationGroupId="edx-redis",
                      ReplicasToRemove=["edx-redis-001"], ApplyImmediately=True) == "InvalidParameterValue"
    assert error_code(aws.ec.decrease_replica_count, ReplicationGroupId="edx-redis", NewReplicaCount=0,
                      ApplyImmediately=True) == "InvalidParameterValue"
    assert error_code(aws.ec.increase_replica_count, ReplicationGroupId="edx-redis", NewReplicaCount=2,
                      ApplyImmediately=True) == "InvalidParameterValue"

    decreased = aws.ec.decrease_replica_count(ReplicationGroupId="edx-redis", ReplicasToRemove=["edx-redis-003"],
                                              ApplyImmediately=True)["ReplicationGroup"]
    assert decreased["Status"] == "modifying"
    group = wait_for(aws.ec, "edx-redis")
    assert group["MemberClusters"] == ["edx-redis-001", "edx-redis-002", "edx-redis-004"]

    aws.ec.decrease_replica_count(ReplicationGroupId="edx-redis", NewReplicaCount=1, ApplyImmediately=True)
    group = wait_for(aws.ec, "edx-redis")
    assert group["MemberClusters"] == ["edx-redis-001", "edx-redis-002"]
    assert group["NodeGroups"][0]["NodeGroupMembers"][0]["CurrentRole"] == "primary"
    assert error_code(aws.ec.describe_cache_clusters, CacheClusterId="edx-redis-004") == "CacheClusterNotFound"
    assert error_code(aws.ec.delete_cache_cluster, CacheClusterId="edx-redis-002") == "InvalidCacheClusterState"


def test_transitions_take_simulated_time(aws: Aws, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SANDBOX_TIME_SCALE", "0.1")  # creating 1 s, modifying 1 s, deleting 0.5 s
    create(aws, NumCacheClusters=2)
    assert aws.ec.describe_replication_groups()["ReplicationGroups"][0]["Status"] == "creating"
    assert members(aws, "edx-redis")["edx-redis-002"]["CacheClusterStatus"] == "creating"
    assert "PrimaryEndpoint" not in aws.ec.describe_replication_groups()["ReplicationGroups"][0]["NodeGroups"][0]
    assert error_code(aws.ec.delete_replication_group, ReplicationGroupId="edx-redis") == \
        "InvalidReplicationGroupState"
    wait_for(aws.ec, "edx-redis")

    aws.ec.modify_replication_group(ReplicationGroupId="edx-redis", AutomaticFailoverEnabled=True,
                                    ApplyImmediately=True)
    group = aws.ec.describe_replication_groups(ReplicationGroupId="edx-redis")["ReplicationGroups"][0]
    assert (group["Status"], group["AutomaticFailover"]) == ("modifying", "enabling")
    assert group["PendingModifiedValues"] == {"AutomaticFailoverStatus": "enabled"}
    assert error_code(aws.ec.modify_replication_group, ReplicationGroupId="edx-redis",
                      SnapshotRetentionLimit=1, ApplyImmediately=True) == "InvalidReplicationGroupState"
    assert wait_for(aws.ec, "edx-redis")["AutomaticFailover"] == "enabled"

    pid = dataplane.servers()[0]["pid"]
    assert aws.ec.delete_replication_group(ReplicationGroupId="edx-redis")["ReplicationGroup"]["Status"] == \
        "deleting"
    assert wait_for(aws.ec, "edx-redis", "deleting")["Status"] == "deleting"
    deadline = time.monotonic() + 10
    while dataplane.servers() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert error_code(aws.ec.describe_replication_groups, ReplicationGroupId="edx-redis") == \
        "ReplicationGroupNotFoundFault"
    assert error_code(aws.ec.describe_cache_clusters, CacheClusterId="edx-redis-001") == "CacheClusterNotFound"
    assert dataplane.servers() == []
    assert not dataplane.alive(pid)


def test_parameter_groups_crud_and_validation(aws: Aws) -> None:
    ec = aws.ec
    names = {g["CacheParameterGroupName"] for g in ec.describe_cache_parameter_groups()["CacheParameterGroups"]}
    assert {"default.redis7", "default.redis7.cluster.on"} <= names

    created = ec.create_cache_parameter_group(CacheParameterGroupName="openedx-redis7",
                                              CacheParameterGroupFamily="redis7", Description="Open edX",
                                              Tags=[{"Key": "environment", "Value": "local"}])
    assert ec.list_tags_for_resource(ResourceName=created["CacheParameterGroup"]["ARN"])["TagList"] == [
        {"Key": "environment", "Value": "local"}]
    assert created["CacheParameterGroup"] == {
        "CacheParameterGroupName": "openedx-redis7", "CacheParameterGroupFamily": "redis7", "Description": "Open edX",
        "IsGlobal": False, "ARN": "arn:aws:elasticache:us-east-1:123456789012:parametergroup:openedx-redis7"}
    assert error_code(ec.create_cache_parameter_group, CacheParameterGroupName="openedx-redis7",
                      CacheParameterGroupFamily="redis7", Description="x") == "CacheParameterGroupAlreadyExists"
    assert error_code(ec.create_cache_parameter_group, CacheParameterGroupName="other",
                      CacheParameterGroupFamily="redis99", Description="x") == "InvalidParameterValue"

    params = {p["ParameterName"]: p for p in
              ec.describe_cache_parameters(CacheParameterGroupName="openedx-redis7")["Parameters"]}
    policy = params["maxmemory-policy"]
    assert (policy["ParameterValue"], policy["Source"], policy["DataType"], policy["IsModifiable"],
            policy["ChangeType"]) == ("volatile-lru", "system", "string", True, "immediate")
    assert "allkeys-lru" in policy["AllowedValues"].split(",")
    assert (params["timeout"]["ParameterValue"], params["timeout"]["DataType"]) == ("0", "integer")
    assert params["tcp-keepalive"]["ParameterValue"] == "300"
    assert params["notify-keyspace-events"]["ParameterValue"] == ""
    assert params["databases"]["ChangeType"] == "requires-reboot"
    assert params["maxclients"]["IsModifiable"] is False
    defaults = ec.describe_engine_default_parameters(CacheParameterGroupFamily="redis7")["EngineDefaults"]
    assert defaults["CacheParameterGroupFamily"] == "redis7"
    assert {p["ParameterName"] for p in defaults["Parameters"]} == set(params)

    assert ec.modify_cache_parameter_group(
        CacheParameterGroupName="openedx-redis7",
        ParameterNameValues=[{"ParameterName": "maxmemory-policy", "ParameterValue": "allkeys-lru"},
                             {"ParameterName": "timeout", "ParameterValue": "300"}],
    )["CacheParameterGroupName"] == "openedx-redis7"
    user = ec.describe_cache_parameters(CacheParameterGroupName="openedx-redis7", Source="user")["Parameters"]
    assert {(p["ParameterName"], p["ParameterValue"]) for p in user} == {("maxmemory-policy", "allkeys-lru"),
                                                                          ("timeout", "300")}

    for name, value in (("maxmemory-policy", "sometimes-lru"), ("timeout", "5"), ("timeout", "soon"),
                        ("no-such-parameter", "1"), ("maxclients", "100"), ("notify-keyspace-events", "Q")):
        assert error_code(ec.modify_cache_parameter_group, CacheParameterGroupName="openedx-redis7",
                          ParameterNameValues=[{"ParameterName": name, "ParameterValue": value}]) == \
            "InvalidParameterValue", (name, value)
    assert error_code(ec.modify_cache_parameter_group, CacheParameterGroupName="default.redis7",
                      ParameterNameValues=[{"ParameterName": "timeout", "ParameterValue": "300"}]) == \
        "InvalidParameterValue"

    ec.reset_cache_parameter_group(CacheParameterGroupName="openedx-redis7",
                                   ParameterNameValues=[{"ParameterName": "timeout"}])
    user = ec.describe_cache_parameters(CacheParameterGroupName="openedx-redis7", Source="user")["Parameters"]
    assert [p["ParameterName"] for p in user] == ["maxmemory-policy"]
    ec.reset_cache_parameter_group(CacheParameterGroupName="openedx-redis7", ResetAllParameters=True)
    assert ec.describe_cache_parameters(CacheParameterGroupName="openedx-redis7", Source="user")["Parameters"] == []

    create(aws, CacheParameterGroupName="openedx-redis7")
    assert error_code(ec.delete_cache_parameter_group, CacheParameterGroupName="openedx-redis7") == \
        "InvalidCacheParameterGroupState"
    assert error_code(ec.delete_cache_parameter_group, CacheParameterGroupName="default.redis7") == \
        "InvalidCacheParameterGroupState"
    wait_for(ec, "edx-redis")
    ec.delete_replication_group(ReplicationGroupId="edx-redis")
    ec.delete_cache_parameter_group(CacheParameterGroupName="openedx-redis7")
    assert error_code(ec.describe_cache_parameters, CacheParameterGroupName="openedx-redis7") == \
        "CacheParameterGroupNotFound"


def test_subnet_groups_follow_the_vpc_subnets(aws: Aws) -> None:
    ec = aws.ec
    group = ec.describe_cache_subnet_groups(CacheSubnetGroupName="redis-private")["CacheSubnetGroups"][0]
    assert {(s["SubnetIdentifier"], s["SubnetAvailabilityZone"]["Name"]) for s in group["Subnets"]} == set(
        zip(aws.subnets, ("us-east-1a", "us-east-1b", "us-east-1c"), strict=True))
    assert group["VpcId"].startswith("vpc-")

    created = ec.create_cache_subnet_group(CacheSubnetGroupName="Mixed-Case", CacheSubnetGroupDescription="two",
                                           SubnetIds=aws.subnets[:2])["CacheSubnetGroup"]
    assert created["CacheSubnetGroupName"] == "mixed-case"
    modified = ec.modify_cache_subnet_group(CacheSubnetGroupName="mixed-case", CacheSubnetGroupDescription="one",
                                            SubnetIds=aws.subnets[2:])["CacheSubnetGroup"]
    assert modified["CacheSubnetGroupDescription"] == "one"
    assert [s["SubnetAvailabilityZone"]["Name"] for s in modified["Subnets"]] == ["us-east-1c"]
    assert error_code(ec.create_cache_subnet_group, CacheSubnetGroupName="bad", CacheSubnetGroupDescription="x",
                      SubnetIds=["subnet-00000000"]) == "InvalidSubnet"
    assert error_code(ec.create_cache_subnet_group, CacheSubnetGroupName="mixed-case",
                      CacheSubnetGroupDescription="x", SubnetIds=aws.subnets) == "CacheSubnetGroupAlreadyExists"

    create(aws, CacheSubnetGroupName="mixed-case")
    assert members(aws, "edx-redis")["edx-redis-001"]["PreferredAvailabilityZone"] == "us-east-1c"
    assert error_code(ec.delete_cache_subnet_group, CacheSubnetGroupName="mixed-case") == "CacheSubnetGroupInUse"
    wait_for(ec, "edx-redis")
    ec.delete_replication_group(ReplicationGroupId="edx-redis")
    ec.delete_cache_subnet_group(CacheSubnetGroupName="mixed-case")
    assert error_code(ec.describe_cache_subnet_groups, CacheSubnetGroupName="mixed-case") == \
        "CacheSubnetGroupNotFoundFault"


class FakeModule:
    """The parts of AnsibleAWSModule the community.aws elasticache modules call."""

    check_mode = False

    def fail_json(self, **kwargs: Any) -> None:
        raise AssertionError(kwargs["msg"])

    def fail_json_aws(self, error: Exception, **kwargs: Any) -> None:
        raise AssertionError(f"{kwargs.get('msg')}: {error}")


class NoRetry:
    """A client that accepts (and drops) the ``aws_retry`` argument AWSRetry-wrapped clients take."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def __getattr__(self, name: str) -> Any:
        method = getattr(self.client, name)
        return lambda **kwargs: method(**{k: v for k, v in kwargs.items() if k != "aws_retry"})


def test_community_aws_parameter_group_module_calls(aws: Aws) -> None:
    from ansible_collections.community.aws.plugins.modules import elasticache_parameter_group as pg

    module = FakeModule()
    assert pg.get_info(aws.ec, "openedx") is False
    _, changed = pg.create(module, aws.ec, "openedx", "redis7", "Open edX")
    assert changed
    modifiable = pg.make_current_modifiable_param_dict(module, aws.ec, "openedx")
    changed, values = pg.check_valid_modification(module, {"maxmemory-policy": "allkeys-lru", "timeout": 300},
                                                  modifiable)
    assert changed
    assert pg.modify(module, aws.ec, "openedx", values)["CacheParameterGroupName"] == "openedx"
    after = pg.make_current_modifiable_param_dict(module, aws.ec, "openedx")
    assert (after["maxmemory-policy"][2], after["timeout"][2]) == ("allkeys-lru", "300")
    assert pg.check_valid_modification(module, {"maxmemory-policy": "allkeys-lru"}, after)[0] is False
    _, changed = pg.reset(module, aws.ec, "openedx", None)
    assert changed
    assert pg.make_current_modifiable_param_dict(module, aws.ec, "openedx")["timeout"][2] == "0"
    _, changed = pg.delete(module, aws.ec, "openedx")
    assert changed and pg.get_info(aws.ec, "openedx") is False


def test_community_aws_subnet_group_module_calls(aws: Aws, monkeypatch: pytest.MonkeyPatch) -> None:
    from ansible_collections.community.aws.plugins.modules import elasticache_subnet_group as sg

    monkeypatch.setattr(sg, "client", NoRetry(aws.ec), raising=False)
    monkeypatch.setattr(sg, "module", FakeModule(), raising=False)
    assert sg.get_subnet_group("openedx-cache") is None
    assert sg.create_subnet_group("openedx-cache", "cache", aws.subnets[:2]) is True
    current = sg.get_subnet_group("openedx-cache")
    assert sorted(current["subnet_ids"]) == sorted(aws.subnets[:2])
    assert sg.update_subnet_group(current, "openedx-cache", "cache", aws.subnets[:2]) is False
    assert sg.update_subnet_group(current, "openedx-cache", "new", aws.subnets) is True
    updated = sg.get_subnet_group("openedx-cache")
    assert (updated["description"], sorted(updated["subnet_ids"])) == ("new", sorted(aws.subnets))
    assert sg.delete_subnet_group("openedx-cache") is True
    assert sg.get_subnet_group("openedx-cache") is None
    assert sg.delete_subnet_group("openedx-cache") is False
