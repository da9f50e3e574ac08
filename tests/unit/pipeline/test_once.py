"""`run --once` polls every source once, however many claim batches that takes."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import timedelta

from newsflow.config import Settings
from newsflow.models import utcnow
from newsflow.pipeline.runner import Pipeline
from newsflow.state.sqlite import SqliteStore


class CountingPoller:
    """Stands in for SourcePoller: saves each feed with a random next poll, as a real poll does."""

    def __init__(self, store: SqliteStore) -> None:
        self.store = store
        self.polled: list[str] = []
        self.rng = random.Random(3)

    async def poll_source(self, source, state) -> int:
        self.polled.append(state.source_id)
        now = utcnow()
        await self.store.save_feed(
            replace(
                state,
                next_poll_at=now + timedelta(seconds=self.rng.uniform(-30, 3600)),
                last_polled_at=now,
                first_polled=True,
                last_status="ok",
            )
        )
        return 0


async def test_once_polls_all_of_more_sources_than_one_claim_batch(tmp_path):
    """150 sources (over two batches of 64) are each polled exactly once, and no lease is left."""
    sources = [
        {"id": f"s{k:03d}", "kind": "feed", "url": f"https://example.org/{k}.rss"}
        for k in range(150)
    ]
    pipeline = Pipeline(Settings(sources=sources, state_dir=tmp_path), once=True)
    store = SqliteStore(tmp_path / "state.db")
    await store.open()
    try:
        now = utcnow()
        await store.sync_sources([(s["id"], s["url"]) for s in sources], now)
        pipeline.store = store
        poller = CountingPoller(store)
        await pipeline._schedule(poller)
        assert sorted(poller.polled) == [s["id"] for s in sources]
        assert pipeline._polling_done.is_set()
        again = await store.claim_due_feeds(utcnow(), 500, 300, "other-owner", force=True)
        assert len(again) == 150, "every lease taken during the pass was given back"
    finally:
        await store.close()
