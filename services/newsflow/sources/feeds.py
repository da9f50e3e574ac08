"""RSS 0.9x/1.0/2.0 and Atom feeds into SourceItems, with feedparser.

A malformed feed (feedparser's "bozo" flag) still gives up the entries it
could read; each skipped entry is named in a warning. Nothing here raises on
bad input.
"""

from __future__ import annotations

from datetime import datetime

import feedparser

from newsflow.config import SourceConfig
from newsflow.models import SourceItem
from newsflow.sources.dates import aware, from_struct, parse_date, plausible, zone
from newsflow.sources.discovery import Discovery, absolute_http_url, newest_first
from newsflow.sources.pages import advertised_feeds

LONG_SUMMARY = 500  # characters; a summary this long is probably the article itself
_DATE_FIELDS = ("published", "updated", "created")


def _link(entry: feedparser.FeedParserDict, base: str) -> str | None:
    """The entry's article URL: <link>, else an Atom rel=alternate link, else a permalink GUID."""
    candidates = [entry.get("link")]
    candidates += [
        link.get("href")
        for link in entry.get("links", [])
        if link.get("rel", "alternate") == "alternate"
    ]
    if entry.get("guidislink"):
        candidates.append(entry.get("id"))
    for href in candidates:
        url = absolute_http_url(href, base)
        if url:
            return url
    return None


def _published(entry: feedparser.FeedParserDict, source: SourceConfig) -> datetime | None:
    """Entry date from the raw string (to honour the source's zone), else feedparser's UTC value."""
    tz = zone(source.timezone)
    for name in _DATE_FIELDS:
        when = parse_date(entry.get(name), tz=tz) or from_struct(entry.get(f"{name}_parsed"))
        if when is not None:
            return when
    return None


def _content(entry: feedparser.FeedParserDict) -> str | None:
    """content:encoded or Atom <content>, else a summary long enough to be the article."""
    bodies = [c.get("value") or "" for c in entry.get("content", [])]
    best = max(bodies, key=len, default="")
    if best.strip():
        return best
    summary = entry.get("summary") or ""
    return summary if len(summary) >= LONG_SUMMARY else None


def _language(source: SourceConfig, feed: feedparser.FeedParserDict) -> str | None:
    """The source's language, else the feed's declared one reduced to ISO 639-1 ('en-us' → 'en')."""
    if source.language:
        return source.language
    declared = (feed.get("language") or "").strip().lower()
    code = declared.split("-", 1)[0].split("_", 1)[0]
    return code if len(code) == 2 and code.isalpha() else None


def parse_feed(
    body: bytes, *, source: SourceConfig, base_url: str, now: datetime, since: datetime | None
) -> Discovery:
    """Entries of a feed newer than `since` (undated entries are kept), newest first."""
    parsed = feedparser.parse(
        body,
        sanitize_html=False,  # extraction cleans HTML later; measured ~20% faster
        resolve_relative_uris=False,
        # feedparser resolves links against this, and gets nested xml:base right only with it.
        response_headers={"content-location": base_url, "content-type": "application/xml"},
    )
    since = aware(since)
    warnings: list[str] = []
    if parsed.get("bozo"):
        warnings.append(f"malformed feed: {parsed.get('bozo_exception')}")
    children: list[str] = []
    if not parsed.get("version") and not parsed.entries:
        warnings.append("not a recognised RSS or Atom feed")
        if b"<html" in body[:4096].lower():
            # A listed "feed" URL that serves a web page: offer the feeds it advertises.
            children = advertised_feeds(body, base_url)
    language = _language(source, parsed.get("feed", {}))
    items: list[SourceItem] = []
    newest: datetime | None = None
    for n, entry in enumerate(parsed.entries, 1):
        url = _link(entry, base_url)
        if url is None:
            warnings.append(f"entry {n} skipped: no http(s) link")
            continue
        published = _published(entry, source)
        # Future dates stay on the item but never count as newest (see dates.plausible).
        if published is not None and plausible(published, now):
            newest = published if newest is None else max(newest, published)
        if since is not None and published is not None and published <= since:
            continue
        title = (entry.get("title") or "").strip() or None
        items.append(
            SourceItem(
                source_id=source.id,
                url=url,
                guid=(entry.get("id") or "").strip() or None,
                title=title,
                published_at=published,
                content=_content(entry),
                language=language,
                tags=tuple(source.tags),
            )
        )
    return Discovery(items=newest_first(items), warnings=warnings, children=children, newest=newest)
