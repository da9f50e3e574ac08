"""What to do with one link at each step, as pure functions of plain values.

`ArticleHandler` (articles.py) runs the steps and does what these return; the same page
builders serve replay and the `extract` command, so a document is described one way.
Nothing here awaits, reads a clock or touches the store, the broker or metrics.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from newsflow.config import SourceConfig
from newsflow.errors import NewsflowError, PublishError, Reason
from newsflow.extract.document import looks_like_html
from newsflow.fetch.outcome import FetchOutcome
from newsflow.models import Article, DeadLetter, FetchedPage, Message, RawPage, Stage
from newsflow.pipeline.deadletters import dead_letter, from_error
from newsflow.processing import DocumentRequest, DocumentResult, Media
from newsflow.state.base import Link

HTML_TYPES = {"text/html", "application/xhtml+xml"}
TEXT_TYPES = {"text/plain"}


# --- pages: every way a document arrives ---------------------------------------------------


def feed_page(
    link: Link, source: SourceConfig | None, min_text_chars: int, now: datetime
) -> FetchedPage | None:
    """The feed entry's own text when it is long enough to be the article; None: fetch it."""
    content = link.item.content
    if not content or len(content) < min_text_chars:
        return None
    # A full-text entry is the article: no need to load the publisher's server.
    return _page(link, source, link.url, content, _sniffed(content), now, from_feed=True)


def fetched_page(
    link: Link, source: SourceConfig | None, outcome: FetchOutcome, now: datetime
) -> FetchedPage | DeadLetter:
    """The fetched page, or the fetch's dead letter with its bounded reason."""
    if not outcome.ok:
        return dead_letter(
            url=link.url,
            source_id=link.item.source_id,
            stage=Stage.FETCH,
            reason=outcome.reason or Reason.HTTP_ERROR,
            detail=outcome.detail,
            retriable=outcome.retriable,
            attempts=link.attempts,
        )
    ctype = (outcome.content_type or "").lower()
    return _page(link, source, outcome.url, outcome.text(), ctype, now, from_feed=False)


def kept_page(raw: RawPage, source: SourceConfig | None) -> FetchedPage:
    """A page from the raw topic. It keeps the first publication's key, whatever the
    canonical URL resolves to today, so the coder hashes that key into the event ids."""
    return FetchedPage(
        requested_url=raw.url,
        url=raw.url,
        body=raw.body,
        content_type=raw.content_type,
        source_id=raw.source_id,
        source_url=source.url if source else "",
        fetched_at=raw.fetched_at,
        published_at=raw.published_hint,
        tags=tuple(source.tags) if source else (),
        language=source.language if source else None,
        article_id=raw.article_id,
    )


def given_page(
    body: str, url: str, source_url: str, published: datetime | None, now: datetime
) -> FetchedPage:
    """A document handed to `newsflow extract`; HTML or text is told from the body."""
    return FetchedPage(
        requested_url=url,
        url=url,
        body=body,
        content_type=_sniffed(body),
        source_id="cli",
        source_url=source_url,
        fetched_at=now,
        published_at=published,
    )


def _page(
    link: Link,
    source: SourceConfig | None,
    url: str,
    body: str,
    content_type: str,
    now: datetime,
    *,
    from_feed: bool,
) -> FetchedPage:
    # What the entry says wins; the source's configuration fills the gaps.
    item = link.item
    return FetchedPage(
        requested_url=link.url,
        url=url,
        body=body,
        content_type=content_type,
        source_id=item.source_id,
        source_url=source.url if source else "",
        fetched_at=now,
        title=item.title,
        published_at=item.published_at,
        tags=tuple(item.tags or (source.tags if source else ())),
        language=item.language or (source.language if source else None),
        from_feed=from_feed,
    )


def _sniffed(body: str) -> str:
    return "text/html" if looks_like_html(body) else "text/plain"


# --- page → worker request -------------------------------------------------------------------


def document_request(
    page: FetchedPage, min_text_chars: int, attempts: int = 1
) -> DocumentRequest | DeadLetter:
    """The worker's request, or a dead letter for a body that is not an article page
    (JSON, an image): it was read, so the fetch stage refuses it."""
    media = media_of(page.content_type)
    if media is None:
        return dead_letter(
            url=page.requested_url,
            source_id=page.source_id,
            stage=Stage.FETCH,
            reason=Reason.UNSUPPORTED_CONTENT_TYPE,
            detail=f"content type {page.content_type or 'missing'} is not an article page",
            retriable=False,
            attempts=attempts,
        )
    return DocumentRequest(
        url=page.url,
        body=page.body,
        media=media,
        source_id=page.source_id,
        source_url=page.source_url,
        fetched_at=page.fetched_at,
        tags=page.tags,
        language=page.language,
        feed_title=page.title,
        feed_published_at=page.published_at,
        path="feed" if page.from_feed else None,
        min_text_chars=min_text_chars,
        article_id=page.article_id,
    )


def fetched_request(
    link: Link,
    source: SourceConfig | None,
    outcome: FetchOutcome,
    now: datetime,
    min_text_chars: int,
) -> DocumentRequest | DeadLetter:
    """A fetch's outcome to the worker's request, or to the fetch stage's dead letter."""
    page = fetched_page(link, source, outcome, now)
    if isinstance(page, DeadLetter):
        return page
    return document_request(page, min_text_chars, link.attempts)


def media_of(content_type: str) -> Media | None:
    if content_type in HTML_TYPES:
        return "html"
    if content_type in TEXT_TYPES:
        return "text"
    return None


# --- worker result → publication ---------------------------------------------------------------


@dataclass(frozen=True)
class Duplicate:
    """Not published again: the link is an alternate of an article already out."""

    article_id: str
    alternate_url: str
    kind: Literal["same_article", "content"]


@dataclass(frozen=True)
class Publish:
    article: Article
    messages: list[Message]
    # Bytes of a page too large to keep for replay (the article still goes out), else None.
    raw_skipped: int | None = None


def duplicate(link: Link, article: Article, claimed_by: str | None) -> Duplicate | None:
    """A duplicate when the fingerprint was already claimed: by this very article (same
    URL again, or a URL that resolves to the same canonical) or by other content."""
    if claimed_by is None:
        return None
    kind: Literal["same_article", "content"] = (
        "same_article" if claimed_by == article.article_id else "content"
    )
    return Duplicate(article_id=claimed_by, alternate_url=link.url, kind=kind)


def publication(
    request: DocumentRequest,
    result: DocumentResult,
    known_alternates: list[str],
    *,
    keep_raw: bool,
    max_request_size: int,
) -> Publish:
    """The article with every URL it is known by, its events, and the raw page when kept."""
    article = result.article
    if known_alternates:
        merged = set(article.alternate_urls) | set(known_alternates) - {article.canonical_url}
        article = article.model_copy(update={"alternate_urls": sorted(merged)})
    messages: list[Message] = [article, *result.events]
    if not keep_raw or request.path == "feed":  # a feed entry has no page to replay
        return Publish(article, messages)
    size = raw_size(request)
    if not raw_fits(size, max_request_size):
        return Publish(article, messages, raw_skipped=size)
    raw = RawPage(
        article_id=article.article_id,
        url=request.url,
        source_id=request.source_id,
        content_type="text/html" if request.media == "html" else "text/plain",
        fetched_at=request.fetched_at,
        published_hint=request.feed_published_at,
        body=request.body,
    )
    return Publish(article, [*messages, raw])


def raw_size(request: DocumentRequest) -> int:
    return len(request.body.encode("utf-8", "replace"))


def raw_fits(size: int, max_request_size: int) -> bool:
    """A page the producer would refuse is not kept. The check is on the uncompressed size,
    as the producer's is; JSON escaping of quotes and the envelope get a quarter of headroom."""
    return size * 1.25 + 4096 <= max_request_size


# --- failures ---------------------------------------------------------------------------------


def failure(link: Link, stage: Stage, exc: Exception) -> DeadLetter:
    """The dead letter of a step that raised, under the stage that was running: a known
    error with its reason, anything else as INTERNAL (a bug, retriable once fixed)."""
    if isinstance(exc, NewsflowError):
        return from_error(
            exc, url=link.url, source_id=link.item.source_id, stage=stage, attempts=link.attempts
        )
    return dead_letter(
        url=link.url,
        source_id=link.item.source_id,
        stage=stage,
        reason=Reason.INTERNAL,
        detail=f"{type(exc).__name__}: {exc}",
        retriable=True,
        attempts=link.attempts,
    )


def must_release(exc: Exception) -> bool:
    """Shutdown while the broker had not acknowledged: the link goes back, no dead letter."""
    return isinstance(exc, PublishError) and exc.retriable
