"""`newsflow tail` lines for the stories topic (stories, merges, tombstones) and the others."""

from __future__ import annotations

from newsflow.cli.tail import render
from tests.story_samples import merge, story

STORY = {
    "story_id": "s1",
    "status": "open",
    "event_type": "ASSAULT",
    "mode": "aerial",
    "location": {"name": "Kyiv"},
    "date": "2025-02-12",
    "counts": [
        {"kind": "killed", "value": 1, "qualifier": "exact"},
        {"kind": "injured", "value": 4, "qualifier": "at_least"},
    ],
    "num_articles": 7,
    "num_sources": 5,
}


def test_a_story_reads_as_type_place_date_counts_and_coverage():
    """A story line gives type/mode, place, date, counts with their qualifiers, and coverage."""
    assert render("stories", STORY) == (
        "ASSAULT/aerial Kyiv 2025-02-12 · 1 killed, ≥4 injured · 7 articles, 5 sources  s1"
    )


def test_a_sparse_closed_story_still_reads():
    """Missing mode, place, date and counts leave placeholders, not gaps or errors."""
    sparse = {"story_id": "s3", "status": "closed", "event_type": "PROTEST"}
    line = render("stories", {**sparse, "counts": [], "num_articles": 1, "num_sources": 1})
    assert line == "PROTEST - ---- (closed) · 1 article, 1 source  s3"


def test_qualifiers_and_counted_objects_are_shown():
    """≤ and ~ qualifiers and a counted object ('drones') appear in the counts."""
    counts = [
        {"kind": "launched", "value": 30, "qualifier": "approx", "object": "drones"},
        {"kind": "killed", "value": 10, "qualifier": "at_most"},
    ]
    assert " · ~30 launched drones, ≤10 killed · " in render("stories", {**STORY, "counts": counts})


def test_a_merge_names_both_stories_and_the_reasons():
    """A merge line says which story was absorbed into which, and why."""
    value = {"story_id": "s2", "merged_into": "s1", "reasons": ["same place", "same day"]}
    assert render("stories", value) == "merged s2 into s1: same place, same day"


def test_a_tombstone_reads_as_deleted_key():
    """A null value (tombstone) shows the key it deletes, on any topic."""
    assert render("stories", None, "s2") == "deleted s2"


def test_published_story_and_merge_json_render():
    """The models' own JSON has the fields tail reads (no drift between model and view)."""
    assert render("stories", story("s1").model_dump(mode="json")) == render("stories", STORY)
    assert render("stories", merge("s2", "s1").model_dump(mode="json")).startswith("merged s2")


def test_dead_letters_render_as_before():
    """The other topics keep their lines: a dead letter shows stage, reason, url, attempts."""
    value = {
        "failed_at": "2025-01-01T00:00:00Z",
        "stage": "fetch",
        "reason": "not_found",
        "url": "https://x.test/a",
        "attempts": 1,
        "detail": "404",
    }
    assert render("dlq", value) == (
        "2025-01-01T00:00:00  fetch/not_found  https://x.test/a  attempts=1  404"
    )
