"""OpenSearch API handlers (moto's OpenSearchServiceResponse) for the ``/2021-01-01/opensearch`` API."""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Callable
from typing import Any

from moto.opensearch.exceptions import ResourceNotFoundException
from moto.opensearch.models import OpenSearchServiceBackend
from moto.opensearch.responses import OpenSearchServiceResponse

from sandbox.dataplane import opensearch as dataplane
from sandbox.lifecycle import CLOCK, duration
from sandbox.services import original
from sandbox.services.opensearch.errors import ResourceAlreadyExistsException, ValidationException
from sandbox.services.opensearch.models import BLUE_GREEN, LOCK, SECTIONS, Domain, now
from sandbox.services.opensearch.validation import (
    DOMAIN_NAME,
    ENGINE_VERSIONS,
    check_engine_version,
    check_master_user,
    normalize,
)


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


def create_domain(self: OpenSearchServiceResponse) -> str:
    if _is_legacy(self):
        return original(create_domain)(self)
    backend = self.opensearch_backend
    name = self._get_param("DomainName") or ""
    with LOCK:
        if not DOMAIN_NAME.match(name):
            raise ValidationException(
                f"Domain name {name!r} is invalid: 3-28 lower case letters, digits or hyphens, starting with a "
                "letter.")
        if name in backend.domains:
            raise ResourceAlreadyExistsException(f"Domain with name {name} already exists.")
        version = check_engine_version(self._get_param("EngineVersion"))
        config = normalize(backend, _request_config(self))
        master = None
        security = config["AdvancedSecurityOptions"]
        if security["Enabled"]:
            master = check_master_user(_master_options(self), security["InternalUserDatabaseEnabled"])
        elif _master_options(self):
            raise ValidationException("MasterUserOptions need AdvancedSecurityOptions.Enabled true.")
        domain = Domain(backend, name, version, config)
        if security["Enabled"] and master is None:
            domain.master_arn = _master_options(self).get("MasterUserARN")
        cluster = config["ClusterConfig"]
        server = dataplane.create(name, *(master or (None, None)), data_nodes=cluster["InstanceCount"],
                                  master_nodes=cluster.get("DedicatedMasterCount") or 0, master_arn=domain.master_arn,
                                  region=backend.region_name, encrypted=config["EncryptionAtRestOptions"]["Enabled"])
        domain.last_port = server.port
        dataplane.set_engine(name, version)
        backend.domains[name] = domain
        tags = self._get_param("TagList") or []
        if tags:
            backend.add_tags(domain.arn, tags)
        kinds = ["opensearch_domain"] + (["opensearch_dedicated_masters"]
                                         if config["ClusterConfig"]["DedicatedMasterEnabled"] else [])
        _begin(domain, "Creating", duration(*kinds), on_done=lambda: dataplane.activate(name))
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
        with LOCK:
            domain.changing = set()
            domain.change_updated = now()
        if on_done is not None:
            on_done()

    CLOCK.begin(domain.key, status, seconds, on_done=done)


def describe_domain(self: OpenSearchServiceResponse) -> str:
    if _is_legacy(self):
        return original(describe_domain)(self)
    name = self.path.rstrip("/").split("/")[-1]
    with LOCK:
        domain = _domain(self.opensearch_backend, name)
        return json.dumps({"DomainStatus": domain.to_dict()}, default=str)


def describe_domains(self: OpenSearchServiceResponse) -> str:
    names = self._get_param("DomainNames") or []
    if len(names) > 5:
        raise ValidationException("DescribeDomains takes at most 5 domain names.")
    with LOCK:
        domains = [self.opensearch_backend.domains[n] for n in names if n in self.opensearch_backend.domains]
        return json.dumps({"DomainStatusList": [d.to_dict() for d in domains]}, default=str)


def describe_domain_config(self: OpenSearchServiceResponse) -> str:
    parts = [p for p in (self.path or "").split("/") if p]
    name = self._get_param("DomainName") or (parts[-2] if len(parts) >= 2 and parts[-1] == "config" else "")
    with LOCK:
        domain = _domain(self.opensearch_backend, name)
        if not isinstance(domain, Domain):
            return original(describe_domain_config)(self)
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
    with LOCK:
        domain = _domain(backend, name)
        if not isinstance(domain, Domain):
            return original(update_domain_config)(self)
        if domain.deleted:
            raise ValidationException(f"Domain {name} is being deleted.")
        request = _request_config(self)
        new = normalize(backend, _merge(domain.config, request))
        _immutable(domain.config, new)
        changed = {s for s in SECTIONS if _comparable(s, new.get(s)) != _comparable(s, domain.config.get(s))}
        master_options = _master_options(self)
        master, master_changed = None, False
        if master_options:
            if not new["AdvancedSecurityOptions"]["Enabled"]:
                raise ValidationException("MasterUserOptions need AdvancedSecurityOptions.Enabled true.")
            master = check_master_user(master_options, new["AdvancedSecurityOptions"]["InternalUserDatabaseEnabled"])
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
        if domain.upgrading:
            raise ValidationException(f"Domain {name} is being upgraded; try again when the upgrade is done.")
        moment = now()
        domain.config = new
        changing = changed | ({"AdvancedSecurityOptions"} if master_changed else set())
        for section in changing:
            domain.updated_at[section] = moment
        domain.update_version += 1
        domain.changing = changing
        domain.change_id = str(uuid.uuid4())
        domain.change_started = domain.change_updated = moment
        dataplane.set_encrypted(name, new["EncryptionAtRestOptions"]["Enabled"])
        cluster = new["ClusterConfig"]
        # A blue/green deployment: the new nodes take the indices over, the documents stay.
        dataplane.set_nodes(name, cluster["InstanceCount"], cluster.get("DedicatedMasterCount") or 0)
        if master is not None:
            dataplane.set_master_user(name, *master)
        elif master_options:
            domain.master_arn = master_options.get("MasterUserARN")
            dataplane.set_master_arn(name, domain.master_arn)
        _begin(domain, "Modifying", duration("modify" if blue_green else "modify_dynamic"))
        config = domain.to_config_dict()
        for section in changing:
            config[section]["Status"]["State"] = "Processing"
        return json.dumps({"DomainConfig": config}, default=str)


def delete_domain(self: OpenSearchServiceResponse) -> str:
    if _is_legacy(self):
        return original(delete_domain)(self)
    name = self.path.rstrip("/").split("/")[-1]
    with LOCK:
        domain = _domain(self.opensearch_backend, name)
        if not isinstance(domain, Domain):
            return original(delete_domain)(self)
        if not domain.deleted:
            domain.deleted = True
            dataplane.delete(name)
            _begin(domain, "Deleting", duration("delete"), on_done=domain.destroy)
        result = domain.to_dict()
        result.update(Deleted=True, Processing=True, DomainProcessingStatus="Deleting")
        result.pop("Endpoints", None)
        result.pop("Endpoint", None)
        return json.dumps({"DomainStatus": result}, default=str)


# --- engine upgrades ------------------------------------------------------------------------------------------


def _version_key(version: str) -> tuple[int, int, int]:
    engine, _, number = version.partition("_")
    major, _, minor = number.partition(".")
    return (1 if engine == "OpenSearch" else 0, int(major), int(minor))


def compatible_targets(version: str) -> list[str]:
    """The versions OpenSearch Service upgrades ``version`` to in place (its documented upgrade paths): a later
    minor of the same major; OpenSearch 1.3 to any 2.x; OpenSearch 2.19 (only) to 3.x; Elasticsearch 7.x to later
    7.x and OpenSearch 1.x."""
    engine, major, minor = _version_key(version)
    targets = []
    for candidate in ENGINE_VERSIONS:
        c_engine, c_major, c_minor = _version_key(candidate)
        if (c_engine, c_major, c_minor) <= (engine, major, minor):
            continue
        same_major = (c_engine, c_major) == (engine, major)
        if same_major or (engine == 0 and major == 7 and c_engine == 1 and c_major == 1) \
                or (engine == 1 and (major, minor) == (1, 3) and c_major == 2) \
                or (engine == 1 and (major, minor) == (2, 19) and c_major == 3):
            targets.append(candidate)
    return targets


def get_compatible_versions(self: OpenSearchServiceResponse) -> str:
    name = self._get_param("domainName")
    with LOCK:
        if name:
            domain = _domain(self.opensearch_backend, name)
            sources = [domain.engine_version]
        else:
            sources = [v for v in ENGINE_VERSIONS if compatible_targets(v)]
        result = [{"SourceVersion": v, "TargetVersions": compatible_targets(v)} for v in sources]
        return json.dumps({"CompatibleVersions": [r for r in result if r["TargetVersions"]] if not name else result})


def upgrade_domain(self: OpenSearchServiceResponse) -> str:
    """UpgradeDomain: the pre-upgrade check, then (unless PerformCheckOnly) the upgrade, which processes for
    ``upgrade`` minutes; the domain's documents stay and ``/`` reports the new version when it is done."""
    backend = self.opensearch_backend
    name = self._get_param("DomainName") or ""
    target = self._get_param("TargetVersion") or ""
    check_only = bool(self._get_param("PerformCheckOnly"))
    with LOCK:
        domain = _domain(backend, name)
        if not isinstance(domain, Domain) or domain.deleted:
            raise ResourceNotFoundException(name)
        check_engine_version(target)
        if target not in compatible_targets(domain.engine_version):
            raise ValidationException(
                f"Upgrade from {domain.engine_version} to {target} is not supported; compatible versions: "
                f"{', '.join(compatible_targets(domain.engine_version)) or 'none'}.")
        if domain.processing or domain.upgrading:
            raise ValidationException(f"Domain {name} is processing a change; try again when it is active.")
        advanced = self._get_param("AdvancedOptions") or {}
        upgrade_id = str(uuid.uuid4())
        answer = {"UpgradeId": upgrade_id, "DomainName": name, "TargetVersion": target,
                  "PerformCheckOnly": check_only, "AdvancedOptions": advanced,
                  "ChangeProgressDetails": {"ChangeId": upgrade_id, "Message": ""}}
        domain.upgrade_history.append({
            "UpgradeName": f"Upgrade from {domain.engine_version} to {target}", "StartTimestamp": now(),
            "UpgradeStatus": "SUCCEEDED" if check_only else "IN_PROGRESS",
            "UpgradeStep": "PRE_UPGRADE_CHECK" if check_only else "UPGRADE"})
        if check_only:
            return json.dumps(answer, default=str)
        domain.upgrading = True

        def done() -> None:
            with LOCK:
                domain.engine_version = target
                domain.upgrading = False
                domain.upgrade_history[-1]["UpgradeStatus"] = "SUCCEEDED"
            dataplane.set_engine(name, target)

        _begin(domain, "UpgradingEngineVersion", duration("upgrade"), on_done=done)
        return json.dumps(answer, default=str)


def get_upgrade_status(self: OpenSearchServiceResponse) -> str:
    parts = [p for p in (self.path or "").split("/") if p]
    name = parts[-2] if len(parts) >= 2 and parts[-1] == "status" else ""
    with LOCK:
        domain = _domain(self.opensearch_backend, name)
        if not isinstance(domain, Domain) or not domain.upgrade_history:
            raise ResourceNotFoundException(f"No upgrade of domain {name}.")
        last = domain.upgrade_history[-1]
        return json.dumps({"UpgradeStep": last["UpgradeStep"], "StepStatus": last["UpgradeStatus"],
                           "UpgradeName": last["UpgradeName"]}, default=str)
