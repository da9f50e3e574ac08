"""Per-host slots: how many requests may be in flight and how often they may start.

The decisions (`wait_time`, `started`, `finished`) are pure functions of a
`HostState`, `now` and settings. `HostSlots` holds the states and does the
waiting. A host is paused when it answers 429 or 503 (RFC 9110 §15.5.30 and
§15.6.4): for as long as its Retry-After says, or with an exponential pause
when it gives none.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import Protocol

MAX_PAUSE = 3600.0  # a Retry-After of days is more likely a bug than a wish; re-ask hourly
MIN_BACKOFF = 0.1  # backoff unit when min_host_delay is 0, so a failing host is never hammered
PRUNE_ABOVE = 2048  # idle host states kept before dropping them

# How late after its turn a request may still leave, as a share of the host's delay. Two
# turns are a full delay apart, so requests reach a host at least (1 - SEND_TOLERANCE) x
# delay apart, fleet-wide. Checked as the request is written (fetch/client.py), with no
# await in between: a wait for a connection, DNS or a busy event loop (feed parsing) comes
# before the check, where it used to make a request late unseen.
SEND_TOLERANCE = 0.04
_SEND_BY: ContextVar[float | None] = ContextVar("newsflow_send_by", default=None)


@dataclass(frozen=True)
class HostState:
    active: int = 0
    next_start: float = 0.0  # earliest start of the next request (pacing)
    paused_until: float = 0.0  # the server asked us to stay away until then
    crawl_delay: float | None = None  # from robots.txt; only ever raises the delay
    strikes: int = 0  # consecutive 429/503 answers


def host_delay(state: HostState, min_delay: float) -> float:
    """Seconds between request starts for this host."""
    return max(min_delay, state.crawl_delay or 0.0)


def wait_time(state: HostState, now: float, *, max_active: int) -> float | None:
    """0 if a request may start now, seconds to wait if paced or paused, None if all slots are busy."""
    if state.active >= max_active:
        return None
    return max(0.0, state.next_start - now, state.paused_until - now)


def started(state: HostState, now: float, *, min_delay: float) -> HostState:
    """The state after a request starts: one more in flight, next start pushed back."""
    return replace(state, active=state.active + 1, next_start=now + host_delay(state, min_delay))


def pause_for(state: HostState, retry_after: float | None, min_delay: float) -> float:
    """How long to leave a host alone after a 429/503: its Retry-After, else doubling."""
    if retry_after is not None:
        return min(max(retry_after, 0.0), MAX_PAUSE)
    return min(max(min_delay, MIN_BACKOFF) * 2.0 ** min(state.strikes, 20), MAX_PAUSE)


def finished(
    state: HostState, now: float, *, status: int | None, retry_after: float | None, min_delay: float
) -> HostState:
    """The state after a request ends with `status` (None: no HTTP answer)."""
    state = replace(state, active=max(0, state.active - 1))
    if status in (429, 503):
        pause = pause_for(state, retry_after, min_delay)
        return replace(
            state, paused_until=max(state.paused_until, now + pause), strikes=state.strikes + 1
        )
    if status is not None and status < 500:
        return replace(state, strikes=0)
    return state


def idle(state: HostState, now: float) -> bool:
    """True when forgetting this state changes no decision."""
    return (
        state.active == 0
        and state.next_start <= now
        and state.paused_until <= now
        and state.crawl_delay is None
    )


class FleetClock(Protocol):
    """Per-host pacing shared by every replica (PostgreSQL state); optional.

    `reserve` books the host's next start, waits for it, and returns the seconds the
    caller must still wait (0 when the clock waited itself); `penalize` keeps the whole
    fleet away from a host that answered 429/503.
    """

    async def reserve(self, host: str, delay: float) -> float:
        """Book and wait for the host's next turn; its time on time.monotonic's clock."""
        ...

    async def penalize(self, host: str, seconds: float) -> None: ...


class TurnMissed(Exception):
    """The request was about to leave too long after its turn; it must book a new one."""


def check_send_time(clock: Callable[[], float] = time.monotonic) -> None:
    """Called as a paced request is written: raise TurnMissed if its turn has passed.

    One turn is good for one send: the mark is cleared whatever the answer.
    """
    send_by = _SEND_BY.get()
    if send_by is None:
        return
    _SEND_BY.set(None)
    if (late := clock() - send_by) > 0:
        raise TurnMissed(f"{late * 1000:.0f} ms past the tolerance after its turn")


def waive_turn() -> None:
    """Let the next paced request go however late (after MAX_REBOOKINGS missed turns)."""
    _SEND_BY.set(None)


class HostPaused(Exception):
    """The host asked us to wait longer than the caller is willing to."""

    def __init__(self, remaining: float) -> None:
        super().__init__(f"host paused for {remaining:.1f}s more")
        self.remaining = remaining


class HostSlots:
    """Holds a HostState per host and makes callers wait their turn."""

    def __init__(
        self,
        *,
        per_host: int,
        min_delay: float,
        clock: Callable[[], float] = time.monotonic,
        fleet: FleetClock | None = None,
    ) -> None:
        self._per_host = per_host
        self._min_delay = min_delay
        self._clock = clock
        self._fleet = fleet
        self._states: dict[str, HostState] = {}
        self._changed: dict[str, asyncio.Event] = {}

    def state(self, host: str) -> HostState:
        return self._states.get(host, HostState())

    def set_crawl_delay(self, host: str, delay: float | None) -> None:
        """Raise the host's pacing to a robots.txt Crawl-delay (never lowers min_host_delay)."""
        self._states[host] = replace(self.state(host), crawl_delay=delay)

    async def acquire(self, host: str, *, max_pause: float | None = None) -> None:
        """Wait for a slot on `host`; raise HostPaused if its pause outlasts `max_pause`."""
        while True:
            now = self._clock()
            state = self.state(host)
            wait = wait_time(state, now, max_active=self._per_host)
            if wait == 0:
                self._states[host] = started(state, now, min_delay=self._min_delay)
                delay = host_delay(state, self._min_delay)
                turn = now
                if self._fleet is not None:
                    turn = await self._wait_for_fleet(host, delay)
                _SEND_BY.set(turn + delay * SEND_TOLERANCE if delay > 0 else None)
                return
            remaining_pause = state.paused_until - now
            if max_pause is not None and remaining_pause > max_pause:
                raise HostPaused(remaining_pause)
            event = self._changed.setdefault(host, asyncio.Event())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), timeout=wait)

    async def _wait_for_fleet(self, host: str, delay: float) -> float:
        """Holding the local slot, wait for the turn the fleet-wide clock gives this request."""
        assert self._fleet is not None  # called only with a fleet clock
        try:
            turn = await self._fleet.reserve(host, delay)
        except BaseException:
            self.release(host, status=None)
            raise
        if (wait := turn - time.monotonic()) > 0:
            await asyncio.sleep(wait)
        return turn - time.monotonic() + self._clock()  # on this object's clock

    async def tell_fleet(self, host: str, *, status: int | None, retry_after: float | None) -> None:
        """Share a 429/503 pause with the other replicas."""
        if self._fleet is not None and status in (429, 503):
            pause = pause_for(self.state(host), retry_after, self._min_delay)
            # Best effort: this replica already paused the host locally.
            with contextlib.suppress(Exception):
                await self._fleet.penalize(host, pause)

    def release(self, host: str, *, status: int | None, retry_after: float | None = None) -> None:
        """Give the slot back, recording how the host answered."""
        now = self._clock()
        self._states[host] = finished(
            self.state(host), now, status=status, retry_after=retry_after, min_delay=self._min_delay
        )
        event = self._changed.pop(host, None)
        if event is not None:
            event.set()  # wake waiters; they re-check and create a fresh event
        if len(self._states) > PRUNE_ABOVE:
            self._states = {h: s for h, s in self._states.items() if not idle(s, now)}

    def health(self) -> dict[str, dict[str, float | int | None]]:
        """Per-host politeness state for metrics and debugging."""
        now = self._clock()
        return {
            host: {
                "active": s.active,
                "delay": host_delay(s, self._min_delay),
                "paused_for": max(0.0, s.paused_until - now),
                "strikes": s.strikes,
            }
            for host, s in self._states.items()
        }
