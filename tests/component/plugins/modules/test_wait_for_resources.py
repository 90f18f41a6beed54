"""wait_for_resources (module and action plugin) against in-process moto with the sandbox's RDS/DocumentDB patches."""

from __future__ import annotations

import time
from typing import Any
from unittest import mock

import boto3
import pytest
from ansible_collections.openedx.data_services.plugins.module_utils import resources
from ansible_collections.openedx.data_services.plugins.modules import wait_for_resources
from harness import REGION, record_calls, run_module, subnet_group

from sandbox.dataplane import documentdb

PASSWORD = "Wait-pass-12345"


@pytest.fixture
def aws(docdb_aws: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """RDS and DocumentDB under moto; the harness stops the MariaDB server each RDS MySQL instance starts."""
    return docdb_aws


def docdb_client() -> Any:
    return boto3.client("docdb", region_name=REGION)


def create_docdb(instances: int = 2) -> None:
    client = boto3.client("docdb", region_name=REGION)
    client.create_db_cluster(DBClusterIdentifier="edx-docdb", Engine="docdb", MasterUsername="docadmin",
                             MasterUserPassword=PASSWORD, DBSubnetGroupName=subnet_group())
    for number in range(1, instances + 1):
        client.create_db_instance(DBInstanceIdentifier=f"edx-docdb-{number}", DBClusterIdentifier="edx-docdb",
                                  DBInstanceClass="db.r6g.large", Engine="docdb")


def create_mysql() -> None:
    boto3.client("rds", region_name=REGION).create_db_instance(
        DBInstanceIdentifier="edx-mysql", Engine="mysql", DBInstanceClass="db.t3.medium", AllocatedStorage=20,
        MasterUsername="admin", MasterUserPassword=PASSWORD)


def test_available_resources_are_returned_with_their_endpoints(aws: pytest.MonkeyPatch) -> None:
    create_docdb()
    create_mysql()
    with record_calls() as calls:
        done = run_module(wait_for_resources.main, {"resources": [
            {"kind": "docdb_cluster", "name": "edx-docdb"}, {"kind": "rds_instance", "name": "edx-mysql"}]})
    assert not done.failed, done.result
    docdb, mysql = done.result["resources"]
    assert docdb["ready"] is True and docdb["status"] == "available"
    # The sandbox's DocumentDB server, where AWS reports edx-docdb.cluster-… and edx-docdb.cluster-ro-… on 27017.
    assert docdb["endpoint"] == docdb["reader_endpoint"] == "127.0.0.1"
    assert docdb["port"] == documentdb.get("edx-docdb").port
    assert [i["db_instance_identifier"] for i in docdb["description"]["instances"]] == ["edx-docdb-1", "edx-docdb-2"]
    assert mysql["ready"] is True and mysql["endpoint"] and mysql["arn"].endswith(":db:edx-mysql")
    assert calls.mutating == []


def test_waits_until_the_instance_is_available(aws: pytest.MonkeyPatch) -> None:
    # 0.1 simulated seconds per minute: an 8-minute creation lasts 0.8 s.
    aws.setenv("SANDBOX_TIME_SCALE", "0.1")
    create_mysql()
    assert boto3.client("rds", region_name=REGION).describe_db_instances(
        DBInstanceIdentifier="edx-mysql")["DBInstances"][0]["DBInstanceStatus"] == "creating"
    started = time.monotonic()
    done = run_module(wait_for_resources.main, {"resources": [{"kind": "rds_instance", "name": "edx-mysql"}],
                                                "delay": 1, "timeout": 60})
    assert not done.failed, done.result
    assert done.result["resources"][0]["status"] == "available"
    assert done.result["resources"][0]["endpoint"]
    assert time.monotonic() - started >= 0.5


def test_timeout_zero_describes_once_without_waiting(aws: pytest.MonkeyPatch) -> None:
    aws.setenv("SANDBOX_TIME_SCALE", "10")
    create_mysql()
    done = run_module(wait_for_resources.main, {"resources": [{"kind": "rds_instance", "name": "edx-mysql"}],
                                                "timeout": 0})
    assert not done.failed, done.result
    assert done.result["resources"][0]["status"] == "creating"
    assert done.result["resources"][0]["ready"] is False


def test_times_out_naming_what_is_not_ready(aws: pytest.MonkeyPatch) -> None:
    aws.setenv("SANDBOX_TIME_SCALE", "10")
    create_mysql()
    done = run_module(wait_for_resources.main, {"resources": [{"kind": "rds_instance", "name": "edx-mysql"}],
                                                "timeout": 2, "delay": 1})
    assert done.failed
    assert "Timed out" in done.result["msg"] and "rds_instance edx-mysql (creating)" in done.result["msg"]


def test_cluster_is_not_ready_until_every_instance_is(aws: pytest.MonkeyPatch) -> None:
    create_docdb(instances=0)
    client = boto3.client("docdb", region_name=REGION)
    aws.setenv("SANDBOX_TIME_SCALE", "10")
    client.create_db_instance(DBInstanceIdentifier="edx-docdb-1", DBClusterIdentifier="edx-docdb",
                              DBInstanceClass="db.r6g.large", Engine="docdb")
    state = resources.describe(docdb_client(), "docdb_cluster", "edx-docdb")
    assert state["ready"] is False
    assert state["status"] == "available, instances 0/1 available"


def test_cluster_without_instances_is_not_ready(aws: pytest.MonkeyPatch) -> None:
    create_docdb(instances=0)
    state = resources.describe(docdb_client(), "docdb_cluster", "edx-docdb")
    assert state["ready"] is False


def test_absent_fails_outside_check_mode_and_is_reported_in_check_mode(aws: pytest.MonkeyPatch) -> None:
    args = {"resources": [{"kind": "rds_instance", "name": "missing"},
                          {"kind": "elasticache_replication_group", "name": "missing"}]}
    failed = run_module(wait_for_resources.main, args)
    assert failed.failed
    assert "rds_instance missing is absent" in failed.result["msg"]
    checked = run_module(wait_for_resources.main, args, check_mode=True)
    assert not checked.failed, checked.result
    assert [r["status"] for r in checked.result["resources"]] == ["absent", "absent"]


def test_a_failed_state_fails_at_once(aws: pytest.MonkeyPatch) -> None:
    create_mysql()
    failing = mock.Mock(return_value=resources.state("rds_instance", "incompatible-parameters"))
    with mock.patch.dict(resources._DESCRIBE, {"rds_instance": failing}):
        done = run_module(wait_for_resources.main, {"resources": [{"kind": "rds_instance", "name": "edx-mysql"}],
                                                    "timeout": 600, "delay": 1})
    assert done.failed
    assert "incompatible-parameters" in done.result["msg"]


@pytest.mark.parametrize(("args", "message"), [
    ({"delay": -1}, "delay must be 0 or more"),
    ({"delay": 0}, "delay must be at least 1"),
    ({"resources": [{"kind": "rds_instance", "name": "a"}, {"kind": "rds_instance", "name": "a"}]}, "listed twice"),
])
def test_bad_input_fails_before_any_call(aws: pytest.MonkeyPatch, args: dict[str, Any], message: str) -> None:
    with record_calls() as calls:
        done = run_module(wait_for_resources.main, {"resources": [{"kind": "rds_instance", "name": "a"}], **args})
    assert done.failed and message in done.result["msg"]
    assert calls.calls == []
