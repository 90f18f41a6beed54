"""Makes the repository root (``sandbox``), the collection (through .collections), the free-port helpers and the
harnesses importable however pytest is invoked."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
for path in (ROOT, ROOT / ".collections", HERE, HERE / "plugins", HERE / "sandbox"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))
