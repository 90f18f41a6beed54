#!/usr/bin/python
# Copyright: Open edX data services maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: opensearch_domain
short_description: Manage Amazon OpenSearch Service domains
version_added: 0.1.0
description:
  - Create, update and delete an Amazon OpenSearch Service domain, idempotently.
  - Written because M(community.aws.opensearch) (community.aws 10) cannot be run twice without a change; it
    compares the access policy the wrong way round (an unchanged policy is always re-sent, a changed one is never
    applied) and re-sends the master user password on every run. It also has no log publishing, gp3 throughput,
    off-peak window or diff support. See C(docs/opensearch.md) in the collection.
  - Only the options given are managed; an option left out keeps the domain's current value.
  - Changes are sent in one C(UpdateDomainConfig) call holding only the sections that differ, so a run with
    nothing to change makes no mutating call.
  - Options AWS cannot change in place (turning off at-rest encryption, node-to-node encryption or fine-grained
    access control, the at-rest KMS key, VPC versus public access, the VPC) are refused with a message before any
    mutating call; they need a new domain.
  - Instance type, instance count, dedicated masters and volume changes are made in place by
    C(UpdateDomainConfig); AWS applies them with a blue/green deployment (new nodes, the data copied over, the old
    nodes removed), during which the domain keeps its endpoint and answers.
  - Engine upgrades go through C(UpgradeDomain), only to a version that C(GetCompatibleVersions) lists for the
    domain; a major one only with O(allow_major_version_upgrade=true).
author:
  - Open edX data services maintainers (@openedx)
options:
  domain_name:
    description:
      - The domain name, 3-28 lower case letters, digits or hyphens, starting with a letter.
    type: str
    required: true
    aliases: [name]
  state:
    description:
      - V(present) creates or updates the domain, V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
  engine_version:
    description:
      - The engine version, for example V(OpenSearch_2.13).
      - A later version on an existing domain is an in-place upgrade (C(UpgradeDomain)), made first when other
        options change too; it must be one that C(GetCompatibleVersions) lists for the domain (for example
        OpenSearch 2.x to a later 2.x, 2.19 to 3.x). A major upgrade (V(OpenSearch_2.19) to V(OpenSearch_3.1))
        needs O(allow_major_version_upgrade=true). An earlier version is refused (AWS cannot downgrade).
      - The module waits for an upgrade to finish before it changes anything else, whatever O(wait) says.
    type: str
  allow_major_version_upgrade:
    description:
      - Whether an upgrade to another major version (or from Elasticsearch to OpenSearch) may be made.
      - OpenSearch Service takes a snapshot of its own before upgrading; check the latest automated snapshot (see
        M(openedx.data_services.opensearch_snapshot_info)) and the clients first, since an upgrade cannot be undone.
    type: bool
    default: false
  instance_type:
    description:
      - The data node instance type, for example V(r6g.large.search).
      - Required when creating a domain.
    type: str
  instance_count:
    description:
      - The number of data nodes. With zone awareness, a multiple of O(availability_zone_count).
    type: int
  dedicated_master:
    description:
      - Whether the domain has dedicated master nodes.
    type: bool
  dedicated_master_type:
    description:
      - The dedicated master instance type. Required with O(dedicated_master=true).
    type: str
  dedicated_master_count:
    description:
      - The number of dedicated master nodes.
    type: int
    choices: [3, 5]
  zone_awareness:
    description:
      - Whether data nodes are spread over several availability zones.
    type: bool
  availability_zone_count:
    description:
      - The number of availability zones with O(zone_awareness=true). AWS defaults to 2.
    type: int
    choices: [2, 3]
  multi_az_with_standby:
    description:
      - Whether one of the zones holds standby nodes (needs dedicated masters and 3 zones).
    type: bool
  volume_type:
    description:
      - The EBS volume type of the data nodes.
    type: str
    choices: [gp3, gp2, io1, standard]
  volume_size:
    description:
      - The EBS volume size of each data node, in GiB (the maximum depends on the instance type).
    type: int
  iops:
    description:
      - The provisioned IOPS (V(gp3) 3000-16000, V(io1)). AWS uses 3000 for V(gp3) when omitted.
    type: int
  throughput:
    description:
      - The V(gp3) throughput in MiB/s (125-1000). AWS uses 125 when omitted.
    type: int
  subnet_ids:
    description:
      - The subnets of a VPC domain, one per availability zone. A domain without subnets is public.
      - Only settable on creation as far as VPC versus public goes; the subnets of a VPC domain can change.
    type: list
    elements: str
  security_group_ids:
    description:
      - The security groups of a VPC domain.
    type: list
    elements: str
  encryption_at_rest:
    description:
      - Whether data at rest is encrypted. Cannot be turned off once on.
    type: bool
  kms_key_id:
    description:
      - The KMS key (id, ARN, alias or alias ARN) for encryption at rest. Only set on creation; a different key on
        an existing domain fails.
    type: str
  node_to_node_encryption:
    description:
      - Whether traffic between nodes is encrypted (TLS). Cannot be turned off once on.
    type: bool
  enforce_https:
    description:
      - Whether the endpoint only answers HTTPS.
    type: bool
  tls_security_policy:
    description:
      - The TLS policy of the endpoint; the C(Min-TLS-1-2) policies refuse clients older than TLS 1.2.
    type: str
    choices: [Policy-Min-TLS-1-0-2019-07, Policy-Min-TLS-1-2-2019-07, Policy-Min-TLS-1-2-PFS-2023-10,
              Policy-Min-TLS-1-2-RFC9151-FIPS-2024-08]
  fine_grained_access_control:
    description:
      - Whether fine-grained access control (the security plugin) is enabled. Needs node-to-node encryption,
        encryption at rest and O(enforce_https=true). Cannot be turned off once on.
    type: bool
  internal_user_database:
    description:
      - Whether the master user lives in the domain's internal user database (O(master_user_name) and
        O(master_user_password)); V(false) makes an IAM principal the master (O(master_user_arn)).
    type: bool
  master_user_name:
    description:
      - The master user of the internal user database.
    type: str
  master_user_password:
    description:
      - The master user's password; 8-128 characters with upper and lower case letters, a digit and a special
        character. AWS never returns it, so it can not be compared; see O(update_password).
    type: str
  master_user_arn:
    description:
      - The IAM role or user ARN that is the master, with O(internal_user_database=false).
    type: str
  update_password:
    description:
      - V(on_create) sends the master user (and password) only when the domain is created or fine-grained access
        control is turned on. V(always) sends it on every run, which always reports a change (use it to rotate).
    type: str
    choices: [always, on_create]
    default: on_create
  access_policies:
    description:
      - The domain's resource-based access policy, as a dict (or its JSON). Compared as a policy, so key order and
        single-element lists do not matter.
    type: json
  log_publishing:
    description:
      - Which logs go to which CloudWatch Logs log groups. When given, the list is exact and an enabled log type
        left out is disabled; when omitted, log publishing is left as it is.
      - The log groups need a CloudWatch Logs resource policy letting C(es.amazonaws.com) create log streams and
        put log events, or AWS refuses the request.
    type: list
    elements: dict
    suboptions:
      log_type:
        description:
          - The log.
        type: str
        required: true
        choices: [INDEX_SLOW_LOGS, SEARCH_SLOW_LOGS, ES_APPLICATION_LOGS, AUDIT_LOGS]
      log_group_arn:
        description:
          - The log group ARN. Required when O(log_publishing[].enabled=true).
        type: str
      enabled:
        description:
          - Whether the log is published.
        type: bool
        default: true
  advanced_options:
    description:
      - Advanced cluster settings (C(rest.action.multi.allow_explicit_index), C(indices.fielddata.cache.size)...).
        Only the keys given are compared and changed. Values are strings.
    type: dict
  off_peak_window_start:
    description:
      - The UTC start (HH:MM) of the daily 10-hour off-peak window in which AWS applies service software updates
        and Auto-Tune changes.
    type: str
  auto_software_update:
    description:
      - Whether service software updates are applied automatically in the off-peak window.
    type: bool
  wait:
    description:
      - Whether to wait until the domain is ready (created, not processing, with an endpoint) or deleted.
      - Leave V(false) to start several creations at once and wait for all of them with
        M(openedx.data_services.wait_for_resources).
    type: bool
    default: false
  wait_timeout:
    description:
      - How many seconds to wait. A domain with dedicated masters takes about 20 minutes to create.
    type: int
    default: 3600
notes:
  - Cognito, SAML and JWT authentication, UltraWarm/cold storage, custom endpoints, Auto-Tune and engine version
    upgrades are not managed by this module.
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
    description: Shows the domain's settings before and after; the master password never appears.
"""

EXAMPLES = r"""
- name: Create a production VPC domain (does not wait)
  openedx.data_services.opensearch_domain:
    domain_name: openedx-prod-search
    engine_version: OpenSearch_2.13
    instance_type: r6g.large.search
    instance_count: 3
    dedicated_master: true
    dedicated_master_type: m6g.large.search
    dedicated_master_count: 3
    zone_awareness: true
    availability_zone_count: 3
    volume_type: gp3
    volume_size: 100
    throughput: 250
    subnet_ids: [subnet-0a, subnet-0b, subnet-0c]
    security_group_ids: [sg-0123456789abcdef0]
    encryption_at_rest: true
    kms_key_id: alias/openedx-prod
    node_to_node_encryption: true
    enforce_https: true
    tls_security_policy: Policy-Min-TLS-1-2-PFS-2023-10
    fine_grained_access_control: true
    internal_user_database: true
    master_user_name: admin
    master_user_password: "{{ vault_opensearch_master_password }}"
    access_policies:
      Version: "2012-10-17"
      Statement:
        - Effect: Allow
          Principal: {AWS: "arn:aws:iam::123456789012:root"}
          Action: "es:ESHttp*"
          Resource: "arn:aws:es:us-east-1:123456789012:domain/openedx-prod-search/*"
    log_publishing:
      - log_type: ES_APPLICATION_LOGS
        log_group_arn: arn:aws:logs:us-east-1:123456789012:log-group:/aws/opensearch/openedx-prod-search/application
    tags:
      environment: prod

- name: Rotate the master password
  openedx.data_services.opensearch_domain:
    domain_name: openedx-prod-search
    fine_grained_access_control: true
    internal_user_database: true
    master_user_name: admin
    master_user_password: "{{ vault_opensearch_new_master_password }}"
    update_password: always

- name: Delete a test domain and wait until it is gone
  openedx.data_services.opensearch_domain:
    domain_name: openedx-test-search
    state: absent
    wait: true
"""

RETURN = r"""
domain:
  description: The domain (empty after deletion). The master password is never returned.
  returned: always
  type: dict
  contains:
    domain_name:
      description: The domain name.
      type: str
      sample: openedx-prod-search
    arn:
      description: The domain ARN.
      type: str
    domain_id:
      description: The domain id, C(<account>/<name>).
      type: str
    engine_version:
      description: The engine version.
      type: str
      sample: OpenSearch_2.13
    processing:
      description: Whether a creation, configuration change or upgrade is in progress.
      type: bool
    domain_processing_status:
      description: C(Creating), C(Active), C(Modifying), C(Deleting)...
      type: str
    endpoint:
      description: The domain endpoint host name (the VPC endpoint of a VPC domain); absent while creating.
      type: str
      sample: vpc-openedx-prod-search-abc123.us-east-1.es.amazonaws.com
    instance_type:
      description: The data node instance type.
      type: str
    instance_count:
      description: The number of data nodes.
      type: int
    dedicated_master:
      description: Whether the domain has dedicated masters.
      type: bool
    dedicated_master_type:
      description: The dedicated master instance type.
      type: str
    dedicated_master_count:
      description: The number of dedicated masters.
      type: int
    zone_awareness:
      description: Whether zone awareness is on.
      type: bool
    availability_zone_count:
      description: The number of zones with zone awareness.
      type: int
    multi_az_with_standby:
      description: Whether Multi-AZ with standby is on.
      type: bool
    volume_type:
      description: The EBS volume type.
      type: str
    volume_size:
      description: The EBS volume size in GiB.
      type: int
    iops:
      description: The provisioned IOPS.
      type: int
    throughput:
      description: The gp3 throughput in MiB/s.
      type: int
    vpc_id:
      description: The VPC of a VPC domain.
      type: str
    subnet_ids:
      description: The subnets of a VPC domain.
      type: list
      elements: str
    security_group_ids:
      description: The security groups of a VPC domain.
      type: list
      elements: str
    availability_zones:
      description: The availability zones of a VPC domain.
      type: list
      elements: str
    encryption_at_rest:
      description: Whether data at rest is encrypted.
      type: bool
    kms_key_id:
      description: The KMS key ARN of encryption at rest.
      type: str
    node_to_node_encryption:
      description: Whether node-to-node encryption is on.
      type: bool
    enforce_https:
      description: Whether only HTTPS is answered.
      type: bool
    tls_security_policy:
      description: The endpoint's TLS policy.
      type: str
    fine_grained_access_control:
      description: Whether fine-grained access control is on.
      type: bool
    internal_user_database:
      description: Whether the internal user database is on.
      type: bool
    access_policies:
      description: The access policy.
      type: dict
    log_publishing:
      description: The log publishing options.
      type: list
      elements: dict
    advanced_options:
      description: The advanced options.
      type: dict
    off_peak_window_start:
      description: The UTC start of the off-peak window.
      type: str
    auto_software_update:
      description: Whether software updates are automatic.
      type: bool
    tags:
      description: The domain's tags.
      type: dict
resource:
  description:
    - The domain as it was last read, in the shape M(openedx.data_services.wait_for_resources) returns, so that a
      caller need not wait for (nor read again) a domain found ready. Its C(ready) is true when it is created, has
      an endpoint and processes no change (status C(active)).
  returned: unless O(state=absent)
  type: dict
  contains:
    status:
      description: The status, lower case; C(absent) when the domain does not exist.
      type: str
    ready:
      description: Whether the domain is ready.
      type: bool
    failed:
      description: Whether the domain is in a state it will not leave by waiting.
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

import json

from ansible_collections.openedx.data_services.plugins.module_utils import engine, resources
from ansible_collections.openedx.data_services.plugins.module_utils.common import (
    ReplacementRequired,
    refuse_kms_key_change,
)
from ansible_collections.openedx.data_services.plugins.module_utils.modules import DataServicesAWSModule
from ansible_collections.openedx.data_services.plugins.module_utils.opensearch import (
    LOG_TYPES,
    TLS_POLICIES,
    compatible_versions,
    create_domain,
    delete_domain,
    describe_domain,
    desired_log_publishing,
    domain_state,
    engine_change,
    list_tags,
    log_publishing_request,
    off_peak_request,
    policies_differ,
    update_domain_config,
    update_tags,
    upgrade_domain,
    validate_domain_params,
)

# (option, ClusterConfig field) pairs.
_CLUSTER_FIELDS = (
    ("instance_type", "InstanceType"),
    ("instance_count", "InstanceCount"),
    ("dedicated_master", "DedicatedMasterEnabled"),
    ("dedicated_master_type", "DedicatedMasterType"),
    ("dedicated_master_count", "DedicatedMasterCount"),
    ("zone_awareness", "ZoneAwarenessEnabled"),
    ("multi_az_with_standby", "MultiAZWithStandbyEnabled"),
)
_EBS_FIELDS = (("volume_type", "VolumeType"), ("volume_size", "VolumeSize"), ("iops", "Iops"),
               ("throughput", "Throughput"))


def _policy_param(value):
    if value is None or isinstance(value, dict):
        return value
    return json.loads(value) if value else {}


def cluster_config(values):
    """ClusterConfig from option values (None: left out)."""
    config = {pair[1]: values[pair[0]] for pair in _CLUSTER_FIELDS if values.get(pair[0]) is not None}
    if values.get("zone_awareness") and values.get("availability_zone_count"):
        config["ZoneAwarenessConfig"] = {"AvailabilityZoneCount": values["availability_zone_count"]}
    if not values.get("dedicated_master"):
        config.pop("DedicatedMasterType", None)
        config.pop("DedicatedMasterCount", None)
    return config


def ebs_options(values):
    config = {pair[1]: values[pair[0]] for pair in _EBS_FIELDS if values.get(pair[0]) is not None}
    return dict(config, EBSEnabled=True) if config else {}


def master_user_options(params):
    if params["internal_user_database"] is False or params["master_user_arn"]:
        return {"MasterUserARN": params["master_user_arn"]}
    return {"MasterUserName": params["master_user_name"], "MasterUserPassword": params["master_user_password"]}


def security_options(params, internal_default):
    internal = params["internal_user_database"]
    if internal is None:
        internal = internal_default
    return {"Enabled": True, "InternalUserDatabaseEnabled": internal, "MasterUserOptions": master_user_options(params)}


def create_request(params):
    request = {"DomainName": params["domain_name"], "EngineVersion": params["engine_version"],
               "ClusterConfig": cluster_config(params)}
    ebs = ebs_options(params)
    if ebs:
        request["EBSOptions"] = ebs
    if params["subnet_ids"]:
        request["VPCOptions"] = {"SubnetIds": params["subnet_ids"], "SecurityGroupIds": params["security_group_ids"]
                                 or []}
    if params["encryption_at_rest"] is not None:
        request["EncryptionAtRestOptions"] = {"Enabled": params["encryption_at_rest"]}
        if params["kms_key_id"]:
            request["EncryptionAtRestOptions"]["KmsKeyId"] = params["kms_key_id"]
    if params["node_to_node_encryption"] is not None:
        request["NodeToNodeEncryptionOptions"] = {"Enabled": params["node_to_node_encryption"]}
    endpoint = {k: v for k, v in (("EnforceHTTPS", params["enforce_https"]),
                                  ("TLSSecurityPolicy", params["tls_security_policy"])) if v is not None}
    if endpoint:
        request["DomainEndpointOptions"] = endpoint
    if params["fine_grained_access_control"]:
        request["AdvancedSecurityOptions"] = security_options(params, internal_default=not params["master_user_arn"])
    if params["access_policies"] is not None:
        request["AccessPolicies"] = json.dumps(_policy_param(params["access_policies"]))
    if params["log_publishing"]:
        request["LogPublishingOptions"] = log_publishing_request([], desired_log_publishing(params["log_publishing"]))
    if params["advanced_options"]:
        request["AdvancedOptions"] = {k: str(v) for k, v in params["advanced_options"].items()}
    if params["off_peak_window_start"]:
        request["OffPeakWindowOptions"] = off_peak_request(params["off_peak_window_start"])
    if params["auto_software_update"] is not None:
        request["SoftwareUpdateOptions"] = {"AutoSoftwareUpdateEnabled": params["auto_software_update"]}
    if params["tags"]:
        request["TagList"] = [{"Key": k, "Value": v} for k, v in params["tags"].items()]
    return {k: v for k, v in request.items() if v is not None}


def predicted_state(params):
    """What a domain created from ``params`` looks like, for check mode and the diff."""
    subnets = params["subnet_ids"] or []
    return {
        "domain_name": params["domain_name"],
        "engine_version": params["engine_version"],
        "processing": True,
        "domain_processing_status": "Creating",
        "endpoint": None,
        "instance_type": params["instance_type"],
        "instance_count": params["instance_count"] or 1,
        "dedicated_master": bool(params["dedicated_master"]),
        "dedicated_master_type": params["dedicated_master_type"] if params["dedicated_master"] else None,
        "dedicated_master_count": params["dedicated_master_count"] if params["dedicated_master"] else None,
        "zone_awareness": bool(params["zone_awareness"]),
        "availability_zone_count": (params["availability_zone_count"] or 2) if params["zone_awareness"] else None,
        "multi_az_with_standby": bool(params["multi_az_with_standby"]),
        "volume_type": params["volume_type"],
        "volume_size": params["volume_size"],
        "iops": params["iops"],
        "throughput": params["throughput"],
        "subnet_ids": sorted(subnets),
        "security_group_ids": sorted(params["security_group_ids"] or []),
        "encryption_at_rest": bool(params["encryption_at_rest"]),
        "kms_key_id": params["kms_key_id"],
        "node_to_node_encryption": bool(params["node_to_node_encryption"]),
        "enforce_https": bool(params["enforce_https"]),
        "tls_security_policy": params["tls_security_policy"],
        "fine_grained_access_control": bool(params["fine_grained_access_control"]),
        "internal_user_database": bool(params["fine_grained_access_control"]) and not params["master_user_arn"]
        and params["internal_user_database"] is not False,
        "access_policies": _policy_param(params["access_policies"]) or {},
        "log_publishing": desired_log_publishing(params["log_publishing"] or []),
        "advanced_options": {k: str(v) for k, v in (params["advanced_options"] or {}).items()},
        "off_peak_window_start": params["off_peak_window_start"],
        "auto_software_update": bool(params["auto_software_update"]),
        "tags": params["tags"] or {},
    }


def check_engine_change(params, current, client):
    """The version to upgrade to (None: no upgrade); refuses what AWS or the settings do not allow."""
    name, wanted, actual = current["domain_name"], params["engine_version"], current["engine_version"]
    kind = engine_change(wanted, actual)
    if kind == "none":
        return None
    if kind == "downgrade":
        raise ReplacementRequired(
            f"engine_version {wanted} is older than domain {name}'s {actual}: OpenSearch Service cannot downgrade. "
            f"Keep engine_version {actual}, or make a new domain with the older version and index the data again.")
    if kind == "major" and not params["allow_major_version_upgrade"]:
        raise ReplacementRequired(
            f"engine_version {wanted} is a major upgrade of domain {name} (now {actual}), which cannot be undone; "
            "check the clients and the latest snapshot, then set allow_major_version_upgrade (the opensearch role: "
            "opensearch_allow_major_version_upgrade=true).")
    targets = compatible_versions(client, name)
    if wanted not in targets:
        raise ReplacementRequired(
            f"domain {name} cannot be upgraded from {actual} to {wanted} in place; OpenSearch Service upgrades it to "
            f"{', '.join(targets) or 'no other version'} (upgrade in steps, e.g. to OpenSearch_2.19 before 3.x).")
    return wanted


def check_immutable(params, current, kms_client):
    name = current["domain_name"]
    if params["encryption_at_rest"] is False and current["encryption_at_rest"]:
        raise ReplacementRequired(f"encryption_at_rest cannot be turned off on domain {name}.")
    if params["node_to_node_encryption"] is False and current["node_to_node_encryption"]:
        raise ReplacementRequired(f"node_to_node_encryption cannot be turned off on domain {name}.")
    if params["fine_grained_access_control"] is False and current["fine_grained_access_control"]:
        raise ReplacementRequired(f"fine_grained_access_control cannot be turned off on domain {name}.")
    if params["subnet_ids"] is not None and bool(params["subnet_ids"]) != bool(current["vpc_id"]):
        raise ReplacementRequired(f"domain {name} cannot move between public and VPC access; it has to be replaced.")
    if current["encryption_at_rest"]:
        refuse_kms_key_change(kms_client, f"domain {name}", params["kms_key_id"], current["kms_key_id"],
                              "a new domain restored from a snapshot is needed.")


def config_changes(params, current):
    """(UpdateDomainConfig sections, the same changes in option names) for an existing domain."""
    request, after = {}, {}
    options = [pair[0] for pair in _CLUSTER_FIELDS] + ["availability_zone_count"]
    cluster_changes = {o: params[o] for o in options if params[o] is not None and params[o] != current[o]}
    if cluster_changes:
        merged = dict({o: current[o] for o in options}, **cluster_changes)
        request["ClusterConfig"] = cluster_config(merged)
        after.update(cluster_changes)
    ebs_options_names = [pair[0] for pair in _EBS_FIELDS]
    ebs_changes = {o: params[o] for o in ebs_options_names if params[o] is not None and params[o] != current[o]}
    if ebs_changes:
        request["EBSOptions"] = ebs_options(dict({o: current[o] for o in ebs_options_names}, **ebs_changes))
        after.update(ebs_changes)
    vpc = {}
    if params["subnet_ids"] and sorted(set(params["subnet_ids"])) != current["subnet_ids"]:
        vpc["SubnetIds"] = params["subnet_ids"]
        after["subnet_ids"] = sorted(set(params["subnet_ids"]))
    if params["security_group_ids"] is not None and current["vpc_id"] \
            and sorted(set(params["security_group_ids"])) != current["security_group_ids"]:
        vpc["SecurityGroupIds"] = params["security_group_ids"]
        after["security_group_ids"] = sorted(set(params["security_group_ids"]))
    if vpc:
        request["VPCOptions"] = vpc
    if params["encryption_at_rest"] and not current["encryption_at_rest"]:
        request["EncryptionAtRestOptions"] = {"Enabled": True}
        if params["kms_key_id"]:
            request["EncryptionAtRestOptions"]["KmsKeyId"] = params["kms_key_id"]
        after["encryption_at_rest"] = True
    if params["node_to_node_encryption"] and not current["node_to_node_encryption"]:
        request["NodeToNodeEncryptionOptions"] = {"Enabled": True}
        after["node_to_node_encryption"] = True
    endpoint_changes = {o: params[o] for o in ("enforce_https", "tls_security_policy")
                        if params[o] is not None and params[o] != current[o]}
    if endpoint_changes:
        request["DomainEndpointOptions"] = {"EnforceHTTPS": endpoint_changes.get("enforce_https",
                                                                                 current["enforce_https"]),
                                            "TLSSecurityPolicy": endpoint_changes.get("tls_security_policy",
                                                                                      current["tls_security_policy"])}
        after.update(endpoint_changes)
    turn_on = params["fine_grained_access_control"] and not current["fine_grained_access_control"]
    if turn_on or (params["fine_grained_access_control"] and params["update_password"] == "always"):
        request["AdvancedSecurityOptions"] = security_options(params, current["internal_user_database"] or turn_on)
        after["fine_grained_access_control"] = True
        after["master_user"] = "(updated by this run)"
    if params["access_policies"] is not None:
        desired = _policy_param(params["access_policies"])
        if policies_differ(current["access_policies"], desired):
            request["AccessPolicies"] = json.dumps(desired)
            after["access_policies"] = desired
    if params["log_publishing"] is not None:
        desired = desired_log_publishing(params["log_publishing"])
        changes = log_publishing_request(current["log_publishing"], desired)
        if changes:
            request["LogPublishingOptions"] = changes
            after["log_publishing"] = sorted(
                [e for e in current["log_publishing"] if e["log_type"] not in changes]
                + [{"log_type": t, "log_group_arn": o.get("CloudWatchLogsLogGroupArn"), "enabled": o["Enabled"]}
                   for t, o in changes.items()], key=lambda e: e["log_type"])
    if params["advanced_options"]:
        wanted = {k: str(v) for k, v in params["advanced_options"].items()}
        if any(current["advanced_options"].get(k) != v for k, v in wanted.items()):
            request["AdvancedOptions"] = dict(current["advanced_options"], **wanted)
            after["advanced_options"] = request["AdvancedOptions"]
    if params["off_peak_window_start"] and params["off_peak_window_start"] != current["off_peak_window_start"]:
        request["OffPeakWindowOptions"] = off_peak_request(params["off_peak_window_start"])
        after["off_peak_window_start"] = params["off_peak_window_start"]
    if params["auto_software_update"] is not None and params["auto_software_update"] != current["auto_software_update"]:
        request["SoftwareUpdateOptions"] = {"AutoSoftwareUpdateEnabled": params["auto_software_update"]}
        after["auto_software_update"] = params["auto_software_update"]
    return request, after


class Domain(engine.Resource):
    kind = "opensearch_domain"
    result_key = "domain"
    diff_hidden = ("processing", "domain_processing_status", "endpoint", "created", "deleted")

    @property
    def name(self):
        return self.params["domain_name"]

    def read(self):
        domain = describe_domain(self.client, self.name)
        self.readiness = resources.opensearch_domain_state(domain) if domain else resources.absent()
        return domain_state(domain, list_tags(self.client, domain["ARN"])) if domain else None

    def plan_create(self):
        params = self.params
        missing = [o for o in ("instance_type",) if not params[o]]
        if params["fine_grained_access_control"] and not params["master_user_arn"] \
                and not (params["master_user_name"] and params["master_user_password"]):
            missing.append("master_user_name and master_user_password (or master_user_arn)")
        if missing:
            self.module.fail_json(msg=f"Creating domain {self.name} needs {' and '.join(missing)}.")
        plan = engine.Plan(predicted_state(params))
        plan.call(lambda: create_domain(self.client, **create_request(params)))
        if params["wait"]:
            plan.call(self.wait)
        return plan

    def plan_update(self, current):
        params = self.params
        if current["deleted"]:
            self.module.fail_json(msg=f"Domain {self.name} is being deleted; run again once it is gone.")
        check_immutable(params, current, self.kms_client)
        target = check_engine_change(params, current, self.client)
        request, after = config_changes(params, current)
        plan = engine.Plan(after)
        if target:
            # AWS refuses a configuration change while it upgrades: upgrade first, wait, then change the rest.
            plan.change("engine_version", target)
            if current["processing"]:
                plan.call(self.wait)
            plan.call(lambda: upgrade_domain(self.client, self.name, target))
            if request:
                plan.call(self.wait)
        if request:
            plan.call(lambda: update_domain_config(self.client, DomainName=self.name, **request))
        self.plan_tags(plan, current, update_tags)
        if plan and params["wait"]:
            plan.call(self.wait)
        return plan

    def settle(self, current):
        if self.params["wait"] and current["processing"]:
            self.wait()
            return True
        return False

    def plan_delete(self, current):
        plan = engine.Plan()
        if not current["deleted"]:
            plan.call(lambda: delete_domain(self.client, self.name))
        if plan and self.params["wait"]:
            plan.call(lambda: self.wait("absent"))
        elif self.params["wait"] and not self.module.check_mode:
            self.wait("absent")
        return plan


def main():
    argument_spec = dict(
        domain_name=dict(type="str", required=True, aliases=["name"]),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        engine_version=dict(type="str"),
        allow_major_version_upgrade=dict(type="bool", default=False),
        instance_type=dict(type="str"),
        instance_count=dict(type="int"),
        dedicated_master=dict(type="bool"),
        dedicated_master_type=dict(type="str"),
        dedicated_master_count=dict(type="int", choices=[3, 5]),
        zone_awareness=dict(type="bool"),
        availability_zone_count=dict(type="int", choices=[2, 3]),
        multi_az_with_standby=dict(type="bool"),
        volume_type=dict(type="str", choices=["gp3", "gp2", "io1", "standard"]),
        volume_size=dict(type="int"),
        iops=dict(type="int"),
        throughput=dict(type="int"),
        subnet_ids=dict(type="list", elements="str"),
        security_group_ids=dict(type="list", elements="str"),
        encryption_at_rest=dict(type="bool"),
        kms_key_id=dict(type="str"),
        node_to_node_encryption=dict(type="bool"),
        enforce_https=dict(type="bool"),
        tls_security_policy=dict(type="str", choices=list(TLS_POLICIES)),
        fine_grained_access_control=dict(type="bool"),
        internal_user_database=dict(type="bool"),
        master_user_name=dict(type="str"),
        master_user_password=dict(type="str", no_log=True),
        master_user_arn=dict(type="str"),
        update_password=dict(type="str", choices=["always", "on_create"], default="on_create", no_log=False),
        access_policies=dict(type="json"),
        log_publishing=dict(
            type="list",
            elements="dict",
            options=dict(
                log_type=dict(type="str", required=True, choices=list(LOG_TYPES)),
                log_group_arn=dict(type="str"),
                enabled=dict(type="bool", default=True),
            ),
        ),
        advanced_options=dict(type="dict"),
        off_peak_window_start=dict(type="str"),
        auto_software_update=dict(type="bool"),
        wait=dict(type="bool", default=False),
        wait_timeout=dict(type="int", default=3600),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )
    module = DataServicesAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    problem = validate_domain_params(module.params)
    if problem:
        module.fail_json(msg=problem)
    engine.run(Domain(module, module.client("opensearch")))


if __name__ == "__main__":
    main()
