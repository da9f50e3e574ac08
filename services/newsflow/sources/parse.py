"""One entry point for a polled source's body, whatever its kind."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from newsflow.config import SourceConfig
from newsflow.sources.discovery import Discovery
from newsflow.sources.feeds import parse_feed
from newsflow.sources.pages import discover_links
from newsflow.sources.sitemaps import parse_sitemap


def parse_source(
    source: SourceConfig,
    body: bytes,
    decode: Callable[[], str],
    *,
    base_url: str,
    now: datetime,
    since: datetime | None,
) -> Discovery:
    """Feeds and sitemaps parse bytes (their XML declares the encoding); pages need text."""
    if source.kind == "feed":
        return parse_feed(body, source=source, base_url=base_url, now=now, since=since)
    if source.kind == "sitemap":
        return parse_sitemap(body, source=source, base_url=base_url, now=now, since=since)
    return discover_links(decode(), source=source, base_url=base_url)
