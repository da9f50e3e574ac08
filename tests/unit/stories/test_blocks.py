"""Blocking keys: what a story is filed under and what a report looks up."""

from __future__ import annotations

from newsflow.stories.blocks import day_range, lock_keys, lookup_keys, own_keys
from tests.unit.stories.reports import report


def test_a_report_looks_up_its_own_keys_and_the_weeks_beside_them():
    """A story filed by one report is found by a report of a neighbouring day, also across a week boundary."""
    sunday = report(1, date="2025-02-16")
    monday = report(2, date="2025-02-17")
    assert set(own_keys(sunday)) & set(lookup_keys(monday))
    assert set(own_keys(monday)) & set(lookup_keys(sunday))


def test_an_unplaced_report_finds_placed_stories_through_the_unknown_country():
    """Every story is filed under the unknown country too, so a report nobody placed can find it."""
    placed, unplaced = report(1), report(2, location=None)
    assert set(own_keys(placed)) & set(lookup_keys(unplaced))


def test_other_types_share_no_key():
    """A protest never reads the air strikes' stories."""
    assert not set(own_keys(report(1))) & set(lookup_keys(report(2, event_type="PROTEST")))


def test_day_ranges_of_days_months_and_years():
    """A day is itself, a month its days; a year is too wide to block on."""
    assert day_range("2024-02", "month")[1].day == 29  # type: ignore[index]
    assert day_range("2024", "year") is None and day_range(None, None) is None


def test_reports_that_could_match_share_a_lock_whatever_their_places():
    """Replicas take turns on any two reports of one type within the date window, placed or not."""
    placed, unplaced = report(1, date="2025-02-16"), report(2, date="2025-02-17", location=None)
    assert set(lock_keys(placed)) & set(lock_keys(unplaced))


def test_a_shared_rare_name_finds_a_story_in_another_country_block():
    """Two reports that name one rare place or person meet through that name's key."""
    a = report(1, location=None, names=["woodburn"])
    b = report(2, names=["woodburn", "oregon"])
    assert set(own_keys(a)) & set(lookup_keys(b))
