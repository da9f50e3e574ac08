"""Blocking keys: type × place country × week. A report is only compared with the open stories
that share a key with it, so a lookup reads a handful of stories however many are open.

A report is filed under its own keys and looks up those plus their neighbours: the weeks
either side of its dates (so a match across a week boundary is found), and the "unknown"
country and week (a story nobody placed or dated can still take it). The keys looked up are
also the keys locked, so two replicas judging reports of one happening take turns.
Every story is also filed under the unknown country, so a report nobody placed finds it;
those keys gather many stories, and the store reads only the most recently updated of them.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from newsflow.models import Report

UNKNOWN = "-"
EPOCH = date(1970, 1, 5)  # a Monday: weeks run Monday to Sunday


def day_range(value: str | None, precision: str | None) -> tuple[date, date] | None:
    """First and last day an ISO date of the given precision allows; None when undated or
    only a year is known (a year is too wide to tell happenings apart)."""
    if not value or precision not in ("day", "month"):
        return None
    try:
        if precision == "day":
            d = date.fromisoformat(value[:10])
            return d, d
        year, month = int(value[:4]), int(value[5:7])
        last = calendar.monthrange(year, month)[1]
        return date(year, month, 1), date(year, month, last)
    except ValueError:
        return None


def week(d: date) -> int:
    return (d - EPOCH).days // 7


def weeks(report: Report) -> list[str]:
    span = day_range(report.date, report.date_precision)
    if span is None:
        return [UNKNOWN]
    return [str(w) for w in range(week(span[0]), week(span[1]) + 1)]


def country(report: Report) -> str:
    loc = report.location
    return loc.country if loc is not None and loc.country else UNKNOWN


def own_keys(report: Report) -> list[str]:
    """The keys a story holding this report is filed under: its country's and the unknown
    country's (where a report nobody placed looks; the store reads the most recent of those)."""
    places = {country(report), UNKNOWN}
    return sorted(f"{report.event_type}|{c}|{w}" for c in places for w in weeks(report))


def lookup_keys(report: Report) -> list[str]:
    """The keys to read (and lock) when resolving this report."""
    places = {country(report), UNKNOWN}
    span = day_range(report.date, report.date_precision)
    ws = {UNKNOWN}
    if span is not None:
        ws |= {str(w) for w in range(week(span[0] - timedelta(days=7)), week(span[1]) + 2)}
    return sorted(f"{report.event_type}|{c}|{w}" for c in places for w in ws)
