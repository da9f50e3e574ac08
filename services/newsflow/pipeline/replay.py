"""Replay: re-extract and re-code the pages kept on the raw topic, publishing under the same keys.

Lets an improved extractor or coder be applied to past news. The raw topic is
read from the beginning to the end offsets seen at start, so the run ends. With stories on,
the new events are linked too: an article's events from a new coder version take the place
of its old reports in their stories.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from contextlib import AsyncExitStack

import structlog

from newsflow import assembly
from newsflow.config import Settings
from newsflow.errors import ExtractError, StateError
from newsflow.extract.pool import WorkerPool
from newsflow.models import DeadLetter, RawPage, Stage, utcnow
from newsflow.pipeline import plan
from newsflow.pipeline.deadletters import from_error
from newsflow.pipeline.stories import StoryLinker
from newsflow.processing import DocumentRequest, process_document
from newsflow.publish.consumer import TopicPartition
from newsflow.publish.kafka import Publisher
from newsflow.state.lock import StateDirLock

log = structlog.get_logger("newsflow.replay")


async def reprocess_from_raw(settings: Settings, bootstrap: list[str]) -> Counter[str]:
    s = settings
    stats: Counter[str] = Counter()
    pool = assembly.worker_pool(s)
    publisher = assembly.publisher(s, bootstrap)
    consumer = assembly.consumer(
        s,
        bootstrap,
        max_partition_fetch_bytes=s.kafka.max_request_size,
        fetch_max_bytes=s.kafka.max_request_size * 2,
    )
    await publisher.start()
    await consumer.start()
    stack = AsyncExitStack()
    try:
        linker = await _linker(s, publisher, stack)
        parts = consumer.partitions_for_topic(s.kafka.topics.raw) or set()
        tps = [TopicPartition(s.kafka.topics.raw, p) for p in sorted(parts)]
        if not tps:
            log.warning("replay", status="no_raw_topic", topic=s.kafka.topics.raw)
            return stats
        consumer.assign(tps)
        end = await consumer.end_offsets(tps)
        await consumer.seek_to_beginning(*tps)
        limit = asyncio.Semaphore(pool.workers * 2)
        tasks: list[asyncio.Task[None]] = []
        # Read whole batches until every partition has passed the end seen at start and one
        # poll comes back empty: some brokers (Tansu 0.6) report the end as the start of the
        # last batch + 1, so the end offset alone would stop mid-batch.
        while True:
            batch = await consumer.getmany(timeout_ms=1000)
            for records in batch.values():
                for rec in records:
                    raw = RawPage.model_validate_json(rec.value)
                    await limit.acquire()
                    tasks.append(
                        asyncio.create_task(_one(raw, pool, publisher, linker, s, stats, limit))
                    )
            if not batch and all([await consumer.position(tp) >= end[tp] for tp in tps]):
                break
        await asyncio.gather(*tasks)
    finally:
        await stack.aclose()
        await consumer.stop()
        await publisher.stop()
        pool.close()
    log.info("replay", status="finished", **dict(stats))
    return stats


async def _linker(s: Settings, publisher: Publisher, stack: AsyncExitStack) -> StoryLinker | None:
    """The story linker on the run's state, or None when stories are off or the state is in
    use by a running daemon (SQLite is one process's): the replay goes on without them."""
    if not assembly.stories_on(s):
        return None
    if s.state_dsn is None:
        lock = StateDirLock(s.state_dir)
        try:
            lock.acquire()
        except StateError as exc:
            log.warning("replay", status="stories_skipped", detail=str(exc))
            return None
        stack.callback(lock.release)
    store = assembly.store(s)
    await store.open()
    stack.push_async_callback(store.close)
    return StoryLinker(s.stories, store, publisher)


async def _one(
    raw: RawPage,
    pool: WorkerPool,
    publisher: Publisher,
    linker: StoryLinker | None,
    s: Settings,
    stats: Counter[str],
    limit: asyncio.Semaphore,
) -> None:
    try:
        request = request_for(raw, s)
        if isinstance(request, DeadLetter):
            return await _dead(request, publisher, stats)
        try:
            result = await pool.run(process_document, request, url=raw.url)
        except ExtractError as exc:
            dl = from_error(
                exc, url=raw.url, source_id=raw.source_id, stage=Stage.EXTRACT, attempts=1
            )
            return await _dead(dl, publisher, stats)
        events = result.events
        await publisher.deliver([result.article, *events], source_id=raw.source_id)
        stats["articles"] += 1
        stats["events"] += len(events)
        if linker is not None:
            try:  # the article is out: a failure here costs its stories an update, no more
                stats["stories"] += await linker.link(
                    result.article, events, utcnow(), source_id=raw.source_id
                )
            except Exception:
                stats["story_errors"] += 1
                log.error("story", status="error", article_id=raw.article_id, exc_info=True)
    finally:
        limit.release()


async def _dead(dl: DeadLetter, publisher: Publisher, stats: Counter[str]) -> None:
    await publisher.deliver([dl], source_id=dl.source_id)
    stats["dead_letters"] += 1


def request_for(raw: RawPage, s: Settings) -> DocumentRequest | DeadLetter:
    """The worker request for a kept page, under the key of its first publication."""
    source = next((x for x in s.sources if x.id == raw.source_id), None)
    return plan.document_request(plan.kept_page(raw, source), s.extract.min_text_chars)
