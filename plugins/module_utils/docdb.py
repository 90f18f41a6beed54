# Copyright: Open edX data services maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Amazon DocumentDB calls shared by the docdb_* modules.

Errors are raised as ``AnsibleDocDBError``, which the engine turns into ``fail_json_aws``. Retries are botocore's
(module_utils/modules.py), waiting is module_utils/resources.py's.
"""

from __future__ import annotations

import re
from typing import Any

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict
from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code, normalize_boto3_result
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.tagging import (
    ansible_dict_to_boto3_tag_list,
    boto3_tag_list_to_ansible_dict,
)
from ansible_collections.openedx.data_services.plugins.module_utils import parameter_groups
from ansible_collections.openedx.data_services.plugins.module_utils.common import batches

ENGINE = "docdb"
LOG_TYPES = ("audit", "profiler")


class AnsibleDocDBError(AnsibleAWSError):
    pass


class DocDBErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleDocDBError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code(
            [
                "DBClusterNotFoundFault",
                "DBInstanceNotFound",
                "DBInstanceNotFoundFault",
                "DBParameterGroupNotFound",
                "DBParameterGroupNotFoundFault",
                "DBClusterSnapshotNotFoundFault",
            ]
        )


# --- clusters and instances ---------------------------------------------------------------------------


@DocDBErrorHandler.list_error_handler("describe DocumentDB clusters", [])
def describe_clusters(client, identifier: str | None = None) -> list[dict[str, Any]]:
    # The docdb endpoint answers for RDS and Neptune clusters too.
    params: dict[str, Any] = {"Filters": [{"Name": "engine", "Values": [ENGINE]}]}
    if identifier:
        params["DBClusterIdentifier"] = identifier
    return client.get_paginator("describe_db_clusters").paginate(**params).build_full_result()["DBClusters"]


def describe_cluster(client, identifier: str) -> dict[str, Any] | None:
    clusters = describe_clusters(client, identifier)
    return clusters[0] if clusters else None


@DocDBErrorHandler.list_error_handler("describe DocumentDB instances", [])
def describe_cluster_instances(client, cluster_identifier: str) -> list[dict[str, Any]]:
    params = {"Filters": [{"Name": "db-cluster-id", "Values": [cluster_identifier]}]}
    return client.get_paginator("describe_db_instances").paginate(**params).build_full_result()["DBInstances"]


@DocDBErrorHandler.list_error_handler("list DocumentDB tags", {})
def list_tags(client, arn: str) -> dict[str, str]:
    return boto3_tag_list_to_ansible_dict(client.list_tags_for_resource(ResourceName=arn)["TagList"])


@DocDBErrorHandler.common_error_handler("update DocumentDB tags")
def update_tags(client, arn: str, to_add: dict[str, str], to_remove: list[str]) -> None:
    if to_remove:
        client.remove_tags_from_resource(ResourceName=arn, TagKeys=to_remove)
    if to_add:
        client.add_tags_to_resource(ResourceName=arn, Tags=ansible_dict_to_boto3_tag_list(to_add))


@DocDBErrorHandler.common_error_handler("create DocumentDB cluster")
def create_cluster(client, **params: Any) -> dict[str, Any]:
    return client.create_db_cluster(Engine=ENGINE, **params)["DBCluster"]


@DocDBErrorHandler.common_error_handler("restore DocumentDB cluster from snapshot")
def restore_cluster_from_snapshot(client, **params: Any) -> dict[str, Any]:
    return client.restore_db_cluster_from_snapshot(Engine=ENGINE, **params)["DBCluster"]


@DocDBErrorHandler.common_error_handler("restore DocumentDB cluster to a point in time")
def restore_cluster_to_point_in_time(client, **params: Any) -> dict[str, Any]:
    return client.restore_db_cluster_to_point_in_time(**params)["DBCluster"]


@DocDBErrorHandler.common_error_handler("modify DocumentDB cluster")
def modify_cluster(client, **params: Any) -> dict[str, Any]:
    return client.modify_db_cluster(**params)["DBCluster"]


@DocDBErrorHandler.common_error_handler("delete DocumentDB cluster")
def delete_cluster(client, identifier: str, final_snapshot_identifier: str | None) -> dict[str, Any]:
    params: dict[str, Any] = {"DBClusterIdentifier": identifier, "SkipFinalSnapshot": not final_snapshot_identifier}
    if final_snapshot_identifier:
        params["FinalDBSnapshotIdentifier"] = final_snapshot_identifier
    return client.delete_db_cluster(**params)["DBCluster"]


@DocDBErrorHandler.common_error_handler("create DocumentDB instance")
def create_instance(client, **params: Any) -> dict[str, Any]:
    return client.create_db_instance(Engine=ENGINE, **params)["DBInstance"]


@DocDBErrorHandler.common_error_handler("modify DocumentDB instance")
def modify_instance(client, **params: Any) -> dict[str, Any]:
    return client.modify_db_instance(**params)["DBInstance"]


@DocDBErrorHandler.deletion_error_handler("delete DocumentDB instance")
def delete_instance(client, identifier: str) -> bool:
    client.delete_db_instance(DBInstanceIdentifier=identifier)
    return True


def live_instances(instances: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [i for i in instances if i.get("DBInstanceStatus") not in ("deleting", "deleted")]


def _natural_key(text: str) -> list[Any]:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]


def readers_to_remove(cluster: dict[str, Any], instances: list[dict[str, Any]], count: int) -> list[str]:
    """The ``count`` highest-numbered readers (``<cluster>-3`` before ``<cluster>-2``); the writer is never chosen."""
    writers = {m["DBInstanceIdentifier"] for m in cluster.get("DBClusterMembers", []) if m.get("IsClusterWriter")}
    readers = [i for i in live_instances(instances) if i["DBInstanceIdentifier"] not in writers]
    readers.sort(key=lambda i: _natural_key(i["DBInstanceIdentifier"]), reverse=True)
    return [i["DBInstanceIdentifier"] for i in readers[:count]]


def new_instance_identifiers(prefix: str, existing: list[str], count: int) -> list[str]:
    """``<prefix>-1``, ``<prefix>-2``, ... skipping names in use (deleting instances keep theirs for a while)."""
    names: list[str] = []
    index = 1
    while len(names) < count:
        name = f"{prefix}-{index}"
        if name not in existing:
            names.append(name)
        index += 1
    return names


def to_ansible(resource: dict[str, Any], tags: dict[str, str]) -> dict[str, Any]:
    """snake_case, dates as ISO 8601 strings, tags as a dict."""
    result = camel_dict_to_snake_dict(normalize_boto3_result(resource))
    result["tags"] = tags
    return result


def normalize_cluster(cluster: dict[str, Any], tags: dict[str, str],
                      instances: list[dict[str, Any]]) -> dict[str, Any]:
    result = to_ansible(cluster, tags)
    result["instances"] = [camel_dict_to_snake_dict(normalize_boto3_result(i)) for i in instances]
    return result


# --- cluster parameter groups -------------------------------------------------------------------------


@DocDBErrorHandler.list_error_handler("describe DocumentDB cluster parameter group")
def describe_cluster_parameter_group(client, name: str) -> dict[str, Any] | None:
    paginator = client.get_paginator("describe_db_cluster_parameter_groups")
    groups = paginator.paginate(DBClusterParameterGroupName=name).build_full_result()["DBClusterParameterGroups"]
    return groups[0] if groups else None


@DocDBErrorHandler.list_error_handler("describe DocumentDB cluster parameters", [])
def describe_cluster_parameters(client, name: str, source: str | None = None) -> list[dict[str, Any]]:
    params = {"DBClusterParameterGroupName": name, **({"Source": source} if source else {})}
    return client.get_paginator("describe_db_cluster_parameters").paginate(**params).build_full_result()["Parameters"]


@DocDBErrorHandler.common_error_handler("describe DocumentDB engine default cluster parameters")
def describe_engine_default_parameters(client, family: str) -> list[dict[str, Any]]:
    # No paginator for this operation: follow the marker by hand.
    parameters: list[dict[str, Any]] = []
    params: dict[str, Any] = {"DBParameterGroupFamily": family}
    while True:
        defaults = client.describe_engine_default_cluster_parameters(**params)["EngineDefaults"]
        parameters += defaults.get("Parameters", [])
        if not defaults.get("Marker"):
            return parameters
        params["Marker"] = defaults["Marker"]


@DocDBErrorHandler.common_error_handler("create DocumentDB cluster parameter group")
def create_cluster_parameter_group(client, name: str, family: str, description: str,
                                   tags: dict[str, str]) -> dict[str, Any]:
    return client.create_db_cluster_parameter_group(
        DBClusterParameterGroupName=name, DBParameterGroupFamily=family, Description=description,
        Tags=ansible_dict_to_boto3_tag_list(tags))["DBClusterParameterGroup"]


@DocDBErrorHandler.common_error_handler("modify DocumentDB cluster parameter group")
def modify_cluster_parameters(client, name: str, parameters: list[dict[str, str]]) -> None:
    for batch in batches(parameters):
        client.modify_db_cluster_parameter_group(DBClusterParameterGroupName=name, Parameters=batch)


@DocDBErrorHandler.common_error_handler("reset DocumentDB cluster parameters")
def reset_cluster_parameters(client, name: str, parameters: list[dict[str, str]]) -> None:
    for batch in batches(parameters):
        client.reset_db_cluster_parameter_group(DBClusterParameterGroupName=name, Parameters=batch)


@DocDBErrorHandler.deletion_error_handler("delete DocumentDB cluster parameter group")
def delete_cluster_parameter_group(client, name: str) -> bool:
    client.delete_db_cluster_parameter_group(DBClusterParameterGroupName=name)
    return True


# The family has a few dozen parameters (one page): read them all at once.
CLUSTER_PARAMETER_GROUPS = parameter_groups.Api(
    service="DocumentDB", family_example="docdb5.0", arn_key="DBClusterParameterGroupArn",
    describe_group=describe_cluster_parameter_group, describe_parameters=describe_cluster_parameters,
    describe_engine_defaults=describe_engine_default_parameters, create_group=create_cluster_parameter_group,
    modify_parameters=modify_cluster_parameters, reset_parameters=reset_cluster_parameters,
    delete_group=delete_cluster_parameter_group, list_tags=list_tags, update_tags=update_tags,
)


# --- cluster snapshots --------------------------------------------------------------------------------


@DocDBErrorHandler.list_error_handler("describe DocumentDB cluster snapshot")
def describe_cluster_snapshot(client, identifier: str) -> dict[str, Any] | None:
    paginator = client.get_paginator("describe_db_cluster_snapshots")
    snapshots = paginator.paginate(DBClusterSnapshotIdentifier=identifier).build_full_result()["DBClusterSnapshots"]
    return snapshots[0] if snapshots else None


@DocDBErrorHandler.common_error_handler("create DocumentDB cluster snapshot")
def create_cluster_snapshot(client, identifier: str, cluster_identifier: str,
                            tags: dict[str, str]) -> dict[str, Any]:
    return client.create_db_cluster_snapshot(
        DBClusterSnapshotIdentifier=identifier, DBClusterIdentifier=cluster_identifier,
        Tags=ansible_dict_to_boto3_tag_list(tags))["DBClusterSnapshot"]


@DocDBErrorHandler.deletion_error_handler("delete DocumentDB cluster snapshot")
def delete_cluster_snapshot(client, identifier: str) -> bool:
    client.delete_db_cluster_snapshot(DBClusterSnapshotIdentifier=identifier)
    return True
