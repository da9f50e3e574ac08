"""Reads the coder's trained archives: numpy arrays and a JSON `meta`, written as one .npz by
scripts/train_*.py. Any defect, in the file or in what it holds, is a CodingError naming it."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, Generic, TypeVar

import numpy as np

from newsflow.errors import CodingError

T = TypeVar("T")


def load(path: Path, build: Callable[[dict[str, np.ndarray], dict[str, Any]], T], what: str) -> T:
    """`build(arrays, meta)` from the archive at `path`; `what` names it in errors."""
    try:
        with np.load(path, allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
        meta = json.loads(str(arrays.pop("meta")))
        return build(arrays, meta)
    except (OSError, EOFError, ValueError, KeyError) as exc:  # EOFError: an empty file
        raise CodingError(f"cannot load {what} {path}: {exc!r}") from exc


class Shipped(Generic[T]):
    """A module's shipped archive, loaded on first call, or None when the file is absent (the
    rules alone decide then). Cross-validation swaps in a model of its own with `use`."""

    def __init__(self, path: Path, load: Callable[[Path], T]) -> None:
        self._path, self._load = path, load
        self._loaded: list[T | None] = []
        self._swapped: list[T | None] = []

    def __call__(self) -> T | None:
        if self._swapped:
            return self._swapped[0]
        if not self._loaded:
            self._loaded.append(self._load(self._path) if self._path.exists() else None)
        return self._loaded[0]

    def use(self, model: T | None) -> None:
        """Answer `model` from now on (None: as if nothing were shipped)."""
        self._swapped[:] = [model]

    def restore(self) -> None:
        """Answer the shipped archive again."""
        self._swapped.clear()
