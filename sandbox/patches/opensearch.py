"""Amazon OpenSearch Service domains as the collection relies on them, on top of moto's thin model.

moto 5.2.5 creates domains instantly, validates nothing, reports a made-up endpoint, returns a
DescribeDomainConfig without the shapes AWS uses, and treats every UpdateDomainConfig the same. This patch
replaces the OpenSearch API (``/2021-01-01/opensearch/...``, the boto3 ``opensearch`` client) with domains
that:

- are validated the way AWS validates what an Open edX platform uses (engine version, instance types,
  zone awareness against the VPC subnets, dedicated masters, gp3 volumes, encryption at rest with an
  existing KMS key, fine-grained access control and what it requires, log publishing to log groups whose
  resource policy lets ``es.amazonaws.com`` write);
- stay ``Processing`` (``DomainProcessingStatus`` ``Creating``) without endpoint for the simulated creation
  time (``opensearch_domain``, plus ``opensearch_dedicated_masters`` with dedicated masters), then report
  ``Endpoints.vpc`` (``Endpoint`` for a public domain) ``localhost:<port>``, where a real HTTPS security API
  answers (``sandbox.dataplane.opensearch``) with the master user of the internal user database;
- apply UpdateDomainConfig like AWS: nothing to change is a no-op, a blue/green change processes for
  ``modify`` minutes, an in-place one (access policy, logs, master user...) for ``modify_dynamic``; a new
  master password reaches the security API.

The legacy Elasticsearch API (``/2015-01-01/es/...``, the boto3 ``es`` client) stays moto's: neither
community.aws nor this collection uses it.
"""

from __future__ import annotations

import copy
import fnmatch
import json
import logging
import re
import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from moto.core.base_backend import BaseBackend
from moto.core.exceptions import JsonRESTError
from moto.opensearch.exceptions import ResourceNotFoundException
from moto.opensearch.models import OpenSearchServiceBackend
from moto.opensearch.responses import OpenSearchServiceResponse

from sandbox.dataplane import opensearch as dataplane
from sandbox.lifecycle import CLOCK, duration

LOG = logging.getLogger(__name__)
_LOCK = threading.RLock()
_ORIGINAL: dict[str, Callable[..., Any]] = {}

DOMAIN_NAME = re.compile(r"^[a-z][a-z0-9-]{2,27}$")
ENGINE_VERSION = re.compile(r"^(OpenSearch|Elasticsearch)_(\d+)\.(\d+)$")
ENGINE_VERSIONS = (
    "OpenSearch_1.0", "OpenSearch_1.1", "OpenSearch_1.2", "OpenSearch_1.3", "OpenSearch_2.3", "OpenSearch_2.5",
    "OpenSearch_2.7", "OpenSearch_2.9", "OpenSearch_2.11", "OpenSearch_2.13", "OpenSearch_2.15",
    "OpenSearch_2.17", "OpenSearch_2.19", "Elasticsearch_7.10",
)
DEFAULT_ENGINE_VERSION = "OpenSearch_2.19"
INSTANCE_TYPE = re.compile(r"^([a-z0-9]+)\.([a-z0-9]+)\.search$")
# Instance families OpenSearch Service offers, and the ones without EBS (instance storage).
INSTANCE_FAMILIES = frozenset({
    "t3", "m5", "m6g", "m7g", "m7i", "c5", "c6g", "c7g", "c7i", "r5", "r6g", "r7g", "r7i", "r6gd", "i3", "i4g",
    "im4gn", "or1", "or2", "om2",
})
INSTANCE_STORE_FAMILIES = frozenset({"r6gd", "i3", "i4g", "im4gn"})
# Largest EBS volume (GiB) per instance type where it is small; others take up to 3 TiB per node here.
MAX_VOLUME = {"t3.small.search": 100, "t3.medium.search": 200}
MAX_VOLUME_DEFAULT = 3072
VOLUME_TYPES = ("standard", "gp2", "gp3", "io1")
TLS_POLICIES = ("Policy-Min-TLS-1-0-2019-07", "Policy-Min-TLS-1-2-2019-07", "Policy-Min-TLS-1-2-PFS-2023-10",
                "Policy-Min-TLS-1-2-RFC9151-FIPS-2024-08")
LOG_TYPES = ("INDEX_SLOW_LOGS", "SEARCH_SLOW_LOGS", "ES_APPLICATION_LOGS", "AUDIT_LOGS")
MASTER_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:(role|user)/[\w+=,.@/-]+$")
SPECIAL = re.compile(r"[^A-Za-z0-9]")
DEFAULT_ADVANCED_OPTIONS = {
    "indices.fielddata.cache.size": "20",
    "indices.query.bool.max_clause_count": "1024",
    "override_main_response_version": "false",
    "rest.action.multi.allow_explicit_index": "true",
}
# Sections AWS changes with a blue/green deployment; the others (and the master user) change in place.
BLUE_GREEN = ("ClusterConfig", "EBSOptions", "VPCOptions", "EncryptionAtRestOptions", "NodeToNodeEncryptionOptions",
              "AdvancedSecurityOptions", "CognitoOptions", "AdvancedOptions", "IPAddressType")
SECTIONS = ("ClusterConfig", "EBSOptions", "AccessPolicies", "IPAddressType", "SnapshotOptions", "VPCOptions",
            "CognitoOptions", "EncryptionAtRestOptions", "NodeToNodeEncryptionOptions", "AdvancedOptions",
            "LogPublishingOptions", "DomainEndpointOptions", "AdvancedSecurityOptions", "AutoTuneOptions",
            "OffPeakWindowOptions", "SoftwareUpdateOptions")


class ValidationException(JsonRESTError):
    code = 400

    def __init__(self, message: str) -> None:
        super().__init__("ValidationException", message)


class ResourceAlreadyExistsException(JsonRESTError):
    code = 409

    def __init__(self, message: str) -> None:
        super().__init__("ResourceAlreadyExistsException", message)


class DisabledOperationException(JsonRESTError):
    code = 409

    def __init__(self, message: str) -> None:
        super().__init__("DisabledOperationException", message)


def _now() -> datetime:
    return datetime.now(UTC)


def _epoch(moment: datetime) -> float:
    return moment.timestamp()


# --- the domain ------------------------------------------------------------------------------------


class Domain:
    """One OpenSearch domain; lives in moto's ``backend.domains`` so ListDomainNames and tags keep working."""

    engine_type = "OpenSearch"
    is_es = False

    def __init__(self, backend: OpenSearchServiceBackend, name: str, engine_version: str,
                 config: dict[str, Any]) -> None:
        self.backend = backend
        self.domain_name = name
        self.domain_id = f"{backend.account_id}/{name}"
        self.arn = f"arn:aws:es:{backend.region_name}:{backend.account_id}:domain/{name}"
        self.engine_version = engine_version
        self.config = config
        self.created_at = _now()
        self.updated_at = {section: self.created_at for section in SECTIONS}
        self.update_version = 1
        self.deleted = False
        self.changing: set[str] = set(SECTIONS)
        self.change_id = str(uuid.uuid4())
        self.change_started = self.created_at
        self.change_updated = self.created_at
        self.last_port = 0
        self.master_arn: str | None = None

    @property
    def key(self) -> tuple[str, ...]:
        return ("opensearch", self.backend.account_id, self.backend.region_name, "domain", self.domain_name)

    @property
    def processing_status(self) -> str:
        return CLOCK.status(self.key, "Active")

    @property
    def processing(self) -> bool:
        return CLOCK.pending(self.key)

    @property
    def port(self) -> int:
        server = dataplane.get(self.domain_name)
        return server.port if server is not None else self.last_port

    def endpoint(self) -> str | None:
        if self.processing_status in ("Creating", "Deleting") or dataplane.get(self.domain_name) is None:
            return None
        return f"{dataplane.HOST}:{self.port}"

    def _change_progress(self) -> dict[str, Any]:
        status = self.processing_status
        progress = {
            "ChangeId": self.change_id,
            "ConfigChangeStatus": {"Creating": "Initializing", "Modifying": "ApplyingChanges",
                                   "Deleting": "ApplyingChanges"}.get(status, "Completed"),
            "InitiatedBy": "CUSTOMER",
            "StartTime": _epoch(self.change_started),
            "LastUpdatedTime": _epoch(self.change_updated),
        }
        if status == "Active":
            progress["Message"] = "Changes have been applied."
        return progress

    def modifying_properties(self) -> list[dict[str, Any]]:
        if self.processing_status != "Modifying":
            return []
        return [{"Name": section, "ActiveValue": "", "PendingValue": json.dumps(self.config.get(section), default=str),
                 "ValueType": "STRINGIFIED_JSON" if section != "AccessPolicies" else "PLAIN_TEXT"}
                for section in sorted(self.changing)]

    def to_dict(self) -> dict[str, Any]:
        """DescribeDomain's DomainStatus."""
        config = copy.deepcopy(self.config)
        status = self.processing_status
        result: dict[str, Any] = {
            "DomainId": self.domain_id,
            "DomainName": self.domain_name,
            "ARN": self.arn,
            "Created": True,
            "Deleted": self.deleted,
            "Processing": self.processing,
            "UpgradeProcessing": False,
            "EngineVersion": self.engine_version,
            "ServiceSoftwareOptions": {
                "CurrentVersion": "OpenSearch_2_19_R20250630", "NewVersion": "", "UpdateAvailable": False,
                "Cancellable": False, "UpdateStatus": "COMPLETED",
                "Description": "There is no software update available for this domain.",
                "AutomatedUpdateDate": 0, "OptionalDeployment": True},
            "ChangeProgressDetails": self._change_progress(),
            "DomainProcessingStatus": status,
            "ModifyingProperties": self.modifying_properties(),
            **{k: v for k, v in config.items() if k not in ("AutoTuneOptions",)},
            "AutoTuneOptions": {"State": "ENABLED" if config["AutoTuneOptions"].get("DesiredState") == "ENABLED"
                                else "DISABLED", "UseOffPeakWindow": config["AutoTuneOptions"]["UseOffPeakWindow"]},
        }
        endpoint = self.endpoint()
        if endpoint:
            if "VPCOptions" in config:
                result["Endpoints"] = {"vpc": endpoint}
            else:
                result["Endpoint"] = endpoint
        return result

    def to_config_dict(self) -> dict[str, Any]:
        """DescribeDomainConfig's DomainConfig: every section as {Options, Status}."""
        options: dict[str, Any] = copy.deepcopy(self.config)
        options["EngineVersion"] = self.engine_version
        result: dict[str, Any] = {}
        for section, value in options.items():
            updated = self.updated_at.get(section, self.created_at)
            state = "Processing" if section in self.changing and self.processing else "Active"
            result[section] = {"Options": value, "Status": {
                "CreationDate": _epoch(self.created_at), "UpdateDate": _epoch(updated),
                "UpdateVersion": self.update_version, "State": state, "PendingDeletion": False}}
        result["ChangeProgressDetails"] = {"ChangeId": self.change_id, "Message": ""}
        result["ModifyingProperties"] = self.modifying_properties()
        return result

    def destroy(self) -> None:
        dataplane.delete(self.domain_name)
        with _LOCK:
            if self.backend.domains.get(self.domain_name) is self:
                del self.backend.domains[self.domain_name]
            self.backend.tagger.delete_all_tags_for_resource(self.arn)
            CLOCK.forget(self.key)


# --- validation ------------------------------------------------------------------------------------


def _ec2(backend: OpenSearchServiceBackend) -> Any:
    from moto.ec2.models import ec2_backends

    return ec2_backends[backend.account_id][backend.region_name]


def _check_engine_version(version: str | None) -> str:
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


def _check_master_user(options: dict[str, Any], internal: bool) -> tuple[str, str] | None:
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


def _normalize(backend: OpenSearchServiceBackend, config: dict[str, Any]) -> dict[str, Any]:
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


def _request_config(self: OpenSearchServiceResponse) -> dict[str, Any]:
    return {section: self._get_param(section) for section in SECTIONS if self._get_param(section) is not None}


def _master_options(self: OpenSearchServiceResponse) -> dict[str, Any]:
    return (self._get_param("AdvancedSecurityOptions") or {}).get("MasterUserOptions") or {}


def _is_legacy(self: OpenSearchServiceResponse) -> bool:
    return "/2015-01-01/" in (self.path or "")


def _domain(backend: OpenSearchServiceBackend, name: str) -> Any:
    domain = backend.domains.get(name)
    if domain is None:
        raise ResourceNotFoundException(name)
    return domain


# --- handlers --------------------------------------------------------------------------------------


def create_domain(self: OpenSearchServiceResponse) -> str:
    if _is_legacy(self):
        return _ORIGINAL["create_domain"](self)
    backend = self.opensearch_backend
    name = self._get_param("DomainName") or ""
    with _LOCK:
        if not DOMAIN_NAME.match(name):
            raise ValidationException(
                f"Domain name {name!r} is invalid: 3-28 lower case letters, digits or hyphens, starting with a "
                "letter.")
        if name in backend.domains:
            raise ResourceAlreadyExistsException(f"Domain with name {name} already exists.")
        version = _check_engine_version(self._get_param("EngineVersion"))
        config = _normalize(backend, _request_config(self))
        master = None
        security = config["AdvancedSecurityOptions"]
        if security["Enabled"]:
            master = _check_master_user(_master_options(self), security["InternalUserDatabaseEnabled"])
        elif _master_options(self):
            raise ValidationException("MasterUserOptions need AdvancedSecurityOptions.Enabled true.")
        domain = Domain(backend, name, version, config)
        if security["Enabled"] and master is None:
            domain.master_arn = _master_options(self).get("MasterUserARN")
        server = dataplane.create(name, *(master or (None, None)))
        domain.last_port = server.port
        backend.domains[name] = domain
        tags = self._get_param("TagList") or []
        if tags:
            backend.add_tags(domain.arn, tags)
        kinds = ["opensearch_domain"] + (["opensearch_dedicated_masters"]
                                         if config["ClusterConfig"]["DedicatedMasterEnabled"] else [])
        _begin(domain, "Creating", duration(*kinds))
        return json.dumps({"DomainStatus": _status_while(domain, "Creating")}, default=str)


def _status_while(domain: Domain, status: str) -> dict[str, Any]:
    """The status a mutating call answers with: its transition, even when the clock finished it at once."""
    result = domain.to_dict()
    result.update(Processing=True, DomainProcessingStatus=status)
    if status == "Creating":
        result.pop("Endpoints", None)
        result.pop("Endpoint", None)
    return result


def _begin(domain: Domain, status: str, seconds: float, on_done: Callable[[], None] | None = None) -> None:
    def done() -> None:
        with _LOCK:
            domain.changing = set()
            domain.change_updated = _now()
        if on_done is not None:
            on_done()

    CLOCK.begin(domain.key, status, seconds, on_done=done)


def describe_domain(self: OpenSearchServiceResponse) -> str:
    if _is_legacy(self):
        return _ORIGINAL["describe_domain"](self)
    name = self.path.rstrip("/").split("/")[-1]
    with _LOCK:
        domain = _domain(self.opensearch_backend, name)
        return json.dumps({"DomainStatus": domain.to_dict()}, default=str)


def describe_domains(self: OpenSearchServiceResponse) -> str:
    names = self._get_param("DomainNames") or []
    if len(names) > 5:
        raise ValidationException("DescribeDomains takes at most 5 domain names.")
    with _LOCK:
        domains = [self.opensearch_backend.domains[n] for n in names if n in self.opensearch_backend.domains]
        return json.dumps({"DomainStatusList": [d.to_dict() for d in domains]}, default=str)


def describe_domain_config(self: OpenSearchServiceResponse) -> str:
    parts = [p for p in (self.path or "").split("/") if p]
    name = self._get_param("DomainName") or (parts[-2] if len(parts) >= 2 and parts[-1] == "config" else "")
    with _LOCK:
        domain = _domain(self.opensearch_backend, name)
        if not isinstance(domain, Domain):
            return _ORIGINAL["describe_domain_config"](self)
        return json.dumps({"DomainConfig": domain.to_config_dict()}, default=str)


def _merge(current: dict[str, Any], request: dict[str, Any]) -> dict[str, Any]:
    """The configuration an UpdateDomainConfig asks for: each given field replaces the current one."""
    merged = copy.deepcopy(current)
    for section, value in request.items():
        if isinstance(value, dict) and isinstance(merged.get(section), dict):
            if section == "LogPublishingOptions":
                merged[section] = {**merged[section], **value}
            elif section == "VPCOptions":
                merged[section] = {k: value.get(k, merged[section].get(k)) for k in ("SubnetIds", "SecurityGroupIds")}
            elif section == "AdvancedSecurityOptions":
                merged[section] = {**merged[section], **{k: v for k, v in value.items() if k != "MasterUserOptions"}}
            else:
                merged[section] = {**merged[section], **value}
        else:
            merged[section] = value
    return merged


def _immutable(current: dict[str, Any], new: dict[str, Any]) -> None:
    if ("VPCOptions" in current) != ("VPCOptions" in new):
        raise ValidationException("A domain cannot move between public access and VPC access.")
    if current["EncryptionAtRestOptions"]["Enabled"] and not new["EncryptionAtRestOptions"]["Enabled"]:
        raise ValidationException("Encryption at rest cannot be disabled once enabled.")
    if current["EncryptionAtRestOptions"].get("KmsKeyId") and new["EncryptionAtRestOptions"].get("KmsKeyId") \
            != current["EncryptionAtRestOptions"]["KmsKeyId"]:
        raise ValidationException("The KMS key of encryption at rest cannot be changed.")
    if current["NodeToNodeEncryptionOptions"]["Enabled"] and not new["NodeToNodeEncryptionOptions"]["Enabled"]:
        raise ValidationException("Node-to-node encryption cannot be disabled once enabled.")
    if current["AdvancedSecurityOptions"]["Enabled"] and not new["AdvancedSecurityOptions"]["Enabled"]:
        raise ValidationException("Fine-grained access control cannot be disabled once enabled.")
    if "VPCOptions" in current and current["VPCOptions"]["VPCId"] != new["VPCOptions"]["VPCId"]:
        raise ValidationException("A domain cannot move to another VPC.")


def _comparable(section: str, value: Any) -> Any:
    if section == "AccessPolicies":
        return json.loads(value) if value else None
    return value


def update_domain_config(self: OpenSearchServiceResponse) -> str:
    backend = self.opensearch_backend
    name = self._get_param("DomainName") or self.path.rstrip("/").split("/")[-2]
    with _LOCK:
        domain = _domain(backend, name)
        if not isinstance(domain, Domain):
            return _ORIGINAL["update_domain_config"](self)
        if domain.deleted:
            raise ValidationException(f"Domain {name} is being deleted.")
        request = _request_config(self)
        new = _normalize(backend, _merge(domain.config, request))
        _immutable(domain.config, new)
        changed = {s for s in SECTIONS if _comparable(s, new.get(s)) != _comparable(s, domain.config.get(s))}
        master_options = _master_options(self)
        master, master_changed = None, False
        if master_options:
            if not new["AdvancedSecurityOptions"]["Enabled"]:
                raise ValidationException("MasterUserOptions need AdvancedSecurityOptions.Enabled true.")
            master = _check_master_user(master_options, new["AdvancedSecurityOptions"]["InternalUserDatabaseEnabled"])
            if master is not None:
                master_changed = not dataplane.password_matches(name, *master)
            else:
                master_changed = master_options.get("MasterUserARN") != domain.master_arn
        blue_green = bool(changed & set(BLUE_GREEN))
        if self._get_param("DryRun"):
            deployment = "Blue/Green" if blue_green else ("DynamicUpdate" if changed or master_changed else "None")
            return json.dumps({"DomainConfig": domain.to_config_dict(),
                               "DryRunResults": {"DeploymentType": deployment, "Message": ""}}, default=str)
        if not changed and not master_changed:
            return json.dumps({"DomainConfig": domain.to_config_dict()}, default=str)
        if domain.processing_status == "Creating":
            raise ValidationException(f"Domain {name} is still being created; try again when it is active.")
        now = _now()
        domain.config = new
        changing = changed | ({"AdvancedSecurityOptions"} if master_changed else set())
        for section in changing:
            domain.updated_at[section] = now
        domain.update_version += 1
        domain.changing = changing
        domain.change_id = str(uuid.uuid4())
        domain.change_started = domain.change_updated = now
        if master is not None:
            dataplane.set_master_user(name, *master)
        elif master_options:
            domain.master_arn = master_options.get("MasterUserARN")
        _begin(domain, "Modifying", duration("modify" if blue_green else "modify_dynamic"))
        config = domain.to_config_dict()
        for section in changing:
            config[section]["Status"]["State"] = "Processing"
        return json.dumps({"DomainConfig": config}, default=str)


def delete_domain(self: OpenSearchServiceResponse) -> str:
    if _is_legacy(self):
        return _ORIGINAL["delete_domain"](self)
    name = self.path.rstrip("/").split("/")[-1]
    with _LOCK:
        domain = _domain(self.opensearch_backend, name)
        if not isinstance(domain, Domain):
            return _ORIGINAL["delete_domain"](self)
        if not domain.deleted:
            domain.deleted = True
            dataplane.delete(name)
            _begin(domain, "Deleting", duration("delete"), on_done=domain.destroy)
        result = domain.to_dict()
        result.update(Deleted=True, Processing=True, DomainProcessingStatus="Deleting")
        result.pop("Endpoints", None)
        result.pop("Endpoint", None)
        return json.dumps({"DomainStatus": result}, default=str)


# --- patching --------------------------------------------------------------------------------------

HANDLERS: tuple[Callable[..., str], ...] = (
    create_domain, describe_domain, describe_domains, describe_domain_config, update_domain_config, delete_domain,
)


def _reset(backend: OpenSearchServiceBackend) -> None:
    """Stop the servers of a backend's domains before moto forgets them."""
    for domain in list(backend.domains.values()):
        if isinstance(domain, Domain):
            dataplane.delete(domain.domain_name)
            CLOCK.forget(domain.key)
    BaseBackend.reset(backend)


def apply() -> None:
    """Install the handlers on moto's OpenSearch response class (idempotent)."""
    if getattr(OpenSearchServiceResponse, "_sandbox_patched", False):
        return
    for handler in HANDLERS:
        _ORIGINAL[handler.__name__] = getattr(OpenSearchServiceResponse, handler.__name__)
        setattr(OpenSearchServiceResponse, handler.__name__, handler)
    OpenSearchServiceBackend.reset = _reset  # type: ignore[method-assign]
    OpenSearchServiceResponse._sandbox_patched = True  # type: ignore[attr-defined]
