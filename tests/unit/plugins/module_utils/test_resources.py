"""module_utils/resources.py: each kind's ready and failed states, from describe results (no AWS)."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from ansible_collections.openedx.data_services.plugins.module_utils import resources
from botocore.exceptions import ClientError


def test_opensearch_domain_states() -> None:
    def state(**domain: Any) -> dict[str, Any]:
        client = mock.Mock()
        client.describe_domain.return_value = {"DomainStatus": {"ARN": "arn", **domain}}
        return resources.describe(client, "opensearch_domain", "edx-search")

    creating = state(Created=True, Processing=True)
    assert (creating["status"], creating["ready"], creating["endpoint"]) == ("creating", False, "")
    modifying = state(Created=True, Processing=True, Endpoints={"vpc": "vpc-edx"}, DomainProcessingStatus="Modifying")
    assert (modifying["status"], modifying["ready"]) == ("modifying", False)
    active = state(Created=True, Processing=False, Endpoints={"vpc": "vpc-edx"})
    assert (active["status"], active["ready"], active["endpoint"], active["port"]) == ("active", True, "vpc-edx", 443)
    upgrading = state(Created=True, Processing=False, UpgradeProcessing=True, Endpoint="edx")
    assert (upgrading["status"], upgrading["ready"]) == ("processing", False)
    deleted = state(Created=True, Deleted=True, Endpoint="edx")
    assert (deleted["status"], deleted["ready"], deleted["failed"]) == ("deleting", False, True)


def test_ec2_instance_states() -> None:
    def state(name: str, reservations: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        client = mock.Mock()
        client.describe_instances.return_value = {"Reservations": reservations if reservations is not None else [
            {"Instances": [{"InstanceId": "i-0abc", "State": {"Name": name}, "PrivateIpAddress": "10.0.1.5"}]}]}
        return resources.describe(client, "ec2_instance", "i-0abc")

    pending, running = state("pending"), state("running")
    assert (pending["ready"], pending["failed"]) == (False, False)
    assert (running["ready"], running["endpoint"]) == (True, "10.0.1.5")
    assert state("stopped")["failed"] is True and state("terminated")["failed"] is True
    assert state("", reservations=[])["status"] == "absent"
    client = mock.Mock()
    client.describe_instances.side_effect = ClientError(
        {"Error": {"Code": "InvalidInstanceID.NotFound", "Message": "no"}}, "DescribeInstances")
    assert resources.describe(client, "ec2_instance", "i-0gone")["status"] == "absent"


def test_elasticache_has_its_own_failure_states() -> None:
    assert resources.state("elasticache_replication_group", "create-failed")["failed"] is True
    assert resources.state("elasticache_replication_group", "snapshotting")["failed"] is False
    # An RDS state means nothing for a replication group.
    assert resources.state("elasticache_replication_group", "incompatible-parameters")["failed"] is False
    assert resources.state("rds_instance", "incompatible-parameters")["failed"] is True


def test_a_docdb_instance_in_a_failed_state_fails_its_cluster() -> None:
    cluster = {"Status": "available", "DBClusterArn": "arn"}
    instances = [{"DBInstanceIdentifier": "c-1", "DBInstanceStatus": "available"},
                 {"DBInstanceIdentifier": "c-2", "DBInstanceStatus": "incompatible-parameters"}]
    state = resources.docdb_cluster_state(cluster, instances)
    assert (state["status"], state["ready"], state["failed"]) == ("available, instances 1/2 available", False, True)
    # A reader being removed is neither ready nor failed: waiting sees it go.
    instances[1]["DBInstanceStatus"] = "deleting"
    state = resources.docdb_cluster_state(cluster, instances)
    assert (state["ready"], state["failed"]) == (False, False)


def fast(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(resources.LIFECYCLES, "elasticache_replication_group", resources.Lifecycle(
        "elasticache", "replication group", frozenset({"available"}), frozenset({"create-failed", "deleting"}),
        ("ReplicationGroupNotFoundFault",), 0.01))


def group_client(*statuses: str) -> Any:
    """A client whose describe_replication_groups answers the statuses in turn ('' = not found)."""
    replies = []
    for status in statuses:
        if status:
            replies.append({"ReplicationGroups": [{"Status": status, "ARN": "arn"}]})
        else:
            replies.append(ClientError({"Error": {"Code": "ReplicationGroupNotFoundFault", "Message": "gone"}},
                                       "DescribeReplicationGroups"))
    client = mock.Mock()
    client.describe_replication_groups.side_effect = replies
    return client


def test_wait_polls_the_same_describe_until_ready(monkeypatch: pytest.MonkeyPatch) -> None:
    fast(monkeypatch)
    client = group_client("creating", "modifying", "available")
    assert resources.wait(client, "elasticache_replication_group", "g", 10)["ready"] is True
    assert client.describe_replication_groups.call_count == 3


def test_wait_fails_at_once_in_a_failed_state(monkeypatch: pytest.MonkeyPatch) -> None:
    fast(monkeypatch)
    client = group_client("creating", "create-failed", "available")
    with pytest.raises(resources.AnsibleWaitError, match="is create-failed and will not become ready"):
        resources.wait(client, "elasticache_replication_group", "g", 10)
    assert client.describe_replication_groups.call_count == 2


def test_wait_for_absence_and_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    fast(monkeypatch)
    assert resources.wait(group_client("deleting", ""), "elasticache_replication_group", "g", 10,
                          "absent")["status"] == "absent"
    with pytest.raises(resources.AnsibleWaitError, match="Timeout trying to wait for the replication group g"):
        resources.wait(group_client(*["creating"] * 5), "elasticache_replication_group", "g", 0.02)
