"""The shipped typer archive loads, predicts in range, and a broken archive fails at start."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from newsflow.errors import CodingError
from newsflow.events import typer
from newsflow.models import EventType


@pytest.fixture(scope="module")
def shipped() -> typer.Typer:
    return typer.load()


def test_prediction_is_a_probability_over_known_types(shipped, coder) -> None:
    doc = coder._nlp("Police fired tear gas at protesters in Nairobi on Tuesday.")
    p = shipped.predict(doc.text, doc)
    assert 0.0 <= p.event <= 1.0
    assert set(p.probs) == {t.value for t in EventType}
    assert set(p.types) <= set(p.probs)
    assert list(p.types) == sorted(p.types, key=p.probs.get, reverse=True)


def test_no_types_below_the_event_threshold(shipped, coder) -> None:
    doc = coder._nlp("The recipe needs two cups of flour and a pinch of salt.")
    p = shipped.predict(doc.text, doc)
    assert (p.event < shipped.event_threshold) == (p.types == ())


def test_parse_typer_needs_the_doc(shipped) -> None:
    assert shipped.uses_parse  # the shipped design reads the parse (docs/events/typer.md)
    with pytest.raises(CodingError, match="Doc"):
        shipped.predict("Troops shelled the town.")


def _rewrite(src: Path, dst: Path, **changes) -> None:
    with np.load(src, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    meta = json.loads(str(arrays.pop("meta")))
    for key, value in changes.items():
        if key == "meta":
            meta.update(value)
        else:
            arrays[key] = value
    np.savez(dst, meta=np.array(json.dumps(meta)), **arrays)


def test_archive_of_another_format_is_refused(tmp_path) -> None:
    bad = tmp_path / "t.npz"
    _rewrite(typer.MODEL, bad, meta={"format": typer.FORMAT + 1})
    with pytest.raises(CodingError, match="format"):
        typer.load(bad)


def test_archive_naming_an_unknown_type_is_refused(tmp_path) -> None:
    with np.load(typer.MODEL, allow_pickle=False) as z:
        classes = z["type.classes"].copy()
    classes[0] = "ASSAULTT"
    bad = tmp_path / "t.npz"
    _rewrite(typer.MODEL, bad, **{"type.classes": classes})
    with pytest.raises(CodingError, match="ASSAULTT"):
        typer.load(bad)


def test_missing_or_garbage_archive_is_a_coding_error(tmp_path) -> None:
    with pytest.raises(CodingError):
        typer.load(tmp_path / "absent.npz")
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"not a zip")
    with pytest.raises(CodingError):
        typer.load(junk)


def test_screen_admits_confident_sentences_and_needs_the_lexicon_otherwise(shipped) -> None:
    low, high = shipped.meta["screen_low"], shipped.meta["screen_high"]
    war = "Government warplanes bombed the rebel-held town, killing 12 civilians."
    recipe = "Stir the flour into the butter and bake for twenty minutes."
    assert shipped.screen(war) >= high and shipped.admits(war, flagged=False)
    assert low <= shipped.screen(recipe) < high
    assert shipped.admits(recipe, flagged=True) and not shipped.admits(recipe, flagged=False)
