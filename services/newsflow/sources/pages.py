"""Section pages: article links chosen by the source's include/exclude patterns.

Links are resolved against <base href> or the page URL, kept on the same site
(host equal up to a leading "www.") and deduplicated in page order. Feeds the
page advertises with <link rel="alternate"> come back as `children`.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import lxml.html
from lxml import etree

from newsflow.config import SourceConfig
from newsflow.models import SourceItem
from newsflow.sources.discovery import Discovery, absolute_http_url

FEED_TYPES = {"application/rss+xml", "application/atom+xml", "application/feed+json"}
# Without include patterns, a link must look like an article: a long slug or a
# dated/numbered path. Section fronts, tags and static files are left out.
_ARTICLE_PATH = re.compile(r"/(?:[^/]*-[^/]*-[^/]*|[^/]*\d{5,}[^/]*)/?$")
_NOT_ARTICLE = re.compile(
    r"\.(?:jpe?g|png|gif|webp|svg|css|js|pdf|zip|mp[34]|xml|rss)$|/(?:tag|tags|author|category|search|login)/",
    re.IGNORECASE,
)


def site_of(url: str) -> str:
    """Host without a leading 'www.', lower-case."""
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


def _wanted(url: str, source: SourceConfig) -> bool:
    if source.include:
        if not any(re.search(p, url) for p in source.include):
            return False
    elif not _ARTICLE_PATH.search(urlsplit(url).path) or _NOT_ARTICLE.search(urlsplit(url).path):
        return False
    return not any(re.search(p, url) for p in source.exclude)


def _feed_links(doc: lxml.html.HtmlElement, base: str) -> list[str]:
    feeds: list[str] = []
    for link in doc.xpath("//link[@href]"):
        rel = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").lower().split(";", 1)[0].strip()
        url = absolute_http_url(link.get("href"), base)
        if "alternate" in rel and kind in FEED_TYPES and url and url not in feeds:
            feeds.append(url)
    return feeds


def advertised_feeds(html: str | bytes, base_url: str) -> list[str]:
    """Feed URLs an HTML page advertises with <link rel="alternate">; [] for unparseable input."""
    try:
        doc = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return []
    base = next(iter(doc.xpath("//base/@href")), None)
    return _feed_links(doc, absolute_http_url(base, base_url) or base_url)


def discover_links(html: str, *, source: SourceConfig, base_url: str) -> Discovery:
    """Article links on a section page and the feeds it advertises; bad HTML yields a warning."""
    if not html or not html.strip():
        return Discovery(items=[], warnings=["empty page"])
    try:
        doc = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError) as exc:
        return Discovery(items=[], warnings=[f"unparseable HTML: {exc}"])
    base = base_url
    for href in doc.xpath("//base/@href")[:1]:
        base = absolute_http_url(href, base_url) or base_url
    feeds = _feed_links(doc, base)
    site = site_of(base_url)
    page = absolute_http_url(base_url, base_url)
    seen: set[str] = set()
    items: list[SourceItem] = []
    for a in doc.xpath("//a[@href]"):
        url = absolute_http_url(a.get("href"), base)
        if url is None or url == page or url in seen or site_of(url) != site:
            continue
        if not _wanted(url, source):
            continue
        seen.add(url)
        title = " ".join(a.text_content().split()) or a.get("title") or None
        items.append(
            SourceItem(
                source_id=source.id,
                url=url,
                title=title,
                language=source.language,
                tags=tuple(source.tags),
            )
        )
    return Discovery(items=items, warnings=[], children=feeds)
