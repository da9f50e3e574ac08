"""Finds trigger words and phrases in a parsed sentence and picks the sense that applies."""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Doc, Token

from newsflow.events.lexicon import Sense, triggers

_NEAR_WINDOW = 6
# Verbs that undo the act their object names: "lifted a blockade" is no blockade.
_UNDOING = {"lift", "end", "ease", "remove", "cancel", "halt", "stop", "revoke", "call"}


@dataclass(frozen=True)
class Match:
    token: Token  # the word the roles are read from
    sense: Sense
    indices: tuple[int, ...]


def _lemma(t: Token) -> str:
    return t.lemma_.lower()


def _pos_ok(t: Token, pos: str | None) -> bool:
    if pos is None:
        return True
    if pos == "ADJ":
        return t.pos_ in ("ADJ", "VERB")
    if pos == "VERB":
        return t.pos_ in ("VERB", "AUX") or t.tag_.startswith("VB")
    return t.pos_ in ("NOUN", "PROPN")


def _near_ok(doc: Doc, i: int, near: tuple[str, ...]) -> bool:
    if not near:
        return True
    window = doc[max(0, i - _NEAR_WINDOW) : i + _NEAR_WINDOW + 1]
    return any(_lemma(t) in near or t.lower_ in near for t in window if t.i != i)


def _phrase_head(doc: Doc, idx: range) -> Token:
    inside = set(idx)
    for i in idx:
        if doc[i].head.i not in inside or doc[i].head.i == i:
            return doc[i]
    return doc[idx[0]]


def find(doc: Doc) -> list[Match]:
    """All trigger matches in a sentence; phrases first, then single lemmas on unused tokens.

    Kept on the Doc: the typer's features, the vetoes and the drafts all read them."""
    cached = doc.user_data.get(_KEY)
    if cached is None:
        cached = doc.user_data[_KEY] = _find(doc)
    return cached


_KEY = "newsflow.triggers"


def _find(doc: Doc) -> list[Match]:
    lex = triggers()
    lemmas = [_lemma(t) for t in doc]
    used: set[int] = set()
    out: list[Match] = []
    lowers = [t.lower_ for t in doc]
    for i in range(len(doc)):
        for ph in lex.phrases_by_first.get(lemmas[i], ()):
            n = len(ph.lemmas)
            if i + n > len(doc) or any(
                p != "*" and p != lemmas[i + k] and p != lowers[i + k]
                for k, p in enumerate(ph.lemmas)
            ):
                continue
            idx = range(i, i + n)
            if used.intersection(idx):
                continue
            used.update(idx)
            out.append(Match(_phrase_head(doc, idx), ph.sense, tuple(idx)))
    for t in doc:
        if t.i in used or t.pos_ == "PROPN":
            continue
        senses = lex.lemmas.get(lemmas[t.i]) or lex.lemmas.get(t.lower_)
        if not senses and t.pos_ == "VERB" and t.lower_ in lex.irregular:
            senses = lex.lemmas[lex.irregular[t.lower_]]  # "retook" left unlemmatised by the tagger
        if not senses:
            continue
        if t.dep_ == "amod" and t.tag_ in ("VBN", "VBD"):
            continue  # a participle used as an adjective: "occupied territories"
        if t.dep_ == "dobj" and t.head.lemma_.lower() in _UNDOING and t.pos_ == "NOUN":
            continue
        passive = any(c.dep_ == "auxpass" for c in t.children)
        for sense in senses:
            if sense.active_only and passive:
                continue
            if _pos_ok(t, sense.pos) and _near_ok(doc, t.i, sense.near):
                out.append(Match(t, sense, (t.i,)))
                break
    return sorted(out, key=lambda m: m.token.i)
