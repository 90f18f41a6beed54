"""RDS request checks moto does not make, with the messages AWS gives."""

from __future__ import annotations

import re
import uuid
from typing import Any

from moto.rds.exceptions import InvalidParameterCombination, InvalidParameterValue, RDSClientError
from moto.rds.models import RDSBackend

from sandbox.services.rds.models import status_of

FINAL_SNAPSHOT_REQUIRED = "FinalDBSnapshotIdentifier is required unless SkipFinalSnapshot is specified."
# Modify/Reset(Cluster)ParameterGroup take at most this many parameters per request.
MAX_PARAMETERS_PER_REQUEST = 20


def require_status(obj: Any, allowed: tuple[str, ...], code: str, message: str) -> None:
    if status_of(obj) not in allowed:
        raise RDSClientError(code, message)


def kms_arn(backend: RDSBackend, key_id: str | None) -> str | None:
    """AWS reports KMS keys as ARNs whatever form the request used; unknown keys fail like AWS."""
    if not key_id:
        return None
    if key_id.startswith("alias/") or ":alias/" in key_id:
        try:
            return backend.kms.describe_key(key_id).arn
        except Exception:
            return key_id
    return backend._validate_kms_key(key_id)


def aws_managed_key(backend: RDSBackend, service: str) -> str:
    """The ARN of the AWS managed key (aws/rds), which AWS uses when no customer key is given."""
    key = uuid.uuid5(uuid.NAMESPACE_URL, f"{backend.account_id}/{backend.region_name}/aws/{service}")
    return f"arn:aws:kms:{backend.region_name}:{backend.account_id}:key/{key}"


def validate_parameters(group_name: str, catalog: list[dict[str, Any]] | None,
                        parameters: list[dict[str, Any]]) -> None:
    """Reject what AWS rejects in a Modify/Reset request: more than 20 parameters, and (for families with a known
    catalog) unknown or unmodifiable parameters, values outside AllowedValues, ``immediate`` for static ones."""
    if len(parameters) > MAX_PARAMETERS_PER_REQUEST:
        raise InvalidParameterCombination("Cannot modify more than 20 parameters in a single request")
    if catalog is None:
        return
    known = {entry["ParameterName"]: entry for entry in catalog}
    for parameter in parameters:
        name = parameter.get("ParameterName")
        if name not in known:
            raise InvalidParameterValue(f"Could not find parameter with name: {name}")
        if not known[name].get("IsModifiable", True):
            raise InvalidParameterValue(f"The parameter {name} cannot be modified.")
        value, allowed = parameter.get("ParameterValue"), known[name].get("AllowedValues")
        checkable = allowed and known[name].get("DataType") != "list"
        if value is not None and checkable and not _allowed(str(value), allowed):
            raise InvalidParameterValue(f"Value: {value} is not valid for parameter {name}")
        if parameter.get("ApplyMethod") == "immediate" and known[name].get("ApplyType") == "static":
            # AWS's message names neither the parameter nor the group.
            raise InvalidParameterCombination("cannot use immediate apply method for static parameter")


def page(params: dict[str, Any], items: list[Any]) -> tuple[list[Any], str | None]:
    """One page of ``items`` per MaxRecords (20-100, default 100) and Marker (an offset), as the RDS describes."""
    max_records = params.get("MaxRecords")
    max_records = 100 if max_records is None else int(max_records)
    if not 20 <= max_records <= 100:
        raise InvalidParameterValue(f"Invalid value {max_records} for MaxRecords. Must be between 20 and 100")
    marker = params.get("Marker")
    try:
        first = int(marker) if marker else 0
    except ValueError:
        raise InvalidParameterValue(f"Invalid marker: {marker}") from None
    end = first + max_records
    return items[first:end], (str(end) if end < len(items) else None)


def _allowed(value: str, allowed: str) -> bool:
    """Whether ``value`` fits AllowedValues: a numeric range (``1-100``) or a comma-separated list."""
    if "{" in value:
        return True  # a formula such as {DBInstanceClassMemory/12582880}
    bounds = re.fullmatch(r"(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)", allowed)
    if bounds:
        try:
            return float(bounds.group(1)) <= float(value) <= float(bounds.group(2))
        except ValueError:
            return False
    return value in allowed.split(",")
