"""Bad input fails before any mutating AWS call, with a message naming the variable and what is allowed.

The checks that need no AWS call run in the playbook's first play, each host on its own inputs: one run of the real
playbook over an inventory with one host per case (each naming its service in data_services_service) covers them
all. The checks against what AWS holds (the subnets, the VPC) run once per environment: one run per case.
"""

from __future__ import annotations

import re

import pytest
import yaml
from conftest import CA_BUNDLE, ROOT, ledger, recap, run_playbook, sandbox

ONE_ZONE = ["subnet-0d5a0000000000a01"]
LOCAL_SUBNETS = ["subnet-0d5a0000000000a01", "subnet-0d5a0000000000a02", "subnet-0d5a0000000000a03"]
# Seeded by the sandbox beside the local inventory's subnets, in the zone of the first one (us-east-1a).
SPARE_IN_ZONE_A = "subnet-0d5a0000000000a04"

CASES = {
    "instance class without db. prefix": ({"rds_mysql_instance_class": "m5.large"}, "rds_mysql_instance_class"),
    "instance class with unknown size": ({"rds_mysql_instance_class": "db.r6g.huge"}, "rds_mysql_instance_class"),
    "backup retention above 35": ({"rds_mysql_backup_retention_days": 36}, "rds_mysql_backup_retention_days"),
    "negative backup retention": ({"rds_mysql_backup_retention_days": -1}, "rds_mysql_backup_retention_days"),
    "no backups in prod": ({"rds_mysql_backup_retention_days": 0}, "rds_mysql_backup_retention_days"),
    "short master password": ({"rds_mysql_master_password": "Short1pass"}, "rds_mysql_master_password"),
    "master password without upper case": (
        {"rds_mysql_master_password": "alllowercaseletters123"}, "rds_mysql_master_password"),
    "master password with a slash": (
        {"rds_mysql_master_password": "Has/Slash-And-Long-Enough-123"}, "rds_mysql_master_password"),
    "master password too long": ({"rds_mysql_master_password": "Aa1" * 14}, "rds_mysql_master_password"),
    "app password with an at sign": (
        {"rds_mysql_users": [{"name": "edxapp001", "databases": ["edxapp"], "password": "Openedx@Password-2024"}]},
        "rds_mysql_users[].password"),
    "the whole internet as a source": ({"network_allowed_cidrs": ["0.0.0.0/0"]}, "network_allowed_cidrs"),
    "a source wider than the VPC": ({"network_allowed_cidrs": ["10.0.0.0/8"]}, "network_allowed_cidrs"),
    "a malformed CIDR": ({"network_allowed_cidrs": ["10.42.1.5/24"]}, "network_allowed_cidrs"),
    "no subnets": ({"data_services_private_subnet_ids": []}, "data_services_private_subnet_ids"),
    "one-zone subnets with Multi-AZ": ({"data_services_private_subnet_ids": ONE_ZONE},
                                       "data_services_private_subnet_ids"),
    "a subnet that does not exist": ({"data_services_private_subnet_ids": ["subnet-0d5a00000000000ff"]},
                                     "data_services_private_subnet_ids"),
    "unknown environment name": ({"data_services_environment": "staging"}, "data_services_environment"),
    "unknown profile": ({"data_services_profile": "production"}, "data_services_profile"),
    "a VPC that does not exist": ({"data_services_vpc_id": "vpc-0d5a00000000000ff"}, "data_services_vpc_id"),
    "malformed platform security group": ({"data_services_platform_security_group_ids": ["sg-nodes"]},
                                          "data_services_platform_security_group_ids"),
    "storage below the minimum": ({"rds_mysql_allocated_storage": 10}, "rds_mysql_allocated_storage"),
    "autoscaling ceiling below the storage": ({"rds_mysql_max_allocated_storage": 50},
                                              "rds_mysql_max_allocated_storage"),
    "TLS turned off in the parameters": (
        {"rds_mysql_parameters": {"require_secure_transport": "0", "character_set_server": "utf8mb4"}},
        "rds_mysql_parameters"),
    "unknown log export": ({"rds_mysql_log_exports": ["error", "bogus"]}, "rds_mysql_log_exports"),
    "monitoring interval AWS does not offer": ({"rds_mysql_monitoring_interval": 7}, "rds_mysql_monitoring_interval"),
    "log retention CloudWatch does not offer": ({"data_services_log_retention_days": 42},
                                                "data_services_log_retention_days"),
    "identifier with upper case and underscore": ({"rds_mysql_identifier": "Bad_Name"}, "rds_mysql_identifier"),
    "MySQL identifier too long for its monitoring role's name": ({"rds_mysql_identifier": "m" * 54},
                                                                 "rds_mysql_identifier"),
    "malformed KMS key ARN": ({"kms_key_arn": "my-key"}, "kms_key_arn"),
    "reserved master user name": ({"rds_mysql_master_username": "rdsadmin"}, "rds_mysql_master_username"),
    "user granted a database that is not created": (
        {"rds_mysql_users": [{"name": "openedx", "databases": ["missing"]}]}, "rds_mysql_users"),
    "a 30-minute backup window": ({"data_services_backup_window": "03:00-03:30"}, "data_services_backup_window"),
    "a backup window over the maintenance window": ({"data_services_backup_window": "04:30-05:30"},
                                                    "data_services_backup_window"),
    "a 30-minute maintenance window": ({"data_services_maintenance_window": "mon:04:00-mon:04:30"},
                                       "data_services_maintenance_window"),
    "MySQL log retention CloudWatch does not offer": ({"rds_mysql_log_retention_days": 42},
                                                      "rds_mysql_log_retention_days"),
    "a burstable class without Performance Insights": ({"rds_mysql_instance_class": "db.t3.micro"},
                                                       "rds_mysql_instance_class"),
    "autoscaling ceiling under 110 % of the storage": (
        {"rds_mysql_allocated_storage": 100, "rds_mysql_max_allocated_storage": 105},
        "rds_mysql_max_allocated_storage"),
    "Performance Insights retention of 0": ({"rds_mysql_performance_insights_retention_days": 0},
                                            "rds_mysql_performance_insights_retention_days"),
    "a retired RDS certificate authority": ({"rds_mysql_ca_certificate_identifier": "rds-ca-2019"},
                                            "rds_mysql_ca_certificate_identifier"),
    # The hand-off
    "an unknown platform": ({"data_services_platform": "devstack"}, "data_services_platform"),
    "vault hand-off without a vault password file": ({"data_services_handoff_secrets": "vault"},
                                                     "data_services_handoff_vault_password_file"),
    "a MySQL user of an unknown purpose": (
        {"rds_mysql_users": [{"name": "edxapp001", "databases": ["edxapp"], "purpose": "admin"}]}, "rds_mysql_users"),
    "a Redis database number ElastiCache does not have": ({"connections_edx_configuration_cache_redis_db": 16},
                                                          "connections_edx_configuration_cache_redis_db"),
    "a Kubernetes namespace that is not an RFC 1123 label": ({"connections_k8s_namespace": "Open_edX"},
                                                             "connections_k8s_namespace"),
    "a Kubernetes service account name of 64 characters": ({"connections_k8s_service_account": "a" * 64},
                                                           "connections_k8s_service_account"),
    "an IRSA role ARN naming a user": ({"connections_k8s_irsa_role_arn": "arn:aws:iam::123456789012:user/eso"},
                                       "connections_k8s_irsa_role_arn"),
    "a refresh interval that is not a Go duration": ({"connections_k8s_refresh_interval": "1 hour"},
                                                     "connections_k8s_refresh_interval"),
    # Alarms
    "an alarm subscription of a protocol SNS does not have": (
        {"alarms_subscriptions": [{"protocol": "slack", "endpoint": "#ops"}]}, "alarms_subscriptions"),
    "an alarm subscription's email endpoint that is no address": (
        {"alarms_subscriptions": [{"protocol": "email", "endpoint": "oncall"}]}, "alarms_subscriptions"),
    "a CPU alarm threshold above 100 %": ({"alarms_overrides": {"mysql_cpu_utilization": {"threshold": 120}}},
                                          "alarms_overrides.mysql_cpu_utilization"),
    "an override of an alarm that does not exist": (
        {"alarms_overrides": {"mysql_cpu": {"threshold": 80}}}, "alarms_overrides.mysql_cpu"),
    "an alarm period CloudWatch does not take": ({"alarms_overrides": {"redis_evictions": {"period": 90}}},
                                                 "alarms_overrides.redis_evictions"),
    # Tags
    "a tag value with characters AWS refuses": ({"data_services_tags": {"Owner": "Data & Analytics (ops)"}},
                                                "data_services_tags"),
    "a tag key starting with AWS: in upper case": ({"data_services_tags": {"AWS:owner": "platform"}},
                                                   "data_services_tags"),
    "a tag key longer than a security group takes": ({"data_services_tags": {"k" * 128: "x"}}, "data_services_tags"),
    "a MySQL tag value starting with rds:": ({"rds_mysql_tags": {"app": "rds:mysql"}}, "rds_mysql_tags"),
    "a DocumentDB tag value that is a number": ({"documentdb_tags": {"CostCenter": 1234}}, "documentdb_tags"),
    "a Redis tag value with a comma": ({"redis_tags": {"teams": "cache,search"}}, "redis_tags"),
    "an OpenSearch tag value starting with aws:": ({"opensearch_tags": {"source": "aws:cdk"}}, "opensearch_tags"),
    "a KMS tag key starting with aws:": ({"kms_tags": {"aws:created-by": "platform"}}, "kms_tags"),
    # DocumentDB
    "DocumentDB instance class without db. prefix": ({"documentdb_instance_class": "r6g.large"},
                                                     "documentdb_instance_class"),
    "DocumentDB instance count above 16": ({"documentdb_instance_count": 17}, "documentdb_instance_count"),
    "DocumentDB without backups": ({"documentdb_backup_retention_days": 0}, "documentdb_backup_retention_days"),
    "DocumentDB engine version not pinned": ({"documentdb_engine_version": "5.0"}, "documentdb_engine_version"),
    "DocumentDB TLS turned off in the parameters": (
        {"documentdb_parameters": {"tls": "disabled", "audit_logs": "enabled", "profiler": "enabled"}},
        "documentdb_parameters"),
    "DocumentDB master password with an at sign": (
        {"documentdb_master_password": "Docdb@Password-2024-long"}, "documentdb_master_password"),
    "DocumentDB identifier too long for its instances' identifiers": ({"documentdb_identifier": "d" * 62},
                                                                      "documentdb_identifier"),
    # OpenSearch
    "OpenSearch instance type without .search": ({"opensearch_instance_type": "r6g.large"},
                                                 "opensearch_instance_type"),
    "OpenSearch burstable instance type in prod": ({"opensearch_instance_type": "t3.medium.search"},
                                                   "opensearch_instance_type"),
    "OpenSearch with 4 dedicated masters": ({"opensearch_dedicated_master_count": 4},
                                            "opensearch_dedicated_master_count"),
    "OpenSearch t3 dedicated masters for more than 10 data nodes": (
        {"opensearch_dedicated_master_type": "t3.medium.search", "opensearch_instance_count": 12},
        "opensearch_dedicated_master_type"),
    "OpenSearch zone awareness over too few subnets": (
        {"opensearch_subnet_ids": ["subnet-0d5a0000000000a01", "subnet-0d5a0000000000a02"]}, "opensearch_subnet_ids"),
    "OpenSearch subnets sharing a zone": (
        {"data_services_private_subnet_ids": [*LOCAL_SUBNETS, SPARE_IN_ZONE_A],
         "opensearch_subnet_ids": [LOCAL_SUBNETS[0], SPARE_IN_ZONE_A, LOCAL_SUBNETS[2]]}, "opensearch_subnet_ids"),
    "OpenSearch malformed IAM master ARN": ({"opensearch_master_user_arn": "arn:aws:iam::123:role/search-admin"},
                                            "opensearch_master_user_arn"),
    "OpenSearch role mapping with an assumed-role session as backend role": (
        {"opensearch_role_mappings": [{"role": "openedx_app",
                                       "backend_roles": ["arn:aws:sts::123456789012:assumed-role/edxapp/lms"]}]},
        "opensearch_role_mappings"),
    "OpenSearch role mapping with an IAM user as backend role": (
        {"opensearch_role_mappings": [{"role": "openedx_app",
                                       "backend_roles": ["arn:aws:iam::123456789012:user/lms"]}]},
        "opensearch_role_mappings"),
    "OpenSearch role mapping with an assumed-role session as user": (
        {"opensearch_role_mappings": [{"role": "openedx_app",
                                       "users": ["arn:aws:sts::123456789012:assumed-role/edxapp/lms"]}]},
        "opensearch_role_mappings"),
    "OpenSearch Elasticsearch engine": ({"opensearch_engine_version": "Elasticsearch_7.10"},
                                        "opensearch_engine_version"),
    "OpenSearch TLS 1.0 policy": ({"opensearch_tls_security_policy": "Policy-Min-TLS-1-0-2019-07"},
                                  "opensearch_tls_security_policy"),
    "OpenSearch access policy open to everyone": ({"opensearch_access_principals": ["*"]},
                                                  "opensearch_access_principals"),
    "OpenSearch with more than 10 tags": (
        {"opensearch_tags": {f"team{number}": "search" for number in range(8)}}, "opensearch_tags"),
    "OpenSearch volume above the instance type's gp3 maximum": (
        {"opensearch_instance_type": "m6g.large.search", "opensearch_volume_size": 1500}, "opensearch_volume_size"),
    "OpenSearch instance type without gp3 volumes": ({"opensearch_instance_type": "r6gd.large.search"},
                                                     "opensearch_instance_type"),
    # Redis
    "Redis node type without cache. prefix": ({"redis_node_type": "r7g.large"}, "redis_node_type"),
    "Redis with 7 nodes": ({"redis_num_cache_clusters": 7}, "redis_num_cache_clusters"),
    "Redis snapshot retention above 35": ({"redis_snapshot_retention_days": 36}, "redis_snapshot_retention_days"),
    "Redis without snapshots in prod": ({"redis_snapshot_retention_days": 0}, "redis_snapshot_retention_days"),
    "Redis 5 engine": ({"redis_engine_version": "5.0.6"}, "redis_engine_version"),
    "Redis AUTH token with an at sign": ({"redis_auth_token": "Token@With-At-Sign-2024"}, "redis_auth_token"),
    "Redis automatic failover on a single node": (
        {"redis_num_cache_clusters": 1, "redis_automatic_failover": True, "redis_multi_az": False},
        "redis_automatic_failover"),
    "Redis unknown eviction policy": ({"redis_parameters": {"maxmemory-policy": "lru"}}, "redis_parameters"),
}


# The service whose host checks a variable; the environment-wide ones (data_services_*, kms_*, network_*, secrets_*)
# are checked on every host, so any service will do.
SERVICES = {"rds_mysql_": "mysql", "documentdb_": "documentdb", "opensearch_": "opensearch", "redis_": "redis"}
# The cases refused only once AWS has been read (the subnets, the VPC), with the arguments of their run. The OpenSearch
# subnets' zones are checked where the domain's role starts, after the shared foundation: in check mode, that run
# changes nothing, however it differs from the local environment's subnets.
AWS_CASES = {
    "one-zone subnets with Multi-AZ": (),
    "a subnet that does not exist": (),
    "a VPC that does not exist": (),
    "OpenSearch subnets sharing a zone": ("--check", "--limit", "opensearch"),
}
PURE_CASES = {name: case for name, case in CASES.items() if name not in AWS_CASES}
HOSTS = {name: f"case{number:02d}" for number, name in enumerate(PURE_CASES)}


def service_of(variable: str) -> str:
    return next((service for prefix, service in SERVICES.items() if variable.startswith(prefix)), "mysql")


def first_failure(output: str, host: str) -> str:
    """The host's first failure: its fatal/failed line and the indented result under it."""
    first = re.search(rf"^(fatal|failed): \[{host}\].*\n((?:[ \t].*\n|\n)*)", output, re.MULTILINE)
    assert first, f"no failure of {host} in:\n{output[-3000:]}"
    return first.group(0)


def assert_refused(output: str, host: str, variable: str) -> None:
    assert recap(output, host)["failed"] == 1, output[-2000:]
    failure = first_failure(output, host)
    assert variable in failure, failure[:2000]
    assert any(word in failure for word in ("must", "one of", "should be")), failure[:2000]


@pytest.fixture(scope="module")
def pure_run(tmp_path_factory):
    """One run of the playbook over one host per case, with the local inventory's settings."""
    settings = yaml.safe_load((ROOT / "inventories" / "local" / "group_vars" / "all" / "main.yml").read_text())
    settings.update(data_services_ca_bundle=CA_BUNDLE,
                    data_services_artifacts_dir=str(tmp_path_factory.mktemp("artifacts")),
                    ansible_connection="local", ansible_python_interpreter="{{ ansible_playbook_python }}")
    hosts = {HOSTS[name]: dict(extra_vars, data_services_service=service_of(variable))
             for name, (extra_vars, variable) in PURE_CASES.items()}
    inventory = tmp_path_factory.mktemp("inventory") / "hosts.yml"
    inventory.write_text(yaml.safe_dump({"all": {"children": {"data_services": {"hosts": hosts, "vars": settings}}}}))
    sandbox("reset")
    result = run_playbook(inventory=str(inventory))
    assert result.returncode != 0, result.stdout[-2000:]
    return result.stdout, ledger()


@pytest.mark.parametrize("name", PURE_CASES)
def test_bad_input_fails_before_any_aws_call(pure_run, name):
    output, calls = pure_run
    assert_refused(output, HOSTS[name], PURE_CASES[name][1])
    assert calls["totals"]["mutating"] == 0, calls["mutating"]
    # Refused in the first play: not a single AWS call was made.
    assert calls["totals"]["read"] == 0, calls["read"]


@pytest.mark.parametrize("name", AWS_CASES)
def test_bad_input_against_aws_fails_before_any_change(name):
    extra_vars, variable = CASES[name]
    sandbox("reset")

    result = run_playbook(*AWS_CASES[name], extra_vars=extra_vars)

    assert result.returncode != 0, result.stdout[-2000:]
    # The environment is read once, by whichever host the play runs it on.
    host = re.search(r"^fatal: \[([\w-]+)\]", result.stdout, re.MULTILINE).group(1)
    assert_refused(result.stdout, host, variable)
    calls = ledger()
    assert calls["totals"]["mutating"] == 0, calls["mutating"]
