"""Gives each count of a sentence to exactly one of the sentence's drafts.

A count belongs to the event its clause depends on: among the drafts whose type may carry the
count's kind (drafting.COUNT_KINDS), the one whose trigger is nearest in the dependency tree
to the word the counted phrase is an argument of, then nearest in words to the counted words. Before this, every draft of a fitting type took every count,
so a protest and the shooting at it both carried the dead.
"""

from __future__ import annotations

from spacy.tokens import Doc, Token

from newsflow.events.draft_record import Draft
from newsflow.events.drafting import COUNT_KINDS
from newsflow.models import Count

# What each type may carry beyond drafting.COUNT_KINDS (which the rule screens read): the
# annotation guide counts arrested protesters on the protest, attackers on the attack, and the
# people of any other act ("Over 100 experts signed", "fired 17,200 workers") as `other`.
EXTRA = {"PROTEST": {"arrested"}, "ASSAULT": {"other"}, "COERCE": {"other"}}


def kinds(d: Draft) -> set[str]:
    if d.role == "intercept":
        return COUNT_KINDS["intercept"]
    return COUNT_KINDS.get(d.event_type, set()) | EXTRA.get(d.event_type, {"other"})


def _token(doc: Doc, offset: int, end: int | None = None) -> Token | None:
    span = doc.char_span(offset, end or offset + 1, alignment_mode="expand")
    return span.root if span is not None else None


def tree_distance(a: Token, b: Token) -> int:
    """Edges between two words of one parse."""
    up = [a, *a.ancestors]
    depth = {t.i: k for k, t in enumerate(up)}
    for k, t in enumerate([b, *b.ancestors]):
        if t.i in depth:
            return depth[t.i] + k
    return len(a.doc)  # different trees: farther than any path within one


_MODIFIER = {"nummod", "quantmod", "compound", "amod", "det"}


def governor(tok: Token) -> Token:
    """The word a counted phrase is an argument of: "police shot dead 12 demonstrators" is
    governed by "shot", not by its own noun, even where that noun names another event."""
    while tok.dep_ in _MODIFIER and tok.head.i != tok.i:
        tok = tok.head
    return tok.head if tok.dep_ != "ROOT" else tok


def assign(drafts: list[Draft], found: list[Count], doc: Doc, start: int) -> None:
    """Replace the counts of one sentence's drafts; `start` is the sentence's offset."""
    for d in drafts:
        d.offered, d.counts = len(d.counts), []
    for c in found:
        takers = [d for d in drafts if c.kind in kinds(d)]
        if not takers:
            continue
        counted = _token(doc, c.span.start - start, c.span.end - start)
        if counted is None:
            takers[0].counts.append(c)
            continue
        where = governor(counted)

        def nearness(d: Draft, where: Token = where, counted: Token = counted) -> tuple[int, int]:
            t = _token(doc, d.trigger_start - start)
            if t is None:
                return (len(doc), 0)
            return (tree_distance(where, t), abs(counted.i - t.i))

        min(takers, key=nearness).counts.append(c)
