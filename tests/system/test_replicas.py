"""MySQL read replicas and failover.yml on an environment of their own (``replicated``, test profile, --limit mysql).

The primary gets a replica in its region (the platform's read endpoint) and one in us-west-2 (disaster recovery,
encrypted with a key of that region, on the network the sandbox seeds there). A row written on the primary is read on
both replicas, which are read-only; a run again and --check make no mutating call; bad replica settings are refused
before any AWS call. failover.yml promotes the us-west-2 replica: a row written on the primary just before is there,
the promoted server takes writes, and the connection settings written for it name its endpoint.
"""

from __future__ import annotations

import json
import shutil
import time

import boto3
import pymysql
import pytest
import yaml
from conftest import (
    CA_BUNDLE,
    KNOWN_ENVIRONMENTS,
    ROOT,
    SANDBOX_ENDPOINT,
    aws,
    ledger,
    recap,
    run_playbook,
    sandbox,
)

ENVIRONMENT = "replicated"
PRIMARY = f"openedx-{ENVIRONMENT}-mysql"
WEST = "us-west-2"
REPLICAS = [
    {"name": "read"},
    {"name": "dr", "region": WEST, "vpc_id": "vpc-0d5a0000000000002",
     "subnet_ids": ["subnet-0d5a0000000000b01", "subnet-0d5a0000000000b02"],
     "allowed_security_group_ids": ["sg-0d5a0000000000f01"]},
]
SETTINGS = {"data_services_environment": ENVIRONMENT, "data_services_known_environments": KNOWN_ENVIRONMENTS,
            "data_services_profile": "test", "connections_tutor": False, "connections_k8s": False,
            "rds_mysql_read_replicas": REPLICAS}
ARTIFACTS = ROOT / "artifacts" / ENVIRONMENT
PROBE = "replica_probe"


def _rds(region: str = "us-east-1"):
    return boto3.client("rds", endpoint_url=SANDBOX_ENDPOINT, region_name=region,
                        aws_access_key_id="sandbox-access-key", aws_secret_access_key="sandbox-secret-key")


def _remove_environment() -> None:
    for region, identifier in ((WEST, f"{PRIMARY}-dr"), ("us-east-1", f"{PRIMARY}-read"), ("us-east-1", PRIMARY)):
        try:
            _rds(region).delete_db_instance(DBInstanceIdentifier=identifier, SkipFinalSnapshot=True)
        except _rds(region).exceptions.DBInstanceNotFoundFault:
            pass


@pytest.fixture(scope="module", autouse=True)
def environment():
    _remove_environment()  # what an interrupted run of this module left
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    yield
    _remove_environment()


def _run(*args: str, playbook: str = "playbooks/data-services.yml", **extra) -> tuple[str, dict, int]:
    sandbox("reset")
    started = time.monotonic()
    result = run_playbook("--limit", "mysql", *args, playbook=playbook, extra_vars={**SETTINGS, **extra})
    print(f"test_replicas: {playbook} {' '.join(args)} took {time.monotonic() - started:.0f} s")
    return result.stdout, ledger(), result.returncode


def _mysql_entry(directory=ARTIFACTS) -> dict:
    return yaml.safe_load((directory / "connections.yml").read_text())["services"]["mysql"]


def _connect(entry: dict, host: str, port: int) -> pymysql.Connection:
    master = json.loads(aws("secretsmanager").get_secret_value(SecretId=entry["master_secret_arn"])["SecretString"])
    return pymysql.connect(host=host, port=int(port), user=master["username"], password=master["password"],
                           ssl={"ca": CA_BUNDLE}, connect_timeout=5, autocommit=True)


def _query(entry: dict, host: str, port: int, sql: str, *args: object) -> list[tuple]:
    with _connect(entry, host, port) as connection, connection.cursor() as cursor:
        cursor.execute(sql, args)
        return list(cursor.fetchall())


def _marks_eventually(entry: dict, host: str, port: int, mark: str) -> set[str]:
    """The marks a replica holds once ``mark`` reached it (replication is asynchronous), or after 20 s."""
    deadline = time.monotonic() + 20
    while True:
        try:
            marks = {row[0] for row in _query(entry, host, port, f"SELECT mark FROM {PROBE}.marks")}
        except pymysql.err.ProgrammingError:
            marks = set()  # the table has not reached the replica yet
        if mark in marks or time.monotonic() > deadline:
            return marks
        time.sleep(0.5)


def test_bad_replica_settings_are_refused_before_any_call():
    bad = [
        {"name": "Read_1"},
        {"name": "dr", "region": WEST, "subnet_ids": ["subnet-0d5a0000000000b01"]},
        {"name": "dr2", "region": WEST, "vpc_id": "vpc-0d5a0000000000002",
         "subnet_ids": ["subnet-0d5a0000000000b01", "subnet-0d5a0000000000b02"],
         "allowed_security_group_ids": ["sg-0d5a0000000000f01"],
         "kms_key_arn": "arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000"},
        {"name": "near", "vpc_id": "vpc-0d5a0000000000001"},
    ]
    output, calls, returncode = _run(rds_mysql_read_replicas=bad)
    assert returncode != 0
    assert calls["totals"]["mutating"] == 0 and calls["totals"]["read"] == 0, calls
    assert "rds_mysql_read_replicas" in output
    for expected in ("Read_1", "name must be lowercase letters", "subnet_ids must be 2 or more",
                     "kms_key_arn must be the ARN of a key of us-west-2", "vpc_id, subnet_ids,"):
        assert expected in output, expected
    too_many = [{"name": f"r{number}"} for number in range(16)]
    output, calls, returncode = _run(rds_mysql_read_replicas=too_many)
    assert returncode != 0 and calls["totals"]["mutating"] == 0
    assert "at most 15 read replicas per source instance" in output
    output, calls, returncode = _run(playbook="playbooks/failover.yml", rds_mysql_failover_replica="nowhere")
    assert returncode != 0 and calls["totals"]["mutating"] == 0 and calls["totals"]["read"] == 0
    assert "rds_mysql_failover_replica must be the name of one of rds_mysql_read_replicas (read, dr)" in output


def test_replicas_are_created_and_replicate():
    output, calls, returncode = _run()
    assert returncode == 0, output[-3000:]
    assert calls["mutating"]["rds:CreateDBInstanceReadReplica"] == 2
    entry = _mysql_entry()
    replicas = {replica["name"]: replica for replica in entry["replicas"]}
    assert replicas.keys() == {"read", "dr"}
    assert replicas["read"]["region"] == "us-east-1" and replicas["dr"]["region"] == WEST
    assert (entry["replica_host"], entry["replica_port"]) == (replicas["read"]["host"], replicas["read"]["port"])
    handoff = yaml.safe_load((ARTIFACTS / "edx-configuration" / "data-services.yml").read_text())
    assert handoff["EDXAPP_MYSQL_REPLICA_PORT"] == str(replicas["read"]["port"]) != handoff["EDXAPP_MYSQL_PORT"]

    west = _rds(WEST).describe_db_instances(DBInstanceIdentifier=f"{PRIMARY}-dr")["DBInstances"][0]
    primary = _rds().describe_db_instances(DBInstanceIdentifier=PRIMARY)["DBInstances"][0]
    assert west["ReadReplicaSourceDBInstanceIdentifier"] == primary["DBInstanceArn"]
    assert west["StorageEncrypted"] and west["KmsKeyId"].startswith(f"arn:aws:kms:{WEST}:")
    assert west["DBSubnetGroup"]["VpcId"] == "vpc-0d5a0000000000002"
    assert west["DBParameterGroups"][0]["DBParameterGroupName"] == primary["DBParameterGroups"][0][
        "DBParameterGroupName"]

    _query(entry, entry["host"], entry["port"], f"CREATE DATABASE IF NOT EXISTS {PROBE}")
    _query(entry, entry["host"], entry["port"],
           f"CREATE TABLE IF NOT EXISTS {PROBE}.marks (mark VARCHAR(32) PRIMARY KEY)")
    _query(entry, entry["host"], entry["port"], f"INSERT INTO {PROBE}.marks VALUES ('created')")
    for replica in replicas.values():
        assert "created" in _marks_eventually(entry, replica["host"], replica["port"], "created"), replica["name"]
        assert _query(entry, replica["host"], replica["port"], "SELECT @@read_only") == [(1,)]


def _client(service: str, region: str):
    return boto3.client(service, endpoint_url=SANDBOX_ENDPOINT, region_name=region,
                        aws_access_key_id="sandbox-access-key", aws_secret_access_key="sandbox-secret-key")


def test_each_replica_lag_is_alarmed_in_the_replicas_region():
    """An alarm watches and notifies in its own region: the us-west-2 replica's alarm is there, with a topic there
    encrypted with the replicas' key of that region, whose policy lets the environment's alarms there use it."""
    account = aws("sts").get_caller_identity()["Account"]
    for region, replica in (("us-east-1", f"{PRIMARY}-read"), (WEST, f"{PRIMARY}-dr")):
        topic = f"arn:aws:sns:{region}:{account}:openedx-{ENVIRONMENT}-data-services-alarms"
        alarms = _client("cloudwatch", region).describe_alarms(
            AlarmNamePrefix=f"openedx-{ENVIRONMENT}-mysql-replica-lag-")["MetricAlarms"]
        assert [(a["AlarmName"], a["MetricName"], a["Dimensions"], a["AlarmActions"]) for a in alarms] == [
            (f"openedx-{ENVIRONMENT}-mysql-replica-lag-{replica}", "ReplicaLag",
             [{"Name": "DBInstanceIdentifier", "Value": replica}], [topic])], region
    # Nothing else of the environment alarms in us-west-2.
    west_alarms = _client("cloudwatch", WEST).describe_alarms(AlarmNamePrefix=f"openedx-{ENVIRONMENT}-")
    assert len(west_alarms["MetricAlarms"]) == 1
    west_topic = f"arn:aws:sns:{WEST}:{account}:openedx-{ENVIRONMENT}-data-services-alarms"
    key = _client("kms", WEST).describe_key(KeyId=f"alias/{PRIMARY}-replicas")["KeyMetadata"]["Arn"]
    attributes = _client("sns", WEST).get_topic_attributes(TopicArn=west_topic)["Attributes"]
    assert attributes["KmsMasterKeyId"] == key
    source = {"StringEquals": {"aws:SourceAccount": account},
              "ArnLike": {"aws:SourceArn": f"arn:aws:cloudwatch:{WEST}:{account}:alarm:openedx-{ENVIRONMENT}-*"}}
    publish = [s for s in json.loads(attributes["Policy"])["Statement"]
               if s.get("Principal") == {"Service": "cloudwatch.amazonaws.com"}]
    assert [(s["Action"], s["Resource"], s["Condition"]) for s in publish] == [("sns:Publish", west_topic, source)]
    key_policy = json.loads(_client("kms", WEST).get_key_policy(KeyId=key, PolicyName="default")["Policy"])
    use = [s for s in key_policy["Statement"] if s.get("Principal") == {"Service": "cloudwatch.amazonaws.com"}]
    assert [(sorted(s["Action"]), s["Condition"]) for s in use] == [(["kms:Decrypt", "kms:GenerateDataKey*"], source)]
    rds_use = next(s for s in key_policy["Statement"] if s["Sid"] == "ReplicasUseThroughRds")
    assert rds_use["Condition"]["StringEquals"]["kms:ViaService"] == f"rds.{WEST}.amazonaws.com"
    subscriptions = _client("sns", WEST).list_subscriptions_by_topic(TopicArn=west_topic)["Subscriptions"]
    assert [(s["Protocol"], s["Endpoint"]) for s in subscriptions] == [("email", "platform-oncall@example.com")]


def test_run_again_changes_nothing():
    output, calls, returncode = _run()
    assert returncode == 0, output[-3000:]
    assert recap(output)["changed"] == 0
    assert calls["totals"]["mutating"] == 0, calls["mutating"]


def test_check_mode_changes_nothing():
    output, calls, returncode = _run("--check", "--diff")
    assert returncode == 0, output[-3000:]
    assert calls["totals"]["mutating"] == 0, calls["mutating"]
    output, calls, returncode = _run("--check", playbook="playbooks/failover.yml", rds_mysql_failover_replica="dr")
    assert returncode == 0, output[-3000:]
    assert calls["totals"]["mutating"] == 0, calls["mutating"]
    assert "to be promoted" in output
    assert not (ARTIFACTS / "failover" / "dr").exists()


def test_failover_promotes_the_cross_region_replica():
    entry = _mysql_entry()
    _query(entry, entry["host"], entry["port"], f"INSERT INTO {PROBE}.marks VALUES ('before-failover')")
    output, calls, returncode = _run(playbook="playbooks/failover.yml", rds_mysql_failover_replica="dr")
    assert returncode == 0, output[-3000:]
    # The promoted instance's lag alarm goes: it would fire on the ReplicaLag a standalone instance no longer sends.
    assert calls["mutating"] == {"rds:PromoteReadReplica": 1, "monitoring:DeleteAlarms": 1}
    assert _client("cloudwatch", WEST).describe_alarms(AlarmNamePrefix=f"openedx-{ENVIRONMENT}-")["MetricAlarms"] == []
    assert "s behind its source just before the promotion" in output

    promoted = _rds(WEST).describe_db_instances(DBInstanceIdentifier=f"{PRIMARY}-dr")["DBInstances"][0]
    assert promoted["DBInstanceStatus"] == "available"
    assert "ReadReplicaSourceDBInstanceIdentifier" not in promoted
    assert f"{PRIMARY}-dr" not in str(_rds().describe_db_instances(DBInstanceIdentifier=PRIMARY)["DBInstances"][0][
        "ReadReplicaDBInstanceIdentifiers"])

    failover = _mysql_entry(ARTIFACTS / "failover" / "dr")
    assert failover["identifier"] == f"{PRIMARY}-dr" and failover["region"] == WEST
    assert (failover["host"], failover["port"]) == (promoted["Endpoint"]["Address"], promoted["Endpoint"]["Port"])
    assert failover["promoted_from"] == _rds().describe_db_instances(DBInstanceIdentifier=PRIMARY)["DBInstances"][0][
        "DBInstanceArn"]
    handoff = yaml.safe_load((ARTIFACTS / "failover" / "dr" / "edx-configuration" / "data-services.yml").read_text())
    assert handoff["EDXAPP_MYSQL_PORT"] == str(promoted["Endpoint"]["Port"])

    marks = {row[0] for row in _query(failover, failover["host"], failover["port"], f"SELECT mark FROM {PROBE}.marks")}
    assert marks == {"created", "before-failover"}
    assert _query(failover, failover["host"], failover["port"], "SELECT @@read_only") == [(0,)]
    _query(failover, failover["host"], failover["port"], f"INSERT INTO {PROBE}.marks VALUES ('after-failover')")

    output, calls, returncode = _run(playbook="playbooks/failover.yml", rds_mysql_failover_replica="dr")
    assert returncode == 0, output[-3000:]
    assert calls["totals"]["mutating"] == 0, calls["mutating"]
    assert "is a standalone instance already" in output
