"""ISO weeks as Terril names them ("2026-W49"): parse, format, Monday, next and previous week."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

_WEEK_RE = re.compile(r"^(\d{4})-W(\d{2})$")


def parse_week(week: str) -> tuple[int, int]:
    """``"2026-W49"`` → ``(2026, 49)``; anything else raises ValueError saying what is expected."""
    if not isinstance(week, str):
        raise ValueError(f"ISO week must be a string like '2026-W49', got {week!r}")
    m = _WEEK_RE.match(week.strip())
    if not m:
        raise ValueError(f"invalid ISO week {week!r}: expected 'YYYY-Www', e.g. '2026-W49'")
    year, num = int(m.group(1)), int(m.group(2))
    if year < 1:
        raise ValueError(f"invalid ISO week {week!r}: year must be positive")
    weeks_in_year = date(year, 12, 28).isocalendar().week
    if not 1 <= num <= weeks_in_year:
        raise ValueError(f"invalid ISO week {week!r}: {year} has ISO weeks 01 to {weeks_in_year:02d}")
    return year, num


def format_week(year: int, num: int) -> str:
    return f"{year:04d}-W{num:02d}"


def iso_week_of(d: date) -> str:
    """The ISO week containing ``d`` (a datetime is taken at its own local date)."""
    if isinstance(d, datetime):
        d = d.date()
    iso = d.isocalendar()
    return format_week(iso.year, iso.week)


def week_monday(week: str) -> date:
    """The Monday of ``week``."""
    year, num = parse_week(week)
    return date.fromisocalendar(year, num, 1)


def next_week(week: str) -> str:
    return iso_week_of(week_monday(week) + timedelta(days=7))


def previous_week(week: str) -> str:
    return iso_week_of(week_monday(week) - timedelta(days=7))
