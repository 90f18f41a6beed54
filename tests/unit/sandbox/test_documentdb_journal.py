"""The DocumentDB store's write journal (sandbox.dataplane.documentdb): data as of a moment, and snapshot files."""

from __future__ import annotations

from pathlib import Path

import pytest

from sandbox.dataplane import documentdb, scram

OLD = scram.mongodb_credentials("docadmin", "Docdb-pass-123")
NEW = scram.mongodb_credentials("docadmin", "Docdb-rotated-456")


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The store's clock: each write takes the next second from 1000."""
    now = [1000.0]

    def tick() -> float:
        now[0] += 1
        return now[0]

    monkeypatch.setattr(documentdb.time, "time", tick)
    return now


def test_at_replays_the_writes_applied_up_to_the_moment(clock: list[float]) -> None:
    store = documentdb.Store(OLD)
    store.insert("edxapp", "courses", [{"_id": "a"}, {"_id": "b"}], ordered=True)  # 1001
    store.delete("edxapp", "courses", {"_id": "a"}, limit=1)  # 1002
    store.set_credentials(NEW)  # 1003
    store.insert("forum", "threads", [{"_id": 1}], ordered=True)  # 1004
    store.drop("edxapp", "courses")  # 1005
    store.drop_database("forum")  # 1006

    def at(moment: float) -> tuple[dict, scram.Credentials]:
        dataset = store.at(moment)
        return dataset.databases, dataset.credentials

    assert at(1000) == ({}, OLD)
    assert at(1001) == ({"edxapp": {"courses": [{"_id": "a"}, {"_id": "b"}]}}, OLD)
    assert at(1002.5) == ({"edxapp": {"courses": [{"_id": "b"}]}}, OLD)
    assert at(1004) == ({"edxapp": {"courses": [{"_id": "b"}]}, "forum": {"threads": [{"_id": 1}]}}, NEW)
    assert at(1005) == ({"forum": {"threads": [{"_id": 1}]}}, NEW)
    assert at(2000) == ({}, NEW) == (store.dataset().databases, store.dataset().credentials)
    # Replays are copies: changing one changes neither the store nor the journal.
    store.at(1001).databases["edxapp"]["courses"].clear()
    assert at(1001)[0] == {"edxapp": {"courses": [{"_id": "a"}, {"_id": "b"}]}}


def test_writes_older_than_the_longest_retention_fold_into_the_base(clock: list[float]) -> None:
    store = documentdb.Store(OLD)
    store.insert("edxapp", "courses", [{"_id": "old"}], ordered=True)  # 1001
    clock[0] += documentdb.MAX_RETENTION_SECONDS
    store.insert("edxapp", "courses", [{"_id": "new"}], ordered=True)  # folds the first write
    # Before the folded write, the data is the new base: the write can no longer be undone by a restore.
    assert store.at(1000).databases == {"edxapp": {"courses": [{"_id": "old"}]}}
    assert store.at(clock[0]).databases == {"edxapp": {"courses": [{"_id": "old"}, {"_id": "new"}]}}


def test_a_dataset_survives_the_round_trip_through_its_file(tmp_path: Path) -> None:
    dataset = documentdb.Dataset({"edxapp": {"courses": [{"_id": "a", "nested": {"n": 1}}], "a.b": [{"_id": 2}]},
                                  "forum": {"threads": []}}, NEW)
    path = tmp_path / "snapshots" / "snap.bson"
    dataset.save(path)
    assert path.stat().st_mode & 0o777 == 0o600
    assert documentdb.Dataset.load(path) == dataset
    assert b"Docdb-rotated-456" not in path.read_bytes()
    (tmp_path / "other.bson").write_bytes(path.read_bytes().replace(b"docdb-snapshot/1", b"docdb-snapshot/9"))
    with pytest.raises(ValueError, match="not a DocumentDB snapshot"):
        documentdb.Dataset.load(tmp_path / "other.bson")
