"""RDS parameter groups: engine defaults from the catalogues in ``data/``, user values reaching MariaDB, and the
instances' parameter apply status (``pending-reboot`` after a change applied at the next reboot, as on AWS)."""

from __future__ import annotations

from typing import Any

from moto.rds.exceptions import DBParameterGroupNotFoundError, InvalidParameterValue
from moto.rds.models import DBInstance, DBParameterGroup, RDSBackend

from sandbox.dataplane import mariadb
from sandbox.services import load_data, original
from sandbox.services.rds.models import server_id_of
from sandbox.services.rds.validation import validate_parameters


def _load_catalogs(*files: str) -> dict[str, list[dict[str, Any]]]:
    """Family prefix -> engine default parameters, from data files that name the families they serve."""
    catalogs: dict[str, list[dict[str, Any]]] = {}
    for name in files:
        data = load_data(__file__, name)
        for family in data["families"]:
            catalogs[family] = data["parameters"]
    return catalogs


PARAMETER_CATALOGS = _load_catalogs("mysql8.0-parameters.json")
# The instance attribute saying a change of its parameter group waits for its next reboot.
PENDING_REBOOT = "_sandbox_parameters_pending_reboot"
# Other engines (docdb) add theirs when their hooks are applied.
CLUSTER_PARAMETER_CATALOGS: dict[str, list[dict[str, Any]]] = {}


def catalog_for(family: str | None, catalogs: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]] | None:
    if not family:
        return None
    for prefix in sorted(catalogs, key=len, reverse=True):
        if family.startswith(prefix):
            return catalogs[prefix]
    return None


def merged_parameters(group: Any, catalogs: dict[str, list[dict[str, Any]]], family: str | None) -> list[
    dict[str, Any]
]:
    """A parameter group's parameters as AWS describes them: engine defaults overlaid with the user's values."""
    user = {name: dict(values) for name, values in group.parameters.items()}
    result = []
    catalog = catalog_for(family, catalogs) or []
    for default in catalog:
        entry = dict(default)
        if entry["ParameterName"] in user:
            values = user.pop(entry["ParameterName"])
            entry["ParameterValue"] = values.get("ParameterValue")
            entry["ApplyMethod"] = values.get("ApplyMethod", entry.get("ApplyMethod", "pending-reboot"))
            entry["Source"] = "user"
        result.append(entry)
    for name, values in user.items():
        result.append({
            "ParameterName": name, "ParameterValue": values.get("ParameterValue"), "Source": "user",
            "ApplyType": "dynamic", "DataType": "string", "IsModifiable": True,
            "ApplyMethod": values.get("ApplyMethod", "pending-reboot"),
        })
    return result


def instance_parameters(database: DBInstance) -> dict[str, str]:
    """The values the instance's parameter group sets (user values only: engine defaults are MariaDB's own)."""
    groups = database.db_parameter_groups()
    if not groups:
        return {}
    return {name: values.get("ParameterValue") for name, values in groups[0].parameters.items()
            if values.get("ParameterValue") is not None}


def parameter_group_status(self: DBInstance) -> list[dict[str, Any]]:
    """DescribeDBInstances' DBParameterGroups (moto always says ``in-sync``)."""
    status = "pending-reboot" if getattr(self, PENDING_REBOOT, False) else "in-sync"
    return [{"DBParameterGroupName": group.name, "ParameterApplyStatus": status}
            for group in self.db_parameter_groups()]


def group_changed(backend: RDSBackend, group: DBParameterGroup, parameters: list[dict[str, Any]]) -> None:
    """After a Modify/Reset of ``group``: its instances wait for a reboot when a parameter was applied
    ``pending-reboot``, and their MariaDB gets the values it can take at once."""
    pending_reboot = any(parameter.get("ApplyMethod") == "pending-reboot" for parameter in parameters)
    for database in list(backend.databases.values()):
        if (database.db_parameter_group_name or "").lower() != group.name:
            continue
        if pending_reboot:
            setattr(database, PENDING_REBOOT, True)
        server_id = server_id_of(database)
        if server_id:
            mariadb.apply_parameters(server_id, instance_parameters(database))


def _default_parameter_group(backend: RDSBackend, name: str) -> DBParameterGroup:
    family = name[len("default."):]
    group = DBParameterGroup(backend=backend, db_parameter_group_name=name, db_parameter_group_family=family,
                             description=f"Default parameter group for {family}", tags=[])
    backend.db_parameter_groups[name] = group
    return group


def describe_db_parameter_groups(self: RDSBackend, db_parameter_group_kwargs: Any) -> list[DBParameterGroup]:
    """A named group that does not exist is DBParameterGroupNotFound (moto answers an empty list)."""
    name = db_parameter_group_kwargs.get("db_parameter_group_name")
    groups = original(describe_db_parameter_groups)(self, db_parameter_group_kwargs)
    if name and not groups:
        if name.lower().startswith("default."):
            return [_default_parameter_group(self, name.lower())]
        raise DBParameterGroupNotFoundError(name)
    return groups


def modify_db_parameter_group(self: RDSBackend, db_parameter_group_name: str,
                              db_parameter_group_parameters: Any) -> DBParameterGroup:
    if db_parameter_group_name not in self.db_parameter_groups:
        raise DBParameterGroupNotFoundError(db_parameter_group_name)
    group = self.db_parameter_groups[db_parameter_group_name]
    parameters = list(db_parameter_group_parameters)
    if group.name.startswith("default."):
        raise InvalidParameterValue(f"Default parameter groups cannot be modified: {group.name}")
    validate_parameters(group.name, catalog_for(group.family, PARAMETER_CATALOGS), parameters)
    group = original(modify_db_parameter_group)(self, db_parameter_group_name, parameters)
    group_changed(self, group, parameters)
    return group
