"""Bad input fails before any mutating AWS call, with a message naming the variable and what is allowed."""

from __future__ import annotations

import pytest
from conftest import ledger, recap, run_playbook, sandbox

ONE_ZONE = ["subnet-0d5a0000000000a01"]

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
        {"rds_mysql_users": [{"name": "openedx", "databases": ["openedx"], "password": "Openedx@Password-2024"}]},
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
    "malformed KMS key ARN": ({"kms_key_arn": "my-key"}, "kms_key_arn"),
    "reserved master user name": ({"rds_mysql_master_username": "rdsadmin"}, "rds_mysql_master_username"),
    "user granted a database that is not created": (
        {"rds_mysql_users": [{"name": "openedx", "databases": ["missing"]}]}, "rds_mysql_users"),
}


# A service's own settings are validated on its host; the environment-wide ones once, on the first host.
HOSTS = {"rds_mysql_": "mysql", "documentdb_": "documentdb", "opensearch_": "opensearch", "redis_": "redis"}


def failing_host(variable: str) -> str:
    return next((host for prefix, host in HOSTS.items() if variable.startswith(prefix)), "mysql")


@pytest.mark.parametrize("extra_vars, variable", CASES.values(), ids=CASES.keys())
def test_bad_input_fails_before_any_change(extra_vars, variable):
    sandbox("reset")

    result = run_playbook(extra_vars=extra_vars)

    assert result.returncode != 0, result.stdout[-2000:]
    host = failing_host(variable)
    assert recap(result.stdout, host)["failed"] == 1
    failure = result.stdout[result.stdout.index(f"fatal: [{host}]"):]
    assert variable in failure, failure[:2000]
    assert any(word in failure for word in ("must", "one of", "should be")), failure[:2000]
    calls = ledger()
    assert calls["totals"]["mutating"] == 0, calls["mutating"]
