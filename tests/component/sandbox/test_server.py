"""The sandbox server: control endpoints, the seeded network, and what the ledger counts."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from sandbox_harness import Sandbox

from sandbox import seed


def test_health_and_status(fresh: Sandbox) -> None:
    assert fresh.control("GET", "/_sandbox/health") == {"status": "ok"}
    status = fresh.control("GET", "/_sandbox/status")
    assert status["endpoint"] == fresh.endpoint
    assert status["time_scale"] == 0
    assert {"ec2", "rds", "docdb"} <= set(status["patches"])
    assert isinstance(status["dataplane"], list)


def test_unknown_control_endpoint_is_404(fresh: Sandbox) -> None:
    with pytest.raises(urllib.error.HTTPError) as raised:
        fresh.control("GET", "/_sandbox/nothing-here")
    assert raised.value.code == 404


def test_time_scale_can_be_changed_live(fresh: Sandbox) -> None:
    assert fresh.control("PUT", "/_sandbox/time-scale", {"time_scale": 0.5}) == {"time_scale": 0.5}
    assert fresh.control("GET", "/_sandbox/status")["time_scale"] == 0.5
    with pytest.raises(urllib.error.HTTPError) as raised:
        fresh.control("PUT", "/_sandbox/time-scale", {"time_scale": -1})
    assert raised.value.code == 400


def test_the_fixed_network_is_seeded(fresh: Sandbox) -> None:
    ec2 = fresh.client("ec2")
    vpc = ec2.describe_vpcs(VpcIds=[seed.VPC_ID])["Vpcs"][0]
    assert vpc["CidrBlock"] == "10.42.0.0/16"
    assert {"Key": "Name", "Value": "openedx-sandbox"} in vpc["Tags"]
    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [seed.VPC_ID]}])["Subnets"]
    assert sorted((s["SubnetId"], s["AvailabilityZone"], s["CidrBlock"]) for s in subnets) == [
        ("subnet-0d5a0000000000a01", "us-east-1a", "10.42.1.0/24"),
        ("subnet-0d5a0000000000a02", "us-east-1b", "10.42.2.0/24"),
        ("subnet-0d5a0000000000a03", "us-east-1c", "10.42.3.0/24"),
        ("subnet-0d5a0000000000a04", "us-east-1a", "10.42.4.0/24"),  # spare, outside inventories/local
    ]
    groups = ec2.describe_security_groups(GroupIds=["sg-0d5a0000000000e01", "sg-0d5a0000000000e02"])
    assert {(g["GroupName"], g["VpcId"]) for g in groups["SecurityGroups"]} == {
        ("openedx-sandbox-platform-nodes", seed.VPC_ID), ("openedx-sandbox-analytics-emr", seed.VPC_ID)}
    written = json.loads((fresh.state_dir / "seed.json").read_text())
    assert written["vpc"]["id"] == seed.VPC_ID
    assert [s["id"] for s in written["subnets"]] == [s[0] for s in seed.SUBNETS]


def test_moto_reset_puts_the_seeded_network_back(fresh: Sandbox) -> None:
    kms = fresh.client("kms")
    kms.create_key(Description="gone after reset")
    urllib.request.urlopen(urllib.request.Request(f"{fresh.endpoint}/moto-api/reset", method="POST"), timeout=10)
    assert kms.list_keys()["Keys"] == []
    assert fresh.client("ec2").describe_vpcs(VpcIds=[seed.VPC_ID])["Vpcs"][0]["VpcId"] == seed.VPC_ID


def test_ledger_counts_aws_calls_but_not_control_or_moto_api(fresh: Sandbox) -> None:
    rds, kms = fresh.client("rds"), fresh.client("kms")
    rds.describe_db_instances()
    rds.describe_db_instances()
    kms.create_key(Description="counted")
    fresh.control("GET", "/_sandbox/status")
    # Not data.json: it takes seconds, and moto answers it 500 once an RDS instance exists (other tests make some).
    urllib.request.urlopen(f"{fresh.endpoint}/moto-api/config", timeout=10).read()
    calls = fresh.control("GET", "/_sandbox/calls")
    assert calls["read"] == {"rds:DescribeDBInstances": 2}
    assert calls["mutating"] == {"kms:CreateKey": 1}
    assert calls["totals"] == {"mutating": 1, "read": 2, "faulted": 0, "faulted_mutating": 0, "faulted_read": 0}
    fresh.control("POST", "/_sandbox/reset")
    assert fresh.control("GET", "/_sandbox/calls")["totals"]["read"] == 0
