"""plugins/module_utils/docdb.py against moto: the calls, waiting through module_utils/resources.py, errors."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from ansible_collections.openedx.data_services.plugins.module_utils import docdb, resources
from harness import REGION


@pytest.fixture
def client(docdb_aws: pytest.MonkeyPatch) -> Any:
    return boto3.client("docdb", region_name=REGION)


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
    resources.wait(client, "docdb_cluster", "c", 30, "available")
    docdb.create_instance(client, DBInstanceIdentifier="c-1", DBClusterIdentifier="c", DBInstanceClass="db.t3.medium")
    assert resources.wait(client, "docdb_cluster", "c", 30)["ready"] is True
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
    docdb.delete_cluster(client, "c", "c-final")
    resources.wait(client, "docdb_cluster", "c", 30, "absent")
    resources.wait(client, "docdb_cluster_snapshot", "c-final", 30)
    assert docdb.describe_cluster_snapshot(client, "c-final")["DBClusterIdentifier"] == "c"


def test_errors_and_timeouts_raise_the_collection_error(client: Any) -> None:
    with pytest.raises(docdb.AnsibleDocDBError, match="Failed to delete DocumentDB cluster"):
        docdb.delete_cluster(client, "missing", None)
    with pytest.raises(resources.AnsibleWaitError, match="Timeout trying to wait"):
        resources.wait(client, "docdb_cluster", "missing", 1, "available")
