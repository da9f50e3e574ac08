"""The StateStore contract, held by both backends: SQLite on a file and PostgreSQL for real."""

from __future__ import annotations

import os
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from newsflow import dedup
from newsflow.errors import StateError
from newsflow.models import SourceItem, StoryState
from newsflow.state.base import STORIES_PER_KEY, STORY_CANDIDATES, StoryWrite
from newsflow.state.postgres import PostgresStore
from newsflow.state.sqlite import SqliteStore
from newsflow.stories.blocks import lookup_keys
from tests.integration.story_reports import link, report, stories_under

T0 = datetime(2025, 1, 1, tzinfo=UTC)
DSN = os.environ.get("NEWSFLOW_TEST_PG_DSN", "postgresql://postgres@127.0.0.1:5432/test")


async def _require_postgres() -> None:
    try:
        conn = await asyncpg.connect(DSN, timeout=3)
    except (OSError, TimeoutError, asyncpg.PostgresError) as exc:
        pytest.skip(f"PostgreSQL unreachable at NEWSFLOW_TEST_PG_DSN ({exc})")
    await conn.close()


@pytest.fixture(params=["sqlite", "postgres"])
async def make_store(request, tmp_path):
    """Opens stores on one backend's state (same file or same schema); closes and drops after."""
    opened = []
    schema = f"test_{uuid.uuid4().hex[:12]}"
    if request.param == "postgres":
        await _require_postgres()

    async def make():
        if request.param == "sqlite":
            store = SqliteStore(tmp_path / "state.db")
        else:
            store = PostgresStore(DSN, schema=schema, pool_size=2)
        await store.open()
        opened.append(store)
        return store

    yield make
    for store in opened:
        await store.close()
    if request.param == "postgres":
        conn = await asyncpg.connect(DSN)
        await conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        await conn.close()


@pytest.fixture
async def store(make_store):
    return await make_store()


def items(*urls):
    return [SourceItem(source_id="s", url=u, title=u) for u in urls]


# --- the SQLite unit tests, for both backends ------------------------------------------


async def test_links_are_added_once_and_claimed_once(store):
    """A URL enters the frontier once; a claimed link is not handed out again."""
    assert await store.add_links(items("u1", "u2"), T0) == 2
    assert await store.add_links(items("u1", "u3"), T0) == 1
    first = await store.claim_links(T0, 2, 60, "a")
    second = await store.claim_links(T0, 10, 60, "b")
    assert {link.url for link in first} | {link.url for link in second} == {"u1", "u2", "u3"}
    assert not {link.url for link in first} & {link.url for link in second}
    assert first[0].item.title == first[0].url


async def test_expired_leases_return_to_pending_and_survive_reopen(make_store):
    """After a crash, in-flight links come back when their lease expires or on the next start."""
    s = await make_store()
    await s.add_links(items("u1"), T0)
    assert len(await s.claim_links(T0, 5, 60, "dead")) == 1
    await s.close()
    s = await make_store()
    assert await s.recover_expired(T0 + timedelta(seconds=30)) == 0
    assert await s.recover_expired(T0 + timedelta(seconds=61)) == 1
    again = await s.claim_links(T0 + timedelta(seconds=61), 5, 60, "new")
    assert [link.url for link in again] == ["u1"] and again[0].attempts == 2


async def test_done_failed_and_requeue(store):
    """Failed links are listed with their reason and can be put back by reason."""
    await store.add_links(items("a", "b", "c"), T0)
    await store.claim_links(T0, 3, 60, "o")
    await store.mark_done("a", T0, "id-a", owner="o")
    await store.mark_failed("b", T0, owner="o", stage="fetch", reason="not_found", detail="404")
    await store.mark_failed("c", T0, owner="o", stage="extract", reason="timeout", detail="slow")
    assert (await store.link_counts())["failed"] == 2
    assert [f.url for f in await store.failed_links(reason="timeout")] == ["c"]
    assert await store.requeue_failed(reason="not_found") == 1
    assert [link.url for link in await store.claim_links(T0, 5, 60, "o")] == ["b"]


async def test_a_replica_whose_lease_went_to_another_cannot_mark_the_link_done(store):
    """Done- and failed-marking are fenced by the lease owner: a lapsed lease's holder changes nothing."""
    await store.add_links(items("a", "b"), T0)
    await store.claim_links(T0, 2, 60, "old")
    assert await store.recover_expired(T0 + timedelta(seconds=61)) == 2
    taken = await store.claim_links(T0 + timedelta(seconds=61), 2, 60, "new")
    assert {link.url for link in taken} == {"a", "b"}
    assert not await store.mark_done("a", T0, "id-old", owner="old")
    assert not await store.mark_failed(
        "b", T0, owner="old", stage="fetch", reason="gone", detail=""
    )
    assert (await store.link_counts()).get("in_flight") == 2
    assert await store.mark_done("a", T0, "id-new", owner="new")
    assert await store.mark_failed("b", T0, owner="new", stage="fetch", reason="gone", detail="")
    assert not await store.mark_done("a", T0, "id-again", owner="new")  # done is final
    assert [f.url for f in await store.failed_links()] == ["b"]


async def test_release_returns_in_flight_links(store):
    """A graceful stop hands unfinished links back without counting an attempt."""
    await store.add_links(items("a"), T0)
    (link,) = await store.claim_links(T0, 1, 60, "o")
    await store.release_links([link.url])
    (again,) = await store.claim_links(T0, 1, 60, "o")
    assert again.attempts == 1


async def test_fingerprint_claims_detect_syndication(store):
    """The first URL owns a text; a near copy, or the article under a new URL, is a duplicate."""
    fp = dedup.simhash("the quick brown fox jumps over the lazy dog " * 20)
    assert await store.claim_fingerprint(fp, "art1", "u1", T0) is None
    assert await store.claim_fingerprint(fp, "art1", "u1", T0) is None  # retry of the same link
    assert await store.claim_fingerprint(fp ^ 0b101, "art2", "u2", T0) == "art1"
    assert await store.claim_fingerprint(fp ^ (0xFFFF << 8), "art3", "u3", T0) is None
    assert await store.claim_fingerprint(12345, "art1", "u4", T0) == "art1"
    await store.add_alternate("art1", "u2", T0)
    assert await store.alternates("art1") == ["u2"]


async def test_due_feeds_leased_and_saved(store):
    """Due feeds are claimed once until saved with a next poll time."""
    await store.sync_sources([("f1", "http://x/1"), ("f2", "http://x/2")], T0)
    due = await store.claim_due_feeds(T0, 10, 60, "o")
    assert {f.source_id for f in due} == {"f1", "f2"}
    assert await store.claim_due_feeds(T0, 10, 60, "p") == []
    await store.save_feed(replace(due[0], next_poll_at=T0 + timedelta(minutes=5), etag='"e"'))
    assert await store.claim_due_feeds(T0 + timedelta(seconds=30), 10, 60, "p") == []
    states = {f.source_id: f for f in await store.feed_states()}
    assert states[due[0].source_id].etag == '"e"'


# --- further contract ------------------------------------------------------------------


async def test_expired_link_lease_is_claimed_by_another_owner(store):
    """A dead owner's link goes to a live one once its lease lapses, without recover_expired."""
    await store.add_links(items("u1", "u2"), T0)
    assert len(await store.claim_links(T0, 1, 1.0, "dead")) == 1
    live = await store.claim_links(T0 + timedelta(seconds=0.5), 5, 60, "live")
    assert [link.url for link in live] == ["u2"]
    taken = await store.claim_links(T0 + timedelta(seconds=1.5), 5, 60, "live")
    assert [(link.url, link.attempts) for link in taken] == [("u1", 2)]
    await store.extend_leases("dead", T0 + timedelta(seconds=2), 60)  # the zombie wakes up
    assert await store.claim_links(T0 + timedelta(seconds=3), 5, 60, "other") == []
    assert (await store.link_counts())["in_flight"] == 2


async def test_extended_leases_are_not_taken_over(store):
    """An owner that keeps extending its leases keeps its links."""
    await store.add_links(items("u1"), T0)
    await store.claim_links(T0, 1, 10, "a")
    await store.extend_leases("a", T0 + timedelta(seconds=8), 10)
    assert await store.claim_links(T0 + timedelta(seconds=15), 5, 10, "b") == []
    assert len(await store.claim_links(T0 + timedelta(seconds=19), 5, 10, "b")) == 1


async def test_links_are_claimed_oldest_first(store):
    """Claims follow discovery order, with the item round-tripped intact."""
    later = [SourceItem(source_id="s", url="late", title="t", tags=("a", "b"))]
    await store.add_links(later, T0 + timedelta(seconds=5))
    await store.add_links(items("early"), T0)
    claimed = await store.claim_links(T0 + timedelta(seconds=10), 5, 60, "o")
    assert [link.url for link in claimed] == ["early", "late"]
    assert claimed[1].item == later[0]
    assert claimed[0].discovered_at == T0 and claimed[0].status == "in_flight"


async def test_failed_links_filter_by_time_and_keep_detail(store):
    """The dead-letter list filters by time and reports stage, reason, detail and attempts."""
    await store.add_links(items("a", "b"), T0)
    await store.claim_links(T0, 2, 60, "o")
    await store.mark_failed("a", T0, owner="o", stage="fetch", reason="gone", detail="x" * 5000)
    await store.mark_failed(
        "b", T0 + timedelta(hours=1), owner="o", stage="fetch", reason="gone", detail=""
    )
    (recent,) = await store.failed_links(since=T0 + timedelta(minutes=30))
    assert (recent.url, recent.stage, recent.reason, recent.attempts) == ("b", "fetch", "gone", 1)
    assert recent.failed_at == T0 + timedelta(hours=1)
    old = (await store.failed_links())[0]
    assert old.url == "a" and len(old.detail) == 2000
    assert await store.requeue_failed(since=T0 + timedelta(minutes=30)) == 1
    assert (await store.link_counts()) == {"pending": 1, "in_flight": 0, "done": 0, "failed": 1}


async def test_feed_sync_updates_urls_and_keeps_state(store):
    """Re-syncing a source changes its URL but keeps what was learned about it."""
    await store.sync_sources([("f1", "http://x/1")], T0)
    (f,) = await store.claim_due_feeds(T0, 10, 60, "o")
    saved = replace(
        f,
        etag='"e"',
        last_modified="Wed, 01 Jan 2025 00:00:00 GMT",
        interval=300.0,
        error_streak=2,
        last_status="ok",
        last_error="boom",
        last_polled_at=T0,
        last_success_at=T0,
        first_polled=True,
        next_poll_at=T0 + timedelta(minutes=5),
    )
    await store.save_feed(saved)
    await store.sync_sources([("f1", "http://x/new")], T0 + timedelta(minutes=1))
    (state,) = await store.feed_states()
    assert state == replace(saved, url="http://x/new")


async def test_forced_and_expired_feed_claims(store):
    """`force` claims feeds that are not due; an expired feed lease can be claimed again."""
    await store.sync_sources([("f1", "http://x/1")], T0)
    (f,) = await store.claim_due_feeds(T0, 10, 60, "o")
    await store.save_feed(replace(f, next_poll_at=T0 + timedelta(hours=1)))
    assert await store.claim_due_feeds(T0, 10, 60, "o") == []
    assert len(await store.claim_due_feeds(T0, 10, 30, "o", force=True)) == 1
    assert await store.claim_due_feeds(T0 + timedelta(seconds=10), 10, 60, "p", force=True) == []
    assert (
        len(await store.claim_due_feeds(T0 + timedelta(seconds=31), 10, 60, "p", force=True)) == 1
    )


async def test_host_slots_are_spaced_and_penalties_push_them_out(store):
    """Each reservation starts min_delay after the last; a Retry-After pushes the host out."""
    waits = [await store.reserve_host_slot("h", T0, 2.0) for _ in range(3)]
    assert waits == [0.0, 2.0, 4.0]
    assert await store.reserve_host_slot("other", T0, 2.0) == 0.0
    assert await store.reserve_host_slot("h", T0 + timedelta(seconds=60), 2.0) == 0.0
    await store.penalize_host("h", T0 + timedelta(seconds=120))
    await store.penalize_host("h", T0 + timedelta(seconds=90))  # never shortens a penalty
    assert await store.reserve_host_slot("h", T0 + timedelta(seconds=100), 2.0) == 20.0
    await store.penalize_host("fresh", T0 + timedelta(seconds=5))
    assert await store.reserve_host_slot("fresh", T0, 0.0) == 5.0


async def test_alternates_are_recorded_once(store):
    """Recording the same alternate URL twice keeps one entry."""
    await store.add_alternate("art", "u1", T0)
    await store.add_alternate("art", "u2", T0 + timedelta(seconds=1))
    await store.add_alternate("art", "u1", T0 + timedelta(seconds=2))
    assert await store.alternates("art") == ["u1", "u2"]
    assert await store.alternates("none") == []


# --- stories ---------------------------------------------------------------------------


def _state(story_id: str, updated: datetime, event_id: str | None = None) -> StoryState:
    rep = report(event_id or f"e-{story_id}", f"a-{story_id}", published=updated)
    return StoryState(story_id=story_id, reports=[rep], opened_at=updated, updated_at=updated)


def _put(story: StoryState, keys: list[str], absorbed: tuple[str, ...] = ()):
    """A decide that writes `story` whatever the candidates."""
    return lambda _candidates: StoryWrite(story, keys, list(absorbed))


async def test_linked_reports_read_back_as_one_story(store):
    """A report of a known happening joins its story, as stored; a replayed one writes nothing."""
    first = report("e1", "a1", published=T0)
    second = report("e2", "a2", published=T0 + timedelta(hours=1))
    opened = await link(store, first, T0)
    assert opened.story is not None and opened.absorbed == []
    joined = await link(store, second, T0 + timedelta(hours=1))
    assert joined.story is not None and joined.story.story_id == opened.story.story_id
    (stored,) = await stories_under(store, lookup_keys(second))
    assert stored == joined.story
    assert [r.event_id for r in stored.reports] == ["e1", "e2"]
    assert (await link(store, first, T0 + timedelta(hours=2))).story is None
    assert await stories_under(store, lookup_keys(first)) == [stored]
    assert await store.story_counts() == {"open": 1, "closing": 0, "closed": 0}


async def test_absorbed_stories_are_deleted(store):
    """A story absorbed into another leaves both the index and the table."""
    a, b = _state("A", T0), _state("B", T0 + timedelta(minutes=1))
    await store.link_story(["k1"], _put(a, ["k1"]))
    await store.link_story(["k2"], _put(b, ["k2"]))
    merged = a.model_copy(update={"reports": [*a.reports, *b.reports], "merged_ids": ["B"]})
    await store.link_story(["k1", "k2"], _put(merged, ["k1", "k2"], absorbed=("B",)))
    assert await stories_under(store, ["k2"]) == [merged]
    assert await stories_under(store, ["k1", "k2"]) == [merged]
    assert await store.story_counts() == {"open": 1, "closing": 0, "closed": 0}


async def test_a_grown_story_is_filed_under_its_new_keys_and_keeps_the_old(store):
    """A story's keys only grow: saving it adds the new keys and it is still found under the old."""
    a = _state("A", T0)
    await store.link_story(["k1"], _put(a, ["k1", "k2"]))
    grown = a.model_copy(update={"updated_at": T0 + timedelta(hours=1)})
    await store.link_story(["k1"], _put(grown, ["k2", "k3"]))
    assert await stories_under(store, ["k1"]) == [grown]
    assert await stories_under(store, ["k3"]) == [grown]
    assert await stories_under(store, ["k1", "k2", "k3"]) == [grown]


async def test_idle_stories_close_oldest_first(store):
    """Stories idle past the horizon close, oldest first up to the limit, and leave the index."""
    for i in range(3):
        s = _state(f"S{i}", T0 + timedelta(hours=i))
        await store.link_story([f"k{i}"], _put(s, [f"k{i}", "shared"]))
    closed = await store.close_stories(T0 + timedelta(hours=1, minutes=30), limit=1)
    assert [(s.story_id, s.status) for s in closed] == [("S0", "closed")]
    await store.stories_closed(["S0"])
    closed = await store.close_stories(T0 + timedelta(hours=1, minutes=30), limit=10)
    assert [(s.story_id, s.status) for s in closed] == [("S1", "closed")]
    assert closed[0].reports == _state("S1", T0 + timedelta(hours=1)).reports
    await store.stories_closed(["S1"])
    assert await store.close_stories(T0 + timedelta(hours=1, minutes=30), limit=10) == []
    assert [s.story_id for s in await stories_under(store, ["k0", "k1", "k2", "shared"])] == ["S2"]
    assert await store.story_counts() == {"open": 1, "closing": 0, "closed": 2}


async def test_a_story_closed_but_never_published_is_handed_out_again(store):
    """A crash between closing stories and publishing them closed: they stay 'closing', out of
    the index, and the next sweep returns them first, whatever its horizon, until
    stories_closed says they were published."""
    for i in range(3):
        s = _state(f"S{i}", T0 + timedelta(hours=i))
        await store.link_story([f"k{i}"], _put(s, [f"k{i}"]))
    first = await store.close_stories(T0 + timedelta(hours=1, minutes=30), limit=10)
    assert [s.story_id for s in first] == ["S0", "S1"]
    assert await store.story_counts() == {"open": 1, "closing": 2, "closed": 0}
    assert await stories_under(store, ["k0", "k1"]) == []
    again = await store.close_stories(T0, limit=1)  # nothing idle; the closing come first
    assert len(again) == 1 and again[0].story_id in {"S0", "S1"}
    assert sorted(s.story_id for s in await store.close_stories(T0, limit=10)) == ["S0", "S1"]
    await store.stories_closed(["S0", "S1"])
    assert await store.close_stories(T0, limit=10) == []
    assert await store.story_counts() == {"open": 1, "closing": 0, "closed": 2}


async def test_a_failing_decision_writes_nothing(store):
    """When decide raises, the link rolls back, the error reaches the caller and the store
    stays usable."""
    a = _state("A", T0)
    await store.link_story(["k1"], _put(a, ["k1"]))

    def boom(candidates):
        assert candidates == [a]
        raise ValueError("resolver bug")

    with pytest.raises(ValueError, match="resolver bug"):
        await store.link_story(["k1", "k2"], boom)
    assert await stories_under(store, ["k1", "k2"]) == [a]
    assert await store.story_counts() == {"open": 1, "closing": 0, "closed": 0}
    await store.link_story(["k2"], _put(_state("B", T0), ["k2"]))  # no transaction left open
    assert await store.story_counts() == {"open": 2, "closing": 0, "closed": 0}


async def test_story_counts_name_every_status(store):
    """Counts always carry every status, zero included, and nothing is written for None."""
    assert await store.story_counts() == {"open": 0, "closing": 0, "closed": 0}
    assert await store.link_story(["k1"], lambda _c: StoryWrite(None)) == StoryWrite(None)
    assert await store.link_story([], lambda c: StoryWrite(None, ["x"])) == StoryWrite(None, ["x"])
    assert await store.story_counts() == {"open": 0, "closing": 0, "closed": 0}


async def test_a_database_failure_while_linking_is_a_state_error(store):
    """A failing statement inside link_story is a (retriable) StateError and rolls back."""
    if isinstance(store, SqliteStore):
        await store.db.execute("DROP TABLE story_keys")
    else:
        conn = await asyncpg.connect(DSN)
        await conn.execute(f"DROP TABLE {store.schema}.story_keys")
        await conn.close()
    # No keys to read: on SQLite the story row is written before the key rows fail.
    with pytest.raises(StateError, match="link story") as info:
        await store.link_story([], _put(_state("A", T0), ["k1"]))
    assert info.value.retriable
    assert await store.story_counts() == {"open": 0, "closing": 0, "closed": 0}


async def test_a_crowded_key_yields_its_most_recently_updated_stories(store):
    """Per key only the STORIES_PER_KEY most recently updated open stories are read, and of
    those the STORY_CANDIDATES filed under most of the keys: a crowded key (a common name's)
    keeps a link cheap, and a story sharing two keys with the report comes first."""
    n = STORIES_PER_KEY + 5
    for i in range(n):
        s = _state(f"S{i:03d}", T0 + timedelta(minutes=i))
        await store.link_story(["crowded"], _put(s, ["crowded"]))
    # S010 is in the crowded key's window but older than the latest candidates; a second
    # key leads to it as well, so it outranks them.
    await store.link_story(
        ["own"], _put(_state("S010", T0 + timedelta(minutes=10)), ["crowded", "own"])
    )
    latest = [f"S{i:03d}" for i in range(n - 1, n - 1 - STORY_CANDIDATES, -1)]
    assert {s.story_id for s in await stories_under(store, ["crowded"])} == set(latest)
    found = await stories_under(store, ["crowded", "own"])
    assert {s.story_id for s in found} == {"S010", *latest[: STORY_CANDIDATES - 1]}
    assert [s.opened_at for s in found] == sorted(s.opened_at for s in found)
