"""Discovery: what parsing one feed, sitemap or page produced."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urldefrag, urljoin, urlsplit

from newsflow.models import SourceItem


@dataclass(frozen=True)
class Discovery:
    """Items found (newest first), warnings for the log, and URLs to look at next."""

    items: list[SourceItem]
    warnings: list[str]
    # sitemap index → child sitemaps; page → autodiscovered feeds
    children: Sequence[str] = ()
    newest: datetime | None = None


def absolute_http_url(href: str | None, base: str) -> str | None:
    """`href` resolved against `base`, fragment dropped; None unless it is http(s).

    A file:// source (a local corpus or replay) may link to file:// pages; whether
    they lie under the allowed root is the fetcher's decision.
    """
    if not href:
        return None
    href = href.strip()
    try:
        url, _ = urldefrag(urljoin(base, href))
        parts = urlsplit(url)
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme == "file" and urlsplit(base).scheme.lower() == "file":
        # feedparser's own URL join turns file:///a/b into file://a/b; local files have no host.
        return "file:///" + url[len("file://") :].lstrip("/") if parts.netloc else url
    if scheme not in ("http", "https") or not parts.hostname:
        return None
    return url


def newest_first(items: list[SourceItem]) -> list[SourceItem]:
    """Dated items newest first, then undated ones in document order."""
    dated = [(i.published_at, n) for n, i in enumerate(items) if i.published_at is not None]
    dated.sort(key=lambda d: d[0], reverse=True)
    return [items[n] for _, n in dated] + [i for i in items if i.published_at is None]
