"""Pure helpers of connection_check: the options refused before any call, and where each service is reached."""

from __future__ import annotations

from typing import Any

import pytest
from ansible_collections.openedx.data_services.plugins.modules import connection_check as module


def params(**overrides: Any) -> dict[str, Any]:
    base = dict(service="mysql", host="db.internal", port=3306, endpoint=None, database=None,
                connection_string=None, ca_bundle="/ca.pem", username=None, secret_arn="openedx/test/mysql/openedx",
                timeout=10.0)
    return {**base, **overrides}


def test_valid_options_have_no_problem() -> None:
    assert module.option_problems(params()) == []
    assert module.option_problems(params(service="opensearch", host=None, port=None,
                                         endpoint="https://localhost:19200")) == []
    assert module.option_problems(params(service="documentdb", host=None, port=None,
                                         connection_string="mongodb://u@docdb:27017/?tls=true")) == []


def test_every_problem_is_reported_at_once() -> None:
    problems = module.option_problems(params(service="redis", host="", port=None, secret_arn="", timeout=0.0))
    assert problems == ["host is required for service=redis", "port is required for service=redis",
                        "secret_arn must name the secret holding the credentials",
                        "timeout must be more than 0 and at most 300 seconds, not 0"]


def test_targets() -> None:
    assert module.target_of(params()).address == "db.internal:3306"
    search = module.target_of(params(service="opensearch", endpoint="https://localhost:19200"))
    assert (search.host, search.port, search.ca_bundle) == ("localhost", 19200, "/ca.pem")
    uri = "mongodb://docdbadmin@cluster.docdb:27017/?tls=true"
    assert module.target_of(params(service="documentdb", host=None, port=None, connection_string=uri)).address == (
        "cluster.docdb:27017")
    # The hand-off's host and port win over the connection string's.
    assert module.target_of(params(service="documentdb", host="127.0.0.1", port=17017,
                                   connection_string=uri)).address == "127.0.0.1:17017"


@pytest.mark.parametrize("service", ["mysql", "redis", "opensearch", "documentdb"])
def test_each_service_has_its_library(service: str) -> None:
    assert module.connectivity.missing_library(service) is None
