"""OpenSearch domain configuration checks, with the messages AWS gives, against the catalogue in ``data/``."""

from __future__ import annotations

import fnmatch
import json
import re
from typing import Any

from moto.opensearch.models import OpenSearchServiceBackend

from sandbox.services import load_data
from sandbox.services.opensearch.errors import ValidationException

DOMAIN_NAME = re.compile(r"^[a-z][a-z0-9-]{2,27}$")
ENGINE_VERSION = re.compile(r"^(OpenSearch|Elasticsearch)_(\d+)\.(\d+)$")
INSTANCE_TYPE = re.compile(r"^([a-z0-9]+)\.([a-z0-9]+)\.search$")
# What OpenSearch Service offers: engine versions, instance families (and those without EBS), volume limits.
_CATALOGUE = load_data(__file__, "catalogue.json")
ENGINE_VERSIONS: tuple[str, ...] = tuple(_CATALOGUE["engine_versions"])
DEFAULT_ENGINE_VERSION: str = _CATALOGUE["default_engine_version"]
INSTANCE_FAMILIES = frozenset(_CATALOGUE["instance_families"])
INSTANCE_STORE_FAMILIES = frozenset(_CATALOGUE["instance_store_families"])
# Largest EBS volume (GiB) per instance type where it is small; others take up to the default per node here.
MAX_VOLUME: dict[str, int] = _CATALOGUE["max_volume_gib"]
MAX_VOLUME_DEFAULT: int = _CATALOGUE["max_volume_gib_default"]
VOLUME_TYPES: tuple[str, ...] = tuple(_CATALOGUE["volume_types"])
TLS_POLICIES: tuple[str, ...] = tuple(_CATALOGUE["tls_policies"])
DEFAULT_ADVANCED_OPTIONS: dict[str, str] = _CATALOGUE["default_advanced_options"]
LOG_TYPES = ("INDEX_SLOW_LOGS", "SEARCH_SLOW_LOGS", "ES_APPLICATION_LOGS", "AUDIT_LOGS")
MASTER_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:(role|user)/[\w+=,.@/-]+$")
SPECIAL = re.compile(r"[^A-Za-z0-9]")


def _ec2(backend: OpenSearchServiceBackend) -> Any:
    from moto.ec2.models import ec2_backends

    return ec2_backends[backend.account_id][backend.region_name]


def check_engine_version(version: str | None) -> str:
    if version is None:
        return DEFAULT_ENGINE_VERSION
    if not ENGINE_VERSION.match(version):
        raise ValidationException(
            f"1 validation error detected: Value '{version}' at 'engineVersion' failed to satisfy constraint: Member "
            "must satisfy regular expression pattern: ^Elasticsearch_[0-9]{1}\\.[0-9]{1,2}$|^OpenSearch_[0-9]{1,2}"
            "\\.[0-9]{1,2}$")
    if version not in ENGINE_VERSIONS:
        raise ValidationException(f"Unsupported engine version {version}; supported: {', '.join(ENGINE_VERSIONS)}.")
    return version


def _check_instance_type(instance_type: Any, what: str) -> str:
    match = INSTANCE_TYPE.match(instance_type or "")
    if not match or match.group(1) not in INSTANCE_FAMILIES:
        raise ValidationException(f"Invalid {what}: {instance_type!r} is not an OpenSearch Service instance type "
                                  "(for example r6g.large.search).")
    return str(instance_type)


def _normalize_cluster(cluster: dict[str, Any]) -> dict[str, Any]:
    result = {
        "InstanceType": cluster.get("InstanceType") or "r5.large.search",
        "InstanceCount": cluster.get("InstanceCount", 1),
        "DedicatedMasterEnabled": bool(cluster.get("DedicatedMasterEnabled")),
        "ZoneAwarenessEnabled": bool(cluster.get("ZoneAwarenessEnabled")),
        "WarmEnabled": bool(cluster.get("WarmEnabled")),
        "ColdStorageOptions": {"Enabled": bool((cluster.get("ColdStorageOptions") or {}).get("Enabled"))},
        "MultiAZWithStandbyEnabled": bool(cluster.get("MultiAZWithStandbyEnabled")),
    }
    if result["ZoneAwarenessEnabled"]:
        count = (cluster.get("ZoneAwarenessConfig") or {}).get("AvailabilityZoneCount", 2)
        result["ZoneAwarenessConfig"] = {"AvailabilityZoneCount": count}
    if result["DedicatedMasterEnabled"]:
        result["DedicatedMasterType"] = cluster.get("DedicatedMasterType")
        result["DedicatedMasterCount"] = cluster.get("DedicatedMasterCount")
    for key in ("WarmType", "WarmCount"):
        if result["WarmEnabled"] and cluster.get(key) is not None:
            result[key] = cluster[key]
    return result


def _check_cluster(cluster: dict[str, Any]) -> None:
    _check_instance_type(cluster["InstanceType"], "InstanceType")
    count = cluster["InstanceCount"]
    if not isinstance(count, int) or not 1 <= count <= 80:
        raise ValidationException(f"InstanceCount must be between 1 and 80, got {count}.")
    if cluster["DedicatedMasterEnabled"]:
        if not cluster.get("DedicatedMasterType"):
            raise ValidationException("DedicatedMasterType is required when DedicatedMasterEnabled is true.")
        _check_instance_type(cluster["DedicatedMasterType"], "DedicatedMasterType")
        if cluster.get("DedicatedMasterCount") not in (3, 5):
            raise ValidationException(
                f"DedicatedMasterCount must be 3 or 5, got {cluster.get('DedicatedMasterCount')}.")
    if cluster["ZoneAwarenessEnabled"]:
        zones = cluster["ZoneAwarenessConfig"]["AvailabilityZoneCount"]
        if zones not in (2, 3):
            raise ValidationException(f"AvailabilityZoneCount must be 2 or 3, got {zones}.")
        if count % zones:
            raise ValidationException(
                f"You must choose a number of data nodes that is a multiple of {zones} for a {zones} Availability "
                f"Zone deployment (InstanceCount is {count}).")
    if cluster["MultiAZWithStandbyEnabled"] and not (
            cluster["DedicatedMasterEnabled"] and cluster["ZoneAwarenessEnabled"]
            and cluster["ZoneAwarenessConfig"]["AvailabilityZoneCount"] == 3):
        raise ValidationException("Multi-AZ with Standby needs dedicated master nodes and 3 Availability Zones.")


def _check_ebs(ebs: dict[str, Any], instance_type: str) -> dict[str, Any]:
    family = instance_type.split(".")[0]
    if not ebs.get("EBSEnabled"):
        if family not in INSTANCE_STORE_FAMILIES:
            raise ValidationException(f"EBS storage must be selected for {instance_type}.")
        return {"EBSEnabled": False}
    volume_type = ebs.get("VolumeType") or "gp2"
    if volume_type not in VOLUME_TYPES:
        raise ValidationException(f"Invalid VolumeType {volume_type}; valid: {', '.join(VOLUME_TYPES)}.")
    size = ebs.get("VolumeSize")
    if size is None:
        raise ValidationException("VolumeSize is required when EBS storage is enabled.")
    maximum = MAX_VOLUME.get(instance_type, MAX_VOLUME_DEFAULT)
    if not 10 <= size <= maximum:
        raise ValidationException(f"Volume size must be between 10 and {maximum} for {instance_type} instance type "
                                  f"and {volume_type} volume type.")
    result: dict[str, Any] = {"EBSEnabled": True, "VolumeType": volume_type, "VolumeSize": size}
    iops, throughput = ebs.get("Iops"), ebs.get("Throughput")
    if volume_type == "gp3":
        iops = 3000 if iops is None else iops
        throughput = 125 if throughput is None else throughput
        if not 3000 <= iops <= 16000:
            raise ValidationException(f"Iops must be between 3000 and 16000 for gp3 volumes, got {iops}.")
        if not 125 <= throughput <= 1000:
            raise ValidationException(f"Throughput must be between 125 and 1000 MiB/s for gp3 volumes, got "
                                      f"{throughput}.")
        if throughput > iops / 4:
            raise ValidationException(f"Throughput ({throughput} MiB/s) cannot exceed Iops/4 ({iops // 4}) for gp3.")
        result.update(Iops=iops, Throughput=throughput)
    elif volume_type == "io1":
        if iops is None or not 1000 <= iops <= 16000:
            raise ValidationException("Iops between 1000 and 16000 is required for io1 volumes.")
        result["Iops"] = iops
    elif iops is not None or throughput is not None:
        raise ValidationException(f"Iops and Throughput are only supported for gp3 and io1 volumes, not "
                                  f"{volume_type}.")
    return result


def _check_vpc(backend: OpenSearchServiceBackend, vpc: dict[str, Any], cluster: dict[str, Any]) -> dict[str, Any]:
    ec2 = _ec2(backend)
    subnet_ids = list(dict.fromkeys(vpc.get("SubnetIds") or []))
    if not subnet_ids:
        raise ValidationException("VPCOptions.SubnetIds must name at least one subnet.")
    known = {s.id: s for s in ec2.describe_subnets()}
    for subnet_id in subnet_ids:
        if subnet_id not in known:
            raise ValidationException(f"The subnet {subnet_id} does not exist.")
    subnets = [known[s] for s in subnet_ids]
    vpc_ids = {s.vpc_id for s in subnets}
    if len(vpc_ids) > 1:
        raise ValidationException("All subnets must belong to the same VPC.")
    zones = [s.availability_zone for s in subnets]
    expected = cluster["ZoneAwarenessConfig"]["AvailabilityZoneCount"] if cluster["ZoneAwarenessEnabled"] else 1
    if len(subnet_ids) != expected:
        words = {1: "one subnet", 2: "two subnets", 3: "three subnets"}
        reason = (f"because you've set the zone count to {expected}" if cluster["ZoneAwarenessEnabled"]
                  else "because zone awareness is disabled")
        raise ValidationException(f"You must specify exactly {words.get(expected, expected)} {reason}.")
    if len(set(zones)) != len(zones):
        raise ValidationException("You must specify subnets from different Availability Zones.")
    vpc_id = vpc_ids.pop()
    groups = {g.id: g for g in ec2.describe_security_groups()}
    group_ids = list(dict.fromkeys(vpc.get("SecurityGroupIds") or []))
    for group_id in group_ids:
        group = groups.get(group_id)
        if group is None:
            raise ValidationException(f"The security group {group_id} does not exist.")
        if group.vpc_id != vpc_id:
            raise ValidationException(f"The security group {group_id} is not in VPC {vpc_id}.")
    if not group_ids:
        default = next((g.id for g in groups.values() if g.vpc_id == vpc_id and g.name == "default"), None)
        group_ids = [default] if default else []
    return {"VPCId": vpc_id, "SubnetIds": subnet_ids, "AvailabilityZones": zones, "SecurityGroupIds": group_ids}


def _kms_key_arn(backend: OpenSearchServiceBackend, key_id: str) -> str:
    from moto.kms.models import kms_backends

    kms = kms_backends[backend.account_id][backend.region_name]
    try:
        key = kms.describe_key(kms.any_id_to_key_id(key_id))
    except Exception:
        raise ValidationException(f"The KMS key {key_id} is not found or not accessible.") from None
    if key.key_state != "Enabled":
        raise ValidationException(f"The KMS key {key_id} is {key.key_state}; it must be Enabled.")
    if key.key_spec != "SYMMETRIC_DEFAULT":
        raise ValidationException(f"The KMS key {key_id} must be a symmetric encryption key.")
    return key.arn


def _check_encryption(backend: OpenSearchServiceBackend, options: dict[str, Any]) -> dict[str, Any]:
    if not options.get("Enabled"):
        if options.get("KmsKeyId"):
            raise ValidationException("KmsKeyId requires EncryptionAtRestOptions.Enabled true.")
        return {"Enabled": False}
    key = options.get("KmsKeyId")
    # Without a key, AWS uses the aws/es managed key.
    return {"Enabled": True, "KmsKeyId": _kms_key_arn(backend, key) if key else
            f"arn:aws:kms:{backend.region_name}:{backend.account_id}:key/aws-es-managed"}


def _check_endpoint_options(options: dict[str, Any]) -> dict[str, Any]:
    policy = options.get("TLSSecurityPolicy") or "Policy-Min-TLS-1-0-2019-07"
    if policy not in TLS_POLICIES:
        raise ValidationException(f"Invalid TLSSecurityPolicy {policy}; valid: {', '.join(TLS_POLICIES)}.")
    result = {"EnforceHTTPS": bool(options.get("EnforceHTTPS")), "TLSSecurityPolicy": policy,
              "CustomEndpointEnabled": bool(options.get("CustomEndpointEnabled"))}
    if result["CustomEndpointEnabled"]:
        if not options.get("CustomEndpoint") or not options.get("CustomEndpointCertificateArn"):
            raise ValidationException("A custom endpoint needs CustomEndpoint and CustomEndpointCertificateArn.")
        result.update(CustomEndpoint=options["CustomEndpoint"],
                      CustomEndpointCertificateArn=options["CustomEndpointCertificateArn"])
    return result


def _check_master_password(password: str) -> None:
    if not (8 <= len(password) <= 128 and re.search(r"[A-Z]", password) and re.search(r"[a-z]", password)
            and re.search(r"[0-9]", password) and SPECIAL.search(password)):
        raise ValidationException(
            "Password must be at least 8 characters long and contain at least one uppercase letter, one lowercase "
            "letter, one number, and one special character.")


def check_master_user(options: dict[str, Any], internal: bool) -> tuple[str, str] | None:
    """The (user, password) of an internal master user, None for an IAM master; validates either."""
    name, password = options.get("MasterUserName"), options.get("MasterUserPassword")
    arn = options.get("MasterUserARN")
    if internal:
        if arn:
            raise ValidationException("MasterUserARN cannot be used when InternalUserDatabaseEnabled is true; give "
                                      "MasterUserName and MasterUserPassword.")
        if not name or not password:
            raise ValidationException("MasterUserName and MasterUserPassword are required when "
                                      "InternalUserDatabaseEnabled is true.")
        if not 1 <= len(name) <= 64:
            raise ValidationException("MasterUserName must be 1 to 64 characters.")
        _check_master_password(password)
        return name, password
    if name or password:
        raise ValidationException("MasterUserName and MasterUserPassword need InternalUserDatabaseEnabled true.")
    if not arn or not MASTER_ARN.match(arn):
        raise ValidationException(f"MasterUserARN must be an IAM role or user ARN, got {arn!r}.")
    return None


def _check_access_policies(policies: Any) -> str:
    if policies in (None, ""):
        return ""
    try:
        document = json.loads(policies)
    except (TypeError, ValueError):
        raise ValidationException("AccessPolicies is not valid JSON.") from None
    if not isinstance(document, dict) or not isinstance(document.get("Statement"), list):
        raise ValidationException("AccessPolicies must be a policy document with a Statement list.")
    return str(policies)


def _policy_allows_es(document: dict[str, Any], group_arn: str) -> bool:
    for statement in document.get("Statement") or []:
        if statement.get("Effect") != "Allow":
            continue
        principal = statement.get("Principal") or {}
        services = principal.get("Service") if isinstance(principal, dict) else None
        services = [services] if isinstance(services, str) else services or []
        if "es.amazonaws.com" not in services:
            continue
        actions = statement.get("Action")
        actions = [actions] if isinstance(actions, str) else actions or []
        allowed = set(actions)
        if not allowed & {"logs:*", "*"} and not {"logs:PutLogEvents", "logs:CreateLogStream"} <= allowed:
            continue
        resources = statement.get("Resource")
        resources = [resources] if isinstance(resources, str) else resources or []
        if any(fnmatch.fnmatchcase(group_arn, r) or fnmatch.fnmatchcase(group_arn + ":*", r) for r in resources):
            return True
    return False


def _check_logs(backend: OpenSearchServiceBackend, options: dict[str, Any], fgac: bool) -> dict[str, Any]:
    from moto.logs.models import logs_backends

    logs = logs_backends[backend.account_id][backend.region_name]
    result = {}
    for log_type, option in sorted(options.items()):
        if log_type not in LOG_TYPES:
            raise ValidationException(f"Invalid log type {log_type}; valid: {', '.join(LOG_TYPES)}.")
        enabled = bool(option.get("Enabled"))
        arn = option.get("CloudWatchLogsLogGroupArn")
        if enabled:
            if log_type == "AUDIT_LOGS" and not fgac:
                raise ValidationException("Audit logs need fine-grained access control.")
            match = re.match(r"^arn:aws:logs:[a-z0-9-]+:\d{12}:log-group:(.+?)(:\*)?$", arn or "")
            if not match:
                raise ValidationException(f"CloudWatchLogsLogGroupArn of {log_type} must be a log group ARN.")
            if match.group(1) not in logs.groups:
                raise ValidationException(f"The specified CloudWatch Logs log group {match.group(1)} does not "
                                          "exist.")
            group_arn = arn[:-2] if arn.endswith(":*") else arn
            if not any(_policy_allows_es(json.loads(p.policy_document), group_arn)
                       for p in logs.resource_policies.values()):
                raise ValidationException(
                    f"The Resource Access Policy specified for the CloudWatch Logs log group {match.group(1)} does "
                    "not grant sufficient permissions for Amazon OpenSearch Service to create a log stream. Please "
                    "check the Resource Access Policy.")
        result[log_type] = {"CloudWatchLogsLogGroupArn": arn, "Enabled": enabled} if arn else {"Enabled": enabled}
    return result


def normalize(backend: OpenSearchServiceBackend, config: dict[str, Any]) -> dict[str, Any]:
    """Validate a whole domain configuration like AWS and return it in the shape AWS reports."""
    cluster = _normalize_cluster(config.get("ClusterConfig") or {})
    _check_cluster(cluster)
    result: dict[str, Any] = {"ClusterConfig": cluster}
    result["EBSOptions"] = _check_ebs(config.get("EBSOptions") or {}, cluster["InstanceType"])
    result["AccessPolicies"] = _check_access_policies(config.get("AccessPolicies"))
    address_type = config.get("IPAddressType") or "ipv4"
    if address_type not in ("ipv4", "dualstack"):
        raise ValidationException(f"Invalid IPAddressType {address_type}.")
    result["IPAddressType"] = address_type
    result["SnapshotOptions"] = dict(config.get("SnapshotOptions") or {})
    if config.get("VPCOptions"):
        result["VPCOptions"] = _check_vpc(backend, config["VPCOptions"], cluster)
    result["CognitoOptions"] = dict(config.get("CognitoOptions") or {"Enabled": False})
    result["EncryptionAtRestOptions"] = _check_encryption(backend, config.get("EncryptionAtRestOptions") or {})
    result["NodeToNodeEncryptionOptions"] = {
        "Enabled": bool((config.get("NodeToNodeEncryptionOptions") or {}).get("Enabled"))}
    result["AdvancedOptions"] = {**DEFAULT_ADVANCED_OPTIONS, **(config.get("AdvancedOptions") or {})}
    result["DomainEndpointOptions"] = _check_endpoint_options(config.get("DomainEndpointOptions") or {})
    security = config.get("AdvancedSecurityOptions") or {}
    fgac = bool(security.get("Enabled"))
    result["AdvancedSecurityOptions"] = {"Enabled": fgac, "InternalUserDatabaseEnabled":
                                         bool(security.get("InternalUserDatabaseEnabled")) if fgac else False,
                                         "AnonymousAuthEnabled": bool(security.get("AnonymousAuthEnabled"))}
    if fgac:
        if not result["NodeToNodeEncryptionOptions"]["Enabled"]:
            raise ValidationException("Node-to-node encryption is required when fine-grained access control is "
                                      "enabled.")
        if not result["EncryptionAtRestOptions"]["Enabled"]:
            raise ValidationException("Encryption at rest is required when fine-grained access control is enabled.")
        if not result["DomainEndpointOptions"]["EnforceHTTPS"]:
            raise ValidationException("Enforce HTTPS is required when fine-grained access control is enabled.")
    result["LogPublishingOptions"] = _check_logs(backend, config.get("LogPublishingOptions") or {}, fgac)
    tune = config.get("AutoTuneOptions") or {}
    desired = tune.get("DesiredState") or "DISABLED"
    if desired not in ("ENABLED", "DISABLED"):
        raise ValidationException(f"Invalid AutoTuneOptions.DesiredState {desired}.")
    if desired == "ENABLED" and cluster["InstanceType"].startswith("t"):
        raise ValidationException(f"Auto-Tune is not supported on {cluster['InstanceType']}.")
    result["AutoTuneOptions"] = {"DesiredState": desired, "RollbackOnDisable": tune.get("RollbackOnDisable")
                                 or "NO_ROLLBACK", "MaintenanceSchedules": list(tune.get("MaintenanceSchedules")
                                                                                or []),
                                 "UseOffPeakWindow": bool(tune.get("UseOffPeakWindow"))}
    off_peak = config.get("OffPeakWindowOptions") or {}
    window = off_peak.get("OffPeakWindow") or {"WindowStartTime": {"Hours": 0, "Minutes": 0}}
    start = window.get("WindowStartTime") or {}
    if not (0 <= start.get("Hours", 0) <= 23 and 0 <= start.get("Minutes", 0) <= 59):
        raise ValidationException("OffPeakWindow.WindowStartTime must be a time of day (Hours 0-23, Minutes 0-59).")
    result["OffPeakWindowOptions"] = {"Enabled": off_peak.get("Enabled", True) is not False,
                                      "OffPeakWindow": {"WindowStartTime": {"Hours": start.get("Hours", 0),
                                                                            "Minutes": start.get("Minutes", 0)}}}
    result["SoftwareUpdateOptions"] = {
        "AutoSoftwareUpdateEnabled": bool((config.get("SoftwareUpdateOptions") or {}).get("AutoSoftwareUpdateEnabled"))}
    return result
