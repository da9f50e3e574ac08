"""EventCoder: article text in, PLOVER EventRecords out. One instance per worker process.

A learned typer (typer.py) decides whether each candidate sentence reports an event, its PLOVER
types, modes and ACLED sub-events; the rules read the arguments from the parse (choose.py).

Fast path (docs/performance.md: spaCy is 87% of pipeline CPU): split sentences with a regex,
keep only sentences holding a trigger form (one compiled regex over lower-cased text), and run
tagger+parser+NER only on those, batched through nlp.pipe. Everything else is table look-ups.
Never raises on odd input (empty, non-English, huge); an unexpected failure becomes CodingError.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import datetime
from pathlib import Path

from spacy.tokens import Token

from newsflow.errors import CodingError
from newsflow.events import (
    attach,
    classify,
    count_head,
    counts,
    crosswalk,
    merge,
    nlp,
    places,
    typer,
)
from newsflow.events.actors import Memory, learn_people
from newsflow.events.choose import reconcile
from newsflow.events.draft_record import Draft
from newsflow.events.drafting import anchor, draft_sentence, trigger_word, vetoed
from newsflow.events.gazetteer import country_name, tables
from newsflow.events.lexicon import triggers
from newsflow.events.sentences import Sentence, is_candidate, split
from newsflow.models import Actor, Coder, EventRecord, Evidence, Span
from newsflow.threads import limit_blas_threads

VERSION = "0.4.3"
# ACLED codes events that happened: a threatened, planned or denied act has no ACLED type.
UNREAL = {"hypothetical", "negated", "future"}
# Bounds so one pathological document cannot stall a worker: ~40 pages of text.
MAX_TEXT = 200_000
MAX_SENTENCES = 400


class EventCoder:
    """Codes PLOVER events: a learned typer decides types, the parse gives the arguments."""

    name: str = "newsflow"

    def __init__(
        self,
        model: str = nlp.DEFAULT_MODEL,
        *,
        version: str | None = None,
        typer_path: Path | None = None,
    ) -> None:
        self.version = version or VERSION
        self.uncoded = 0  # candidate sentences of the last article left past MAX_SENTENCES
        # Every component is read: tags and parse for roles, attribute_ruler for POS, lemmas
        # for the trigger lexicon, NER for people and places, tok2vec for the typer. The saving
        # comes from parsing only candidate sentences instead (see the module docstring).
        self._nlp = nlp.load(model)
        self._typer = typer.load(typer_path or typer.MODEL)
        limit_blas_threads()
        tables()
        triggers()
        crosswalk.table()
        count_head.default()
        counts.find("", 0)
        classify.mode_from_words("")

    def code(
        self, text: str, *, article_id: str, published_at: datetime | None
    ) -> list[EventRecord]:
        """Coded events of one article, merged, in article order."""
        self.uncoded = 0
        if not isinstance(text, str) or not text.strip():
            return []
        try:
            return self._code(text[:MAX_TEXT], article_id, published_at)
        except CodingError:
            raise
        except Exception as exc:  # a bug in a rule must not kill the worker
            raise CodingError(f"event coder failed on article {article_id}: {exc!r}") from exc

    def _code(self, text: str, article_id: str, published_at: datetime | None) -> list[EventRecord]:
        sentences = [s for s in split(text) if self._typer.admits(s.text, is_candidate(s))]
        # Candidates past the cap are not coded; reported per article, never silent.
        self.uncoded = max(0, len(sentences) - MAX_SENTENCES)
        sentences = sentences[:MAX_SENTENCES]
        if not sentences:
            return []
        memory = Memory()
        drafts: list[Draft] = []
        for sent, doc in zip(
            sentences, self._nlp.pipe([s.text for s in sentences], batch_size=64), strict=True
        ):
            learn_people(doc, memory)
            p = self._typer.predict(sent.text, doc)
            if not p.types:
                continue
            kept = reconcile(
                draft_sentence(sent, doc, memory, published_at),
                p,
                lambda etype, mode, s=sent, d=doc: anchor(s, d, memory, published_at, etype, mode),
                screened=vetoed(sent, doc),
                pick=lambda etype, s=sent, d=doc: _offset(s, trigger_word(d, etype)),
            )
            attach.assign(kept, counts.read(sent.text, sent.start, doc), doc, sent.start)
            drafts += kept
        regions = places.article_regions(text)
        for d in drafts:
            d.location = places.refine(d.location, regions)
        infer_attackers(drafts)
        acled_of = {id(d): _acled_sub(d) for d in drafts}
        merge.link_interventions(drafts)
        merged = merge.merge(drafts, acled_of)
        return [self._record(d, article_id) for d in merged]

    def _record(self, d: Draft, article_id: str) -> EventRecord:
        key = f"{self.version}|{article_id}|{d.sentence.start}-{d.sentence.end}|{d.trigger_start}|{d.event_type}"
        return EventRecord(
            event_id=hashlib.sha256(key.encode()).hexdigest()[:32],
            article_id=article_id,
            coder=Coder(name=self.name, version=self.version),
            event_type=d.event_type,  # type: ignore[arg-type]
            mode=d.mode,
            contexts=d.contexts,
            quad_class=classify.QUAD[d.event_type],
            acled=None
            if d.modality in UNREAL
            else crosswalk.acled(d.event_type, d.acled_sub, d.mode, d.role),
            actors=d.actors,
            recipients=d.recipients,
            location=d.location,
            date=d.date,
            date_precision=d.date_precision,  # type: ignore[arg-type]
            date_source=d.date_source,  # type: ignore[arg-type]
            modality=d.modality,  # type: ignore[arg-type]
            counts=d.counts,
            evidence=Evidence(
                sentence=d.sentence.text,
                span=Span(start=d.sentence.start, end=d.sentence.end),
                trigger=d.trigger,
                trigger_span=Span(start=d.trigger_span[0], end=d.trigger_span[1]),
            ),
            confidence=d.confidence,
        )


def _offset(sent: Sentence, tok: Token | None) -> int | None:
    return None if tok is None else sent.start + tok.idx


def _acled_sub(d: Draft) -> str | None:
    """What kind of act a draft is, for merging: only explicit modes and roles count."""
    if d.role == "intercept":
        return "intercept"
    return classify.MODE_FAMILY.get(d.mode or "", d.mode)


def infer_attackers(drafts: list[Draft]) -> None:
    """Give an unattributed attack the article's main adversary of the side that was hit.

    News copy often reports a strike on a city without naming who fired ("the latest assault on
    Kyiv"); the side is the one the article otherwise shows in conflict with the place's country.
    Marked with lower confidence.
    """
    tally: Counter[str] = Counter()
    for d in drafts:
        if classify.QUAD[d.event_type] >= 3 and not d.inferred_actor:
            tally.update(d.countries())
    for d in drafts:
        if d.event_type != "ASSAULT" or d.role == "intercept" or d.countries():
            continue
        hit = (
            {d.location.country} if d.location and d.location.country else d.countries("recipients")
        )
        if not hit:
            continue
        for country, _n in tally.most_common():
            if country not in hit:
                d.actors = [
                    Actor(text=country_name(country), name=country_name(country), country=country)
                ]
                d.inferred_actor = True
                d.confidence = max(0.2, d.confidence - 0.15)
                break
