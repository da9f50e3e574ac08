"""Reads the coder's trained archives: numpy arrays and a JSON `meta`, written as one .npz by
scripts/train_*.py. Any defect, in the file or in what it holds, is a CodingError naming it."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

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
