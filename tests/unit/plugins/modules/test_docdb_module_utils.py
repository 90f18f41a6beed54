"""plugins/module_utils/docdb.py: the pure helpers, the waiters and the error handling."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import conftest_docdb
import pytest
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry, RetryingBotoClientWrapper
from ansible_collections.openedx.data_services.plugins.module_utils import docdb
from botocore.exceptions import ClientError
from conftest_docdb import REGION


@pytest.fixture
def client(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    with conftest_docdb.moto_docdb(tmp_path, monkeypatch):
        yield RetryingBotoClientWrapper(boto3.client("docdb", region_name=REGION), AWSRetry.jittered_backoff())


def instance(name: str, created: str, status: str = "available") -> dict[str, Any]:
    return {"DBInstanceIdentifier": name, "InstanceCreateTime": created, "DBInstanceStatus": status}


def test_readers_to_remove_picks_the_newest_readers_never_the_writer() -> None:
    cluster = {"DBClusterMembers": [{"DBInstanceIdentifier": "c-3", "IsClusterWriter": True},
                                    {"DBInstanceIdentifier": "c-1", "IsClusterWriter": False},
                                    {"DBInstanceIdentifier": "c-2", "IsClusterWriter": False},
                                    {"DBInstanceIdentifier": "c-10", "IsClusterWriter": False}]}
    instances = [instance("c-1", "2026-01-01"), instance("c-2", "2026-01-02"), instance("c-3", "2026-01-03"),
                 instance("c-10", "2026-01-02"), instance("c-4", "2026-01-04", "deleting")]
    assert docdb.readers_to_remove(cluster, instances, 2) == ["c-10", "c-2"]
    assert docdb.readers_to_remove(cluster, instances, 5) == ["c-10", "c-2", "c-1"]


def test_new_instance_identifiers_skip_names_in_use() -> None:
    assert docdb.new_instance_identifiers("c", ["c-1", "c-3"], 3) == ["c-2", "c-4", "c-5"]


def test_apply_method_follows_the_apply_type() -> None:
    assert docdb.apply_method({"ApplyType": "static"}) == "pending-reboot"
    assert docdb.apply_method({"ApplyType": "dynamic"}) == "immediate"


def test_missing_resources_describe_as_nothing(client: Any) -> None:
    assert docdb.describe_cluster(client, "missing") is None
    assert docdb.describe_clusters(client) == []
    assert docdb.describe_cluster_parameter_group(client, "missing") is None
    assert docdb.describe_cluster_snapshot(client, "missing") is None
    assert docdb.delete_instance(client, "missing") is False
    assert docdb.delete_cluster_snapshot(client, "missing") is False


def test_cluster_lifecycle_through_the_helpers(client: Any) -> None:
    docdb.create_cluster(client, DBClusterIdentifier="c", MasterUsername="docadmin",
                         MasterUserPassword="Docdb-pass-123", Tags=[{"Key": "a", "Value": "1"}])
    docdb.wait(client, "cluster_available", 30, DBClusterIdentifier="c")
    docdb.create_instance(client, DBInstanceIdentifier="c-1", DBClusterIdentifier="c", DBInstanceClass="db.t3.medium")
    docdb.wait(client, "instance_available", 30, DBInstanceIdentifier="c-1")
    cluster = docdb.describe_cluster(client, "c")
    assert cluster["Engine"] == "docdb"
    assert docdb.list_tags(client, cluster["DBClusterArn"]) == {"a": "1"}
    docdb.update_tags(client, cluster["DBClusterArn"], {"b": "2"}, ["a"])
    assert docdb.list_tags(client, cluster["DBClusterArn"]) == {"b": "2"}
    normalized = docdb.normalize_cluster(cluster, {"b": "2"}, docdb.describe_cluster_instances(client, "c"))
    assert normalized["db_cluster_identifier"] == "c"
    assert isinstance(normalized["cluster_create_time"], str)
    assert [i["db_instance_identifier"] for i in normalized["instances"]] == ["c-1"]
    assert docdb.delete_instance(client, "c-1") is True
    docdb.wait(client, "instance_deleted", 30, DBInstanceIdentifier="c-1")
    docdb.delete_cluster(client, "c", "c-final")
    docdb.wait(client, "cluster_deleted", 30, DBClusterIdentifier="c")
    docdb.wait(client, "cluster_snapshot_available", 30, DBClusterSnapshotIdentifier="c-final")
    assert docdb.describe_cluster_snapshot(client, "c-final")["DBClusterIdentifier"] == "c"


def test_errors_and_timeouts_raise_the_collection_error(client: Any) -> None:
    with pytest.raises(docdb.AnsibleDocDBError, match="Failed to delete DocumentDB cluster"):
        docdb.delete_cluster(client, "missing", None)
    with pytest.raises(docdb.AnsibleDocDBError, match="Timeout trying to wait"):
        docdb.wait(client, "cluster_available", 1, DBClusterIdentifier="missing")


def test_engine_defaults_follow_the_marker() -> None:
    pages = [{"EngineDefaults": {"Parameters": [{"ParameterName": "a"}], "Marker": "m"}},
             {"EngineDefaults": {"Parameters": [{"ParameterName": "b"}]}}]
    calls: list[dict[str, Any]] = []

    class Client:
        def describe_engine_default_cluster_parameters(self, aws_retry: bool, **params: Any) -> dict[str, Any]:
            calls.append(params)
            return pages[len(calls) - 1]

    assert [p["ParameterName"] for p in docdb.describe_engine_default_parameters(Client(), "docdb5.0")] == ["a", "b"]
    assert calls == [{"DBParameterGroupFamily": "docdb5.0"}, {"DBParameterGroupFamily": "docdb5.0", "Marker": "m"}]


def test_parameters_are_modified_twenty_at_a_time() -> None:
    batches: list[int] = []

    class Client:
        def modify_db_cluster_parameter_group(self, DBClusterParameterGroupName: str,
                                              Parameters: list[Any], aws_retry: bool) -> None:
            batches.append(len(Parameters))

    docdb.modify_cluster_parameters(Client(), "g", [{"ParameterName": str(i)} for i in range(45)])
    assert batches == [20, 20, 5]


def test_throttling_is_retried(client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("time.sleep", lambda _seconds: None)
    original = client.client.describe_db_cluster_parameter_groups
    failures = [ClientError({"Error": {"Code": "Throttling", "Message": "Rate exceeded"}},
                            "DescribeDBClusterParameterGroups")]

    def flaky(**params: Any) -> Any:
        if failures:
            raise failures.pop()
        return original(**params)

    monkeypatch.setattr(client.client, "describe_db_cluster_parameter_groups", flaky)
    assert docdb.describe_cluster_parameter_group(client, "default.docdb5.0")["DBParameterGroupFamily"] == "docdb5.0"
    assert failures == []
