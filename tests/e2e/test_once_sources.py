"""`run --once` polls every source once, however many claim batches that takes."""

from __future__ import annotations

import pytest

from newsflow.models import utcnow
from newsflow.state.sqlite import SqliteStore
from tests.e2e import cli

pytestmark = pytest.mark.timeout(240)

EMPTY_RSS = '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'


async def test_once_polls_all_of_more_sources_than_one_claim_batch(broker, topics, tmp_path):
    """150 sources (over two batches of 64) are each polled once, and no lease is left."""
    feeds = tmp_path / "feeds"
    feeds.mkdir()
    sources = []
    for k in range(150):
        (feeds / f"{k}.rss").write_text(EMPTY_RSS, encoding="utf-8")
        sources.append({"id": f"s{k:03d}", "kind": "feed", "url": (feeds / f"{k}.rss").as_uri()})
    config = cli.write_config(
        tmp_path / "c.yaml",
        state_dir=tmp_path / "state",
        bootstrap=broker.bootstrap,
        topics=topics,
        sources=sources,
        fetch={"file_root": str(feeds)},
        events={"enabled": False},
    )
    run = await cli.arun("run", "--once", "--config", str(config))
    assert run.returncode == 0, run.stderr[-3000:]
    polls = [e["source_id"] for e in cli.json_lines(run.stderr) if e.get("event") == "source_poll"]
    assert sorted(polls) == [s["id"] for s in sources], "each source polled exactly once"
    store = SqliteStore(tmp_path / "state" / "newsflow.db")
    await store.open()
    try:
        states = await store.feed_states()
        assert sorted(f.source_id for f in states) == [s["id"] for s in sources]
        assert all(f.first_polled and f.last_status == "ok" for f in states), [
            (f.source_id, f.last_status) for f in states if f.last_status != "ok"
        ]
        again = await store.claim_due_feeds(utcnow(), 500, 300, "other-owner", force=True)
        assert len(again) == 150, "every lease taken during the pass was given back"
    finally:
        await store.close()
