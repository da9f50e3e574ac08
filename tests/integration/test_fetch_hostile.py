"""Fetcher against a local hostile web server: real HTTP, every failure mode."""

from __future__ import annotations

import asyncio
import itertools
import time

import pytest

from newsflow.config import FetchSettings
from newsflow.errors import Reason
from newsflow.fetch.client import Fetcher
from tests.integration.fetch_hostile_web import ETAG, LAST_MODIFIED, MapResolver, start


@pytest.fixture
async def web_server():
    """Start the hostile app on a free 127.0.0.1 port; yield (port, log)."""
    runner, port, log = await start()
    yield port, log
    await runner.cleanup()


def settings(**overrides) -> FetchSettings:
    """Fast settings for tests: the server is on loopback, so the SSRF guard is off by default."""
    base = dict(
        block_private_addresses=False,
        min_host_delay=0.0,
        connect_timeout=2,
        read_timeout=2,
        total_timeout=5,
        retries=2,
    )
    base.update(overrides)
    return FetchSettings(**base)


async def test_plain_page_is_fetched(web_server):
    """A 200 HTML page comes back ok with its media type, body and text."""
    port, log = web_server
    async with Fetcher(settings(), resolver=MapResolver()) as f:
        out = await f.fetch(f"http://news.test:{port}/ok")
    assert out.ok and out.reason is None and out.status == 200
    assert out.content_type == "text/html"
    assert "café" in out.text()
    assert log.hits[-1].headers["User-Agent"].startswith("newsflow/")
    assert "br" in log.hits[-1].headers["Accept-Encoding"]


async def test_429_retry_after_is_honoured(web_server):
    """A 429 with Retry-After: 1 is retried no sooner than a second later and then succeeds."""
    port, log = web_server
    async with Fetcher(settings(), resolver=MapResolver()) as f:
        out = await f.fetch(f"http://news.test:{port}/rate-limited")
    assert out.ok and out.attempts == 2
    first, second = log.times(prefix="/rate-limited")
    assert second - first >= 0.95


async def test_long_retry_after_is_reported_not_slept(web_server):
    """A Retry-After longer than the fetch budget returns RATE_LIMITED with the delay, without waiting."""
    port, _ = web_server
    async with Fetcher(settings(), resolver=MapResolver()) as f:
        start = time.monotonic()
        out = await f.fetch(f"http://news.test:{port}/always-429")
        again = await f.fetch(f"http://news.test:{port}/ok")
    assert out.reason is Reason.RATE_LIMITED and out.retriable
    assert out.retry_after == pytest.approx(120, abs=1)
    assert again.reason is Reason.RATE_LIMITED  # the whole host is paused, not just the URL
    assert time.monotonic() - start < 1.0
    assert f.host_health()["news.test"]["paused_for"] > 100


async def test_503_streak_then_recovery(web_server):
    """Two 503s followed by a 200 end in success within the retry budget."""
    port, log = web_server
    async with Fetcher(settings(min_host_delay=0.05), resolver=MapResolver()) as f:
        out = await f.fetch(f"http://news.test:{port}/unavailable")
    assert out.ok and out.attempts == 3
    assert log.count("/unavailable") == 3


async def test_503_streak_exhausts_retries(web_server):
    """With no retries left, a 503 comes back as a retriable SERVER_ERROR."""
    port, _ = web_server
    async with Fetcher(settings(retries=0), resolver=MapResolver()) as f:
        out = await f.fetch(f"http://news.test:{port}/unavailable")
    assert out.reason is Reason.SERVER_ERROR and out.retriable and out.status == 503


async def test_404_and_410_are_final(web_server):
    """404 and 410 map to NOT_FOUND and GONE and are not retried."""
    port, log = web_server
    async with Fetcher(settings(), resolver=MapResolver()) as f:
        missing = await f.fetch(f"http://news.test:{port}/missing")
        gone = await f.fetch(f"http://news.test:{port}/gone")
    assert (missing.reason, missing.retriable) == (Reason.NOT_FOUND, False)
    assert (gone.reason, gone.retriable) == (Reason.GONE, False)
    assert log.count("/missing") == 1


async def test_conditional_get_gets_304(web_server):
    """The ETag and Last-Modified from a first fetch are sent back and answered with 304."""
    port, log = web_server
    async with Fetcher(settings(), resolver=MapResolver()) as f:
        first = await f.fetch(f"http://news.test:{port}/conditional")
        second = await f.fetch(
            f"http://news.test:{port}/conditional",
            etag=first.etag,
            last_modified=first.last_modified,
        )
    assert first.ok and first.etag == ETAG and first.last_modified == LAST_MODIFIED
    assert second.not_modified and second.reason is None and second.body == b""
    assert second.etag == ETAG and second.last_modified == LAST_MODIFIED
    sent = log.hits[-1].headers
    assert sent["If-None-Match"] == ETAG and sent["If-Modified-Since"] == LAST_MODIFIED


async def test_slow_drip_times_out(web_server):
    """A body trickling in forever is cut off at total_timeout even though each read is quick."""
    port, _ = web_server
    async with Fetcher(settings(total_timeout=0.8, retries=0), resolver=MapResolver()) as f:
        start = time.monotonic()
        out = await f.fetch(f"http://news.test:{port}/slow-drip")
    assert out.reason is Reason.TIMEOUT and out.retriable
    assert time.monotonic() - start < 1.5


async def test_huge_streamed_body_is_too_large_and_not_fully_read(web_server):
    """A 10 MB chunked body stops at max_body_bytes and the server never sends all of it."""
    port, log = web_server
    async with Fetcher(settings(max_body_bytes=256 * 1024), resolver=MapResolver()) as f:
        out = await f.fetch(f"http://news.test:{port}/huge")
        await asyncio.sleep(0.2)  # let the server notice the closed connection
    assert out.reason is Reason.TOO_LARGE and not out.retriable and out.body == b""
    assert log.sent["/huge"] < 10 * 1024 * 1024


async def test_declared_huge_body_is_refused_before_reading(web_server):
    """A Content-Length above the cap is refused from the headers alone."""
    port, _ = web_server
    async with Fetcher(settings(max_body_bytes=1024 * 1024), resolver=MapResolver()) as f:
        out = await f.fetch(f"http://news.test:{port}/huge-declared")
    assert out.reason is Reason.TOO_LARGE and "Content-Length" in out.detail


async def test_gzip_bomb_is_rejected(web_server):
    """A 50 KB gzip that inflates to 50 MB fails as DECOMPRESSION_BOMB at the decompressed cap."""
    port, _ = web_server
    async with Fetcher(
        settings(max_decompressed_bytes=2 * 1024 * 1024), resolver=MapResolver()
    ) as f:
        out = await f.fetch(f"http://news.test:{port}/bomb")
    assert out.reason is Reason.DECOMPRESSION_BOMB and not out.retriable


async def test_brotli_body_is_decompressed(web_server):
    """A Content-Encoding: br body is decompressed by our own inflater."""
    port, _ = web_server
    async with Fetcher(settings(), resolver=MapResolver()) as f:
        out = await f.fetch(f"http://news.test:{port}/brotli")
    assert out.ok and "café" in out.text()


async def test_image_body_is_not_downloaded(web_server):
    """An image answer returns its content type without reading the body."""
    port, _ = web_server
    async with Fetcher(settings(), resolver=MapResolver()) as f:
        out = await f.fetch(f"http://news.test:{port}/image.jpg")
    assert out.status == 200 and out.content_type == "image/jpeg"
    assert out.body == b"" and not out.ok


async def test_windows_1252_labelled_utf8_decodes(web_server):
    """A cp1252 body served as charset=utf-8 decodes to the right characters."""
    port, _ = web_server
    async with Fetcher(settings(), resolver=MapResolver()) as f:
        out = await f.fetch(f"http://news.test:{port}/latin1-labelled-utf8")
    assert "café – “quoted”" in out.text()


async def test_utf8_labelled_latin1_decodes(web_server):
    """A utf-8 body served as charset=iso-8859-1 decodes without mojibake."""
    port, _ = web_server
    async with Fetcher(settings(), resolver=MapResolver()) as f:
        out = await f.fetch(f"http://news.test:{port}/utf8-labelled-latin1")
    assert "café – “quoted”" in out.text()


async def test_redirect_loop(web_server):
    """a → b → a is reported as REDIRECT_LOOP after one round."""
    port, log = web_server
    async with Fetcher(settings(), resolver=MapResolver()) as f:
        out = await f.fetch(f"http://news.test:{port}/loop/a")
    assert out.reason is Reason.REDIRECT_LOOP
    assert log.count("/loop/a") == 1 and log.count("/loop/b") == 1


async def test_redirect_limit(web_server):
    """An endless redirect chain stops after max_redirects hops with REDIRECT_LIMIT."""
    port, log = web_server
    async with Fetcher(settings(max_redirects=3), resolver=MapResolver()) as f:
        out = await f.fetch(f"http://news.test:{port}/chain/0")
    assert out.reason is Reason.REDIRECT_LIMIT
    assert sum(1 for h in log.hits if h.path.startswith("/chain/")) == 4


async def test_cookie_check_redirect_is_not_a_loop(web_server):
    """A redirect to the same URL that sets a cookie is followed with the cookie, then succeeds."""
    port, _ = web_server
    async with Fetcher(settings(), resolver=MapResolver()) as f:
        out = await f.fetch(f"http://news.test:{port}/cookie-check")
    assert out.ok


async def test_redirect_to_loopback_is_blocked(web_server):
    """With the SSRF guard on, a redirect to 127.0.0.1 is refused before any request to it."""
    port, log = web_server
    s = settings(block_private_addresses=True, ssrf_allowed_hosts=["news.test"])
    async with Fetcher(s, resolver=MapResolver()) as f:
        literal = await f.fetch(f"http://news.test:{port}/to-loopback")
        named = await f.fetch(f"http://news.test:{port}/to-evil")
        metadata = await f.fetch(f"http://news.test:{port}/to-metadata")
    assert literal.reason is Reason.SSRF_BLOCKED and "loopback" in literal.detail
    assert named.reason is Reason.SSRF_BLOCKED and "evil.test" in named.detail
    assert metadata.reason is Reason.SSRF_BLOCKED
    assert not any(h.path == "/ok" for h in log.hits)


async def test_guard_blocks_names_resolving_to_loopback(web_server):
    """A host name that resolves to loopback is refused at connect time when the guard is on."""
    port, log = web_server
    async with Fetcher(settings(block_private_addresses=True), resolver=MapResolver()) as f:
        out = await f.fetch(f"http://news.test:{port}/ok")
    assert out.reason is Reason.SSRF_BLOCKED and not out.retriable
    assert log.hits == []


async def test_bad_schemes(web_server):
    """Non-HTTP URLs and redirects to them come back as BAD_SCHEME."""
    port, _ = web_server
    async with Fetcher(settings(), resolver=MapResolver()) as f:
        ftp = await f.fetch("ftp://files.test/x")
        js = await f.fetch("javascript:alert(1)")
        hop = await f.fetch(f"http://news.test:{port}/to-ftp")
    assert ftp.reason is js.reason is hop.reason is Reason.BAD_SCHEME


async def test_connection_refused_is_network(web_server):
    """A port with nothing listening gives a retriable NETWORK outcome."""
    async with Fetcher(settings(retries=0), resolver=MapResolver()) as f:
        out = await f.fetch("http://news.test:1/")
    assert out.reason is Reason.NETWORK and out.retriable and out.status is None


async def test_robots_disallow_and_crawl_delay(web_server):
    """robots.txt is fetched once per host, its Disallow is obeyed and its Crawl-delay paces requests."""
    port, log = web_server
    async with Fetcher(settings(), resolver=MapResolver()) as f:
        blocked = await f.fetch(f"http://robots.test:{port}/private/a")
        pages = await asyncio.gather(
            *(f.fetch(f"http://robots.test:{port}/public/{i}") for i in range(3))
        )
        exempt = await f.fetch(f"http://robots.test:{port}/private/b", check_robots=False)
    assert blocked.reason is Reason.ROBOTS_DISALLOWED
    assert all(p.ok for p in pages) and exempt.ok
    assert log.count("/robots.txt", "robots.test") == 1
    assert log.count("/private/a") == 0
    times = log.times("robots.test", "/public/")
    assert all(b - a >= 0.28 for a, b in itertools.pairwise(times))


async def test_robots_server_error_allows(web_server):
    """A 500 on robots.txt is treated as allow-all (practical deviation from RFC 9309 §2.3.1.4)."""
    port, _ = web_server
    async with Fetcher(settings(), resolver=MapResolver()) as f:
        out = await f.fetch(f"http://broken-robots.test:{port}/ok")
    assert out.ok


async def test_per_host_rate_never_above_limit(web_server):
    """Concurrent fetches to two hosts keep each host's request starts min_host_delay apart, hosts in parallel."""
    port, log = web_server
    delay = 0.15
    s = settings(min_host_delay=delay, per_host_concurrency=2, respect_robots=False)
    async with Fetcher(s, resolver=MapResolver()) as f:
        start = time.monotonic()
        urls = [f"http://{h}.test:{port}/paced/{i}" for i in range(5) for h in ("a", "b")]
        outs = await asyncio.gather(*(f.fetch(u) for u in urls))
        took = time.monotonic() - start
    assert all(o.ok for o in outs)
    for host in ("a.test", "b.test"):
        times = sorted(log.times(host, "/paced/"))
        assert len(times) == 5
        gaps = [b - a for a, b in itertools.pairwise(times)]
        assert min(gaps) >= delay - 0.02, gaps
    assert took < 10 * delay  # the two hosts were served in parallel


async def test_close_twice_and_fetch_without_context(web_server):
    """A Fetcher used without `async with` opens lazily and close() may be called twice."""
    port, _ = web_server
    f = Fetcher(settings(), resolver=MapResolver())
    out = await f.fetch(f"http://news.test:{port}/ok")
    await f.close()
    await f.close()
    assert out.ok


@pytest.mark.parametrize(
    "url", ["http://[::1", "http://news.test:99999/", "http://exa mple.test/", "http:///path", None]
)
async def test_malformed_urls_are_invalid_input(url):
    """Malformed URLs come back as INVALID_INPUT outcomes instead of raising."""
    async with Fetcher(settings(), resolver=MapResolver()) as f:
        out = await f.fetch(url)
    assert out.reason is Reason.INVALID_INPUT and not out.retriable


async def test_file_urls_through_fetcher(tmp_path):
    """file:// URLs are served from under file_root and refused outside it, through the same fetch()."""
    (tmp_path / "feed.rss").write_bytes(b"<rss version='2.0'><channel/></rss>")
    async with Fetcher(settings(file_root=tmp_path)) as f:
        inside = await f.fetch((tmp_path / "feed.rss").as_uri())
        outside = await f.fetch("file:///etc/passwd")
    assert inside.ok and inside.status == 200 and inside.content_type == "application/xml"
    assert outside.reason is Reason.FILE_OUTSIDE_ROOT


async def test_false_content_encoding_is_decode_error(web_server):
    """A body labelled gzip that is not gzip is a non-retriable DECODE_ERROR."""
    port, _ = web_server
    async with Fetcher(settings(), resolver=MapResolver()) as f:
        out = await f.fetch(f"http://news.test:{port}/fake-gzip")
    assert out.reason is Reason.DECODE_ERROR and not out.retriable


async def test_connection_dropped_mid_body_is_network(web_server):
    """A server hanging up before Content-Length is reached gives a retriable NETWORK outcome."""
    port, log = web_server
    async with Fetcher(settings(retries=1, min_host_delay=0.05), resolver=MapResolver()) as f:
        out = await f.fetch(f"http://news.test:{port}/truncated")
    assert out.reason is Reason.NETWORK and out.retriable and out.attempts == 2
    assert log.count("/truncated") == 2
