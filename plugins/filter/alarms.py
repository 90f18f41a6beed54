# Copyright: Open edX data services maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The CloudWatch alarms of each data service: which metric, in which namespace, with which dimensions, named after
which resource, and the checks of the alarms role's settings.

A metric exists only under the exact set of dimensions its service publishes it with: an alarm whose dimensions name
another resource, miss one (OpenSearch's ClientId) or add one watches nothing and stays INSUFFICIENT_DATA without a
word. The dimensions are therefore built here, once, from the identifiers the service roles record in their
``<role>_result`` (the DocumentDB instances and the Redis member clusters as AWS described them), and the system
tests check each alarm's dimensions against the resources that exist.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ansible.errors import AnsibleFilterError

# The rules of periods and subscriptions live with the modules that enforce them (module_utils cloudwatch and sns),
# which import boto3. They are imported where the checks run: Ansible loads this file in each worker that templates
# one of its filters, and boto3 would add a second of CPU to each.

MIB = 1024 * 1024
GIB = 1024 * MIB
OPERATORS = {"GreaterThanThreshold": ">", "GreaterThanOrEqualToThreshold": ">=", "LessThanThreshold": "<",
             "LessThanOrEqualToThreshold": "<="}
# The unit each threshold setting is given in, the range it may take, and how it reads in a description.
UNITS = {
    "percent": (0, 100, "%"),
    "mib": (0, 1024 * 1024, " MiB"),
    "gib": (1, 128 * 1024, " GiB"),
    "count": (0, 1_000_000_000, ""),
    "milliseconds": (0, 3_600_000, " ms"),
    "seconds": (0, 86400, " s"),
    # A percentage of a capacity the service role records: RDS allocated storage, an OpenSearch data node's volume.
    "percent_of_storage": (1, 99, "% of the storage"),
}
OVERRIDE_KEYS = ("threshold", "period", "evaluation_periods", "datapoints_to_alarm", "enabled")


@dataclass(frozen=True)
class Alarm:
    """One alarm of the catalogue: a metric of a service, on each resource of ``scope``."""

    key: str
    slug: str
    namespace: str
    metric_name: str
    scope: str
    statistic: str
    period: int
    evaluation_periods: int
    operator: str
    # The unit of the threshold setting; "flag" alarms compare a 0/1 metric with 1 and take no threshold setting.
    unit: str
    treat_missing_data: str = "missing"
    # "replicas": only where the service has more than one instance, member cluster or data node.
    only: str = ""


CATALOGUE: tuple[Alarm, ...] = (
    # RDS MySQL, per instance (AWS/RDS publishes instance metrics under DBInstanceIdentifier).
    Alarm("mysql_cpu_utilization", "cpu-utilization", "AWS/RDS", "CPUUtilization", "instance", "Average", 60, 5,
          "GreaterThanThreshold", "percent"),
    Alarm("mysql_freeable_memory", "freeable-memory", "AWS/RDS", "FreeableMemory", "instance", "Average", 60, 15,
          "LessThanThreshold", "mib"),
    Alarm("mysql_free_storage_space", "free-storage-space", "AWS/RDS", "FreeStorageSpace", "instance", "Minimum", 60,
          5, "LessThanThreshold", "percent_of_storage"),
    Alarm("mysql_database_connections", "database-connections", "AWS/RDS", "DatabaseConnections", "instance",
          "Average", 60, 5, "GreaterThanThreshold", "count"),
    # Per read replica (rds_mysql_read_replicas). An alarm watches and notifies in its own region only: another
    # region's replica has its alarm there (``region``). A stopped replication reports no ReplicaLag: breaching.
    Alarm("mysql_replica_lag", "replica-lag", "AWS/RDS", "ReplicaLag", "replica", "Maximum", 60, 5,
          "GreaterThanThreshold", "seconds", "breaching"),
    # DocumentDB: CPU, memory, connections and replica lag per instance (DBInstanceIdentifier), storage per cluster
    # (DBClusterIdentifier). Replicas report DBInstanceReplicaLag, the primary nothing; failovers swap the roles, so
    # every instance has the alarm and missing data counts as fine.
    Alarm("documentdb_cpu_utilization", "cpu-utilization", "AWS/DocDB", "CPUUtilization", "member", "Average", 60,
          5, "GreaterThanThreshold", "percent"),
    Alarm("documentdb_freeable_memory", "freeable-memory", "AWS/DocDB", "FreeableMemory", "member", "Average", 60,
          15, "LessThanThreshold", "mib"),
    Alarm("documentdb_database_connections", "database-connections", "AWS/DocDB", "DatabaseConnections", "member",
          "Average", 60, 5, "GreaterThanThreshold", "count"),
    Alarm("documentdb_replica_lag", "replica-lag", "AWS/DocDB", "DBInstanceReplicaLag", "member", "Average", 60, 5,
          "GreaterThanThreshold", "milliseconds", "notBreaching", "replicas"),
    Alarm("documentdb_volume_bytes_used", "volume-bytes-used", "AWS/DocDB", "VolumeBytesUsed", "cluster", "Maximum",
          3600, 1, "GreaterThanThreshold", "gib"),
    # ElastiCache Redis, per member cluster and its node (CacheClusterId and CacheNodeId). Only replicas report
    # ReplicationLag, and automatic failover swaps the roles: every member has the alarm, missing data is fine.
    Alarm("redis_engine_cpu_utilization", "engine-cpu-utilization", "AWS/ElastiCache", "EngineCPUUtilization",
          "member", "Average", 60, 5, "GreaterThanThreshold", "percent"),
    Alarm("redis_database_memory_usage_percentage", "database-memory-usage-percentage", "AWS/ElastiCache",
          "DatabaseMemoryUsagePercentage", "member", "Average", 60, 5, "GreaterThanThreshold", "percent"),
    Alarm("redis_evictions", "evictions", "AWS/ElastiCache", "Evictions", "member", "Sum", 300, 1,
          "GreaterThanThreshold", "count"),
    Alarm("redis_replication_lag", "replication-lag", "AWS/ElastiCache", "ReplicationLag", "member", "Average", 60, 15,
          "GreaterThanThreshold", "seconds", "notBreaching", "replicas"),
    # OpenSearch, per domain: AWS/ES publishes domain metrics under DomainName and ClientId (the account id), both.
    Alarm("opensearch_cluster_status_red", "cluster-status-red", "AWS/ES", "ClusterStatus.red", "domain", "Maximum",
          60, 1, "GreaterThanOrEqualToThreshold", "flag"),
    # A single data node cannot place replica shards: its cluster is yellow as soon as an index has replicas.
    Alarm("opensearch_cluster_status_yellow", "cluster-status-yellow", "AWS/ES", "ClusterStatus.yellow", "domain",
          "Maximum", 60, 5, "GreaterThanOrEqualToThreshold", "flag", only="replicas"),
    # In MiB, the least free space of any data node.
    Alarm("opensearch_free_storage_space", "free-storage-space", "AWS/ES", "FreeStorageSpace", "domain", "Minimum",
          60, 1, "LessThanOrEqualToThreshold", "percent_of_storage"),
    Alarm("opensearch_jvm_memory_pressure", "jvm-memory-pressure", "AWS/ES", "JVMMemoryPressure", "domain", "Maximum",
          60, 3, "GreaterThanOrEqualToThreshold", "percent"),
    Alarm("opensearch_cluster_index_writes_blocked", "cluster-index-writes-blocked", "AWS/ES",
          "ClusterIndexWritesBlocked", "domain", "Maximum", 300, 1, "GreaterThanOrEqualToThreshold", "flag"),
    # Aurora PostgreSQL Serverless v2, per cluster (DBClusterIdentifier): capacity used, as a share of the maximum
    # ACUs; one alarm per cluster (prod has a cluster per service).
    Alarm("postgresql_acu_utilization", "acu-utilization", "AWS/RDS", "ACUUtilization", "member", "Average", 60, 15,
          "GreaterThanThreshold", "percent"),
)
BY_KEY = {alarm.key: alarm for alarm in CATALOGUE}
# The service role whose <role>_result each alarm reads.
ROLES = {"rds_mysql": "mysql_", "documentdb": "documentdb_", "redis": "redis_", "opensearch": "opensearch_",
         "dynamodb": "dynamodb_",
         "aurora_postgresql": "postgresql_"}
THRESHOLD_KEYS = tuple(alarm.key for alarm in CATALOGUE if alarm.unit != "flag")


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _threshold_problem(variable: str, alarm: Alarm, value: Any) -> str | None:
    if alarm.unit == "flag":
        return f"{variable} cannot be set: {alarm.key} compares a 0/1 metric with 1 (disable it with enabled: false)"
    low, high, unit = UNITS[alarm.unit]
    if _number(value) and low <= value <= high:
        return None
    return f"{variable} must be a number from {low} to {high}{unit} ({alarm.metric_name}), got {value!r}"


def alarm_settings_errors(thresholds: Any, overrides: Any, profile: str) -> list[str]:
    """Every problem in ``alarms_thresholds`` and ``alarms_overrides``, each naming the variable, what it accepts
    and what it got; empty when there is none."""
    errors = []
    if not isinstance(thresholds, Mapping):
        return [f"alarms_thresholds must map each profile (test, prod) to its thresholds, got {thresholds!r}"]
    if profile not in thresholds:
        errors.append(f"alarms_thresholds must hold the thresholds of the {profile} profile")
    for name, table in thresholds.items():
        if not isinstance(table, Mapping):
            errors.append(f"alarms_thresholds.{name} must map alarm keys to thresholds, got {table!r}")
            continue
        unknown = sorted(set(table) - set(THRESHOLD_KEYS))
        if unknown:
            errors.append(f"alarms_thresholds.{name} must hold alarm keys only, one of {', '.join(THRESHOLD_KEYS)}; "
                          f"got {', '.join(map(str, unknown))}")
        missing = [key for key in THRESHOLD_KEYS if key not in table]
        if name == profile and missing:
            errors.append(f"alarms_thresholds.{name} must hold a threshold for each alarm key; missing "
                          f"{', '.join(missing)}")
        errors += [problem for key, value in table.items() if key in BY_KEY
                   for problem in [_threshold_problem(f"alarms_thresholds.{name}.{key}", BY_KEY[key], value)]
                   if problem]
    if not isinstance(overrides, Mapping):
        return [*errors, f"alarms_overrides must map alarm keys to settings, got {overrides!r}"]
    for key, override in overrides.items():
        variable = f"alarms_overrides.{key}"
        if key not in BY_KEY:
            errors.append(f"{variable} must name an alarm key, one of {', '.join(BY_KEY)}")
            continue
        if not isinstance(override, Mapping) or set(override) - set(OVERRIDE_KEYS):
            errors.append(f"{variable} must be a dict of {', '.join(OVERRIDE_KEYS)}, got {override!r}")
            continue
        errors += _override_problems(variable, BY_KEY[key], override)
    return errors


def _override_problems(variable: str, alarm: Alarm, override: Mapping[str, Any]) -> list[str]:
    problems = []
    if "threshold" in override:
        problem = _threshold_problem(f"{variable}.threshold", alarm, override["threshold"])
        problems += [problem] if problem else []
    if "enabled" in override and not isinstance(override["enabled"], bool):
        problems.append(f"{variable}.enabled must be true or false, got {override['enabled']!r}")
    from ansible_collections.openedx.data_services.plugins.module_utils.cloudwatch import (
        evaluation_problem,
        period_problem,
    )

    period = override.get("period", alarm.period)
    problem = period_problem(period)
    if problem is None:
        evaluation_periods = override.get("evaluation_periods", alarm.evaluation_periods)
        datapoints = override.get("datapoints_to_alarm", evaluation_periods)
        problem = evaluation_problem(period, evaluation_periods, datapoints)
    if problem:
        problems.append(f"{variable}: {problem}")
    return problems


def alarm_subscription_errors(subscriptions: Any) -> list[str]:
    """Every problem in ``alarms_subscriptions``, each naming the entry; empty when there is none."""
    from ansible_collections.openedx.data_services.plugins.module_utils.sns import subscription_problem

    if not isinstance(subscriptions, list):
        return [f"alarms_subscriptions must be a list of protocol and endpoint pairs, got {subscriptions!r}"]
    errors = [f"alarms_subscriptions[{index}]: {problem}" for index, subscription in enumerate(subscriptions)
              for problem in [subscription_problem(subscription)] if problem]
    pairs = [(s.get("protocol"), s.get("endpoint")) for s in subscriptions if isinstance(s, Mapping)]
    duplicates = sorted({f"{protocol} {endpoint}" for protocol, endpoint in pairs
                         if pairs.count((protocol, endpoint)) > 1})
    if duplicates:
        errors.append(f"alarms_subscriptions must list each subscription once; listed more than once: "
                      f"{', '.join(duplicates)}")
    return errors


def _resources(role: str, result: Mapping[str, Any], account_id: str, region: str = "") -> dict[str, Any]:
    """The resources each scope of the role's alarms names, with their dimensions; ``storage``, the capacity
    FreeStorageSpace is a share of, in the metric's unit; ``replicas``, whether the service has several members.
    With ``region`` (another region's), only what the role has there: MySQL's read replicas of that region."""
    if role == "rds_mysql" and region:
        replicas = [replica["identifier"] for replica in result.get("replicas") or []
                    if not replica.get("same_region") and replica.get("region") == region]
        return {"replica": [(replica, {"DBInstanceIdentifier": replica}) for replica in replicas], "replicas": False}
    if region:
        raise AnsibleFilterError(f"alarm_definitions: the role {role!r} has no resource in another region")
    if role == "rds_mysql":
        instance = result["identifier"]
        replicas = [replica["identifier"] for replica in result.get("replicas") or [] if replica.get("same_region")]
        return {"instance": [(instance, {"DBInstanceIdentifier": instance})],
                "replica": [(replica, {"DBInstanceIdentifier": replica}) for replica in replicas],
                "storage": int(result.get("allocated_storage") or 0) * GIB, "replicas": False}
    if role == "documentdb":
        instances = list(result.get("instances") or [])
        return {"member": [(instance, {"DBInstanceIdentifier": instance}) for instance in instances],
                "cluster": [(result["identifier"], {"DBClusterIdentifier": result["identifier"]})],
                "replicas": len(instances) > 1}
    if role == "redis":
        nodes = list(result.get("nodes") or [])
        members = [(node["cache_cluster_id"],
                    {"CacheClusterId": node["cache_cluster_id"], "CacheNodeId": node["cache_node_id"]})
                   for node in nodes]
        return {"member": members, "replicas": len(nodes) > 1}
    if role == "dynamodb":
        # No DynamoDB alarm in the catalogue yet: the step keeps the prefix clean.
        return {"replicas": False}
    if role == "opensearch":
        if not account_id:
            raise AnsibleFilterError("alarm_definitions: OpenSearch alarms need account_id, their ClientId dimension")
        domain = result["domain_name"]
        return {"domain": [(domain, {"DomainName": domain, "ClientId": str(account_id)})],
                # FreeStorageSpace of AWS/ES is in MiB.
                "storage": int(result.get("volume_size") or 0) * 1024,
                "replicas": int(result.get("instance_count") or 1) > 1}
    if role == "aurora_postgresql":
        clusters = [cluster["identifier"] for cluster in result.get("clusters") or []]
        return {"member": [(cluster, {"DBClusterIdentifier": cluster}) for cluster in clusters],
                "replicas": False}
    raise AnsibleFilterError(f"alarm_definitions: no alarms for the role {role!r}; one of {', '.join(ROLES)}")


def _describe(alarm: Alarm, resource: str, settings: Mapping[str, Any], shown: str) -> str:
    return (f"{alarm.metric_name} ({alarm.statistic}) of {resource} {OPERATORS[alarm.operator]} {shown} in "
            f"{settings['datapoints_to_alarm']} of {settings['evaluation_periods']} periods of {settings['period']} s."
            f" Alarm key {alarm.key}: its threshold is in alarms_thresholds, or alarms_overrides; managed by "
            f"openedx.data_services.")


def alarm_definitions(result: Mapping[str, Any], role: str, service: str, name_prefix: str,
                      thresholds: Mapping[str, Any], overrides: Mapping[str, Any] | None = None,
                      account_id: str = "", region: str = "") -> list[dict[str, Any]]:
    """The alarms of one service, as cloudwatch_metric_alarms takes them, from its role's ``<role>_result``.

    ``name_prefix`` is ``<prefix>-<environment>``: each alarm is named ``<name_prefix>-<service>-<metric>``, followed
    by ``-<resource>`` where the service has several resources (DocumentDB instances, Redis member clusters).
    ``thresholds`` is the profile's table of ``alarms_thresholds``, ``overrides`` ``alarms_overrides``. ``region``, when
    it is another region than the environment's, makes the alarms of the role's resources there (an alarm watches
    and notifies in its own region only): MySQL's cross-region read replicas.
    """
    if not isinstance(result, Mapping):
        raise AnsibleFilterError(f"alarm_definitions: the input must be the role's result (a dict), got {result!r}")
    overrides = overrides or {}
    resources = _resources(role, result, account_id, region)
    alarms = []
    for alarm in CATALOGUE:
        if not alarm.key.startswith(ROLES[role]):
            continue
        settings = {"period": alarm.period, "evaluation_periods": alarm.evaluation_periods, "enabled": True,
                    "threshold": 1 if alarm.unit == "flag" else thresholds[alarm.key], **overrides.get(alarm.key, {})}
        settings.setdefault("datapoints_to_alarm", settings["evaluation_periods"])
        if not settings["enabled"] or (alarm.only == "replicas" and not resources["replicas"]):
            continue
        targets = resources.get(alarm.scope, [])
        if not targets:
            continue
        threshold, shown = _threshold(alarm, settings["threshold"], resources)
        for resource, dimensions in targets:
            suffix = f"-{resource}" if alarm.scope in ("member", "replica") else ""
            alarms.append({
                "name": f"{name_prefix}-{service}-{alarm.slug}{suffix}",
                "description": _describe(alarm, resource, settings, shown),
                "namespace": alarm.namespace,
                "metric_name": alarm.metric_name,
                "dimensions": dimensions,
                "statistic": alarm.statistic,
                "period": settings["period"],
                "evaluation_periods": settings["evaluation_periods"],
                "datapoints_to_alarm": settings["datapoints_to_alarm"],
                "threshold": threshold,
                "comparison_operator": alarm.operator,
                "treat_missing_data": alarm.treat_missing_data,
            })
    return alarms


def _threshold(alarm: Alarm, setting: float, resources: Mapping[str, Any]) -> tuple[float, str]:
    """The threshold in the metric's own unit, and how the setting reads in the description."""
    if alarm.unit == "flag":
        return 1.0, "1"
    unit = UNITS[alarm.unit][2]
    if alarm.unit == "mib":
        return float(setting * MIB), f"{setting:g}{unit}"
    if alarm.unit == "gib":
        return float(setting * GIB), f"{setting:g}{unit}"
    if alarm.unit == "percent_of_storage":
        capacity = resources.get("storage") or 0
        if not capacity:
            raise AnsibleFilterError(f"alarm_definitions: {alarm.key} needs the storage size in the role's result")
        # RDS reports FreeStorageSpace in bytes, OpenSearch in MiB: the capacity is in the metric's unit already.
        value = float(round(capacity * setting / 100))
        gib = value / (GIB if alarm.namespace == "AWS/RDS" else 1024)
        return value, f"{setting:g}{unit} ({gib:.3g} GiB)"
    return float(setting), f"{setting:g}{unit}"


class FilterModule:
    def filters(self):
        return {"alarm_definitions": alarm_definitions, "alarm_settings_errors": alarm_settings_errors,
                "alarm_subscription_errors": alarm_subscription_errors}
