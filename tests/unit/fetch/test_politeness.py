"""Per-host slot decisions (pure) and the HostSlots waiting behaviour."""

from __future__ import annotations

import asyncio
import itertools
import time

import pytest

from newsflow.fetch.politeness import (
    MAX_PAUSE,
    HostPaused,
    HostSlots,
    HostState,
    finished,
    idle,
    started,
    wait_time,
)


def test_wait_time_paces_and_limits():
    """A fresh host may start now; after a start the next waits min_delay; full slots mean None."""
    s = HostState()
    assert wait_time(s, 100.0, max_active=2) == 0
    s = started(s, 100.0, min_delay=1.5)
    assert wait_time(s, 100.5, max_active=2) == pytest.approx(1.0)
    s = started(s, 101.5, min_delay=1.5)
    assert wait_time(s, 200.0, max_active=2) is None


def test_crawl_delay_raises_but_never_lowers_delay():
    """A robots.txt Crawl-delay above min_delay is used; one below it is not."""
    assert started(HostState(crawl_delay=5), 0, min_delay=1).next_start == 5
    assert started(HostState(crawl_delay=0.1), 0, min_delay=1).next_start == 1


def test_retry_after_pauses_host():
    """A 429 with Retry-After pauses the whole host for that long."""
    s = finished(
        started(HostState(), 0, min_delay=0), 10.0, status=429, retry_after=30, min_delay=0
    )
    assert s.active == 0 and wait_time(s, 10.0, max_active=1) == pytest.approx(30)


def test_503_without_retry_after_doubles_and_success_resets():
    """Repeated 503s without Retry-After pause 1×, 2×, 4× the unit; a success resets the streak."""
    s = HostState()
    pauses = []
    for i in range(3):
        s = finished(
            started(s, i * 100.0, min_delay=1), i * 100.0, status=503, retry_after=None, min_delay=1
        )
        pauses.append(s.paused_until - i * 100.0)
    assert pauses == [1, 2, 4]
    s = finished(started(s, 500, min_delay=1), 500, status=200, retry_after=None, min_delay=1)
    assert s.strikes == 0


def test_pause_is_capped():
    """A Retry-After of a week is capped so the host is asked again within MAX_PAUSE."""
    s = finished(HostState(active=1), 0, status=503, retry_after=7 * 86400, min_delay=0)
    assert s.paused_until == MAX_PAUSE


def test_other_errors_do_not_pause():
    """A 500 or a network failure neither pauses nor resets the host."""
    s = finished(HostState(active=1, strikes=2), 0, status=500, retry_after=None, min_delay=1)
    assert s.paused_until == 0 and s.strikes == 2
    s = finished(HostState(active=1, strikes=2), 0, status=None, retry_after=None, min_delay=1)
    assert s.strikes == 2


def test_idle():
    """Only a state with nothing pending can be forgotten."""
    assert idle(HostState(), 10)
    assert not idle(HostState(paused_until=20), 10)
    assert not idle(HostState(active=1), 10)


async def test_slots_serialise_starts():
    """Three acquisitions on one host with per_host=1 start min_delay apart."""
    slots = HostSlots(per_host=1, min_delay=0.05)
    starts: list[float] = []

    async def one():
        await slots.acquire("h")
        starts.append(time.monotonic())
        await asyncio.sleep(0.01)
        slots.release("h", status=200)

    await asyncio.gather(one(), one(), one())
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert all(g >= 0.045 for g in gaps)
    assert slots.health()["h"]["active"] == 0


async def test_slots_raise_when_pause_too_long():
    """A caller unwilling to wait out a host's pause gets HostPaused immediately."""
    slots = HostSlots(per_host=1, min_delay=0)
    await slots.acquire("h")
    slots.release("h", status=429, retry_after=60)
    with pytest.raises(HostPaused) as err:
        await slots.acquire("h", max_pause=5)
    assert err.value.remaining > 55
