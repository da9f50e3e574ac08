"""An event record, reduced to what story resolution reads."""

from __future__ import annotations

import re
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
    """Lower-case names the event's parties and place carry, plus capitalised words of its
    sentence past the first word: the words that tell two happenings of one kind apart."""
    found: set[str] = set()
    for actor in (*event.actors, *event.recipients):
        found |= _words(actor.name)
    if event.location is not None:
        found |= _words(event.location.name)
    sentence = event.evidence.sentence
    for m in WORD.finditer(sentence):
        if m.start() == 0:
            continue
        found |= _words(m.group())
    return sorted(found)


def _words(text: str) -> set[str]:
    out = set()
    for w in re.findall(r"[\w'\-]+", text.lower()):
        if len(w) > 2 and w not in not_names() and not w.isdigit():
            out.add(w)
    return out


def report_of(event: EventRecord, article: Article) -> Report:
    return reported(event, site(article), article.published_at or article.fetched_at)


def site(article: Article) -> str:
    """The outlet a report counts for: the article's host; for a local file, the host of
    its canonical URL, else its source id (two local sources are two outlets)."""
    if article.source.domain != "local":
        return article.source.domain
    host = domain_of(article.canonical_url)
    return host if host != "local" else f"source:{article.source.id}"


def reported(event: EventRecord, source: str, published: datetime | None) -> Report:
    return Report(
        event_id=event.event_id,
        article_id=event.article_id,
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
        confidence=event.confidence,
    )
