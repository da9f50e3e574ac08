"""Date parsing for feeds and sitemaps: zones, missing zones, garbage."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from newsflow.sources.dates import parse_date, zone

BERLIN = zone("Europe/Berlin")


@pytest.mark.parametrize(
    ("raw", "offset_hours"),
    [
        ("Tue, 24 Nov 2026 07:00:00 GMT", 0),
        ("Tue, 24 Nov 2026 07:00:00 +0530", 5.5),
        ("Tue, 24 Nov 2026 07:00 EST", -5),
        ("24 Nov 2026 07:00:00 CEST", 2),
        ("2026-11-24T07:00:00Z", 0),
        ("2026-11-24T07:00:00-03:00", -3),
    ],
)
def test_explicit_zones_are_kept(raw, offset_hours):
    """A date that names its zone keeps that zone whatever the source's default."""
    when = parse_date(raw, tz=BERLIN)
    assert when.utcoffset() == timedelta(hours=offset_hours)


@pytest.mark.parametrize(
    "raw", ["Tue, 24 Nov 2026 07:00:00", "2026-11-24T07:00:00", "24 Nov 2026 07:00:00 XYZ"]
)
def test_missing_or_unknown_zone_uses_source_zone(raw):
    """A date without a (known) zone is read in the source's timezone."""
    assert parse_date(raw, tz=BERLIN) == datetime(2026, 11, 24, 7, tzinfo=BERLIN)


@pytest.mark.parametrize("raw", [None, "", "soon", "Tue, 31 Feb 2026 07:00:00 GMT", "99999-99-99"])
def test_garbage_is_none(raw):
    """Unreadable or impossible dates give None instead of raising."""
    assert parse_date(raw) is None


def test_zone_fallback():
    """An unknown or missing zone name means UTC."""
    assert zone(None) is UTC and zone("Not/AZone") is UTC
    assert parse_date("2026-11-24T07:00:00", tz=zone(None)).tzinfo is UTC
