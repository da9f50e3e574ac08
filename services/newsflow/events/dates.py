"""Reads an event's date from its sentence, resolving relative expressions against published_at.

Pure: no clock. Returns (iso date, precision, source) or (None, None, None). Without a date in
the text the publication day is used (source "published"); without published_at, only absolute
dates in the text are used.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

MONTHS = {
    m: i
    for i, m in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ],
        start=1,
    )
}
MONTHS.update({m[:3]: i for m, i in list(MONTHS.items())})
MONTHS["sept"] = 9
WEEKDAYS = {
    d: i
    for i, d in enumerate(
        ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    )
}

_MON = r"(january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)\.?"
_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)? (?:of )?{_MON}(?:,? (\d{{4}}))?\b", re.I)
_MONTH_DAY = re.compile(rf"\b{_MON} (\d{{1,2}})(?:st|nd|rd|th)?\b(?:,? (\d{{4}}))?", re.I)
_MONTH_REL = re.compile(
    rf"\b(?:in|since|during|last|this|early|late|mid-?)\s+{_MON}(?:\s+(?:of\s+)?(last year|this year|\d{{4}}))?\b",
    re.I,
)
_YEAR = re.compile(r"\b(?:in|since|during|from|of)\s+((?:19|20)\d{2})\b", re.I)
_WEEKDAY = re.compile(
    r"\b(?:on |last |this |next )?(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b",
    re.I,
)
_RELATIVE = re.compile(
    r"\b(yesterday|today|tonight|this morning|this afternoon|this evening|last night|last month|last year|last week)\b",
    re.I,
)


def _fix_year(month: int, day: int | None, published: date | None, *, future: bool) -> int | None:
    """Year of a yearless date: the occurrence nearest the publication, looking back unless future."""
    if published is None:
        return None
    y = published.year
    candidate = date(y, month, min(day or 1, 28))
    if not future and candidate > published + timedelta(days=31):
        y -= 1
    if future and candidate < published - timedelta(days=31):
        y += 1
    return y


Resolved = tuple[str | None, str | None, str | None]


def resolve(text: str, published_at: datetime | None, *, future: bool = False) -> Resolved:
    """The first date expression in text, as (iso, precision, source); else the publication day."""
    hits = candidates(text, published_at, future=future)
    if hits:
        return hits[0][2]
    return fallback(published_at)


def fallback(published_at: datetime | None) -> Resolved:
    if published_at is not None:
        return published_at.date().isoformat(), "day", "published"
    return None, None, None


def candidates(
    text: str, published_at: datetime | None, *, future: bool = False
) -> list[tuple[int, int, Resolved]]:
    """Every date expression in text as (start, end, resolved), in text order."""
    pub = published_at.date() if published_at else None
    hits: list[tuple[int, int, Resolved]] = []
    for m in _DAY_MONTH.finditer(text):
        hits.append(
            (
                m.start(),
                m.end(),
                _full(int(m.group(1)), MONTHS[m.group(2).lower()], m.group(3), pub, future),
            )
        )
    for m in _MONTH_DAY.finditer(text):
        if m.group(1).lower() == "may" and not m.group(3):
            continue  # "may 5" is usually the modal verb
        hits.append(
            (
                m.start(),
                m.end(),
                _full(int(m.group(2)), MONTHS[m.group(1).lower()], m.group(3), pub, future),
            )
        )
    for m in _MONTH_REL.finditer(text):
        if m.group(1).lower() == "may":
            continue
        hits.append(
            (
                m.start(),
                m.end(),
                _month(m.group(0).lower(), MONTHS[m.group(1).lower()], m.group(2), pub, future),
            )
        )
    for m in _YEAR.finditer(text):
        hits.append((m.start(), m.end(), (m.group(1), "year", "text")))
    if pub is not None:
        for m in _WEEKDAY.finditer(text):
            hits.append((m.start(), m.end(), _weekday(m.group(0).lower(), pub, future)))
        for m in _RELATIVE.finditer(text):
            hits.append((m.start(), m.end(), _relative(m.group(1).lower(), pub)))
    hits = [h for h in hits if h[2][0] is not None]
    # "In August of last year" also contains "last year": keep only the outermost expression.
    hits = [h for h in hits if not any(o is not h and o[0] <= h[0] and h[1] <= o[1] for o in hits)]
    return sorted(hits, key=lambda h: h[0])


def _full(
    day: int, month: int, year: str | None, pub: date | None, future: bool
) -> tuple[str | None, str | None, str | None]:
    y = int(year) if year else _fix_year(month, day, pub, future=future)
    if y is None:
        return None, None, None
    try:
        return date(y, month, day).isoformat(), "day", "text"
    except ValueError:
        return None, None, None


def _month(
    phrase: str, month: int, which: str | None, pub: date | None, future: bool
) -> tuple[str | None, str | None, str | None]:
    if which and which[0].isdigit():
        y: int | None = int(which)
    elif which == "last year" or (
        phrase.startswith("last") and pub is not None and month >= pub.month
    ):
        y = pub.year - 1 if pub else None
    elif which == "this year":
        y = pub.year if pub else None
    else:
        y = _fix_year(month, None, pub, future=future)
    if y is None:
        return None, None, None
    return f"{y:04d}-{month:02d}", "month", "text"


def _weekday(phrase: str, pub: date, future: bool) -> tuple[str | None, str | None, str | None]:
    target = WEEKDAYS[phrase.split()[-1]]
    delta = (pub.weekday() - target) % 7
    if phrase.startswith("next") or (future and not phrase.startswith("last")):
        d = pub + timedelta(days=(target - pub.weekday()) % 7 or 7)
    else:
        d = pub - timedelta(days=delta or (7 if phrase.startswith("last") else 0))
    return d.isoformat(), "day", "text"


def _relative(word: str, pub: date) -> tuple[str | None, str | None, str | None]:
    if word in ("yesterday", "last night"):
        return (pub - timedelta(days=1)).isoformat(), "day", "text"
    if word == "last month":
        first = pub.replace(day=1) - timedelta(days=1)
        return f"{first.year:04d}-{first.month:02d}", "month", "text"
    if word == "last year":
        return f"{pub.year - 1:04d}", "year", "text"
    if word == "last week":
        return None, None, None
    return pub.isoformat(), "day", "text"


def is_past(iso: str | None, precision: str | None, published_at: datetime | None) -> bool:
    """True when a text date lies well before publication (over a month, or an earlier year)."""
    if iso is None or published_at is None:
        return False
    pub = published_at.date()
    if precision == "year":
        return int(iso[:4]) < pub.year
    if precision == "month":
        y, m = int(iso[:4]), int(iso[5:7])
        return (pub.year - y) * 12 + pub.month - m >= 2
    return date.fromisoformat(iso) < pub - timedelta(days=31)
