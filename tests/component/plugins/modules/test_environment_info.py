"""environment_info against in-process moto: one read each of the account, the VPC and the subnets."""

from __future__ import annotations

import boto3
from ansible_collections.openedx.data_services.plugins.modules import environment_info
from harness import REGION, run_module


def network() -> tuple[str, list[str]]:
    ec2 = boto3.client("ec2", region_name=REGION)
    vpc = ec2.create_vpc(CidrBlock="10.42.0.0/16")["Vpc"]["VpcId"]
    ec2.associate_vpc_cidr_block(VpcId=vpc, CidrBlock="10.43.0.0/16")
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.42.{n}.0/24", AvailabilityZone=f"{REGION}{zone}")
               ["Subnet"]["SubnetId"] for n, zone in ((1, "a"), (2, "b"))]
    ec2.modify_subnet_attribute(SubnetId=subnets[1], MapPublicIpOnLaunch={"Value": True})
    return vpc, subnets


def test_reads_the_account_the_vpc_and_the_subnets_in_three_calls(moto) -> None:
    vpc, subnets = network()
    # Asked in another order than created, with a duplicate: answered in the order asked, once each.
    run = run_module(environment_info.main, {"vpc_id": vpc, "subnet_ids": [subnets[1], subnets[0], subnets[1]]})
    assert not run.failed, run.result
    assert run.operations == ["GetCallerIdentity", "DescribeVpcs", "DescribeSubnets"]
    result = run.result
    assert result["changed"] is False
    assert result["errors"] == {}
    assert result["account"] == {"account_id": "123456789012", "arn": result["account"]["arn"], "partition": "aws"}
    assert result["vpc"] == {"vpc_id": vpc, "cidr_blocks": ["10.42.0.0/16", "10.43.0.0/16"]}
    assert [(s["subnet_id"], s["availability_zone"], s["map_public_ip_on_launch"], s["vpc_id"])
            for s in result["subnets"]] == [(subnets[1], f"{REGION}b", True, vpc),
                                            (subnets[0], f"{REGION}a", False, vpc)]


def test_what_does_not_exist_is_missing_not_an_error(moto) -> None:
    subnets = network()[1]
    run = run_module(environment_info.main, {"vpc_id": "vpc-0123456789abcdef0",
                                             "subnet_ids": [subnets[0], "subnet-0123456789abcdef0"]})
    assert not run.failed, run.result
    assert run.result["vpc"] is None
    assert [s["subnet_id"] for s in run.result["subnets"]] == [subnets[0]]
    assert run.result["errors"] == {}


def test_a_refused_read_is_reported_and_the_others_still_happen(moto, monkeypatch) -> None:
    vpc, subnets = network()
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "")
    refused = run_module(environment_info.main,
                         {"vpc_id": vpc, "subnet_ids": subnets, "region": "xx-nowhere-1"})
    assert not refused.failed, refused.result
    assert set(refused.result["errors"]) == {"account", "vpc", "subnets"}
    assert refused.result["account"] is None
    assert refused.result["subnets"] == []


def test_no_subnets_asked_no_subnet_read(moto) -> None:
    vpc = network()[0]
    run = run_module(environment_info.main, {"vpc_id": vpc})
    assert run.operations == ["GetCallerIdentity", "DescribeVpcs"]
    assert run.result["subnets"] == []
