"""Polling decisions: pure functions of `now`, settings and what the last poll saw.

After a success the interval adapts to how often the source publishes; after
a failure it backs off exponentially with jitter up to `backoff_cap` and keeps
trying there (a feed that is down for a week is still polled, slowly).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from newsflow.config import PollSettings
from newsflow.sources.keys import entry_key, item_key

__all__ = [
    "backoff_delay",
    "entry_key",
    "first_poll_since",
    "item_key",
    "next_poll_after_success",
]

SPEED_UP = 0.5  # new items: halve the interval
SLOW_DOWN = 1.5  # nothing new: stretch it
QUIET_FRACTION = 0.25  # a source silent for T needs no poll more often than T/4


def _clamp(value: float, settings: PollSettings) -> float:
    return min(max(value, settings.min_interval), settings.max_interval)


def next_poll_after_success(
    *,
    now: datetime,
    interval_now: float,
    new_items: int,
    newest_gap: float | None,
    settings: PollSettings,
    base_interval: float,
) -> float:
    """Seconds until the next poll, within [min_interval, max_interval].

    `interval_now` is the interval used for this poll (<= 0: start from
    `base_interval`, the source's configured interval); `newest_gap` is the age
    in seconds of the newest entry seen, if any was dated.
    """
    current = interval_now if interval_now > 0 else base_interval
    if new_items > 0:
        # Publishing now: poll sooner, but not faster than half the configured rate
        # unless the feed keeps delivering (each halving needs new items again).
        return _clamp(current * SPEED_UP, settings)
    stretched = current * SLOW_DOWN
    if newest_gap is not None and newest_gap > 0:
        stretched = max(stretched, newest_gap * QUIET_FRACTION)
    # A quiet source drifts back up, but not past 8× its configured interval.
    return _clamp(min(stretched, max(base_interval * 8, current)), settings)


def backoff_delay(*, error_streak: int, settings: PollSettings, rng: random.Random) -> float:
    """Seconds before retrying a failing source: base·2^(streak-1), "equal jitter", at most backoff_cap."""
    exponent = min(max(error_streak, 1) - 1, 32)  # 2^32 × base is far past any cap
    ceiling = min(settings.backoff_base * 2.0**exponent, settings.backoff_cap)
    return ceiling / 2 + rng.uniform(0, ceiling / 2)


def first_poll_since(*, now: datetime, settings: PollSettings) -> datetime:
    """How far back a source polled for the first time reaches (first_poll_horizon_hours)."""
    return now - timedelta(hours=settings.first_poll_horizon_hours)
