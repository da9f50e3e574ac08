"""The per-link plans, with plain values: no broker, no database, no worker."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from newsflow.config import SourceConfig
from newsflow.errors import PublishError, Reason, StateError
from newsflow.fetch.outcome import FetchOutcome, failure
from newsflow.models import Article, DeadLetter, FetchedPage, RawPage, SourceItem, SourceRef, Stage
from newsflow.models import Extraction as ExtractionInfo
from newsflow.pipeline import plan
from newsflow.processing import DocumentRequest, DocumentResult
from newsflow.state.base import Link

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
URL = "https://news.example.org/world/a"
SOURCE = SourceConfig(
    id="wire", kind="feed", url="https://news.example.org/rss", tags=["world"], language="en"
)
LONG = "<p>" + "The council met on Monday to discuss the budget. " * 10 + "</p>"


def _link(content: str | None = None, **item: object) -> Link:
    fields: dict = {"source_id": "wire", "url": URL, "content": content, **item}
    return Link(
        url=URL, item=SourceItem(**fields), status="in_flight", attempts=2, discovered_at=NOW
    )


def _ok(body: bytes, content_type: str | None, url: str = URL + "?r=1") -> FetchOutcome:
    return FetchOutcome(
        requested_url=URL, url=url, status=200, content_type=content_type, body=body,
        etag=None, last_modified=None, reason=None, detail="", retriable=False,
        retry_after=None, elapsed=0.1,
    )  # fmt: skip


def _article(article_id: str = "a" * 32, alternates: tuple[str, ...] = ()) -> Article:
    return Article(
        article_id=article_id, url=URL, canonical_url=URL, alternate_urls=list(alternates),
        source=SourceRef(id="wire", url=SOURCE.url, domain="news.example.org"),
        title="t", authors=[], published_at=None, fetched_at=NOW, language="en", tags=[],
        text="text", word_count=1, fingerprint="0" * 16,
        extraction=ExtractionInfo(tool="trafilatura", version="2", duration_ms=1.0),
    )  # fmt: skip


def _request(body: str = "<p>x</p>", path: str | None = None) -> DocumentRequest:
    return DocumentRequest(
        url=URL, body=body, media="html", source_id="wire", source_url=SOURCE.url,
        fetched_at=NOW, path=path,
    )  # fmt: skip


# --- pages ---------------------------------------------------------------------------------


def test_a_long_feed_entry_is_the_page_and_a_short_one_is_fetched():
    """Entry text of at least min_text_chars is used as the article; shorter text is not."""
    page = plan.feed_page(_link(LONG), SOURCE, len(LONG), NOW)
    assert page is not None
    assert (page.from_feed, page.content_type, page.body) == (True, "text/html", LONG)
    assert plan.feed_page(_link(LONG), SOURCE, len(LONG) + 1, NOW) is None
    assert plan.feed_page(_link(None), SOURCE, 1, NOW) is None


def test_the_entry_wins_and_the_source_fills_the_gaps():
    """Tags and language come from the entry when it has them, else from the source."""
    bare = plan.fetched_page(_link(), SOURCE, _ok(b"<p>x</p>", "text/html"), NOW)
    told = plan.fetched_page(
        _link(tags=("sport",), language="fr", title="T"),
        SOURCE,
        _ok(b"<p>x</p>", "text/html"),
        NOW,
    )
    assert isinstance(bare, FetchedPage) and isinstance(told, FetchedPage)
    assert (bare.tags, bare.language, bare.source_url) == (("world",), "en", SOURCE.url)
    assert (told.tags, told.language, told.title) == (("sport",), "fr", "T")
    orphan = plan.fetched_page(_link(), None, _ok(b"<p>x</p>", "text/html"), NOW)
    assert isinstance(orphan, FetchedPage)
    assert (orphan.tags, orphan.language, orphan.source_url) == ((), None, "")


def test_a_fetched_page_keeps_both_urls():
    """The body's URL is where the redirects ended; the queued link stays for dead letters."""
    page = plan.fetched_page(_link(), SOURCE, _ok(b"<p>x</p>", "text/html"), NOW)
    assert isinstance(page, FetchedPage)
    assert (page.requested_url, page.url, page.fetched_at) == (URL, URL + "?r=1", NOW)


def test_a_failed_fetch_is_a_fetch_dead_letter_with_its_reason():
    """The outcome's reason, detail and retriable flag go onto a FETCH dead letter."""
    outcome = failure(URL, Reason.SERVER_ERROR, "503 from server", retriable=True, status=503)
    dl = plan.fetched_page(_link(), SOURCE, outcome, NOW)
    assert isinstance(dl, DeadLetter)
    assert (dl.stage, dl.reason, dl.retriable, dl.attempts) == (
        Stage.FETCH,
        Reason.SERVER_ERROR,
        True,
        2,
    )
    assert dl.detail == "503 from server"


def test_a_kept_page_carries_its_first_key():
    """A raw page replays under the article id it was first published with."""
    raw = RawPage(
        article_id="kept", url=URL, source_id="wire", content_type="text/plain",
        fetched_at=NOW, published_hint=NOW, body="text",
    )  # fmt: skip
    page = plan.kept_page(raw, SOURCE)
    request = plan.document_request(page, 50)
    assert isinstance(request, DocumentRequest)
    assert (request.article_id, request.media, request.feed_published_at) == ("kept", "text", NOW)
    assert (request.tags, request.language, request.min_text_chars) == (("world",), "en", 50)


def test_a_given_document_is_told_html_or_text_by_its_body():
    """`extract` input is HTML when it looks like HTML, plain text otherwise."""
    html = plan.given_page("<html><body><p>x</p></body></html>", URL, "", None, NOW)
    text = plan.given_page("Just words.", URL, "", None, NOW)
    assert (html.content_type, text.content_type) == ("text/html", "text/plain")


# --- page → request ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content_type", "media"),
    [("text/html", "html"), ("application/xhtml+xml", "html"), ("text/plain", "text")],
)
def test_article_pages_become_requests(content_type: str, media: str):
    """HTML, XHTML and plain text go to a worker with the right media."""
    page = plan.fetched_page(_link(), SOURCE, _ok(b"<p>x</p>", content_type), NOW)
    assert isinstance(page, FetchedPage)
    request = plan.document_request(page, 200, attempts=2)
    assert isinstance(request, DocumentRequest)
    assert (request.media, request.url, request.path) == (media, URL + "?r=1", None)


@pytest.mark.parametrize("content_type", ["application/json", "image/png", None])
def test_other_bodies_are_fetch_dead_letters_under_the_queued_url(content_type: str | None):
    """JSON, images and a missing type are refused at the fetch stage, not extracted."""
    request = plan.fetched_request(_link(), SOURCE, _ok(b"{}", content_type), NOW, 200)
    assert isinstance(request, DeadLetter)
    assert (request.stage, request.reason, request.url) == (
        Stage.FETCH,
        Reason.UNSUPPORTED_CONTENT_TYPE,
        URL,
    )
    assert (content_type or "missing") in request.detail
    assert not request.retriable


def test_a_feed_page_is_marked_as_such_for_the_worker():
    """The worker's request says the text came from the feed (Extraction.path)."""
    page = plan.feed_page(_link(LONG), SOURCE, 10, NOW)
    assert page is not None
    request = plan.document_request(page, 10)
    assert isinstance(request, DocumentRequest) and request.path == "feed"


# --- result → publication ------------------------------------------------------------------


def test_an_unclaimed_fingerprint_is_no_duplicate():
    """The first article with a fingerprint is published."""
    assert plan.duplicate(_link(), _article(), None) is None


@pytest.mark.parametrize(
    ("claimed_by", "kind"), [("a" * 32, "same_article"), ("b" * 32, "content")]
)
def test_a_claimed_fingerprint_is_a_duplicate_of_its_claimer(claimed_by: str, kind: str):
    """The link becomes an alternate of the article that claimed first, and says how it matched."""
    dup = plan.duplicate(_link(), _article("a" * 32), claimed_by)
    assert dup == plan.Duplicate(article_id=claimed_by, alternate_url=URL, kind=kind)


def test_known_alternates_are_merged_sorted_without_the_canonical():
    """URLs seen for the article before join its own alternates, never its canonical URL."""
    article = _article(alternates=("https://m.example.org/a",))
    result = DocumentResult(article)
    known = ["https://z.example.org/a", URL, "https://m.example.org/a"]
    out = plan.publication(_request(), result, known, keep_raw=False, max_request_size=10**6)
    assert out.article.alternate_urls == ["https://m.example.org/a", "https://z.example.org/a"]
    assert out.messages == [out.article]


def test_no_known_alternates_leaves_the_article_as_it_is():
    """Without alternates the worker's article goes out unchanged."""
    result = DocumentResult(_article(alternates=("https://m.example.org/a",)))
    out = plan.publication(_request(), result, [], keep_raw=False, max_request_size=10**6)
    assert out.article is result.article


def test_the_raw_page_is_kept_when_enabled_and_it_fits():
    """With raw.enabled a fetched page goes out beside its article, under its article id."""
    result = DocumentResult(_article())
    out = plan.publication(_request("<p>x</p>"), result, [], keep_raw=True, max_request_size=10**6)
    raw = out.messages[-1]
    assert isinstance(raw, RawPage)
    assert (raw.article_id, raw.body, raw.content_type) == ("a" * 32, "<p>x</p>", "text/html")
    assert out.raw_skipped is None


def test_no_raw_page_for_a_feed_entry_or_when_disabled():
    """A feed entry has no page to replay; raw.enabled off keeps nothing."""
    result = DocumentResult(_article())
    feed = plan.publication(
        _request(path="feed"), result, [], keep_raw=True, max_request_size=10**6
    )
    off = plan.publication(_request(), result, [], keep_raw=False, max_request_size=10**6)
    assert feed.messages == off.messages == [result.article]


def test_a_raw_page_too_large_for_the_producer_is_skipped_with_its_size():
    """A page the producer would refuse is left out, its size reported; the article still goes."""
    body = "x" * 10_000
    limit = int(10_000 * 1.25 + 4096)
    fits = plan.publication(
        _request(body), DocumentResult(_article()), [], keep_raw=True, max_request_size=limit
    )
    over = plan.publication(
        _request(body), DocumentResult(_article()), [], keep_raw=True, max_request_size=limit - 1
    )
    assert isinstance(fits.messages[-1], RawPage) and fits.raw_skipped is None
    assert over.messages == [over.article] and over.raw_skipped == 10_000


# --- failures ------------------------------------------------------------------------------


def test_a_store_error_is_dead_lettered_under_the_stage_that_raised_it():
    """A StateError while claiming the fingerprint is a DEDUP dead letter with its reason."""
    exc = StateError("database is locked", reason=Reason.INTERNAL, retriable=True)
    dl = plan.failure(_link(), Stage.DEDUP, exc)
    assert (dl.stage, dl.reason, dl.retriable, dl.attempts) == (
        Stage.DEDUP,
        Reason.INTERNAL,
        True,
        2,
    )


def test_a_bug_is_internal_and_retriable_under_its_stage():
    """An unexpected exception names its type and keeps the stage it happened in."""
    dl = plan.failure(_link(), Stage.EXTRACT, KeyError("x"))
    assert (dl.stage, dl.reason, dl.retriable) == (Stage.EXTRACT, Reason.INTERNAL, True)
    assert dl.detail == "KeyError: 'x'"


def test_only_an_unacknowledged_publish_is_released():
    """A retriable PublishError (shutdown) sends the link back; other errors are dead letters."""
    assert plan.must_release(PublishError("not acked", reason=Reason.TIMEOUT, retriable=True))
    assert not plan.must_release(PublishError("too big", reason=Reason.TOO_LARGE, retriable=False))
    assert not plan.must_release(StateError("locked", reason=Reason.INTERNAL, retriable=True))
