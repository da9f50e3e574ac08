"""Blocking keys: type × (place country or proper name) × week. A report is only compared with
the open stories that share a key with it, so a lookup reads a few dozen stories however
many are open.

A story is filed under `type|country|week` for each of its reports (country "-" when
unplaced, week "-" when undated), under `type|*|week`, the key of all places, and under
`type|n:name|week` for each proper name its reports carry, and under `article|id` for each
article that reports it. A placed report reads its
country's keys and the unplaced stories' keys; a report nobody placed reads the all-places
keys; every report reads its names' keys. The store reads only the most recently updated
stories of each key, and of those parses the ones sharing the most keys with the report: a
rare name finds exactly the stories that carry it, a common one only adds to their hits.
The weeks read are those of the report's days widened by the date window, so a match across
a week boundary is found. A dated and an undated report never meet: a live article always
has a date.

Locks are coarser than reads: `type|week` for each week read. Two reports that could match
have one type and days within the window of each other, so the later one's day lies in both
one's widened weeks: they share a lock and take turns on every replica, whatever they name.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from newsflow.models import Report

UNKNOWN = "-"
ANY = "*"
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


WINDOW = 2  # stories.date_window_days


def _weeks(report: Report, around: int = 0) -> list[str]:
    span = day_range(report.date, report.date_precision)
    if span is None:
        return [UNKNOWN]
    lo, hi = span[0] - timedelta(days=around), span[1] + timedelta(days=around)
    return [str(w) for w in range(week(lo), week(hi) + 1)]


def country(report: Report) -> str:
    loc = report.location
    return loc.country if loc is not None and loc.country else UNKNOWN


def _names(report: Report) -> list[str]:
    return [f"n:{n}" for n in sorted(set(report.names) | set(report.context))]


def _article(report: Report) -> str:
    """Every story holding one of the article's reports, so a replay by a new coder finds the
    story its old report told however crowded the other keys are."""
    return f"article|{report.article_id}"


def own_keys(report: Report) -> list[str]:
    """The keys a story holding this report is filed under."""
    t = report.event_type
    blocks = [country(report), ANY, *_names(report)]
    return sorted([*(f"{t}|{b}|{w}" for b in blocks for w in _weeks(report)), _article(report)])


def lookup_keys(report: Report, window: int = WINDOW) -> list[str]:
    """The keys to read when resolving this report."""
    c = country(report)
    places = [c, UNKNOWN] if c != UNKNOWN else [ANY]
    t = report.event_type
    blocks = [*places, *_names(report)]
    keys = (f"{t}|{b}|{w}" for b in blocks for w in _weeks(report, window))
    return sorted([*keys, _article(report)])


def lock_keys(report: Report, window: int = WINDOW) -> list[str]:
    """The keys to lock while resolving it: one per type and week read."""
    return sorted(f"{report.event_type}|{w}" for w in _weeks(report, window))
