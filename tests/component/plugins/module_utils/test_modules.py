"""module_utils/modules.py: one retry layer, botocore's standard mode, and modules converging under throttling."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from ansible.module_utils.testing import patch_module_args
from ansible_collections.openedx.data_services.plugins.module_utils.modules import DataServicesAWSModule
from ansible_collections.openedx.data_services.plugins.modules import docdb_cluster, docdb_cluster_parameter_group
from botocore.awsrequest import AWSResponse
from harness import REGION, record_calls, run_module, subnet_group
from moto.core.botocore_stubber import BotocoreStubber

THROTTLED = (b"<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message>"
             b"</Error><RequestId>0</RequestId></ErrorResponse>")


class _Body:
    def stream(self, **_: Any) -> Iterator[bytes]:
        yield THROTTLED


def client_retries(args: dict[str, Any]) -> dict[str, Any]:
    with patch_module_args({"region": REGION, **args}):
        module = DataServicesAWSModule(argument_spec={})
    return module.client("docdb").meta.config.retries


def test_clients_retry_in_standard_mode_unless_the_task_says_otherwise(aws: pytest.MonkeyPatch) -> None:
    assert client_retries({}) == {"mode": "standard", "total_max_attempts": 11}
    task = client_retries({"aws_config": {"retries": {"mode": "adaptive", "max_attempts": 3}}})
    assert task == {"mode": "adaptive", "total_max_attempts": 4}


@pytest.fixture
def throttled(docdb_aws: pytest.MonkeyPatch) -> Iterator[list[bool]]:
    """Every fifth DocumentDB request (20 %) answered with a Throttling error before it reaches moto."""
    subnet_group("docdb-private")
    sent: list[bool] = []

    moto = BotocoreStubber.__call__

    def throttle(self: BotocoreStubber, event_name: str, request: Any, **kwargs: Any) -> AWSResponse | None:
        if "://rds." in request.url:
            sent.append(len(sent) % 5 == 4)
            if sent[-1]:
                return AWSResponse(request.url, 400, {}, _Body())
        return moto(self, event_name, request, **kwargs)

    docdb_aws.setattr("time.sleep", lambda _seconds: None)  # botocore's backoff between attempts
    docdb_aws.setattr(BotocoreStubber, "__call__", throttle)
    yield sent


def test_modules_converge_under_twenty_percent_throttling(throttled: list[bool]) -> None:
    group = {"name": "edx-docdb50", "family": "docdb5.0", "parameters": {"tls": "enabled", "audit_logs": "enabled"}}
    created = run_module(docdb_cluster_parameter_group, group)
    assert not created.failed, created.result
    cluster = {"identifier": "edx-docdb", "instance_class": "db.r6g.large", "instance_count": 2,
               "master_username": "docadmin", "master_user_password": "Docdb-pass-123",
               "db_subnet_group_name": "docdb-private", "db_cluster_parameter_group_name": "edx-docdb50"}
    done = run_module(docdb_cluster, cluster)
    assert not done.failed, done.result
    # Each call is recorded once however often it was retried.
    assert sum(throttled) >= 3
    assert len(throttled) == len(created.calls) + len(done.calls) + sum(throttled)
    with record_calls() as calls:
        again = run_module(docdb_cluster, cluster)
        assert run_module(docdb_cluster_parameter_group, group).result["changed"] is False
    assert again.result["changed"] is False
    assert calls.mutating == []
