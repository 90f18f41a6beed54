"""Pure helpers of opensearch_snapshot_info: which repository answers, the order of the snapshots, the latest one."""

from __future__ import annotations

from typing import Any

import pytest
from ansible_collections.openedx.data_services.plugins.module_utils.opensearch_security import SecurityApiError
from ansible_collections.openedx.data_services.plugins.modules import opensearch_snapshot_info as module


def snapshot(name: str, millis: int, state: str = "SUCCESS") -> dict[str, Any]:
    return {"snapshot": name, "state": state, "start_time_in_millis": millis, "start_time": f"t{millis}",
            "end_time": f"t{millis + 1}", "indices": ["a", "b"], "shards": {"total": 2, "successful": 2, "failed": 0}}


class FakeClient:
    def __init__(self, answers: dict[str, tuple[int, Any]]) -> None:
        self.answers = answers
        self.paths: list[str] = []

    def request(self, method: str, path: str) -> tuple[int, Any]:
        assert method == "GET"
        self.paths.append(path)
        return self.answers.get(path, (404, {"error": "repository_missing_exception"}))


def test_the_newest_success_is_the_latest_and_the_list_is_oldest_first() -> None:
    snapshots = module.ordered([snapshot("c", 300, "IN_PROGRESS"), snapshot("a", 100), snapshot("b", 200)])
    assert [s["snapshot"] for s in snapshots] == ["a", "b", "c"]
    assert module.latest_success(snapshots)["snapshot"] == "b"
    assert module.latest_success([snapshot("x", 1, "FAILED")]) is None


def test_summary_leaves_the_index_list_out_and_counts_it() -> None:
    summary = module.summarize(snapshot("a", 100))
    assert summary == {"snapshot": "a", "state": "SUCCESS", "start_time": "t100", "end_time": "t101",
                       "shards": {"total": 2, "successful": 2, "failed": 0}, "index_count": 2}


def test_a_missing_repository_is_none_and_a_malformed_answer_an_error() -> None:
    client = FakeClient({"/_snapshot/cs-automated/_all": (200, {"snapshots": [snapshot("a", 1)]}),
                         "/_snapshot/broken/_all": (200, {"nothing": []})})
    assert module.read_repository(client, "cs-automated-enc") is None
    assert module.read_repository(client, "cs-automated")[0]["snapshot"] == "a"
    with pytest.raises(SecurityApiError, match="without a snapshot list"):
        module.read_repository(client, "broken")
    assert client.paths == ["/_snapshot/cs-automated-enc/_all", "/_snapshot/cs-automated/_all",
                            "/_snapshot/broken/_all"]
