"""Helpers for the docdb_* module tests: in-process moto with the sandbox's DocumentDB patch, a module runner
and an API call recorder. Imported explicitly by the test files (not a conftest.py: the folder is shared)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any
from unittest import mock

import boto3
import botocore.client
import pytest
from ansible.module_utils import basic
from ansible.module_utils.testing import patch_module_args
from moto import mock_aws

from sandbox.patches import docdb as docdb_patch
from sandbox.patches import rds as rds_patch

REGION = "us-east-1"
READ_PREFIXES = ("Describe", "List")


class ModuleExit(Exception):
    """exit_json/fail_json, raised so a test gets the module's result."""

    def __init__(self, failed: bool, result: dict[str, Any]) -> None:
        super().__init__(result.get("msg", ""))
        self.failed = failed
        self.result = result


@contextlib.contextmanager
def moto_docdb(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """In-process moto that knows the docdb engine, state under tmp_path, instant lifecycle."""
    monkeypatch.setenv("SANDBOX_STATE_DIR", str(tmp_path))
    monkeypatch.setenv("SANDBOX_TIME_SCALE", "0")
    for name, value in (("AWS_DEFAULT_REGION", REGION), ("AWS_ACCESS_KEY_ID", "testing"),
                        ("AWS_SECRET_ACCESS_KEY", "testing")):
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    rds_patch.apply()
    docdb_patch.apply()
    with mock_aws():
        yield


class CallRecorder:
    """Every AWS operation made through any botocore client, as (service, operation)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []
        self.requests: list[tuple[str, dict[str, Any]]] = []

    @property
    def mutating(self) -> list[str]:
        return [operation for _service, operation in self.calls if not operation.startswith(READ_PREFIXES)]

    def request(self, operation: str) -> dict[str, Any]:
        """The parameters of the last ``operation`` call."""
        return [params for name, params in self.requests if name == operation][-1]


@contextlib.contextmanager
def record_calls() -> Iterator[CallRecorder]:
    recorder = CallRecorder()
    original = botocore.client.BaseClient._make_api_call

    def recording(client: Any, operation_name: str, api_params: Any) -> Any:
        recorder.calls.append((client.meta.service_model.service_name, operation_name))
        recorder.requests.append((operation_name, dict(api_params)))
        return original(client, operation_name, api_params)

    with mock.patch.object(botocore.client.BaseClient, "_make_api_call", recording):
        yield recorder


def run_module(main: Callable[[], None], args: dict[str, Any], check_mode: bool = False,
               diff: bool = False) -> ModuleExit:
    """Run a module's main() with ``args``; return its exit (``.failed``, ``.result``)."""

    def exit_json(self: Any, **kwargs: Any) -> None:
        raise ModuleExit(False, kwargs)

    def fail_json(self: Any, msg: str = "", **kwargs: Any) -> None:
        raise ModuleExit(True, {"msg": msg, **kwargs})

    module_args = {"region": REGION, **args, "_ansible_check_mode": check_mode, "_ansible_diff": diff}
    with patch_module_args(module_args), mock.patch.object(basic.AnsibleModule, "exit_json", exit_json), \
            mock.patch.object(basic.AnsibleModule, "fail_json", fail_json), pytest.raises(ModuleExit) as raised:
        main()
    return raised.value


def subnet_group(name: str = "docdb-private") -> str:
    """A DB subnet group over three private subnets in three zones."""
    ec2 = boto3.client("ec2", region_name=REGION)
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.20.{i}.0/24", AvailabilityZone=f"{REGION}{zone}")[
        "Subnet"]["SubnetId"] for i, zone in enumerate("abc")]
    boto3.client("docdb", region_name=REGION).create_db_subnet_group(
        DBSubnetGroupName=name, DBSubnetGroupDescription="private", SubnetIds=subnets)
    return name
