# Copyright: Open edX data services maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Lengths and overlap of the daily backup window (hh24:mi-hh24:mi) and the weekly maintenance window
(ddd:hh24:mi-ddd:hh24:mi), which RDS, DocumentDB and ElastiCache check only when the resource is created."""

from __future__ import annotations

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY = 24 * 60
WEEK = 7 * DAY


def _minute(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def _daily(window: str) -> tuple[int, int]:
    start, end = (_minute(part) for part in window.split("-"))
    return start, (end - start) % DAY


def _weekly(window: str) -> tuple[int, int]:
    start, end = ((DAYS.index(part[:3].lower()) * DAY + _minute(part[4:])) for part in window.split("-"))
    return start, (end - start) % WEEK


def window_minutes(window: str) -> int:
    """How long a daily (``03:00-04:00``) or weekly (``mon:04:00-mon:05:00``) window lasts, in minutes."""
    return (_weekly if window.count(":") == 4 else _daily)(str(window))[1]


def windows_overlap(daily: str, weekly: str) -> bool:
    """Whether the daily window, on any day, shares a minute with the weekly one (touching is no overlap)."""
    daily_start, daily_length = _daily(str(daily))
    weekly_start, weekly_length = _weekly(str(weekly))
    for day in range(7):
        start = day * DAY + daily_start
        # Two spans on the week's circle overlap when either starts inside the other.
        if (start - weekly_start) % WEEK < weekly_length or (weekly_start - start) % WEEK < daily_length:
            return True
    return False


class FilterModule:
    def filters(self):
        return {"window_minutes": window_minutes, "windows_overlap": windows_overlap}
