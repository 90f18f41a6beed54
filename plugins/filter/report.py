# Copyright: Open edX data services maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The live report's checks, facts and cost estimate, from what environment_report_info read (pure code).

Every promise of the design (docs: "What each service must be", "Environments", "Security rules") that a describe
call can show becomes a check with an id, the promise, the evidence AWS gave and a result; a promise no AWS API can
show is listed as not verifiable, with where it is proven instead. Minimums are checked, not exact sizes: a prod
database kept 14 days passes "7-day backups".
"""

from __future__ import annotations

import fnmatch
import ipaddress
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

PASS = "pass"
FAIL = "fail"
NOT_VERIFIABLE = "not verifiable"
ENVIRONMENT = "environment"

# The promises, in the design's words. {placeholders} are filled from the report's settings.
PROMISES = {
    "exists": "The service exists in the environment.",
    "kms.customer_managed": "One customer-managed KMS key (CMK) per environment, enabled.",
    "kms.rotation": "The environment's CMK has rotation on.",
    "kms.policy": "The key policy grants RDS, DocumentDB, ElastiCache, OpenSearch (es.amazonaws.com) and "
                  "CloudWatch Logs what they need.",
    "encryption_at_rest": "Encrypted at rest with the environment's customer-managed KMS key.",
    "secrets": "Passwords kept in Secrets Manager, KMS-encrypted with the environment's key.",
    "log_groups": "CloudWatch log exports go to KMS-encrypted log groups (the environment's key).",
    "backup_window": "Backup window {backup_window} UTC.",
    "maintenance_window": "Maintenance window {maintenance_window} UTC.",
    "private_subnets": "Private subnets only: the environment's private subnets, no public address.",
    "security_group": "One security group ({security_group}) admitting only the platform nodes' security group "
                      "on 3306, 27017, 6379 and 443.",
    "no_open_ingress": "Nothing is ever open to 0.0.0.0/0; no CIDR or rule wider than the VPC.",
    "alarms": "CloudWatch alarms on the resource, to an SNS topic encrypted with the environment's key.",
    "deletion_protection": "prod: deletion protected.",
    "mysql.engine": "RDS MySQL 8.0 (8.4 after an allowed major upgrade), engine version pinned.",
    "mysql.multi_az": "prod: Multi-AZ.",
    "mysql.storage": "prod: 100 GB gp3, storage autoscaling to 200 GB.",
    "mysql.backup_retention": "{profile}: {retention}-day backups.",
    "mysql.restorable": "Backed up: restorable to a point within the last day.",
    "mysql.performance_insights": "CMK for Performance Insights.",
    "mysql.enhanced_monitoring": "Enhanced monitoring, with its IAM role.",
    "mysql.log_exports": "Log exports error, general and slowquery.",
    "mysql.require_secure_transport": "Parameter group with require_secure_transport=ON (TLS enforced).",
    "mysql.utf8mb4": "Parameter group with utf8mb4.",
    "mysql.iam_auth": "IAM database authentication.",
    "mysql.auto_minor_upgrade": "Auto minor version upgrades.",
    "documentdb.engine": "DocumentDB 5.0 (8.0 after an allowed major upgrade).",
    "documentdb.instances": "{instances_promise}",
    "documentdb.tls": "Cluster parameter group with tls=enabled.",
    "documentdb.audit_profiler": "audit_logs and profiler enabled in the cluster parameter group.",
    "documentdb.log_exports": "audit and profiler logs exported.",
    "documentdb.backup_retention": "Backups/PITR: automated backups kept.",
    "documentdb.restorable": "Backups/PITR: restorable to a point within the last day.",
    "opensearch.engine": "OpenSearch 2.x.",
    "opensearch.vpc": "VPC domain.",
    "opensearch.gp3": "gp3 EBS volumes.",
    "opensearch.node_to_node": "Node-to-node encryption.",
    "opensearch.https": "HTTPS only, with TLS 1.2 or later.",
    "opensearch.fine_grained_access": "Fine-grained access control (master user, internal user database or IAM "
                                      "master), no anonymous access.",
    "opensearch.log_publishing": "Index and search slow logs and application logs to CloudWatch.",
    "opensearch.log_resource_policy": "The CloudWatch Logs resource policy lets OpenSearch Service write them.",
    "opensearch.access_policy": "Access policy scoped to the account.",
    "opensearch.nodes": "{nodes_promise}",
    "redis.engine": "Redis 7.x.",
    "redis.in_transit": "In-transit encryption (TLS) required.",
    "redis.auth_token": "AUTH token.",
    "redis.nodes": "{nodes_promise}",
    "redis.log_delivery": "Slow and engine logs to CloudWatch.",
    "redis.snapshot_retention": "Snapshot retention.",
    "redis.parameter_group": "A parameter group of its own (for example maxmemory-policy allkeys-lru).",
}

# Promises no AWS API shows, with where they are shown instead.
NOT_VERIFIABLE_PROMISES = (
    ("security.no_log", ENVIRONMENT,
     "Every option or variable that carries a secret is no_log; no secret appears in any output, even at -vvvv, "
     "nor in any artifact except the one meant to carry it.",
     "A property of the runs and the files they write, not of AWS: tests/system/test_secret_leak.py scans "
     "the -vvvv output and the artifacts."),
    ("security.input_validation", ENVIRONMENT,
     "Invalid input fails before any mutating AWS call, naming the variable and what is allowed.",
     "A behaviour of the playbooks: tests/system/test_bad_input.py."),
    ("security.destructive_changes", ENVIRONMENT,
     "Destructive changes are refused unless explicitly confirmed; prod deletions take a final snapshot first.",
     "A behaviour of the roles' delete entry points and teardown.yml; deletion protection is checked per service."),
    ("credentials.generated", ENVIRONMENT,
     "Passwords generated.",
     "The API cannot tell a generated password from a supplied one (their secrets are checked per service)."),
    ("handoff.files", ENVIRONMENT,
     "Connection hand-off: connections.yml, the edx/configuration vars, the Tutor settings and plugin, the External "
     "Secrets manifests, with no plaintext secret.",
     "Files on the director, not AWS resources: playbooks/connection-check.yml proves each service end to end."),
    ("scope.analytics", ENVIRONMENT,
     "edX Analytics: its RDS, users, credential files, S3 buckets, EMR IAM roles and security group.",
     "Outside this report, which covers the four data services; playbooks/analytics.yml checks and converges them."),
    ("scope.further_systems", ENVIRONMENT,
     "Further systems: RDS read replicas, Aurora PostgreSQL Serverless v2, DynamoDB, Kinesis, IAM for developers "
     "and pods.",
     "Not provisioned by this collection yet."),
)
SERVICE_NOT_VERIFIABLE = {
    "docdb_cluster": (
        ("connection_string",
         "Outputs the cluster and reader endpoints and a connection string with tls=true, replicaSet=rs0, "
         "readPreference=secondaryPreferred, retryWrites=false, and the CA bundle path.",
         "An output of the collection (connections.yml), not of AWS: playbooks/connection-check.yml connects with it."),
    ),
    "opensearch_domain": (
        ("security_roles", "Roles and role mappings inside the domain.",
         "The domain's own REST API (security plugin), not the AWS API: playbooks/connection-check.yml."),
        ("backups", "Automated snapshots of the domain.",
         "Kept inside the domain and listed by its _snapshot REST API; the AWS API does not show them."),
    ),
}
PROD_NOT_VERIFIABLE = {
    "opensearch_domain": (("deletion_protection", "prod: deletion protected.",
                           "OpenSearch Service has no deletion protection setting; the role's delete entry point "
                           "requires the domain's name as confirmation."),),
    "elasticache_replication_group": (("deletion_protection", "prod: deletion protected.",
                                       "ElastiCache has no deletion protection setting; the role's delete entry point "
                                       "requires the group's ID as confirmation and takes a final snapshot."),),
}

# The metrics the alarms of each kind are meant to watch (CPU, memory, storage, connections, replica lag...): the
# report shows which have no alarm. RDS publishes ReplicaLag for read replicas only.
ALARM_METRICS = {
    "rds_instance": ("CPUUtilization", "FreeableMemory", "FreeStorageSpace", "DatabaseConnections"),
    "docdb_cluster": ("CPUUtilization", "FreeableMemory", "VolumeBytesUsed", "DatabaseConnections",
                      "DBInstanceReplicaLag"),
    "elasticache_replication_group": ("EngineCPUUtilization", "DatabaseMemoryUsagePercentage", "Evictions",
                                      "ReplicationLag"),
    "opensearch_domain": ("ClusterStatus.red", "ClusterStatus.yellow", "JVMMemoryPressure", "FreeStorageSpace",
                          "ClusterIndexWritesBlocked"),
}
ALARM_NAMESPACES = {"rds_instance": "AWS/RDS", "docdb_cluster": "AWS/DocDB",
                    "elasticache_replication_group": "AWS/ElastiCache", "opensearch_domain": "AWS/ES"}
# Services that must be able to use the key: through kms:ViaService, or as the key policy's service principal.
KEY_USERS = {"RDS and DocumentDB": ("rds",), "ElastiCache": ("elasticache",), "OpenSearch": ("es",),
             "CloudWatch Logs": ("logs",)}
DOCDB_TLS_ON = ("enabled", "tls1.2+", "tls1.3+", "fips-140-3")
OPENSEARCH_LOGS = ("INDEX_SLOW_LOGS", "SEARCH_SLOW_LOGS", "ES_APPLICATION_LOGS")
TRUE_VALUES = ("1", "on", "true")


# --- small helpers ----------------------------------------------------------------------------------------------


def _join(items: Iterable[Any]) -> str:
    items = [str(item) for item in items]
    return ", ".join(items) if items else "none"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _yes(value: Any) -> str:
    return "yes" if value else "no"


def _enabled(value: Any) -> bool:
    """ElastiCache says enabled/enabling/disabled; RDS says true/false."""
    return value is True or str(value).lower() in ("enabled", "enabling", "true")


def key_id_of(value: str | None) -> str | None:
    if not value:
        return None
    return value.rsplit("key/", 1)[1] if "key/" in value else None


class Keys:
    """Names the KMS keys the resources report by ARN, and says whether one is the environment's key."""

    def __init__(self, environment_key: Mapping[str, Any] | None, aliases: Mapping[str, list[str]]) -> None:
        self.key = environment_key or {}
        self.aliases = aliases or {}

    def is_environment_key(self, value: str | None) -> bool:
        if not value or not self.key.get("key_id"):
            return False
        key_id = self.key["key_id"]
        if value in (key_id, self.key.get("arn")) or key_id_of(value) == key_id:
            return True
        return any(value == alias or value.endswith(":" + alias) for alias in self.aliases.get(key_id, []))

    def name(self, value: str | None) -> str:
        if not value:
            return "none (the service's default key)"
        key_id = key_id_of(value) or value
        names = self.aliases.get(key_id, [])
        label = f"{names[0]} ({key_id})" if names else value
        whose = "the environment's key" if self.is_environment_key(value) else "NOT the environment's key"
        return f"{label}, {whose}"


class Report:
    """Collects the checks and the facts tables of one report."""

    def __init__(self, settings: Mapping[str, Any]) -> None:
        self.settings = settings
        self.checks: list[dict[str, Any]] = []

    def check(self, service: str, name: str, ok: bool, evidence: str, promise_key: str | None = None,
              **values: Any) -> bool:
        """Record check ``<service>.<name>``; its promise is PROMISES[promise_key or name], filled in."""
        promise = PROMISES[promise_key or name].format(**{**self.settings, **values})
        self.checks.append({"id": f"{service}.{name}", "service": service, "promise": promise,
                            "evidence": evidence, "result": PASS if ok else FAIL})
        return ok

    def not_verifiable(self, service: str, check_id: str, promise: str, why: str) -> None:
        self.checks.append({"id": check_id, "service": service, "promise": promise, "evidence": why,
                            "result": NOT_VERIFIABLE})


# --- what every kind shares -------------------------------------------------------------------------------------


def _encryption_at_rest(report: Report, keys: Keys, service: str, encrypted: Any, key: str | None) -> None:
    report.check(service, "encryption_at_rest", bool(encrypted) and keys.is_environment_key(key),
                 f"encrypted: {_yes(encrypted)}; key: {keys.name(key)}")


def _log_groups(report: Report, keys: Keys, read: Mapping[str, Any], service: str,
                resource: Mapping[str, Any]) -> list[list[str]]:
    rows, problems = [], []
    groups = read.get("log_groups") or {}
    for entry in resource.get("log_groups") or []:
        name = entry.get("log_group")
        group = groups.get(name)
        if group is None:
            problems.append(f"{name} does not exist")
            rows.append([entry.get("log_type"), f"{name}: does not exist"])
            continue
        if not keys.is_environment_key(group.get("kms_key_id")):
            problems.append(f"{name} is not encrypted with the environment's key")
        rows.append([entry.get("log_type"), f"{name}; key: {keys.name(group.get('kms_key_id'))}; retention "
                                            f"{group.get('retention_in_days') or 'never expires'} days"])
    error = _read_error(read, "log groups")
    if error:
        problems.append(f"log groups not read: {error}")
    evidence = "; ".join(problems) if problems else _join(e.get("log_group") for e in resource.get("log_groups") or [])
    report.check(service, "log_groups", bool(resource.get("log_groups")) and not problems,
                 evidence if resource.get("log_groups") else "no log exported")
    return rows


def _read_error(read: Mapping[str, Any], prefix: str) -> str | None:
    for what, message in (read.get("errors") or {}).items():
        if what.startswith(prefix):
            return f"{what}: {message}"
    return None


def _windows(report: Report, service: str, backup: str | None, maintenance: str | None) -> None:
    expected_backup, expected_maintenance = report.settings["backup_window"], report.settings["maintenance_window"]
    report.check(service, "backup_window", backup == expected_backup, f"backup window {backup or 'none'}")
    report.check(service, "maintenance_window", str(maintenance).lower() == expected_maintenance.lower(),
                 f"maintenance window {maintenance or 'none'}")


def _network(report: Report, read: Mapping[str, Any], service: str, resource: Mapping[str, Any],
             publicly_accessible: bool = False) -> list[list[str]]:
    """The private subnets, the one security group and its sources; the rows of the network table."""
    settings = report.settings
    subnets = read.get("subnets") or {}
    subnet_ids = resource.get("subnet_ids") or []
    private = set(settings.get("private_subnet_ids") or [])
    outside = [s for s in subnet_ids if s not in private]
    public = [s for s in subnet_ids if (subnets.get(s) or {}).get("map_public_ip_on_launch")]
    placed = [f"{s} ({(subnets.get(s) or {}).get('availability_zone', '?')})" for s in subnet_ids]
    report.check(service, "private_subnets", bool(subnet_ids) and not outside and not public
                 and not publicly_accessible,
                 f"subnets {_join(placed)}"
                 + (f"; not among the private subnets: {_join(outside)}" if outside else "")
                 + (f"; public IP on launch: {_join(public)}" if public else "")
                 + ("; publicly accessible" if publicly_accessible else ""))

    groups = read.get("security_groups") or {}
    group_ids = resource.get("security_group_ids") or []
    rules, wide, foreign = [], [], []
    platform = set(settings.get("platform_security_group_ids") or [])
    allowed_cidrs = set(settings.get("allowed_cidrs") or [])
    ports = {int(p) for p in settings.get("ports") or []}
    vpc = [ipaddress.ip_network(c, strict=False) for c in (read.get("vpc") or {}).get("cidr_blocks") or []]
    for group_id in group_ids:
        group = groups.get(group_id)
        if group is None:
            foreign.append(f"{group_id} not found in the VPC")
            continue
        for permission in group.get("ip_permissions") or []:
            protocol = permission.get("ip_protocol")
            low, high = permission.get("from_port"), permission.get("to_port")
            port_text = "all traffic" if protocol == "-1" else f"{protocol} {low}" + (
                f"-{high}" if high != low else "")
            port_ok = protocol == "tcp" and low == high and low in ports
            for pair in permission.get("user_id_group_pairs") or []:
                source = pair.get("group_id")
                source_group = groups.get(source) or {}
                tags = source_group.get("tags") or {}
                own = (tags.get("Environment") == settings["environment"]
                       and tags.get("ManagedBy") == "openedx.data_services")
                label = "platform nodes" if source in platform else (
                    f"{source_group.get('group_name')}, this environment's" if own
                    else source_group.get("group_name") or "outside the VPC")
                rules.append([port_text, f"{source} ({label})", pair.get("description") or ""])
                if not port_ok or not (source in platform or own):
                    foreign.append(f"{port_text} from {source} ({label})")
            for key, cidr_key in (("ip_ranges", "cidr_ip"), ("ipv6_ranges", "cidr_ipv6")):
                for cidr_range in permission.get(key) or []:
                    cidr = cidr_range.get(cidr_key)
                    network = ipaddress.ip_network(cidr, strict=False)
                    inside = any(network.version == v.version and network.subnet_of(v) for v in vpc)
                    rules.append([port_text, cidr, cidr_range.get("description") or ""])
                    if network.prefixlen == 0 or not inside:
                        wide.append(f"{port_text} from {cidr}")
                    if not port_ok or cidr not in allowed_cidrs:
                        foreign.append(f"{port_text} from {cidr}")
            for prefix_list in permission.get("prefix_list_ids") or []:
                rules.append([port_text, prefix_list.get("prefix_list_id"), prefix_list.get("description") or ""])
                wide.append(f"{port_text} from prefix list {prefix_list.get('prefix_list_id')} (ranges not read)")
                foreign.append(f"{port_text} from prefix list {prefix_list.get('prefix_list_id')}")
    names = [f"{g} ({(groups.get(g) or {}).get('group_name', '?')})" for g in group_ids]
    one_group = len(group_ids) == 1 and (groups.get(group_ids[0]) or {}).get("group_name") == settings[
        "security_group"]
    report.check(service, "security_group", one_group and not foreign,
                 f"groups {_join(names)}; " + (f"other sources or ports: {_join(foreign)}" if foreign else
                                               f"sources: {_join(sorted({r[1] for r in rules}))}"))
    error = _read_error(read, "security groups")
    report.check(service, "no_open_ingress", not wide and not error and bool(group_ids),
                 error or (f"wider than the VPC ({_join((read.get('vpc') or {}).get('cidr_blocks', []))}): "
                           f"{_join(wide)}" if wide else f"{_count(len(rules), 'rule')}, none wider than the VPC "
                                                         f"({_join((read.get('vpc') or {}).get('cidr_blocks', []))})"))
    return [[g, r[0], r[1], r[2]] for g in names for r in rules] or [[_join(names), "no rule", "", ""]]


def _secrets(report: Report, keys: Keys, read: Mapping[str, Any], service: str) -> list[list[str]]:
    prefix = f"{report.settings['secret_prefix']}{service}/"
    secrets = [s for s in read.get("secrets") or [] if s["name"].startswith(prefix) and not s.get("deleted")]
    wrong = [s["name"] for s in secrets if not keys.is_environment_key(s.get("kms_key_id"))]
    error = _read_error(read, "secrets")
    report.check(service, "secrets", bool(secrets) and not wrong and not error,
                 error or (f"{_count(len(secrets), 'secret')} under {prefix}" + (
                     f"; not encrypted with the environment's key: {_join(wrong)}" if wrong else
                     ", all encrypted with the environment's key") if secrets else f"no secret under {prefix}"))
    return [[s["name"], s["arn"], keys.name(s.get("kms_key_id"))] for s in secrets]


def _metric_text(metric: Mapping[str, Any]) -> str:
    dimensions = " ".join(f"{k}={v}" for k, v in (metric.get("dimensions") or {}).items())
    return f"{metric.get('namespace')} {metric.get('metric_name')} {dimensions}".strip()


def _names_resource(kind: str, metric: Mapping[str, Any], resource: Mapping[str, Any]) -> bool:
    dimensions = metric.get("dimensions") or {}
    if metric.get("namespace") != ALARM_NAMESPACES[kind]:
        return False
    identifier = resource["identifier"]
    if kind == "rds_instance":
        return dimensions.get("DBInstanceIdentifier") == identifier
    if kind == "docdb_cluster":
        instances = {i.get("db_instance_identifier") for i in resource.get("instances") or []}
        return (dimensions.get("DBClusterIdentifier") == identifier
                or dimensions.get("DBInstanceIdentifier") in instances)
    if kind == "elasticache_replication_group":
        members = set((resource.get("replication_group") or {}).get("member_clusters") or [])
        return dimensions.get("ReplicationGroupId") == identifier or dimensions.get("CacheClusterId") in members
    account = str((resource.get("domain") or {}).get("arn") or "::::").split(":")[4]
    return dimensions.get("DomainName") == identifier and dimensions.get("ClientId", account) == account


def _alarms(report: Report, keys: Keys, read: Mapping[str, Any], service: str,
            resource: Mapping[str, Any]) -> list[list[str]]:
    kind = resource["kind"]
    prefixes = (f"{resource['identifier']}-", f"{report.settings['alarm_name_prefix']}{service}-")
    mine, misnamed = [], []
    for alarm in read.get("alarms") or []:
        naming = [m for m in alarm.get("metrics") or [] if _names_resource(kind, m, resource)]
        if naming:
            mine.append(alarm)
        elif alarm["alarm_name"].startswith(prefixes):
            misnamed.append(alarm)
    topics = read.get("topics") or {}
    unencrypted = sorted({arn for alarm in mine for arn in alarm.get("alarm_actions") or []
                          if ":sns:" in arn and not keys.is_environment_key((topics.get(arn) or {})
                                                                            .get("kms_master_key_id"))})
    silent = [a["alarm_name"] for a in mine
              if not a.get("actions_enabled") or not any(":sns:" in arn for arn in a.get("alarm_actions") or [])]
    covered = {m.get("metric_name") for alarm in mine for m in alarm.get("metrics") or []}
    wanted = ALARM_METRICS[kind] + (("ReplicaLag",) if (resource.get("instance") or {}).get(
        "read_replica_db_instance_identifiers") else ())
    missing = [m for m in wanted if m not in covered]
    problems = ([f"no alarm names {resource['identifier']} in its dimensions"] if not mine else []) + [
        f"{a['alarm_name']} names no resource of the service ({_join(_metric_text(m) for m in a.get('metrics') or [])})"
        for a in misnamed] + ([f"no SNS action: {_join(silent)}"] if silent else []) + (
        [f"topics not encrypted with the environment's key: {_join(unencrypted)}"] if unencrypted else [])
    error = _read_error(read, "alarms")
    if error:
        problems.insert(0, f"alarms not read: {error}")
    report.check(service, "alarms", not problems,
                 "; ".join(problems) if problems else
                 f"{_count(len(mine), 'alarm')} ({_join(sorted(covered))}); without an alarm: {_join(missing)}")
    rows = [[a["alarm_name"], _join(f"{m.get('namespace')} {m.get('metric_name')}" for m in a.get("metrics") or []),
             _join(f"{k}={v}" for m in a.get("metrics") or [] for k, v in (m.get("dimensions") or {}).items()),
             f"{a.get('comparison_operator')} {a.get('threshold')}", a.get("state_value") or "",
             _join(a.get("alarm_actions") or [])] for a in mine]
    rows += [[a["alarm_name"], "names no resource of the service", "", "", a.get("state_value") or "", ""]
             for a in misnamed]
    if missing:
        rows.append(["(no alarm)", _join(missing), "", "", "", ""])
    return rows


def _snapshot(entry: Mapping[str, Any] | None) -> str:
    if not entry:
        return "none"
    return f"{entry.get('identifier')} at {entry.get('time')} ({entry.get('status')})"


def _restorable(report: Report, service: str, latest: str | None, promise_key: str) -> None:
    now = report.settings["now"]
    try:
        when = datetime.fromisoformat(str(latest).replace("Z", "+00:00")) if latest else None
    except ValueError:
        when = None
    if when is not None and when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    age = (now - when) if when else None
    report.check(service, "restorable", age is not None and age <= timedelta(days=1),
                 f"LatestRestorableTime {latest or 'none'}" + (f" ({int(age.total_seconds() // 60)} minutes ago)"
                                                               if age is not None else ""), promise_key)


def _deletion_protection(report: Report, service: str, enabled: Any) -> None:
    if report.settings["profile"] == "prod":
        report.check(service, "deletion_protection", bool(enabled), f"DeletionProtection {_yes(enabled)}")


# --- each kind --------------------------------------------------------------------------------------------------


def _rds_instance(report: Report, keys: Keys, read: Mapping[str, Any], service: str,
                  resource: Mapping[str, Any]) -> list[dict[str, Any]]:
    instance = resource["instance"]
    parameters = resource.get("parameters") or {}
    prod = report.settings["profile"] == "prod"
    version = str(instance.get("engine_version") or "")
    report.check(service, "engine", instance.get("engine") == "mysql" and version.startswith(("8.0.", "8.4.")),
                 f"{instance.get('engine')} {version}", "mysql.engine")
    _encryption_at_rest(report, keys, service, instance.get("storage_encrypted"), instance.get("kms_key_id"))
    insights_key = instance.get("performance_insights_kms_key_id")
    report.check(service, "performance_insights", bool(instance.get("performance_insights_enabled"))
                 and keys.is_environment_key(insights_key),
                 f"enabled: {_yes(instance.get('performance_insights_enabled'))}; key: {keys.name(insights_key)}",
                 "mysql.performance_insights")
    error = _read_error(read, f"rds_instance {resource['identifier']} parameters")
    group = (instance.get("db_parameter_groups") or [{}])[0]
    group_text = f"{group.get('db_parameter_group_name')} ({group.get('parameter_apply_status')})"
    tls = parameters.get("require_secure_transport")
    report.check(service, "require_secure_transport", str(tls).lower() in TRUE_VALUES and not error,
                 error or f"require_secure_transport={tls if tls is not None else 'not set (engine default OFF)'} "
                          f"in {group_text}", "mysql.require_secure_transport")
    charset, collation = parameters.get("character_set_server"), parameters.get("collation_server")
    report.check(service, "utf8mb4", charset == "utf8mb4" and str(collation or "utf8mb4").startswith("utf8mb4")
                 and not error, error or f"character_set_server={charset or 'not set'}, "
                                         f"collation_server={collation or 'not set'}", "mysql.utf8mb4")
    report.check(service, "iam_auth", bool(instance.get("iam_database_authentication_enabled")),
                 f"IAMDatabaseAuthenticationEnabled {_yes(instance.get('iam_database_authentication_enabled'))}",
                 "mysql.iam_auth")
    report.check(service, "auto_minor_upgrade", bool(instance.get("auto_minor_version_upgrade")),
                 f"AutoMinorVersionUpgrade {_yes(instance.get('auto_minor_version_upgrade'))}",
                 "mysql.auto_minor_upgrade")
    report.check(service, "enhanced_monitoring", bool(instance.get("monitoring_interval"))
                 and bool(instance.get("monitoring_role_arn")),
                 f"every {instance.get('monitoring_interval') or 0} s, role "
                 f"{instance.get('monitoring_role_arn') or 'none'}", "mysql.enhanced_monitoring")
    exports = instance.get("enabled_cloudwatch_logs_exports") or []
    report.check(service, "log_exports", {"error", "general", "slowquery"} <= set(exports),
                 f"exported: {_join(exports)}", "mysql.log_exports")
    log_rows = _log_groups(report, keys, read, service, resource)
    retention = 7 if prod else 1
    report.check(service, "backup_retention", int(instance.get("backup_retention_period") or 0) >= retention,
                 f"BackupRetentionPeriod {instance.get('backup_retention_period')} days", "mysql.backup_retention",
                 retention=retention)
    _restorable(report, service, instance.get("latest_restorable_time"), "mysql.restorable")
    _windows(report, service, instance.get("preferred_backup_window"), instance.get("preferred_maintenance_window"))
    if prod:
        report.check(service, "multi_az", bool(instance.get("multi_az")),
                     f"MultiAZ {_yes(instance.get('multi_az'))}; zones {instance.get('availability_zone')}, standby "
                     f"{instance.get('secondary_availability_zone') or 'none'}", "mysql.multi_az")
        report.check(service, "storage", instance.get("storage_type") == "gp3"
                     and int(instance.get("allocated_storage") or 0) >= 100
                     and int(instance.get("max_allocated_storage") or 0) >= 200,
                     f"{instance.get('storage_type')} {instance.get('allocated_storage')} GB, autoscaling to "
                     f"{instance.get('max_allocated_storage') or 'off'}", "mysql.storage")
    _deletion_protection(report, service, instance.get("deletion_protection"))
    snapshots = resource.get("snapshots") or {}
    return [
        {"title": "Encryption", "rows": [
            ["At rest", f"{_yes(instance.get('storage_encrypted'))}; key {keys.name(instance.get('kms_key_id'))}"],
            ["Performance Insights", f"{_yes(instance.get('performance_insights_enabled'))}; key "
                                     f"{keys.name(insights_key)}"],
            ["In transit", f"require_secure_transport={tls if tls is not None else 'not set'} ({group_text}); CA "
                           f"{instance.get('ca_certificate_identifier')}"],
        ]},
        {"title": "High availability", "rows": [
            ["Multi-AZ", _yes(instance.get("multi_az"))],
            ["Zones", f"{instance.get('availability_zone')}, standby "
                      f"{instance.get('secondary_availability_zone') or 'none'}"],
            ["Read replicas", _join(instance.get("read_replica_db_instance_identifiers") or [])],
            ["Class and storage", f"{instance.get('db_instance_class')}, {instance.get('storage_type')} "
                                  f"{instance.get('allocated_storage')} GB (autoscaling to "
                                  f"{instance.get('max_allocated_storage') or 'off'})"],
        ]},
        {"title": "Backups", "rows": [
            ["Retention", f"{instance.get('backup_retention_period')} days"],
            ["Backup window", f"{instance.get('preferred_backup_window')} UTC"],
            ["Maintenance window", f"{instance.get('preferred_maintenance_window')} UTC"],
            ["Latest restorable time", instance.get("latest_restorable_time") or "none"],
            ["Last automated snapshot", _snapshot(snapshots.get("automated"))],
            ["Last manual snapshot", _snapshot(snapshots.get("manual"))],
            ["Deletion protection", _yes(instance.get("deletion_protection"))],
        ]},
        {"title": "Log exports", "rows": log_rows or [["none", ""]]},
    ]


def _docdb_cluster(report: Report, keys: Keys, read: Mapping[str, Any], service: str,
                   resource: Mapping[str, Any]) -> list[dict[str, Any]]:
    cluster = resource["cluster"]
    instances = resource.get("instances") or []
    parameters = resource.get("parameters") or {}
    prod = report.settings["profile"] == "prod"
    version = str(cluster.get("engine_version") or "")
    report.check(service, "engine", version.startswith(("5.0", "8.0")), f"{cluster.get('engine')} {version}",
                 "documentdb.engine")
    writers = {m.get("db_instance_identifier") for m in cluster.get("db_cluster_members") or []
               if m.get("is_cluster_writer")}
    available = [i for i in instances if i.get("db_instance_status") == "available"]
    placed = [f"{i.get('db_instance_identifier')} {i.get('availability_zone')}" for i in instances]
    zones = sorted({i.get("availability_zone") for i in available if i.get("availability_zone")})
    wanted = 3 if prod else 1
    report.check(service, "instances", len(available) >= wanted and len(zones) >= min(wanted, 3) and len(writers) == 1,
                 f"{len(available)} available of {len(instances)} instances "
                 f"({_join(placed)}); "
                 f"writer {_join(sorted(writers))}; zones {_join(zones)}", "documentdb.instances",
                 instances_promise="prod: 3 instances (1 primary + 2 replicas) across AZs." if prod
                 else "test: 1 instance.")
    _encryption_at_rest(report, keys, service, cluster.get("storage_encrypted"), cluster.get("kms_key_id"))
    error = _read_error(read, f"docdb_cluster {resource['identifier']} parameters")
    tls = parameters.get("tls")
    report.check(service, "tls", tls in DOCDB_TLS_ON and not error,
                 error or f"tls={tls or 'not read'} in {cluster.get('db_cluster_parameter_group')}", "documentdb.tls")
    audit, profiler = parameters.get("audit_logs"), parameters.get("profiler")
    report.check(service, "audit_profiler", audit not in (None, "disabled", "none") and profiler == "enabled"
                 and not error, error or f"audit_logs={audit}, profiler={profiler}", "documentdb.audit_profiler")
    exports = cluster.get("enabled_cloudwatch_logs_exports") or []
    report.check(service, "log_exports", {"audit", "profiler"} <= set(exports), f"exported: {_join(exports)}",
                 "documentdb.log_exports")
    log_rows = _log_groups(report, keys, read, service, resource)
    report.check(service, "backup_retention", int(cluster.get("backup_retention_period") or 0) >= 1,
                 f"BackupRetentionPeriod {cluster.get('backup_retention_period')} days", "documentdb.backup_retention")
    _restorable(report, service, cluster.get("latest_restorable_time"), "documentdb.restorable")
    _windows(report, service, cluster.get("preferred_backup_window"), cluster.get("preferred_maintenance_window"))
    _deletion_protection(report, service, cluster.get("deletion_protection"))
    snapshots = resource.get("snapshots") or {}
    return [
        {"title": "Encryption", "rows": [
            ["At rest", f"{_yes(cluster.get('storage_encrypted'))}; key {keys.name(cluster.get('kms_key_id'))}"],
            ["In transit", f"tls={tls} ({cluster.get('db_cluster_parameter_group')})"],
        ]},
        {"title": "High availability", "rows": [
            ["Instances", _join(f"{i.get('db_instance_identifier')} ({i.get('db_instance_class')}, "
                                f"{i.get('availability_zone')}, "
                                f"{'writer' if i.get('db_instance_identifier') in writers else 'reader'}, "
                                f"{i.get('db_instance_status')})" for i in instances)],
            ["Zones", _join(zones)],
        ]},
        {"title": "Backups", "rows": [
            ["Retention", f"{cluster.get('backup_retention_period')} days"],
            ["Backup window", f"{cluster.get('preferred_backup_window')} UTC"],
            ["Maintenance window", f"{cluster.get('preferred_maintenance_window')} UTC"],
            ["Earliest and latest restorable time", f"{cluster.get('earliest_restorable_time') or 'none'} to "
                                                    f"{cluster.get('latest_restorable_time') or 'none'}"],
            ["Last automated snapshot", _snapshot(snapshots.get("automated"))],
            ["Last manual snapshot", _snapshot(snapshots.get("manual"))],
            ["Deletion protection", _yes(cluster.get("deletion_protection"))],
        ]},
        {"title": "Log exports", "rows": log_rows or [["none", ""]]},
    ]


def _statements(policy: Mapping[str, Any] | None) -> list[Mapping[str, Any]]:
    statements = (policy or {}).get("Statement") or []
    return [statements] if isinstance(statements, Mapping) else list(statements)


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value] if value is not None else []


def _principals(principal: Any, kind: str) -> list[Any]:
    """The principals of one kind (AWS, Service) a statement names; "*" stands for every principal."""
    return _listed(principal.get(kind)) if isinstance(principal, Mapping) else _listed(principal)


def _opensearch_domain(report: Report, keys: Keys, read: Mapping[str, Any], service: str,
                       resource: Mapping[str, Any]) -> list[dict[str, Any]]:
    domain = resource["domain"]
    prod = report.settings["profile"] == "prod"
    version = str(domain.get("engine_version") or "")
    report.check(service, "engine", version.startswith("OpenSearch_2."), version, "opensearch.engine")
    report.check(service, "vpc", domain.get("vpc_id") == report.settings["vpc_id"],
                 f"VPC {domain.get('vpc_id') or 'none (public endpoint)'}", "opensearch.vpc")
    report.check(service, "gp3", domain.get("volume_type") == "gp3",
                 f"{domain.get('volume_type') or 'no EBS'} {domain.get('volume_size') or ''} GB per node".strip(),
                 "opensearch.gp3")
    _encryption_at_rest(report, keys, service, domain.get("encryption_at_rest"), domain.get("kms_key_id"))
    report.check(service, "node_to_node", bool(domain.get("node_to_node_encryption")),
                 f"node-to-node encryption {_yes(domain.get('node_to_node_encryption'))}", "opensearch.node_to_node")
    policy = str(domain.get("tls_security_policy") or "")
    tls_12 = policy.startswith(("Policy-Min-TLS-1-2", "Policy-Min-TLS-1-3"))
    report.check(service, "https", bool(domain.get("enforce_https")) and tls_12,
                 f"EnforceHTTPS {_yes(domain.get('enforce_https'))}, TLSSecurityPolicy {policy or 'none'}",
                 "opensearch.https")
    master = "internal user database" if domain.get("internal_user_database") else "IAM master"
    report.check(service, "fine_grained_access", bool(domain.get("fine_grained_access_control"))
                 and not domain.get("anonymous_auth"),
                 f"fine-grained access control {_yes(domain.get('fine_grained_access_control'))} ({master}), "
                 f"anonymous access {_yes(domain.get('anonymous_auth'))}", "opensearch.fine_grained_access")
    published = {e["log_type"]: e for e in domain.get("log_publishing") or [] if e.get("enabled")}
    report.check(service, "log_publishing", all(t in published for t in OPENSEARCH_LOGS),
                 f"published: {_join(sorted(published))}", "opensearch.log_publishing")
    log_rows = _log_groups(report, keys, read, service, resource)
    arns = [e.get("log_group_arn") for e in published.values() if e.get("log_group_arn")]
    allowed = [arn for arn in arns if any(
        statement.get("Effect") == "Allow"
        and "es.amazonaws.com" in _principals(statement.get("Principal"), "Service")
        and any(a in ("logs:PutLogEvents", "logs:*", "*") for a in _listed(statement.get("Action")))
        and any(fnmatch.fnmatchcase(arn, pattern) or fnmatch.fnmatchcase(arn + ":*", pattern)
                for pattern in _listed(statement.get("Resource")))
        for policy_doc in read.get("log_resource_policies") or []
        for statement in _statements(policy_doc.get("policy_document")))]
    names = [p.get("policy_name") for p in read.get("log_resource_policies") or []]
    report.check(service, "log_resource_policy", bool(arns) and len(allowed) == len(arns),
                 f"policies {_join(names)}; groups OpenSearch may write to: {len(allowed)} of {len(arns)}",
                 "opensearch.log_resource_policy")
    account = str(domain.get("arn") or "::::").split(":")[4]
    principals = [p for statement in _statements(domain.get("access_policies")) if statement.get("Effect") == "Allow"
                  for p in _principals(statement.get("Principal"), "AWS")]
    outside = [p for p in principals if p == "*" or (f":{account}:" not in str(p) and str(p) != account)]
    report.check(service, "access_policy", bool(principals) and not outside,
                 f"principals {_join(principals)}" + (f"; outside account {account}: {_join(outside)}"
                                                      if outside else ""), "opensearch.access_policy")
    data_nodes, masters = int(domain.get("instance_count") or 0), int(domain.get("dedicated_master_count") or 0)
    zones = domain.get("availability_zones") or []
    master_nodes = f"{masters} x {domain.get('dedicated_master_type')}" if domain.get("dedicated_master") else "none"
    if prod:
        ok = (data_nodes >= 3 and domain.get("dedicated_master") and masters >= 3 and domain.get("zone_awareness")
              and int(domain.get("availability_zone_count") or 0) >= 3)
        promise = "prod: 3 data nodes + 3 dedicated masters, zone awareness (3 AZ)."
    else:
        ok, promise = data_nodes >= 1, "test: 1 data node."
    report.check(service, "nodes", bool(ok),
                 f"{data_nodes} x {domain.get('instance_type')}; dedicated masters "
                 f"{master_nodes}"
                 f"; zone awareness {_yes(domain.get('zone_awareness'))} "
                 f"({domain.get('availability_zone_count') or 1} AZ: {_join(zones)})", "opensearch.nodes",
                 nodes_promise=promise)
    window = domain.get("off_peak_window_start")
    expected = report.settings["maintenance_window"].split("-")[0].split(":", 1)[1]
    report.check(service, "maintenance_window", window == expected,
                 f"off-peak window (OpenSearch's daily maintenance window) starts {window or 'not set'} UTC")
    return [
        {"title": "Encryption", "rows": [
            ["At rest", f"{_yes(domain.get('encryption_at_rest'))}; key {keys.name(domain.get('kms_key_id'))}"],
            ["Node to node", _yes(domain.get("node_to_node_encryption"))],
            ["In transit", f"HTTPS only: {_yes(domain.get('enforce_https'))}; {policy}"],
            ["Access", f"fine-grained access control {_yes(domain.get('fine_grained_access_control'))} ({master})"],
        ]},
        {"title": "High availability", "rows": [
            ["Data nodes", f"{data_nodes} x {domain.get('instance_type')}, {domain.get('volume_type')} "
                           f"{domain.get('volume_size')} GB each"],
            ["Dedicated masters", f"{masters} x {domain.get('dedicated_master_type')}" if domain.get(
                "dedicated_master") else "none"],
            ["Zones", f"zone awareness {_yes(domain.get('zone_awareness'))}: {_join(zones)}"],
        ]},
        {"title": "Backups", "rows": [
            ["Automated snapshots", "inside the domain (its _snapshot REST API); not shown by the AWS API"],
            ["Off-peak window", f"{window or 'not set'} UTC"],
        ]},
        {"title": "Log exports", "rows": log_rows or [["none", ""]]},
    ]


def _elasticache_replication_group(report: Report, keys: Keys, read: Mapping[str, Any], service: str,
                                   resource: Mapping[str, Any]) -> list[dict[str, Any]]:
    group = resource["replication_group"]
    node = resource.get("node") or {}
    prod = report.settings["profile"] == "prod"
    version = str(node.get("engine_version") or "")
    report.check(service, "engine", version.startswith("7."), f"{group.get('engine') or 'redis'} {version}",
                 "redis.engine")
    _encryption_at_rest(report, keys, service, group.get("at_rest_encryption_enabled"), group.get("kms_key_id"))
    mode = group.get("transit_encryption_mode")
    report.check(service, "in_transit", bool(group.get("transit_encryption_enabled")) and mode in (None, "required"),
                 f"TransitEncryptionEnabled {_yes(group.get('transit_encryption_enabled'))}, mode {mode or 'n/a'}",
                 "redis.in_transit")
    report.check(service, "auth_token", bool(group.get("auth_token_enabled")),
                 f"AuthTokenEnabled {_yes(group.get('auth_token_enabled'))}", "redis.auth_token")
    members = [m for g in group.get("node_groups") or [] for m in g.get("node_group_members") or []]
    placed = [f"{m.get('cache_cluster_id')} {m.get('current_role')} {m.get('preferred_availability_zone')}"
              for m in members]
    zones = sorted({m.get("preferred_availability_zone") for m in members if m.get("preferred_availability_zone")})
    failover, multi_az = _enabled(group.get("automatic_failover")), _enabled(group.get("multi_az"))
    if prod:
        ok = len(members) >= 3 and failover and multi_az and len(zones) >= 2
        promise = "prod: 3 nodes (primary + 2 replicas), automatic failover, Multi-AZ."
    else:
        ok, promise = len(members) >= 1, "test: 1 node."
    report.check(service, "nodes", ok,
                 f"{len(members)} nodes ({_join(placed)}); "
                 f"automatic failover {group.get('automatic_failover')}; Multi-AZ {group.get('multi_az')}",
                 "redis.nodes", nodes_promise=promise)
    deliveries = {e.get("log_type"): e for e in resource.get("log_groups") or []}
    delivered = [f"{t} ({e.get('status')})" for t, e in deliveries.items()]
    active = [t for t in ("slow-log", "engine-log") if (deliveries.get(t) or {}).get("status") in ("active", None)
              and t in deliveries]
    report.check(service, "log_delivery", len(active) == 2,
                 f"to CloudWatch Logs: {_join(delivered)}",
                 "redis.log_delivery")
    log_rows = _log_groups(report, keys, read, service, resource)
    report.check(service, "snapshot_retention", int(group.get("snapshot_retention_limit") or 0) >= 1,
                 f"SnapshotRetentionLimit {group.get('snapshot_retention_limit') or 0} days",
                 "redis.snapshot_retention")
    _windows(report, service, group.get("snapshot_window"), node.get("preferred_maintenance_window"))
    parameter_group = resource.get("parameter_group") or "none"
    policy = (resource.get("parameters") or {}).get("maxmemory-policy")
    report.check(service, "parameter_group", not str(parameter_group).startswith(("default.", "none")),
                 f"{parameter_group}; maxmemory-policy {policy or 'engine default'}", "redis.parameter_group")
    snapshots = resource.get("snapshots") or {}
    return [
        {"title": "Encryption", "rows": [
            ["At rest", f"{_yes(group.get('at_rest_encryption_enabled'))}; key {keys.name(group.get('kms_key_id'))}"],
            ["In transit", f"TLS {_yes(group.get('transit_encryption_enabled'))} ({mode or 'n/a'}); AUTH token "
                           f"{_yes(group.get('auth_token_enabled'))}"],
        ]},
        {"title": "High availability", "rows": [
            ["Nodes", _join(f"{m.get('cache_cluster_id')} ({m.get('current_role')}, "
                            f"{m.get('preferred_availability_zone')})" for m in members)],
            ["Node type", group.get("cache_node_type") or ""],
            ["Automatic failover", str(group.get("automatic_failover"))],
            ["Multi-AZ", str(group.get("multi_az"))],
        ]},
        {"title": "Backups", "rows": [
            ["Snapshot retention", f"{group.get('snapshot_retention_limit') or 0} days"],
            ["Snapshot window", f"{group.get('snapshot_window')} UTC"],
            ["Maintenance window", f"{node.get('preferred_maintenance_window')} UTC"],
            ["Last automated snapshot", _snapshot(snapshots.get("automated"))],
            ["Last manual snapshot", _snapshot(snapshots.get("manual"))],
            ["Deletion protection", "no such setting in ElastiCache"],
        ]},
        {"title": "Log exports", "rows": log_rows or [["none", ""]]},
    ]


KINDS = {
    "rds_instance": _rds_instance,
    "docdb_cluster": _docdb_cluster,
    "opensearch_domain": _opensearch_domain,
    "elasticache_replication_group": _elasticache_replication_group,
}


def _kms(report: Report, keys: Keys, read: Mapping[str, Any]) -> list[list[str]]:
    key = read.get("kms_key")
    error = _read_error(read, "kms_key")
    if not key:
        report.check("kms", "customer_managed", False, error or f"no key {report.settings['kms_key']}",
                     "kms.customer_managed")
        return [["Key", f"{report.settings['kms_key']}: not found"]]
    report.check("kms", "customer_managed", key.get("key_manager") == "CUSTOMER" and key.get("key_state") == "Enabled"
                 and key.get("key_spec", "SYMMETRIC_DEFAULT") == "SYMMETRIC_DEFAULT",
                 f"{keys.name(key.get('arn'))}: {key.get('key_manager')}-managed, {key.get('key_state')}, "
                 f"{key.get('key_spec')}", "kms.customer_managed")
    report.check("kms", "rotation", key.get("rotation_enabled") is True,
                 _read_error(read, "kms_key rotation") or f"rotation {_yes(key.get('rotation_enabled'))}",
                 "kms.rotation")
    granted = {}
    for statement in _statements(key.get("policy")):
        if statement.get("Effect") != "Allow":
            continue
        principal = statement.get("Principal")
        services = _listed(principal.get("Service")) if isinstance(principal, Mapping) else []
        via = [v for condition in (statement.get("Condition") or {}).values() if isinstance(condition, Mapping)
               for name, value in condition.items() if name.lower() == "kms:viaservice" for v in _listed(value)]
        for name in [*services, *via]:
            granted[str(name).split(".", maxsplit=1)[0]] = name
    missing = [label for label, names in KEY_USERS.items() if not any(n in granted for n in names)]
    report.check("kms", "policy", not missing,
                 _read_error(read, "kms_key policy") or (f"grants {_join(sorted(granted.values()))}" + (
                     f"; nothing for {_join(missing)}" if missing else "")), "kms.policy")
    return [["Key", keys.name(key.get("arn"))], ["ARN", key.get("arn") or ""],
            ["State", f"{key.get('key_manager')}-managed, {key.get('key_state')}, {key.get('key_spec')}"],
            ["Rotation", _yes(key.get("rotation_enabled"))],
            ["Policy grants", _join(sorted(granted.values()))]]


def report_checks(read: Mapping[str, Any], settings: Mapping[str, Any]) -> dict[str, Any]:
    """The report: checks, per-service facts and a summary, from environment_report_info's result.

    ``settings`` says what the environment promises: environment, profile, kms_key, vpc_id, backup_window,
    maintenance_window, private_subnet_ids, platform_security_group_ids, allowed_cidrs, ports, security_group,
    secret_prefix (``<prefix>/<env>/``), alarm_name_prefix (``<prefix>-<env>-``) and now (ISO 8601, UTC).
    """
    now = settings.get("now")
    now = datetime.fromisoformat(str(now).replace("Z", "+00:00")) if now else datetime.now(UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    report = Report({"profile": "prod", "backup_window": "03:00-04:00", "maintenance_window": "mon:04:00-mon:05:00",
                     "ports": [3306, 27017, 6379, 443], "secret_prefix": "", "alarm_name_prefix": "",
                     **settings, "now": now})
    keys = Keys(read.get("kms_key"), read.get("aliases") or {})
    kms_rows = _kms(report, keys, read)
    services = []
    for resource in read.get("resources") or []:
        service, kind = resource["service"], resource["kind"]
        entry = {"service": service, "kind": kind, "identifier": resource["identifier"],
                 "found": bool(resource.get("found")), "sections": []}
        services.append(entry)
        error = _read_error(read, f"{kind} {resource['identifier']}")
        if not resource.get("found"):
            report.check(service, "exists", False, error or f"{kind} {resource['identifier']} not found",
                         "exists")
            continue
        sections = KINDS[kind](report, keys, read, service, resource)
        network = _network(report, read, service, resource,
                           publicly_accessible=bool((resource.get("instance") or {}).get("publicly_accessible"))
                           or any(i.get("publicly_accessible") for i in resource.get("instances") or []))
        alarms = _alarms(report, keys, read, service, resource)
        secrets = _secrets(report, keys, read, service)
        for name, promise, why in SERVICE_NOT_VERIFIABLE.get(kind, ()):
            report.not_verifiable(service, f"{service}.{name}", promise, why)
        if report.settings["profile"] == "prod":
            for name, promise, why in PROD_NOT_VERIFIABLE.get(kind, ()):
                report.not_verifiable(service, f"{service}.{name}", promise, why)
        entry["sections"] = [*sections,
                             {"title": "Alarms", "header": ["Alarm", "Metric", "Dimensions", "Threshold", "State",
                                                            "Actions"], "rows": alarms or [["none", "", "", "", "",
                                                                                            ""]]},
                             {"title": "Network exposure", "header": ["Security group", "Port", "Source",
                                                                      "Description"], "rows": network},
                             {"title": "Credentials", "header": ["Secret", "ARN", "Key"],
                              "rows": secrets or [["none", "", ""]]}]
    for check_id, service, promise, why in NOT_VERIFIABLE_PROMISES:
        report.not_verifiable(service, check_id, promise, why)
    counts = {result: sum(c["result"] == result for c in report.checks) for result in (PASS, FAIL, NOT_VERIFIABLE)}
    return {
        "environment": settings.get("environment"),
        "profile": report.settings["profile"],
        "generated_at": now.isoformat(timespec="seconds"),
        "summary": {**counts, "checks": counts[PASS] + counts[FAIL]},
        "failed": [c["id"] for c in report.checks if c["result"] == FAIL],
        "checks": report.checks,
        "kms": kms_rows,
        "services": services,
        "errors": dict(read.get("errors") or {}),
        "api_calls": dict(read.get("api_calls") or {}),
    }


# --- the cost estimate ------------------------------------------------------------------------------------------


def _line(item: str, quantity: float, unit: str, price: float | None, hours: float = 1.0) -> dict[str, Any]:
    return {"item": item, "quantity": quantity, "unit": unit, "unit_price": price,
            "monthly": None if price is None else round(quantity * price * hours, 2)}


def report_cost(read: Mapping[str, Any], prices: Mapping[str, Any]) -> dict[str, Any]:
    """A monthly on-demand estimate of each resource from the dated price table (roles/report/files/prices.yml).

    Counted: instance or node hours for a month and provisioned storage, the KMS key, the secrets and the alarms.
    Not counted, because no describe call tells them: backup storage beyond the free allowance, DocumentDB storage and
    I/O, log ingestion and storage, data transfer.
    """
    hours = float(prices.get("hours_per_month", 730))
    services = []
    for resource in read.get("resources") or []:
        lines: list[dict[str, Any]] = []
        kind = resource["kind"]
        if not resource.get("found"):
            services.append({"service": resource["service"], "lines": [], "monthly": 0.0, "unpriced": []})
            continue
        if kind == "rds_instance":
            table, instance = prices["rds_mysql"], resource["instance"]
            copies = 2 if instance.get("multi_az") else 1
            instance_class = instance.get("db_instance_class")
            lines.append(_line(f"{instance_class} instance{' (Multi-AZ: primary + standby)' if copies == 2 else ''}",
                               copies, "instance-hours x month", table["instance_hourly"].get(instance_class), hours))
            storage = instance.get("storage_type")
            lines.append(_line(f"{storage} storage{' (both copies)' if copies == 2 else ''}",
                               int(instance.get("allocated_storage") or 0) * copies, "GB-month",
                               table["storage_gb_month"].get(storage)))
        elif kind == "docdb_cluster":
            table = prices["documentdb"]
            by_class: dict[str, int] = {}
            for instance in resource.get("instances") or []:
                by_class[instance.get("db_instance_class")] = by_class.get(instance.get("db_instance_class"), 0) + 1
            lines += [_line(f"{cls} instances", count, "instance-hours x month", table["instance_hourly"].get(cls),
                            hours) for cls, count in sorted(by_class.items())]
        elif kind == "opensearch_domain":
            table, domain = prices["opensearch"], resource["domain"]
            count = int(domain.get("instance_count") or 0)
            lines.append(_line(f"{domain.get('instance_type')} data nodes", count, "instance-hours x month",
                               table["instance_hourly"].get(domain.get("instance_type")), hours))
            if domain.get("dedicated_master"):
                lines.append(_line(f"{domain.get('dedicated_master_type')} dedicated masters",
                                   int(domain.get("dedicated_master_count") or 0), "instance-hours x month",
                                   table["instance_hourly"].get(domain.get("dedicated_master_type")), hours))
            if domain.get("volume_type"):
                lines.append(_line(f"{domain.get('volume_type')} EBS", int(domain.get("volume_size") or 0) * count,
                                   "GB-month", table["storage_gb_month"].get(domain.get("volume_type"))))
        else:
            table, group = prices["elasticache"], resource["replication_group"]
            nodes = len(group.get("member_clusters") or [])
            lines.append(_line(f"{group.get('cache_node_type')} nodes", nodes, "node-hours x month",
                               table["node_hourly"].get(group.get("cache_node_type")), hours))
        services.append({"service": resource["service"], "lines": lines,
                         "monthly": round(sum(line["monthly"] or 0 for line in lines), 2),
                         "unpriced": [line["item"] for line in lines if line["monthly"] is None]})
    shared = [_line("KMS customer-managed key", 1 if read.get("kms_key") else 0, "key-month",
                    prices["kms"]["key_month"]),
              _line("Secrets Manager secrets", len([s for s in read.get("secrets") or [] if not s.get("deleted")]),
                    "secret-month", prices["secretsmanager"]["secret_month"]),
              _line("CloudWatch alarms (standard resolution)", len(read.get("alarms") or []), "alarm-month",
                    prices["cloudwatch"]["alarm_month"])]
    services.append({"service": ENVIRONMENT, "lines": shared, "monthly": round(sum(x["monthly"] for x in shared), 2),
                     "unpriced": []})
    return {
        "as_of": str(prices.get("as_of")),
        "verified": bool(prices.get("verified")),
        "region": prices.get("region"),
        "currency": prices.get("currency", "USD"),
        "hours_per_month": hours,
        "services": services,
        "total": round(sum(s["monthly"] for s in services), 2),
        "unpriced": [f"{s['service']}: {item}" for s in services for item in s["unpriced"]],
        "sources": dict(prices.get("sources") or {}),
        "not_counted": list(prices.get("not_counted") or []),
    }


# --- the terminal summary ---------------------------------------------------------------------------------------


def report_table(report: Mapping[str, Any]) -> str:
    """``service | check | result``: every check that passed or failed, failures first, then the counts."""
    rows = [(c["service"], c["id"].removeprefix(c["service"] + "."), c["result"].upper())
            for c in report.get("checks") or [] if c["result"] != NOT_VERIFIABLE]
    rows.sort(key=lambda row: (row[2] != "FAIL", row[0], row[1]))
    header = ("service", "check", "result")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(2)]
    lines = [f"{row[0]:<{widths[0]}} | {row[1]:<{widths[1]}} | {row[2]}" for row in [header, *rows]]
    lines.insert(1, f"{'-' * widths[0]}-+-{'-' * widths[1]}-+-------")
    summary = report.get("summary") or {}
    lines.append(f"{summary.get(PASS, 0)} passed, {summary.get(FAIL, 0)} failed, {summary.get(NOT_VERIFIABLE, 0)} "
                 "not verifiable from the API (listed in the HTML report)")
    return "\n".join(lines)


class FilterModule:
    def filters(self) -> dict[str, Any]:
        return {"report_checks": report_checks, "report_cost": report_cost, "report_table": report_table}
