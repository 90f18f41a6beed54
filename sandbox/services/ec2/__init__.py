"""EC2: fixed resource IDs for the seeded network.

The inventories hard-code the sandbox's VPC, subnet and security group IDs, and moto only draws them
at random; ``fixed_ids`` makes the next IDs of a kind predetermined while the seed creates them.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

import moto.ec2.models.security_groups as security_groups_module
import moto.ec2.models.subnets as subnets_module
import moto.ec2.models.vpcs as vpcs_module

from sandbox.services import Hooks

_LOCK = threading.Lock()
_GENERATORS = {
    "vpc": (vpcs_module, "random_vpc_id"),
    "subnet": (subnets_module, "random_subnet_id"),
    "security_group": (security_groups_module, "random_security_group_id"),
}


@contextlib.contextmanager
def fixed_ids(kind: str, *ids: str) -> Iterator[None]:
    """Within the block, moto hands out ``ids`` (in order) for the next resources of ``kind``, then random ones."""
    module, name = _GENERATORS[kind]
    original = getattr(module, name)
    queue = list(ids)

    def next_id() -> str:
        return queue.pop(0) if queue else original()

    with _LOCK:
        setattr(module, name, next_id)
        try:
            yield
        finally:
            setattr(module, name, original)


# Nothing to change in moto's EC2 behaviour itself; the seeded network uses ``fixed_ids``.
HOOKS = Hooks()
