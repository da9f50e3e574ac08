"""Discovery end to end at the fetch level: fetch a source over real HTTP, then parse it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from newsflow.config import FetchSettings, SourceConfig
from newsflow.fetch.client import Fetcher
from newsflow.sources.feeds import parse_feed
from newsflow.sources.pages import discover_links
from newsflow.sources.sitemaps import parse_sitemap
from tests.integration.fetch_hostile_web import MapResolver, start

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "sources"
NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)


@pytest.fixture
async def served():
    """The hostile app with the source fixtures mounted; yields (port, fixtures dict, log)."""
    files: dict[str, bytes] = {}
    runner, port, log = await start(files)
    files["/feeds/malformed.xml"] = (FIXTURES / "malformed.xml").read_bytes()
    files["/feeds/main.atom"] = (FIXTURES / "atom_relative.xml").read_bytes()
    files["/world/index.html"] = (FIXTURES / "section.html").read_bytes()
    files["/world/rss.xml"] = (FIXTURES / "rss2_full_text.xml").read_bytes()
    files["/sitemaps/news.xml"] = (FIXTURES / "news_sitemap.xml").read_bytes()
    files["/sitemap.xml"] = (
        "<sitemapindex xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
        f"<sitemap><loc>http://paper.test:{port}/sitemaps/news.xml</loc>"
        "<lastmod>2026-11-25T09:05:00Z</lastmod></sitemap>"
        f"<sitemap><loc>http://paper.test:{port}/sitemaps/2019.xml</loc>"
        "<lastmod>2019-12-31</lastmod></sitemap></sitemapindex>"
    ).encode()
    yield port, files, log
    await runner.cleanup()


def fetcher() -> Fetcher:
    return Fetcher(
        FetchSettings(block_private_addresses=False, min_host_delay=0.0, total_timeout=5),
        resolver=MapResolver(),
    )


async def test_malformed_feed_yields_good_entries(served):
    """A truncated, badly escaped RSS feed fetched over HTTP still gives its two good entries."""
    port, _, _ = served
    src = SourceConfig(
        id="broken", kind="feed", url=f"http://broken.test:{port}/feeds/malformed.xml"
    )
    async with fetcher() as f:
        out = await f.fetch(src.url, check_robots=False)
    found = parse_feed(out.body, source=src, base_url=out.url, now=NOW, since=None)
    assert out.ok and out.content_type == "application/rss+xml"
    assert [i.title for i in found.items][:2] == [
        "First good entry",
        "Second good entry with a stray & ampersand",
    ]
    assert any(w.startswith("malformed feed") for w in found.warnings)


async def test_atom_relative_links_resolve_against_fetched_url(served):
    """Relative Atom links resolve against the feed's own URL and its xml:base."""
    port, _, _ = served
    src = SourceConfig(id="rel", kind="feed", url=f"http://rel.test:{port}/feeds/main.atom")
    async with fetcher() as f:
        out = await f.fetch(src.url, check_robots=False)
    found = parse_feed(out.body, source=src, base_url=out.url, now=NOW, since=None)
    assert [i.url for i in found.items] == [
        f"http://rel.test:{port}/feeds/story-one.html",
        f"http://rel.test:{port}/world/story-two.html",
        f"http://rel.test:{port}/archive/story-three.html",
    ]


async def test_sitemap_index_then_news_sitemap(served):
    """A sitemap index leads to its fresh child news sitemap, whose items carry news titles and dates."""
    port, _, log = served
    src = SourceConfig(id="paper", kind="sitemap", url=f"http://paper.test:{port}/sitemap.xml")
    since = datetime(2026, 11, 20, tzinfo=UTC)
    async with fetcher() as f:
        index = await f.fetch(src.url, check_robots=False)
        top = parse_sitemap(index.body, source=src, base_url=index.url, now=NOW, since=since)
        assert list(top.children) == [f"http://paper.test:{port}/sitemaps/news.xml"]
        child = await f.fetch(top.children[0])
    found = parse_sitemap(child.body, source=src, base_url=child.url, now=NOW, since=since)
    assert [i.title for i in found.items[:1]] == ["Ceasefire agreed after week of talks"]
    assert found.items[0].published_at == datetime(2026, 11, 25, 9, tzinfo=UTC)
    assert (
        log.count("/robots.txt", "paper.test") == 1
    )  # the child was robots-checked, the listed URL not


async def test_page_source_with_include_patterns_and_feed_discovery(served):
    """A section page yields included same-site article links and its advertised feed, which parses."""
    port, _, _ = served
    base = f"http://daily.test:{port}/world/index.html"
    src = SourceConfig(
        id="daily", kind="page", url=base, include=[r"/world/\d{4}/\d\d/\d\d/"], exclude=["live-"]
    )
    async with fetcher() as f:
        page = await f.fetch(src.url, check_robots=False)
        found = discover_links(page.text(), source=src, base_url=page.url)
        assert [i.url for i in found.items] == [
            f"http://daily.test:{port}/world/2026/11/25/talks-resume-in-geneva"
        ]
        assert found.children[0] == f"http://daily.test:{port}/world/rss.xml"
        feed = await f.fetch(found.children[0])
    entries = parse_feed(feed.body, source=src, base_url=feed.url, now=NOW, since=None)
    assert len(entries.items) == 4
