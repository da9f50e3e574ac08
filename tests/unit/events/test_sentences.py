"""Sentence splitting with offsets and the cheap candidate filter."""

from __future__ import annotations

from newsflow.events.sentences import is_candidate, split

TEXT = "Mr. Smith arrived in the U.S. on Monday. Police arrested 12 people.\nThe sky was blue."


def test_offsets_slice_the_text() -> None:
    """Every sentence's offsets slice exactly its text out of the article."""
    sents = list(split(TEXT))
    assert [s.text for s in sents] == [
        "Mr. Smith arrived in the U.S. on Monday.",
        "Police arrested 12 people.",
        "The sky was blue.",
    ]
    assert all(TEXT[s.start : s.end] == s.text for s in sents)


def test_candidate_filter() -> None:
    """Only sentences with a trigger form whose conditions may hold are parsed."""
    flags = [is_candidate(s) for s in split(TEXT)]
    assert flags == [False, True, False]
