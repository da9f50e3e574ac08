"""Polling decisions and entry keys: pure functions."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from newsflow.config import PollSettings
from newsflow.models import SourceItem
from newsflow.sources.schedule import (
    backoff_delay,
    entry_key,
    first_poll_since,
    item_key,
    next_poll_after_success,
)

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
POLL = PollSettings(min_interval=60, max_interval=6 * 3600, backoff_base=60, backoff_cap=3600)


def nxt(interval_now, new_items, newest_gap=None, base=900.0):
    return next_poll_after_success(
        now=NOW,
        interval_now=interval_now,
        new_items=new_items,
        newest_gap=newest_gap,
        settings=POLL,
        base_interval=base,
    )


def test_new_items_speed_up_until_min_interval():
    """Each poll with new items halves the interval, never below min_interval."""
    interval = 900.0
    seen = []
    for _ in range(6):
        interval = nxt(interval, new_items=3)
        seen.append(interval)
    assert seen[:3] == [450, 225, 112.5] and seen[-1] == POLL.min_interval


def test_quiet_source_slows_down_within_bounds():
    """Polls without new items stretch the interval, capped at 8× the configured one and max_interval."""
    interval = 900.0
    for _ in range(20):
        interval = nxt(interval, new_items=0)
    assert interval == 8 * 900


def test_long_silence_jumps_ahead():
    """A source whose newest entry is two days old jumps to a quarter of that gap, bounded by max_interval."""
    assert nxt(900, new_items=0, newest_gap=2 * 86400, base=3600) == POLL.max_interval


def test_bad_interval_starts_from_base():
    """A missing (zero) current interval starts from the configured one."""
    assert nxt(0, new_items=0) == 900 * 1.5


def test_backoff_grows_with_jitter_and_caps():
    """Backoff doubles per failure with jitter between half and all of the step, and stops growing at the cap."""
    rng = random.Random(7)
    for streak, step in [(1, 60), (2, 120), (3, 240)]:
        d = backoff_delay(error_streak=streak, settings=POLL, rng=rng)
        assert step / 2 <= d <= step
    for streak in (10, 100, 10_000):
        d = backoff_delay(error_streak=streak, settings=POLL, rng=rng)
        assert POLL.backoff_cap / 2 <= d <= POLL.backoff_cap


def test_backoff_zero_streak_is_base():
    """A streak of zero or less is treated as the first failure."""
    d = backoff_delay(error_streak=0, settings=POLL, rng=random.Random(1))
    assert 30 <= d <= 60


def test_first_poll_horizon():
    """A new source reaches back first_poll_horizon_hours (48 by default)."""
    assert first_poll_since(now=NOW, settings=PollSettings()) == NOW - timedelta(hours=48)


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"guid": "g1", "url": "https://x/a"}, "guid:g1"),
        ({"guid": "  ", "url": "https://x/a"}, "url:https://x/a"),
        ({"title": "T", "published_at": NOW}, f"title:T|{NOW.isoformat()}"),
        ({}, "title:|"),
    ],
)
def test_entry_key_precedence(kwargs, expected):
    """Keys use the GUID, else the link, else title and date."""
    assert entry_key(**kwargs) == expected


def test_long_keys_are_hashed_and_item_key_matches():
    """Very long values are hashed to a fixed length, and item_key agrees with entry_key."""
    item = SourceItem(source_id="s", url="https://x/" + "a" * 500)
    key = item_key(item)
    assert key.startswith("url:") and len(key) == 4 + 64
    assert key == entry_key(url=item.url)
