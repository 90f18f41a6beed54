"""The live report's checks (report_checks), cost estimate (report_cost), terminal table (report_table) and template.

The fixture is what environment_report_info read of the sandbox's prod-shaped environment, with alarms added. Every
check passes on it, and each check fails once the setting it watches is broken: BREAKERS holds one way to break
each, and a test fails when a check has none.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
import pytest
import yaml
from ansible_collections.openedx.data_services.plugins.filter.report import (
    FAIL,
    NOT_VERIFIABLE,
    PASS,
    report_checks,
    report_cost,
    report_table,
)

ROOT = Path(__file__).resolve().parents[4]
FIXTURE = Path(__file__).parent / "fixtures" / "report_read.json"
PRICES = yaml.safe_load((ROOT / "roles" / "report" / "files" / "prices.yml").read_text())
TEMPLATE = ROOT / "roles" / "report" / "templates" / "report.html.j2"
OTHER_KEY = "arn:aws:kms:us-east-1:123456789012:key/00000000-1111-2222-3333-444444444444"
SETTINGS = {
    "environment": "local", "profile": "prod", "region": "us-east-1", "kms_key": "alias/openedx-local-data-services",
    "vpc_id": "vpc-0d5a0000000000001", "backup_window": "03:00-04:00", "maintenance_window": "mon:04:00-mon:05:00",
    "private_subnet_ids": ["subnet-0d5a0000000000a01", "subnet-0d5a0000000000a02", "subnet-0d5a0000000000a03"],
    "platform_security_group_ids": ["sg-0d5a0000000000e01"], "allowed_cidrs": [],
    "ports": [3306, 27017, 6379, 443], "security_group": "openedx-local-data-services",
    "secret_prefix": "openedx/local/", "alarm_name_prefix": "openedx-local-", "now": "2026-12-02T04:00:00+00:00",
}


@pytest.fixture
def read() -> dict[str, Any]:
    return json.loads(FIXTURE.read_text())


def results(report: dict[str, Any]) -> dict[str, str]:
    return {check["id"]: check["result"] for check in report["checks"]}


def resource(read: dict[str, Any], service: str) -> dict[str, Any]:
    return next(r for r in read["resources"] if r["service"] == service)


def group(read: dict[str, Any]) -> dict[str, Any]:
    return read["security_groups"][resource(read, "mysql")["security_group_ids"][0]]


def log_group(read: dict[str, Any], service: str) -> dict[str, Any]:
    return read["log_groups"][resource(read, service)["log_groups"][0]["log_group"]]


def secret(read: dict[str, Any], service: str) -> dict[str, Any]:
    return next(s for s in read["secrets"] if s["name"].startswith(f"openedx/local/{service}/"))


def drop_alarms(service: str) -> Callable[[dict[str, Any]], None]:
    def breaker(read: dict[str, Any]) -> None:
        read["alarms"] = [a for a in read["alarms"] if not a["alarm_name"].startswith(f"openedx-local-{service}-")]
    return breaker


def set_in(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """A breaker setting ``service.key.key...`` of a resource to ``value``."""
    service, *keys = path.split(".")

    def breaker(read: dict[str, Any]) -> None:
        target = resource(read, service)
        for key in keys[:-1]:
            target = target[key]
        target[keys[-1]] = value
    return breaker


def extra_group(service: str) -> Callable[[dict[str, Any]], None]:
    return lambda read: resource(read, service)["security_group_ids"].append("sg-0d5a0000000000e02")


def open_to_the_world(read: dict[str, Any]) -> None:
    group(read)["ip_permissions"][0]["ip_ranges"].append({"cidr_ip": "0.0.0.0/0"})


def public_subnet(read: dict[str, Any]) -> None:
    read["subnets"]["subnet-0d5a0000000000a01"]["map_public_ip_on_launch"] = True


def other_secret_key(service: str) -> Callable[[dict[str, Any]], None]:
    return lambda read: secret(read, service).update(kms_key_id=OTHER_KEY)


def unencrypted_log_group(service: str) -> Callable[[dict[str, Any]], None]:
    return lambda read: log_group(read, service).update(kms_key_id=None)


def drop_statement(sid: str) -> Callable[[dict[str, Any]], None]:
    def breaker(read: dict[str, Any]) -> None:
        policy = read["kms_key"]["policy"]
        policy["Statement"] = [s for s in policy["Statement"] if s.get("Sid") != sid]
    return breaker


def without_readers(read: dict[str, Any]) -> None:
    documentdb = resource(read, "documentdb")
    documentdb["instances"] = documentdb["instances"][:1]


def without_application_logs(read: dict[str, Any]) -> None:
    domain = resource(read, "opensearch")["domain"]
    domain["log_publishing"] = [e for e in domain["log_publishing"] if e["log_type"] != "ES_APPLICATION_LOGS"]


def without_engine_log(read: dict[str, Any]) -> None:
    redis = resource(read, "redis")
    redis["log_groups"] = [e for e in redis["log_groups"] if e["log_type"] != "engine-log"]


BREAKERS: dict[str, Callable[[dict[str, Any]], None]] = {
    "kms.customer_managed": lambda read: read["kms_key"].update(key_manager="AWS"),
    "kms.rotation": lambda read: read["kms_key"].update(rotation_enabled=False),
    "kms.policy": drop_statement("CloudWatchLogsEncryptsThisAccountsLogGroups"),

    "mysql.engine": set_in("mysql.instance.engine_version", "5.7.44"),
    "mysql.encryption_at_rest": set_in("mysql.instance.kms_key_id", OTHER_KEY),
    "mysql.performance_insights": set_in("mysql.instance.performance_insights_enabled", False),
    "mysql.require_secure_transport": lambda read: resource(read, "mysql")["parameters"].pop(
        "require_secure_transport"),
    "mysql.utf8mb4": set_in("mysql.parameters.character_set_server", "latin1"),
    "mysql.iam_auth": set_in("mysql.instance.iam_database_authentication_enabled", False),
    "mysql.auto_minor_upgrade": set_in("mysql.instance.auto_minor_version_upgrade", False),
    "mysql.enhanced_monitoring": set_in("mysql.instance.monitoring_interval", 0),
    "mysql.log_exports": set_in("mysql.instance.enabled_cloudwatch_logs_exports", ["error", "slowquery"]),
    "mysql.log_groups": unencrypted_log_group("mysql"),
    "mysql.backup_retention": set_in("mysql.instance.backup_retention_period", 0),
    "mysql.restorable": set_in("mysql.instance.latest_restorable_time", "2026-11-29T04:00:00+00:00"),
    "mysql.backup_window": set_in("mysql.instance.preferred_backup_window", "05:00-06:00"),
    "mysql.maintenance_window": set_in("mysql.instance.preferred_maintenance_window", "sun:04:00-sun:05:00"),
    "mysql.multi_az": set_in("mysql.instance.multi_az", False),
    "mysql.storage": set_in("mysql.instance.storage_type", "gp2"),
    "mysql.deletion_protection": set_in("mysql.instance.deletion_protection", False),
    "mysql.private_subnets": set_in("mysql.instance.publicly_accessible", True),
    "mysql.security_group": extra_group("mysql"),
    "mysql.no_open_ingress": open_to_the_world,
    "mysql.alarms": drop_alarms("mysql"),
    "mysql.secrets": other_secret_key("mysql"),

    "documentdb.engine": set_in("documentdb.cluster.engine_version", "4.0.0"),
    "documentdb.instances": without_readers,
    "documentdb.encryption_at_rest": set_in("documentdb.cluster.storage_encrypted", False),
    "documentdb.tls": set_in("documentdb.parameters.tls", "disabled"),
    "documentdb.audit_profiler": set_in("documentdb.parameters.profiler", "disabled"),
    "documentdb.log_exports": set_in("documentdb.cluster.enabled_cloudwatch_logs_exports", ["audit"]),
    "documentdb.log_groups": lambda read: read["log_groups"].pop("/aws/docdb/openedx-local-docdb/audit"),
    "documentdb.backup_retention": set_in("documentdb.cluster.backup_retention_period", 0),
    "documentdb.restorable": set_in("documentdb.cluster.latest_restorable_time", None),
    "documentdb.backup_window": set_in("documentdb.cluster.preferred_backup_window", "00:00-01:00"),
    "documentdb.maintenance_window": set_in("documentdb.cluster.preferred_maintenance_window", "wed:06:38-wed:07:08"),
    "documentdb.deletion_protection": set_in("documentdb.cluster.deletion_protection", False),
    "documentdb.private_subnets": lambda read: resource(read, "documentdb")["subnet_ids"].append("subnet-0ff"),
    "documentdb.security_group": extra_group("documentdb"),
    "documentdb.no_open_ingress": open_to_the_world,
    "documentdb.alarms": drop_alarms("documentdb"),
    "documentdb.secrets": other_secret_key("documentdb"),

    "opensearch.engine": set_in("opensearch.domain.engine_version", "Elasticsearch_7.10"),
    "opensearch.vpc": set_in("opensearch.domain.vpc_id", None),
    "opensearch.gp3": set_in("opensearch.domain.volume_type", "gp2"),
    "opensearch.encryption_at_rest": set_in("opensearch.domain.encryption_at_rest", False),
    "opensearch.node_to_node": set_in("opensearch.domain.node_to_node_encryption", False),
    "opensearch.https": set_in("opensearch.domain.tls_security_policy", "Policy-Min-TLS-1-0-2019-07"),
    "opensearch.fine_grained_access": set_in("opensearch.domain.anonymous_auth", True),
    "opensearch.log_publishing": without_application_logs,
    "opensearch.log_groups": unencrypted_log_group("opensearch"),
    "opensearch.log_resource_policy": lambda read: read.update(log_resource_policies=[]),
    "opensearch.access_policy": lambda read: resource(read, "opensearch")["domain"]["access_policies"][
        "Statement"][0]["Principal"].update(AWS="*"),
    "opensearch.nodes": set_in("opensearch.domain.dedicated_master", False),
    "opensearch.maintenance_window": set_in("opensearch.domain.off_peak_window_start", "10:00"),
    "opensearch.private_subnets": public_subnet,
    "opensearch.security_group": extra_group("opensearch"),
    "opensearch.no_open_ingress": open_to_the_world,
    "opensearch.alarms": drop_alarms("opensearch"),
    "opensearch.secrets": other_secret_key("opensearch"),

    "redis.engine": set_in("redis.node.engine_version", "6.2.6"),
    "redis.encryption_at_rest": set_in("redis.replication_group.at_rest_encryption_enabled", False),
    "redis.in_transit": set_in("redis.replication_group.transit_encryption_mode", "preferred"),
    "redis.auth_token": set_in("redis.replication_group.auth_token_enabled", False),
    "redis.nodes": set_in("redis.replication_group.automatic_failover", "disabled"),
    "redis.log_delivery": without_engine_log,
    "redis.log_groups": unencrypted_log_group("redis"),
    "redis.snapshot_retention": set_in("redis.replication_group.snapshot_retention_limit", 0),
    "redis.backup_window": set_in("redis.replication_group.snapshot_window", "05:00-06:00"),
    "redis.maintenance_window": set_in("redis.node.preferred_maintenance_window", "sun:23:00-mon:01:30"),
    "redis.parameter_group": set_in("redis.parameter_group", "default.redis7"),
    "redis.private_subnets": public_subnet,
    "redis.security_group": extra_group("redis"),
    "redis.no_open_ingress": open_to_the_world,
    "redis.alarms": drop_alarms("redis"),
    "redis.secrets": other_secret_key("redis"),
}


def test_a_compliant_environment_passes_every_check(read: dict[str, Any]) -> None:
    report = report_checks(read, SETTINGS)
    assert report["failed"] == [], [c for c in report["checks"] if c["result"] == FAIL]
    assert report["summary"] == {PASS: len(BREAKERS), FAIL: 0, NOT_VERIFIABLE: 12, "checks": len(BREAKERS)}


def test_engines_after_an_allowed_major_upgrade_pass(read: dict[str, Any]) -> None:
    set_in("mysql.instance.engine_version", "8.4.5")(read)
    set_in("documentdb.cluster.engine_version", "8.0.0")(read)
    assert results(report_checks(read, SETTINGS))["mysql.engine"] == PASS
    assert results(report_checks(read, SETTINGS))["documentdb.engine"] == PASS


def test_every_check_has_a_way_to_break_it(read: dict[str, Any]) -> None:
    checked = {c["id"] for c in report_checks(read, SETTINGS)["checks"] if c["result"] != NOT_VERIFIABLE}
    assert checked == set(BREAKERS)


@pytest.mark.parametrize("check_id", sorted(BREAKERS))
def test_each_check_fails_once_its_setting_is_broken(read: dict[str, Any], check_id: str) -> None:
    BREAKERS[check_id](read)
    report = report_checks(read, SETTINGS)
    assert results(report)[check_id] == FAIL
    assert check_id in report["failed"]
    check = next(c for c in report["checks"] if c["id"] == check_id)
    assert check["promise"] and check["evidence"]


def test_the_evidence_says_what_aws_says(read: dict[str, Any]) -> None:
    BREAKERS["mysql.backup_retention"](read)
    checks = {c["id"]: c for c in report_checks(read, SETTINGS)["checks"]}
    assert checks["mysql.backup_retention"]["evidence"] == "BackupRetentionPeriod 0 days"
    assert checks["mysql.backup_retention"]["promise"] == "prod: 7-day backups."
    assert checks["mysql.encryption_at_rest"]["evidence"] == (
        "encrypted: yes; key: alias/openedx-local-data-services (3915d3d7-15b2-4d88-a663-5b6ae593c8a3), the "
        "environment's key")
    assert checks["mysql.security_group"]["evidence"] == (
        "groups sg-c0a2628162bcaf088 (openedx-local-data-services); sources: sg-0d5a0000000000e01 (platform nodes)")


def test_a_test_profile_is_held_to_the_test_column(read: dict[str, Any]) -> None:
    for breaker in ("mysql.multi_az", "mysql.storage", "mysql.deletion_protection", "documentdb.instances",
                    "documentdb.deletion_protection", "opensearch.nodes", "redis.nodes"):
        BREAKERS[breaker](read)
    resource(read, "mysql")["instance"]["backup_retention_period"] = 1
    # The alarm of the reader just dropped would name no resource of the service any more.
    read["alarms"] = [a for a in read["alarms"] if not a["alarm_name"].endswith("-2")]
    report = report_checks(read, {**SETTINGS, "profile": "test"})
    assert report["failed"] == []
    assert "mysql.multi_az" not in results(report) and "redis.deletion_protection" not in results(report)
    assert next(c for c in report["checks"] if c["id"] == "mysql.backup_retention")["promise"] == (
        "test: 1-day backups.")


def test_an_alarm_naming_another_resource_fails_its_service(read: dict[str, Any]) -> None:
    alarm = next(a for a in read["alarms"] if a["alarm_name"] == "openedx-local-mysql-cpu")
    alarm["metrics"][0]["dimensions"] = {"DBInstanceIdentifier": "openedx-local-mysql-typo"}
    check = next(c for c in report_checks(read, SETTINGS)["checks"] if c["id"] == "mysql.alarms")
    assert check["result"] == FAIL
    assert "openedx-local-mysql-cpu names no resource of the service" in check["evidence"]


def test_an_alarm_to_an_unencrypted_topic_fails(read: dict[str, Any]) -> None:
    for topic in read["topics"].values():
        topic["kms_master_key_id"] = None
    failed = report_checks(read, SETTINGS)["failed"]
    assert sorted(failed) == ["documentdb.alarms", "mysql.alarms", "opensearch.alarms", "redis.alarms"]


def test_a_missing_resource_fails_its_existence(read: dict[str, Any]) -> None:
    redis = resource(read, "redis")
    redis.clear()
    redis.update(service="redis", kind="elasticache_replication_group", identifier="openedx-local-redis", found=False)
    report = report_checks(read, SETTINGS)
    assert report["failed"] == ["redis.exists"]
    assert not any(c["id"].startswith("redis.") and c["id"] != "redis.exists" for c in report["checks"])


def test_a_read_aws_refused_fails_the_checks_that_need_it(read: dict[str, Any]) -> None:
    read["errors"] = {"alarms": "An error occurred (AccessDenied) when calling the DescribeAlarms operation"}
    read["alarms"] = []
    checks = {c["id"]: c for c in report_checks(read, SETTINGS)["checks"]}
    assert checks["mysql.alarms"]["result"] == FAIL
    assert "AccessDenied" in checks["mysql.alarms"]["evidence"]


def test_promises_no_api_shows_are_listed_not_omitted(read: dict[str, Any]) -> None:
    listed = {c["id"] for c in report_checks(read, SETTINGS)["checks"] if c["result"] == NOT_VERIFIABLE}
    assert listed == {"security.no_log", "security.input_validation", "security.destructive_changes",
                      "credentials.generated", "handoff.files", "scope.analytics", "scope.further_systems",
                      "documentdb.connection_string", "opensearch.security_roles", "opensearch.backups",
                      "opensearch.deletion_protection", "redis.deletion_protection"}


def test_the_table_puts_failures_first_and_counts(read: dict[str, Any]) -> None:
    BREAKERS["mysql.backup_retention"](read)
    lines = report_table(report_checks(read, SETTINGS)).splitlines()
    assert re.match(r"^service +\| check +\| result$", lines[0])
    assert re.match(r"^mysql +\| backup_retention +\| FAIL$", lines[2])
    assert lines[-1] == (f"{len(BREAKERS) - 1} passed, 1 failed, 12 not verifiable from the API (listed in the "
                         "HTML report)")


def test_the_cost_is_priced_from_the_dated_table(read: dict[str, Any]) -> None:
    cost = report_cost(read, PRICES)
    by_service = {s["service"]: s for s in cost["services"]}
    # db.r6g.large Multi-AZ (primary + standby) and 100 GB of gp3 twice.
    rds = PRICES["rds_mysql"]
    assert by_service["mysql"]["monthly"] == round(rds["instance_hourly"]["db.r6g.large"] * 730 * 2
                                                   + 100 * 2 * rds["storage_gb_month"]["gp3"], 2)
    assert by_service["redis"]["monthly"] == round(3 * PRICES["elasticache"]["node_hourly"]["cache.r7g.large"] * 730,
                                                   2)
    assert cost["as_of"] == str(PRICES["as_of"]) and cost["region"] == "us-east-1"
    assert cost["total"] == round(sum(s["monthly"] for s in cost["services"]), 2)
    assert cost["unpriced"] == []


def test_a_class_missing_from_the_table_is_unpriced_not_guessed(read: dict[str, Any]) -> None:
    resource(read, "mysql")["instance"]["db_instance_class"] = "db.x2iedn.32xlarge"
    cost = report_cost(read, PRICES)
    assert cost["unpriced"] == ["mysql: db.x2iedn.32xlarge instance (Multi-AZ: primary + standby)"]


def test_the_price_table_is_dated_and_sourced() -> None:
    assert re.match(r"^\d{4}-\d{2}-\d{2}$", str(PRICES["as_of"]))
    assert PRICES["region"] == "us-east-1"
    assert all(url.startswith("https://aws.amazon.com/") for url in PRICES["sources"].values())


def render(report: dict[str, Any]) -> str:
    environment = jinja2.Environment(autoescape=False, undefined=jinja2.StrictUndefined)
    return environment.from_string(TEMPLATE.read_text()).render(
        report_result=report, __report_settings={**SETTINGS, "kms_key": SETTINGS["kms_key"]})


def test_the_template_escapes_everything_aws_says(read: dict[str, Any]) -> None:
    hostile = "<script>alert('x')</script>"
    resource(read, "mysql")["instance"]["preferred_backup_window"] = hostile
    read["errors"] = {hostile: hostile}
    report = {**report_checks(read, {**SETTINGS, "environment": hostile}), "cost": report_cost(read, PRICES)}
    page = render(copy.deepcopy(report))
    assert "<script" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    assert "mysql.backup_window" in page


def test_every_expression_of_the_template_is_escaped() -> None:
    macros = ("result_cell(", "checks_table(", "cost_table(")
    expressions = re.findall(r"\{\{(.*?)\}\}", TEMPLATE.read_text())
    unescaped = [e for e in expressions if not e.strip().endswith("| e") and not e.strip().startswith(macros)]
    assert unescaped == []


def test_the_page_is_self_contained(read: dict[str, Any]) -> None:
    page = render({**report_checks(read, SETTINGS), "cost": report_cost(read, PRICES)})
    assert not re.search(r"<(script|link|img|iframe)\b", page)
    assert "@import" not in page and "url(" not in page
    assert page.count("<table") >= 4 * 7
