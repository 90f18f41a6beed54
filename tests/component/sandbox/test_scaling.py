"""Scaling and engine upgrades in the sandbox: in place with the data kept, and refused where AWS refuses them.

RDS MySQL: a class change, storage growth and a minor upgrade keep the instance's MariaDB (same endpoint, same rows);
storage never shrinks nor grows by under 10 %; a major upgrade needs AllowMajorVersionUpgrade and a parameter group
of the new family, follows AWS's paths only, and never goes down. DocumentDB: instances come and go with the
cluster's documents kept; a major upgrade follows the same rules (4.0 -> 5.0, 5.0 -> 8.0).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pymongo
import pytest
from botocore.exceptions import ClientError
from sandbox_harness import Sandbox, wait_for
from test_rds_backups import Instances

DOCDB_PASSWORD = "Docdb-pass-123"


@pytest.fixture
def instances(fresh: Sandbox) -> Iterator[Instances]:
    made = Instances(fresh)
    yield made
    made.delete_all()


def refusal(call: Any, **kwargs: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as raised:
        call(**kwargs)
    return raised.value.response["Error"]["Code"], raised.value.response["Error"]["Message"]


def settled(rds: Any, identifier: str) -> dict[str, Any]:
    wait_for(lambda: rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]["DBInstanceStatus"],
             lambda status: status == "available", 30)
    return rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]


def test_mysql_scales_and_upgrades_in_place_keeping_its_rows(instances: Instances) -> None:
    rds = instances.rds
    before = instances.create("scaled")
    instances.execute(before, "CREATE TABLE items (id INT PRIMARY KEY)", "INSERT INTO items VALUES (1), (2), (3)")

    rds.modify_db_instance(DBInstanceIdentifier="scaled", DBInstanceClass="db.r6g.large", AllocatedStorage=40,
                           EngineVersion="8.0.42", ApplyImmediately=True)
    after = settled(rds, "scaled")
    assert (after["DBInstanceClass"], after["AllocatedStorage"], after["EngineVersion"]) == (
        "db.r6g.large", 40, "8.0.42")
    assert after["Endpoint"] == before["Endpoint"] and after["DbiResourceId"] == before["DbiResourceId"]
    assert instances.rows(after) == [1, 2, 3]

    # Storage: never down, and up by at least 10 %.
    code, message = refusal(rds.modify_db_instance, DBInstanceIdentifier="scaled", AllocatedStorage=30,
                            ApplyImmediately=True)
    assert code == "InvalidParameterCombination" and "cannot be decreased" in message
    code, message = refusal(rds.modify_db_instance, DBInstanceIdentifier="scaled", AllocatedStorage=43,
                            ApplyImmediately=True)
    assert code == "InvalidParameterCombination" and "at least 10 percent" in message and "44 GiB" in message

    # Engine: never down; a major upgrade only with the flag, along AWS's path, with a group of the new family.
    assert refusal(rds.modify_db_instance, DBInstanceIdentifier="scaled", EngineVersion="8.0.40",
                   ApplyImmediately=True)[1] == "Cannot upgrade mysql from 8.0.42 to 8.0.40"
    assert "AllowMajorVersionUpgrade" in refusal(rds.modify_db_instance, DBInstanceIdentifier="scaled",
                                                 EngineVersion="8.4.5", ApplyImmediately=True)[1]
    assert "not compatible" in refusal(rds.modify_db_instance, DBInstanceIdentifier="scaled", EngineVersion="8.4.5",
                                       AllowMajorVersionUpgrade=True, ApplyImmediately=True)[1]
    rds.create_db_parameter_group(DBParameterGroupName="scaled-mysql8-4", DBParameterGroupFamily="mysql8.4",
                                  Description="8.4")
    rds.modify_db_instance(DBInstanceIdentifier="scaled", EngineVersion="8.4.5", AllowMajorVersionUpgrade=True,
                           DBParameterGroupName="scaled-mysql8-4", ApplyImmediately=True)
    upgraded = settled(rds, "scaled")
    assert upgraded["EngineVersion"] == "8.4.5"
    assert upgraded["Endpoint"] == before["Endpoint"]
    assert instances.rows(upgraded) == [1, 2, 3]
    downgrade = refusal(rds.modify_db_instance, DBInstanceIdentifier="scaled", EngineVersion="8.0.42",
                        AllowMajorVersionUpgrade=True, ApplyImmediately=True)
    assert downgrade[1] == "Cannot upgrade mysql from 8.4.5 to 8.0.42"


def members(docdb: Any, identifier: str) -> list[str]:
    cluster = docdb.describe_db_clusters(DBClusterIdentifier=identifier)["DBClusters"][0]
    return sorted(m["DBInstanceIdentifier"] for m in cluster["DBClusterMembers"])


def test_documentdb_instances_come_and_go_with_the_documents_kept(fresh: Sandbox) -> None:
    docdb = fresh.client("docdb")
    identifier = f"scaled-{time.monotonic_ns()}"
    cluster = docdb.create_db_cluster(DBClusterIdentifier=identifier, Engine="docdb", EngineVersion="5.0.0",
                                      MasterUsername="docadmin", MasterUserPassword=DOCDB_PASSWORD)["DBCluster"]
    docdb.create_db_instance(DBInstanceIdentifier=f"{identifier}-1", DBInstanceClass="db.t3.medium", Engine="docdb",
                             DBClusterIdentifier=identifier)
    cluster = docdb.describe_db_clusters(DBClusterIdentifier=identifier)["DBClusters"][0]
    ca = fresh.state_dir / "tls" / "ca.pem"
    uri = (f"mongodb://docadmin:{DOCDB_PASSWORD}@{cluster['Endpoint']}:{cluster['Port']}/?tls=true&tlsCAFile={ca}"
           "&replicaSet=rs0&retryWrites=false")

    def courses() -> list[str]:
        with pymongo.MongoClient(uri, serverSelectionTimeoutMS=2000) as mongo:
            return sorted(doc["_id"] for doc in mongo.edxapp.courses.find({}))

    with pymongo.MongoClient(uri, serverSelectionTimeoutMS=2000) as mongo:
        mongo.edxapp.courses.insert_many([{"_id": "course-a"}, {"_id": "course-b"}])
    try:
        for index in (2, 3):
            docdb.create_db_instance(DBInstanceIdentifier=f"{identifier}-{index}", DBInstanceClass="db.t3.medium",
                                     Engine="docdb", DBClusterIdentifier=identifier)
        assert members(docdb, identifier) == [f"{identifier}-{i}" for i in (1, 2, 3)]
        docdb.modify_db_instance(DBInstanceIdentifier=f"{identifier}-2", DBInstanceClass="db.r6g.large",
                                 ApplyImmediately=True)
        docdb.delete_db_instance(DBInstanceIdentifier=f"{identifier}-3")
        wait_for(lambda: members(docdb, identifier), lambda names: len(names) == 2, 30)
        assert courses() == ["course-a", "course-b"]

        # Upgrades: not down, not without the flag, not with a group of the old family; 5.0 -> 8.0 only.
        assert refusal(docdb.modify_db_cluster, DBClusterIdentifier=identifier, EngineVersion="4.0.0",
                       ApplyImmediately=True)[1] == "Cannot upgrade docdb from 5.0.0 to 4.0.0"
        assert "AllowMajorVersionUpgrade" in refusal(docdb.modify_db_cluster, DBClusterIdentifier=identifier,
                                                     EngineVersion="8.0.0", ApplyImmediately=True)[1]
        assert "not compatible" in refusal(docdb.modify_db_cluster, DBClusterIdentifier=identifier,
                                           EngineVersion="8.0.0", AllowMajorVersionUpgrade=True,
                                           ApplyImmediately=True)[1]
        docdb.create_db_cluster_parameter_group(DBClusterParameterGroupName=f"{identifier}-docdb80",
                                                DBParameterGroupFamily="docdb8.0", Description="8.0")
        docdb.modify_db_cluster(DBClusterIdentifier=identifier, EngineVersion="8.0.0", AllowMajorVersionUpgrade=True,
                                DBClusterParameterGroupName=f"{identifier}-docdb80", ApplyImmediately=True)
        wait_for(lambda: docdb.describe_db_clusters(DBClusterIdentifier=identifier)["DBClusters"][0]["Status"],
                 lambda status: status == "available", 30)
        assert docdb.describe_db_clusters(DBClusterIdentifier=identifier)["DBClusters"][0]["EngineVersion"] == "8.0.0"
        assert courses() == ["course-a", "course-b"]
    finally:
        for name in members(docdb, identifier):
            docdb.delete_db_instance(DBInstanceIdentifier=name)
        docdb.delete_db_cluster(DBClusterIdentifier=identifier, SkipFinalSnapshot=True)
