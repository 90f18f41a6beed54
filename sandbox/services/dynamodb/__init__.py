"""DynamoDB: UpdateTable as AWS answers it.

moto 5.2.5 applies any number of global index creations and deletions in one UpdateTable, where AWS refuses a
second one (LimitExceededException) - the limit that makes a client sequence them; it replaces the table's
AttributeDefinitions with those of the call, where AWS adds them to the keys in use; and it ignores TableClass,
SSESpecification and ReplicaUpdates (global tables, version 2019.11.21) on UpdateTable, and TableClass on
CreateTable. The sandbox refuses what AWS refuses, keeps the attributes, and records and reports the table class,
the encryption key and the replicas. A new global index is CREATING and a new replica CREATING for the minutes
AWS takes (scaled by SANDBOX_TIME_SCALE; instant at 0), and meanwhile UpdateTable is refused
(ResourceInUseException), as AWS refuses to change a table whose index or replica is still being built.
"""

from __future__ import annotations

from typing import Any

from moto.dynamodb.exceptions import DynamodbException, MockValidationException, ResourceInUseException
from moto.dynamodb.models.table import Table
from moto.dynamodb.responses import DynamoHandler

from sandbox.lifecycle import CLOCK, time_scale
from sandbox.services import Hooks, original, wrap

# Minutes AWS takes to build a global index on a small table, and a replica of one.
INDEX_MINUTES = 2
REPLICA_MINUTES = 5


class LimitExceededException(DynamodbException):
    def __init__(self, message: str) -> None:
        super().__init__("com.amazonaws.dynamodb.v20120810#LimitExceededException", message)


def _extra(table: Table) -> dict[str, Any]:
    if not hasattr(table, "sandbox_extra"):
        table.sandbox_extra = {"table_class": "STANDARD", "replicas": {}}
    return table.sandbox_extra


def _key(table: Table, kind: str, name: str) -> tuple[str, str, str, str]:
    return ("dynamodb", table.table_arn, kind, name)


def _building(table: Table) -> list[str]:
    extra = _extra(table)
    names = [f"index {i.name}" for i in table.global_indexes if CLOCK.pending(_key(table, "index", i.name))]
    return names + [f"replica {r}" for r in extra["replicas"] if CLOCK.pending(_key(table, "replica", r))]


def _check_update(body: dict[str, Any], table: Table) -> None:
    building = _building(table)
    if building:
        raise ResourceInUseException(f"Attempt to change a resource which is still in use: {', '.join(building)} "
                                     f"of table {table.name} is being created")
    online = [u for u in body.get("GlobalSecondaryIndexUpdates") or [] if "Create" in u or "Delete" in u]
    if len(online) > 1:
        raise LimitExceededException("Subscriber limit exceeded: Only 1 online index can be created or deleted "
                                     "simultaneously per table")
    replica_updates = body.get("ReplicaUpdates") or []
    if len(replica_updates) > 1:
        raise MockValidationException("One or more parameter values were invalid: only one replica can be created "
                                      "or deleted per UpdateTable")
    if replica_updates and "Create" in replica_updates[0]:
        stream = table.stream_specification or {}
        if not stream.get("StreamEnabled") or stream.get("StreamViewType") != "NEW_AND_OLD_IMAGES":
            raise MockValidationException("Table must have DynamoDB Streams enabled with StreamViewType set to "
                                          "NEW_AND_OLD_IMAGES to add replicas")
        if replica_updates[0]["Create"]["RegionName"] == table.region_name:
            raise MockValidationException("Cannot add a replica in the table's own region")


def create_table(factory: Any) -> Any:
    def patched(self: DynamoHandler) -> Any:
        response = factory(self)
        table = self.dynamodb_backend.get_table(self.body["TableName"])
        _extra(table)["table_class"] = self.body.get("TableClass") or "STANDARD"
        return response

    return patched


def update_table(factory: Any) -> Any:
    def patched(self: DynamoHandler) -> Any:
        table = self.dynamodb_backend.get_table(self.body["TableName"])
        _check_update(self.body, table)
        kept = {a["AttributeName"]: a for a in table.attr}
        if self.body.get("AttributeDefinitions"):
            kept.update({a["AttributeName"]: a for a in self.body["AttributeDefinitions"]})
            self.body["AttributeDefinitions"] = list(kept.values())
        extra = _extra(table)
        if self.body.get("TableClass"):
            extra["table_class"] = self.body["TableClass"]
        sse = self.body.get("SSESpecification")
        if sse is not None:
            table.sse_specification = ({"Enabled": True, "SSEType": "KMS",
                                        "KMSMasterKeyId": sse.get("KMSMasterKeyId")} if sse.get("Enabled") else None)
        for replica_update in self.body.get("ReplicaUpdates") or []:
            if "Create" in replica_update:
                create = replica_update["Create"]
                extra["replicas"][create["RegionName"]] = create.get("KMSMasterKeyId")
            if "Delete" in replica_update:
                extra["replicas"].pop(replica_update["Delete"]["RegionName"], None)
        response = factory(self)
        for index_update in self.body.get("GlobalSecondaryIndexUpdates") or []:
            if "Create" in index_update:
                name = index_update["Create"]["IndexName"]
                CLOCK.begin(_key(table, "index", name), "CREATING", INDEX_MINUTES * time_scale())
        for replica_update in self.body.get("ReplicaUpdates") or []:
            if "Create" in replica_update:
                region = replica_update["Create"]["RegionName"]
                CLOCK.begin(_key(table, "replica", region), "CREATING", REPLICA_MINUTES * time_scale())
        return response

    return patched


def describe(self: Table, base_key: str = "TableDescription") -> dict[str, Any]:
    result = original(describe)(self, base_key)
    extra = _extra(self)
    for index in result[base_key].get("GlobalSecondaryIndexes") or []:
        index["IndexStatus"] = CLOCK.status(_key(self, "index", index["IndexName"]), index.get("IndexStatus", "ACTIVE"))
    result[base_key]["TableClassSummary"] = {"TableClass": extra["table_class"]}
    if extra["replicas"]:
        result[base_key]["Replicas"] = [
            dict({"RegionName": region, "ReplicaStatus": CLOCK.status(_key(self, "replica", region), "ACTIVE")},
                 **({"KMSMasterKeyId": key} if key else {}))
            for region, key in sorted(extra["replicas"].items())]
    return result


HOOKS = Hooks(wrap(DynamoHandler, "create_table", create_table), wrap(DynamoHandler, "update_table", update_table),
              wrap(Table, "describe", lambda current: describe))
