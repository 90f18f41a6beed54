"""The pure helpers of plugins/module_utils/docdb.py (the AWS-facing ones run in tests/component)."""

from __future__ import annotations

from typing import Any

from ansible_collections.openedx.data_services.plugins.module_utils import docdb


def instance(name: str, created: str, status: str = "available") -> dict[str, Any]:
    return {"DBInstanceIdentifier": name, "InstanceCreateTime": created, "DBInstanceStatus": status}


def test_readers_to_remove_picks_the_highest_numbered_readers_never_the_writer() -> None:
    cluster = {"DBClusterMembers": [{"DBInstanceIdentifier": "c-3", "IsClusterWriter": True},
                                    {"DBInstanceIdentifier": "c-1", "IsClusterWriter": False},
                                    {"DBInstanceIdentifier": "c-2", "IsClusterWriter": False},
                                    {"DBInstanceIdentifier": "c-10", "IsClusterWriter": False}]}
    # c-2 is the newest reader (the numbers, not the creation times, decide), c-4 is going already.
    instances = [instance("c-1", "2026-01-01"), instance("c-2", "2026-01-05"), instance("c-3", "2026-01-03"),
                 instance("c-10", "2026-01-02"), instance("c-4", "2026-01-04", "deleting")]
    assert docdb.readers_to_remove(cluster, instances, 2) == ["c-10", "c-2"]
    assert docdb.readers_to_remove(cluster, instances, 5) == ["c-10", "c-2", "c-1"]


def test_new_instance_identifiers_skip_names_in_use() -> None:
    assert docdb.new_instance_identifiers("c", ["c-1", "c-3"], 3) == ["c-2", "c-4", "c-5"]


def test_engine_defaults_follow_the_marker() -> None:
    pages = [{"EngineDefaults": {"Parameters": [{"ParameterName": "a"}], "Marker": "m"}},
             {"EngineDefaults": {"Parameters": [{"ParameterName": "b"}]}}]
    calls: list[dict[str, Any]] = []

    class Client:
        def describe_engine_default_cluster_parameters(self, **params: Any) -> dict[str, Any]:
            calls.append(params)
            return pages[len(calls) - 1]

    assert [p["ParameterName"] for p in docdb.describe_engine_default_parameters(Client(), "docdb5.0")] == ["a", "b"]
    assert calls == [{"DBParameterGroupFamily": "docdb5.0"}, {"DBParameterGroupFamily": "docdb5.0", "Marker": "m"}]


def test_parameters_are_modified_twenty_at_a_time() -> None:
    batches: list[int] = []

    class Client:
        def modify_db_cluster_parameter_group(self, DBClusterParameterGroupName: str,
                                              Parameters: list[Any]) -> None:
            batches.append(len(Parameters))

    docdb.modify_cluster_parameters(Client(), "g", [{"ParameterName": str(i)} for i in range(45)])
    assert batches == [20, 20, 5]
