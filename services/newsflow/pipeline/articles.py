"""One frontier link to its end: published as an article (+ events), merged as a duplicate,
or dead-lettered with its reason. Nothing leaves this function unaccounted for.

The decisions are in plan.py; this runs each step, hands its result to the plan and does
what the plan says.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime

import structlog
from structlog.typing import FilteringBoundLogger

from newsflow import dedup
from newsflow import observability as obs
from newsflow.config import ExtractSettings, KafkaSettings, RawSettings, SourceConfig
from newsflow.errors import ExtractError, NewsflowError, Reason
from newsflow.extract.pool import WorkerPool
from newsflow.fetch.client import Fetcher
from newsflow.models import Article, DeadLetter, Stage, utcnow
from newsflow.pipeline import plan
from newsflow.pipeline.stories import StoryLinker
from newsflow.processing import DocumentRequest, DocumentResult, process_document
from newsflow.publish.kafka import Publisher
from newsflow.state.base import Link, StateStore

log = structlog.get_logger("newsflow.pipeline")


class ArticleHandler:
    def __init__(
        self,
        extract: ExtractSettings,
        raw: RawSettings,
        kafka: KafkaSettings,
        sources: dict[str, SourceConfig],
        fetcher: Fetcher,
        pool: WorkerPool,
        publisher: Publisher,
        store: StateStore,
        stats: dict[str, int],
        owner: str,
        stories: StoryLinker | None = None,
    ) -> None:
        self.min_text_chars = extract.min_text_chars
        self.keep_raw = raw.enabled
        self.max_request_size = kafka.max_request_size
        self.sources = sources
        self.fetcher = fetcher
        self.pool = pool
        self.publisher = publisher
        self.store = store
        self.stats = stats
        self.owner = owner  # the lease holder name: done-marking is fenced by it
        self.stories = stories

    async def handle(self, link: Link) -> None:
        """Process one link; PublishError (shutdown) propagates so the caller can release it."""
        bound = log.bind(url=link.url, source_id=link.item.source_id)
        stage = Stage.FETCH  # the step running, named on the dead letter if it raises
        try:
            request = await self._request(link, bound)
            if isinstance(request, DeadLetter):
                return await self._dead(link, request, bound)
            stage = Stage.EXTRACT
            result = await self._extract(link, request, bound)
            if isinstance(result, DeadLetter):
                return await self._dead(link, result, bound)
            stage = Stage.DEDUP
            if await self._duplicate(link, result, bound):
                return
            stage = Stage.PUBLISH
            await self._publish(link, request, result, bound)
        except Exception as exc:
            if plan.must_release(exc):
                raise
            if not isinstance(exc, NewsflowError):  # a bug: loud, and the daemon goes on
                bound.critical("article", status="bug", stage=str(stage), exc_info=True)
            await self._dead(link, plan.failure(link, stage, exc), bound)

    async def _request(
        self, link: Link, bound: FilteringBoundLogger
    ) -> DocumentRequest | DeadLetter:
        source = self.sources.get(link.item.source_id)
        page = plan.feed_page(link, source, self.min_text_chars, utcnow())
        if page is not None:
            return plan.document_request(page, self.min_text_chars, link.attempts)
        started = time.perf_counter()
        outcome = await self.fetcher.fetch(link.url)
        obs.FETCH_SECONDS.observe(time.perf_counter() - started)
        request = plan.fetched_request(link, source, outcome, utcnow(), self.min_text_chars)
        if isinstance(request, DeadLetter):
            obs.record(bound, Stage.FETCH, "error", str(request.reason), http_status=outcome.status)
        else:
            obs.record(bound, Stage.FETCH, "ok")
        return request

    async def _extract(
        self, link: Link, request: DocumentRequest, bound: FilteringBoundLogger
    ) -> DocumentResult | DeadLetter:
        try:
            result = await run_document(self.pool, request, link.url)
        except ExtractError as exc:
            obs.record(bound, Stage.EXTRACT, "error", str(exc.reason))
            return plan.failure(link, Stage.EXTRACT, exc)
        obs.record(bound, Stage.EXTRACT, "ok")
        if result.coding_error:
            obs.record(bound, Stage.CODE, "error", level=logging.ERROR, detail=result.coding_error)
        else:
            obs.record(bound, Stage.CODE, "ok")
        if result.uncoded_sentences:  # coded, but only its first sentences
            bound.warning("code", status="truncated", uncoded_sentences=result.uncoded_sentences)
        return result

    async def _duplicate(
        self, link: Link, result: DocumentResult, bound: FilteringBoundLogger
    ) -> bool:
        """True when the article is out already; the link is recorded as its alternate."""
        article, now = result.article, utcnow()
        claimed_by = await self.store.claim_fingerprint(
            dedup.from_hex(article.fingerprint), article.article_id, link.url, now
        )
        dup = plan.duplicate(link, article, claimed_by)
        if dup is None:
            return False
        await self.store.add_alternate(dup.article_id, dup.alternate_url, now)
        if await self._done(link, now, dup.article_id, bound):
            obs.DUPLICATES.labels(dup.kind).inc()
            self.stats["duplicates"] += 1
            bound.info("article", status="duplicate", article_id=dup.article_id)
        return True

    async def _publish(
        self,
        link: Link,
        request: DocumentRequest,
        result: DocumentResult,
        bound: FilteringBoundLogger,
    ) -> None:
        known = await self.store.alternates(result.article.article_id)
        out = plan.publication(
            request,
            result,
            known,
            keep_raw=self.keep_raw,
            max_request_size=self.max_request_size,
        )
        if out.raw_skipped is not None:
            bound.warning(
                "raw_page",
                status="skipped",
                reason=str(Reason.TOO_LARGE),
                bytes=out.raw_skipped,
                detail="larger than kafka.max_request_size allows; raise it to keep such pages",
            )
        started = time.perf_counter()
        await self.publisher.deliver(out.messages, source_id=link.item.source_id)
        obs.PUBLISH_SECONDS.observe(time.perf_counter() - started)
        if self.stories is not None and result.events:
            await self._link_stories(link, out.article, result, bound)
        if not await self._done(link, utcnow(), out.article.article_id, bound):
            return
        obs.PUBLISHED.labels("article").inc()
        obs.PUBLISHED.labels("event").inc(len(result.events))
        obs.ARTICLES_BY_SOURCE.labels(link.item.source_id).inc()
        for event in result.events:
            obs.EVENTS_BY_TYPE.labels(str(event.event_type)).inc()
        self.stats["articles"] += 1
        self.stats["events"] += len(result.events)
        bound.info(
            "article",
            status="published",
            article_id=out.article.article_id,
            events=len(result.events),
            words=out.article.word_count,
        )

    async def _link_stories(
        self, link: Link, article: Article, result: DocumentResult, bound: FilteringBoundLogger
    ) -> None:
        """The article is out already: a failure here costs its stories an update, never the
        article. Shutdown (PublishError) still propagates, so the link is replayed."""
        assert self.stories is not None
        try:
            await self.stories.link(article, result.events, utcnow(), source_id=link.item.source_id)
        except Exception as exc:
            if plan.must_release(exc):
                raise
            obs.STORIES.labels("error").inc()
            bound.error("story", status="error", article_id=article.article_id, exc_info=True)

    async def _done(
        self, link: Link, now: datetime, article_id: str, bound: FilteringBoundLogger
    ) -> bool:
        if await self.store.mark_done(link.url, now, article_id, owner=self.owner):
            return True
        _lease_lost(bound)
        return False

    async def _dead(self, link: Link, dl: DeadLetter, bound: FilteringBoundLogger) -> None:
        await self.publisher.deliver([dl], source_id=dl.source_id)
        if not await self.store.mark_failed(
            link.url,
            utcnow(),
            owner=self.owner,
            stage=str(dl.stage),
            reason=str(dl.reason),
            detail=dl.detail,
        ):
            return _lease_lost(bound)
        obs.DEAD_LETTERS.labels(str(dl.stage), str(dl.reason)).inc()
        self.stats["dead_letters"] += 1
        bound.info("article", status="dead_letter", stage=str(dl.stage), reason=str(dl.reason))


async def run_document(pool: WorkerPool, request: DocumentRequest, url: str) -> DocumentResult:
    """process_document in a worker; its work and its wait for a worker measured apart."""
    obs.QUEUE_DEPTH.labels("extract").inc()
    started = time.perf_counter()
    try:
        result: DocumentResult = await pool.run(process_document, request, url=url)
    except ExtractError as exc:
        if exc.reason in (Reason.TIMEOUT, Reason.CRASH):  # pebble replaced the worker
            obs.WORKER_RESTARTS.labels(str(exc.reason)).inc()
        raise
    finally:
        obs.QUEUE_DEPTH.labels("extract").dec()
    obs.EXTRACT_SECONDS.observe(result.work_seconds)
    obs.EXTRACT_QUEUE_SECONDS.observe(max(0.0, time.perf_counter() - started - result.work_seconds))
    return result


def _lease_lost(bound: FilteringBoundLogger) -> None:
    # The lease lapsed (a stall longer than lease_seconds) and the link went to another
    # replica: its outcome is that replica's to record. What we sent is a duplicate at most.
    obs.LEASES_LOST.inc()
    bound.warning("article", status="lease_lost")
