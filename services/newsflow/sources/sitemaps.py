"""XML sitemaps (sitemaps.org 0.9), Google News sitemaps, and sitemap indexes.

A urlset becomes items, dated by news:publication_date, else lastmod. A
sitemapindex becomes `children` (child sitemaps changed since `since`, or
undated). Gzipped bodies (.xml.gz served without Content-Encoding) are
inflated with a cap. lxml parses in recover mode with entities and network
access off (no XXE, no billion laughs).
"""

from __future__ import annotations

import zlib
from datetime import datetime

from lxml import etree

from newsflow.config import SourceConfig
from newsflow.models import SourceItem
from newsflow.sources.dates import aware, parse_date, plausible, zone
from newsflow.sources.discovery import Discovery, absolute_http_url, newest_first

MAX_SITEMAP_BYTES = 50 * 1024 * 1024  # sitemaps.org: at most 50 MB uncompressed
_GZIP_MAGIC = b"\x1f\x8b"


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        recover=True, resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True
    )


def _gunzip(body: bytes) -> tuple[bytes, bool]:
    """Inflate a gzipped sitemap, stopping at MAX_SITEMAP_BYTES; True if it was cut there."""
    obj = zlib.decompressobj(16 + zlib.MAX_WBITS)
    out = obj.decompress(body, MAX_SITEMAP_BYTES)
    return out, bool(obj.unconsumed_tail)


def _text_sitemap(body: bytes, source: SourceConfig, base_url: str) -> Discovery:
    """sitemaps.org "text file" format: one URL per line, UTF-8, no dates."""
    items, seen = [], set()
    for line in body.decode("utf-8", errors="replace").splitlines():
        url = absolute_http_url(line.strip(), base_url) if "://" in line else None
        if url and url not in seen:
            seen.add(url)
            items.append(
                SourceItem(
                    source_id=source.id, url=url, language=source.language, tags=tuple(source.tags)
                )
            )
    return Discovery(items=items, warnings=[] if items else ["empty text sitemap"])


def _local(tag: object) -> str:
    """Tag name without namespace; sitemaps are matched by local name because many omit the namespace."""
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _child_text(el: etree._Element, *path: str) -> str | None:
    """Text of the first descendant following local names `path`, e.g. ('news', 'title')."""
    nodes = [el]
    for name in path:
        nodes = [c for n in nodes for c in n if _local(c.tag) == name]
        if not nodes:
            return None
    text = nodes[0].text
    return text.strip() if text and text.strip() else None


def parse_sitemap(
    body: bytes, *, source: SourceConfig, base_url: str, now: datetime, since: datetime | None
) -> Discovery:
    """Items of a urlset (newest first, newer than `since`), or children of a sitemapindex."""
    since = aware(since)
    warnings: list[str] = []
    if body.startswith(_GZIP_MAGIC):
        try:
            body, cut = _gunzip(body)
        except zlib.error as exc:
            return Discovery(items=[], warnings=[f"corrupt gzip sitemap: {exc}"])
        if cut:
            warnings.append(f"gzip sitemap cut at {MAX_SITEMAP_BYTES} bytes")
    if not body.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return _text_sitemap(body, source, base_url)
    try:
        root = etree.fromstring(body, parser=_parser())
    except etree.XMLSyntaxError as exc:
        root = None
        warnings.append(f"not XML: {exc}")
    if root is None:
        return Discovery(items=[], warnings=warnings or ["empty document"])
    kind = _local(root.tag)
    tz = zone(source.timezone)
    if kind == "sitemapindex":
        children = []
        for sm in root:
            if _local(sm.tag) != "sitemap":
                continue
            url = absolute_http_url(_child_text(sm, "loc"), base_url)
            changed = parse_date(_child_text(sm, "lastmod"), tz=tz)
            if url and (since is None or changed is None or changed > since):
                children.append(url)
        return Discovery(items=[], warnings=warnings, children=children)
    if kind != "urlset":
        return Discovery(items=[], warnings=[*warnings, f"not a sitemap (root element {kind!r})"])
    items: list[SourceItem] = []
    newest: datetime | None = None
    language = source.language
    for n, entry in enumerate(root, 1):
        if _local(entry.tag) != "url":
            continue
        url = absolute_http_url(_child_text(entry, "loc"), base_url)
        if url is None:
            warnings.append(f"url {n} skipped: no http(s) <loc>")
            continue
        published = parse_date(_child_text(entry, "news", "publication_date"), tz=tz) or parse_date(
            _child_text(entry, "lastmod"), tz=tz
        )
        if published is not None and plausible(published, now):
            newest = published if newest is None else max(newest, published)
        if since is not None and published is not None and published <= since:
            continue
        news_language = _child_text(entry, "news", "publication", "language")
        items.append(
            SourceItem(
                source_id=source.id,
                url=url,
                title=_child_text(entry, "news", "title"),
                published_at=published,
                language=language or (news_language[:2].lower() if news_language else None),
                tags=tuple(source.tags),
            )
        )
    return Discovery(items=newest_first(items), warnings=warnings, newest=newest)
