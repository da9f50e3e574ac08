"""PLOVER quad class, weapon mode and PLOVER contexts for a coded event.

Quad classes follow the PLOVER 2.0 grouping. The ACLED sub-event is the typer's, through the
crosswalk (crosswalk.py, data/acled.yaml).
"""

from __future__ import annotations

import re
from functools import cache

from newsflow.events.lexicon import cues

QUAD = {
    "AGREE": 1,
    "CONSULT": 1,
    "SUPPORT": 1,
    "CONCEDE": 1,
    "COOPERATE": 2,
    "AID": 2,
    "RETREAT": 2,
    "REQUEST": 3,
    "ACCUSE": 3,
    "REJECT": 3,
    "THREATEN": 3,
    "SANCTION": 4,
    "PROTEST": 4,
    "MOBILIZE": 4,
    "COERCE": 4,
    "ASSAULT": 4,
}
# Modes one salvo can mix ("a barrage of drones and missiles"): the same act for merging.
MODE_FAMILY = {"aerial": "remote", "drone": "remote", "heavy-weapons": "remote"}


@cache
def _weapon_modes() -> list[tuple[str, re.Pattern[str]]]:
    # Compiled at start (the coder warms it): a bad pattern in cues.yaml fails then, not mid-article.
    return [(mode, re.compile(pattern)) for mode, pattern in cues()["weapon_modes"]]


def mode_from_words(sentence: str) -> str | None:
    """ASSAULT mode from weapon words when the trigger itself carried none (cues.yaml)."""
    s = sentence.lower()
    return next((mode for mode, rx in _weapon_modes() if rx.search(s)), None)


@cache
def _context_words() -> dict[str, list[str]]:
    return cues()["contexts"]


def contexts(event_type: str, sentence: str) -> list[str]:
    """PLOVER contexts whose cue words occur in the sentence, in data-file order."""
    s = sentence.lower()
    out = [
        ctx
        for ctx, words in _context_words().items()
        if any(re.search(rf"\b{re.escape(w)}\b", s) for w in words)
    ]
    if (
        event_type in ("ASSAULT", "MOBILIZE")
        and "military" not in out
        and re.search(r"\b(forces|army|troops|military)\b", s)
    ):
        out.append("military")
    return out
