"""Dates found in feeds and sitemaps, made timezone-aware without ever raising.

A date without a zone is read in the source's `timezone` (an IANA name),
else UTC. RSS uses RFC 822 dates (RFC 822 §5, with RFC 2822 §3.3 for the
obsolete zone names); Atom, sitemaps and Google News use RFC 3339 / W3C-DTF.
"""

from __future__ import annotations

import calendar
import re
import time
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from email.utils import parsedate_tz
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# email.utils knows only the US zones of RFC 822 §5.1 and reports every other
# name, and a missing zone, as +0000. Zones seen in real feeds, in hours:
_ZONE_HOURS = {
    "CET": 1, "CEST": 2, "BST": 1, "WET": 0, "WEST": 1, "EET": 2, "EEST": 3, "MSK": 3,
    "JST": 9, "KST": 9, "HKT": 8, "SGT": 8, "WIB": 7, "PKT": 5, "AEST": 10, "AEDT": 11,
    "NZST": 12, "NZDT": 13,
}  # fmt: skip
_RFC822_ZONES = {"UT", "UTC", "GMT", "Z", "EST", "EDT", "CST", "CDT", "MST", "MDT", "PST", "PDT"}
_TRAILING_ZONE = re.compile(r"\d:\d\d(?::\d\d(?:\.\d+)?)?\s*([A-Za-z]+|[+-]\d{2}:?\d{2})?\s*$")


def _rfc822_offset(raw: str, parsed_offset: int | None) -> int | None:
    """Seconds east of UTC for the zone written in `raw`; None when absent or unknown."""
    m = _TRAILING_ZONE.search(raw)
    token = m.group(1) if m else None
    if token is None:
        return None
    if token[0] in "+-":
        return parsed_offset
    name = token.upper()
    if name in _RFC822_ZONES:
        return parsed_offset
    hours = _ZONE_HOURS.get(name)
    return None if hours is None else hours * 3600


def zone(name: str | None) -> tzinfo:
    """The IANA zone `name`, or UTC when missing or unknown."""
    if not name:
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def parse_date(raw: str | None, *, tz: tzinfo = UTC) -> datetime | None:
    """An aware datetime from an RFC 822 or ISO 8601 string, or None if unreadable."""
    if not raw or not isinstance(raw, str):
        return None
    raw = raw.strip()
    try:
        iso = datetime.fromisoformat(raw.replace("z", "Z"))
    except ValueError:
        iso = None
    if iso is not None:
        return iso if iso.tzinfo else iso.replace(tzinfo=tz)
    parsed = parsedate_tz(raw)
    if parsed is None:
        return None
    try:
        naive = datetime(*parsed[:6])
    except (ValueError, OverflowError):
        return None
    offset = _rfc822_offset(raw, parsed[9])
    if offset is None:
        return naive.replace(tzinfo=tz)
    return naive.replace(tzinfo=timezone(timedelta(seconds=offset)))


def from_struct(value: time.struct_time | None) -> datetime | None:
    """feedparser's *_parsed fields, which are UTC."""
    if not value:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), UTC)
    except (OverflowError, ValueError, OSError):
        return None


def plausible(when: datetime | None, now: datetime) -> bool:
    """False for dates over a day in the future: a bad clock or zone must not pin 'newest'."""
    return when is not None and when - now <= timedelta(days=1)


def aware(when: datetime | None) -> datetime | None:
    """`when` with UTC assumed if it carries no zone, so comparisons never raise."""
    if when is not None and when.tzinfo is None:
        return when.replace(tzinfo=UTC)
    return when
