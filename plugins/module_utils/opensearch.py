# Copyright: Open edX data services maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Amazon OpenSearch Service domain calls, waiters and comparisons shared by the opensearch_domain modules."""

from __future__ import annotations

import json
import re
from typing import Any

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.policy import compare_policies
from ansible_collections.amazon.aws.plugins.module_utils.tagging import (
    ansible_dict_to_boto3_tag_list,
    boto3_tag_list_to_ansible_dict,
)
from ansible_collections.openedx.data_services.plugins.module_utils.common import TIME_OF_DAY, sync_tags

LOG_TYPES = ("INDEX_SLOW_LOGS", "SEARCH_SLOW_LOGS", "ES_APPLICATION_LOGS", "AUDIT_LOGS")
TLS_POLICIES = ("Policy-Min-TLS-1-0-2019-07", "Policy-Min-TLS-1-2-2019-07", "Policy-Min-TLS-1-2-PFS-2023-10",
                "Policy-Min-TLS-1-2-RFC9151-FIPS-2024-08")

_DOMAIN_NAME = re.compile(r"^[a-z][a-z0-9-]{2,27}$")
_ENGINE_VERSION = re.compile(r"^(OpenSearch|Elasticsearch)_\d+\.\d+$")
_INSTANCE_TYPE = re.compile(r"^[a-z0-9]+\.[a-z0-9]+\.search$")
_MASTER_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:(role|user)/[\w+=,.@/-]+$")
_LOG_GROUP_ARN = re.compile(r"^arn:aws[a-z-]*:logs:[a-z0-9-]+:\d{12}:log-group:[^:]+(:\*)?$")


class AnsibleOpenSearchError(AnsibleAWSError):
    pass


class OpenSearchErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleOpenSearchError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("ResourceNotFoundException")


# --- validation (before any AWS call) ---------------------------------------------------------------


def engine_version_key(version: str) -> tuple[int, int, int]:
    """OpenSearch_2.13 -> (1, 2, 13), Elasticsearch_7.10 -> (0, 7, 10): ordered as the service upgrades them."""
    engine, number = version.split("_", 1) if "_" in version else (version, "")
    major, minor = number.split(".", 1) if "." in number else (number, "")
    return (1 if engine == "OpenSearch" else 0, int(major), int(minor))


def engine_change(desired: str | None, current: str | None) -> str:
    """``none``, ``minor`` (a later version of the same major), ``major`` (another major, or Elasticsearch to
    OpenSearch) or ``downgrade``."""
    if not desired or not current or desired == current:
        return "none"
    wanted, actual = engine_version_key(desired), engine_version_key(current)
    if wanted < actual:
        return "downgrade"
    return "minor" if wanted[:2] == actual[:2] else "major"


def master_password_problem(password: str) -> str | None:
    """Why OpenSearch Service would refuse a master password, without repeating it."""
    if not 8 <= len(password) <= 128:
        return "master_user_password must be 8 to 128 characters."
    for pattern, what in ((r"[A-Z]", "an upper case letter"), (r"[a-z]", "a lower case letter"),
                          (r"[0-9]", "a digit"), (r"[^A-Za-z0-9]", "a special character")):
        if not re.search(pattern, password):
            return f"master_user_password must contain {what} (OpenSearch Service requires upper and lower case " \
                   "letters, a digit and a special character)."
    return None


def validate_domain_params(params: dict[str, Any]) -> str | None:
    """The first problem with the opensearch_domain options, as a message naming the option, or None.

    Only what argument_spec cannot say (ranges, formats, rules across options); choices are in the module's
    argument_spec.
    """
    name = params.get("domain_name") or ""
    if not _DOMAIN_NAME.match(name):
        return (f"domain_name '{name}' is invalid: 3-28 lower case letters, digits or hyphens, starting with a "
                "letter.")
    if params.get("state") != "present":
        return None
    version = params.get("engine_version")
    if version and not _ENGINE_VERSION.match(version):
        return f"engine_version '{version}' must look like OpenSearch_2.13 (or Elasticsearch_7.10)."
    for option in ("instance_type", "dedicated_master_type"):
        value = params.get(option)
        if value and not _INSTANCE_TYPE.match(value):
            return f"{option} '{value}' must be an OpenSearch Service instance type such as r6g.large.search."
    count = params.get("instance_count")
    if count is not None and not 1 <= count <= 80:
        return f"instance_count must be between 1 and 80, got {count}."
    zones = params.get("availability_zone_count")
    if params.get("zone_awareness") and count is not None and count % (zones or 2):
        return f"instance_count ({count}) must be a multiple of availability_zone_count ({zones or 2})."
    subnets = params.get("subnet_ids")
    if subnets and count is not None:
        expected = (zones or 2) if params.get("zone_awareness") else 1
        if len(set(subnets)) != expected:
            return (f"subnet_ids must name exactly {expected} subnet(s), one per availability zone "
                    f"({'zone awareness over ' + str(expected) + ' zones' if expected > 1 else 'no zone awareness'}).")
    volume_type = params.get("volume_type")
    if params.get("throughput") is not None and volume_type not in (None, "gp3"):
        return "throughput needs volume_type gp3."
    if params.get("throughput") is not None and not 125 <= params["throughput"] <= 1000:
        return f"throughput must be between 125 and 1000 MiB/s, got {params['throughput']}."
    if params.get("iops") is not None and volume_type == "gp3" and not 3000 <= params["iops"] <= 16000:
        return f"iops must be between 3000 and 16000 for gp3, got {params['iops']}."
    size = params.get("volume_size")
    if size is not None and size < 10:
        return f"volume_size must be at least 10 GiB, got {size}."
    if params.get("kms_key_id") and params.get("encryption_at_rest") is False:
        return "kms_key_id needs encryption_at_rest=true."
    if params.get("fine_grained_access_control"):
        for option in ("node_to_node_encryption", "encryption_at_rest", "enforce_https"):
            if params.get(option) is False:
                return f"fine_grained_access_control needs {option}=true."
        internal = params.get("internal_user_database")
        if internal and params.get("master_user_arn"):
            return "master_user_arn cannot be used with internal_user_database=true; give master_user_name."
        if internal is False and (params.get("master_user_name") or params.get("master_user_password")):
            return "master_user_name/master_user_password need internal_user_database=true."
    arn = params.get("master_user_arn")
    # Not argument_spec's mutually_exclusive/required_together: those count an option given as null as set.
    if arn and (params.get("master_user_name") or params.get("master_user_password")):
        return "master_user_arn and master_user_name/master_user_password are mutually exclusive."
    if bool(params.get("master_user_name")) != bool(params.get("master_user_password")):
        return "master_user_name and master_user_password go together."
    if arn and not _MASTER_ARN.match(arn):
        return f"master_user_arn '{arn}' must be an IAM role or user ARN (arn:aws:iam::<account>:role/<name>)."
    password = params.get("master_user_password")
    if password is not None:
        problem = master_password_problem(password)
        if problem:
            return problem
    entries = params.get("log_publishing") or []
    types = [e["log_type"] for e in entries]
    if len(types) != len(set(types)):
        return "log_publishing lists a log_type more than once."
    for entry in entries:
        if entry.get("enabled", True) and not _LOG_GROUP_ARN.match(entry.get("log_group_arn") or ""):
            return f"log_publishing {entry['log_type']}: log_group_arn must be a CloudWatch Logs log group ARN."
    window = params.get("off_peak_window_start")
    if window and not TIME_OF_DAY.match(window):
        return f"off_peak_window_start '{window}' must be a UTC time of day HH:MM, for example 03:00."
    return None


# --- calls ------------------------------------------------------------------------------------------------


@OpenSearchErrorHandler.list_error_handler("describe domain")
def describe_domain(client, domain_name: str) -> dict[str, Any] | None:
    return client.describe_domain(DomainName=domain_name)["DomainStatus"]


@OpenSearchErrorHandler.common_error_handler("list domains")
def list_domain_names(client) -> list[str]:
    return [d["DomainName"] for d in client.list_domain_names().get("DomainNames", [])]


@OpenSearchErrorHandler.common_error_handler("list tags")
def list_tags(client, arn: str) -> dict[str, str]:
    return boto3_tag_list_to_ansible_dict(client.list_tags(ARN=arn).get("TagList", []))


@OpenSearchErrorHandler.common_error_handler("update tags")
def update_tags(client, arn: str, current: dict[str, str], desired: dict[str, str] | None, purge: bool,
                check_mode: bool) -> bool:
    return sync_tags(
        current, desired, purge, check_mode,
        add=lambda tags: client.add_tags(ARN=arn, TagList=ansible_dict_to_boto3_tag_list(tags)),
        remove=lambda keys: client.remove_tags(ARN=arn, TagKeys=keys),
    )


@OpenSearchErrorHandler.common_error_handler("create domain")
def create_domain(client, **request: Any) -> dict[str, Any]:
    return client.create_domain(**request)["DomainStatus"]


@OpenSearchErrorHandler.common_error_handler("update domain configuration")
def update_domain_config(client, **request: Any) -> dict[str, Any]:
    return client.update_domain_config(**request)["DomainConfig"]


@OpenSearchErrorHandler.common_error_handler("read the compatible engine versions")
def compatible_versions(client, domain_name: str) -> list[str]:
    """The versions the domain can be upgraded to in place (GetCompatibleVersions for the domain)."""
    answer = client.get_compatible_versions(DomainName=domain_name).get("CompatibleVersions") or []
    return [target for entry in answer for target in entry.get("TargetVersions") or []]


@OpenSearchErrorHandler.common_error_handler("upgrade domain")
def upgrade_domain(client, domain_name: str, target_version: str) -> dict[str, Any]:
    return client.upgrade_domain(DomainName=domain_name, TargetVersion=target_version)


@OpenSearchErrorHandler.deletion_error_handler("delete domain")
def delete_domain(client, domain_name: str) -> bool:
    client.delete_domain(DomainName=domain_name)
    return True


# --- state and comparisons ------------------------------------------------------------------------------


def _policy(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        return json.loads(value) if value else {}
    return dict(value or {})


def _log_publishing_state(options: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"log_type": log_type, "log_group_arn": option.get("CloudWatchLogsLogGroupArn"),
             "enabled": bool(option.get("Enabled"))}
            for log_type, option in sorted((options or {}).items())]


def domain_state(domain: dict[str, Any], tags: dict[str, str]) -> dict[str, Any]:
    """The domain in the module's option names: what the modules compare, show in the diff and return."""
    cluster = domain.get("ClusterConfig") or {}
    ebs = domain.get("EBSOptions") or {}
    vpc = domain.get("VPCOptions") or {}
    rest = domain.get("EncryptionAtRestOptions") or {}
    endpoint_options = domain.get("DomainEndpointOptions") or {}
    security = domain.get("AdvancedSecurityOptions") or {}
    window = ((domain.get("OffPeakWindowOptions") or {}).get("OffPeakWindow") or {}).get("WindowStartTime")
    endpoint = (domain.get("Endpoints") or {}).get("vpc") or domain.get("Endpoint")
    return {
        "domain_name": domain["DomainName"],
        "domain_id": domain.get("DomainId"),
        "arn": domain.get("ARN"),
        "engine_version": domain.get("EngineVersion"),
        "created": bool(domain.get("Created")),
        "deleted": bool(domain.get("Deleted")),
        "processing": bool(domain.get("Processing")) or bool(domain.get("UpgradeProcessing")),
        "domain_processing_status": domain.get("DomainProcessingStatus"),
        "endpoint": endpoint,
        "instance_type": cluster.get("InstanceType"),
        "instance_count": cluster.get("InstanceCount"),
        "dedicated_master": bool(cluster.get("DedicatedMasterEnabled")),
        "dedicated_master_type": cluster.get("DedicatedMasterType"),
        "dedicated_master_count": cluster.get("DedicatedMasterCount"),
        "zone_awareness": bool(cluster.get("ZoneAwarenessEnabled")),
        "availability_zone_count": (cluster.get("ZoneAwarenessConfig") or {}).get("AvailabilityZoneCount")
        if cluster.get("ZoneAwarenessEnabled") else None,
        "multi_az_with_standby": bool(cluster.get("MultiAZWithStandbyEnabled")),
        "volume_type": ebs.get("VolumeType") if ebs.get("EBSEnabled") else None,
        "volume_size": ebs.get("VolumeSize") if ebs.get("EBSEnabled") else None,
        "iops": ebs.get("Iops"),
        "throughput": ebs.get("Throughput"),
        "vpc_id": vpc.get("VPCId"),
        "subnet_ids": sorted(vpc.get("SubnetIds") or []),
        "security_group_ids": sorted(vpc.get("SecurityGroupIds") or []),
        "availability_zones": sorted(vpc.get("AvailabilityZones") or []),
        "encryption_at_rest": bool(rest.get("Enabled")),
        "kms_key_id": rest.get("KmsKeyId"),
        "node_to_node_encryption": bool((domain.get("NodeToNodeEncryptionOptions") or {}).get("Enabled")),
        "enforce_https": bool(endpoint_options.get("EnforceHTTPS")),
        "tls_security_policy": endpoint_options.get("TLSSecurityPolicy"),
        "fine_grained_access_control": bool(security.get("Enabled")),
        "internal_user_database": bool(security.get("InternalUserDatabaseEnabled")),
        "anonymous_auth": bool(security.get("AnonymousAuthEnabled")),
        "access_policies": _policy(domain.get("AccessPolicies")),
        "log_publishing": _log_publishing_state(domain.get("LogPublishingOptions") or {}),
        "advanced_options": dict(domain.get("AdvancedOptions") or {}),
        "off_peak_window_start": f"{window.get('Hours', 0):02d}:{window.get('Minutes', 0):02d}" if window else None,
        "auto_software_update": bool((domain.get("SoftwareUpdateOptions") or {}).get("AutoSoftwareUpdateEnabled")),
        "tags": tags,
    }


def describe_domain_state(client, domain_name: str) -> dict[str, Any] | None:
    domain = describe_domain(client, domain_name)
    if domain is None:
        return None
    return domain_state(domain, list_tags(client, domain["ARN"]))


def policies_differ(current: dict[str, Any], desired: dict[str, Any]) -> bool:
    # compare_policies answers True when the two policies DIFFER.
    return bool(compare_policies(current, desired))


def off_peak_request(start: str) -> dict[str, Any]:
    hours, minutes = (int(part) for part in start.split(":"))
    return {"Enabled": True, "OffPeakWindow": {"WindowStartTime": {"Hours": hours, "Minutes": minutes}}}


def log_publishing_request(current: list[dict[str, Any]], desired: list[dict[str, Any]]) -> dict[str, Any]:
    """LogPublishingOptions turning ``current`` into exactly ``desired`` (empty when nothing changes)."""
    wanted = {e["log_type"]: e for e in desired}
    have = {e["log_type"]: e for e in current}
    request: dict[str, Any] = {}
    for log_type, entry in wanted.items():
        enabled = entry.get("enabled", True)
        existing = have.get(log_type)
        if existing and existing["enabled"] == enabled and (not enabled or existing["log_group_arn"]
                                                            == entry["log_group_arn"]):
            continue
        option: dict[str, Any] = {"Enabled": enabled}
        arn = entry.get("log_group_arn") or (existing or {}).get("log_group_arn")
        if arn:
            option["CloudWatchLogsLogGroupArn"] = arn
        request[log_type] = option
    for log_type, existing in have.items():
        if log_type not in wanted and existing["enabled"]:
            request[log_type] = {"Enabled": False, "CloudWatchLogsLogGroupArn": existing["log_group_arn"]}
    return request


def desired_log_publishing(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(({"log_type": e["log_type"], "log_group_arn": e.get("log_group_arn"),
                    "enabled": e.get("enabled", True)} for e in entries), key=lambda e: e["log_type"])
