#!/usr/bin/python
# Copyright: Open edX data services maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: elasticache_replication_group
short_description: Manage ElastiCache (Redis OSS) replication groups with cluster mode disabled
version_added: 0.1.0
description:
  - Create, update and delete an Amazon ElastiCache replication group running Redis OSS with cluster mode
    disabled (one shard, a primary and up to five replicas).
  - Manages what M(community.aws.elasticache) cannot, because that module handles single cache clusters only
    (no replication groups, encryption, AUTH token or log delivery).
  - Replica count changes go through C(IncreaseReplicaCount) and C(DecreaseReplicaCount) and never remove the
    primary.
  - An AUTH token change is made in two steps, C(ROTATE) then C(SET), waiting for the group to be available in
    between, so that no moment accepts clients without a token (or with neither token).
  - Options that AWS cannot change on an existing group (at-rest encryption and its KMS key, in-transit
    encryption, the cache subnet group) are refused with a message when they differ; the group has to be
    replaced.
author:
  - Open edX data services maintainers (@openedx)
options:
  replication_group_id:
    description:
      - The replication group identifier. 1-40 letters, digits or hyphens, starting with a letter.
      - AWS stores it in lowercase.
    type: str
    required: true
    aliases: [name]
  state:
    description:
      - V(present) creates or updates the group, V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
  description:
    description:
      - The description of the replication group.
      - Required when creating a group.
    type: str
  engine:
    description:
      - The cache engine.
    type: str
    choices: [redis]
    default: redis
  engine_version:
    description:
      - The engine version, for example V(7.1). A shorter version matches a longer one reported by AWS
        (V(7.1) matches V(7.1.0)).
      - AWS cannot downgrade the engine; a lower version than the group's is refused before any change.
      - A minor upgrade (V(7.0) to V(7.1)) is made in place. A major upgrade (V(6.2) to V(7.1)) needs
        O(allow_major_version_upgrade=true) and a O(cache_parameter_group_name) of the new family (V(redis7)); it is
        made in place too, keeping the data.
      - When the node type changes in the same run, the engine is upgraded first, then the node type changed, one
        step at a time (ElastiCache blocks an immediate upgrade while a scaling is pending, and the reverse).
    type: str
  allow_major_version_upgrade:
    description:
      - Whether a major engine upgrade (a different first number of O(engine_version)) may be made.
      - Take a snapshot first (M(openedx.data_services.elasticache_snapshot)); an upgrade cannot be undone.
    type: bool
    default: false
  cache_node_type:
    description:
      - The node type of every member, for example V(cache.t4g.micro).
      - Required when creating a group.
      - A different node type on an existing group is changed in place (ElastiCache adds nodes of the new type,
        copies the data to them and switches the endpoints over), so the group, its endpoints and its data stay.
    type: str
  num_cache_clusters:
    description:
      - The number of cache clusters (nodes) in the group, the primary included, from 1 to 6.
      - Defaults to 1 on creation; an existing group keeps its size when omitted.
    type: int
  automatic_failover:
    description:
      - Whether a replica is promoted automatically when the primary fails. Needs O(num_cache_clusters) >= 2.
    type: bool
  multi_az:
    description:
      - Whether Multi-AZ is enabled. Needs O(automatic_failover=true) and at least two nodes.
    type: bool
  at_rest_encryption:
    description:
      - Whether data at rest is encrypted. Only settable when creating the group.
    type: bool
  kms_key_id:
    description:
      - The KMS key (id, ARN, alias or alias ARN) encrypting data at rest. Needs O(at_rest_encryption=true).
      - Only settable when creating the group; a different key on an existing group fails, because the group
        has to be replaced.
    type: str
  transit_encryption:
    description:
      - Whether clients must connect with TLS. Only settable when creating the group.
    type: bool
  auth_token:
    description:
      - 'The Redis AUTH token (password): 16 to 128 printable ASCII characters except V(@), V(") and V(/).'
      - Needs O(transit_encryption=true).
      - AWS never returns the token, so an existing token can not be compared; see O(update_auth_token).
    type: str
  update_auth_token:
    description:
      - V(on_create) sets O(auth_token) only when the group is created (or when an existing group has no token
        yet). V(always) rotates the token to O(auth_token) on every run, which always reports a change.
      - The two halves of V(always), for a rotation the clients follow between them (C(rotate.yml)). V(rotate)
        only adds O(auth_token) (C(AuthTokenUpdateStrategy=ROTATE)), so the group accepts the old token and the
        new one; V(set) only sets it (C(SET)), so the group accepts O(auth_token) alone. Both report a change.
    type: str
    choices: [always, on_create, rotate, set]
    default: on_create
  cache_parameter_group_name:
    description:
      - The cache parameter group of the members. AWS uses the default group of the engine family when omitted.
    type: str
  cache_subnet_group_name:
    description:
      - The cache subnet group (private subnets) of the members. Only settable when creating the group.
    type: str
  security_group_ids:
    description:
      - The VPC security groups of the members.
    type: list
    elements: str
  log_delivery:
    description:
      - Where the slow log and the engine log go.
      - When given, the list is exact and a log type left out is disabled. When omitted, log delivery is left as
        it is.
    type: list
    elements: dict
    suboptions:
      log_type:
        description:
          - The log.
        type: str
        choices: [slow-log, engine-log]
        required: true
      destination_type:
        description:
          - The destination service.
        type: str
        choices: [cloudwatch-logs, kinesis-firehose]
        default: cloudwatch-logs
      destination:
        description:
          - The CloudWatch Logs log group name or the Kinesis Data Firehose delivery stream name.
        type: str
        required: true
        aliases: [log_group]
      log_format:
        description:
          - The format of the log entries.
        type: str
        choices: [json, text]
        default: json
  snapshot_retention_limit:
    description:
      - Days automatic snapshots are kept, from 0 (no automatic snapshots) to 35.
    type: int
  snapshot_window:
    description:
      - The daily UTC time range of automatic snapshots, for example V(03:00-04:00).
    type: str
  preferred_maintenance_window:
    description:
      - The weekly UTC maintenance window, for example V(mon:04:00-mon:05:00).
    type: str
  port:
    description:
      - The port the nodes listen on. Only settable when creating the group (AWS default 6379); a different
        port on an existing group gives a warning.
    type: int
  apply_immediately:
    description:
      - Whether node type and engine version changes apply now rather than in the next maintenance window.
      - Replica count changes are always applied immediately.
    type: bool
    default: false
  final_snapshot_identifier:
    description:
      - With O(state=absent), the name of a snapshot taken before the group is deleted.
    type: str
  snapshot_name:
    description:
      - The snapshot (see M(openedx.data_services.elasticache_snapshot)) whose data the group starts with when it is
        created. The snapshot must exist; the module waits for it to be available.
      - Only used when the group is created; ignored for an existing group, whose data is never replaced.
      - The new group has its own settings (O(auth_token), encryption, node type...), not the snapshot's.
    type: str
  wait:
    description:
      - Whether to wait until the group is available (or deleted) before returning.
      - Steps that AWS only accepts on an available group (replica count changes, the second step of a token
        rotation) wait in any case.
    type: bool
    default: true
  wait_timeout:
    description:
      - How many seconds to wait for each step.
    type: int
    default: 1800
notes:
  - Cluster mode enabled (sharded) replication groups, global datastores, user groups (RBAC) and Valkey are
    not managed by this module.
  - A changed O(cache_node_type) or O(engine_version) without O(apply_immediately) stays pending until the
    maintenance window; the module treats the pending value as already requested.
  - What ElastiCache cannot change in place (at-rest encryption or its KMS key, in-transit encryption, the subnet
    group, an engine downgrade) is refused before any mutating call, with the way to do it instead (a snapshot, then
    a new group seeded from it with O(snapshot_name)).
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
attributes:
  check_mode:
    support: full
    description: Computes the changes and reports them without making any mutating call.
  diff_mode:
    support: full
    description: Shows the group's settings before and after; the AUTH token never appears.
"""

EXAMPLES = r"""
- name: Create a production Redis replication group
  openedx.data_services.elasticache_replication_group:
    replication_group_id: openedx-prod-redis
    description: Open edX cache (prod)
    engine_version: "7.1"
    cache_node_type: cache.r7g.large
    num_cache_clusters: 3
    automatic_failover: true
    multi_az: true
    at_rest_encryption: true
    kms_key_id: alias/openedx-prod
    transit_encryption: true
    auth_token: "{{ vault_redis_auth_token }}"
    cache_parameter_group_name: openedx-prod-redis7
    cache_subnet_group_name: openedx-prod-private
    security_group_ids: [sg-0123456789abcdef0]
    log_delivery:
      - log_type: slow-log
        destination: /openedx/prod/redis/slow-log
      - log_type: engine-log
        destination: /openedx/prod/redis/engine-log
    snapshot_retention_limit: 7
    snapshot_window: "03:00-04:00"
    preferred_maintenance_window: mon:04:00-mon:05:00
    tags:
      environment: prod

- name: Rotate the AUTH token (ROTATE, then SET once the group is available)
  openedx.data_services.elasticache_replication_group:
    replication_group_id: openedx-prod-redis
    transit_encryption: true
    auth_token: "{{ vault_redis_new_auth_token }}"
    update_auth_token: always

- name: Start a copy of the group from a snapshot
  openedx.data_services.elasticache_replication_group:
    replication_group_id: openedx-prod-redis-restored
    description: Open edX cache (restored)
    engine_version: "7.1"
    cache_node_type: cache.r7g.large
    at_rest_encryption: true
    kms_key_id: alias/openedx-prod
    transit_encryption: true
    auth_token: "{{ vault_redis_auth_token }}"
    snapshot_name: openedx-prod-redis-20250101030000

- name: Delete a group after a final snapshot
  openedx.data_services.elasticache_replication_group:
    replication_group_id: openedx-test-redis
    state: absent
    final_snapshot_identifier: openedx-test-redis-final
"""

RETURN = r"""
replication_group:
  description: The replication group (empty after deletion). The AUTH token is never returned.
  returned: always
  type: dict
  contains:
    replication_group_id:
      description: The group identifier.
      type: str
      sample: openedx-prod-redis
    arn:
      description: The group ARN.
      type: str
      sample: arn:aws:elasticache:us-east-1:123456789012:replicationgroup:openedx-prod-redis
    status:
      description: The group status.
      type: str
      sample: available
    description:
      description: The group description.
      type: str
    engine:
      description: The engine.
      type: str
      sample: redis
    engine_version:
      description: The engine version of the members.
      type: str
      sample: 7.1.0
    cache_node_type:
      description: The node type.
      type: str
      sample: cache.t4g.micro
    num_cache_clusters:
      description: The number of members.
      type: int
      sample: 3
    member_clusters:
      description: The member cache cluster ids.
      type: list
      elements: str
      sample: [openedx-prod-redis-001, openedx-prod-redis-002, openedx-prod-redis-003]
    primary_cluster_id:
      description: The member that is the primary.
      type: str
    primary_endpoint:
      description: The host name of the primary (read/write) endpoint.
      type: str
    reader_endpoint:
      description: The host name of the reader endpoint.
      type: str
    port:
      description: The port of both endpoints.
      type: int
      sample: 6379
    automatic_failover:
      description: Whether automatic failover is enabled (or being enabled).
      type: bool
    multi_az:
      description: Whether Multi-AZ is enabled.
      type: bool
    cluster_enabled:
      description: Whether cluster mode is enabled (always false for groups this module creates).
      type: bool
    at_rest_encryption:
      description: Whether data at rest is encrypted.
      type: bool
    kms_key_id:
      description: The ARN of the KMS key encrypting data at rest.
      type: str
    transit_encryption:
      description: Whether TLS is enabled.
      type: bool
    transit_encryption_mode:
      description: V(required) or V(preferred).
      type: str
    auth_token_enabled:
      description: Whether an AUTH token is set.
      type: bool
    auth_token_last_modified_date:
      description: When the AUTH token last changed.
      type: str
    cache_parameter_group_name:
      description: The parameter group of the members.
      type: str
    cache_subnet_group_name:
      description: The subnet group of the members.
      type: str
    security_group_ids:
      description: The VPC security groups of the members.
      type: list
      elements: str
    log_delivery:
      description: The log delivery configurations.
      type: list
      elements: dict
      contains:
        log_type:
          description: V(slow-log) or V(engine-log).
          type: str
        destination_type:
          description: V(cloudwatch-logs) or V(kinesis-firehose).
          type: str
        destination:
          description: The log group or delivery stream.
          type: str
        log_format:
          description: V(json) or V(text).
          type: str
    snapshot_retention_limit:
      description: Days automatic snapshots are kept.
      type: int
    snapshot_window:
      description: The daily snapshot window.
      type: str
    snapshotting_cluster_id:
      description: The member snapshots are taken from.
      type: str
    preferred_maintenance_window:
      description: The weekly maintenance window.
      type: str
    pending_engine_version:
      description: An engine version waiting for the maintenance window.
      type: str
    pending_cache_node_type:
      description: A node type waiting for the maintenance window.
      type: str
    pending_modified_values:
      description: Changes in progress, as AWS reports them (snake_case).
      type: dict
    tags:
      description: The group's tags.
      type: dict
      sample: {environment: prod}
resource:
  description:
    - The replication group as it was last read, in the shape M(openedx.data_services.wait_for_resources) returns,
      so that a caller need not wait for (nor read again) a replication group found ready. Its C(ready) is true when
      it is C(available).
  returned: unless O(state=absent)
  type: dict
  contains:
    status:
      description: The status, lower case; C(absent) when the replication group does not exist.
      type: str
    ready:
      description: Whether the replication group is ready.
      type: bool
    failed:
      description: Whether the replication group is in a state it will not leave by waiting.
      type: bool
    arn:
      description: Its ARN.
      type: str
    endpoint:
      description: The address to connect to.
      type: str
    reader_endpoint:
      description: The reader address, where the service has one.
      type: str
    port:
      description: The port.
      type: int
    description:
      description: AWS's description of it, in snake_case.
      type: dict
"""

from ansible_collections.openedx.data_services.plugins.module_utils import engine, resources
from ansible_collections.openedx.data_services.plugins.module_utils.common import (
    ReplacementRequired,
    refuse_kms_key_change,
)
from ansible_collections.openedx.data_services.plugins.module_utils.elasticache import (
    complete_state,
    create_replication_group,
    decrease_replica_count,
    delete_replication_group,
    describe_replication_group,
    describe_snapshot,
    desired_log_delivery,
    engine_change_problem,
    increase_replica_count,
    log_delivery_changes,
    log_delivery_request,
    modify_replication_group,
    replicas_to_remove,
    update_tags,
    validate_replication_group_params,
    version_matches,
)
from ansible_collections.openedx.data_services.plugins.module_utils.modules import DataServicesAWSModule

# (option, ModifyReplicationGroup field) pairs compared as they are.
_PLAIN_FIELDS = (
    ("description", "ReplicationGroupDescription"),
    ("automatic_failover", "AutomaticFailoverEnabled"),
    ("multi_az", "MultiAZEnabled"),
    ("snapshot_retention_limit", "SnapshotRetentionLimit"),
    ("snapshot_window", "SnapshotWindow"),
)


def create_request(params):
    request = {
        "ReplicationGroupId": params["replication_group_id"],
        "ReplicationGroupDescription": params["description"],
        "Engine": params["engine"],
        "EngineVersion": params["engine_version"],
        "CacheNodeType": params["cache_node_type"],
        "NumCacheClusters": params["num_cache_clusters"] or 1,
        "AutomaticFailoverEnabled": params["automatic_failover"],
        "MultiAZEnabled": params["multi_az"],
        "AtRestEncryptionEnabled": params["at_rest_encryption"],
        "KmsKeyId": params["kms_key_id"],
        "TransitEncryptionEnabled": params["transit_encryption"],
        "AuthToken": params["auth_token"],
        "CacheParameterGroupName": params["cache_parameter_group_name"],
        "CacheSubnetGroupName": params["cache_subnet_group_name"],
        "SecurityGroupIds": params["security_group_ids"],
        "SnapshotRetentionLimit": params["snapshot_retention_limit"],
        "SnapshotWindow": params["snapshot_window"],
        "PreferredMaintenanceWindow": params["preferred_maintenance_window"],
        "Port": params["port"],
        "SnapshotName": params["snapshot_name"],
    }
    if params["log_delivery"]:
        request["LogDeliveryConfigurations"] = log_delivery_request(params["log_delivery"])
    if params["tags"]:
        request["Tags"] = [{"Key": k, "Value": v} for k, v in params["tags"].items()]
    return {k: v for k, v in request.items() if v is not None}


def predicted_state(params):
    """What a group created from ``params`` looks like, for check mode and the diff."""
    return {
        "replication_group_id": params["replication_group_id"].lower(),
        "description": params["description"],
        "engine": params["engine"],
        "engine_version": params["engine_version"],
        "cache_node_type": params["cache_node_type"],
        "num_cache_clusters": params["num_cache_clusters"] or 1,
        "automatic_failover": bool(params["automatic_failover"]),
        "multi_az": bool(params["multi_az"]),
        "at_rest_encryption": bool(params["at_rest_encryption"]),
        "kms_key_id": params["kms_key_id"],
        "transit_encryption": bool(params["transit_encryption"]),
        "auth_token_enabled": params["auth_token"] is not None,
        "cache_parameter_group_name": params["cache_parameter_group_name"],
        "cache_subnet_group_name": params["cache_subnet_group_name"],
        "security_group_ids": sorted(params["security_group_ids"] or []),
        "log_delivery": desired_log_delivery(params["log_delivery"] or []),
        "snapshot_retention_limit": params["snapshot_retention_limit"],
        "snapshot_window": params["snapshot_window"],
        "preferred_maintenance_window": params["preferred_maintenance_window"],
        "port": params["port"],
        "tags": params["tags"] or {},
    }


def check_immutable(module, kms_client, current):
    """Refuse a change AWS can only make by replacing the group."""
    params = module.params
    group = f"the existing replication group {current['replication_group_id']}"
    for option in ("at_rest_encryption", "transit_encryption", "cache_subnet_group_name"):
        wanted, actual = params[option], current[option]
        if isinstance(wanted, str) and isinstance(actual, str):
            # AWS stores subnet group names in lowercase.
            wanted, actual = wanted.lower(), actual.lower()
        if wanted is not None and wanted != actual:
            raise ReplacementRequired(
                f"{option} cannot be changed on {group} (it is {current[option]!r}, {params[option]!r} was "
                "requested): ElastiCache sets it only when a group is created. Take a snapshot "
                "(elasticache_snapshot, or playbooks/snapshot.yml), create a new group from it (snapshot_name, or "
                "playbooks/restore.yml) with the new setting, move the clients to it, then delete the old group.")
    if params["port"] is not None and params["port"] != current["port"]:
        module.warn(f"port is only set when a replication group is created; {current['replication_group_id']} "
                    f"keeps listening on {current['port']}.")
    if params["kms_key_id"] and not current["at_rest_encryption"]:
        raise ReplacementRequired(f"kms_key_id is set but {group} is not encrypted at rest; ElastiCache cannot "
                                  "turn encryption at rest on in place: take a snapshot and create a new encrypted "
                                  "group from it (snapshot_name, or playbooks/restore.yml).")
    refuse_kms_key_change(kms_client, group, params["kms_key_id"], current["kms_key_id"],
                          "changing the at-rest KMS key needs a new group: take a snapshot and create a new group "
                          "from it with the new key (snapshot_name, or playbooks/restore.yml).")
    problem = engine_change_problem(params["engine_version"], current["engine_version"],
                                    params["allow_major_version_upgrade"], params["cache_parameter_group_name"],
                                    current["cache_parameter_group_name"])
    if problem:
        raise ReplacementRequired(problem)


def plan_modify(params, current):
    """(ModifyReplicationGroup fields, the same changes in option names) for an existing group."""
    request, after = {}, {}
    for option, field in _PLAIN_FIELDS:
        if params[option] is not None and params[option] != current[option]:
            request[field] = params[option]
            after[option] = params[option]
    name = params["cache_parameter_group_name"]
    # AWS stores parameter group names in lowercase.
    if name and name.lower() != (current["cache_parameter_group_name"] or "").lower():
        request["CacheParameterGroupName"] = name
        after["cache_parameter_group_name"] = name
    node_type = params["cache_node_type"]
    if node_type and node_type not in (current["cache_node_type"], current["pending_cache_node_type"]):
        request["CacheNodeType"] = node_type
        after["cache_node_type"] = node_type
    version = params["engine_version"]
    if version and not version_matches(version, current["engine_version"]) \
            and not version_matches(version, current["pending_engine_version"]):
        request["EngineVersion"] = version
        after["engine_version"] = version
    window = params["preferred_maintenance_window"]
    if window and window.lower() != (current["preferred_maintenance_window"] or "").lower():
        request["PreferredMaintenanceWindow"] = window
        after["preferred_maintenance_window"] = window
    groups = params["security_group_ids"]
    if groups is not None and sorted(groups) != current["security_group_ids"]:
        request["SecurityGroupIds"] = groups
        after["security_group_ids"] = sorted(groups)
    if params["log_delivery"] is not None:
        desired = desired_log_delivery(params["log_delivery"])
        changes = log_delivery_changes(current["log_delivery"], desired)
        if changes:
            request["LogDeliveryConfigurations"] = changes
            after["log_delivery"] = desired
    return request, after


def check_combination(params, current):
    """The failover/Multi-AZ rules applied to the group as it will be, before any mutating call."""
    nodes = params["num_cache_clusters"] or current["num_cache_clusters"]
    failover = current["automatic_failover"] if params["automatic_failover"] is None else params["automatic_failover"]
    multi_az = current["multi_az"] if params["multi_az"] is None else params["multi_az"]
    if failover and nodes < 2:
        return f"automatic_failover needs num_cache_clusters >= 2; the group would have {nodes}."
    if multi_az and not (failover and nodes >= 2):
        return "multi_az needs automatic_failover=true and num_cache_clusters >= 2."
    if params["auth_token"] is not None and not current["transit_encryption"]:
        return "auth_token needs transit encryption, which the existing group does not have."
    return None


class ReplicationGroup(engine.Resource):
    kind = "elasticache_replication_group"
    result_key = "replication_group"
    diff_hidden = ("status", "pending_modified_values")

    @property
    def name(self):
        return self.params["replication_group_id"]

    def read(self):
        group = describe_replication_group(self.client, self.name)
        self.readiness = resources.elasticache_replication_group_state(group) if group else resources.absent()
        return complete_state(self.client, group) if group else None

    def plan_create(self):
        params = self.params
        missing = [o for o in ("description", "cache_node_type") if not params[o]]
        if missing:
            self.module.fail_json(msg=f"Creating replication group {self.name} needs {' and '.join(missing)}.")
        plan = engine.Plan(predicted_state(params))
        snapshot_name = params["snapshot_name"]
        if snapshot_name:
            snapshot = describe_snapshot(self.client, snapshot_name)
            if snapshot is None:
                self.module.fail_json(msg=f"snapshot_name {snapshot_name} does not exist; replication group "
                                          f"{self.name} cannot start from it.")
            if snapshot.get("SnapshotStatus") != "available":
                # ElastiCache seeds a group from an available snapshot only.
                plan.call(lambda: resources.wait(self.client, "elasticache_snapshot", snapshot_name,
                                                 params["wait_timeout"]))
        plan.call(lambda: create_replication_group(self.client, **create_request(params)))
        if params["wait"]:
            plan.call(self.wait)
        return plan

    def plan_update(self, current):
        params = self.params
        group_id = self.name
        check_immutable(self.module, self.kms_client, current)
        problem = check_combination(params, current)
        if problem:
            self.module.fail_json(msg=problem)
        request, after = plan_modify(params, current)
        plan = engine.Plan(after)
        size = current["num_cache_clusters"]
        target = params["num_cache_clusters"] or size
        token = params["auth_token"]
        update = params["update_auth_token"]
        rotate = token is not None and (update in ("always", "rotate", "set") or not current["auth_token_enabled"])
        # SET alone on a group without a token would be refused: such a group gets ROTATE first.
        strategies = {"rotate": ("ROTATE",), "set": ("SET",)}.get(update, ("ROTATE", "SET"))
        if update == "set" and not current["auth_token_enabled"]:
            strategies = ("ROTATE", "SET")
        if request or target != size or rotate:
            plan.change("num_cache_clusters", target)
            if current["status"] != "available":
                plan.call(self.wait)
        # Add replicas before a modify that may enable failover, and disable failover before removing them.
        if target > size:
            plan.call(lambda: increase_replica_count(self.client, group_id, target - 1))
            plan.call(self.wait)
        # ElastiCache blocks an immediate engine upgrade while a scaling is pending (and the reverse): upgrade first
        # (with the parameter group of the new family), then change the node type.
        steps = [request]
        if "EngineVersion" in request and "CacheNodeType" in request:
            steps = [{k: v for k, v in request.items() if k != "CacheNodeType"},
                     {"CacheNodeType": request["CacheNodeType"]}]
        for step in steps if request else []:
            plan.call(lambda step=step: modify_replication_group(
                self.client, ReplicationGroupId=group_id, ApplyImmediately=params["apply_immediately"], **step))
            plan.call(self.wait)
        if target < size:
            plan.call(lambda: decrease_replica_count(self.client, group_id, replicas_to_remove(current, size - target)))
            plan.call(self.wait)
        if rotate:
            plan.change("auth_token_enabled", True)
            plan.change("auth_token_last_modified_date", "(updated by this run)")
            # ROTATE makes the group accept the old and the new token; SET then drops the old one. Skipping ROTATE
            # would cut off clients still using the old token, and SET straight on a group without a token is
            # refused.
            for strategy in strategies:
                plan.call(lambda strategy=strategy: modify_replication_group(
                    self.client, ReplicationGroupId=group_id, ApplyImmediately=True, AuthToken=token,
                    AuthTokenUpdateStrategy=strategy))
                if strategy != strategies[-1] or params["wait"]:
                    plan.call(self.wait)
        self.plan_tags(plan, current, update_tags)
        return plan

    def plan_delete(self, current):
        plan = engine.Plan()
        if current["status"] == "deleting":
            return plan
        if current["status"] != "available":
            # AWS only deletes an available group.
            plan.call(self.wait)
        plan.call(lambda: delete_replication_group(self.client, self.name, self.params["final_snapshot_identifier"]))
        if self.params["wait"]:
            plan.call(lambda: self.wait("absent"))
        return plan


def main():
    argument_spec = dict(
        replication_group_id=dict(type="str", required=True, aliases=["name"]),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        description=dict(type="str"),
        engine=dict(type="str", choices=["redis"], default="redis"),
        engine_version=dict(type="str"),
        allow_major_version_upgrade=dict(type="bool", default=False),
        cache_node_type=dict(type="str"),
        num_cache_clusters=dict(type="int"),
        automatic_failover=dict(type="bool"),
        multi_az=dict(type="bool"),
        at_rest_encryption=dict(type="bool"),
        kms_key_id=dict(type="str"),
        transit_encryption=dict(type="bool"),
        auth_token=dict(type="str", no_log=True),
        update_auth_token=dict(type="str", choices=["always", "on_create", "rotate", "set"], default="on_create",
                               no_log=False),
        cache_parameter_group_name=dict(type="str"),
        cache_subnet_group_name=dict(type="str"),
        security_group_ids=dict(type="list", elements="str"),
        log_delivery=dict(
            type="list",
            elements="dict",
            options=dict(
                log_type=dict(type="str", required=True, choices=["slow-log", "engine-log"]),
                destination_type=dict(type="str", choices=["cloudwatch-logs", "kinesis-firehose"],
                                      default="cloudwatch-logs"),
                destination=dict(type="str", required=True, aliases=["log_group"]),
                log_format=dict(type="str", choices=["json", "text"], default="json"),
            ),
        ),
        snapshot_retention_limit=dict(type="int"),
        snapshot_window=dict(type="str"),
        preferred_maintenance_window=dict(type="str"),
        port=dict(type="int"),
        apply_immediately=dict(type="bool", default=False),
        final_snapshot_identifier=dict(type="str"),
        snapshot_name=dict(type="str"),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=1800),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )
    module = DataServicesAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    problem = validate_replication_group_params(module.params)
    if problem:
        module.fail_json(msg=problem)
    engine.run(ReplicationGroup(module, module.client("elasticache")))


if __name__ == "__main__":
    main()
