"""Small Story, StoryMerge and StoryTombstone messages for publish and tail tests."""

from __future__ import annotations

from datetime import UTC, datetime

from newsflow.models import (
    CountReport,
    Location,
    Story,
    StoryCount,
    StoryMerge,
    StoryTombstone,
)

T = datetime(2025, 2, 12, 9, 30, tzinfo=UTC)
KYIV = Location(text="Kyiv", name="Kyiv", country="UKR", precision="city")


def count(kind: str, value: int, qualifier: str = "exact") -> StoryCount:
    report = CountReport(
        value=value, qualifier=qualifier, event_id="e1", article_id="a1", source="x.test"
    )
    return StoryCount(
        kind=kind, value=value, qualifier=qualifier, rule="highest_exact", reports=[report]
    )


def story(story_id: str = "s1", *, num_articles: int = 7, **kw) -> Story:
    fields = {
        "status": "open",
        "event_type": "ASSAULT",
        "mode": "aerial",
        "quad_class": 4,
        "location": KYIV,
        "date": "2025-02-12",
        "date_precision": "day",
        "counts": [count("killed", 1), count("injured", 4, "at_least")],
        "num_sources": 5,
        "num_mentions": num_articles,
        "event_ids": [f"e{i}" for i in range(num_articles)],
        "article_ids": [f"a{i}" for i in range(num_articles)],
        "confidence": 0.9,
        "updated_at": T,
    }
    return Story(story_id=story_id, num_articles=num_articles, **{**fields, **kw})


def merge(absorbed: str = "s2", into: str = "s1") -> StoryMerge:
    return StoryMerge(
        story_id=absorbed,
        merged_into=into,
        score=2.5,
        reasons=["same place", "same day"],
        merged_at=T,
    )


def tombstone(story_id: str = "s2") -> StoryTombstone:
    return StoryTombstone(story_id=story_id)
