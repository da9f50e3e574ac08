"""Decides whether a trigger asserts an event, denies it, plans it, supposes it or recalls it.

Reads the trigger's own auxiliaries, negation and modifiers, then the verbs above it in its
clause (so "is scheduled to visit" is future and "dismissed the notion of exchanging" makes the
exchange hypothetical). Pure function of the parse; the date check for "historical" is in coder.
"""

from __future__ import annotations

from functools import cache
from itertools import pairwise

from spacy.tokens import Token

from newsflow.events.lexicon import cues

# Verbs whose complement is not (yet) an event: threats, offers, plans and refusals. "tried to
# hack", "attempted to assassinate" are not here: PLOVER codes an attempted act as the act.
_IRREALIS_HEADS = {
    "threaten",
    "warn",
    "vow",
    "offer",
    "promise",
    "propose",
    "want",
    "seek",
    "plan",
    "hope",
    "consider",
    "intend",
    "aim",
    "prepare",
    "dismiss",
    "reject",
    "refuse",
    "deny",
    "call",
    "urge",
    "demand",
    "ask",
    "agree",
    "pledge",
    "willing",
    "ready",
    "fail",
    "decline",
    "oppose",
    "swear",
    "pursue",
    "push",
}
_IRREALIS_NOUNS = {"notion", "idea", "proposal", "possibility", "prospect", "plan", "offer"}
_FUTURE_HEADS = {"schedule", "expect", "due", "set", "plan", "go"}


@cache
def _cue(name: str) -> frozenset[str]:
    return frozenset(cues()["modality"][name])


def _words_of(tok: Token) -> set[str]:
    return {
        c.lower_
        for c in tok.children
        if c.dep_ in ("aux", "neg", "advmod", "amod", "det", "mark", "auxpass")
    }


def of(trigger: Token) -> str:
    """asserted | negated | future | hypothetical | historical (historical only from cue words)."""
    chain = [trigger]
    t = trigger
    for _ in range(8):
        if (
            t.dep_
            in ("xcomp", "pobj", "prep", "dobj", "pcomp", "conj", "acl", "aux", "nsubj", "attr")
            and t.head is not t
        ):
            t = t.head
            chain.append(t)
        else:
            break
    own = _words_of(trigger)
    if (
        any(up.lemma_.lower() in _IRREALIS_HEADS | _IRREALIS_NOUNS for up in chain[1:])
        and trigger.pos_ == "NOUN"
    ):
        return "hypothetical"  # "dismissed the notion of ... negotiations"
    if own & _cue("negated") and trigger.pos_ != "NOUN":
        return "negated"
    if own & {"would", "could", "might", "may"} or own & {"if", "unless"}:
        return "hypothetical"
    if own & _cue("future"):
        return "future"
    if own & _cue("hypothetical"):
        return "hypothetical"
    for below, up in pairwise(chain):
        lemma = up.lemma_.lower()
        words = _words_of(up)
        # "is set to visit", "is expected to attend": only a to-infinitive below makes it a plan
        if (lemma in _FUTURE_HEADS and below.dep_ == "xcomp") or words & {"will", "shall", "'ll"}:
            return "future"
        if lemma in _IRREALIS_HEADS or lemma in _IRREALIS_NOUNS:
            return "hypothetical"
        if words & {"would", "could", "might", "may", "if", "unless"}:
            return "hypothetical"
        if words & _cue("negated"):
            return "negated"
    if own & _cue("historical"):
        return "historical"
    return "asserted"


_PLANNED = {"agenda", "upcoming", "scheduled", "planned", "forthcoming", "expected", "due"}


def planned(trigger: Token) -> bool:
    """A meeting-like noun in a sentence that puts it on an agenda or a schedule."""
    return trigger.pos_ == "NOUN" and any(t.lower_ in _PLANNED for t in trigger.sent)


def clause_has(trigger: Token, words: set[str]) -> bool:
    """True when any of `words` occurs in the sentence the trigger sits in."""
    return any(t.lower_ in words for t in trigger.sent)
