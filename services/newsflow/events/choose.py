"""Reconciles what the typer decided about a sentence with the drafts the rules built from it.

The typer decides whether the sentence reports an event and of which types; the rules only
supply arguments. For each chosen type the argument chooser (arguments.py) names the trigger
word: a rule draft on that word stands, otherwise a draft anchored on it joins. A rule draft
of a type the typer did not choose is dropped, or lends its arguments to a chosen type no
draft has. Where the lexicon found a trigger of a type and its screens rejected it ("fired a
shot past the goalkeeper"), the screens' finer reading of the word wins.
"""

from __future__ import annotations

from collections.abc import Callable

from newsflow.events.draft_record import Draft
from newsflow.events.drafting import COUNT_KINDS
from newsflow.events.typer import Prediction

# How much of a record's confidence comes from the typer; the rest from the rule evidence.
TYPER_WEIGHT = 0.8
# A type the typer gives this much, below its own threshold, is kept where a rule drafted it.
SUPPORTED = 0.25


def reconcile(
    drafts: list[Draft],
    p: Prediction,
    anchor: Callable[[str, str | None], Draft | None],
    screened: set[str] = frozenset(),
    pick: Callable[[str], int | None] = lambda etype: None,
) -> list[Draft]:
    """`anchor(type, mode)` drafts a type on its chosen word; `pick(type)` is that word's offset
    in the article, or None when nothing chose one."""
    if not p.types:
        return []

    def wanted(d: Draft) -> bool:
        return d.event_type in p.types or p.probs.get(d.event_type, 0.0) >= SUPPORTED

    kept = [d for d in drafts if wanted(d)]
    spare = [d for d in drafts if not wanted(d)]
    for etype in p.types:
        # The chooser's word for the type: a rule draft on it stands, else a draft anchored on
        # it joins the rule drafts (a sentence may report two events of one type).
        at = None if etype in screened else pick(etype)
        if at is not None and any(d.event_type == etype and _covers(d, at) for d in kept):
            continue
        if at is not None and (a := anchor(etype, p.modes.get(etype))) is not None:
            kept.append(a)
            continue
        if any(d.event_type == etype for d in kept):
            continue
        if etype in screened and not spare:
            continue
        d = (
            _retype(spare.pop(0), etype, p.modes.get(etype))
            if spare
            else anchor(etype, p.modes.get(etype))
        )
        if d is not None:
            kept.append(d)
    for d in kept:
        d.mode = d.mode or p.modes.get(d.event_type)
        d.acled_sub = p.acled.get(d.event_type)
        d.confidence = round(
            TYPER_WEIGHT * p.probs[d.event_type] + (1 - TYPER_WEIGHT) * d.confidence, 2
        )
    return sorted(kept, key=lambda d: d.trigger_start)


def _covers(d: Draft, offset: int) -> bool:
    return d.trigger_span[0] <= offset < d.trigger_span[1]


def _retype(d: Draft, etype: str, mode: str | None) -> Draft:
    kinds = COUNT_KINDS.get(etype, set())
    d.event_type, d.mode, d.role = etype, mode, None
    d.counts = [c for c in d.counts if c.kind in kinds]
    return d
