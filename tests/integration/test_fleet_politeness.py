"""Per-host politeness holds for the fleet: two fetchers sharing PostgreSQL pace one host together."""

from __future__ import annotations

import asyncio
import itertools
import socket
import time

import pytest

from newsflow.config import FetchSettings
from newsflow.fetch.client import Fetcher
from newsflow.pipeline.fleet import StoreFleetClock
from newsflow.state.postgres import PostgresStore
from newsflow_tools.bench.server import CorpusServer, Route
from tests.integration.fetch_hostile_web import MapResolver
from tests.integration.test_postgres_state import DSN, schema  # noqa: F401  (fixture)

DELAY = 0.2


@pytest.fixture
async def server():
    routes = {f"/p{i}.html": Route(b"<html><body><p>x</p></body></html>") for i in range(12)}
    srv = await CorpusServer(routes).start()
    yield srv
    await srv.stop()


def _settings() -> FetchSettings:
    return FetchSettings(
        block_private_addresses=False,
        min_host_delay=DELAY,
        per_host_concurrency=4,
        retries=0,
        respect_robots=False,
    )


async def test_two_replicas_never_exceed_the_host_rate(server, schema):  # noqa: F811
    """Requests from two fetchers to one host start at least min_host_delay apart, fleet-wide."""
    settings = _settings()
    stores = [PostgresStore(DSN, schema=schema, pool_size=2) for _ in range(2)]
    await asyncio.gather(*(s.open() for s in stores))
    try:
        async with (
            Fetcher(settings, fleet=StoreFleetClock(stores[0])) as a,
            Fetcher(settings, fleet=StoreFleetClock(stores[1])) as b,
        ):
            outcomes = await asyncio.gather(
                *(
                    (a if i % 2 else b).fetch(server.url(f"/p{i}.html"), check_robots=False)
                    for i in range(12)
                )
            )
    finally:
        await asyncio.gather(*(s.close() for s in stores))
    assert all(o.ok for o in outcomes)
    starts = sorted(t for t, _, path in server.requests if path.startswith("/p"))
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert len(starts) == 12
    assert min(gaps) >= DELAY * 0.9, gaps


class StallingResolver(MapResolver):
    """Blocks the event loop once, in the first resolution, the way synchronous feed parsing
    does between a request's turn and its send."""

    def __init__(self, stall: float) -> None:
        self.stall = stall

    async def resolve(self, host, port=0, family=socket.AF_INET):
        stall, self.stall = self.stall, 0.0
        time.sleep(stall)  # the point: the loop is blocked
        return await super().resolve(host, port, family)


async def test_a_request_made_late_after_its_turn_books_a_new_one(server):
    """Work that blocks the loop between turn and send cannot bring two requests to one host
    closer than min_host_delay less the 5 % tolerance, measured at the server."""
    settings = _settings()
    port = server.url("/").split(":")[-1].rstrip("/")
    async with Fetcher(settings, resolver=StallingResolver(DELAY / 2)) as fetcher:
        outcomes = await asyncio.gather(
            *(
                fetcher.fetch(f"http://news.test:{port}/p{i}.html", check_robots=False)
                for i in range(4)
            )
        )
    assert all(o.ok for o in outcomes)
    starts = sorted(t for t, _, path in server.requests if path.startswith("/p"))
    assert len(starts) == 4
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert min(gaps) >= DELAY * 0.95, gaps
