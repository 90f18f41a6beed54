"""The real Redis behind each sandbox replication group (sandbox.dataplane.redis), driven through the API."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from sandbox.dataplane import redis as dataplane
from sandbox.tls import ca_bundle

OLD = "Old-Token-0123456789"
NEW = "New-Token-9876543210"


@dataclass
class Aws:
    ec: Any
    state: Path
    first_port: int


@pytest.fixture
def aws(elasticache_moto: int, tmp_path: Path) -> Aws:
    return Aws(boto3.client("elasticache"), tmp_path, elasticache_moto)


def create(aws: Aws, group_id: str, **overrides: Any) -> dict[str, Any]:
    """Create a group and wait until it is available; returns its primary endpoint. An override None leaves a
    default out."""
    request: dict[str, Any] = {"ReplicationGroupId": group_id, "ReplicationGroupDescription": "cache",
                               "CacheNodeType": "cache.t4g.micro", "EngineVersion": "7.1"}
    request.update(overrides)
    aws.ec.create_replication_group(**{key: value for key, value in request.items() if value is not None})
    deadline = time.monotonic() + 20
    while True:
        group = aws.ec.describe_replication_groups(ReplicationGroupId=group_id)["ReplicationGroups"][0]
        if group["Status"] == "available":
            return group["NodeGroups"][0]["PrimaryEndpoint"]
        assert time.monotonic() < deadline, group["Status"]
        time.sleep(0.05)


def connect(endpoint: dict[str, Any], token: str | None = None, tls: bool = True) -> redis.Redis:
    options: dict[str, Any] = {"host": endpoint["Address"], "port": endpoint["Port"], "password": token,
                               "socket_timeout": 1, "socket_connect_timeout": 1, "retry": Retry(NoBackoff(), 0)}
    if tls:
        options.update(ssl=True, ssl_ca_certs=str(ca_bundle()), ssl_cert_reqs="required")
    return redis.Redis(**options)


def answers(endpoint: dict[str, Any], token: str | None = None, tls: bool = True) -> bool:
    """Whether a client with these settings can run a command."""
    try:
        with connect(endpoint, token, tls) as client:
            return bool(client.ping())
    except (redis.AuthenticationError, redis.ResponseError, redis.ConnectionError, redis.TimeoutError):
        return False


def last_modified(aws: Aws, group_id: str) -> Any:
    return aws.ec.describe_replication_groups(ReplicationGroupId=group_id)["ReplicationGroups"][0][
        "AuthTokenLastModifiedDate"]


def test_auth_token_rotate_then_set_over_tls(aws: Aws) -> None:
    endpoint = create(aws, "secure", TransitEncryptionEnabled=True, AuthToken=OLD)
    assert answers(endpoint, OLD)
    assert not answers(endpoint, None)
    assert not answers(endpoint, NEW)
    assert not answers(endpoint, OLD, tls=False)
    with connect(endpoint, OLD) as client:
        client.set("course", "demo")
    created_at = last_modified(aws, "secure")

    aws.ec.modify_replication_group(ReplicationGroupId="secure", AuthToken=NEW, AuthTokenUpdateStrategy="ROTATE",
                                    ApplyImmediately=True)
    assert answers(endpoint, OLD) and answers(endpoint, NEW)
    assert not answers(endpoint, None)
    rotated_at = last_modified(aws, "secure")
    assert rotated_at > created_at

    aws.ec.modify_replication_group(ReplicationGroupId="secure", AuthToken=NEW, AuthTokenUpdateStrategy="SET",
                                    ApplyImmediately=True)
    assert answers(endpoint, NEW)
    assert not answers(endpoint, OLD)
    assert not answers(endpoint, None)
    assert last_modified(aws, "secure") > rotated_at
    with connect(endpoint, NEW) as client:
        assert client.get("course") == b"demo"

    aws.ec.modify_replication_group(ReplicationGroupId="secure", AuthTokenUpdateStrategy="DELETE",
                                    ApplyImmediately=True)
    group = aws.ec.describe_replication_groups(ReplicationGroupId="secure")["ReplicationGroups"][0]
    assert group["AuthTokenEnabled"] is False
    assert answers(endpoint, None)
    config = (aws.state / "redis" / "secure" / "redis.conf").read_text()
    assert OLD not in config and NEW not in config


def test_rotate_adds_a_token_to_a_group_without_auth(aws: Aws) -> None:
    endpoint = create(aws, "open", TransitEncryptionEnabled=True)
    assert answers(endpoint, None)
    aws.ec.modify_replication_group(ReplicationGroupId="open", AuthToken=NEW, AuthTokenUpdateStrategy="ROTATE",
                                    ApplyImmediately=True)
    assert answers(endpoint, None) and answers(endpoint, NEW)
    aws.ec.modify_replication_group(ReplicationGroupId="open", AuthToken=NEW, AuthTokenUpdateStrategy="SET",
                                    ApplyImmediately=True)
    assert answers(endpoint, NEW)
    assert not answers(endpoint, None)


def test_parameter_group_values_reach_the_real_server(aws: Aws) -> None:
    aws.ec.create_cache_parameter_group(CacheParameterGroupName="openedx", CacheParameterGroupFamily="redis7",
                                        Description="Open edX")
    aws.ec.modify_cache_parameter_group(
        CacheParameterGroupName="openedx",
        ParameterNameValues=[{"ParameterName": "maxmemory-policy", "ParameterValue": "allkeys-lru"},
                             {"ParameterName": "notify-keyspace-events", "ParameterValue": "Ex"}])
    endpoint = create(aws, "cache", TransitEncryptionEnabled=True, AuthToken=OLD, CacheParameterGroupName="openedx")
    with connect(endpoint, OLD) as client:
        assert client.config_get("maxmemory-policy") == {"maxmemory-policy": "allkeys-lru"}
        assert client.config_get("notify-keyspace-events") == {"notify-keyspace-events": "xE"}

        aws.ec.modify_cache_parameter_group(
            CacheParameterGroupName="openedx",
            ParameterNameValues=[{"ParameterName": "maxmemory-policy", "ParameterValue": "volatile-ttl"},
                                 {"ParameterName": "timeout", "ParameterValue": "600"}])
        assert client.config_get("maxmemory-policy") == {"maxmemory-policy": "volatile-ttl"}
        assert client.config_get("timeout") == {"timeout": "600"}

        aws.ec.reset_cache_parameter_group(CacheParameterGroupName="openedx", ResetAllParameters=True)
        assert client.config_get("maxmemory-policy") == {"maxmemory-policy": "volatile-lru"}
        assert client.config_get("timeout") == {"timeout": "0"}

        aws.ec.modify_cache_parameter_group(
            CacheParameterGroupName="openedx",
            ParameterNameValues=[{"ParameterName": "maxmemory-policy", "ParameterValue": "allkeys-lfu"}])
        aws.ec.modify_replication_group(ReplicationGroupId="cache", CacheParameterGroupName="openedx",
                                        ApplyImmediately=True)
        assert client.config_get("maxmemory-policy") == {"maxmemory-policy": "allkeys-lfu"}
        aws.ec.modify_replication_group(ReplicationGroupId="cache", CacheParameterGroupName="default.redis7",
                                        ApplyImmediately=True)
        assert client.config_get("maxmemory-policy") == {"maxmemory-policy": "volatile-lru"}


def test_each_group_gets_its_own_port_upward_from_the_first(aws: Aws) -> None:
    first = create(aws, "plain-one")
    second = create(aws, "plain-two")
    assert (first["Port"], second["Port"]) == (aws.first_port, aws.first_port + 1)
    assert answers(first, tls=False) and answers(second, tls=False)
    assert not answers(first, tls=True)
    listed = {s["resource"]: s for s in dataplane.servers()}
    assert set(listed) == {"plain-one", "plain-two"}
    assert all(s["engine"] == "redis" and s["alive"] and s["pid"] and s["tls"] is False for s in listed.values())
    assert listed["plain-one"]["port"] == first["Port"]


def test_delete_stops_the_server_and_removes_its_data(aws: Aws) -> None:
    endpoint = create(aws, "doomed", TransitEncryptionEnabled=True, AuthToken=OLD)
    server = dataplane.get("doomed")
    assert server is not None and server.running()
    data = aws.state / "redis" / "doomed"
    assert data.is_dir()

    aws.ec.delete_replication_group(ReplicationGroupId="doomed")
    assert not server.running()
    assert not dataplane.alive(server.pid or 0)
    assert not data.exists()
    assert dataplane.servers() == []
    assert not answers(endpoint, OLD)


def test_stop_all_stops_every_server(aws: Aws) -> None:
    create(aws, "one")
    create(aws, "two", TransitEncryptionEnabled=True)
    pids = [s["pid"] for s in dataplane.servers()]
    assert len(pids) == 2 and all(dataplane.alive(pid) for pid in pids)
    dataplane.stop_all()
    assert dataplane.servers() == []
    assert not any(dataplane.alive(pid) for pid in pids)


def test_final_snapshot_restores_into_a_new_group(aws: Aws) -> None:
    endpoint = create(aws, "source", TransitEncryptionEnabled=True, AuthToken=OLD)
    with connect(endpoint, OLD) as client:
        client.set("enrollment", "verified")
    aws.ec.delete_replication_group(ReplicationGroupId="source", FinalSnapshotIdentifier="source-final")
    snapshot = aws.ec.describe_snapshots(SnapshotName="source-final")["Snapshots"][0]
    assert snapshot["ReplicationGroupId"] == "source"
    assert snapshot["SnapshotStatus"] == "available"

    restored = create(aws, "restored", TransitEncryptionEnabled=True, AuthToken=NEW, SnapshotName="source-final")
    with connect(restored, NEW) as client:
        assert client.get("enrollment") == b"verified"


def wait_available(aws: Aws, group_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 20
    while True:
        group = aws.ec.describe_replication_groups(ReplicationGroupId=group_id)["ReplicationGroups"][0]
        if group["Status"] == "available":
            return group
        assert time.monotonic() < deadline, group["Status"]
        time.sleep(0.05)


def test_manual_snapshot_holds_the_data_as_of_the_call(aws: Aws) -> None:
    key = boto3.client("kms").create_key()["KeyMetadata"]["Arn"]
    endpoint = create(aws, "source", TransitEncryptionEnabled=True, AuthToken=OLD, AtRestEncryptionEnabled=True,
                      KmsKeyId=key, CacheNodeType="cache.t4g.small")
    with connect(endpoint, OLD) as client:
        client.set("course", "before")
    taken = aws.ec.create_snapshot(ReplicationGroupId="source", SnapshotName="source-manual",
                                   Tags=[{"Key": "reason", "Value": "upgrade"}])["Snapshot"]
    assert (taken["SnapshotStatus"], taken["SnapshotSource"], taken["ReplicationGroupId"]) == (
        "creating", "manual", "source")
    with connect(endpoint, OLD) as client:
        client.set("course", "after")
        client.set("grade", "A")

    snapshot = aws.ec.describe_snapshots(SnapshotName="source-manual")["Snapshots"][0]
    assert snapshot["SnapshotStatus"] == "available"
    assert (snapshot["KmsKeyId"], snapshot["CacheNodeType"], snapshot["EngineVersion"]) == (
        key, "cache.t4g.small", "7.1.0")
    [node] = snapshot["NodeSnapshots"]
    assert (node["CacheClusterId"], node["CacheNodeId"], node["CacheSize"]) == ("source-001", "0001", "1 MB")
    assert node["SnapshotCreateTime"] >= node["CacheNodeCreateTime"]
    assert aws.ec.list_tags_for_resource(ResourceName=snapshot["ARN"])["TagList"] == [
        {"Key": "reason", "Value": "upgrade"}]
    rdb = aws.state / "snapshots" / "elasticache" / "source-manual.rdb"
    assert rdb.read_bytes().startswith(b"REDIS")
    assert [s["SnapshotName"] for s in aws.ec.describe_snapshots(ReplicationGroupId="source")["Snapshots"]] == [
        "source-manual"]

    # The copy: a server of its own, seeded from the RDB, with the token of its own create call.
    restored = create(aws, "restored", TransitEncryptionEnabled=True, AuthToken=NEW, SnapshotName="source-manual",
                      CacheNodeType=None, EngineVersion=None)
    group = aws.ec.describe_replication_groups(ReplicationGroupId="restored")["ReplicationGroups"][0]
    assert group["CacheNodeType"] == "cache.t4g.small"
    assert restored["Port"] != endpoint["Port"]
    assert not answers(restored, OLD)
    with connect(restored, NEW) as client:
        assert client.get("course") == b"before"
        assert client.get("grade") is None
    with connect(endpoint, OLD) as client:
        assert client.get("course") == b"after"

    aws.ec.delete_snapshot(SnapshotName="source-manual")
    assert not rdb.exists()
    assert aws.ec.describe_snapshots(ReplicationGroupId="source")["Snapshots"] == []


def test_a_snapshot_is_creating_for_the_simulated_time(aws: Aws, monkeypatch: pytest.MonkeyPatch) -> None:
    create(aws, "slow")
    monkeypatch.setenv("SANDBOX_TIME_SCALE", "60")  # 3 minutes of AWS work: 3 real minutes
    aws.ec.create_snapshot(ReplicationGroupId="slow", SnapshotName="slow-manual")
    assert aws.ec.describe_snapshots(SnapshotName="slow-manual")["Snapshots"][0]["SnapshotStatus"] == "creating"
    for call, request in ((aws.ec.delete_snapshot, {"SnapshotName": "slow-manual"}),
                          (aws.ec.create_replication_group, {
                              "ReplicationGroupId": "early", "ReplicationGroupDescription": "cache",
                              "SnapshotName": "slow-manual"})):
        with pytest.raises(aws.ec.exceptions.InvalidSnapshotStateFault):
            call(**request)
    with pytest.raises(aws.ec.exceptions.SnapshotAlreadyExistsFault):
        aws.ec.create_snapshot(ReplicationGroupId="slow", SnapshotName="slow-manual")
    with pytest.raises(aws.ec.exceptions.SnapshotNotFoundFault):
        aws.ec.create_replication_group(ReplicationGroupId="early", ReplicationGroupDescription="cache",
                                        CacheNodeType="cache.t4g.micro", SnapshotName="missing")


def test_scaling_keeps_the_server_and_its_data(aws: Aws) -> None:
    endpoint = create(aws, "grows")
    server = dataplane.get("grows")
    assert server is not None
    pid = server.pid
    with connect(endpoint, tls=False) as client:
        client.set("learner", "enrolled")

    def still_there() -> bool:
        group = wait_available(aws, "grows")
        assert group["NodeGroups"][0]["PrimaryEndpoint"] == endpoint
        with connect(endpoint, tls=False) as client:
            return client.get("learner") == b"enrolled" and dataplane.get("grows") is server and server.pid == pid

    aws.ec.increase_replica_count(ReplicationGroupId="grows", NewReplicaCount=2, ApplyImmediately=True)
    assert still_there()
    assert len(wait_available(aws, "grows")["MemberClusters"]) == 3
    aws.ec.modify_replication_group(ReplicationGroupId="grows", CacheNodeType="cache.t4g.small", ApplyImmediately=True)
    assert still_there()
    assert wait_available(aws, "grows")["CacheNodeType"] == "cache.t4g.small"
    aws.ec.decrease_replica_count(ReplicationGroupId="grows", NewReplicaCount=0, ApplyImmediately=True)
    assert still_there()
    assert wait_available(aws, "grows")["MemberClusters"] == ["grows-001"]
