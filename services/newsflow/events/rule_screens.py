"""Precision screens applied to draft events: who must be present, what is not an event at all.

A record a reader cannot attribute to anyone, a threatened act coded as if it were a second
event, a negated fact coded as a refusal, violence in a sports report: each costs as much as a
miss (the held-out set is scored by people who read every record). These are pure functions of
the parse and the drafts; drafting.py and coder.py call them.
"""

from __future__ import annotations

from spacy.tokens import Token

from newsflow.events import classify, selection
from newsflow.events.draft_record import Draft
from newsflow.events.gazetteer import find_names
from newsflow.models import Actor

# Statements whose content is another act: a threatened or refused act is coded through the
# statement (PLOVER codes THREATEN with a mode), not as a second event. Requested and promised
# acts stay, marked unreal: the PLOVER gold codes "urged X to support Y" as SUPPORT.
SPEECH_ACTS = {"THREATEN", "REJECT"}
UNREAL = {"hypothetical", "future", "negated"}
# Acts one can refuse: "will not accept refugees" is a REJECT; "had not met since 1965" is none.
VOLITIONAL = {
    "accept",
    "agree",
    "allow",
    "permit",
    "support",
    "endorse",
    "back",
    "recognize",
    "cooperate",
    "negotiate",
    "sign",
    "approve",
    "grant",
    "meet",
    "talk",
    "attend",
    "join",
    "release",
    "free",
    "withdraw",
    "hand",
    "return",
    "lift",
    "ease",
    "provide",
    "give",
    "help",
    "share",
    "commit",
    "promise",
    "offer",
    "apologize",
    "apologise",
    "concede",
    "extradite",
    "host",
    "receive",
    "discuss",
}
# Nouns of arrest and detention whose place names the state holding the person.
CUSTODY_MODES = {"arrest", "detain"}
FIRST_PERSON = {"i", "we", "us", "you", "me"}


def known(actors: list[Actor]) -> bool:
    """True when someone is identifiable: a country or at least a sector."""
    return any(a.country or a.sector for a in actors)


def attributable(
    etype: str,
    actors: list[Actor],
    recipients: list[Actor],
    *,
    located: bool,
    counted: bool,
    meeting_noun: bool,
    violent: bool,
) -> bool:
    """Whether a draft names enough to be a record: a party, or for violence a counted toll or a
    place with armed context, or for a meeting a place ("the Munich Security Conference")."""
    if known(actors):
        return True
    if known(recipients) and (
        classify.QUAD[etype] not in (1, 3) or any(r.country for r in recipients)
    ):
        # "I thank my family": a statement by nobody identifiable to private people is no event
        return True
    if classify.QUAD[etype] == 4:
        return counted or (located and (etype == "PROTEST" or violent))
    return etype == "CONSULT" and located and meeting_noun


def sporting_violence(etype: str, sentence: str, counted: bool) -> bool:
    """True for a fight, shot or beating in a sports report (nobody counted as hurt)."""
    return (
        (classify.QUAD[etype] == 4 or etype == "PROTEST")
        and not counted
        and selection.sporting(sentence)
    )


def epistemic_must(tok: Token, subject: Token | None) -> bool:
    """'we must ask ourselves', 'he must be doing something right': no demand on anyone."""
    if subject is not None and subject.pos_ == "PRON" and subject.lower_ in FIRST_PERSON:
        return True
    verb = tok.head if tok.dep_ == "aux" else tok
    return verb.tag_ == "VBG" or any(
        c.dep_ == "aux" and c.lemma_.lower() == "have" for c in verb.children
    )


def refusal(tok: Token) -> bool:
    """A negated cooperative verb that is a refusal: its own 'not', a volitional verb, no perfect
    aspect ('had not met' reports that nothing happened, which is no event)."""
    if tok.pos_ not in ("VERB", "AUX") or tok.lemma_.lower() not in VOLITIONAL:
        return False
    own_neg = any(c.dep_ == "neg" for c in tok.children) or any(
        c.dep_ == "neg" for c in tok.head.children if tok.dep_ == "xcomp"
    )
    perfect = any(c.dep_ == "aux" and c.lemma_.lower() == "have" for c in tok.children)
    return own_neg and not perfect


def custody_actor(tok: Token) -> Actor | None:
    """The state holding someone 'detained in X' / 'jailed in X' when no agent is named."""
    for c in tok.children:
        if c.dep_ == "prep" and c.lower_ in ("in", "by"):
            for g in c.children:
                if g.dep_ != "pobj" or g.ent_type_ not in ("GPE", ""):
                    continue
                names = [
                    n
                    for _, _, n in find_names(g.text)
                    if n.country and n.kind in ("country", "capital")
                ]
                if names:
                    n = names[0]
                    return Actor(text=g.text, name=n.name, country=n.country, sector="GOV")  # type: ignore[arg-type]
    return None


def drop_embedded(pairs: list[tuple[Token, Draft]]) -> list[Draft]:
    """Drop unreal acts that are the content of a statement coded from the same sentence.

    "would face consequences, either by being destroyed or expelled": the THREATEN is the event;
    "dismissed the notion of exchanging territories ... in any negotiations": the REJECT is.
    """
    heads = [
        t
        for t, d in pairs
        if d.event_type in SPEECH_ACTS and d.modality in ("asserted", "historical")
    ]
    out = []
    for tok, d in pairs:
        if d.modality in UNREAL and any(h.i != tok.i and _dominates(h, tok) for h in heads):
            continue
        out.append(d)
    return out


def _dominates(head: Token, tok: Token) -> bool:
    t = tok
    for _ in range(12):
        if t.head.i == t.i:
            return False
        t = t.head
        if t.i == head.i:
            return True
        if head.dep_ == "aux" and t.i == head.head.i:
            return True  # "must" is an auxiliary: its verb's clause is its content
    return False
