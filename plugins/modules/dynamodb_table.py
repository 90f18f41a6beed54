#!/usr/bin/python
# Copyright: Open edX data services maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: dynamodb_table
version_added: 0.2.0
short_description: Manage an Amazon DynamoDB table with its indexes, TTL, stream, PITR, SSE and replicas
description:
  - Create, update and delete a DynamoDB table - keys, global and local secondary indexes, on-demand or provisioned
    capacity, table class, time to live, stream with its view type, point-in-time recovery, encryption with a
    customer managed KMS key, deletion protection, tags and global-table replicas (version 2019.11.21).
  - Fills what community.aws.dynamodb_table lacks (streams, SSE with a customer managed key, point-in-time recovery,
    replicas) on the collection's resource engine, with check mode and a diff of the predicted state.
  - AWS makes some changes one at a time; the module sequences them, one UpdateTable call each, waiting for the
    table to be ACTIVE in between, and returns one progress line per step in RV(progress). One global index is
    created or deleted per call; a stream view type change disables the stream, then enables it with the new type;
    a TTL attribute change disables TTL, then enables it on the new attribute (AWS may refuse re-enabling within
    the hour).
  - The key schema and the local indexes are set at creation only; a change is refused before any change, saying
    how to make it (a new table and a copy of the data).
author:
  - Open edX data services maintainers (@openedx)
options:
  state:
    description: Whether the table should exist.
    type: str
    choices: [present, absent]
    default: present
  name:
    description: The table name, 3 to 255 characters among letters, digits, V(_), V(-) and V(.).
    type: str
    required: true
  partition_key:
    description: The partition (hash) key. Required to create the table.
    type: dict
    suboptions:
      name:
        description: The attribute name.
        type: str
        required: true
      type:
        description: The attribute type, string, number or binary.
        type: str
        choices: [S, N, B]
        default: S
  sort_key:
    description: The sort (range) key; none when omitted.
    type: dict
    suboptions:
      name:
        description: The attribute name.
        type: str
        required: true
      type:
        description: The attribute type.
        type: str
        choices: [S, N, B]
        default: S
  billing_mode:
    description: On-demand (V(PAY_PER_REQUEST)) or provisioned capacity.
    type: str
    choices: [PAY_PER_REQUEST, PROVISIONED]
    default: PAY_PER_REQUEST
  read_capacity:
    description: Read capacity units, 1 to 40000; required with O(billing_mode=PROVISIONED) and refused otherwise.
    type: int
  write_capacity:
    description: Write capacity units, 1 to 40000; required with O(billing_mode=PROVISIONED) and refused otherwise.
    type: int
  autoscaled:
    description:
      - Whether Application Auto Scaling owns the provisioned capacity of the table and its global indexes (see
        M(openedx.data_services.dynamodb_table_autoscaling)); then O(read_capacity) and O(write_capacity) only set
        the capacity at creation and when switching to V(PROVISIONED), and are otherwise left to the scaling.
    type: bool
    default: false
  table_class:
    description: The table class.
    type: str
    choices: [STANDARD, STANDARD_INFREQUENT_ACCESS]
    default: STANDARD
  global_indexes:
    description:
      - The global secondary indexes, at most 20. Indexes not listed are deleted; a change of the keys or the
        projection of an existing index is refused (delete it in one run, create it again in the next).
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: The index name (same rules as O(name)).
        type: str
        required: true
      partition_key:
        description: The index's partition key.
        type: dict
        required: true
        suboptions:
          name:
            description: The attribute name.
            type: str
            required: true
          type:
            description: The attribute type.
            type: str
            choices: [S, N, B]
            default: S
      sort_key:
        description: The index's sort key.
        type: dict
        suboptions:
          name:
            description: The attribute name.
            type: str
            required: true
          type:
            description: The attribute type.
            type: str
            choices: [S, N, B]
            default: S
      projection:
        description: The attributes copied into the index.
        type: str
        choices: [ALL, KEYS_ONLY, INCLUDE]
        default: ALL
      non_key_attributes:
        description: The attributes projected with O(global_indexes[].projection=INCLUDE).
        type: list
        elements: str
      read_capacity:
        description: Read capacity units of the index (provisioned tables only, then required).
        type: int
      write_capacity:
        description: Write capacity units of the index (provisioned tables only, then required).
        type: int
  local_indexes:
    description:
      - The local secondary indexes, at most 5, sharing the table's partition key; set at creation only.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: The index name.
        type: str
        required: true
      sort_key:
        description: The index's sort key.
        type: dict
        required: true
        suboptions:
          name:
            description: The attribute name.
            type: str
            required: true
          type:
            description: The attribute type.
            type: str
            choices: [S, N, B]
            default: S
      projection:
        description: The attributes copied into the index.
        type: str
        choices: [ALL, KEYS_ONLY, INCLUDE]
        default: ALL
      non_key_attributes:
        description: The attributes projected with O(local_indexes[].projection=INCLUDE).
        type: list
        elements: str
  ttl_attribute:
    description: The attribute holding each item's expiry (epoch seconds); TTL is off when omitted.
    type: str
  stream_view_type:
    description: The stream's view type; no stream when omitted. Replicas need V(NEW_AND_OLD_IMAGES).
    type: str
    choices: [KEYS_ONLY, NEW_IMAGE, OLD_IMAGE, NEW_AND_OLD_IMAGES]
  point_in_time_recovery:
    description: Whether point-in-time recovery (continuous backups) is on.
    type: bool
    default: false
  kms_key_id:
    description:
      - The customer managed KMS key (ID, ARN or alias) encrypting the table; the AWS owned key when omitted.
        Changing it re-encrypts the table in place.
    type: str
  deletion_protection:
    description: Whether the table is protected against deletion.
    type: bool
    default: false
  replicas:
    description:
      - Global-table replicas in other regions, each created or deleted in its own UpdateTable call.
    type: list
    elements: dict
    default: []
    suboptions:
      region:
        description: The replica's region.
        type: str
        required: true
      kms_key_id:
        description: The KMS key of the replica's region encrypting it (required with O(kms_key_id)).
        type: str
  tags:
    description: Tags as a dict.
    type: dict
    aliases: [resource_tags]
  purge_tags:
    description: Whether tags not in O(tags) are removed.
    type: bool
    default: true
  wait:
    description: Whether to wait until the table, its indexes and replicas are ACTIVE before returning.
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait for each step.
    type: int
    default: 1200
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
  platform:
    platforms: aws
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Ensure the learner events table
  openedx.data_services.dynamodb_table:
    name: openedx-prod-learner-events
    partition_key: {name: learner_id, type: S}
    sort_key: {name: event_time, type: N}
    global_indexes:
      - name: by-course
        partition_key: {name: course_id, type: S}
        sort_key: {name: event_time, type: N}
        projection: KEYS_ONLY
    ttl_attribute: expires_at
    stream_view_type: NEW_AND_OLD_IMAGES
    point_in_time_recovery: true
    kms_key_id: alias/openedx-prod
    deletion_protection: true
    tags: {environment: prod}
"""

RETURN = r"""
table:
  description: The table in the module's option names (empty after a deletion).
  returned: always
  type: dict
  contains:
    name:
      description: The table name.
      type: str
      sample: openedx-prod-learner-events
    arn:
      description: The table ARN.
      type: str
      sample: arn:aws:dynamodb:us-east-1:123456789012:table/openedx-prod-learner-events
    status:
      description: The table status.
      type: str
      sample: ACTIVE
    stream_arn:
      description: The ARN of the table's stream, when it has one.
      type: str
    global_indexes:
      description: The global indexes, with their status.
      type: list
      elements: dict
progress:
  description: One line per step the module took, in order, with the seconds since it started.
  returned: always
  type: list
  elements: str
  sample: ["0s UpdateTable create index by-course (1/2)", "3s index by-course ACTIVE"]
planned:
  description: The steps the run takes (or, in check mode, would take), in order, one AWS call each.
  returned: always
  type: list
  elements: str
  sample: ["UpdateTable create index by-course (1/2)", "UpdateTable create index by-org (2/2)"]
resource:
  description: The table's readiness in the collection's common shape (status, ready, failed, arn).
  returned: always
  type: dict
"""

import time
from typing import Any

from ansible_collections.openedx.data_services.plugins.module_utils import dynamodb, engine, resources
from ansible_collections.openedx.data_services.plugins.module_utils.common import (
    ReplacementRequired,
    kms_key_arn,
    kms_key_matches,
)
from ansible_collections.openedx.data_services.plugins.module_utils.modules import DataServicesAWSModule

CAPACITY = ("read_capacity", "write_capacity")


def _key(key: dict[str, Any] | None) -> dict[str, str] | None:
    return {"name": key["name"], "type": key["type"]} if key else None


class Table(engine.Resource):
    kind = "dynamodb_table"
    result_key = "table"
    diff_hidden = ("status", "stream_arn")

    def __init__(self, module: Any, client: Any) -> None:
        super().__init__(module, client)
        self.started = time.monotonic()
        self.progress: list[str] = []
        self.planned: list[str] = []
        self._key_arn: str | None = None

    @property
    def name(self) -> str:
        return self.params["name"]

    def say(self, line: str) -> None:
        self.progress.append(f"{time.monotonic() - self.started:.0f}s {line}")

    # --- reading -----------------------------------------------------------------------------------------------

    def read(self) -> dict[str, Any] | None:
        table = dynamodb.describe_table(self.client, self.name)
        if table is None:
            self.readiness = resources.absent()
            return None
        self.readiness = resources.dynamodb_table_state(table)
        return dynamodb.normalise(table, dynamodb.describe_ttl(self.client, self.name),
                                  dynamodb.describe_backups(self.client, self.name),
                                  dynamodb.list_tags(self.client, table["TableArn"]))

    # --- the desired state -------------------------------------------------------------------------------------

    def desired_key_arn(self) -> str | None:
        if self.params["kms_key_id"] and self._key_arn is None:
            self._key_arn = kms_key_arn(self.kms_client(), self.params["kms_key_id"])
        return self._key_arn

    def desired_gsis(self) -> list[dict[str, Any]]:
        provisioned = self.params["billing_mode"] == "PROVISIONED"
        return sorted(({"name": i["name"], "sort_key": _key(i.get("sort_key")), "projection": i["projection"],
                        "non_key_attributes": sorted(i.get("non_key_attributes") or []),
                        "partition_key": _key(i["partition_key"]), "status": "ACTIVE",
                        "read_capacity": i.get("read_capacity") if provisioned else None,
                        "write_capacity": i.get("write_capacity") if provisioned else None}
                       for i in self.params["global_indexes"]), key=lambda i: i["name"])

    def desired_lsis(self) -> list[dict[str, Any]]:
        return sorted(({"name": i["name"], "sort_key": _key(i["sort_key"]), "projection": i["projection"],
                        "non_key_attributes": sorted(i.get("non_key_attributes") or [])}
                       for i in self.params["local_indexes"]), key=lambda i: i["name"])

    def desired_replicas(self) -> list[dict[str, Any]]:
        return sorted(({"region": r["region"], "kms_key_id": r.get("kms_key_id"), "status": "ACTIVE"}
                       for r in self.params["replicas"]), key=lambda r: r["region"])

    def gsi_spec(self, index: dict[str, Any]) -> dict[str, Any]:
        spec: dict[str, Any] = {"IndexName": index["name"],
                                "KeySchema": dynamodb.key_schema(index["partition_key"], index.get("sort_key")),
                                "Projection": dynamodb.projection(index)}
        if index.get("read_capacity"):
            spec["ProvisionedThroughput"] = {"ReadCapacityUnits": index["read_capacity"],
                                             "WriteCapacityUnits": index["write_capacity"]}
        return spec

    def sse_spec(self) -> dict[str, Any]:
        if not self.params["kms_key_id"]:
            return {"Enabled": False}
        return {"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": self.desired_key_arn()}

    # --- steps -------------------------------------------------------------------------------------------------

    def step(self, plan: engine.Plan, line: str, call: Any, wait: bool = True) -> None:
        """One call of a sequence, said in the progress lines, then a wait for the table to be ACTIVE again."""

        self.planned.append(line)

        def run() -> None:
            self.say(line)
            call()
            if wait:
                state = self.wait()
                self.say(f"{self.name} {state['status']}")

        plan.call(run)

    def update(self, **params: Any) -> Any:
        return lambda: dynamodb.update_table(self.client, TableName=self.name, **params)

    def plan_create(self) -> engine.Plan:
        params = self.params
        if not params["partition_key"]:
            self.module.fail_json(msg=f"partition_key is required to create the table {self.name}.")
        gsis, lsis = self.desired_gsis(), self.desired_lsis()
        changes = {
            "name": self.name, "arn": "", "status": "ACTIVE", "partition_key": _key(params["partition_key"]),
            "sort_key": _key(params["sort_key"]), "billing_mode": params["billing_mode"],
            "read_capacity": params["read_capacity"], "write_capacity": params["write_capacity"],
            "table_class": params["table_class"], "global_indexes": gsis, "local_indexes": lsis,
            "ttl_attribute": params["ttl_attribute"], "stream_view_type": params["stream_view_type"],
            "stream_arn": None, "point_in_time_recovery": params["point_in_time_recovery"],
            "kms_key_id": self.desired_key_arn(), "deletion_protection": params["deletion_protection"],
            "replicas": [], "tags": params["tags"] or {},
        }
        plan = engine.Plan(changes)
        request: dict[str, Any] = {
            "TableName": self.name, "AttributeDefinitions": dynamodb.attribute_definitions(params),
            "KeySchema": dynamodb.key_schema(params["partition_key"], params["sort_key"]),
            "BillingMode": params["billing_mode"], "TableClass": params["table_class"],
            "DeletionProtectionEnabled": params["deletion_protection"],
        }
        if params["billing_mode"] == "PROVISIONED":
            request["ProvisionedThroughput"] = {"ReadCapacityUnits": params["read_capacity"],
                                                "WriteCapacityUnits": params["write_capacity"]}
        if gsis:
            request["GlobalSecondaryIndexes"] = [self.gsi_spec(i) for i in gsis]
        if lsis:
            request["LocalSecondaryIndexes"] = [
                {"IndexName": i["name"], "KeySchema": dynamodb.key_schema(params["partition_key"], i["sort_key"]),
                 "Projection": dynamodb.projection(i)} for i in lsis]
        if params["stream_view_type"]:
            request["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": params["stream_view_type"]}
        if params["kms_key_id"]:
            request["SSESpecification"] = self.sse_spec()
        if params["tags"]:
            request["Tags"] = [{"Key": k, "Value": v} for k, v in params["tags"].items()]
        more = bool(params["ttl_attribute"] or params["point_in_time_recovery"] or params["replicas"])
        self.step(plan, "CreateTable", lambda: dynamodb.create_table(self.client, **request),
                  wait=more or params["wait"])
        if params["ttl_attribute"]:
            self.step(plan, f"UpdateTimeToLive enable on {params['ttl_attribute']}",
                      lambda: dynamodb.update_ttl(self.client, self.name, params["ttl_attribute"], True), wait=False)
        if params["point_in_time_recovery"]:
            self.step(plan, "UpdateContinuousBackups enable point-in-time recovery",
                      lambda: dynamodb.update_pitr(self.client, self.name, True), wait=False)
        self.plan_replicas(plan, [], self.desired_replicas())
        return plan

    def plan_update(self, current: dict[str, Any]) -> engine.Plan:
        params = self.params
        plan = engine.Plan()
        self.refuse_replacement(current)
        wanted = {
            "billing_mode": params["billing_mode"], "read_capacity": params["read_capacity"],
            "write_capacity": params["write_capacity"],
        }
        if params["autoscaled"] and current["billing_mode"] == params["billing_mode"]:
            wanted = {"billing_mode": params["billing_mode"]}
        if any(current[k] != v for k, v in wanted.items()):
            request: dict[str, Any] = {"BillingMode": params["billing_mode"]}
            if params["billing_mode"] == "PROVISIONED":
                request["ProvisionedThroughput"] = {"ReadCapacityUnits": params["read_capacity"],
                                                    "WriteCapacityUnits": params["write_capacity"]}
                # Switching to provisioned sets the throughput of every existing global index in the same call.
                existing = {i["name"] for i in current["global_indexes"]}
                updates = [{"Update": {"IndexName": i["name"], "ProvisionedThroughput": {
                    "ReadCapacityUnits": i["read_capacity"], "WriteCapacityUnits": i["write_capacity"]}}}
                    for i in self.desired_gsis() if i["name"] in existing]
                if current["billing_mode"] != "PROVISIONED" and updates:
                    request["GlobalSecondaryIndexUpdates"] = updates
            for option, value in wanted.items():
                plan.change(option, value)
            self.step(plan, f"UpdateTable billing {params['billing_mode']}", self.update(**request))
        if current["table_class"] != params["table_class"]:
            plan.change("table_class", params["table_class"])
            self.step(plan, f"UpdateTable table class {params['table_class']}",
                      self.update(TableClass=params["table_class"]))
        if current["deletion_protection"] != params["deletion_protection"]:
            plan.change("deletion_protection", params["deletion_protection"])
            self.step(plan, f"UpdateTable deletion protection {'on' if params['deletion_protection'] else 'off'}",
                      self.update(DeletionProtectionEnabled=params["deletion_protection"]), wait=False)
        self.plan_sse(plan, current)
        self.plan_stream(plan, current)
        self.plan_gsis(plan, current)
        self.plan_replicas(plan, current["replicas"], self.desired_replicas())
        if current["ttl_attribute"] != params["ttl_attribute"]:
            plan.change("ttl_attribute", params["ttl_attribute"])
            if current["ttl_attribute"]:
                self.step(plan, f"UpdateTimeToLive disable on {current['ttl_attribute']}",
                          lambda: dynamodb.update_ttl(self.client, self.name, current["ttl_attribute"], False),
                          wait=False)
            if params["ttl_attribute"]:
                self.step(plan, f"UpdateTimeToLive enable on {params['ttl_attribute']}",
                          lambda: dynamodb.update_ttl(self.client, self.name, params["ttl_attribute"], True),
                          wait=False)
        if current["point_in_time_recovery"] != params["point_in_time_recovery"]:
            plan.change("point_in_time_recovery", params["point_in_time_recovery"])
            self.step(plan, f"UpdateContinuousBackups point-in-time recovery "
                            f"{'on' if params['point_in_time_recovery'] else 'off'}",
                      lambda: dynamodb.update_pitr(self.client, self.name, params["point_in_time_recovery"]),
                      wait=False)
        self.plan_tags(plan, current, dynamodb.update_tags)
        return plan

    def refuse_replacement(self, current: dict[str, Any]) -> None:
        params = self.params
        how = ("create a new table with the new settings, copy the items (export to S3 and import, or a scan and "
               "write), then point the platform at it")
        if params["partition_key"] and (_key(params["partition_key"]) != current["partition_key"]
                                        or _key(params["sort_key"]) != current["sort_key"]):
            raise ReplacementRequired(f"The key schema of the table {self.name} cannot be changed (it is "
                                      f"{current['partition_key']}, {current['sort_key']}); {how}.")
        if self.desired_lsis() != current["local_indexes"]:
            raise ReplacementRequired(f"The local_indexes of the table {self.name} are set at creation only (it has "
                                      f"{[i['name'] for i in current['local_indexes']]}); {how}.")
        existing = {i["name"]: i for i in current["global_indexes"]}
        for index in self.desired_gsis():
            now = existing.get(index["name"])
            shape = ("partition_key", "sort_key", "projection", "non_key_attributes")
            if now and any(now[k] != index[k] for k in shape):
                raise ReplacementRequired(
                    f"The keys or projection of the global index {index['name']} of the table {self.name} cannot be "
                    "changed; remove it from global_indexes (one run deletes it), then add it back with the new "
                    "settings (the next run creates it).")

    def plan_sse(self, plan: engine.Plan, current: dict[str, Any]) -> None:
        desired = self.params["kms_key_id"]
        if not desired and not current["kms_key_id"]:
            return
        if desired:
            same = kms_key_matches(desired, current["kms_key_id"])
            if same is None:
                same = self.desired_key_arn() == current["kms_key_id"]
            if same:
                return
        plan.change("kms_key_id", self.desired_key_arn())
        self.step(plan, f"UpdateTable encryption with {self.desired_key_arn() or 'the AWS owned key'}",
                  self.update(SSESpecification=self.sse_spec()))

    def plan_stream(self, plan: engine.Plan, current: dict[str, Any]) -> None:
        desired, now = self.params["stream_view_type"], current["stream_view_type"]
        if desired == now:
            return
        plan.change("stream_view_type", desired)
        if now:
            # AWS changes a stream's view type only by disabling the stream and enabling a new one.
            self.step(plan, f"UpdateTable disable stream ({now})",
                      self.update(StreamSpecification={"StreamEnabled": False}))
        if desired:
            self.step(plan, f"UpdateTable enable stream ({desired})",
                      self.update(StreamSpecification={"StreamEnabled": True, "StreamViewType": desired}))

    def plan_gsis(self, plan: engine.Plan, current: dict[str, Any]) -> None:
        desired = {i["name"]: i for i in self.desired_gsis()}
        existing = {i["name"]: i for i in current["global_indexes"]}
        deletes = [name for name in existing if name not in desired]
        creates = [name for name in desired if name not in existing]
        updates = [name for name in desired if name in existing and self.params["billing_mode"] == "PROVISIONED"
                   and not self.params["autoscaled"]
                   and any(existing[name][k] != desired[name][k] for k in CAPACITY)]
        if not (deletes or creates or updates):
            return
        plan.change("global_indexes", [existing[n] if n in existing and n not in updates else desired[n]
                                       for n in sorted(desired)])
        total = len(deletes) + len(creates) + len(updates)
        count = 0
        kept = [n for n in existing if n not in deletes]
        # AWS creates or deletes one global index per UpdateTable call, and refuses another until it is done.
        for name in deletes:
            count += 1
            self.step(plan, f"UpdateTable delete index {name} ({count}/{total})",
                      self.update(GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": name}}]))
        for name in creates:
            count += 1
            kept.append(name)
            attributes = dynamodb.attribute_definitions(self.params, kept + [i["name"] for i in self.desired_lsis()])
            self.step(plan, f"UpdateTable create index {name} ({count}/{total})",
                      self.update(AttributeDefinitions=attributes,
                                  GlobalSecondaryIndexUpdates=[{"Create": self.gsi_spec(desired[name])}]))
        for name in updates:
            count += 1
            throughput = {"ReadCapacityUnits": desired[name]["read_capacity"],
                          "WriteCapacityUnits": desired[name]["write_capacity"]}
            self.step(plan, f"UpdateTable throughput of index {name} ({count}/{total})",
                      self.update(GlobalSecondaryIndexUpdates=[
                          {"Update": {"IndexName": name, "ProvisionedThroughput": throughput}}]))

    def plan_replicas(self, plan: engine.Plan, current: list[dict[str, Any]], desired: list[dict[str, Any]]) -> None:
        now = {r["region"] for r in current}
        wanted = {r["region"]: r for r in desired}
        if now == set(wanted):
            return
        plan.change("replicas", desired)
        for region in sorted(now - set(wanted)):
            self.step(plan, f"UpdateTable delete replica {region}",
                      self.update(ReplicaUpdates=[{"Delete": {"RegionName": region}}]))
        for region in sorted(set(wanted) - now):
            create: dict[str, Any] = {"RegionName": region}
            if wanted[region].get("kms_key_id"):
                create["KMSMasterKeyId"] = wanted[region]["kms_key_id"]
            self.step(plan, f"UpdateTable create replica {region}", self.update(ReplicaUpdates=[{"Create": create}]))

    def plan_delete(self, current: dict[str, Any]) -> engine.Plan:
        if current["deletion_protection"]:
            self.module.fail_json(msg=f"The table {self.name} has deletion protection on; set deletion_protection "
                                      "to false first (one run), then delete it.")
        plan = engine.Plan({"status": "DELETING"})
        self.step(plan, "DeleteTable", lambda: dynamodb.delete_table(self.client, self.name), wait=False)
        if self.params["wait"]:
            plan.call(lambda: self.wait("absent"))
        return plan

    def result(self, state: dict[str, Any] | None) -> dict[str, Any]:
        return state or {}

    def extra_returns(self) -> dict[str, Any]:
        return {"progress": self.progress, "planned": self.planned}


def key_option(required: bool = False) -> dict[str, Any]:
    return dict(type="dict", required=required, no_log=False, options=dict(
        name=dict(type="str", required=True),
        type=dict(type="str", choices=list(dynamodb.ATTRIBUTE_TYPES), default="S"),
    ))


def main() -> None:
    index_common = dict(
        name=dict(type="str", required=True),
        sort_key=key_option(),
        projection=dict(type="str", choices=list(dynamodb.PROJECTION_TYPES), default="ALL"),
        non_key_attributes=dict(type="list", elements="str", no_log=False),
    )
    argument_spec = dict(
        state=dict(type="str", choices=["present", "absent"], default="present"),
        name=dict(type="str", required=True),
        partition_key=key_option(),
        sort_key=key_option(),
        billing_mode=dict(type="str", choices=list(dynamodb.BILLING_MODES), default="PAY_PER_REQUEST"),
        read_capacity=dict(type="int"),
        write_capacity=dict(type="int"),
        autoscaled=dict(type="bool", default=False),
        table_class=dict(type="str", choices=list(dynamodb.TABLE_CLASSES), default="STANDARD"),
        global_indexes=dict(type="list", elements="dict", default=[], options=dict(
            index_common, partition_key=key_option(required=True), read_capacity=dict(type="int"),
            write_capacity=dict(type="int"))),
        local_indexes=dict(type="list", elements="dict", default=[],
                           options=dict(index_common, sort_key=key_option(required=True))),
        ttl_attribute=dict(type="str"),
        stream_view_type=dict(type="str", choices=list(dynamodb.STREAM_VIEW_TYPES)),
        point_in_time_recovery=dict(type="bool", default=False),
        kms_key_id=dict(type="str", no_log=False),
        deletion_protection=dict(type="bool", default=False),
        replicas=dict(type="list", elements="dict", default=[], options=dict(
            region=dict(type="str", required=True), kms_key_id=dict(type="str", no_log=False))),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=1200),
    )
    module = DataServicesAWSModule(argument_spec=argument_spec, supports_check_mode=True,
                                   required_together=[("read_capacity", "write_capacity")])
    found = dynamodb.problems(module.params)
    if found:
        module.fail_json(msg="Invalid DynamoDB table settings: " + " ".join(found), problems=found)
    engine.run(Table(module, module.client("dynamodb")))


if __name__ == "__main__":
    main()
