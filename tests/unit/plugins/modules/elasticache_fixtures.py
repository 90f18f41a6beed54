"""Fixtures and helpers for the ElastiCache module tests: in-process moto with the sandbox's ElastiCache patch.

The patch gives replication groups a real redis-server each (TLS + AUTH); every server a test starts is stopped
afterwards and the ``elasticache_moto`` fixture checks none is left.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

import boto3
import botocore.session
import pytest
from ansible.module_utils import basic
from ansible.module_utils.testing import patch_module_args
from ansible_collections.openedx.data_services.plugins.module_utils import elasticache as elasticache_utils
from moto import mock_aws

from sandbox.dataplane import redis as redis_dataplane
from sandbox.patches import elasticache as elasticache_patch

REGION = "us-east-1"
READ_PREFIXES = ("Describe", "List")


class ModuleExit(Exception):
    def __init__(self, result: dict[str, Any]) -> None:
        super().__init__(result.get("msg", ""))
        self.result = result


class ModuleFail(ModuleExit):
    pass


@dataclass
class Call:
    operation: str
    params: dict[str, Any]

    @property
    def mutating(self) -> bool:
        return not self.operation.startswith(READ_PREFIXES)


@dataclass
class Run:
    """One module run: its result (exit_json or fail_json arguments) and the AWS calls it made."""

    result: dict[str, Any]
    calls: list[Call] = field(default_factory=list)
    failed: bool = False

    @property
    def mutating(self) -> list[str]:
        return [c.operation for c in self.calls if c.mutating]


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def free_port_range(width: int = 20) -> int:
    """The first of ``width`` consecutive free ports (for the groups' redis-servers)."""
    for _attempt in range(100):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            first = sock.getsockname()[1] // 100 * 100
        if first + width < 65000 and all(_port_free(first + offset) for offset in range(width)):
            return first
    raise RuntimeError("no free port range")


@contextmanager
def moto_elasticache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    """In-process moto with the sandbox ElastiCache patch, state under tmp_path; yields the first Redis port.

    For an ``elasticache_moto`` fixture in each test module; checks afterwards that no redis-server is left.
    """
    first_port = free_port_range()
    monkeypatch.setenv("SANDBOX_STATE_DIR", str(tmp_path))
    monkeypatch.setenv("SANDBOX_REDIS_FIRST_PORT", str(first_port))
    monkeypatch.setenv("SANDBOX_TIME_SCALE", "0")
    for name, value in (("AWS_DEFAULT_REGION", REGION), ("AWS_ACCESS_KEY_ID", "testing"),
                        ("AWS_SECRET_ACCESS_KEY", "testing")):
        monkeypatch.setenv(name, value)
    # Real AWS needs minutes; the sandbox at time scale 0 needs a redis-server start.
    monkeypatch.setattr(elasticache_utils, "WAITER_DELAY", 0.05)
    elasticache_patch.apply()
    try:
        with mock_aws():
            yield first_port
    finally:
        redis_dataplane.stop_all()
    assert redis_dataplane.servers() == []


@dataclass
class Aws:
    ec: Any
    kms: Any
    subnet_group: str
    security_groups: list[str]
    log_groups: list[str]


def make_aws() -> Aws:
    """Inside moto_elasticache: a VPC with three subnets, a cache subnet group, two security and two log groups."""
    ec2 = boto3.client("ec2", region_name=REGION)
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.20.{i}.0/24", AvailabilityZone=f"{REGION}{zone}")
               ["Subnet"]["SubnetId"] for i, zone in enumerate("abc")]
    groups = [ec2.create_security_group(GroupName=f"redis-{i}", Description="redis", VpcId=vpc)["GroupId"]
              for i in range(2)]
    ec = boto3.client("elasticache", region_name=REGION)
    ec.create_cache_subnet_group(CacheSubnetGroupName="redis-private", CacheSubnetGroupDescription="private",
                                 SubnetIds=subnets)
    logs = boto3.client("logs", region_name=REGION)
    log_groups = ["/openedx/redis/slow-log", "/openedx/redis/engine-log"]
    for name in log_groups:
        logs.create_log_group(logGroupName=name)
    return Aws(ec, boto3.client("kms", region_name=REGION), "redis-private", groups, log_groups)


@contextmanager
def recording(on_call: Callable[[Call], None] | None = None) -> Iterator[list[Call]]:
    """Every AWS call made by clients created inside the block, through a botocore before-parameter-build hook."""
    calls: list[Call] = []
    original = botocore.session.Session.create_client

    def record(model: Any, params: dict[str, Any], **_: Any) -> None:
        call = Call(model.name, dict(params))
        calls.append(call)
        if on_call is not None:
            on_call(call)

    def create_client(self: Any, *args: Any, **kwargs: Any) -> Any:
        client = original(self, *args, **kwargs)
        client.meta.events.register("before-parameter-build", record)
        return client

    with mock.patch.object(botocore.session.Session, "create_client", create_client):
        yield calls


def run_module(module: Any, args: dict[str, Any], *, check_mode: bool = False, diff: bool = False,
               on_call: Callable[[Call], None] | None = None) -> Run:
    """Run ``module.main()`` with ``args`` and return what it exited with and the calls it made."""
    full = {"region": REGION, **args, "_ansible_check_mode": check_mode, "_ansible_diff": diff}

    def exit_json(self: Any, **kwargs: Any) -> None:
        raise ModuleExit(kwargs)

    def fail_json(self: Any, msg: str = "", **kwargs: Any) -> None:
        raise ModuleFail({"msg": msg, **kwargs})

    with recording(on_call) as calls, patch_module_args(full), \
            mock.patch.object(basic.AnsibleModule, "exit_json", exit_json), \
            mock.patch.object(basic.AnsibleModule, "fail_json", fail_json):
        try:
            module.main()
        except ModuleFail as failure:
            return Run(failure.result, calls, failed=True)
        except ModuleExit as done:
            return Run(done.result, calls)
    raise AssertionError("the module returned without exit_json or fail_json")


def assert_no_secret(result: dict[str, Any], *secrets: str) -> None:
    text = json.dumps(result, default=str)
    for secret in secrets:
        assert secret not in text
