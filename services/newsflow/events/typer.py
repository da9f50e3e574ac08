"""The learned event typer: linear heads over sentence features, shipped as one .npz archive.

Heads (trained by scripts/train_events.py, `make train`):
- screen: does the sentence report an event, from its words alone (decides what to parse);
- event: does the sentence report an event at all;
- type: one-vs-rest PLOVER types (a sentence may report several);
- mode:<TYPE>: the PLOVER mode of that type;
- acled: the ACLED sub-event, given the type (a type column is switched on).
Pure numpy at run time; the parse the coder already made is reused, never a second model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from spacy.tokens import Doc

from newsflow.errors import CodingError
from newsflow.events import archive, features
from newsflow.models import EventType

FORMAT = 1
MODEL = Path(__file__).parent / "data" / "typer.npz"
__all__ = ["FORMAT", "MODEL", "EventType", "Prediction", "Typer", "load"]


@dataclass(frozen=True)
class Prediction:
    event: float  # probability that the sentence reports an event
    probs: dict[str, float]  # every type's probability
    types: tuple[str, ...]  # the types chosen, most probable first
    modes: dict[str, str | None] = field(default_factory=dict)
    acled: dict[str, str | None] = field(default_factory=dict)

    def chosen(self) -> list[str]:
        return list(self.types)


@dataclass(frozen=True)
class _Head:
    classes: list[str]
    weights: np.ndarray  # (features, k) or (features, 1) for a binary head
    bias: np.ndarray

    def scores(self, idx: np.ndarray, vals: np.ndarray, dense: np.ndarray | None) -> np.ndarray:
        n = len(self.weights) - (0 if dense is None else len(dense))
        z = vals @ self.weights[idx] + self.bias
        if dense is not None:
            z = z + dense @ self.weights[n:]
        return z

    def probs(
        self, idx: np.ndarray, vals: np.ndarray, dense: np.ndarray | None
    ) -> dict[str, float]:
        z = self.scores(idx, vals, dense)
        if len(z) == 1:  # binary: the weights score the second class
            p = 1.0 / (1.0 + np.exp(-z[0]))
            return {self.classes[0]: 1.0 - p, self.classes[1]: p}
        e = np.exp(z - z.max())
        return dict(zip(self.classes, (e / e.sum()).tolist(), strict=True))


class Typer:
    def __init__(self, arrays: dict[str, np.ndarray], meta: dict) -> None:
        if meta.get("format") != FORMAT:
            raise CodingError(f"typer archive format {meta.get('format')!r}, expected {FORMAT}")
        self.meta = meta
        self.uses_parse: bool = meta["uses_parse"]
        self.dense: int = meta["dense"]
        self.event_threshold: float = meta["event_threshold"]
        self.type_threshold: float = meta["type_threshold"]
        self.vocab = {str(f): i for i, f in enumerate(arrays["vocab"])}
        self.heads = {
            name: _Head(
                [str(c) for c in arrays[f"{name}.classes"]],
                arrays[f"{name}.weights"],
                arrays[f"{name}.bias"],
            )
            for name in meta["heads"]
        }
        unknown = set(self.heads["type"].classes) - {t.value for t in EventType}
        if unknown:
            raise CodingError(f"typer archive names unknown event types: {sorted(unknown)}")

    def _encode(self, feats: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
        pairs = [(self.vocab[f], v) for f, v in feats.items() if f in self.vocab]
        idx = np.array([i for i, _ in pairs], dtype=np.int64)
        vals = np.array([v for _, v in pairs], dtype=np.float32)
        return idx, vals

    def screen(self, text: str) -> float:
        """Probability that the sentence reports an event, from its words alone (no parse)."""
        head = self.heads.get("screen")
        if head is None:
            return 0.0
        idx, vals = self._encode(features.words(text))
        return head.probs(idx, vals, None)["yes"]

    def admits(self, text: str, flagged: bool) -> bool:
        """Whether a sentence is worth parsing: the lexicon `flagged` it and the screen does not
        rule it out, or the screen alone is confident."""
        if "screen" not in self.heads:
            return flagged
        p = self.screen(text)
        return p >= self.meta["screen_high"] or (flagged and p >= self.meta["screen_low"])

    def predict(self, text: str, doc: Doc | None = None) -> Prediction:
        feats = features.words(text)
        dense = None
        if self.uses_parse:
            if doc is None:
                raise CodingError("this typer reads the parse; pass the sentence's Doc")
            extra, vec = features.parse(doc)
            feats.update(extra)
            dense = vec if self.dense else None
        idx, vals = self._encode(feats)
        event = self.heads["event"].probs(idx, vals, dense)["yes"]
        type_head = self.heads["type"]
        z = type_head.scores(idx, vals, dense)
        probs = dict(zip(type_head.classes, (1.0 / (1.0 + np.exp(-z))).tolist(), strict=True))
        ranked = sorted(probs, key=probs.get, reverse=True)
        types: tuple[str, ...] = ()
        if event >= self.event_threshold:
            types = tuple(t for t in ranked if probs[t] >= self.type_threshold) or (ranked[0],)
        modes = {t: self._mode(t, idx, vals, dense) for t in types}
        acled = {t: self._acled(t, idx, vals, dense) for t in types}
        return Prediction(event, probs, types, modes, acled)

    def _mode(self, etype: str, idx, vals, dense) -> str | None:
        head = self.heads.get(f"mode:{etype}")
        if head is None:
            return None
        p = head.probs(idx, vals, dense)
        best = max(p, key=p.get)
        return None if best == "none" else best

    def _acled(self, etype: str, idx, vals, dense) -> str | None:
        head = self.heads.get("acled")
        column = self.vocab.get(f"type:{etype}")
        if head is None or column is None:
            return None
        # the same features with the type's column switched on (the head was trained so)
        p = head.probs(np.append(idx, column), np.append(vals, np.float32(1.0)), dense)
        best = max(p, key=p.get)
        return None if best == "none" else best


def load(path: Path = MODEL) -> Typer:
    return archive.load(path, Typer, "event typer")
