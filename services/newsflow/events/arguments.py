"""Learned choice of a trigger's actor, recipient and place among the sentence's noun heads.

The parse rules (roles.py) propose; a linear ranking head per role (archive
events/data/arguments.npz, trained by scripts/train_arguments.py from our labelled spans) scores
every noun, proper noun and pronoun of the sentence by its dependency path to the trigger, its
kind, and whether the rules chose it, against a "nobody" option scored from the event type. The
best candidate is taken unless "nobody" beats it by the role's margin: no guessing. A binary
head picks the trigger word of a type. Pure numpy at run time.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from spacy.tokens import Doc, Token

from newsflow.errors import CodingError
from newsflow.events import archive, triggers
from newsflow.events.actors import phrase
from newsflow.events.places import Candidate
from newsflow.models import Location

FORMAT = 2
MODEL = Path(__file__).parent / "data" / "arguments.npz"
ROLES = ("actor", "recipient", "location")
HEADS = (*ROLES, "trigger")
_POS = {"NOUN", "PROPN", "PRON"}
_SKIP_DEP = {"compound", "expl"}
_TRIGGER_POS = {"VERB", "NOUN", "ADJ"}
_SKIP_WORDS = {"that", "which", "who", "whom", "what", "it", "there", "this"}


def candidates(trigger: Token) -> list[Token]:
    """Noun, proper-noun and pronoun heads of the trigger's sentence (the coder parses one
    sentence per Doc), the trigger excluded."""
    nouns = trigger.doc.user_data.get("newsflow.nouns")
    if nouns is None:  # once per parsed sentence: every trigger of it asks
        nouns = trigger.doc.user_data["newsflow.nouns"] = [
            t
            for t in trigger.doc
            if t.pos_ in _POS and t.dep_ not in _SKIP_DEP and t.lower_ not in _SKIP_WORDS
        ]
    return [t for t in nouns if t.i != trigger.i]


def _path(tok: Token, trigger: Token) -> str:
    """Dependency labels from `tok` up to the common ancestor, then down to the trigger."""
    up = [tok, *tok.ancestors]
    down = [trigger, *trigger.ancestors]
    down_ids = {t.i for t in down}
    common = next((t for t in up if t.i in down_ids), None)
    if common is None:
        return "none"
    ups = [t.dep_ for t in up[: up.index(common)]]
    downs = [t.dep_ for t in down[: [t.i for t in down].index(common.i)]]
    if len(ups) + len(downs) > 4:
        return "long"
    return "/".join(f"^{d}" for d in ups) + "|" + "/".join(f"v{d}" for d in reversed(downs))


def _clause(tok: Token) -> int:
    """The verb (or root) whose clause holds the word."""
    return next((a.i for a in (tok, *tok.ancestors) if a.pos_ in ("VERB", "AUX")), tok.sent.root.i)


def features(
    tok: Token,
    trigger: Token,
    etype: str,
    rules: frozenset[str],
    place: str | None,
    nearest: bool = False,
) -> dict[str, float]:
    """Features of one candidate for one trigger: `rules`, the roles the parse rules gave it;
    `place`, the precision of the gazetteer place it lies in, if any; `nearest`, no other
    candidate lies between it and the trigger."""
    path = _path(tok, trigger)
    prep = tok.head.lower_ if tok.dep_ == "pobj" else "-"
    side = "before" if tok.i < trigger.i else "after"
    dist = min(abs(tok.i - trigger.i), 12) // 3
    kind = tok.ent_type_ or tok.pos_
    out = {
        "bias": 1.0,
        f"path:{path}": 1.0,
        f"path:{path}|tpos:{trigger.pos_}": 1.0,
        f"dep:{tok.dep_}|{side}": 1.0,
        f"kind:{kind}": 1.0,
        f"kind:{kind}|path:{path}": 1.0,
        f"prep:{prep}|{side}": 1.0,
        f"prep:{prep}|hd:{tok.head.head.i == trigger.i}": 1.0,
        f"dist:{dist}|{side}": 1.0,
        f"type:{etype}|path:{path}": 1.0,
        f"type:{etype}|prep:{prep}": 1.0,
        f"tdep:{trigger.dep_}|dep:{tok.dep_}": 1.0,
        f"place:{place}": 1.0,
        f"place:{place}|path:{path}": 1.0,
        f"place:{place}|prep:{prep}": 1.0,
    }
    for rule in rules or ("none",):
        out[f"rule:{rule}"] = 1.0
        out[f"rule:{rule}|type:{etype}"] = 1.0
        out[f"rule:{rule}|kind:{kind}"] = 1.0
    out[f"tl:{trigger.lemma_.lower()}|path:{path}"] = 1.0
    if trigger.pos_ == "NOUN":
        out[f"hv:{trigger.head.lemma_.lower()}|path:{path}"] = 1.0
    if tok.pos_ != "PROPN":
        out[f"lemma:{tok.lemma_.lower()}"] = 1.0
    if tok.dep_ == "poss":
        out[f"poss|tpos:{trigger.pos_}"] = 1.0
    # Passive voice swaps who acts and who receives along the same path.
    passive = any(c.dep_ in ("nsubjpass", "auxpass") for c in trigger.children)
    out[f"voice:{passive}|path:{path}"] = 1.0
    out[f"kind:{kind}|type:{etype}"] = 1.0
    out[f"gov:{tok.head.lemma_.lower()}|dep:{tok.dep_}"] = 1.0
    out[f"clause:{_clause(tok) == _clause(trigger)}"] = 1.0
    out[f"nearest:{nearest}|{side}"] = 1.0
    return out


def nobody(etype: str, n: int) -> dict[str, float]:
    """Features of the "nobody" option a role's candidates are ranked against."""
    return {"none:bias": 1.0, f"none:type:{etype}": 1.0, f"none:n:{min(n, 12) // 3}": 1.0}


@dataclass(frozen=True)
class _Head:
    weights: np.ndarray
    bias: float
    margin: float  # a role stays empty when "nobody" outscores its best candidate by more


class Chooser:
    def __init__(self, arrays: dict[str, np.ndarray], meta: dict) -> None:
        if meta.get("format") != FORMAT:
            raise CodingError(f"arguments archive format {meta.get('format')!r}, expected {FORMAT}")
        self.vocab = {str(f): i for i, f in enumerate(arrays["vocab"])}
        self.heads = {
            role: _Head(
                arrays[f"{role}.weights"],
                float(arrays[f"{role}.bias"][0]),
                float(meta["margins"].get(role, 0.0)),
            )
            for role in HEADS
        }

    def scores(self, roles: tuple[str, ...], feats: list[dict[str, float]]) -> np.ndarray:
        """(rows x roles) linear scores; every feature is binary, so a row's score is the sum
        of its features' weights."""
        weights = np.stack([self.heads[r].weights for r in roles], axis=1)
        bias = np.array([self.heads[r].bias for r in roles])
        vocab = self.vocab
        return np.stack(
            [weights[[vocab[k] for k in f if k in vocab]].sum(axis=0) + bias for f in feats]
        )

    def choose(
        self,
        trigger: Token,
        etype: str,
        rule_actors: list[Token],
        rule_recipients: list[Token],
        places: list[Candidate],
    ) -> tuple[Token | None, Token | None, Location | None]:
        """Actor and recipient heads and the place for a trigger; None where nothing is likely.
        `places` are the sentence's place candidates, the one the rules prefer first."""
        cands, within, feats = featurize(trigger, etype, rule_actors, rule_recipients, places)
        if not cands:
            return None, None, None
        picked: dict[str, int | None] = {}
        taken: set[int] = set()
        table = self.scores(ROLES, [*feats, nobody(etype, len(cands))])
        for k, role in enumerate(ROLES):
            z = table[:-1, k]
            order = [int(i) for i in np.argsort(-z, kind="stable") if i not in taken]
            best = order[0] if order else None
            if role == "actor" and best is not None:
                taken.add(best)  # one word is never both parties; a place hit may be the recipient
            ok = best is not None and z[best] + self.heads[role].margin >= table[-1, k]
            picked[role] = best if ok else None
        actor = cands[picked["actor"]] if picked["actor"] is not None else None
        recipient = cands[picked["recipient"]] if picked["recipient"] is not None else None
        where = picked["location"]
        location = None
        if where is not None:
            c = within[where] or _place_in(cands[where], places)
            location = c.location if c is not None else site(cands[where])
        return actor, recipient, location

    def trigger(self, doc: Doc, etype: str) -> Token | None:
        """The word most likely to name an event of `etype` in the sentence."""
        cands = trigger_candidates(doc)
        if not cands:
            return None
        senses = senses_of(doc)
        z = self.scores(("trigger",), [trigger_features(t, etype, senses) for t in cands])
        return cands[int(np.argmax(z[:, 0]))]


def trigger_candidates(doc: Doc) -> list[Token]:
    return [t for t in doc if t.pos_ in _TRIGGER_POS]


def trigger_features(tok: Token, etype: str, senses: dict[int, str]) -> dict[str, float]:
    """Features of one word as the trigger of a type the typer chose; `senses` maps token
    offsets to the type the rule lexicon reads there."""
    lemma = tok.lemma_.lower()
    sense = senses.get(tok.i)
    return {
        "t:bias": 1.0,
        f"t:lemma:{lemma}": 1.0,
        f"t:lemma:{lemma}|{etype}": 1.0,
        f"t:pos:{tok.pos_}|{etype}": 1.0,
        f"t:tag:{tok.tag_}": 1.0,
        f"t:dep:{tok.dep_}|{etype}": 1.0,
        f"t:dep:{tok.dep_}|{tok.pos_}": 1.0,
        f"t:head:{tok.head.lemma_.lower()}|{tok.dep_}": 1.0,
        f"t:sense:{sense}|{etype}": 1.0,
        f"t:same:{sense == etype}": 1.0,
        f"t:subj:{any(c.dep_ in ('nsubj', 'nsubjpass') for c in tok.children)}|{tok.pos_}": 1.0,
        f"t:obj:{any(c.dep_ == 'dobj' for c in tok.children)}|{tok.pos_}": 1.0,
        f"t:depth:{min(len(list(tok.ancestors)), 4)}": 1.0,
    }


def senses_of(doc: Doc) -> dict[int, str]:
    out: dict[int, str] = {}
    for m in triggers.find(doc):
        for i in m.indices:
            out.setdefault(i, m.sense.type)
    return out


def featurize(
    trigger: Token,
    etype: str,
    rule_actors: list[Token],
    rule_recipients: list[Token],
    places: list[Candidate],
) -> tuple[list[Token], list[Candidate | None], list[dict[str, float]]]:
    """The candidates of a trigger, the place each lies in, and their features."""
    cands = candidates(trigger)
    rules: dict[int, set[str]] = {}
    for role, toks in (("actor", rule_actors), ("recipient", rule_recipients)):
        for t in toks:
            rules.setdefault(t.i, set()).add(role)
    within = [_place_of(t, places) for t in cands]
    for t, c in zip(cands, within, strict=True):
        if c is not None and c is places[0]:
            rules.setdefault(t.i, set()).add("location")
    before = max((t.i for t in cands if t.i < trigger.i), default=None)
    after = min((t.i for t in cands if t.i > trigger.i), default=None)
    feats = [
        features(
            t,
            trigger,
            etype,
            frozenset(rules.get(t.i, ())),
            c.location.precision if c else None,
            t.i in (before, after),
        )
        for t, c in zip(cands, within, strict=True)
    ]
    return cands, within, feats


def _place_of(tok: Token, places: list[Candidate]) -> Candidate | None:
    """The place a candidate names, counting its compounds ("Kherson city")."""
    words = [tok, *(c for c in tok.children if c.dep_ == "compound")]
    return next((c for c in places for t in words if c.start <= t.idx < c.end), None)


def _place_in(tok: Token, places: list[Candidate]) -> Candidate | None:
    """A known place inside the chosen noun's phrase: "the city of Aleppo" is Aleppo."""
    toks = phrase(tok)
    a, b = toks[0].idx, toks[-1].idx + len(toks[-1])
    return next((c for c in places if a <= c.start and c.end <= b), None)


def site(tok: Token) -> Location:
    """A place the gazetteer does not know, named by the chosen noun's phrase."""
    toks = phrase(tok)
    text = tok.doc.text[toks[0].idx : toks[-1].idx + len(toks[-1])][:200]
    return Location(text=text, name=text, precision="site")


def load(path: Path = MODEL) -> Chooser:
    return archive.load(path, Chooser, "argument chooser")


# The shipped chooser, or None when the archive is absent (the rules alone decide).
default: archive.Shipped[Chooser] = archive.Shipped(MODEL, load)
