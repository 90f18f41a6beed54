"""The server behind each sandbox DocumentDB cluster (sandbox.dataplane.documentdb), reached as the platform does:
pymongo with the connection string and CA bundle the collection hands out."""

from __future__ import annotations

import datetime
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pymongo
import pytest
from pymongo.errors import OperationFailure, ServerSelectionTimeoutError
from sandbox_harness import Sandbox, wait_for

MASTER = "docadmin"
PASSWORD = "Docdb-pass-123"
ROTATED = "Docdb-rotated-456"


@pytest.fixture
def cluster(fresh: Sandbox) -> Iterator[dict[str, Any]]:
    """A DocumentDB cluster with one instance, created through boto3 ``docdb``; deleted afterwards if still there."""
    docdb = fresh.client("docdb")
    identifier = f"mongo-{time.monotonic_ns()}"
    created = docdb.create_db_cluster(DBClusterIdentifier=identifier, Engine="docdb", EngineVersion="5.0.0",
                                      MasterUsername=MASTER, MasterUserPassword=PASSWORD, Port=27017)["DBCluster"]
    assert created["Status"] == "creating"
    docdb.create_db_instance(DBInstanceIdentifier=f"{identifier}-1", DBInstanceClass="db.t3.medium", Engine="docdb",
                             DBClusterIdentifier=identifier)
    yield docdb.describe_db_clusters(DBClusterIdentifier=identifier)["DBClusters"][0]
    if docdb.describe_db_clusters(Filters=[{"Name": "db-cluster-id", "Values": [identifier]}])["DBClusters"]:
        docdb.delete_db_instance(DBInstanceIdentifier=f"{identifier}-1")
        docdb.delete_db_cluster(DBClusterIdentifier=identifier, SkipFinalSnapshot=True)


def connection_string(host: str, port: int, password: str, ca: Path, tls: bool = True) -> str:
    """The documentdb role's connection string, with the password the platform adds from the secret.

    Without TLS it is the same string less ``tlsCAFile``, which pymongo refuses alongside ``tls=false``.
    """
    options = f"tls=true&tlsCAFile={ca}" if tls else "tls=false"
    return (f"mongodb://{MASTER}:{quote(password, safe='')}@{host}:{port}/?{options}"
            "&replicaSet=rs0&readPreference=secondaryPreferred&retryWrites=false")


def client(cluster: dict[str, Any], password: str, ca: Path, *, host: str | None = None,
           tls: bool = True) -> pymongo.MongoClient[dict[str, Any]]:
    return pymongo.MongoClient(connection_string(host or cluster["Endpoint"], cluster["Port"], password, ca, tls),
                               serverSelectionTimeoutMS=500, connectTimeoutMS=500)


def ca_bundle(sandbox: Sandbox) -> Path:
    return sandbox.state_dir / "tls" / "ca.pem"


def ping_error(cluster: dict[str, Any], password: str, ca: Path, **options: Any) -> Exception | None:
    """The error a client with these settings gets on ``ping`` (None when it gets an answer)."""
    with client(cluster, password, ca, **options) as mongo:
        try:
            mongo.admin.command("ping")
        except (OperationFailure, ServerSelectionTimeoutError) as error:
            return error
    return None


def docdb_servers(sandbox: Sandbox) -> dict[str, dict[str, Any]]:
    return {s["resource"]: s for s in sandbox.control("GET", "/_sandbox/status")["dataplane"]
            if s["engine"] == "docdb"}


def test_pymongo_connects_with_the_handed_out_connection_string(fresh: Sandbox, cluster: dict[str, Any]) -> None:
    assert cluster["Status"] == "available"
    assert (cluster["Endpoint"], cluster["ReaderEndpoint"]) == ("127.0.0.1", "127.0.0.1")
    instance = fresh.client("docdb").describe_db_instances(
        DBInstanceIdentifier=cluster["DBClusterMembers"][0]["DBInstanceIdentifier"])["DBInstances"][0]
    assert (instance["Endpoint"]["Address"], instance["Endpoint"]["Port"]) == ("127.0.0.1", cluster["Port"])
    listed = docdb_servers(fresh)[cluster["DBClusterIdentifier"]]
    assert (listed["port"], listed["alive"], listed["tls"]) == (cluster["Port"], True, True)

    with client(cluster, PASSWORD, ca_bundle(fresh)) as mongo:
        assert mongo.admin.command("ping")["ok"] == 1.0
        hello = mongo.admin.command("hello")
        me = f"127.0.0.1:{cluster['Port']}"
        assert (hello["setName"], hello["hosts"], hello["primary"], hello["me"]) == ("rs0", [me], me, me)
        assert (hello["isWritablePrimary"], hello["maxWireVersion"]) == (True, 13)
        assert mongo.topology_description.topology_type_name == "ReplicaSetWithPrimary"

        courses = mongo.edxapp.modulestore
        inserted = courses.insert_one({"course": "course-v1:edX+DemoX+Demo", "org": "edX"}).inserted_id
        courses.insert_many([{"course": f"course-v1:edX+C{n}+2025", "org": "other", "n": n} for n in range(150)])
        assert courses.find_one({"org": "edX"}) == {"_id": inserted, "course": "course-v1:edX+DemoX+Demo",
                                                     "org": "edX"}
        assert [doc["n"] for doc in courses.find({"org": "other"}, {"_id": 0, "n": 1}, batch_size=40)] == list(
            range(150))  # four batches: find, then getMore
        assert [doc["n"] for doc in courses.find({"org": "other"}, limit=3)] == [0, 1, 2]
        cursor = mongo.edxapp.command("find", "modulestore", filter={"org": "other"}, batchSize=1)["cursor"]
        assert mongo.edxapp.command("killCursors", "modulestore", cursors=[cursor["id"]])["cursorsKilled"] == [
            cursor["id"]]
        with pytest.raises(OperationFailure) as killed:
            mongo.edxapp.command("getMore", cursor["id"], collection="modulestore")
        assert killed.value.code == 43  # CursorNotFound
        assert "edxapp" in mongo.list_database_names()
        assert courses.delete_many({"org": "other"}).deleted_count == 150
        assert [doc["_id"] for doc in courses.find({})] == [inserted]
        with pytest.raises(OperationFailure) as unknown:
            mongo.admin.command("frobnicate")
        assert unknown.value.code == 59  # CommandNotFound
        courses.drop()
        assert "edxapp" not in mongo.list_database_names()

    # The reader endpoint is the same server, and the name localhost (also in its certificate) works as well.
    with client(cluster, PASSWORD, ca_bundle(fresh), host="localhost") as mongo:
        assert mongo.admin.command("hello")["me"] == f"localhost:{cluster['Port']}"
    leaked = subprocess.run(["grep", "-rlF", PASSWORD, str(fresh.state_dir)], capture_output=True, text=True)
    assert leaked.stdout == ""


def test_wrong_password_plaintext_and_unauthenticated_clients_are_refused(fresh: Sandbox,
                                                                          cluster: dict[str, Any]) -> None:
    ca = ca_bundle(fresh)
    wrong = ping_error(cluster, "Not-the-password-1", ca)
    assert isinstance(wrong, OperationFailure) and wrong.code == 18  # AuthenticationFailed
    assert isinstance(ping_error(cluster, PASSWORD, ca, tls=False), ServerSelectionTimeoutError)

    anonymous = f"mongodb://{cluster['Endpoint']}:{cluster['Port']}/?tls=true&tlsCAFile={ca}&replicaSet=rs0"
    with pymongo.MongoClient(anonymous, serverSelectionTimeoutMS=500) as mongo:
        assert mongo.admin.command("ping")["ok"] == 1.0  # allowed before authentication, as on DocumentDB
        with pytest.raises(OperationFailure) as refused:
            mongo.edxapp.modulestore.find_one({})
        assert refused.value.code == 13  # Unauthorized
        mechanisms = mongo.admin.command("hello", saslSupportedMechs=f"admin.{MASTER}")["saslSupportedMechs"]
        assert mechanisms == ["SCRAM-SHA-1"]
        with pytest.raises(OperationFailure) as unavailable:
            pymongo.MongoClient(connection_string(cluster["Endpoint"], cluster["Port"], PASSWORD, ca)
                                + "&authMechanism=SCRAM-SHA-256", serverSelectionTimeoutMS=500).admin.command("ping")
        assert unavailable.value.code == 334  # MechanismUnavailable


def test_a_client_verifying_against_another_ca_is_refused(fresh: Sandbox, cluster: dict[str, Any],
                                                          tmp_path: Path) -> None:
    other_ca = tmp_path / "other-ca.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=other CA",
                    "-keyout", str(tmp_path / "other-ca.key"), "-out", str(other_ca)], check=True, capture_output=True)
    refused = ping_error(cluster, PASSWORD, other_ca)
    assert isinstance(refused, ServerSelectionTimeoutError)
    assert "CERTIFICATE_VERIFY_FAILED" in str(refused)


def test_a_new_master_password_takes_effect(fresh: Sandbox, cluster: dict[str, Any]) -> None:
    docdb, ca = fresh.client("docdb"), ca_bundle(fresh)
    identifier = cluster["DBClusterIdentifier"]
    docdb.modify_db_cluster(DBClusterIdentifier=identifier, MasterUserPassword=ROTATED, ApplyImmediately=True)
    assert ping_error(cluster, ROTATED, ca) is None
    old = ping_error(cluster, PASSWORD, ca)
    assert isinstance(old, OperationFailure) and old.code == 18

    # Without ApplyImmediately the password changes when the cluster is done modifying (10 min: 0.5 s here).
    fresh.time_scale(0.05)
    assert docdb.modify_db_cluster(DBClusterIdentifier=identifier, MasterUserPassword=PASSWORD,
                                   ApplyImmediately=False)["DBCluster"]["Status"] == "modifying"
    assert ping_error(cluster, ROTATED, ca) is None
    assert wait_for(lambda: docdb.describe_db_clusters(DBClusterIdentifier=identifier)["DBClusters"][0]["Status"],
                    lambda status: status == "available", 10) == "available"
    assert ping_error(cluster, PASSWORD, ca) is None
    assert isinstance(ping_error(cluster, ROTATED, ca), OperationFailure)


def test_delete_stops_the_server(fresh: Sandbox, cluster: dict[str, Any]) -> None:
    docdb = fresh.client("docdb")
    identifier = cluster["DBClusterIdentifier"]
    with client(cluster, PASSWORD, ca_bundle(fresh)) as mongo:
        mongo.edxapp.modulestore.insert_one({"course": "gone soon"})
        docdb.delete_db_instance(DBInstanceIdentifier=f"{identifier}-1")
        docdb.delete_db_cluster(DBClusterIdentifier=identifier, SkipFinalSnapshot=True)
        with pytest.raises(pymongo.errors.PyMongoError):
            mongo.edxapp.modulestore.find_one({})  # the open connection is dropped too
    assert identifier not in docdb_servers(fresh)
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", cluster["Port"])) != 0


def test_moto_reset_stops_the_server(fresh: Sandbox, cluster: dict[str, Any]) -> None:
    assert cluster["DBClusterIdentifier"] in docdb_servers(fresh)
    urllib.request.urlopen(urllib.request.Request(f"{fresh.endpoint}/moto-api/reset", method="POST"), timeout=10)
    assert docdb_servers(fresh) == {}
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", cluster["Port"])) != 0


# --- snapshots and restores -----------------------------------------------------------------------------------


def described(docdb: Any, identifier: str) -> dict[str, Any]:
    return docdb.describe_db_clusters(DBClusterIdentifier=identifier)["DBClusters"][0]


def course_ids(cluster: dict[str, Any], password: str, ca: Path) -> list[str]:
    with client(cluster, password, ca) as mongo:
        return [doc["_id"] for doc in mongo.edxapp.courses.find({})]


def remove_clusters(docdb: Any, *identifiers: str) -> None:
    for identifier in identifiers:
        for member in described(docdb, identifier)["DBClusterMembers"]:
            docdb.delete_db_instance(DBInstanceIdentifier=member["DBInstanceIdentifier"])
        docdb.delete_db_cluster(DBClusterIdentifier=identifier, SkipFinalSnapshot=True)


def test_a_restored_snapshot_holds_only_what_was_written_before_it(fresh: Sandbox, cluster: dict[str, Any]) -> None:
    docdb, ca = fresh.client("docdb"), ca_bundle(fresh)
    source, copy = cluster["DBClusterIdentifier"], f"{cluster['DBClusterIdentifier']}-copy"
    with client(cluster, PASSWORD, ca) as mongo:
        mongo.edxapp.courses.insert_many([{"_id": "demo"}, {"_id": "intro"}])
        mongo.edxapp.enrollments.insert_one({"_id": 1, "course": "demo"})
        taken = docdb.create_db_cluster_snapshot(DBClusterIdentifier=source,
                                                 DBClusterSnapshotIdentifier=f"{source}-manual")["DBClusterSnapshot"]
        mongo.edxapp.courses.insert_one({"_id": "later"})
        mongo.edxapp.courses.delete_one({"_id": "demo"})
        mongo.edxapp.enrollments.drop()
    assert (taken["Status"], taken["SnapshotType"], taken["StorageEncrypted"]) == ("creating", "manual", False)
    assert "KmsKeyId" not in taken
    saved = fresh.state_dir / "snapshots" / "docdb" / f"{source}-manual.bson"
    assert saved.stat().st_mode & 0o777 == 0o600
    assert PASSWORD.encode() not in saved.read_bytes()

    with pytest.raises(docdb.exceptions.DBClusterAlreadyExistsFault):
        docdb.restore_db_cluster_from_snapshot(DBClusterIdentifier=source, SnapshotIdentifier=f"{source}-manual",
                                               Engine="docdb")
    restored = docdb.restore_db_cluster_from_snapshot(DBClusterIdentifier=copy, SnapshotIdentifier=f"{source}-manual",
                                                      Engine="docdb", Tags=[{"Key": "copy", "Value": "yes"}])
    assert (restored["DBCluster"]["Status"], restored["DBCluster"]["DBClusterMembers"]) == ("creating", [])
    try:
        restored = described(docdb, copy)
        assert restored["Status"] == "available"
        assert restored["Port"] != cluster["Port"]
        assert restored["DBClusterParameterGroup"] == "default.docdb5.0"
        assert restored["EarliestRestorableTime"] >= restored["ClusterCreateTime"]
        # The source's master user and password, the data as of the snapshot.
        assert course_ids(restored, PASSWORD, ca) == ["demo", "intro"]
        with client(restored, PASSWORD, ca) as mongo:
            assert mongo.edxapp.enrollments.find_one({}) == {"_id": 1, "course": "demo"}
        assert course_ids(cluster, PASSWORD, ca) == ["intro", "later"]
        # Instances come and go; the data stays.
        docdb.create_db_instance(DBInstanceIdentifier=f"{copy}-1", DBInstanceClass="db.t3.medium", Engine="docdb",
                                 DBClusterIdentifier=copy)
        docdb.create_db_instance(DBInstanceIdentifier=f"{copy}-2", DBInstanceClass="db.t3.medium", Engine="docdb",
                                 DBClusterIdentifier=copy)
        docdb.delete_db_instance(DBInstanceIdentifier=f"{copy}-2")
        assert course_ids(described(docdb, copy), PASSWORD, ca) == ["demo", "intro"]
    finally:
        remove_clusters(docdb, copy)
    docdb.delete_db_cluster_snapshot(DBClusterSnapshotIdentifier=f"{source}-manual")
    assert not saved.exists()


def test_point_in_time_restore_replays_the_writes_up_to_the_time(fresh: Sandbox, cluster: dict[str, Any]) -> None:
    docdb, ca = fresh.client("docdb"), ca_bundle(fresh)
    source = cluster["DBClusterIdentifier"]
    with client(cluster, PASSWORD, ca) as mongo:
        mongo.edxapp.courses.insert_one({"_id": "first"})
        time.sleep(0.01)
        between = datetime.datetime.now(datetime.UTC)
        time.sleep(0.01)
        mongo.edxapp.courses.insert_one({"_id": "second"})
        mongo.edxapp.courses.delete_one({"_id": "first"})
    docdb.modify_db_cluster(DBClusterIdentifier=source, MasterUserPassword=ROTATED, ApplyImmediately=True)
    window = described(docdb, source)
    assert window["EarliestRestorableTime"] == window["ClusterCreateTime"]  # younger than its retention period
    assert window["EarliestRestorableTime"] < between < window["LatestRestorableTime"]

    restored = [f"{source}-at", f"{source}-latest"]
    docdb.restore_db_cluster_to_point_in_time(DBClusterIdentifier=restored[0], SourceDBClusterIdentifier=source,
                                              RestoreToTime=between, RestoreType="full-copy")
    docdb.restore_db_cluster_to_point_in_time(DBClusterIdentifier=restored[1], SourceDBClusterIdentifier=source,
                                              UseLatestRestorableTime=True)
    try:
        at, latest = (described(docdb, identifier) for identifier in restored)
        # The master password as it was then, too.
        assert course_ids(at, PASSWORD, ca) == ["first"]
        assert course_ids(latest, ROTATED, ca) == ["second"]
        for request, code in (
                ({"RestoreToTime": window["EarliestRestorableTime"] - datetime.timedelta(seconds=1)},
                 "InvalidRestoreFault"),
                ({"RestoreToTime": datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=5)},
                 "InvalidRestoreFault"),
                ({"RestoreToTime": between, "UseLatestRestorableTime": True}, "InvalidParameterCombination"),
                ({}, "InvalidParameterCombination")):
            with pytest.raises(docdb.exceptions.ClientError) as refused:
                docdb.restore_db_cluster_to_point_in_time(DBClusterIdentifier=f"{source}-never",
                                                          SourceDBClusterIdentifier=source, **request)
            assert refused.value.response["Error"]["Code"] == code
    finally:
        remove_clusters(docdb, *restored)


def test_the_final_snapshot_is_restorable(fresh: Sandbox, cluster: dict[str, Any]) -> None:
    docdb, ca = fresh.client("docdb"), ca_bundle(fresh)
    source = cluster["DBClusterIdentifier"]
    with client(cluster, PASSWORD, ca) as mongo:
        mongo.edxapp.courses.insert_one({"_id": "kept"})
    docdb.delete_db_instance(DBInstanceIdentifier=f"{source}-1")
    docdb.delete_db_cluster(DBClusterIdentifier=source, FinalDBSnapshotIdentifier=f"{source}-final")
    docdb.restore_db_cluster_from_snapshot(DBClusterIdentifier=f"{source}-back", SnapshotIdentifier=f"{source}-final",
                                           Engine="docdb")
    try:
        assert course_ids(described(docdb, f"{source}-back"), PASSWORD, ca) == ["kept"]
    finally:
        remove_clusters(docdb, f"{source}-back")
        docdb.delete_db_cluster_snapshot(DBClusterSnapshotIdentifier=f"{source}-final")
