"""An event record, reduced to what story resolution reads."""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime
from functools import cache
from importlib import resources

import yaml

from newsflow.models import Article, EventRecord, Report
from newsflow.urls import domain_of


@cache
def not_names() -> frozenset[str]:
    text = resources.files("newsflow.stories").joinpath("not_names.yaml").read_text("utf-8")
    return frozenset(w for group in yaml.safe_load(text).values() for w in group)


WORD = re.compile(r"[A-Z][\w'\-]*(?:\s+[A-Z][\w'\-]*)*")


def names_of(event: EventRecord) -> list[str]:
    """Lower-case proper names of the event's parties, place and sentence (capitalised words
    past the sentence's first): the words that tell two happenings of one kind apart. Common
    nouns ("a bank", "protesters") are left out: every story of its kind has them."""
    found: set[str] = set()
    texts = [a.text for a in (*event.actors, *event.recipients)]
    if event.location is not None:
        texts.append(event.location.text)
    for text in texts:
        for m in WORD.finditer(text):
            found |= _words(m.group())
    for m in WORD.finditer(event.evidence.sentence):
        if m.start() > 0:  # a sentence's first word is capitalised whatever it is
            found |= _words(m.group())
    return sorted(found)


def _words(text: str) -> set[str]:
    out = set()
    for w in re.findall(r"[\w'\-]+", text.lower()):
        if len(w) > 2 and w not in not_names() and not w.isdigit():
            out.add(w)
    return out


CONTEXT_NAMES = 10


def article_names(text: str, k: int = CONTEXT_NAMES) -> list[str]:
    """The article's k most repeated proper names (capitalised words not opening a sentence
    or line): who and where the whole article is about, beyond one event's sentence."""
    counts: Counter[str] = Counter()
    for m in WORD.finditer(text):
        before = text[max(0, m.start() - 2) : m.start()]
        if m.start() == 0 or before.endswith((". ", "\n", '" ', "? ", "! ")):
            continue
        counts.update(_words(m.group()))
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return sorted(name for name, _ in ranked[:k])


def report_of(event: EventRecord, article: Article, context: list[str]) -> Report:
    return reported(event, site(article), article.published_at or article.fetched_at, context)


def site(article: Article) -> str:
    """The outlet a report counts for: the article's host; for a local file, the host of
    its canonical URL, else its source id (two local sources are two outlets)."""
    if article.source.domain != "local":
        return article.source.domain
    host = domain_of(article.canonical_url)
    return host if host != "local" else f"source:{article.source.id}"


def reported(
    event: EventRecord, source: str, published: datetime | None, context: list[str] | None = None
) -> Report:
    return Report(
        event_id=event.event_id,
        article_id=event.article_id,
        coder_version=event.coder.version,
        source=source,
        published=published,
        event_type=event.event_type,
        mode=event.mode,
        quad_class=event.quad_class,
        acled=event.acled,
        modality=event.modality,
        actors=event.actors,
        recipients=event.recipients,
        location=event.location,
        date=event.date,
        date_precision=event.date_precision,
        counts=event.counts,
        names=names_of(event),
        context=context or [],
        confidence=event.confidence,
    )
