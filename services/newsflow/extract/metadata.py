"""Title, authors, publication time, language and canonical URL from a page's markup.

Reads meta tags, JSON-LD and a few elements with fixed XPaths. trafilatura's own
extract_metadata costs 8.3 ms a page on the dev set (a third of an extraction,
mostly date guessing in the text), which would break the 0.9x speed budget; these
look-ups cost well under 1 ms and read only what the page declares.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

from lxml.html import HtmlElement

# read_meta walks the tree once for these tags: seven XPath look-ups cost 0.8 ms a
# page on the dev set, one iter() a quarter of that
TAGS = ("meta", "script", "link", "h1", "title", "time")
LANG = re.compile(r"^[a-z]{2}(?:$|[-_])", re.I)
# "Headline | Outlet", "Headline - Outlet": the separators sites put before their name
TITLE_SUFFIX = re.compile(r"\s+[|–—-]\s+[^|–—-]{1,40}$")

# meta names / properties, in the order they are trusted
TITLE_KEYS = ("og:title", "twitter:title", "dc.title")
AUTHOR_KEYS = ("author", "article:author", "dc.creator", "parsely-author", "sailthru.author", "byl")
DATE_KEYS = (
    "article:published_time",
    "datepublished",
    "og:published_time",
    "pubdate",
    "publishdate",
    "publish-date",
    "parsely-pub-date",
    "sailthru.date",
    "dc.date.issued",
    "dc.date",
    "date",
)


@dataclass(frozen=True)
class PageMeta:
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    published_at: datetime | None = None
    language: str | None = None
    canonical_url: str | None = None
    headlines: tuple[str, ...] = ()


def parse_date(value: str) -> datetime | None:
    """An ISO 8601 or RFC 2822 time as an aware datetime (UTC when the page gives no zone)."""
    value = value.strip()
    parsed: datetime | None = None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace(" ", "T", 1))
    except ValueError:
        try:
            parsed = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
    if parsed is None:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def split_authors(value: str) -> list[str]:
    """'A, B and C' → [A, B, C]; drops a leading 'By' and profile URLs."""
    value = re.sub(r"^\s*by\s+", "", value, flags=re.I)
    parts = re.split(r"\s*(?:,|;|\band\b|&)\s*", value)
    return [p.strip() for p in parts if p.strip() and "://" not in p and len(p) < 80]


def _walk_ld(node: object, out: dict[str, list[object]]) -> None:
    if isinstance(node, list):
        for item in node:
            _walk_ld(item, out)
    elif isinstance(node, dict):
        for key in ("headline", "datePublished", "author", "inLanguage"):
            if key in node:
                out.setdefault(key, []).append(node[key])
        if "@graph" in node:
            _walk_ld(node["@graph"], out)


def _ld_names(value: object) -> list[str]:
    if isinstance(value, str):
        return split_authors(value)
    if isinstance(value, dict):
        return _ld_names(value.get("name"))
    if isinstance(value, list):
        return [n for v in value for n in _ld_names(v)]
    return []


def _absolute(href: str | None, url: str | None) -> str | None:
    if not href:
        return None
    full = urljoin(url or "", href.strip())
    return full if urlsplit(full).scheme in ("http", "https") else None


@dataclass
class Found:
    """What one walk over the tree collected."""

    metas: dict[str, str] = field(default_factory=dict)
    scripts: list[str] = field(default_factory=list)
    canonicals: list[str] = field(default_factory=list)
    h1s: list[str] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)
    times: list[str] = field(default_factory=list)


def collect(tree: HtmlElement) -> Found:
    """Meta tags, JSON-LD, canonical links, headings, title and time elements, in one walk."""
    found = Found()
    metas, scripts, canonicals = found.metas, found.scripts, found.canonicals
    h1s, titles, times = found.h1s, found.titles, found.times
    for el in tree.iter(*TAGS):
        tag = el.tag
        if tag == "meta":
            content = (el.get("content") or "").strip()
            key = (el.get("property") or el.get("name") or el.get("itemprop") or "").strip().lower()
            if el.get("http-equiv", "").lower() == "content-language":
                key = "content-language"
            if key and content and key not in metas:
                metas[key] = content
        elif tag == "script":
            if el.get("type") == "application/ld+json" and el.text:
                scripts.append(el.text)
        elif tag == "link":
            if (el.get("rel") or "").lower() == "canonical" and el.get("href"):
                canonicals.append(el.get("href"))
        elif tag == "h1" and len(h1s) < 2:
            h1s.append(" ".join(el.text_content().split()))
        elif tag == "title" and el.text:
            titles.append(el.text)
        elif tag == "time" and el.get("datetime"):
            times.append(el.get("datetime"))
    return found


def read_meta(tree: HtmlElement, url: str | None = None) -> PageMeta:
    """Page metadata as declared in its markup; a missing field is None or empty."""
    found = collect(tree)
    metas, h1s = found.metas, found.h1s
    ld: dict[str, list[object]] = {}
    for script in found.scripts:
        try:
            _walk_ld(json.loads(script), ld)
        except ValueError:
            continue

    page_title = TITLE_SUFFIX.sub("", " ".join(found.titles[0].split())) if found.titles else None
    title = next((metas[k] for k in TITLE_KEYS if k in metas), None)
    if title is None:
        title = next((h for h in ld.get("headline", []) if isinstance(h, str)), None)
    if title is None and len(h1s) == 1:
        title = h1s[0] or None
    if title is None:
        title = page_title

    authors = next((split_authors(metas[k]) for k in AUTHOR_KEYS if k in metas), [])
    if not authors:
        authors = [n for a in ld.get("author", []) for n in _ld_names(a)]

    candidates = [metas[k] for k in DATE_KEYS if k in metas]
    candidates += [d for d in ld.get("datePublished", []) if isinstance(d, str)]
    candidates += found.times
    published = next((d for d in map(parse_date, candidates) if d is not None), None)

    lang_values = [tree.get("lang"), tree.get("{http://www.w3.org/XML/1998/namespace}lang")]
    lang_values += [metas.get("content-language"), metas.get("og:locale"), metas.get("language")]
    lang_values += [v for v in ld.get("inLanguage", []) if isinstance(v, str)]
    language = next((v[:2].lower() for v in lang_values if v and LANG.match(v.strip())), None)

    canonical = _absolute(next(iter(found.canonicals), None), url) or _absolute(
        metas.get("og:url"), url
    )
    return PageMeta(
        title=title.strip() if title else None,
        authors=list(dict.fromkeys(authors)),
        published_at=published,
        language=language,
        canonical_url=canonical,
        # every form the headline takes on the page, to spot it repeated in the text
        headlines=tuple(h for h in (title, page_title, *h1s) if h),
    )
