"""The CPU stages for one document: extract and clean, fingerprint, then code events.

This runs inside worker processes (see extract/pool.py) and in the `extract`
command. It wires extract → events the way pipeline.py wires the async stages;
the stages themselves know nothing of each other.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Literal
from urllib.parse import urlsplit

from newsflow import dedup
from newsflow.errors import ExtractError, NewsflowError, Reason
from newsflow.extract.document import Extracted, extract_html, extract_text
from newsflow.models import Article, EventRecord, Extraction, SourceRef
from newsflow.urls import article_id_for, canonicalize, domain_of

if TYPE_CHECKING:  # the coder pulls in spaCy; load it only where coding happens
    from newsflow.events.coder import EventCoder

Media = Literal["html", "text"]


@dataclass(frozen=True)
class DocumentRequest:
    """Everything a worker needs; plain data so it pickles cheaply."""

    url: str
    body: str
    media: Media
    source_id: str
    source_url: str
    fetched_at: datetime
    tags: tuple[str, ...] = ()
    language: str | None = None
    feed_title: str | None = None
    feed_published_at: datetime | None = None
    path: str | None = None  # "feed" when the text came from the feed entry itself
    min_text_chars: int = 200
    # The key of an earlier publication (replay): the coder hashes it into each event_id.
    article_id: str | None = None


@dataclass(frozen=True)
class DocumentResult:
    article: Article
    events: list[EventRecord] = field(default_factory=list)
    coding_error: str | None = None
    coding_ms: float = 0.0
    work_seconds: float = 0.0  # in the worker: extraction and coding, no queue or warm-up
    # Candidate sentences past the coder's cap (events.coder.MAX_SENTENCES): not coded.
    uncoded_sentences: int = 0


_coder: EventCoder | None = None


def init_worker(model: str | None, coder_version: str | None = None) -> None:
    """Per-process setup: load the spaCy model once (1.3 s, 150 MiB)."""
    global _coder
    # One worker per core: a BLAS that starts its own threads in each worker oversubscribes
    # the cores. Read when numpy loads, so set before the coder imports it. Measured with
    # one process: 11.2 → 14.0 articles/s coded (docs/performance.md: part of the +48%).
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    # trafilatura warns on every page it discards; the outcome is already a dead letter.
    logging.getLogger("trafilatura").setLevel(logging.ERROR)
    if model:
        from newsflow.events.coder import EventCoder

        _coder = EventCoder(model, version=coder_version)
    else:
        _coder = None


def process_document(req: DocumentRequest, coder: EventCoder | None = None) -> DocumentResult:
    """Extract, clean and code one document; ExtractError when no article text comes out."""
    begun = time.perf_counter()
    coder = coder or _coder
    extracted = _extract(req)
    article = build_article(req, extracted)
    if coder is None:
        return DocumentResult(article, work_seconds=time.perf_counter() - begun)
    started = time.perf_counter()
    try:
        events = coder.code(
            article.text, article_id=article.article_id, published_at=article.published_at
        )
    except Exception as exc:  # a coder bug must not cost us the article
        return DocumentResult(
            article,
            coding_error=f"{type(exc).__name__}: {exc}",
            work_seconds=time.perf_counter() - begun,
        )
    done = time.perf_counter()
    return DocumentResult(
        article,
        events,
        coding_ms=(done - started) * 1000,
        work_seconds=done - begun,
        uncoded_sentences=coder.uncoded,
    )


def _extract(req: DocumentRequest) -> Extracted:
    try:
        if req.media == "html":
            return extract_html(req.body, req.url, min_text_chars=req.min_text_chars)
        return extract_text(req.body)
    except NewsflowError:
        raise
    except Exception as exc:
        raise ExtractError(
            f"extractor failed: {type(exc).__name__}: {exc}", reason=Reason.PARSE_ERROR, url=req.url
        ) from exc


def build_article(req: DocumentRequest, ex: Extracted) -> Article:
    canonical = canonicalize(_canonical_choice(req.url, ex.canonical_url), base=req.url)
    url = canonicalize(req.url)
    return Article(
        article_id=req.article_id or article_id_for(canonical),
        url=req.url,
        canonical_url=canonical,
        alternate_urls=[url] if url != canonical else [],
        source=SourceRef(id=req.source_id, url=req.source_url, domain=domain_of(req.url)),
        title=req.feed_title or ex.title,
        authors=list(ex.authors),
        published_at=req.feed_published_at or ex.published_at,
        fetched_at=req.fetched_at,
        language=req.language or ex.language,
        tags=list(req.tags),
        text=ex.text,
        word_count=len(ex.text.split()),
        fingerprint=dedup.to_hex(dedup.simhash(ex.text)),
        extraction=Extraction(
            tool=ex.tool,
            version=ex.version,
            duration_ms=round(ex.duration_ms, 2),
            path=req.path or ex.path,
            removed=dict(ex.removed),
        ),
    )


def _canonical_choice(url: str, canonical: str | None) -> str:
    """Trust rel=canonical, also across sites (the standard mark of syndication),
    unless it points at a bare home page, a common CMS bug."""
    if not canonical:
        return url
    c, u = urlsplit(canonical), urlsplit(url)
    if c.scheme not in ("http", "https") or u.scheme not in ("http", "https"):
        return url
    if c.path in ("", "/"):
        return url
    return canonical


__all__ = [
    "DocumentRequest",
    "DocumentResult",
    "init_worker",
    "process_document",
]
