"""Where the sandbox keeps its state, and the fixed addresses it serves on."""

from __future__ import annotations

import os
from pathlib import Path

AWS_HOST = "127.0.0.1"
AWS_PORT = int(os.environ.get("SANDBOX_AWS_PORT", "4566"))
AWS_ENDPOINT = f"http://{AWS_HOST}:{AWS_PORT}"
MYSQL_FIRST_PORT = int(os.environ.get("SANDBOX_MYSQL_FIRST_PORT", "13306"))
REDIS_FIRST_PORT = int(os.environ.get("SANDBOX_REDIS_FIRST_PORT", "16379"))
OPENSEARCH_FIRST_PORT = int(os.environ.get("SANDBOX_OPENSEARCH_FIRST_PORT", "19200"))
DOCDB_FIRST_PORT = int(os.environ.get("SANDBOX_DOCDB_FIRST_PORT", "17017"))
POSTGRES_FIRST_PORT = int(os.environ.get("SANDBOX_POSTGRES_FIRST_PORT", "15432"))
REGION = "us-east-1"
ACCOUNT_ID = "123456789012"


def state_dir() -> Path:
    """The sandbox's state directory (``.sandbox/`` at the repository root unless SANDBOX_STATE_DIR is set)."""
    override = os.environ.get("SANDBOX_STATE_DIR")
    path = Path(override) if override else Path(__file__).resolve().parent.parent / ".sandbox"
    path.mkdir(parents=True, exist_ok=True)
    return path
