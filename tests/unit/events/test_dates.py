"""Dates: absolute, partial and relative expressions resolved against the publication time."""

from __future__ import annotations

from datetime import UTC, datetime

from newsflow.events.dates import resolve

PUB = datetime(2025, 2, 12, 18, 0, tzinfo=UTC)  # Wednesday


def test_weekday_is_the_last_such_day() -> None:
    """'on Thursday' in a Wednesday story is the previous Thursday."""
    assert resolve("Troops crossed the river on Thursday.", PUB) == ("2025-02-06", "day", "text")


def test_yesterday() -> None:
    """'yesterday' is the day before publication."""
    assert resolve("Rebels shelled the town yesterday.", PUB) == ("2025-02-11", "day", "text")


def test_month_of_last_year_is_partial() -> None:
    """'In August of last year' is a month-precision date in the previous year."""
    assert resolve("In August of last year, the army advanced.", PUB) == (
        "2024-08",
        "month",
        "text",
    )


def test_day_month_without_year_takes_the_nearest_year() -> None:
    """A yearless date is placed in the publication year unless it would lie far ahead."""
    assert resolve("The vote is set for 24 February.", PUB, future=True) == (
        "2025-02-24",
        "day",
        "text",
    )
    assert resolve("Talks began on November 3.", PUB) == ("2024-11-03", "day", "text")


def test_no_date_uses_publication_day() -> None:
    """Without a date in the text the publication day is used, marked as such."""
    assert resolve("Police dispersed the crowd.", PUB) == ("2025-02-12", "day", "published")


def test_no_publication_time_keeps_only_absolute_dates() -> None:
    """Without published_at, relative dates stay unresolved and absolute years still count."""
    assert resolve("Police dispersed the crowd on Monday.", None) == (None, None, None)
    assert resolve("The dam was finished in 1988.", None) == ("1988", "year", "text")
