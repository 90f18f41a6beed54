"""The one harness of the component tests: the collection's modules against in-process moto with the sandbox's
patches, a module runner that records every AWS call, and the sandbox's fake OpenSearch security API.

Every import from the ``sandbox`` package is here, so that a reorganised sandbox only changes this file.
"""

from __future__ import annotations

import collections
import contextlib
import dataclasses
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

import boto3
import botocore.client
import pytest
from ansible.module_utils import basic
from ansible.module_utils.common import warnings as module_warnings
from ansible.module_utils.testing import patch_module_args
from ansible_collections.openedx.data_services.plugins.module_utils import resources
from moto import mock_aws
from ports import free_port_range, free_tcp_port

from sandbox import seed, services
from sandbox.dataplane import documentdb, mariadb, opensearch_security
from sandbox.dataplane import opensearch as opensearch_dataplane
from sandbox.dataplane import redis as redis_dataplane
from sandbox.services.rds import handlers as rds_handlers
from sandbox.tls import ca_bundle, server_certificate

REGION = "us-east-1"
READ_PREFIXES = ("Describe", "List", "Get", "Head")
SUBNETS = [subnet[0] for subnet in seed.SUBNETS]
PLATFORM_SG = seed.SECURITY_GROUPS[0][0]
MASTER_USER = "admin"
MASTER_PASSWORD = "Sandbox-Master-1!"

__all__ = ["MASTER_PASSWORD", "PLATFORM_SG", "SUBNETS", "ca_bundle", "opensearch_dataplane", "server_certificate"]


# --- running modules and recording their calls ------------------------------------------------------------------


@dataclass
class Call:
    service: str
    operation: str
    params: dict[str, Any]

    @property
    def mutating(self) -> bool:
        return not self.operation.startswith(READ_PREFIXES)


@dataclass
class Calls:
    calls: list[Call] = field(default_factory=list)

    @property
    def operations(self) -> list[str]:
        return [c.operation for c in self.calls]

    @property
    def reads(self) -> list[str]:
        return [c.operation for c in self.calls if not c.mutating]

    @property
    def mutating(self) -> list[str]:
        return [c.operation for c in self.calls if c.mutating]

    def clear(self) -> None:
        self.calls.clear()

    def request(self, operation: str) -> dict[str, Any]:
        """The parameters of the last ``operation`` call."""
        return [c.params for c in self.calls if c.operation == operation][-1]


@dataclass
class Run(Calls):
    """One module run: what it exited with (exit_json or fail_json arguments) and the AWS calls it made."""

    result: dict[str, Any] = field(default_factory=dict)
    failed: bool = False


@contextlib.contextmanager
def record_calls(on_call: Callable[[Call], None] | None = None) -> Iterator[Calls]:
    """Every AWS operation made through any botocore client inside the block (once per call, not per retry)."""
    recorded = Calls()
    original = botocore.client.BaseClient._make_api_call

    def recording(client: Any, operation_name: str, api_params: Any) -> Any:
        call = Call(client.meta.service_model.service_name, operation_name, dict(api_params))
        recorded.calls.append(call)
        if on_call is not None:
            on_call(call)
        return original(client, operation_name, api_params)

    with mock.patch.object(botocore.client.BaseClient, "_make_api_call", recording):
        yield recorded


class _Exit(Exception):
    def __init__(self, result: dict[str, Any], failed: bool) -> None:
        super().__init__(result.get("msg", ""))
        self.result = result
        self.failed = failed


def run_module(module: Any, args: dict[str, Any], *, check_mode: bool = False, diff: bool = False,
               on_call: Callable[[Call], None] | None = None, region: bool = True, printed: bool = False) -> Run:
    """Run a module's ``main()`` (``module`` or the function) with ``args``; what it exited with and its calls.

    ``printed``: the result as Ansible would print it, after exit_json/fail_json's own processing (no_log masking,
    ``invocation``), rather than the arguments the module passed them.
    """
    main = getattr(module, "main", module)
    full = {**({"region": REGION} if region else {}), **args, "_ansible_check_mode": check_mode,
            "_ansible_diff": diff}

    def exit_json(self: Any, **kwargs: Any) -> None:
        raise _Exit(kwargs, failed=False)

    def fail_json(self: Any, msg: str = "", **kwargs: Any) -> None:
        raise _Exit({"msg": msg, **kwargs}, failed=True)

    def record(self: Any, result: dict[str, Any]) -> None:
        raise _Exit(result, failed=bool(result.get("failed")))

    exits = ([mock.patch.object(basic.AnsibleModule, "_record_module_result", record)] if printed else
             [mock.patch.object(basic.AnsibleModule, "exit_json", exit_json),
              mock.patch.object(basic.AnsibleModule, "fail_json", fail_json)])
    # Each real module run is a process of its own: no warning of an earlier run carries over.
    module_warnings._global_warnings.clear()
    module_warnings._global_deprecations.clear()
    with record_calls(on_call) as recorded, patch_module_args(full), contextlib.ExitStack() as stack:
        for patch in exits:
            stack.enter_context(patch)
        try:
            main()
        except _Exit as done:
            return Run(recorded.calls, done.result, done.failed)
    raise AssertionError("the module returned without exit_json or fail_json")


def assert_no_secret(result: dict[str, Any], *secrets: str) -> None:
    text = json.dumps(result, default=str)
    for secret in secrets:
        assert secret not in text


# --- AWS in process ---------------------------------------------------------------------------------------------


@pytest.fixture
def aws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """Credentials and region for moto, sandbox state under tmp_path, instant lifecycles and fast polling.

    Yields the monkeypatch (to change SANDBOX_TIME_SCALE in a test); moto itself starts in the service fixtures,
    after the sandbox's patches.
    """
    monkeypatch.setenv("SANDBOX_STATE_DIR", str(tmp_path))
    monkeypatch.setenv("SANDBOX_TIME_SCALE", "0")
    for name, value in (("AWS_DEFAULT_REGION", REGION), ("AWS_ACCESS_KEY_ID", "testing"),
                        ("AWS_SECRET_ACCESS_KEY", "testing")):
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    # Real AWS needs minutes between two polls; the sandbox at time scale 0 needs a server start.
    for kind, lifecycle in resources.LIFECYCLES.items():
        monkeypatch.setitem(resources.LIFECYCLES, kind, dataclasses.replace(lifecycle, delay=0.05))
    yield monkeypatch


@pytest.fixture
def moto(aws: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """Plain moto, for the services the sandbox does not patch."""
    with mock_aws():
        yield aws


@pytest.fixture
def calls(moto: pytest.MonkeyPatch) -> Iterator[Calls]:
    """Every AWS call the test makes from here on, its own set-up calls included: clear() before the run."""
    with record_calls() as recorded:
        yield recorded


@pytest.fixture
def logs_aws(aws: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """moto with the sandbox's CloudWatch Logs patch (AssociateKmsKey, retention values AWS accepts)."""
    services.apply("logs")
    with mock_aws():
        yield aws


@pytest.fixture
def rds_aws(aws: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """moto with the sandbox's RDS patch; stops the MariaDB servers RDS MySQL instances start."""
    services.apply("rds")
    try:
        with mock_aws():
            yield aws
    finally:
        mariadb.stop_all(delete_data=True)
    assert mariadb.servers() == []


def rds_pages_of(monkeypatch: pytest.MonkeyPatch, size: int) -> None:
    """Inside rds_aws: the sandbox's RDS parameter describes answer ``size`` records a page unless the request says
    otherwise (AWS: 100), so that a family's few dozen parameters span several pages."""
    page = rds_handlers.page

    def small(params: Any, items: list[Any]) -> tuple[list[Any], str | None]:
        # moto's parsed request answers its members' names but lists other keys: chain it, don't copy it.
        return page(collections.ChainMap(params, {"MaxRecords": size}), items)

    monkeypatch.setattr(rds_handlers, "page", small)


@pytest.fixture
def docdb_aws(aws: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """moto with the sandbox's RDS and DocumentDB patches; stops the MariaDB servers RDS MySQL instances and the
    DocumentDB servers clusters start (on ports of this worker's own)."""
    aws.setenv("SANDBOX_DOCDB_FIRST_PORT", str(free_port_range()))
    services.apply("docdb")  # and rds, which it requires
    try:
        with mock_aws():
            yield aws
    finally:
        mariadb.stop_all(delete_data=True)
        documentdb.stop_all()
    assert mariadb.servers() == [] and documentdb.servers() == []


def subnet_group(name: str = "docdb-private") -> str:
    """Inside docdb_aws: a DB subnet group over three private subnets in three zones."""
    ec2 = boto3.client("ec2", region_name=REGION)
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.20.{i}.0/24", AvailabilityZone=f"{REGION}{zone}")[
        "Subnet"]["SubnetId"] for i, zone in enumerate("abc")]
    boto3.client("docdb", region_name=REGION).create_db_subnet_group(
        DBSubnetGroupName=name, DBSubnetGroupDescription="private", SubnetIds=subnets)
    return name


@dataclass
class ElastiCacheAws:
    ec: Any
    kms: Any
    subnet_group: str
    security_groups: list[str]
    log_groups: list[str]


@pytest.fixture
def elasticache_aws(aws: pytest.MonkeyPatch) -> Iterator[ElastiCacheAws]:
    """moto with the sandbox's ElastiCache patch (a real redis-server per group, stopped afterwards), a VPC with
    three subnets, a cache subnet group, two security groups and two log groups."""
    aws.setenv("SANDBOX_REDIS_FIRST_PORT", str(free_port_range()))
    services.apply("elasticache")
    try:
        with mock_aws():
            ec2 = boto3.client("ec2", region_name=REGION)
            vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
            subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.20.{i}.0/24",
                                         AvailabilityZone=f"{REGION}{zone}")["Subnet"]["SubnetId"]
                       for i, zone in enumerate("abc")]
            groups = [ec2.create_security_group(GroupName=f"redis-{i}", Description="redis", VpcId=vpc)["GroupId"]
                      for i in range(2)]
            ec = boto3.client("elasticache", region_name=REGION)
            ec.create_cache_subnet_group(CacheSubnetGroupName="redis-private", CacheSubnetGroupDescription="private",
                                         SubnetIds=subnets)
            logs = boto3.client("logs", region_name=REGION)
            log_groups = ["/openedx/redis/slow-log", "/openedx/redis/engine-log"]
            for name in log_groups:
                logs.create_log_group(logGroupName=name)
            yield ElastiCacheAws(ec, boto3.client("kms", region_name=REGION), "redis-private", groups, log_groups)
    finally:
        redis_dataplane.stop_all()
    assert redis_dataplane.servers() == []


@pytest.fixture
def opensearch_aws(aws: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[dict[str, Any]]:
    """moto with the sandbox's OpenSearch patch and seed (VPC, subnets, security groups), a KMS key with the alias
    alias/edx-search and a log group with the resource policy OpenSearch needs."""
    aws.setenv("SANDBOX_OPENSEARCH_FIRST_PORT", str(free_port_range(10)))
    services.apply("opensearch")
    log_group = "/aws/opensearch/edx-search/application"
    try:
        with mock_aws():
            seed.seed()
            kms = boto3.client("kms", region_name=REGION)
            key = kms.create_key()["KeyMetadata"]["Arn"]
            kms.create_alias(AliasName="alias/edx-search", TargetKeyId=key)
            logs = boto3.client("logs", region_name=REGION)
            logs.create_log_group(logGroupName=log_group)
            logs.put_resource_policy(policyName="opensearch", policyDocument=json.dumps({
                "Version": "2012-10-17", "Statement": [{
                    "Effect": "Allow", "Principal": {"Service": "es.amazonaws.com"},
                    "Action": ["logs:PutLogEvents", "logs:CreateLogStream"],
                    "Resource": f"arn:aws:logs:{REGION}:123456789012:log-group:/aws/opensearch/*"}]}))
            yield {"key": key, "client": boto3.client("opensearch", region_name=REGION), "state_dir": tmp_path}
    finally:
        opensearch_dataplane.stop_all()


# --- the OpenSearch security API --------------------------------------------------------------------------------


@pytest.fixture
def security_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[opensearch_security.Server]:
    """A fake domain's security API on a free port, with its state and TLS material under tmp_path."""
    monkeypatch.setenv("SANDBOX_STATE_DIR", str(tmp_path))
    server = opensearch_security.start("testdomain", free_tcp_port(), MASTER_USER, MASTER_PASSWORD)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def security_connection(security_server: opensearch_security.Server, tmp_path: Path) -> dict[str, Any]:
    """The module options that reach the fake domain as its master user, verifying TLS with the sandbox CA."""
    return {
        "endpoint": security_server.endpoint,
        "auth": "basic",
        "master_username": MASTER_USER,
        "master_password": MASTER_PASSWORD,
        "ca_bundle": str(tmp_path / "tls" / "ca.pem"),
    }


@dataclass
class SignedDomain:
    """A fake domain whose IAM master is an IAM user of moto; ``connection``: the module options that sign as it."""

    server: opensearch_security.Server
    master_arn: str
    connection: dict[str, Any]


@pytest.fixture
def sigv4_security(moto: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[SignedDomain]:
    """In moto, an IAM user ``search-admin`` with an access key, the IAM master of a fake domain's security API on a
    free port that verifies SigV4 against moto's keys."""
    iam = boto3.client("iam", region_name=REGION)
    arn = iam.create_user(UserName="search-admin")["User"]["Arn"]
    key = iam.create_access_key(UserName="search-admin")["AccessKey"]
    server = opensearch_security.start("signeddomain", free_tcp_port(), MASTER_USER, MASTER_PASSWORD, master_arn=arn)
    try:
        yield SignedDomain(server, arn, {
            "endpoint": server.endpoint, "auth": "sigv4", "ca_bundle": str(tmp_path / "tls" / "ca.pem"),
            "access_key": key["AccessKeyId"], "secret_key": key["SecretAccessKey"], "region": REGION})
    finally:
        server.stop()


def security_mutations(server: opensearch_security.Server) -> list[tuple[str, str]]:
    return [call for call in server.calls if call[0] in ("PUT", "DELETE", "PATCH", "POST")]
