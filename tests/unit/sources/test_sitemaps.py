"""Sitemap parsing: variants the fixture files do not cover."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime

from newsflow.config import SourceConfig
from newsflow.sources.sitemaps import parse_sitemap

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
SOURCE = SourceConfig(id="s", kind="sitemap", url="https://example.org/sitemap.xml")
URLSET = (
    b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
    b"<url><loc>https://example.org/a-story</loc><lastmod>2026-11-25</lastmod></url></urlset>"
)


def parse(body: bytes, since: datetime | None = None):
    return parse_sitemap(body, source=SOURCE, base_url=SOURCE.url, now=NOW, since=since)


def test_gzipped_sitemap_is_inflated():
    """A .xml.gz body served without Content-Encoding is recognised and read."""
    assert [i.url for i in parse(gzip.compress(URLSET)).items] == ["https://example.org/a-story"]


def test_sitemap_without_namespace():
    """Sitemaps that omit the sitemaps.org namespace are still read."""
    body = b"<urlset><url><loc>https://example.org/b</loc></url></urlset>"
    assert [i.url for i in parse(body).items] == ["https://example.org/b"]


def test_not_a_sitemap_warns():
    """An RSS document handed to the sitemap parser yields a warning, no items."""
    found = parse(b'<rss version="2.0"><channel/></rss>')
    assert found.items == [] and "not a sitemap" in found.warnings[0]


def test_garbage_warns():
    """Bytes that are not XML give a warning instead of an exception."""
    found = parse(b"\x00\x01 definitely not xml")
    assert found.items == [] and found.warnings


def test_entities_are_not_expanded():
    """An XML entity bomb is not expanded (no entity resolution)."""
    body = (
        b'<?xml version="1.0"?><!DOCTYPE u [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b"<urlset><url><loc>https://example.org/&b;</loc></url></urlset>"
    )
    found = parse(body)
    assert all(len(i.url) < 100 for i in found.items)


def test_index_children_filtered_by_since():
    """Index children whose lastmod is before `since` are skipped; undated ones are kept."""
    body = (
        b"<sitemapindex>"
        b"<sitemap><loc>https://example.org/new.xml</loc><lastmod>2026-11-25</lastmod></sitemap>"
        b"<sitemap><loc>https://example.org/old.xml</loc><lastmod>2020-01-01</lastmod></sitemap>"
        b"<sitemap><loc>https://example.org/undated.xml</loc></sitemap>"
        b"</sitemapindex>"
    )
    found = parse(body, since=datetime(2026, 11, 1, tzinfo=UTC))
    assert list(found.children) == [
        "https://example.org/new.xml",
        "https://example.org/undated.xml",
    ]


def test_text_sitemap():
    """A plain-text sitemap (one URL per line) yields its URLs once each."""
    body = b"https://example.org/a\n\nhttps://example.org/b\r\nhttps://example.org/a\nnot a url\n"
    found = parse(body)
    assert [i.url for i in found.items] == ["https://example.org/a", "https://example.org/b"]
