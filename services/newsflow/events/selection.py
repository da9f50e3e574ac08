"""Selectional constraints: keeps a trigger only when its arguments fit the act it would code.

"Journalists capturing an image" is no seizure, "Australia beat Colombia" no beating, "the
company released an album" no release of captives. The rules live in data/selection.yaml; this
module reads the patient and doer of a trigger from the parse and checks them against the word
classes there. `judge` returns the event type to code (possibly changed: a verbal "attack" on a
policy is ACCUSE) or None when the trigger does not code an event. Pure; never raises on odd parses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from spacy.tokens import Token

from newsflow.events.lexicon import load_data, triggers
from newsflow.events.roles import subject

_PRONOUN_PERSON = {
    "him",
    "her",
    "them",
    "us",
    "me",
    "he",
    "she",
    "they",
    "we",
    "himself",
    "herself",
    "themselves",
    "his",
    "their",
    "our",
    "my",
    "your",
}
_NAME_ENTS = {"GPE", "LOC", "ORG", "NORP"}
_RELATIVE = {"that", "which", "who", "whom"}
_WH = {"how", "what", "why", "whether", "who", "where", "when", "which", "if"}
_SCORE = re.compile(r"\b\d{1,2}-\d{1,2}\b(?!-)|\b\d{1,2}, [A-Z][\w ]{2,20} \d{1,2}\b")
_WORD = re.compile(r"[a-z][a-z'-]*")


@dataclass(frozen=True)
class Rule:
    object_in: tuple[str, ...] = ()
    object_not: tuple[str, ...] = ()
    subject_not: tuple[str, ...] = ()
    particle_not: tuple[str, ...] = ()
    prep_not: tuple[str, ...] = ()
    dep_not: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()
    xcomp_not: tuple[str, ...] = ()
    modifier_not: tuple[str, ...] = ()
    words: tuple[str, ...] = ()
    need_object: bool = False
    no_clause: bool = False
    no_question: bool = False
    intransitive: bool = False
    violence: bool = False
    verb_only: bool = False
    otherwise: str | None = None


@cache
def _data() -> dict[str, Any]:
    raw = load_data("selection.yaml")
    classes = {name: frozenset(words) for name, words in raw["classes"].items()}
    rules = {}
    for lemma, spec in raw["rules"].items():
        rules[lemma] = Rule(
            **{k: (tuple(v) if isinstance(v, list) else v) for k, v in spec.items()}
        )
    return {
        "classes": classes,
        "rules": rules,
        "violence": tuple(raw["violence_words"]),
        "sports": frozenset(raw["sports"]),
    }


def rules() -> dict[str, Rule]:
    return _data()["rules"]


def in_class(tok: Token, name: str) -> bool:
    """True when a head word belongs to a named class (built-in @person and @name included)."""
    lemma, low = tok.lemma_.lower(), tok.lower_
    if name == "@person":
        return (
            tok.ent_type_ == "PERSON"
            or low in _PRONOUN_PERSON
            or lemma in _data()["classes"]["person"]
        )
    if name == "@name":
        return tok.pos_ == "PROPN" and tok.ent_type_ in _NAME_ENTS
    words = _data()["classes"][name]
    return lemma in words or low in words


def _passive(tok: Token) -> bool:
    return any(c.dep_ == "auxpass" for c in tok.children) or (
        tok.dep_ == "acl" and tok.tag_ == "VBN"
    )


def patient(tok: Token, patient_poss: bool = False) -> Token | None:
    """What undergoes the act: object, passive subject, reduced-relative head, or a noun's 'of'
    phrase ("on"/"against" target, or its possessor when the lexicon says the possessor undergoes it)."""
    if tok.pos_ in ("NOUN", "PROPN"):
        for c in tok.children:
            if c.dep_ == "prep" and c.lower_ in ("of", "on", "against"):
                return next((g for g in c.children if g.dep_ == "pobj"), None)
        return next((c for c in tok.children if c.dep_ == "poss"), None) if patient_poss else None
    if _passive(tok):
        if tok.dep_ == "acl":
            return tok.head
        return next((c for c in tok.children if c.dep_ in ("nsubjpass", "csubjpass")), None)
    for c in tok.children:
        if c.dep_ in ("dobj", "attr"):
            if c.lower_ in _RELATIVE and tok.dep_ == "relcl":
                return tok.head  # "a payout that he blasted": the payout is what was blasted
            return c
    for c in tok.children:
        if c.dep_ == "dative":
            return c
    for c in tok.children:  # "killed and ate a wild rabbit": the object both verbs share
        if c.dep_ == "conj" and c.pos_ == "VERB":
            shared = next((g for g in c.children if g.dep_ == "dobj"), None)
            if shared is not None:
                return shared
    return None


def doer(tok: Token) -> Token | None:
    """The subject of an active verb, the by-agent of a passive one, the head of a relative clause."""
    if _passive(tok):
        for c in tok.children:
            if c.dep_ == "agent":
                return next((g for g in c.children if g.dep_ == "pobj"), None)
        return None
    if tok.pos_ in ("NOUN", "PROPN"):
        return None
    subj, _ = subject(tok)
    return subj


def violent(sentence: str, trigger: Token) -> bool:
    """True when the sentence, apart from the trigger, shows arms, armed actors or casualties."""
    text = sentence.lower()
    words = [w for w in _WORD.findall(text)]
    own = trigger.lower_
    return any(w != own and w.startswith(_data()["violence"]) for w in words)


def sporting(sentence: str) -> bool:
    """True for a sentence of a sports report: two sports words, one and a score, or two scores."""
    words = set(_WORD.findall(sentence.lower()))
    hits = len(words & _data()["sports"])
    scores = len(_SCORE.findall(sentence))
    return hits >= 2 or (hits == 1 and scores > 0) or scores >= 2


def _mentions(sentence: str, stems: tuple[str, ...]) -> bool:
    """A word equal to a short stem, starting with a long one (5+ letters), or a listed phrase."""
    text = sentence.lower()
    words = _WORD.findall(text)
    for stem in stems:
        if " " in stem and stem in text:
            return True
        if any(w == stem or (len(stem) >= 5 and w.startswith(stem)) for w in words):
            return True
    return False


def _asks_question(tok: Token) -> bool:
    """'demanded how Andrew could be so sure', 'asked whether ...': a question, not a demand."""
    for c in tok.children:
        if c.dep_ == "ccomp" and any(g.lower_ in _WH and g.i < c.i for g in c.subtree):
            return True
        if c.dep_ == "prep" and c.lower_ == "about":
            return True
    return False


def _has(tok: Token, need: str) -> bool:
    if need in ("xcomp", "ccomp"):
        return any(c.dep_ == need for c in tok.children)
    return any(c.dep_ in ("prep", "prt") and c.lower_ == need for c in tok.children)


def judge(tok: Token, lemma: str, etype: str, patient_poss: bool = False) -> str | None:
    """The type the trigger codes given its arguments, or None when it codes nothing."""
    rule = rules().get(lemma) or rules().get(triggers().irregular.get(tok.lower_, ""))
    if rule is None or (rule.verb_only and tok.pos_ in ("NOUN", "PROPN")):
        return etype
    if rule.dep_not and tok.dep_ in rule.dep_not:
        return None
    if rule.modifier_not and any(
        c.dep_ in ("amod", "compound", "nmod") and c.lemma_.lower() in rule.modifier_not
        for c in tok.children
    ):
        return None
    if rule.particle_not and any(
        c.dep_ == "prt" and c.lower_ in rule.particle_not for c in tok.children
    ):
        return None
    if rule.prep_not and any(c.dep_ == "prep" and c.lower_ in rule.prep_not for c in tok.children):
        return None
    if rule.needs and not any(_has(tok, n) for n in rule.needs):
        return None
    if rule.xcomp_not and any(
        c.dep_ == "xcomp" and c.lemma_.lower() in rule.xcomp_not for c in tok.children
    ):
        return None
    if rule.words and not _mentions(tok.sent.text, rule.words):
        return None
    clause = any(c.dep_ in ("ccomp", "xcomp") for c in tok.children)
    if rule.no_clause and clause:
        return None
    if rule.no_question and _asks_question(tok):
        return None
    obj = patient(tok, patient_poss)
    if rule.intransitive and ((obj is not None and not _passive(tok)) or clause):
        return None
    subj = doer(tok)
    if subj is not None and any(in_class(subj, c) for c in rule.subject_not):
        return None
    fits = True
    if obj is None:
        fits = not rule.need_object or any(c.dep_ == "xcomp" for c in tok.children)
    else:
        if rule.object_in and not any(in_class(obj, c) for c in rule.object_in):
            fits = False
        if any(in_class(obj, c) for c in rule.object_not):
            fits = False
    # A common-noun object the class lists let through ("attack our neighbours") is physical
    # enough; a bare verb or a person or team as object needs armed context around it.
    unclear = (
        obj is None
        or in_class(obj, "@person")
        or (obj.pos_ == "PROPN" and obj.ent_type_ not in ("GPE", "LOC", "FAC"))
    )
    if fits and rule.violence and unclear and not violent(tok.sent.text, tok):
        fits = False
    if fits:
        return etype
    return rule.otherwise if rule.otherwise and obj is not None else None
