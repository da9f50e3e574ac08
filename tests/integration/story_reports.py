"""Reports of made-up happenings, and the resolver wired to a store as the pipeline would."""

from __future__ import annotations

from datetime import datetime

from newsflow.models import EventType, Location, Report, StoryState
from newsflow.state.base import StateStore, StoryWrite
from newsflow.stories.blocks import lookup_keys, own_keys
from newsflow.stories.match import Weights
from newsflow.stories.resolve import resolve


def report(
    event_id: str,
    article_id: str,
    *,
    published: datetime,
    city: str = "Lagos",
    country: str = "NGA",
    day: str = "2025-01-01",
    names: tuple[str, ...] = ("harbour", "strike", "dockers"),
    event_type: EventType = EventType.PROTEST,
) -> Report:
    return Report(
        event_id=event_id,
        article_id=article_id,
        source=f"{article_id}.example",
        published=published,
        event_type=event_type,
        quad_class=3,
        location=Location(text=city, name=city, country=country, precision="city"),
        date=day,
        date_precision="day",
        names=list(names),
        confidence=0.8,
    )


def story_keys(story: StoryState) -> list[str]:
    """Where a story is filed: the own keys of every report in it."""
    return sorted({k for r in story.reports for k in own_keys(r)})


def resolver(rep: Report, now: datetime):
    """A decide callable: the pure resolver's outcome as a StoryWrite."""

    def decide(candidates: list[StoryState]) -> StoryWrite:
        out = resolve(rep, candidates, Weights(), now)
        if not out.changed:
            return StoryWrite(None)
        return StoryWrite(out.story, story_keys(out.story), [s.story_id for s, _ in out.absorbed])

    return decide


async def link(store: StateStore, rep: Report, now: datetime) -> StoryWrite:
    return await store.link_story(lookup_keys(rep), resolver(rep, now))


async def stories_under(store: StateStore, keys: list[str]) -> list[StoryState]:
    """The open stories filed under `keys`, read through link_story without writing."""
    seen: list[StoryState] = []

    def look(candidates: list[StoryState]) -> StoryWrite:
        seen.extend(candidates)
        return StoryWrite(None)

    await store.link_story(keys, look)
    return seen
