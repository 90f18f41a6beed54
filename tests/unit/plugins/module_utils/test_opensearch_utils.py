"""The pure helpers of module_utils/opensearch.py."""

from __future__ import annotations

from ansible_collections.openedx.data_services.plugins.module_utils import opensearch as opensearch_utils


def test_log_publishing_request() -> None:
    current = [{"log_type": "ES_APPLICATION_LOGS", "log_group_arn": "arn:a", "enabled": True},
               {"log_type": "AUDIT_LOGS", "log_group_arn": "arn:b", "enabled": False}]
    desired = [{"log_type": "ES_APPLICATION_LOGS", "log_group_arn": "arn:a", "enabled": True}]
    assert opensearch_utils.log_publishing_request(current, desired) == {}
    desired = [{"log_type": "SEARCH_SLOW_LOGS", "log_group_arn": "arn:c", "enabled": True}]
    assert opensearch_utils.log_publishing_request(current, desired) == {
        "SEARCH_SLOW_LOGS": {"Enabled": True, "CloudWatchLogsLogGroupArn": "arn:c"},
        "ES_APPLICATION_LOGS": {"Enabled": False, "CloudWatchLogsLogGroupArn": "arn:a"}}


def test_master_password_rule() -> None:
    assert opensearch_utils.master_password_problem("Abcdefg1!") is None
    assert "special" in opensearch_utils.master_password_problem("Abcdefg12")
    assert "upper" in opensearch_utils.master_password_problem("abcdefg1!")
