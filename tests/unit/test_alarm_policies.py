"""The KMS key policy lets CloudWatch use the environment's key for the environment's alarms only, and the alarm
topic's policy lets those alarms publish: both name the same alarms, the ones alarm_definitions makes.

The templates are rendered with Ansible's own templar over the roles' defaults and vars and the facts the roles
before them record, as the kms and alarms roles render them.
"""

from __future__ import annotations

import fnmatch
import json
from pathlib import Path
from typing import Any

import yaml
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar, trust_as_template
from ansible_collections.openedx.data_services.plugins.filter.alarms import alarm_definitions
from ansible_collections.openedx.data_services.plugins.filter.policies import policy_errors

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = "123456789012"
REGION = "us-east-1"
KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
FACTS = {
    "data_services_environment": "prod",
    "data_services_result": {"account_id": ACCOUNT, "partition": "aws", "tags": {"Environment": "prod"}},
    "kms_result": {"key_arn": KEY},
}
TOPIC = f"arn:aws:sns:{REGION}:{ACCOUNT}:openedx-prod-data-services-alarms"


def render(role: str, template: str, **extra: Any) -> dict[str, Any]:
    loader = DataLoader()
    variables: dict[str, Any] = {}
    for path in (ROOT / "roles/data_services/defaults/main.yml", ROOT / "roles" / role / "defaults/main.yml",
                 ROOT / "roles" / role / "vars/main.yml"):
        variables.update(loader.load_from_file(str(path), trusted_as_template=True))
    templar = Templar(loader=loader, variables={**variables, **FACTS, **extra})
    return json.loads(templar.template(trust_as_template((ROOT / "roles" / role / "templates" / template).read_text())))


def statements(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {statement["Sid"]: statement for statement in document["Statement"]}


def test_the_key_policy_lets_cloudwatch_use_the_key_for_the_environments_alarms_only() -> None:
    statement = statements(render("kms", "key_policy.json.j2"))[
        "CloudWatchAlarmsOfTheEnvironmentPublishToItsEncryptedTopic"]
    assert statement["Effect"] == "Allow"
    assert statement["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    # What a publisher to an encrypted topic needs, and no more.
    assert sorted(statement["Action"]) == ["kms:Decrypt", "kms:GenerateDataKey*"]
    assert statement["Condition"] == {
        "StringEquals": {"aws:SourceAccount": ACCOUNT},
        "ArnLike": {"aws:SourceArn": f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:openedx-prod-*"},
    }


def test_the_topic_policy_lets_the_same_alarms_publish_and_refuses_plain_http() -> None:
    document = render("alarms", "topic_policy.json.j2")
    assert policy_errors(document) == []
    found = statements(document)
    publish = found["CloudWatchAlarmsOfTheEnvironmentPublish"]
    assert (publish["Principal"], publish["Action"], publish["Resource"]) == (
        {"Service": "cloudwatch.amazonaws.com"}, "sns:Publish", TOPIC)
    key_condition = statements(render("kms", "key_policy.json.j2"))[
        "CloudWatchAlarmsOfTheEnvironmentPublishToItsEncryptedTopic"]["Condition"]
    assert publish["Condition"] == key_condition
    deny = found["DenyPublishingOverPlainHttp"]
    assert (deny["Effect"], deny["Condition"]) == ("Deny", {"Bool": {"aws:SecureTransport": "false"}})
    owner = found["AccountManagesTheTopic"]
    assert owner["Principal"] == {"AWS": f"arn:aws:iam::{ACCOUNT}:root"} and owner["Resource"] == TOPIC


def test_every_alarm_of_the_environment_matches_the_policies_source_arn() -> None:
    pattern = statements(render("alarms", "topic_policy.json.j2"))["CloudWatchAlarmsOfTheEnvironmentPublish"][
        "Condition"]["ArnLike"]["aws:SourceArn"]
    thresholds = yaml.safe_load((ROOT / "roles/alarms/defaults/main.yml").read_text())["alarms_thresholds"]["prod"]
    alarms = alarm_definitions({"identifier": "openedx-prod-mysql", "allocated_storage": 100}, "rds_mysql", "mysql",
                               "openedx-prod", thresholds)
    assert alarms
    for alarm in alarms:
        assert fnmatch.fnmatchcase(f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:{alarm['name']}", pattern)
    assert not fnmatch.fnmatchcase(f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:openedx-test-mysql-cpu", pattern)


def test_another_regions_topic_and_replica_key_let_the_environments_alarms_of_that_region_in() -> None:
    """A cross-region read replica's lag alarm notifies a topic of its region, encrypted with the replicas' key there:
    the topic's policy and the key's name the same alarms, of that region."""
    west = "us-west-2"
    topic = statements(render("alarms", "topic_policy.json.j2", __alarms_region=west))
    publish = topic["CloudWatchAlarmsOfTheEnvironmentPublish"]
    assert publish["Resource"] == f"arn:aws:sns:{west}:{ACCOUNT}:openedx-prod-data-services-alarms"
    key = statements(render("rds_mysql", "replica_key_policy.json.j2", item=west))
    assert key["CloudWatchAlarmsOfTheEnvironmentPublishToItsEncryptedTopic"]["Condition"] == publish["Condition"] == {
        "StringEquals": {"aws:SourceAccount": ACCOUNT},
        "ArnLike": {"aws:SourceArn": f"arn:aws:cloudwatch:{west}:{ACCOUNT}:alarm:openedx-prod-*"},
    }
    assert key["ReplicasUseThroughRds"]["Condition"]["StringEquals"] == {
        "kms:CallerAccount": ACCOUNT, "kms:ViaService": f"rds.{west}.amazonaws.com"}
