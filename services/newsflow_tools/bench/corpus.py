"""A synthetic, seeded news corpus: realistic article pages and the feeds that list them.

Texts are built from sentence templates with random actors, places and numbers,
so every article is distinct (no accidental near-duplicates) yet reads like wire
copy that extraction and event coding can work on. Pages carry the furniture of
real news sites: navigation, related links, share prompts, cookie banners,
footers and inline scripts, padded to a chosen size.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html import escape

ACTORS = [
    "Russian forces",
    "Ukrainian troops",
    "Israeli aircraft",
    "Sudanese paramilitaries",
    "Police in Lagos",
    "Protesters in Santiago",
    "The Indian government",
    "Chinese coast guard ships",
    "Rebels in eastern Congo",
    "French officials",
    "The Turkish army",
    "Kenyan police",
    "Brazilian prosecutors",
    "Security forces in Myanmar",
    "The European Union",
    "Iranian diplomats",
]
EVENTS = [
    "shelled positions near {place}, killing {n} people and wounding {m} others",
    "arrested {n} people during a demonstration in {place}",
    "held talks with a visiting delegation in {place} about a ceasefire",
    "launched {n} drones at {place} overnight, {m} of which were shot down",
    "imposed sanctions on {n} officials accused of abuses in {place}",
    "rejected a proposal to reopen the border crossing at {place}",
    "released {n} detainees held in {place} after weeks of negotiations",
    "accused rival groups of attacking civilians in {place}",
    "deployed {n} extra troops to {place} ahead of the vote",
    "signed an agreement on grain exports with officials from {place}",
]
PLACES = [
    "Kharkiv",
    "Odesa",
    "Khartoum",
    "Goma",
    "Lagos",
    "Santiago",
    "Manila",
    "Mandalay",
    "Aleppo",
    "Mosul",
    "Tripoli",
    "Kabul",
    "Caracas",
    "Port-au-Prince",
    "Mogadishu",
    "Bamako",
    "Dnipro",
    "Zaporizhzhia",
    "Rafah",
    "Beirut",
    "Jenin",
    "Kherson",
    "El Fasher",
    "Juba",
]
SAYERS = [
    "officials said",
    "a spokesman said",
    "local media reported",
    "witnesses said",
    "the ministry said in a statement",
    "according to rescue workers",
]
FILLER = [
    "The situation remained tense late on {day}, and further talks were expected.",
    "Residents described hearing explosions for several hours before dawn.",
    "Aid groups warned that supplies of food and medicine were running low.",
    "Analysts said the move could complicate diplomatic efforts in the region.",
    "The government has denied similar accusations in the past.",
    "Opposition politicians called for an independent investigation.",
    "Markets reacted calmly, with the currency little changed on {day}.",
    "It was not immediately possible to verify the claims independently.",
]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


@dataclass(frozen=True)
class CorpusArticle:
    slug: str
    title: str
    paragraphs: tuple[str, ...]
    published: datetime

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)


def make_articles(
    n: int, *, seed: int = 7, start: datetime | None = None, length: tuple[int, int] = (5, 9)
) -> list[CorpusArticle]:
    """`n` distinct articles; `length` bounds the paragraphs after the lead (the default,
    5-9, gives ~160-470 words; (10, 16) gives the 400-800 of wire copy the benchmark needs)."""
    rng = random.Random(seed)
    # Recent by default: a new source's first poll only takes entries inside its horizon.
    start = start or datetime.now(UTC).replace(microsecond=0)
    out = []
    for i in range(n):
        actor, event, place = rng.choice(ACTORS), rng.choice(EVENTS), rng.choice(PLACES)
        day = rng.choice(DAYS)
        lead = f"{actor} {event.format(place=place, n=rng.randint(2, 90), m=rng.randint(1, 40))} on {day}, {rng.choice(SAYERS)}."
        paragraphs = [lead]
        used: set[str] = set()
        for _ in range(rng.randint(*length)):
            sentences = []
            for _ in range(rng.randint(2, 4)):
                if rng.random() < 0.5:
                    a, e, p = rng.choice(ACTORS), rng.choice(EVENTS), rng.choice(PLACES)
                    sentences.append(
                        f"Separately, {_lower_article(a)} {e.format(place=p, n=rng.randint(2, 500), m=rng.randint(1, 60))}, {rng.choice(SAYERS)}."
                    )
                else:
                    fresh = [f for f in FILLER if f not in used] or FILLER
                    filler = rng.choice(fresh)
                    used = set() if len(used) >= len(FILLER) - 1 else used | {filler}
                    sentences.append(filler.format(day=rng.choice(DAYS)))
            paragraphs.append(" ".join(sentences))
        title = f"{actor} {event.split(',')[0].format(place=place, n='', m='').replace('  ', ' ')}"
        out.append(
            CorpusArticle(
                slug=f"story-{seed}-{i:05d}",
                title=title[:120],
                paragraphs=tuple(paragraphs),
                published=start - timedelta(minutes=7 * i),
            )
        )
    return out


def _lower_article(actor: str) -> str:
    return "the" + actor[3:] if actor.startswith("The ") else actor


def render_page(
    article: CorpusArticle,
    *,
    site: str = "Example News",
    pad_kb: int = 0,
    canonical: str | None = None,
    banner: bool = True,
    rng_seed: int = 0,
    furniture_kb: int = 0,
) -> str:
    """A full news page; `pad_kb` adds inline script/style bulk like real pages carry,
    `furniture_kb` about that much markup around the article (menus, teasers, footer links),
    which, unlike a script, the extractor has to walk."""
    paras = "\n".join(f"<p>{escape(p)}</p>" for p in article.paragraphs)
    related = "".join(
        f'<li><a href="/articles/rel-{k}.html">Related story number {k} about the region</a></li>'
        for k in range(6)
    )
    canon = f'<link rel="canonical" href="{escape(canonical)}">' if canonical else ""
    pad = ""
    if pad_kb:
        rng = random.Random(rng_seed)
        blob = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(1024))
        pad = (
            "<script>var _cfg = {"
            + ",".join(f'"k{j}":"{blob}"' for j in range(pad_kb))
            + "};</script>"
        )
    furniture = render_furniture(furniture_kb, rng_seed=rng_seed) if furniture_kb else ""
    cookie = (
        (
            '<div id="onetrust-banner-sdk" class="otFlat"><p>We use cookies to give you the best experience. '
            'By clicking Accept you consent to our use of cookies.</p><button id="onetrust-accept-btn-handler">Accept'
            "</button></div>"
        )
        if banner
        else ""
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(article.title)} | {escape(site)}</title>
{canon}<meta property="article:published_time" content="{article.published.isoformat()}">
<meta name="author" content="{escape(site)} staff">{pad}</head>
<body><header><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/business">Business</a>
<a href="/subscribe">Subscribe</a></nav></header>
<main><article><h1>{escape(article.title)}</h1><p class="byline">By {escape(site)} staff</p>
{paras}
</article>
<div class="share">Share this story: <a href="#">Facebook</a> <a href="#">X</a> <a href="#">Email</a></div>
<aside class="related"><h2>Most read</h2><ul>{related}</ul></aside>{furniture}</main>
<footer><p>© 2025 {escape(site)}. All rights reserved.</p></footer>{cookie}
</body></html>"""


TEASERS = [
    "Live updates as the story develops",
    "What we know so far",
    "Analysis: what comes next",
    "In pictures: the week in review",
    "Opinion: a turning point for the region",
    "Explainer: the dispute in five charts",
    "Watch: our correspondent reports",
]


def render_furniture(kb: int, *, rng_seed: int = 0) -> str:
    """About `kb` KB of the markup around a real article: teaser cards and link columns."""
    rng = random.Random(rng_seed)
    cards, size, k = [], 0, 0
    while size < kb * 1024:
        k += 1
        section = rng.choice(["world", "business", "sport", "culture", "science", "opinion"])
        card = (
            f'<div class="card card--{section}" data-id="{rng_seed}-{k}"><a class="card__link" '
            f'href="/{section}/teaser-{rng_seed}-{k}.html"><img src="/img/{rng_seed}-{k}.jpg" '
            f'alt="" width="320" height="180" loading="lazy"><h3 class="card__title">'
            f'{rng.choice(TEASERS)} ({section} {k})</h3></a><span class="card__meta">'
            f"{rng.randint(1, 59)} min ago</span></div>"
        )
        if k % 8 == 0:
            card += (
                '<ul class="links">'
                + "".join(
                    f'<li><a href="/{section}/topic-{k}-{j}">Topic {j}</a></li>' for j in range(10)
                )
                + "</ul>"
            )
        cards.append(card)
        size += len(card)
    return '<section class="more-stories"><h2>More stories</h2>' + "".join(cards) + "</section>"


def render_rss(items: list[tuple[str, CorpusArticle]], *, title: str = "Example News") -> str:
    entries = "".join(
        f"<item><title>{escape(a.title)}</title><link>{escape(url)}</link>"
        f'<guid isPermaLink="false">{a.slug}</guid>'
        f"<pubDate>{a.published.strftime('%a, %d %b %Y %H:%M:%S +0000')}</pubDate></item>"
        for url, a in items
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{escape(title)}'
        f"</title><link>https://example.org/</link><description>test</description>{entries}"
        "</channel></rss>"
    )


def render_atom(items: list[tuple[str, CorpusArticle]], *, title: str = "Example News") -> str:
    entries = "".join(
        f'<entry><title>{escape(a.title)}</title><link href="{escape(url)}"/>'
        f"<id>urn:example:{a.slug}</id><updated>{a.published.isoformat()}</updated></entry>"
        for url, a in items
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{escape(title)}</title><id>urn:example:feed</id>"
        f"<updated>2025-02-12T18:00:00Z</updated>{entries}</feed>"
    )
