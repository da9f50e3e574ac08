"""Sentence features for the event typer: words, and what the parse and the lexicon say.

Both training (scripts/train_events.py) and the coder call these, so the two cannot drift.
Numbers are folded to one token: a typer must not learn that "12" kills and "13" does not.
"""

from __future__ import annotations

import itertools
import re

import numpy as np
from spacy.tokens import Doc

from newsflow.events import triggers

_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?|\d[\d,.]*")


def _tokens(text: str) -> list[str]:
    return ["<num>" if t[0].isdigit() else t for t in _WORD.findall(text.lower())]


def words(text: str) -> dict[str, float]:
    """Unigrams and bigrams of the lower-cased sentence, binary."""
    toks = _tokens(text)
    out = {f"w:{t}": 1.0 for t in toks}
    out.update({f"b:{a}_{b}": 1.0 for a, b in itertools.pairwise(toks)})
    return out


def parse(doc: Doc) -> tuple[dict[str, float], np.ndarray]:
    """Lemmas of verbs with their objects and subjects, negation, modals, entity kinds, the
    rule lexicon's trigger senses, and the mean of the tok2vec vectors."""
    out: dict[str, float] = {}
    for t in doc:
        lemma = t.lemma_.lower()
        if t.dep_ == "ROOT":
            out[f"root:{lemma}"] = 1.0
        if t.pos_ == "VERB":
            out[f"v:{lemma}"] = 1.0
            for c in t.children:
                if c.dep_ in ("dobj", "nsubjpass"):
                    out[f"vo:{lemma}_{c.lemma_.lower()}"] = 1.0
                elif c.dep_ == "nsubj":
                    out[f"sv:{c.lemma_.lower()}_{lemma}"] = 1.0
                elif c.dep_ == "neg":
                    out["neg"] = 1.0
                elif c.dep_ == "aux" and c.lower_ in ("will", "would", "could", "may", "might"):
                    out[f"modal:{c.lower_}"] = 1.0
                elif c.dep_ == "prep":
                    out[f"vp:{lemma}_{c.lower_}"] = 1.0
    for e in doc.ents:
        out[f"ent:{e.label_}"] = 1.0
    for m in triggers.find(doc):
        out[f"trig:{m.sense.type}"] = 1.0
        if m.sense.mode:
            out[f"trig:{m.sense.type}:{m.sense.mode}"] = 1.0
    vec = doc.tensor.mean(axis=0) if len(doc) and doc.tensor.size else np.zeros(96, np.float32)
    return out, vec.astype(np.float32)
