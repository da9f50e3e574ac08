"""Links each published article's events to stories, and publishes what changed.

Each asserted event is resolved on its own, in one store transaction that holds the locks of
its blocking keys (the decision itself is stories.resolve, a pure function). The story
messages go out after the article and its events, before the link is marked done: a crash
in between replays the article, its events are found linked already, and the current
stories are published again (at-least-once, as everywhere else).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import structlog

from newsflow import observability as obs
from newsflow.config import StorySettings
from newsflow.models import (
    Article,
    EventRecord,
    Message,
    Report,
    StoryMerge,
    StoryState,
    StoryTombstone,
)
from newsflow.publish.kafka import Publisher
from newsflow.state.base import StateStore, StoryWrite
from newsflow.stories.blocks import lock_keys, lookup_keys, own_keys
from newsflow.stories.consensus import story_of
from newsflow.stories.match import Weights
from newsflow.stories.report import article_names, report_of
from newsflow.stories.resolve import Outcome, resolve

log = structlog.get_logger("newsflow.stories")
CLOSE_BATCH = 500


def weights(settings: StorySettings) -> Weights:
    return Weights(threshold=settings.threshold, date_window_days=settings.date_window_days)


def messages(out: Outcome, now: datetime) -> list[Message]:
    """The story as it stands, then a merge record and a tombstone per absorbed story; a
    replayed report re-sends the story and the tombstones of what it absorbed before."""
    sent: list[Message] = [story_of(out.story)]
    if not out.changed:
        return sent + [StoryTombstone(story_id=i) for i in out.story.merged_ids]
    for gone, m in out.absorbed:
        sent.append(
            StoryMerge(
                story_id=gone.story_id,
                merged_into=out.story.story_id,
                score=m.score,
                reasons=list(m.reasons),
                merged_at=now,
            )
        )
        sent.append(StoryTombstone(story_id=gone.story_id))
    return sent


def write_of(out: Outcome, report: Report) -> StoryWrite:
    """The store keeps a story's keys, so only the new ones go: the report's, and those of
    the stories absorbed (their rows go with them)."""
    if not out.changed:
        return StoryWrite(None)
    reports = [report, *(r for gone, _ in out.absorbed for r in gone.reports)]
    keys = sorted({k for r in reports for k in own_keys(r)})
    return StoryWrite(out.story, keys, [s.story_id for s, _ in out.absorbed])


class StoryLinker:
    def __init__(self, settings: StorySettings, store: StateStore, publisher: Publisher) -> None:
        self.settings = settings
        self.weights = weights(settings)
        self.store = store
        self.publisher = publisher

    async def link(
        self, article: Article, events: list[EventRecord], now: datetime, *, source_id: str
    ) -> int:
        """Resolve the article's asserted events and publish the stories; messages sent."""
        sent: list[Message] = []
        context = article_names(article.text)
        for event in events:
            if event.modality != "asserted":  # a threat, denial or plan is no happening
                continue
            report = report_of(event, article, context)
            decided: list[Outcome] = []

            def decide(
                candidates: list[StoryState],
                report: Report = report,
                decided: list[Outcome] = decided,
            ) -> StoryWrite:
                decided.append(resolve(report, candidates, self.weights, now))
                return write_of(decided[-1], report)

            window = self.settings.date_window_days
            await self.store.link_story(
                lookup_keys(report, window), decide, locks=lock_keys(report, window)
            )
            out = decided[-1]
            obs.STORIES.labels(_status(out)).inc()
            log.debug(
                "story",
                status=_status(out),
                story_id=out.story.story_id,
                event_id=event.event_id,
                score=out.match.score if out.match else None,
                reasons=list(out.match.reasons) if out.match else [],
                absorbed=[s.story_id for s, _ in out.absorbed],
            )
            sent += messages(out, now)
        if sent:
            await self.publisher.deliver(sent, source_id=source_id)
            _count(sent)
        return len(sent)

    async def close_due(self, now: datetime) -> int:
        """Close the stories past the horizon and publish them closed; stories closed."""
        before = now - timedelta(days=self.settings.horizon_days)
        closed = await self.store.close_stories(before, CLOSE_BATCH)
        if closed:
            out = [story_of(s) for s in closed]
            await self.publisher.deliver(out, source_id=None)
            # Only now: a crash before this leaves them closing, published by the next sweep.
            await self.store.stories_closed([s.story_id for s in closed])
            _count(out)
            obs.STORIES.labels("closed").inc(len(closed))
            log.info("stories", status="closed", count=len(closed))
        return len(closed)


def _status(out: Outcome) -> str:
    if not out.changed:
        return "replayed"
    if out.absorbed:
        return "merged"
    return "opened" if out.match is None else "linked"


def _count(sent: Sequence[Message]) -> None:
    for m in sent:
        kind = {"StoryMerge": "story-merge", "StoryTombstone": "story-tombstone"}
        obs.PUBLISHED.labels(kind.get(type(m).__name__, "story")).inc()
