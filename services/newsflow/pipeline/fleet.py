"""Adapts the state store's shared host slots to the fetcher's FleetClock."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

from newsflow.models import utcnow
from newsflow.state.base import StateStore

# A turn missed by more than this share of the delay is given up and booked again.
# Measured with three replicas on two cores (tests/integration/test_replicas.py): the
# reservation round trip is ~2 ms at the median but up to ~350 ms when the pool is busy, and
# a busy event loop wakes up to ~30 ms late; a request sent that late lands on the turn the
# store has already given the next request, possibly another replica's. The final check is
# made as the request is written (fetch.politeness.SEND_TOLERANCE); this one only saves
# opening a connection for a turn already lost.
LATE_SHARE = 0.04
MAX_REBOOKINGS = 5  # then go anyway: a clock this far behind is no reason to stop fetching


class StoreFleetClock:
    """Per-host pacing for all replicas, kept in PostgreSQL (one upsert per request)."""

    def __init__(self, store: StateStore) -> None:
        self.store = store

    async def reserve(self, host: str, delay: float) -> float:
        """Wait here for this request's turn on `host` and return its time.monotonic().

        Waiting here rather than in the caller lets a missed turn be noticed: the turn after
        it already belongs to someone else, so a request that reaches its turn late (slow
        round trip, late wake-up) books a fresh one instead of crowding that one. The missed
        turn stays empty, which only ever slows the host down.
        """
        turn = time.monotonic()
        for _ in range(MAX_REBOOKINGS + 1):
            # The wall clock first: a pause between the two reads (preemption, a GC pass)
            # then puts the turn late, where the check below sees it, never early.
            now = utcnow()
            asked = time.monotonic()
            turn = asked + await self.store.reserve_host_slot(host, now, delay)
            if (pause := turn - time.monotonic()) > 0:
                await asyncio.sleep(pause)
            if time.monotonic() - turn <= delay * LATE_SHARE:
                break
        return turn

    async def penalize(self, host: str, seconds: float) -> None:
        await self.store.penalize_host(host, utcnow() + timedelta(seconds=seconds))
