# Copyright: Open edX data services maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The table connection-check.yml prints: one line per service, OK or FAIL, and why."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

HEADER = ("service", "result", "reason")


def _reason(row: Mapping[str, Any]) -> str:
    """A FAIL's reason; for an OK, what its last step found (the round trip)."""
    if not row.get("ok"):
        return str(row.get("reason") or "no reason given")
    checks = row.get("checks") or []
    return str(checks[-1].get("detail", "")) if checks else ""


def connection_table(rows: Sequence[Mapping[str, Any]]) -> str:
    """``service | OK/FAIL | reason``, a header and one line per service in name order, columns aligned."""
    lines = [(str(row.get("service", "?")), "OK" if row.get("ok") else "FAIL", _reason(row))
             for row in sorted(rows, key=lambda row: str(row.get("service", "")))]
    widths = [max(len(line[column]) for line in [HEADER, *lines]) for column in range(2)]

    def format_line(line: tuple[str, str, str]) -> str:
        return f"{line[0]:<{widths[0]}} | {line[1]:<{widths[1]}} | {line[2]}".rstrip()

    rule = f"{'-' * widths[0]}-+-{'-' * widths[1]}-+-{'-' * max(len(line[2]) for line in [HEADER, *lines])}"
    return "\n".join([format_line(HEADER), rule, *(format_line(line) for line in lines)])


class FilterModule:
    def filters(self) -> dict[str, Any]:
        return {"connection_table": connection_table}
