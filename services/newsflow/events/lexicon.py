"""Loads the data files under events/data once per process and shapes them for lookup.

Fails loudly (KeyError/yaml error) on a malformed data file: that is a packaging bug.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

DATA = Path(__file__).parent / "data"


@dataclass(frozen=True)
class Sense:
    """One reading of a trigger: the PLOVER type it codes and the conditions it needs."""

    type: str
    mode: str | None = None
    near: tuple[str, ...] = ()
    pos: str | None = None
    role: str | None = None
    patient_poss: bool = False  # "his release": the possessor undergoes the event
    active_only: bool = False


@dataclass(frozen=True)
class Phrase:
    lemmas: tuple[str, ...]
    sense: Sense


@dataclass
class Triggers:
    lemmas: dict[str, list[Sense]] = field(default_factory=dict)
    phrases: list[Phrase] = field(default_factory=list)
    phrases_by_first: dict[str, list[Phrase]] = field(default_factory=dict)
    # surface form (lower case) -> the lemmas it may come from, for the cheap pre-filter
    forms: dict[str, set[str]] = field(default_factory=dict)
    # irregular verb forms listed in the data -> lemma, for when the tagger's lemma is the form
    irregular: dict[str, str] = field(default_factory=dict)


def load_data(name: str) -> Any:
    """One YAML data file under events/data."""
    with (DATA / name).open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _sense(raw: dict[str, Any]) -> Sense:
    return Sense(
        type=raw["type"],
        mode=raw.get("mode"),
        near=tuple(raw.get("near", ())),
        pos=raw.get("pos"),
        role=raw.get("role"),
        patient_poss=raw.get("poss") == "patient",
        active_only=raw.get("voice") == "active",
    )


def inflections(lemma: str) -> set[str]:
    """Regular English inflections of a lemma; irregular ones are listed as `forms` in the data."""
    out = {lemma, lemma + "s", lemma + "es", lemma + "ed", lemma + "ing"}
    if lemma.endswith("e"):
        out |= {lemma + "d", lemma[:-1] + "ing"}
    if lemma.endswith("y"):
        out |= {lemma[:-1] + "ies", lemma[:-1] + "ied"}
    if re.search(r"[^aeiou][aeiou][bdgklmnprt]$", lemma):
        # consonant doubling: ban -> banned, ship -> shipping
        out |= {lemma + lemma[-1] + "ed", lemma + lemma[-1] + "ing"}
    return out


@cache
def triggers() -> Triggers:
    """The trigger lexicon, with surface forms for the pre-filter and phrases by first lemma."""
    raw = load_data("triggers.yaml")
    out = Triggers()
    for lemma, senses in raw["lemmas"].items():
        out.lemmas[lemma] = [_sense(s) for s in senses]
        extra = {f for s in senses for f in s.get("forms", ())}
        for form in extra:
            out.irregular.setdefault(form, lemma)
        for form in inflections(lemma) | extra:
            out.forms.setdefault(form, set()).add(lemma)
    for p in raw["phrases"]:
        out.phrases.append(Phrase(tuple(p["lemmas"]), _sense(p)))
        out.phrases_by_first.setdefault(p["lemmas"][0], []).append(out.phrases[-1])
        head = p["lemmas"][0]
        for form in inflections(head):
            out.forms.setdefault(form, set()).add(" ".join(p["lemmas"]))
    for group in out.phrases_by_first.values():
        group.sort(key=lambda ph: -len(ph.lemmas))
    return out


@cache
def cues() -> dict[str, Any]:
    return load_data("cues.yaml")


@cache
def country_aliases() -> dict[str, list[str]]:
    return load_data("countries.yaml")


@cache
def actor_tables() -> dict[str, Any]:
    return load_data("actors.yaml")
