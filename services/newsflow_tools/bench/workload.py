"""What the benchmark feeds newsflow: article pages of a spread of sizes, and the feeds that list them.

The synthetic pages are sized so that extraction costs what it costs on real pages:
30% of the padding is markup the extractor walks (teasers, link lists), 70% inline
script, which puts trafilatura's docs/s on them within noise of the 91 real pages of
shared/eval (measured 57 vs 56 docs/s in one run; script-only padding gave 139).
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from newsflow_tools.bench.corpus import (
    CorpusArticle,
    make_articles,
    render_atom,
    render_page,
    render_rss,
)
from newsflow_tools.bench.server import Route

MIN_KB, MAX_KB = 20, 300
WIRE_LENGTH = (12, 17)  # paragraphs after the lead: 430-810 words, mean ~600
FURNITURE_SHARE = 0.3
FEED_ITEMS = 50  # entries per feed, like a busy news site's RSS


@dataclass(frozen=True)
class Doc:
    """One article page as the benchmark serves it: `path` on the local server."""

    path: str
    html: str
    title: str
    article: CorpusArticle | None = None

    @property
    def kb(self) -> float:
        return len(self.html.encode()) / 1024


def page_sizes(n: int, *, seed: int = 1, lo: int = MIN_KB, hi: int = MAX_KB) -> list[int]:
    """Target page sizes in KB, spread evenly over [lo, hi] and shuffled (mean ~160 KB,
    close to the 186 KB of the real dev pages)."""
    if n <= 1:
        return [(lo + hi) // 2] * n
    sizes = [round(lo + (hi - lo) * i / (n - 1)) for i in range(n)]
    random.Random(seed).shuffle(sizes)
    return sizes


def synthetic_page(article: CorpusArticle, size_kb: int, *, seed: int) -> str:
    """A page of about `size_kb` KB around `article`."""
    base = len(render_page(article, rng_seed=seed).encode()) / 1024
    pad = max(0, size_kb - base)
    furniture = int(pad * FURNITURE_SHARE)
    return render_page(
        article, pad_kb=max(0, int(pad - furniture)), furniture_kb=furniture, rng_seed=seed
    )


def synthetic_docs(n: int, *, seed: int = 42) -> Iterator[Doc]:
    """`n` distinct wire stories on pages of 20-300 KB, one at a time."""
    articles = make_articles(n, seed=seed, length=WIRE_LENGTH)
    for i, (article, kb) in enumerate(
        zip(articles, page_sizes(n, seed=seed, lo=MIN_KB + 1, hi=MAX_KB - 2), strict=True)
    ):
        yield Doc(
            f"/news/{article.slug}.html",
            synthetic_page(article, kb, seed=seed * 100_003 + i),
            article.title,
            article,
        )


def shared_eval_docs(path: Path) -> list[Doc]:
    """The real pages of shared/eval/extraction-aeb-dev.jsonl, each under its own path."""
    docs = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                rec = json.loads(line)
                docs.append(Doc(f"/eval/{rec['id'][:16]}.html", rec["html"], rec.get("url", "")))
    return docs


@dataclass
class Site:
    """Routes for a CorpusServer: every page, plus feeds (RSS and Atom alternately) listing them."""

    routes: dict[str, Route]
    feeds: list[str]


def build_site(docs: list[Doc], *, per_feed: int = FEED_ITEMS, base: str = "") -> Site:
    """Feeds use absolute links when `base` (the server's root URL) is given, else relative."""
    from datetime import UTC, datetime, timedelta

    routes: dict[str, Route] = {}
    feeds: list[str] = []
    now = datetime.now(UTC).replace(microsecond=0)
    for start in range(0, len(docs), per_feed):
        chunk = docs[start : start + per_feed]
        items = []
        for j, d in enumerate(chunk):
            routes[d.path] = Route(d.html.encode())
            article = d.article or CorpusArticle(
                slug=d.path.rsplit("/", 1)[-1],
                title=d.title or d.path,
                paragraphs=(),
                published=now - timedelta(minutes=j),
            )
            items.append((base + d.path, article))
        k = len(feeds)
        if k % 2 == 0:
            path = f"/feeds/{k:04d}.rss"
            routes[path] = Route(render_rss(items).encode(), "application/rss+xml")
        else:
            path = f"/feeds/{k:04d}.atom"
            routes[path] = Route(render_atom(items).encode(), "application/atom+xml")
        feeds.append(path)
    return Site(routes, feeds)


def describe(docs: list[Doc]) -> dict[str, float]:
    """Sizes and lengths of a corpus, for the report."""
    kbs = [d.kb for d in docs]
    words = [len(d.article.text.split()) for d in docs if d.article]
    out = {
        "pages": len(docs),
        "kb_min": min(kbs),
        "kb_mean": sum(kbs) / len(kbs),
        "kb_max": max(kbs),
    }
    if words:
        out |= {
            "words_min": min(words),
            "words_mean": sum(words) / len(words),
            "words_max": max(words),
        }
    return out
