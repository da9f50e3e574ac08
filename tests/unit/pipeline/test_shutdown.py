"""Shutdown while the broker is away: the deadline holds and unacknowledged links go back to pending."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

from newsflow.config import Settings
from newsflow.models import SourceItem, utcnow
from newsflow.pipeline.runner import Pipeline
from newsflow.state.sqlite import SqliteStore


class StuckPublisher:
    """A publisher whose broker never answers: deliver waits until give_up."""

    def __init__(self) -> None:
        self.stopping = asyncio.Event()
        self.stopped_with: float | None = None

    def give_up(self) -> None:
        self.stopping.set()

    async def stop(self, flush_timeout: float | None = None) -> None:
        self.stopped_with = flush_timeout


class StuckHandler:
    def __init__(self, publisher: StuckPublisher) -> None:
        self.publisher = publisher
        self.started: list[str] = []

    async def handle(self, link) -> None:
        from newsflow.errors import PublishError

        self.started.append(link.url)
        await self.publisher.stopping.wait()
        raise PublishError("delivery abandoned at shutdown")


async def test_stop_with_blocked_workers_and_a_full_queue_releases_every_link_by_the_deadline(
    tmp_path,
):
    """Workers blocked on the broker and a full queue: stop ends by flush_timeout, nothing done, all pending."""
    settings = Settings(
        state_dir=tmp_path,
        kafka={"flush_timeout": 1.0},
        pipeline={"queue_size": 4, "claim_batch": 4},
        fetch={"concurrency": 2},
    )
    pipeline = Pipeline(settings, once=False)
    store = SqliteStore(tmp_path / "state.db")
    await store.open()
    try:
        now = utcnow() - timedelta(seconds=5)
        await store.add_links(
            [SourceItem(url=f"https://example.org/{k}", source_id="s") for k in range(10)], now
        )
        pipeline.store = store
        pipeline.publisher = publisher = StuckPublisher()
        handler = StuckHandler(publisher)
        workers = [asyncio.create_task(pipeline._worker(handler)) for _ in range(2)]
        intake = [asyncio.create_task(pipeline._dispatch())]
        for _ in range(100):  # two links held by workers, four queued
            await asyncio.sleep(0.02)
            if len(handler.started) == 2 and pipeline._queue.full():
                break
        assert len(handler.started) == 2 and pipeline._queue.full()

        started = time.monotonic()
        await asyncio.wait_for(pipeline._shutdown(intake, workers), 5)
        assert time.monotonic() - started < 2.5
        assert all(w.done() for w in workers)
        counts = await store.link_counts()
        assert counts == {"pending": 10, "in_flight": 0, "done": 0, "failed": 0}
        assert publisher.stopped_with is not None
    finally:
        await store.close()


class LateAnswerStore:
    """The real store, whose claim_links answers 0.2 s after it committed (a busy database
    thread or network): the window in which shutdown cancels the dispatcher."""

    def __init__(self, store: SqliteStore) -> None:
        self.store = store
        self.claimed = asyncio.Event()

    def __getattr__(self, name: str):
        return getattr(self.store, name)

    async def claim_links(self, *args, **kwargs):
        links = await self.store.claim_links(*args, **kwargs)
        self.claimed.set()
        await asyncio.sleep(0.2)
        return links


async def test_stop_during_a_claim_hands_back_the_links_it_took(tmp_path):
    """A claim that committed but had not answered when shutdown cancelled the dispatcher: its
    links are noted as held and released, not left leased to a run that has ended."""
    settings = Settings(state_dir=tmp_path, kafka={"flush_timeout": 1.0})
    pipeline = Pipeline(settings, once=False)
    store = SqliteStore(tmp_path / "state.db")
    await store.open()
    try:
        await store.add_links(
            [SourceItem(url=f"https://example.org/{k}", source_id="s") for k in range(10)],
            utcnow() - timedelta(seconds=5),
        )
        pipeline.store = slow = LateAnswerStore(store)
        pipeline.publisher = StuckPublisher()
        worker = asyncio.create_task(pipeline._worker(StuckHandler(pipeline.publisher)))
        intake = [asyncio.create_task(pipeline._dispatch())]
        await asyncio.wait_for(slow.claimed.wait(), 5)
        await asyncio.wait_for(pipeline._shutdown(intake, [worker]), 5)
        counts = await store.link_counts()
        assert counts == {"pending": 10, "in_flight": 0, "done": 0, "failed": 0}
    finally:
        await store.close()
