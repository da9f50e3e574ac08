"""`newsflow reprocess --from-raw`: kept pages are extracted and coded again under the same keys."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from tests.conftest import read_topic
from tests.e2e import cli
from tests.e2e.site import start_site

pytestmark = pytest.mark.timeout(240)

# Fields a replay recomputes; everything else about an article must come back as it was.
RECOMPUTED = {"fetched_at", "extraction"}


async def replay(broker, topics, tmp_path, n: int, *, linger_ms: int = 20):
    """`run --once` keeping raw pages of `n` articles, then `reprocess --from-raw`.
    Returns (first-run records, replayed records, reprocess stderr)."""
    server, arts = await start_site(n, seed=71)
    try:
        config = cli.write_config(
            tmp_path / "c.yaml",
            state_dir=tmp_path / "state",
            bootstrap=broker.bootstrap,
            topics=topics,
            raw={"enabled": True},
            events={"enabled": False},
            kafka={"partitions": 1, "linger_ms": linger_ms},
            sources=[
                {
                    "id": "wire",
                    "kind": "feed",
                    "url": server.url("/feed.rss"),
                    "tags": ["world"],
                    "language": "en",
                }
            ],
        )
        run = await cli.arun("run", "--once", "--config", str(config))
        assert run.returncode == 0, run.stderr[-3000:]
        first = await read_topic(broker.bootstrap, topics["articles"])
        assert len(first) == len(arts)
        assert len(await read_topic(broker.bootstrap, topics["raw"])) == len(arts)
        res = await cli.arun("reprocess", "--from-raw", "--config", str(config), timeout=180)
        assert res.returncode == 0, res.stderr[-3000:]
        assert "Traceback" not in res.stderr
        everything = await read_topic(broker.bootstrap, topics["articles"])
    finally:
        await server.stop()
    return first, everything[len(first) :], res.stderr


@pytest.fixture(scope="module")
def one_page(broker, tmp_path_factory):
    """One replay of a single page, read by the two tests below (it is the same run for both)."""
    suffix = uuid.uuid4().hex[:8]
    topics = {k: f"t{suffix}.{k}" for k in ("articles", "events", "dlq", "raw")}
    return asyncio.run(replay(broker, topics, tmp_path_factory.mktemp("replay"), 1))


def test_reprocess_publishes_a_kept_page_again_under_its_key(one_page):
    """A raw page is re-extracted and published again with the same key, title and text."""
    first, again, stderr = one_page
    assert "reprocessed 1 articles, 0 events, 0 dead letters, 0 story messages" in stderr
    assert [r.key for r in again] == [r.key for r in first]
    before, after = first[0], again[0]
    assert after.value["text"] == before.value["text"]
    assert after.value["title"] == before.value["title"]
    assert after.value["article_id"] == before.value["article_id"]
    assert after.headers["ce_type"] == "org.newsflow.article.v1"
    assert after.headers["ce_id"] != before.headers["ce_id"]


def test_reprocess_keeps_the_source_metadata(one_page):
    """A replayed article keeps its source URL, tags and language; only extraction facts change."""
    first, again, _ = one_page
    same = {k: v for k, v in again[0].value.items() if k not in RECOMPUTED}
    assert same == {k: v for k, v in first[0].value.items() if k not in RECOMPUTED}


async def test_reprocess_replays_pages_that_share_a_batch(broker, topics, tmp_path):
    """Every kept page is replayed, also when the producer sent several in one batch."""
    first, again, stderr = await replay(broker, topics, tmp_path, 4, linger_ms=1000)
    assert sorted(r.key for r in again) == sorted(r.key for r in first), stderr[-500:]
