"""PostgreSQL state shared by replicas: claims, dedup and host slots under real concurrency.

Each "replica" is a PostgresStore with its own pool, so racing calls meet only in the database.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import threading
import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from newsflow import dedup
from newsflow.errors import StateError
from newsflow.models import SourceItem, StoryState
from newsflow.state.base import StoryWrite
from newsflow.state.postgres import SCHEMA, PostgresStore
from newsflow.stories.blocks import lookup_keys
from tests.integration.story_reports import link, report, stories_under

T0 = datetime(2025, 1, 1, tzinfo=UTC)
DSN = os.environ.get("NEWSFLOW_TEST_PG_DSN", "postgresql://postgres@127.0.0.1:5432/test")
REPLICAS = 6


@pytest.fixture
async def schema():
    """A fresh schema name for one test, dropped afterwards; skip only if PostgreSQL is down."""
    try:
        conn = await asyncpg.connect(DSN, timeout=3)
    except (OSError, TimeoutError, asyncpg.PostgresError) as exc:
        pytest.skip(f"PostgreSQL unreachable at NEWSFLOW_TEST_PG_DSN ({exc})")
    name = f"test_{uuid.uuid4().hex[:12]}"
    yield name
    await conn.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")
    await conn.close()


@pytest.fixture
async def replicas(schema):
    """Open stores on one schema, each with its own pool, as separate replicas would be."""
    stores = [PostgresStore(DSN, schema=schema, pool_size=2) for _ in range(REPLICAS)]
    await asyncio.gather(*(s.open() for s in stores))
    yield stores
    await asyncio.gather(*(s.close() for s in stores))


def items(*urls):
    return [SourceItem(source_id="s", url=u) for u in urls]


async def versions(schema: str) -> list[int]:
    conn = await asyncpg.connect(DSN)
    try:
        return [r[0] for r in await conn.fetch(f"SELECT version FROM {schema}.schema_version")]
    finally:
        await conn.close()


async def test_replicas_never_claim_the_same_link(replicas):
    """Replicas claiming at once split the frontier: every link goes to exactly one of them."""
    urls = [f"https://example.org/{i}" for i in range(300)]
    await replicas[0].add_links(items(*urls), T0)

    async def drain(store, owner):
        got = []
        while batch := await store.claim_links(T0, 7, 60, owner):
            got += [link.url for link in batch]
        return got

    claimed = await asyncio.gather(*(drain(s, f"r{i}") for i, s in enumerate(replicas)))
    flat = [u for batch in claimed for u in batch]
    assert sorted(flat) == sorted(urls)
    assert sum(1 for batch in claimed if batch) > 1  # the race really was shared


async def test_replicas_never_claim_the_same_feed(replicas):
    """Due feeds are leased to one replica each, even when all ask at once."""
    sources = [(f"f{i}", f"https://x/{i}") for i in range(60)]
    await asyncio.gather(*(s.sync_sources(sources, T0) for s in replicas))
    rounds = await asyncio.gather(
        *(s.claim_due_feeds(T0, 4, 60, f"r{i}") for _ in range(4) for i, s in enumerate(replicas))
    )
    flat = [f.source_id for batch in rounds for f in batch]
    assert len(flat) == len(set(flat)) == 60


async def test_concurrent_adds_count_each_new_link_once(replicas):
    """Replicas adding overlapping batches at once insert each URL once, and say so."""
    batches = [items(*(f"u{(i * 7 + j) % 50}" for j in range(20))) for i in range(REPLICAS)]
    added = await asyncio.gather(
        *(s.add_links(b, T0) for s, b in zip(replicas, batches, strict=True))
    )
    distinct = {i.url for b in batches for i in b}
    assert sum(added) == len(distinct)
    assert (await replicas[0].link_counts())["pending"] == len(distinct)


async def test_near_duplicates_racing_have_exactly_one_owner(replicas):
    """Syndicated copies claimed at the same moment on different replicas: one wins, all agree."""
    for round_ in range(5):
        base = dedup.simhash(f"story number {round_} about the harbour strike " * 30)
        # Each copy flips one bit in a different band, so pairs share only some bands.
        copies = [base ^ (1 << ((i % 4) * 16 + i)) for i in range(REPLICAS)]
        results = await asyncio.gather(
            *(
                s.claim_fingerprint(fp, f"a{round_}-{i}", f"u{round_}-{i}", T0)
                for i, (s, fp) in enumerate(zip(replicas, copies, strict=True))
            )
        )
        winners = [f"a{round_}-{i}" for i, r in enumerate(results) if r is None]
        assert len(winners) == 1
        assert {r for r in results if r is not None} == set(winners)


async def test_same_article_racing_on_two_replicas(replicas):
    """Two replicas retrying one article at once: neither errors, one owns it under one URL."""
    fp = dedup.simhash("a single wire story " * 30)
    results = await asyncio.gather(
        *(s.claim_fingerprint(fp, "art", f"u{i}", T0) for i, s in enumerate(replicas))
    )
    assert results.count(None) == 1 and results.count("art") == REPLICAS - 1


async def test_host_slots_are_spaced_across_replicas(replicas):
    """Concurrent reservations for one host from many replicas start at least min_delay apart."""
    delay = 0.25
    waits = await asyncio.gather(
        *(s.reserve_host_slot("news.example", T0, delay) for s in replicas for _ in range(5))
    )
    starts = sorted(waits)
    assert starts[0] == 0.0
    assert all(b - a >= delay - 1e-6 for a, b in itertools.pairwise(starts))
    assert starts[-1] == pytest.approx(delay * (len(starts) - 1))


async def test_penalty_holds_for_every_replica(replicas):
    """A Retry-After seen by one replica delays the host's next start on all of them."""
    await replicas[0].penalize_host("busy.example", T0 + timedelta(seconds=30))
    waits = sorted(
        await asyncio.gather(*(s.reserve_host_slot("busy.example", T0, 1.0) for s in replicas))
    )
    assert waits == [30.0 + i for i in range(REPLICAS)]


async def test_replicas_resolving_one_happening_make_one_story(schema):
    """Two replicas linking reports of one happening at once end with one story holding both."""
    pair = [PostgresStore(DSN, schema=schema, pool_size=2) for _ in range(2)]
    await asyncio.gather(*(s.open() for s in pair))
    try:
        happenings = []
        for i in range(20):
            # Same type, country and day, a city of their own: twenty happenings on one key.
            both = [
                report(
                    f"e{i}-{j}",
                    f"a{i}-{j}",
                    published=T0 + timedelta(minutes=j),
                    city=f"City{i}",
                    names=(f"name{i}", "strike", "dockers"),
                )
                for j in range(2)
            ]
            await asyncio.gather(*(link(s, r, T0) for s, r in zip(pair, both, strict=True)))
            happenings.append(both)
        for both in happenings:
            found = await stories_under(pair[0], lookup_keys(both[0]))
            mine = [s for s in found if s.reports[0].location == both[0].location]
            assert len(mine) == 1, [s.story_id for s in mine]
            assert sorted(r.event_id for r in mine[0].reports) == [r.event_id for r in both]
        assert await pair[1].story_counts() == {"open": 20, "closing": 0, "closed": 0}
    finally:
        await asyncio.gather(*(s.close() for s in pair))


def _plus(story: StoryState, event_id: str) -> StoryState:
    extra = report(event_id, f"a-{event_id}", published=T0)
    return story.model_copy(update={"reports": [*story.reports, extra]})


async def test_a_story_changed_under_other_keys_is_read_again(schema):
    """A link whose story another link changed meanwhile (through a key they do not share)
    decides again on the new story instead of overwriting it."""
    first = StoryState(
        story_id="S", reports=[report("e0", "a0", published=T0)], opened_at=T0, updated_at=T0
    )
    seen: list[list[int]] = []

    def other_replica() -> None:
        async def run() -> None:
            async with PostgresStore(DSN, schema=schema, pool_size=1) as other:
                await other.link_story(
                    ["k2"], lambda c: StoryWrite(_plus(c[0], "eb"), ["k1", "k2"])
                )

        asyncio.run(run())  # its own event loop: this one is blocked inside decide

    def decide(candidates: list[StoryState]) -> StoryWrite:
        seen.append([len(s.reports) for s in candidates])
        if len(seen) == 1:
            t = threading.Thread(target=other_replica)
            t.start()
            t.join(20)
        return StoryWrite(_plus(candidates[0], "ea"), ["k1", "k2"])

    async with PostgresStore(DSN, schema=schema, pool_size=1) as store:
        await store.link_story(["k1"], lambda _c: StoryWrite(first, ["k1", "k2"]))
        await store.link_story(["k1"], decide)
        assert seen == [[1], [2]]
        (story,) = await stories_under(store, ["k1", "k2"])
    assert sorted(r.event_id for r in story.reports) == ["e0", "ea", "eb"]


async def test_dead_replica_links_are_taken_over_after_lease(schema):
    """A replica that dies holding links loses them to another once the lease runs out."""
    dead, live = PostgresStore(DSN, schema=schema), PostgresStore(DSN, schema=schema)
    await dead.open()
    await live.open()
    try:
        await dead.add_links(items("u1", "u2", "u3"), T0)
        assert len(await dead.claim_links(T0, 3, 2.0, "dead")) == 3
        await dead.close()  # the replica is gone; its rows still say in_flight
        assert await live.claim_links(T0 + timedelta(seconds=1), 5, 60, "live") == []
        taken = await live.claim_links(T0 + timedelta(seconds=2.5), 5, 60, "live")
        assert sorted(link.url for link in taken) == ["u1", "u2", "u3"]
        assert {link.attempts for link in taken} == {2}
        assert (await live.link_counts())["in_flight"] == 3
    finally:
        await live.close()


async def test_starting_replica_leaves_live_leases_alone(replicas):
    """A replica starting up recovers only lapsed leases, never those of a live replica."""
    live, starting = replicas[0], replicas[1]
    await live.add_links(items("a-of-crashed", "b-of-live"), T0)
    await live.claim_links(T0, 1, 5, "crashed")
    await live.claim_links(T0 + timedelta(seconds=4), 1, 60, "live")
    assert await starting.recover_on_start(T0 + timedelta(seconds=10)) == 1
    (link,) = await starting.claim_links(T0 + timedelta(seconds=10), 5, 60, "starting")
    assert (link.url, link.attempts) == ("a-of-crashed", 2)
    assert (await live.link_counts())["in_flight"] == 2


async def test_migration_is_idempotent_and_keeps_data(schema):
    """A first start creates the schema; later starts find it current and leave data alone."""
    first = PostgresStore(DSN, schema=schema)
    await first.open()
    await first.add_links(items("u1"), T0)
    await first.close()
    assert await versions(schema) == list(range(1, len(SCHEMA) + 1))
    again = PostgresStore(DSN, schema=schema)
    await again.open()
    try:
        assert (await again.link_counts())["pending"] == 1
    finally:
        await again.close()
    assert await versions(schema) == list(range(1, len(SCHEMA) + 1))


async def test_replicas_starting_together_migrate_once(schema):
    """Replicas starting together on an empty database all start; each version applies once."""
    stores = [PostgresStore(DSN, schema=schema, pool_size=1) for _ in range(REPLICAS)]
    try:
        await asyncio.gather(*(s.open() for s in stores))
        assert await stores[-1].add_links(items("u1"), T0) == 1
    finally:
        await asyncio.gather(*(s.close() for s in stores))
    assert await versions(schema) == list(range(1, len(SCHEMA) + 1))


async def test_failures_are_state_errors(schema):
    """An unreachable database, a closed store and a failing statement all raise StateError."""
    with pytest.raises(StateError) as info:
        await PostgresStore("postgresql://postgres@127.0.0.1:1/test", schema=schema).open()
    assert info.value.retriable and info.value.__cause__ is not None
    store = PostgresStore(DSN, schema=schema)
    with pytest.raises(StateError, match="not open"):
        await store.link_counts()
    await store.open()
    await store.close()
    await store.close()  # safe twice
    async with PostgresStore(DSN, schema=schema) as store:
        conn = await asyncpg.connect(DSN)
        await conn.execute(f"DROP TABLE {schema}.links")
        await conn.close()
        with pytest.raises(StateError, match="count links") as info:
            await store.link_counts()
        assert isinstance(info.value.__cause__, asyncpg.UndefinedTableError)


def test_schema_names_are_identifiers():
    """The schema name is spliced into DDL, so anything but a plain identifier is refused."""
    with pytest.raises(ValueError):
        PostgresStore(DSN, schema='x"; DROP TABLE feeds; --')


async def test_empty_batches_are_no_ops(schema):
    """Empty batches and a zero limit touch nothing and fail nothing."""
    async with PostgresStore(DSN, schema=schema) as store:
        assert await store.add_links([], T0) == 0
        await store.sync_sources([], T0)
        await store.release_links([])
        assert await store.claim_links(T0, 0, 60, "o") == []
        assert await store.feed_states() == []
