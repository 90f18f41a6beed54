# Copyright: Open edX data services maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Amazon RDS calls of the rds_* modules: DB parameter groups.

Errors are raised as ``AnsibleRDSParameterGroupError``, which the engine turns into ``fail_json_aws``. Retries are
botocore's (module_utils/modules.py).
"""

from __future__ import annotations

from typing import Any

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.tagging import (
    ansible_dict_to_boto3_tag_list,
    boto3_tag_list_to_ansible_dict,
)
from ansible_collections.openedx.data_services.plugins.module_utils import parameter_groups
from ansible_collections.openedx.data_services.plugins.module_utils.common import batches


class AnsibleRDSParameterGroupError(AnsibleAWSError):
    pass


class RDSErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleRDSParameterGroupError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code(["DBParameterGroupNotFound", "DBParameterGroupNotFoundFault"])


@RDSErrorHandler.list_error_handler("list RDS tags", {})
def list_tags(client, arn: str) -> dict[str, str]:
    return boto3_tag_list_to_ansible_dict(client.list_tags_for_resource(ResourceName=arn)["TagList"])


@RDSErrorHandler.common_error_handler("update RDS tags")
def update_tags(client, arn: str, to_add: dict[str, str], to_remove: list[str]) -> None:
    if to_remove:
        client.remove_tags_from_resource(ResourceName=arn, TagKeys=to_remove)
    if to_add:
        client.add_tags_to_resource(ResourceName=arn, Tags=ansible_dict_to_boto3_tag_list(to_add))


@RDSErrorHandler.list_error_handler("describe RDS DB parameter group")
def describe_parameter_group(client, name: str) -> dict[str, Any] | None:
    paginator = client.get_paginator("describe_db_parameter_groups")
    groups = paginator.paginate(DBParameterGroupName=name).build_full_result()["DBParameterGroups"]
    return groups[0] if groups else None


@RDSErrorHandler.list_error_handler("describe RDS DB parameters", [])
def describe_parameters(client, name: str, source: str | None = None) -> list[dict[str, Any]]:
    params = {"DBParameterGroupName": name, **({"Source": source} if source else {})}
    return client.get_paginator("describe_db_parameters").paginate(**params).build_full_result()["Parameters"]


@RDSErrorHandler.common_error_handler("describe RDS engine default parameters")
def describe_engine_default_parameters(client, family: str) -> list[dict[str, Any]]:
    paginator = client.get_paginator("describe_engine_default_parameters")
    result = paginator.paginate(DBParameterGroupFamily=family).build_full_result()
    return result.get("EngineDefaults", {}).get("Parameters", [])


@RDSErrorHandler.common_error_handler("create RDS DB parameter group")
def create_parameter_group(client, name: str, family: str, description: str, tags: dict[str, str]) -> dict[str, Any]:
    return client.create_db_parameter_group(
        DBParameterGroupName=name, DBParameterGroupFamily=family, Description=description,
        Tags=ansible_dict_to_boto3_tag_list(tags))["DBParameterGroup"]


@RDSErrorHandler.common_error_handler("modify RDS DB parameter group")
def modify_parameters(client, name: str, parameters: list[dict[str, str]]) -> None:
    for batch in batches(parameters):
        client.modify_db_parameter_group(DBParameterGroupName=name, Parameters=batch)


@RDSErrorHandler.common_error_handler("reset RDS DB parameters")
def reset_parameters(client, name: str, parameters: list[dict[str, str]]) -> None:
    for batch in batches(parameters):
        client.reset_db_parameter_group(DBParameterGroupName=name, Parameters=batch)


@RDSErrorHandler.deletion_error_handler("delete RDS DB parameter group")
def delete_parameter_group(client, name: str) -> bool:
    client.delete_db_parameter_group(DBParameterGroupName=name)
    return True


# MySQL's families have hundreds of parameters, 100 a page: a run reads the user-set ones first.
PARAMETER_GROUPS = parameter_groups.Api(
    service="RDS", family_example="mysql8.0", arn_key="DBParameterGroupArn",
    describe_group=describe_parameter_group, describe_parameters=describe_parameters,
    describe_engine_defaults=describe_engine_default_parameters, create_group=create_parameter_group,
    modify_parameters=modify_parameters, reset_parameters=reset_parameters, delete_group=delete_parameter_group,
    list_tags=list_tags, update_tags=update_tags, user_parameters_first=True,
)
