"""ElastiCache API handlers (moto's ElastiCacheResponse): cache parameter groups and subnet groups."""

from __future__ import annotations

from typing import Any

from moto.core.responses import ActionResult, EmptyResult
from moto.elasticache.exceptions import (
    CacheSubnetGroupAlreadyExists,
    InvalidParameterCombinationException,
    InvalidParameterValueException,
    InvalidSubnet,
)
from moto.elasticache.models import CacheSubnetGroup, ElastiCacheBackend
from moto.elasticache.responses import ElastiCacheResponse

from sandbox.services import original
from sandbox.services.elasticache.errors import (
    CacheParameterGroupAlreadyExists,
    CacheSubnetGroupInUse,
    InvalidCacheParameterGroupState,
)
from sandbox.services.elasticache.models import LOCK, MemberCluster, resource_arn
from sandbox.services.elasticache.parameters import (
    FAMILIES,
    ParameterGroup,
    backend_parameter_groups,
    find_parameter_group,
    node_type_specific,
    param_row,
    settle_params,
)
from sandbox.services.elasticache.validation import check_identifier, paginate


def create_cache_parameter_group(self: ElastiCacheResponse) -> ActionResult:
    backend = self.elasticache_backend
    name = self._get_param("CacheParameterGroupName") or ""
    family = self._get_param("CacheParameterGroupFamily")
    with LOCK:
        groups = backend_parameter_groups(backend)
        check_identifier(name, "CacheParameterGroupName", 255)
        if name in groups:
            raise CacheParameterGroupAlreadyExists(name)
        if family not in FAMILIES:
            raise InvalidParameterValueException(
                f"The parameter CacheParameterGroupFamily {family} is not a valid family in the sandbox "
                f"(valid: {', '.join(FAMILIES)}).")
        group = ParameterGroup(name, family, self._get_param("Description") or "",
                               resource_arn(backend, "parametergroup", name))
        groups[name] = group
        tags = self._get_param("Tags") or []
        if tags:
            backend.tagging_service.tag_resource(group.arn, tags)
        return ActionResult({"CacheParameterGroup": group.to_dict()})


def describe_cache_parameter_groups(self: ElastiCacheResponse) -> ActionResult:
    backend = self.elasticache_backend
    name = self._get_param("CacheParameterGroupName")
    with LOCK:
        groups = [find_parameter_group(backend, name)] if name else list(backend_parameter_groups(backend).values())
        items = [g.to_dict() for g in groups]
    page, marker = paginate(self, items)
    return ActionResult({"CacheParameterGroups": page, "Marker": marker})


def describe_cache_parameters(self: ElastiCacheResponse) -> ActionResult:
    backend = self.elasticache_backend
    source = self._get_param("Source")
    if source not in (None, "user", "system", "engine-default"):
        raise InvalidParameterValueException(f"Invalid Source {source}; use user, system or engine-default.")
    with LOCK:
        group = find_parameter_group(backend, self._get_param("CacheParameterGroupName"))
        rows = group.parameters(source)
    first_page = not self._get_param("Marker")
    page, marker = paginate(self, rows)
    return ActionResult({"Parameters": page, "Marker": marker,
                         "CacheNodeTypeSpecificParameters": node_type_specific(group.family) if first_page else []})


def describe_engine_default_parameters(self: ElastiCacheResponse) -> ActionResult:
    family = self._get_param("CacheParameterGroupFamily")
    if family not in FAMILIES:
        raise InvalidParameterValueException(
            f"The parameter CacheParameterGroupFamily {family} is not a valid family in the sandbox "
            f"(valid: {', '.join(FAMILIES)}).")
    rows = [param_row(p, p.default, "system") for p in FAMILIES[family]]
    first_page = not self._get_param("Marker")
    page, marker = paginate(self, rows)
    defaults: dict[str, Any] = {"CacheParameterGroupFamily": family, "Parameters": page,
                                "CacheNodeTypeSpecificParameters": node_type_specific(family) if first_page else []}
    if marker:
        defaults["Marker"] = marker
    return ActionResult({"EngineDefaults": defaults})


def _name_values(self: ElastiCacheResponse, group: ParameterGroup, check_values: bool) -> dict[str, str]:
    pairs = self._get_param("ParameterNameValues") or []
    specs = group.specs
    values: dict[str, str] = {}
    for pair in pairs:
        name = pair.get("ParameterName")
        spec = specs.get(name)
        if spec is None:
            raise InvalidParameterValueException(
                f"Unrecognized parameter name {name} for family {group.family}.")
        if not spec.modifiable:
            raise InvalidParameterValueException(f"Parameter {name} is not modifiable.")
        value = pair.get("ParameterValue")
        if check_values:
            if value is None:
                raise InvalidParameterValueException(f"Parameter {name} needs a ParameterValue.")
            spec.check(value)
        values[name] = value if value is not None else ""
    return values


def modify_cache_parameter_group(self: ElastiCacheResponse) -> ActionResult:
    backend = self.elasticache_backend
    with LOCK:
        group = find_parameter_group(backend, self._get_param("CacheParameterGroupName"))
        if group.is_default:
            raise InvalidParameterValueException(f"Default parameter group {group.name} cannot be modified.")
        values = _name_values(self, group, check_values=True)
        if not values:
            raise InvalidParameterValueException("ParameterNameValues must name at least one parameter.")
        if len(values) > 20:
            raise InvalidParameterValueException("At most 20 parameters can be modified in one request.")
        changed = {name for name, value in values.items() if group.effective()[name] != value}
        for name, value in values.items():
            group.values[name] = value
        settle_params(backend, group, changed)
        return ActionResult({"CacheParameterGroupName": group.name})


def reset_cache_parameter_group(self: ElastiCacheResponse) -> ActionResult:
    backend = self.elasticache_backend
    with LOCK:
        group = find_parameter_group(backend, self._get_param("CacheParameterGroupName"))
        if group.is_default:
            raise InvalidParameterValueException(f"Default parameter group {group.name} cannot be modified.")
        names = list(_name_values(self, group, check_values=False))
        reset_all = bool(self._get_param("ResetAllParameters"))
        if reset_all and names:
            raise InvalidParameterCombinationException(
                "ResetAllParameters and ParameterNameValues cannot be used together.")
        if not reset_all and not names:
            raise InvalidParameterValueException("Give ResetAllParameters or at least one ParameterNameValues.")
        before = group.effective()
        for name in list(group.values) if reset_all else names:
            group.values.pop(name, None)
        after = group.effective()
        settle_params(backend, group, {n for n in after if after[n] != before[n]})
        return ActionResult({"CacheParameterGroupName": group.name})


def delete_cache_parameter_group(self: ElastiCacheResponse) -> ActionResult:
    backend = self.elasticache_backend
    with LOCK:
        group = find_parameter_group(backend, self._get_param("CacheParameterGroupName"))
        if group.is_default:
            raise InvalidCacheParameterGroupState(f"Default parameter group {group.name} cannot be deleted.")
        users = [rg.replication_group_id for rg in backend.replication_groups.values()
                 if getattr(rg, "cache_parameter_group_name", None) == group.name]
        if users:
            raise InvalidCacheParameterGroupState(
                f"Parameter group {group.name} is in use by replication group(s) {', '.join(users)}.")
        del backend_parameter_groups(backend)[group.name]
        backend.tagging_service.delete_all_tags_for_resource(group.arn)
        return EmptyResult()


# --- subnet groups ------------------------------------------------------------------------------------------


def _subnets(backend: ElastiCacheBackend, subnet_ids: list[str]) -> list[Any]:
    from moto.ec2.models import ec2_backends

    if not subnet_ids:
        raise InvalidParameterValueException("SubnetIds must name at least one subnet.")
    ec2 = ec2_backends[backend.account_id][backend.region_name]
    known = {s.id: s for s in ec2.describe_subnets()}
    for subnet_id in subnet_ids:
        if subnet_id not in known:
            raise InvalidSubnet(subnet_id)
    subnets = [known[i] for i in dict.fromkeys(subnet_ids)]
    for subnet in subnets:
        if subnet.vpc_id != subnets[0].vpc_id:
            raise InvalidSubnet(subnet.id)
    return subnets


def _subnet_group_dict(backend: ElastiCacheBackend, group: CacheSubnetGroup) -> dict[str, Any]:
    from moto.ec2.models import ec2_backends

    ec2 = ec2_backends[backend.account_id][backend.region_name]
    known = {s.id: s for s in ec2.describe_subnets()}
    subnets = []
    for subnet_id in group.subnet_ids:
        subnet = known.get(subnet_id)
        subnets.append({"SubnetIdentifier": subnet_id,
                        "SubnetAvailabilityZone": {"Name": subnet.availability_zone if subnet else "unknown"},
                        "SupportedNetworkTypes": ["ipv4"]})
    return {"CacheSubnetGroupName": group.cache_subnet_group_name,
            "CacheSubnetGroupDescription": group.cache_subnet_group_description, "VpcId": group.vpc_id,
            "Subnets": subnets, "ARN": group.arn, "SupportedNetworkTypes": ["ipv4"]}


def create_cache_subnet_group(self: ElastiCacheResponse) -> ActionResult:
    backend = self.elasticache_backend
    name = (self._get_param("CacheSubnetGroupName") or "").lower()
    with LOCK:
        check_identifier(name, "CacheSubnetGroupName", 255)
        if name in backend.cache_subnet_groups:
            raise CacheSubnetGroupAlreadyExists(name)
        subnet_ids = [s.id for s in _subnets(backend, self._get_param("SubnetIds") or [])]
        group = backend.create_cache_subnet_group(
            cache_subnet_group_name=name,
            cache_subnet_group_description=self._get_param("CacheSubnetGroupDescription") or "",
            subnet_ids=subnet_ids, tags=self._get_param("Tags") or [])
        group.arn = resource_arn(backend, "subnetgroup", name)
        return ActionResult({"CacheSubnetGroup": _subnet_group_dict(backend, group)})


def describe_cache_subnet_groups(self: ElastiCacheResponse) -> ActionResult:
    backend = self.elasticache_backend
    name = self._get_param("CacheSubnetGroupName")
    with LOCK:
        groups = backend.describe_cache_subnet_groups(name.lower() if name else None)
        items = [_subnet_group_dict(backend, g) for g in groups]
    page, marker = paginate(self, items)
    return ActionResult({"CacheSubnetGroups": page, "Marker": marker})


def modify_cache_subnet_group(self: ElastiCacheResponse) -> ActionResult:
    backend = self.elasticache_backend
    name = (self._get_param("CacheSubnetGroupName") or "").lower()
    with LOCK:
        group = backend.describe_cache_subnet_groups(name)[0]
        subnet_ids = self._get_param("SubnetIds")
        if subnet_ids is not None:
            subnets = _subnets(backend, subnet_ids)
            if subnets[0].vpc_id != group.vpc_id and _subnet_group_users(backend, name):
                raise InvalidSubnet(subnets[0].id)
            group.subnet_ids = [s.id for s in subnets]
            group.vpc_id = subnets[0].vpc_id
        description = self._get_param("CacheSubnetGroupDescription")
        if description is not None:
            group.cache_subnet_group_description = description
        return ActionResult({"CacheSubnetGroup": _subnet_group_dict(backend, group)})


def _subnet_group_users(backend: ElastiCacheBackend, name: str) -> list[str]:
    users = [rg.replication_group_id for rg in backend.replication_groups.values()
             if getattr(rg, "cache_subnet_group_name", None) == name]
    return users + [c.cache_cluster_id for c in backend.cache_clusters.values()
                    if not isinstance(c, MemberCluster) and getattr(c, "cache_subnet_group_name", None) == name]


def delete_cache_subnet_group(self: ElastiCacheResponse) -> ActionResult:
    backend = self.elasticache_backend
    name = (self._get_param("CacheSubnetGroupName") or "").lower()
    with LOCK:
        group = backend.describe_cache_subnet_groups(name)[0]
        users = _subnet_group_users(backend, name)
        if users:
            raise CacheSubnetGroupInUse(f"Cache subnet group {name} is in use by {', '.join(users)}.")
        del backend.cache_subnet_groups[name]
        backend.tagging_service.delete_all_tags_for_resource(group.arn)
        return EmptyResult()


def list_tags_for_resource(self: ElastiCacheResponse) -> ActionResult:
    backend_parameter_groups(self.elasticache_backend)
    return original(list_tags_for_resource)(self)
