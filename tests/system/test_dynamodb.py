"""DynamoDB tables and the Kinesis stream (``--limit dynamodb``) on an environment of their own.

One creation with every feature the inventory's example uses, a re-run that changes nothing, a check-mode run of an
update that makes no mutating call, the update itself (two global indexes, one UpdateTable each, in order), bad
settings refused before any AWS call, and real data: an item written to the table is read back, a record put on
the stream is read from it.
"""

from __future__ import annotations

import copy
import io
import re
import time
import zipfile

import pytest
import yaml
from conftest import ROOT, aws, fresh_environment, ledger, recap, run_playbook, sandbox

ENVIRONMENT = "tables"
PREFIX = f"openedx-{ENVIRONMENT}"
EVENTS = f"{PREFIX}-learner-events"
PROGRESS = f"{PREFIX}-course-progress"
STREAM = f"{PREFIX}-tracking-events"
CONNECTIONS = ROOT / "artifacts" / ENVIRONMENT / "connections.yml"
EXAMPLE = yaml.safe_load((ROOT / "inventories" / "local" / "group_vars" / "all" / "dynamodb.yml").read_text())


def _run(*args: str, **settings: object):
    result = run_playbook("--limit", "dynamodb", *args, extra_vars={**fresh_environment(ENVIRONMENT), **settings})
    return result.stdout


def _forget_environment() -> None:
    """Remove what an earlier run of this module left, so that the first run creates everything."""
    dynamodb, kinesis, scaling = aws("dynamodb"), aws("kinesis"), aws("application-autoscaling")
    for name in dynamodb.list_tables()["TableNames"]:
        if name.startswith(f"{PREFIX}-"):
            dynamodb.update_table(TableName=name, DeletionProtectionEnabled=False)
            dynamodb.delete_table(TableName=name)
    for target in scaling.describe_scalable_targets(ServiceNamespace="dynamodb")["ScalableTargets"]:
        if target["ResourceId"].startswith(f"table/{PREFIX}-"):
            scaling.deregister_scalable_target(ServiceNamespace="dynamodb", ResourceId=target["ResourceId"],
                                               ScalableDimension=target["ScalableDimension"])
    for name in kinesis.list_streams()["StreamNames"]:
        if name.startswith(f"{PREFIX}-"):
            kinesis.delete_stream(StreamName=name)


@pytest.fixture(scope="module")
def created() -> tuple[str, dict]:
    _forget_environment()
    sandbox("reset")
    output = _run()
    assert recap(output, "dynamodb")["failed"] == 0, output[-4000:]
    return output, ledger()


def test_creation_with_every_feature(created: tuple[str, dict]) -> None:
    calls = created[1]
    assert calls["mutating"]["dynamodb:CreateTable"] == 2
    dynamodb = aws("dynamodb")
    key = aws("kms").describe_key(KeyId=f"alias/{PREFIX}-data-services")["KeyMetadata"]["Arn"]
    events = dynamodb.describe_table(TableName=EVENTS)["Table"]
    assert events["KeySchema"] == [{"AttributeName": "learner_id", "KeyType": "HASH"},
                                   {"AttributeName": "event_time", "KeyType": "RANGE"}]
    assert events["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    [by_course] = events["GlobalSecondaryIndexes"]
    assert by_course["IndexName"] == "by-course"
    assert by_course["Projection"] == {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["event_type", "learner_id"]}
    assert events["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert events["SSEDescription"]["KMSMasterKeyArn"] == key
    # The environment has the prod profile: point-in-time recovery and deletion protection on.
    assert events["DeletionProtectionEnabled"] is True
    assert dynamodb.describe_continuous_backups(TableName=EVENTS)["ContinuousBackupsDescription"][
        "PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"
    assert dynamodb.describe_time_to_live(TableName=EVENTS)["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "ENABLED", "AttributeName": "expires_at"}
    tags = {t["Key"]: t["Value"] for t in dynamodb.list_tags_of_resource(ResourceArn=events["TableArn"])["Tags"]}
    assert tags["Environment"] == ENVIRONMENT
    progress = dynamodb.describe_table(TableName=PROGRESS)["Table"]
    assert progress["BillingModeSummary"]["BillingMode"] == "PROVISIONED"
    assert progress["ProvisionedThroughput"]["ReadCapacityUnits"] == 5
    targets = aws("application-autoscaling").describe_scalable_targets(
        ServiceNamespace="dynamodb", ResourceIds=[f"table/{PROGRESS}"])["ScalableTargets"]
    assert {(t["ScalableDimension"], t["MinCapacity"], t["MaxCapacity"]) for t in targets} == {
        ("dynamodb:table:ReadCapacityUnits", 5, 100), ("dynamodb:table:WriteCapacityUnits", 5, 100)}
    stream = aws("kinesis").describe_stream_summary(StreamName=STREAM)["StreamDescriptionSummary"]
    assert (stream["EncryptionType"], stream["KeyId"]) == ("KMS", key)
    policy = aws("iam").get_role_policy(RoleName=f"{STREAM}-lambda", PolicyName="stream-to-table")["PolicyDocument"]
    resources = {s["Sid"]: s["Resource"] for s in policy["Statement"]}
    assert resources["ReadTheStream"] == stream["StreamARN"]
    assert resources["WriteTheTable"] == events["TableArn"]
    assert resources["DecryptWithTheEnvironmentKey"] == key
    entry = yaml.safe_load(CONNECTIONS.read_text())["services"]["dynamodb"]
    assert entry["tables"]["learner-events"] == {"name": EVENTS, "arn": events["TableArn"],
                                                 "stream_arn": events["LatestStreamArn"]}
    assert entry["kinesis_streams"]["tracking-events"]["arn"] == stream["StreamARN"]


def test_second_run_changes_nothing(created: tuple[str, dict]) -> None:
    sandbox("reset")
    output = _run()
    assert recap(output, "dynamodb")["changed"] == 0, output[-4000:]
    assert ledger()["mutating"] == {}


def _with_two_more_indexes() -> list[dict]:
    tables = copy.deepcopy(EXAMPLE["dynamodb_tables"])
    tables[0]["global_indexes"] += [
        {"name": "by-org", "partition_key": "org", "sort_key": {"name": "event_time", "type": "N"},
         "projection": "KEYS_ONLY"},
        {"name": "by-verb", "partition_key": "event_type", "projection": "KEYS_ONLY"},
    ]
    return tables


def test_check_mode_plans_the_update_without_a_mutating_call(created: tuple[str, dict]) -> None:
    sandbox("reset")
    output = _run("--check", "--diff", dynamodb_tables=_with_two_more_indexes())
    assert recap(output, "dynamodb")["failed"] == 0, output[-4000:]
    assert ledger()["mutating"] == {}
    text = " ".join(output.split())
    assert "UpdateTable create index by-org (1/2); UpdateTable create index by-verb (2/2)" in text, text[-3000:]
    assert [i["IndexName"] for i in aws("dynamodb").describe_table(TableName=EVENTS)["Table"][
        "GlobalSecondaryIndexes"]] == ["by-course"]


def test_two_indexes_are_added_one_update_each_in_order(created: tuple[str, dict]) -> None:
    sandbox("reset")
    output = _run(dynamodb_tables=_with_two_more_indexes())
    assert recap(output, "dynamodb")["failed"] == 0, output[-4000:]
    # The sandbox refuses two index creations in one UpdateTable, as AWS does: two calls it is.
    assert ledger()["mutating"] == {"dynamodb:UpdateTable": 2}
    text = " ".join(output.split())
    steps = re.search(r"openedx-tables-learner-events: (.*?)'", text).group(1)
    assert re.match(r"\d+s UpdateTable create index by-org \(1/2\); \d+s openedx-tables-learner-events active; "
                    r"\d+s UpdateTable create index by-verb \(2/2\); \d+s openedx-tables-learner-events active", steps)
    indexes = aws("dynamodb").describe_table(TableName=EVENTS)["Table"]["GlobalSecondaryIndexes"]
    assert sorted(i["IndexName"] for i in indexes) == ["by-course", "by-org", "by-verb"]


BAD_TABLES = [
    {"name": "Bad Name", "partition_key": {"name": "id", "type": "X"}},
    {"name": "provisioned", "partition_key": "id", "billing_mode": "PROVISIONED"},
    {"name": "crowded", "partition_key": "id", "stream_view_type": "EVERYTHING",
     "global_indexes": [{"name": f"index-{n:02d}", "partition_key": f"a{n}"} for n in range(21)]},
    {"name": "local", "partition_key": "id", "local_indexes": [{"name": "by-date", "sort_key": "date"}]},
]


def test_bad_settings_are_refused_before_any_call(created: tuple[str, dict]) -> None:
    sandbox("reset")
    output = _run(dynamodb_tables=BAD_TABLES,
                  dynamodb_kinesis_streams=[{"name": "feed", "shards": 0, "table": "missing"}])
    assert recap(output, "dynamodb")["failed"] == 1
    assert ledger()["totals"]["mutating"] == 0 and ledger()["totals"]["read"] == 0
    text = " ".join(output.split())
    for message in (
        "dynamodb_tables[Bad Name].partition_key.type must be one of S, N, B",
        "dynamodb_tables[Bad Name].name must start with a lowercase letter or digit",
        "read_capacity is required with billing_mode PROVISIONED",
        "dynamodb_tables[crowded].stream_view_type must be one of KEYS_ONLY, NEW_IMAGE, OLD_IMAGE, NEW_AND_OLD_IMAGES",
        "global_indexes holds 21 indexes; a table has at most 20",
        "local_indexes need the table to have a sort_key",
        "dynamodb_kinesis_streams[feed].shards must be a whole number from 1 to 500",
        "dynamodb_kinesis_streams[feed].table must name a table of dynamodb_tables",
    ):
        assert message in text, message


def test_real_data_through_the_table_and_the_stream(created: tuple[str, dict]) -> None:
    dynamodb, kinesis = aws("dynamodb"), aws("kinesis")
    item = {"learner_id": {"S": "learner-1"}, "event_time": {"N": "1764672000"}, "course_id": {"S": "course-v1:X+1+T"},
            "event_type": {"S": "problem_check"}, "expires_at": {"N": str(int(time.time()) + 86400)}}
    dynamodb.put_item(TableName=EVENTS, Item=item)
    key = {"learner_id": item["learner_id"], "event_time": item["event_time"]}
    read = dynamodb.get_item(TableName=EVENTS, Key=key, ConsistentRead=True)
    assert read["Item"] == item
    by_course = dynamodb.query(TableName=EVENTS, IndexName="by-course", KeyConditionExpression="course_id = :c",
                               ExpressionAttributeValues={":c": item["course_id"]})
    assert by_course["Count"] == 1
    kinesis.put_record(StreamName=STREAM, Data=b'{"event_type": "problem_check"}', PartitionKey="learner-1")
    shard = kinesis.list_shards(StreamName=STREAM)["Shards"][0]["ShardId"]
    iterator = kinesis.get_shard_iterator(StreamName=STREAM, ShardId=shard,
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    records = kinesis.get_records(ShardIterator=iterator)["Records"]
    assert [r["Data"] for r in records] == [b'{"event_type": "problem_check"}']


def test_the_function_named_once_deployed_is_mapped_to_its_stream(created: tuple[str, dict]) -> None:
    """The platform deploys its function with the role the first run made; naming it maps it to the stream, once."""
    function = f"{PREFIX}-tracking-to-dynamodb"
    role = aws("iam").get_role(RoleName=f"{STREAM}-lambda")["Role"]
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as package:
        package.writestr("handler.py", "def handler(event, context):\n    return None\n")
    aws("lambda").create_function(FunctionName=function, Runtime="python3.12", Role=role["Arn"],
                                  Handler="handler.handler", Code={"ZipFile": archive.getvalue()})
    streams = [dict(EXAMPLE["dynamodb_kinesis_streams"][0], lambda_function=function)]
    settings = {"dynamodb_tables": _with_two_more_indexes(), "dynamodb_kinesis_streams": streams}

    sandbox("reset")
    output = _run("--check", **settings)
    assert recap(output, "dynamodb")["failed"] == 0, output[-4000:]
    assert ledger()["mutating"] == {}

    sandbox("reset")
    output = _run(**settings)
    assert recap(output, "dynamodb")["failed"] == 0, output[-4000:]
    # The role's log statement now names the function (until then, any function named after the stream).
    assert ledger()["mutating"] == {"iam:PutRolePolicy": 1, "lambda:CreateEventSourceMapping": 1}, ledger()[
        "mutating"]
    stream_arn = aws("kinesis").describe_stream_summary(StreamName=STREAM)["StreamDescriptionSummary"]["StreamARN"]
    mappings = aws("lambda").list_event_source_mappings(EventSourceArn=stream_arn)["EventSourceMappings"]
    assert [(m["FunctionArn"].rsplit(":", 1)[-1], m["BatchSize"], m["State"]) for m in mappings] == [
        (function, 100, "Enabled")]
    # The function's role may write the function's own logs only.
    policy = aws("iam").get_role_policy(RoleName=f"{STREAM}-lambda", PolicyName="stream-to-table")["PolicyDocument"]
    logs = next(s["Resource"] for s in policy["Statement"] if s["Sid"] == "WriteItsLogs")
    assert logs.endswith(f":log-group:/aws/lambda/{function}:*"), logs

    sandbox("reset")
    output = _run(**settings)
    assert recap(output, "dynamodb")["changed"] == 0, output[-4000:]
    assert ledger()["mutating"] == {}
