"""The fixed network every sandbox starts with: the VPC, private subnets and security groups of inventories/local."""

from __future__ import annotations

import json
from typing import Any

from moto.ec2.models import ec2_backends

from sandbox.services.ec2 import fixed_ids
from sandbox.state import ACCOUNT_ID, REGION, state_dir

VPC_ID = "vpc-0d5a0000000000001"
VPC_CIDR = "10.42.0.0/16"
NAME = "openedx-sandbox"
SUBNETS = (
    ("subnet-0d5a0000000000a01", "us-east-1a", "10.42.1.0/24"),
    ("subnet-0d5a0000000000a02", "us-east-1b", "10.42.2.0/24"),
    ("subnet-0d5a0000000000a03", "us-east-1c", "10.42.3.0/24"),
)
# Not in inventories/local: a second private subnet in us-east-1a, for the bad-input case of OpenSearch subnets that
# share a zone.
SPARE_SUBNETS = (
    ("subnet-0d5a0000000000a04", "us-east-1a", "10.42.4.0/24"),
)
SECURITY_GROUPS = (
    ("sg-0d5a0000000000e01", "openedx-sandbox-platform-nodes", "Open edX platform nodes (sandbox)"),
    ("sg-0d5a0000000000e02", "openedx-sandbox-analytics-emr", "edX Analytics EMR nodes (sandbox)"),
)

# A second region, for cross-region read replicas (rds_mysql_read_replicas): its own VPC, private subnets and platform
# nodes' security group.
SECOND_REGION = "us-west-2"
SECOND_VPC_ID = "vpc-0d5a0000000000002"
SECOND_VPC_CIDR = "10.43.0.0/16"
SECOND_SUBNETS = (
    ("subnet-0d5a0000000000b01", "us-west-2a", "10.43.1.0/24"),
    ("subnet-0d5a0000000000b02", "us-west-2b", "10.43.2.0/24"),
)
SECOND_SECURITY_GROUPS = (
    ("sg-0d5a0000000000f01", "openedx-sandbox-platform-nodes", "Open edX platform nodes (sandbox, us-west-2)"),
)


def _seed_second_region() -> dict[str, Any]:
    backend = ec2_backends[ACCOUNT_ID][SECOND_REGION]
    if SECOND_VPC_ID not in backend.vpcs:
        with fixed_ids("vpc", SECOND_VPC_ID):
            backend.create_vpc(SECOND_VPC_CIDR, tags=[{"Key": "Name", "Value": NAME}])
    for subnet_id, zone, cidr in SECOND_SUBNETS:
        if not any(subnet_id in subnets for subnets in backend.subnets.values()):
            with fixed_ids("subnet", subnet_id):
                subnet = backend.create_subnet(SECOND_VPC_ID, cidr, availability_zone=zone)
            backend.create_tags([subnet.id], {"Name": f"{NAME}-private-{zone[-1]}", "Tier": "private"})
    for group_id, name, description in SECOND_SECURITY_GROUPS:
        if group_id not in backend.groups[SECOND_VPC_ID]:
            with fixed_ids("security_group", group_id):
                group = backend.create_security_group(name, description, vpc_id=SECOND_VPC_ID)
            backend.create_tags([group.id], {"Name": name})
    return {
        "region": SECOND_REGION,
        "vpc": {"id": SECOND_VPC_ID, "cidr": SECOND_VPC_CIDR, "name": NAME},
        "subnets": [{"id": s, "availability_zone": z, "cidr": c, "private": True} for s, z, c in SECOND_SUBNETS],
        "security_groups": [{"id": g, "name": n, "vpc_id": SECOND_VPC_ID} for g, n, _ in SECOND_SECURITY_GROUPS],
    }


def seed() -> dict[str, Any]:
    """Create the network in moto unless it exists, write ``.sandbox/seed.json``, and return what it holds."""
    backend = ec2_backends[ACCOUNT_ID][REGION]
    if VPC_ID not in backend.vpcs:
        with fixed_ids("vpc", VPC_ID):
            backend.create_vpc(VPC_CIDR, tags=[{"Key": "Name", "Value": NAME}])
    named = [(subnet, f"{NAME}-private-{subnet[1][-1]}") for subnet in SUBNETS]
    named += [(subnet, f"{NAME}-spare-{subnet[1][-1]}") for subnet in SPARE_SUBNETS]
    for (subnet_id, zone, cidr), name in named:
        if not any(subnet_id in subnets for subnets in backend.subnets.values()):
            with fixed_ids("subnet", subnet_id):
                subnet = backend.create_subnet(VPC_ID, cidr, availability_zone=zone)
            backend.create_tags([subnet.id], {"Name": name, "Tier": "private"})
    for group_id, name, description in SECURITY_GROUPS:
        if group_id not in backend.groups[VPC_ID]:
            with fixed_ids("security_group", group_id):
                group = backend.create_security_group(name, description, vpc_id=VPC_ID)
            backend.create_tags([group.id], {"Name": name})
    data = {
        "account_id": ACCOUNT_ID,
        "region": REGION,
        "vpc": {"id": VPC_ID, "cidr": VPC_CIDR, "name": NAME},
        "subnets": [{"id": s, "availability_zone": z, "cidr": c, "private": True} for s, z, c in SUBNETS],
        "spare_subnets": [{"id": s, "availability_zone": z, "cidr": c, "private": True} for s, z, c in SPARE_SUBNETS],
        "security_groups": [{"id": g, "name": n, "vpc_id": VPC_ID} for g, n, _ in SECURITY_GROUPS],
        "second_region": _seed_second_region(),
    }
    (state_dir() / "seed.json").write_text(json.dumps(data, indent=2) + "\n")
    return data
