"""OpenSearch models: the domain, with its configuration sections, change progress and security API server."""

from __future__ import annotations

import copy
import json
import logging
import threading
import uuid
from datetime import UTC, datetime
from typing import Any

from moto.core.base_backend import BaseBackend
from moto.opensearch.models import OpenSearchServiceBackend

from sandbox.dataplane import opensearch as dataplane
from sandbox.lifecycle import CLOCK

LOG = logging.getLogger(__name__)
LOCK = threading.RLock()
# Sections AWS changes with a blue/green deployment; the others (and the master user) change in place.
BLUE_GREEN = ("ClusterConfig", "EBSOptions", "VPCOptions", "EncryptionAtRestOptions", "NodeToNodeEncryptionOptions",
              "AdvancedSecurityOptions", "CognitoOptions", "AdvancedOptions", "IPAddressType")
SECTIONS = ("ClusterConfig", "EBSOptions", "AccessPolicies", "IPAddressType", "SnapshotOptions", "VPCOptions",
            "CognitoOptions", "EncryptionAtRestOptions", "NodeToNodeEncryptionOptions", "AdvancedOptions",
            "LogPublishingOptions", "DomainEndpointOptions", "AdvancedSecurityOptions", "AutoTuneOptions",
            "OffPeakWindowOptions", "SoftwareUpdateOptions")


def now() -> datetime:
    return datetime.now(UTC)


def epoch(moment: datetime) -> float:
    return moment.timestamp()


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
        self.created_at = now()
        self.updated_at = {section: self.created_at for section in SECTIONS}
        self.update_version = 1
        self.deleted = False
        self.changing: set[str] = set(SECTIONS)
        self.change_id = str(uuid.uuid4())
        self.change_started = self.created_at
        self.change_updated = self.created_at
        self.last_port = 0
        self.master_arn: str | None = None
        # An engine upgrade in progress (UpgradeDomain), and the upgrades asked for (GetUpgradeHistory's shape).
        self.upgrading = False
        self.upgrade_history: list[dict[str, Any]] = []

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
            "StartTime": epoch(self.change_started),
            "LastUpdatedTime": epoch(self.change_updated),
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
            "UpgradeProcessing": self.upgrading and self.processing,
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
                "CreationDate": epoch(self.created_at), "UpdateDate": epoch(updated),
                "UpdateVersion": self.update_version, "State": state, "PendingDeletion": False}}
        result["ChangeProgressDetails"] = {"ChangeId": self.change_id, "Message": ""}
        result["ModifyingProperties"] = self.modifying_properties()
        return result

    def destroy(self) -> None:
        dataplane.delete(self.domain_name)
        with LOCK:
            if self.backend.domains.get(self.domain_name) is self:
                del self.backend.domains[self.domain_name]
            self.backend.tagger.delete_all_tags_for_resource(self.arn)
            CLOCK.forget(self.key)


def reset(backend: OpenSearchServiceBackend) -> None:
    """Stop the servers of a backend's domains before moto forgets them."""
    for domain in list(backend.domains.values()):
        if isinstance(domain, Domain):
            dataplane.delete(domain.domain_name)
            CLOCK.forget(domain.key)
    BaseBackend.reset(backend)
