"""An event record, reduced to what story resolution reads."""

from __future__ import annotations

import re

from datetime import datetime

from newsflow.models import Article, EventRecord, Report

# Capitalised words inside a sentence are mostly names; these are not (calendar words,
# titles, words that open quotes or clauses).
NOT_NAMES = frozenset(
    """monday tuesday wednesday thursday friday saturday sunday january february march april
    may june july august september october november december mr mrs ms dr the a an he she it
    they we i you his her their its this that these those there here but and or if when while
    after before as at in on of for by with from to said says according police officials
    president minister government state""".split()
)
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
        if len(w) > 2 and w not in NOT_NAMES and not w.isdigit():
            out.add(w)
    return out


def report_of(event: EventRecord, article: Article) -> Report:
    return reported(event, article.source.domain, article.published_at or article.fetched_at)


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
