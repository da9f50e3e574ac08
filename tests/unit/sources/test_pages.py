"""Link discovery on section pages."""

from __future__ import annotations

from newsflow.config import SourceConfig
from newsflow.sources.pages import discover_links, site_of

BASE = "https://www.example.com/politics/"


def page(body: str, head: str = "") -> str:
    return f"<html><head>{head}</head><body>{body}</body></html>"


def source(**kw) -> SourceConfig:
    return SourceConfig(id="p", kind="page", url=BASE, **kw)


def test_include_and_exclude_patterns():
    """Only links matching an include pattern and no exclude pattern are kept."""
    html = page(
        '<a href="/politics/2026/vote-count-begins">a</a>'
        '<a href="/politics/2026/live-vote-count">b</a>'
        '<a href="/sport/2026/match-report">c</a>'
    )
    found = discover_links(
        html, source=source(include=["/politics/"], exclude=["/live-"]), base_url=BASE
    )
    assert [i.url for i in found.items] == [
        "https://www.example.com/politics/2026/vote-count-begins"
    ]


def test_same_site_dedup_and_fragments():
    """Off-site links are dropped and the same article linked twice (with a fragment) appears once."""
    html = page(
        '<a href="https://www.example.com/politics/a-long-story-slug">x</a>'
        '<a href="/politics/a-long-story-slug#comments">y</a>'
        '<a href="https://elsewhere.org/politics/a-long-story-slug">z</a>'
    )
    found = discover_links(html, source=source(), base_url=BASE)
    assert [i.url for i in found.items] == ["https://www.example.com/politics/a-long-story-slug"]
    assert found.items[0].title == "x"


def test_base_href_is_honoured():
    """Relative links resolve against <base href> when the page declares one."""
    html = page('<a href="a-long-story-slug">x</a>', head='<base href="https://example.com/news/">')
    found = discover_links(html, source=source(), base_url=BASE)
    assert [i.url for i in found.items] == ["https://example.com/news/a-long-story-slug"]


def test_default_heuristic_skips_navigation():
    """Without include patterns, section fronts, tag pages and files are not taken for articles."""
    html = page(
        '<a href="/">home</a><a href="/politics/">section</a><a href="/tag/a-b-c/">tag</a>'
        '<a href="/img/a-b-c.jpg">img</a><a href="/politics/story-12345">id</a>'
    )
    found = discover_links(html, source=source(), base_url=BASE)
    assert [i.url for i in found.items] == ["https://www.example.com/politics/story-12345"]


def test_feed_autodiscovery():
    """<link rel=alternate> RSS and Atom feeds become children; other link types do not."""
    head = (
        '<link rel="alternate" type="application/rss+xml" href="/rss">'
        '<link rel="Alternate" type="application/atom+xml; charset=utf-8" href="/atom">'
        '<link rel="alternate" hreflang="de" href="/de/">'
    )
    found = discover_links(page("", head), source=source(), base_url=BASE)
    assert list(found.children) == ["https://www.example.com/rss", "https://www.example.com/atom"]


def test_empty_and_broken_html():
    """Empty input warns; broken markup still yields its links."""
    assert discover_links("", source=source(), base_url=BASE).warnings == ["empty page"]
    found = discover_links('<div><a href="/politics/x-y-z">t</div', source=source(), base_url=BASE)
    assert [i.url for i in found.items] == ["https://www.example.com/politics/x-y-z"]


def test_site_of_strips_www():
    """www. is ignored when deciding whether two hosts are the same site."""
    assert site_of("https://WWW.Example.com/x") == site_of("http://example.com") == "example.com"
