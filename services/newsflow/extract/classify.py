"""The learned block classifier: a logistic regression over blocks.features, shipped as .npz.

Trained by scripts/train_blocks.py (`make train`) on the WCXB tune part (CC BY 4.0,
attribution: WCXB, Murrough Foley 2026; see data/blocks.NOTICE.txt). Pure numpy at
run time. A broken or mismatched archive raises ExtractError at load, never a wrong
prediction later. Not on the default path: on 5-fold CV over the tune part it scored
F1 0.923 against the current passes' 0.932 (README, "Block classifier"), so
extract_html uses it only when handed a model.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
from lxml.html import HtmlElement

from newsflow.errors import ExtractError, Reason
from newsflow.extract.blocks import NAMES, features
from newsflow.extract.evidence import Evidence
from newsflow.extract.passes import RECALL, RECALL_GATE, run_pass

FORMAT = 1
MODEL = Path(__file__).parent / "data" / "blocks.npz"
ARRAYS = ("mean", "scale", "weights")


@dataclass(frozen=True)
class BlockModel:
    """Standardized features times weights plus bias; a block is kept at >= threshold."""

    names: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    bias: float
    threshold: float

    def probs(self, x: np.ndarray) -> np.ndarray:
        """The probability that each row's block is article text."""
        z = ((x - self.mean) / self.scale) @ self.weights + self.bias
        return 1.0 / (1.0 + np.exp(-z))

    def keep(self, blocks: list[str], x: np.ndarray) -> list[str]:
        """The blocks the model keeps, in order."""
        if not blocks:
            return []
        return [b for b, p in zip(blocks, self.probs(x), strict=True) if p >= self.threshold]


def load(path: Path = MODEL) -> BlockModel:
    """Read an archive written by scripts/train_blocks.py.

    Raises ExtractError (reason INTERNAL) naming the path when the file is
    missing, unreadable, of another format or built for other features.
    """
    try:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            arrays = {name: np.asarray(data[name], dtype=np.float64) for name in ARRAYS}
    except (OSError, EOFError, ValueError, KeyError) as exc:  # EOFError: an empty file
        raise ExtractError(
            f"cannot load block classifier {path}: {exc!r}", reason=Reason.INTERNAL
        ) from exc
    if meta.get("format") != FORMAT:
        raise ExtractError(
            f"block classifier {path}: format {meta.get('format')!r}, expected {FORMAT}",
            reason=Reason.INTERNAL,
        )
    names = tuple(meta.get("names", ()))
    if names != NAMES or any(a.shape != (len(names),) for a in arrays.values()):
        raise ExtractError(
            f"block classifier {path} was trained on other features; run `make train`",
            reason=Reason.INTERNAL,
        )
    if not np.all(arrays["scale"] > 0) or not all(np.isfinite(a).all() for a in arrays.values()):
        raise ExtractError(
            f"block classifier {path}: scales must be positive and weights finite",
            reason=Reason.INTERNAL,
        )
    return BlockModel(
        names,
        arrays["mean"],
        arrays["scale"],
        arrays["weights"],
        float(meta["bias"]),
        float(meta["threshold"]),
    )


@cache
def shipped() -> BlockModel:
    """The archive in the package, loaded once per process."""
    return load(MODEL)


def short(size: int, ev: Evidence, min_text_chars: int = 200) -> bool:
    """The classifier's text is short of what the page declares: the passes take over."""
    return RECALL_GATE.short(size, ev) or size < min_text_chars


def classify_page(
    model: BlockModel,
    tree: HtmlElement,
    url: str | None,
    body: str,
    clean: Callable[[list[str]], tuple[list[str], Counter[str]]],
) -> tuple[list[str], Counter[str]]:
    """The cleaned blocks of the recall pass over `tree` that `model` keeps."""
    recall = [b for b in run_pass(tree, url, RECALL) if b.strip()]
    return clean(model.keep(recall, features(tree, recall, body)))
