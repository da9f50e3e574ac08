"""One frontier link to its end: published as an article (+ events), merged as a duplicate,
or dead-lettered with its reason. Nothing leaves this function unaccounted for."""

from __future__ import annotations

import time

import structlog

from newsflow import dedup
from newsflow import observability as obs
from newsflow.config import Settings, SourceConfig
from newsflow.errors import ExtractError, NewsflowError, PublishError, Reason
from newsflow.extract.document import looks_like_html
from newsflow.extract.pool import WorkerPool
from newsflow.fetch.client import Fetcher
from newsflow.models import DeadLetter, Message, RawPage, Stage, utcnow
from newsflow.pipeline.deadletters import dead_letter, from_error
from newsflow.processing import DocumentRequest, DocumentResult, process_document
from newsflow.publish.kafka import Publisher
from newsflow.state.base import Link, StateStore

log = structlog.get_logger("newsflow.pipeline")

HTML_TYPES = {"text/html", "application/xhtml+xml"}
TEXT_TYPES = {"text/plain"}


class ArticleHandler:
    def __init__(
        self,
        settings: Settings,
        sources: dict[str, SourceConfig],
        fetcher: Fetcher,
        pool: WorkerPool,
        publisher: Publisher,
        store: StateStore,
        stats: dict[str, int],
        owner: str,
    ) -> None:
        self.settings = settings
        self.sources = sources
        self.fetcher = fetcher
        self.pool = pool
        self.publisher = publisher
        self.store = store
        self.stats = stats
        self.owner = owner  # the lease holder name: done-marking is fenced by it

    async def handle(self, link: Link) -> None:
        """Process one link; PublishError (shutdown) propagates so the caller can release it."""
        bound = log.bind(url=link.url, source_id=link.item.source_id)
        try:
            request = await self._fetch(link, bound)
            if isinstance(request, DeadLetter):
                return await self._dead(link, request, bound)
            try:
                result = await run_document(self.pool, request, link.url)
            except ExtractError as exc:
                obs.EXTRACTS.labels("error", str(exc.reason)).inc()
                dl = from_error(
                    exc,
                    url=link.url,
                    source_id=link.item.source_id,
                    stage=Stage.EXTRACT,
                    attempts=link.attempts,
                )
                return await self._dead(link, dl, bound)
            obs.EXTRACTS.labels("ok", "").inc()
            await self._publish(link, request, result, bound)
        except NewsflowError as exc:
            if isinstance(exc, PublishError) and exc.retriable:
                raise  # shutdown while the broker had not acknowledged: the caller releases
            dl = from_error(
                exc,
                url=link.url,
                source_id=link.item.source_id,
                stage=Stage.PUBLISH,
                attempts=link.attempts,
            )
            await self._dead(link, dl, bound)
        except Exception as exc:  # a bug: loud, dead-lettered, and the daemon goes on
            bound.critical("article", status="bug", exc_info=True)
            dl = dead_letter(
                url=link.url,
                source_id=link.item.source_id,
                stage=Stage.PUBLISH,
                reason=Reason.INTERNAL,
                detail=f"{type(exc).__name__}: {exc}",
                retriable=True,
                attempts=link.attempts,
            )
            await self._dead(link, dl, bound)

    async def _fetch(self, link: Link, bound) -> DocumentRequest | DeadLetter:
        item = link.item
        source = self.sources.get(item.source_id)
        base = dict(
            url=link.url,
            source_id=item.source_id,
            source_url=source.url if source else "",
            tags=tuple(item.tags or (source.tags if source else ())),
            language=item.language or (source.language if source else None),
            feed_title=item.title,
            feed_published_at=item.published_at,
            min_text_chars=self.settings.extract.min_text_chars,
        )
        if item.content and len(item.content) >= self.settings.extract.min_text_chars:
            # A full-text entry is the article: no need to load the publisher's server.
            media = "html" if looks_like_html(item.content) else "text"
            return DocumentRequest(
                body=item.content, media=media, fetched_at=utcnow(), path="feed", **base
            )
        started = time.perf_counter()
        outcome = await self.fetcher.fetch(link.url)
        obs.FETCH_SECONDS.observe(time.perf_counter() - started)
        if not outcome.ok:
            obs.FETCHES.labels("error", str(outcome.reason)).inc()
            bound.info(
                "fetch", status="error", reason=str(outcome.reason), http_status=outcome.status
            )
            return dead_letter(
                url=link.url,
                source_id=item.source_id,
                stage=Stage.FETCH,
                reason=outcome.reason or Reason.HTTP_ERROR,
                detail=outcome.detail,
                retriable=outcome.retriable,
                attempts=link.attempts,
            )
        ctype = (outcome.content_type or "").lower()
        if ctype not in HTML_TYPES | TEXT_TYPES:  # e.g. JSON: read, but not an article page
            obs.FETCHES.labels("error", str(Reason.UNSUPPORTED_CONTENT_TYPE)).inc()
            return dead_letter(
                url=link.url,
                source_id=item.source_id,
                stage=Stage.FETCH,
                reason=Reason.UNSUPPORTED_CONTENT_TYPE,
                detail=f"content type {ctype or 'missing'} is not an article page",
                retriable=False,
                attempts=link.attempts,
            )
        obs.FETCHES.labels("ok", "").inc()
        base["url"] = outcome.url
        return DocumentRequest(
            body=outcome.text(),
            media="html" if ctype in HTML_TYPES else "text",
            fetched_at=utcnow(),
            **base,
        )

    async def _publish(
        self, link: Link, request: DocumentRequest, result: DocumentResult, bound
    ) -> None:
        article = result.article
        now = utcnow()
        first = await self.store.claim_fingerprint(
            dedup.from_hex(article.fingerprint), article.article_id, link.url, now
        )
        if first is not None:
            await self.store.add_alternate(first, link.url, now)
            if not await self._done(link, now, first, bound):
                return
            obs.DUPLICATES.labels(
                "same_article" if first == article.article_id else "content"
            ).inc()
            self.stats["duplicates"] += 1
            bound.info("article", status="duplicate", article_id=first)
            return
        known = await self.store.alternates(article.article_id)
        if known:
            merged = sorted(set(article.alternate_urls) | set(known) - {article.canonical_url})
            article = article.model_copy(update={"alternate_urls": merged})
        if result.coding_error:
            obs.CODINGS.labels("error").inc()
            bound.error("code", status="error", detail=result.coding_error)
        else:
            obs.CODINGS.labels("ok").inc()
        if result.uncoded_sentences:
            bound.warning("code", status="truncated", uncoded_sentences=result.uncoded_sentences)
        messages: list[Message] = [article, *result.events]
        if self.settings.raw.enabled and request.path != "feed" and self._raw_fits(request, bound):
            messages.append(
                RawPage(
                    article_id=article.article_id,
                    url=request.url,
                    source_id=request.source_id,
                    content_type="text/html" if request.media == "html" else "text/plain",
                    fetched_at=request.fetched_at,
                    published_hint=request.feed_published_at,
                    body=request.body,
                )
            )
        started = time.perf_counter()
        await self.publisher.deliver(messages, source_id=link.item.source_id)
        obs.PUBLISH_SECONDS.observe(time.perf_counter() - started)
        if not await self._done(link, utcnow(), article.article_id, bound):
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
            article_id=article.article_id,
            events=len(result.events),
            words=article.word_count,
        )

    async def _done(self, link: Link, now, article_id: str, bound) -> bool:
        if await self.store.mark_done(link.url, now, article_id, owner=self.owner):
            return True
        _lease_lost(bound)
        return False

    def _raw_fits(self, request: DocumentRequest, bound) -> bool:
        """A page the producer would refuse is not kept for replay; the article still goes out.

        The check is on the uncompressed size, as the producer's is; JSON escaping of
        quotes and the envelope get a quarter of headroom.
        """
        size = len(request.body.encode("utf-8", "replace"))
        if size * 1.25 + 4096 <= self.settings.kafka.max_request_size:
            return True
        bound.warning(
            "raw_page",
            status="skipped",
            reason=str(Reason.TOO_LARGE),
            bytes=size,
            detail="larger than kafka.max_request_size allows; raise it to keep such pages",
        )
        return False

    async def _dead(self, link: Link, dl: DeadLetter, bound) -> None:
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


def _lease_lost(bound) -> None:
    # The lease lapsed (a stall longer than lease_seconds) and the link went to another
    # replica: its outcome is that replica's to record. What we sent is a duplicate at most.
    obs.LEASES_LOST.inc()
    bound.warning("article", status="lease_lost")
