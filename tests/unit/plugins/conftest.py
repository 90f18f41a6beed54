"""Make the collection importable as ansible_collections.openedx.data_services (through .collections)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / ".collections"))
