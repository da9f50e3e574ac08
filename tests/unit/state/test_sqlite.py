"""SQLite state: frontier leases, restart recovery, fingerprints and dead-letter requeue."""

from datetime import UTC, datetime, timedelta

import pytest

from newsflow import dedup
from newsflow.models import SourceItem
from newsflow.state.sqlite import SqliteStore

T0 = datetime(2025, 1, 1, tzinfo=UTC)


@pytest.fixture
async def store(tmp_path):
    s = SqliteStore(tmp_path / "state.db")
    await s.open()
    yield s
    await s.close()


def items(*urls):
    return [SourceItem(source_id="s", url=u, title=u) for u in urls]


async def test_links_are_added_once_and_claimed_once(store):
    """A URL enters the frontier once; a claimed link is not handed out again."""
    assert await store.add_links(items("u1", "u2"), T0) == 2
    assert await store.add_links(items("u1", "u3"), T0) == 1
    first = await store.claim_links(T0, 2, 60, "a")
    second = await store.claim_links(T0, 10, 60, "b")
    assert {link.url for link in first} | {link.url for link in second} == {"u1", "u2", "u3"}
    assert not {link.url for link in first} & {link.url for link in second}
    assert first[0].item.title == first[0].url


async def test_expired_leases_return_to_pending_and_survive_reopen(tmp_path):
    """After a crash, in-flight links come back when their lease expires or on the next start."""
    s = SqliteStore(tmp_path / "x.db")
    await s.open()
    await s.add_links(items("u1"), T0)
    assert len(await s.claim_links(T0, 5, 60, "dead")) == 1
    await s.close()
    s = SqliteStore(tmp_path / "x.db")
    await s.open()
    assert await s.recover_expired(T0 + timedelta(seconds=30)) == 0
    assert await s.recover_expired(T0 + timedelta(seconds=61)) == 1
    again = await s.claim_links(T0 + timedelta(seconds=61), 5, 60, "new")
    assert [link.url for link in again] == ["u1"] and again[0].attempts == 2
    await s.close()


async def test_done_failed_and_requeue(store):
    """Failed links are listed with their reason and can be put back by reason."""
    await store.add_links(items("a", "b", "c"), T0)
    await store.claim_links(T0, 3, 60, "o")
    await store.mark_done("a", T0, "id-a")
    await store.mark_failed("b", T0, stage="fetch", reason="not_found", detail="404")
    await store.mark_failed("c", T0, stage="extract", reason="timeout", detail="slow")
    assert (await store.link_counts())["failed"] == 2
    assert [f.url for f in await store.failed_links(reason="timeout")] == ["c"]
    assert await store.requeue_failed(reason="not_found") == 1
    assert [link.url for link in await store.claim_links(T0, 5, 60, "o")] == ["b"]


async def test_release_returns_in_flight_links(store):
    """A graceful stop hands unfinished links back without counting an attempt."""
    await store.add_links(items("a"), T0)
    (link,) = await store.claim_links(T0, 1, 60, "o")
    await store.release_links([link.url])
    (again,) = await store.claim_links(T0, 1, 60, "o")
    assert again.attempts == 1


async def test_fingerprint_claims_detect_syndication(store):
    """The first URL owns the text; a near copy or the same article under a new URL is a duplicate."""
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
    from dataclasses import replace

    await store.save_feed(replace(due[0], next_poll_at=T0 + timedelta(minutes=5), etag='"e"'))
    assert await store.claim_due_feeds(T0 + timedelta(seconds=30), 10, 60, "p") == []
    states = {f.source_id: f for f in await store.feed_states()}
    assert states[due[0].source_id].etag == '"e"'


async def test_start_recovers_every_in_flight_link(store):
    """On start, links left in flight by a killed daemon are pending again, lease or not."""
    await store.add_links(items("a", "b"), T0)
    await store.claim_links(T0, 2, 300, "killed")
    assert await store.recover_on_start(T0) == 2
    assert len(await store.claim_links(T0, 5, 60, "new")) == 2
