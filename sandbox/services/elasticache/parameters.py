"""ElastiCache parameter groups: the engine catalogues in ``data/``, and values reaching the servers."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from moto.elasticache.exceptions import InvalidParameterValueException
from moto.elasticache.models import ElastiCacheBackend

from sandbox.services import load_data
from sandbox.services.elasticache.errors import CacheParameterGroupNotFound
from sandbox.services.elasticache.models import ARN_PATTERN, LOG, NODE_MAXMEMORY, ReplicationGroup, resource_arn


@dataclass(frozen=True)
class Param:
    """One engine parameter as DescribeCacheParameters reports it."""

    name: str
    default: str
    data_type: str
    allowed: str | None
    description: str
    modifiable: bool = True
    change_type: str = "immediate"
    minimum_engine_version: str = "7.0.5"

    def check(self, value: str) -> None:
        """Raise InvalidParameterValue unless ``value`` is allowed (AllowedValues: ``a,b`` or ``lo-hi``/``lo-``)."""
        if self.data_type == "integer":
            try:
                number = int(value)
            except ValueError:
                raise InvalidParameterValueException(
                    f"Value ({value}) for parameter {self.name} is invalid. Must be an integer.") from None
            if self.allowed and not any(_in_range(number, item) for item in self.allowed.split(",")):
                raise InvalidParameterValueException(
                    f"Value ({value}) for parameter {self.name} is invalid. Allowed values are {self.allowed}.")
        elif self.allowed is not None and value not in self.allowed.split(","):
            raise InvalidParameterValueException(
                f"Value ({value}) for parameter {self.name} is invalid. Allowed values are {self.allowed}.")
        elif self.name == "notify-keyspace-events" and not set(value) <= set("KEg$lshzxetmdAn"):
            raise InvalidParameterValueException(
                f"Value ({value}) for parameter {self.name} is invalid. Allowed flags are KEg$lshzxetmdAn.")


def _in_range(number: int, item: str) -> bool:
    match = re.fullmatch(r"(-?\d+)(-(-?\d+)?)?", item.strip())
    if not match:
        return False
    low = int(match.group(1))
    if match.group(2) is None:
        return number == low
    high = match.group(3)
    return low <= number and (high is None or number <= int(high))


def _param(row: dict[str, Any]) -> Param:
    return Param(row["ParameterName"], row["ParameterValue"], row["DataType"], row.get("AllowedValues"),
                 row["Description"], row["IsModifiable"], row["ChangeType"], row["MinimumEngineVersion"])


REDIS7_PARAMETERS: tuple[Param, ...] = tuple(
    _param(row) for row in load_data(__file__, "redis7-parameters.json")["parameters"])
# Redis 6 has the same parameters bar the Redis 7 ones, with ziplist where Redis 7 says listpack.
_REDIS7_ONLY = {"cluster-allow-pubsubshard-when-down", "cluster-preferred-endpoint-type", "latency-tracking"}
REDIS6_PARAMETERS: tuple[Param, ...] = tuple(
    Param(p.name.replace("listpack", "ziplist"), p.default, p.data_type, p.allowed, p.description, p.modifiable,
          p.change_type, "6.0.0" if p.minimum_engine_version == "7.0.5" else p.minimum_engine_version)
    for p in REDIS7_PARAMETERS if p.name not in _REDIS7_ONLY
)
FAMILIES: dict[str, tuple[Param, ...]] = {"redis7": REDIS7_PARAMETERS, "redis6.x": REDIS6_PARAMETERS}


def family_of(engine_version: str) -> str:
    return "redis7" if engine_version.startswith("7") else "redis6.x"


@dataclass
class ParameterGroup:
    """A cache parameter group; ``values`` holds only what the user changed."""

    name: str
    family: str
    description: str
    arn: str
    values: dict[str, str] = field(default_factory=dict)

    @property
    def is_default(self) -> bool:
        return self.name.startswith("default.")

    @property
    def specs(self) -> dict[str, Param]:
        return {p.name: p for p in FAMILIES[self.family]}

    def default_value(self, param: Param) -> str:
        if param.name == "cluster-enabled" and self.name.endswith(".cluster.on"):
            return "yes"
        return param.default

    def effective(self) -> dict[str, str]:
        return {p.name: self.values.get(p.name, self.default_value(p)) for p in FAMILIES[self.family]}

    def parameters(self, source: str | None = None) -> list[dict[str, Any]]:
        rows = []
        for param in FAMILIES[self.family]:
            row_source = "user" if param.name in self.values else "system"
            if source and source != row_source and not (source == "engine-default" and row_source == "system"):
                continue
            rows.append(param_row(param, self.values.get(param.name, self.default_value(param)), row_source))
        return rows

    def to_dict(self) -> dict[str, Any]:
        return {"CacheParameterGroupName": self.name, "CacheParameterGroupFamily": self.family,
                "Description": self.description, "IsGlobal": False, "ARN": self.arn}


def param_row(param: Param, value: str, source: str) -> dict[str, Any]:
    row: dict[str, Any] = {"ParameterName": param.name, "ParameterValue": value, "Description": param.description,
                           "Source": source, "DataType": param.data_type, "IsModifiable": param.modifiable,
                           "MinimumEngineVersion": param.minimum_engine_version, "ChangeType": param.change_type}
    if param.allowed is not None:
        row["AllowedValues"] = param.allowed
    return row


def node_type_specific(family: str) -> list[dict[str, Any]]:
    return [{
        "ParameterName": "maxmemory", "Description": "The maximum configurable amount of memory to use to store "
        "items, in bytes.", "Source": "system", "DataType": "integer", "AllowedValues": "0-",
        "IsModifiable": False, "MinimumEngineVersion": "7.0.5" if family == "redis7" else "6.0.0",
        "CacheNodeTypeSpecificValues": [{"CacheNodeType": t, "Value": v} for t, v in NODE_MAXMEMORY.items()],
        "ChangeType": "immediate",
    }]


def backend_parameter_groups(backend: ElastiCacheBackend) -> dict[str, ParameterGroup]:
    """The backend's parameter groups, the engine defaults created on first use."""
    groups = backend.__dict__.get("sandbox_parameter_groups")
    if groups is None:
        backend.arn_regex = ARN_PATTERN
        groups = {}
        for family in FAMILIES:
            for name in (f"default.{family}", f"default.{family}.cluster.on"):
                groups[name] = ParameterGroup(name, family, f"Default parameter group for {family}",
                                              resource_arn(backend, "parametergroup", name))
        backend.sandbox_parameter_groups = groups
    return groups


def find_parameter_group(backend: ElastiCacheBackend, name: str) -> ParameterGroup:
    group = backend_parameter_groups(backend).get(name)
    if group is None:
        raise CacheParameterGroupNotFound(name)
    return group


def settle_params(backend: ElastiCacheBackend, group: ParameterGroup, changed: set[str]) -> None:
    """Apply a parameter group's values to the servers of the replication groups that use it."""
    reboot = any(group.specs[name].change_type == "requires-reboot" for name in changed)
    for rg in list(backend.replication_groups.values()):
        if not isinstance(rg, ReplicationGroup) or rg.cache_parameter_group_name != group.name:
            continue
        if reboot:
            rg.parameter_apply_status = "pending-reboot"
        apply_params(rg, group)


def apply_params(rg: ReplicationGroup, group: ParameterGroup) -> None:
    server = rg.server
    if server is None or not server.running():
        return
    try:
        errors = server.apply_parameters(group.effective())
    except RuntimeError as error:
        LOG.warning("could not apply parameters to %s: %s", rg.replication_group_id, error)
        return
    for name, error in errors.items():
        LOG.warning("redis for %s refused %s: %s", rg.replication_group_id, name, error)
