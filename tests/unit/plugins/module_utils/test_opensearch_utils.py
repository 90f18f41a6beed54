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


def test_engine_change() -> None:
    change = opensearch_utils.engine_change
    assert change("OpenSearch_2.13", "OpenSearch_2.13") == "none"
    assert change(None, "OpenSearch_2.13") == "none"
    assert change("OpenSearch_2.19", "OpenSearch_2.13") == "minor"
    assert change("OpenSearch_2.9", "OpenSearch_2.13") == "downgrade"  # 9 < 13, not "2.9" > "2.13"
    assert change("OpenSearch_3.1", "OpenSearch_2.19") == "major"
    assert change("OpenSearch_1.3", "Elasticsearch_7.10") == "major"
    assert change("Elasticsearch_7.10", "OpenSearch_1.3") == "downgrade"
