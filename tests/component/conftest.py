"""Makes the repository root (``sandbox``), the collection (through .collections) and the shared harness importable
however pytest is invoked."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
for path in (ROOT, ROOT / ".collections", Path(__file__).resolve().parent / "plugins"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))
