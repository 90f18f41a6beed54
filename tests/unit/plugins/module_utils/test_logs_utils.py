"""Pure helpers of the CloudWatch Logs module_utils: the common prefix read at once, names, ARNs."""

from __future__ import annotations

import pytest
from ansible_collections.openedx.data_services.plugins.module_utils import logs


@pytest.mark.parametrize(("names", "prefix"), [
    ([], ""),
    (["/aws/rds/instance/db/error"], "/aws/rds/instance/db/error"),
    (["/aws/rds/instance/db/error", "/aws/rds/instance/db/general", "/aws/rds/instance/db/slowquery"],
     "/aws/rds/instance/db/"),
    (["/aws/docdb/x/audit", "/aws/docdb/x/audit-old"], "/aws/docdb/x/audit"),
    (["/aws/opensearch/d/index-slow", "/aws/opensearch/d/search-slow"], "/aws/opensearch/d/"),
    (["/openedx/a", "audit/b"], ""),
])
def test_common_prefix(names, prefix):
    assert logs.common_prefix(names) == prefix
    assert logs.common_prefix(reversed(names)) == prefix


@pytest.mark.parametrize("name", ["/aws/rds/instance/openedx-prod-mysql/error", "a", "x" * 512, "A.b-c_d/e#f9"])
def test_names_aws_accepts(name):
    assert logs.name_problem(name) is None


@pytest.mark.parametrize("name", ["", "x" * 513, "with space", "colon:", "star*", "é", "/aws/rds/\n"])
def test_names_aws_refuses(name):
    problem = logs.name_problem(name)
    assert problem and repr(name) in problem


def test_group_arn_drops_the_stream_wildcard():
    arn = "arn:aws:logs:us-east-1:123456789012:log-group:/a/b"
    assert logs.group_arn({"arn": arn + ":*", "logGroupArn": arn}) == arn
    assert logs.group_arn({"arn": arn + ":*"}) == arn
