"""Makes the repository root importable (``sandbox``, ``plugins``), and the collection as
ansible_collections.openedx.data_services (through .collections), however pytest is invoked."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
for path in (str(ROOT), str(ROOT / ".collections")):
    if path not in sys.path:
        sys.path.insert(0, path)
