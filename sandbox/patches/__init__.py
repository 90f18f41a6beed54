"""Extensions of moto for what the collection uses and moto lacks or gets wrong.

Each submodule has an ``apply()`` that patches moto in place; ``apply_all()`` runs them in the
server process before it serves its first request.
"""

from __future__ import annotations

import importlib

PATCHES = ("ec2", "rds", "docdb", "elasticache", "opensearch")


def apply_all() -> list[str]:
    """Apply every patch; return their names."""
    for name in PATCHES:
        importlib.import_module(f"sandbox.patches.{name}").apply()
    return list(PATCHES)
