"""The sandbox refuses the Serverless v2 capacities AWS refuses."""

from __future__ import annotations

import pytest

from sandbox.services.aurora_postgresql.models import scaling_problem


@pytest.mark.parametrize("scaling", [
    None, {}, {"MinCapacity": 0, "MaxCapacity": 1}, {"MinCapacity": 0.5, "MaxCapacity": 256},
    {"MinCapacity": 8.5, "MaxCapacity": 8.5},
])
def test_accepted(scaling):
    assert scaling_problem(scaling) is None


@pytest.mark.parametrize(("scaling", "message"), [
    ({"MinCapacity": 0.3, "MaxCapacity": 4}, "steps of 0.5"),
    ({"MinCapacity": 1, "MaxCapacity": 256.5}, "0 to 256 ACUs"),
    ({"MinCapacity": -1, "MaxCapacity": 4}, "0 to 256 ACUs"),
    ({"MinCapacity": 0, "MaxCapacity": 0.5}, "at least 1 ACU"),
    ({"MinCapacity": 8, "MaxCapacity": 4}, "must not be greater"),
    ({"MaxCapacity": 4}, "needs MinCapacity"),
])
def test_refused(scaling, message):
    assert message in scaling_problem(scaling)
