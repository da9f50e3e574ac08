"""The learned argument chooser: its archive, its candidates and its choices on plain sentences."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from scipy import sparse

from newsflow.errors import CodingError
from newsflow.events import arguments, places
from newsflow.events.nlp import load

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "scripts"))  # train_arguments imports train_events beside it


@pytest.fixture(scope="module")
def nlp():
    return load()


@pytest.fixture(scope="module")
def chooser():
    return arguments.load()


def _tok(doc, word):
    return next(t for t in doc if t.text == word)


def test_shipped_archive_loads_with_every_head(chooser) -> None:
    assert set(chooser.heads) == set(arguments.HEADS)
    assert all(0.0 <= h.margin <= 1.0 for h in chooser.heads.values())


def test_a_bad_archive_is_a_coding_error(tmp_path) -> None:
    bad = tmp_path / "arguments.npz"
    bad.write_bytes(b"not a zip")
    with pytest.raises(CodingError, match="argument chooser"):
        arguments.load(bad)
    other = tmp_path / "other.npz"
    np.savez(other, meta=np.array('{"format": 99}'), vocab=np.array(["bias"]))
    with pytest.raises(CodingError, match="format 99"):
        arguments.load(other)


def test_candidates_are_the_sentence_nouns_without_the_trigger(nlp) -> None:
    doc = nlp("Students attacked the police station in Lagos.")
    trig = _tok(doc, "attacked")
    words = {t.text for t in arguments.candidates(trig)}
    assert {"Students", "station", "Lagos"} <= words and "attacked" not in words


def test_subject_acts_object_receives_and_the_place_is_the_in_phrase(nlp, chooser) -> None:
    doc = nlp("Angry students attacked a police station in Lagos on Monday.")
    trig = _tok(doc, "attacked")
    actor, recipient, where = chooser.choose(
        trig, "ASSAULT", [], [], places.ranked(doc, "ASSAULT", [], trig)
    )
    assert actor is not None and actor.text == "students"
    assert recipient is not None and recipient.text == "station"
    assert where is not None and where.name == "Lagos"


def test_a_passive_agent_acts(nlp, chooser) -> None:
    doc = nlp("The village was shelled by rebel fighters overnight.")
    trig = _tok(doc, "shelled")
    actor, recipient, _ = chooser.choose(trig, "ASSAULT", [], [], [])
    assert actor is not None and actor.text == "fighters"
    assert recipient is not None and recipient.text == "village"


def test_nobody_named_leaves_the_roles_empty(nlp, chooser) -> None:
    doc = nlp("It rained heavily.")
    trig = _tok(doc, "rained")
    assert chooser.choose(trig, "ASSAULT", [], [], [])[:2] == (None, None)


def test_the_trigger_of_a_type_is_its_event_word_not_the_verb_of_saying(nlp, chooser) -> None:
    doc = nlp("Officials said the army arrested twelve protesters in the capital.")
    assert chooser.trigger(doc, "COERCE").text == "arrested"


def test_a_protest_march_has_a_marcher_and_nobody_marched_on(nlp, chooser) -> None:
    doc = nlp("Thousands of students marched through the streets of Nairobi on Tuesday.")
    trig = _tok(doc, "marched")
    actor, recipient, _ = chooser.choose(trig, "PROTEST", [], [], [])
    assert actor is not None and actor.text in ("Thousands", "students")
    assert recipient is None


def test_nobody_features_name_the_type_and_a_bucket_of_candidates() -> None:
    f = arguments.nobody("ASSAULT", 7)
    assert f == {"none:bias": 1.0, "none:type:ASSAULT": 1.0, "none:n:2": 1.0}
    assert arguments.nobody("ASSAULT", 40)["none:n:4"] == 1.0  # capped: long sentences alike


def test_the_ranking_fit_learns_which_row_of_each_choice_is_gold() -> None:
    # Two choices of three rows each; feature 0 marks the gold row, feature 1 a decoy.
    import train_arguments as ta

    x = sparse.csr_matrix(np.array([[1, 0], [0, 1], [0, 0], [0, 1], [1, 0], [0, 0]], float))
    r = ta.fit_rank(x, np.array([0, 3]), np.array([0, 4]))
    assert r.coef[0] > 0 > r.coef[1]
    again = ta.fit_rank(x, np.array([0, 3]), np.array([0, 4]))
    assert np.array_equal(r.coef, again.coef)  # deterministic: rebuilds are byte-identical
