"""Learned decision of what each count mention of a sentence counts: killed, injured, arrested,
abducted, missing, displaced, other people, or nothing.

One linear softmax head (archive events/data/counts.npz, trained by scripts/train_counts.py from
our labelled counts) scores every mention count_mentions.py finds, from the words its phrase
depends on and the regex readings of counts.py. Weapons are never people: a mention whose noun
is a weapon or a thing stays nothing whatever the head says, and interceptions and launches
are left to the regexes. Pure numpy at run time.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from spacy.tokens import Doc

from newsflow.errors import CodingError
from newsflow.events import archive, count_mentions
from newsflow.models import Count, Span

FORMAT = 1
MODEL = Path(__file__).parent / "data" / "counts.npz"
KINDS = ("none", "killed", "injured", "arrested", "abducted", "missing", "displaced", "other")
WEAPON_KINDS = {"intercepted", "launched"}


class Head:
    def __init__(self, arrays: dict[str, np.ndarray], meta: dict) -> None:
        if meta.get("format") != FORMAT:
            raise CodingError(f"counts archive format {meta.get('format')!r}, expected {FORMAT}")
        self.vocab = {str(f): i for i, f in enumerate(arrays["vocab"])}
        self.weights = arrays["weights"]  # features x kinds
        self.bias = arrays["bias"]
        self.kinds = tuple(str(k) for k in arrays["kinds"])
        # The best kind other than "none" is taken when it is at least this likely (chosen by
        # cross-validation on the train split: the head is shy of rare kinds at plain argmax).
        self.threshold = float(meta["threshold"])

    def probs(self, feats: list[dict[str, float]]) -> np.ndarray:
        """(mentions x kinds) probabilities; features are binary."""
        z = np.stack(
            [self.weights[[self.vocab[k] for k in f if k in self.vocab]].sum(axis=0) for f in feats]
        )
        z = z + self.bias
        z = np.exp(z - z.max(axis=1, keepdims=True))
        return z / z.sum(axis=1, keepdims=True)

    def read(self, doc: Doc, regex: list[Count], offset: int) -> list[Count]:
        """People counts of one parsed sentence; `regex`, counts.py's readings of it (spans in
        article offsets, like the result), `offset` the sentence's start in the article."""
        mentions = [
            m
            for m in count_mentions.find(doc)
            if not any(_overlaps(m, c, offset) for c in regex if c.kind in WEAPON_KINDS)
        ]
        if not mentions:
            return []
        table = self.probs(describe(mentions, regex, offset))
        out = []
        for m, p in zip(mentions, table, strict=True):
            best = 1 + int(np.argmax(p[1:]))  # column 0 is "none"
            if p[best] < self.threshold or not count_mentions.people(m):
                continue
            kind = self.kinds[best]
            if kind == "other" and count_mentions.responder(m):
                continue  # rescuers and police sent somewhere are no count (annotation guide)
            out.append(
                Count(
                    kind=kind,  # type: ignore[arg-type]
                    value=m.value,
                    qualifier=m.qualifier,  # type: ignore[arg-type]
                    text=doc.text[m.start : m.end],
                    span=Span(start=offset + m.start, end=offset + m.end),
                )
            )
        return out


def describe(
    mentions: list[count_mentions.Mention], regex: list[Count], offset: int
) -> list[dict[str, float]]:
    """Features of each mention, with the kinds the regexes read on the same words."""
    out = []
    seen = False
    cues_at = count_mentions.cue_tokens(mentions[0].anchor.doc) if mentions else {}
    for m in mentions:
        kinds = {c.kind for c in regex if _overlaps(m, c, offset)}
        out.append(count_mentions.features(m, kinds, not seen, cues_at))
        seen = seen or not m.implicit
    return out


def _overlaps(m: count_mentions.Mention, c: Count, offset: int) -> bool:
    return c.span.start - offset < m.end and m.start < c.span.end - offset


def load(path: Path = MODEL) -> Head:
    return archive.load(path, Head, "count head")


# The shipped head, or None when the archive is absent (the regexes alone read counts).
default: archive.Shipped[Head] = archive.Shipped(MODEL, load)
