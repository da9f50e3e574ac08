"""Which story a report belongs to: a pure decision on the report, the open stories that
share a blocking key with it, the weights and the time.

The report joins the best-scoring story that no fact vetoes, or opens a new one. When it
matches several, those stories were one happening told apart until this report tied them:
every one that the grown story does not veto is absorbed into the oldest.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from newsflow.models import Report, StoryState
from newsflow.stories.match import Match, Weights, match, profile


@dataclass(frozen=True)
class Outcome:
    story: StoryState  # where the report is now
    match: Match | None  # None: it opened the story
    absorbed: tuple[tuple[StoryState, Match], ...] = field(default_factory=tuple)
    changed: bool = True  # False: the report was there already (a replay)


def story_id(event_id: str) -> str:
    return hashlib.sha256(b"story\0" + event_id.encode()).hexdigest()[:24]


def resolve(
    report: Report, candidates: list[StoryState], weights: Weights, now: datetime
) -> Outcome:
    for story in candidates:
        if any(r.event_id == report.event_id for r in story.reports):
            return Outcome(story, None, changed=False)
    scored = []
    for story in candidates:
        if story.status != "open":
            continue
        m = match(report, profile(story), weights)
        # A story told by the article's own report from an older coder needs no more evidence.
        if not m.vetoed and (m.score >= weights.threshold or _told_by(story, report)):
            scored.append((m, story))
    if not scored:
        state = StoryState(
            story_id=story_id(report.event_id), reports=[report], opened_at=now, updated_at=now
        )
        return Outcome(state, None)
    # A replay by a new coder goes back to the story that holds its article's old report.
    scored.sort(
        key=lambda ms: (
            not _told_by(ms[1], report),
            -_twin(ms[1], report, weights),
            -ms[0].score,
            ms[1].opened_at,
            ms[1].story_id,
        )
    )
    best_match, best = scored[0]
    grown = _add(_without_replayed(best, report), [report], now)
    absorbed = []
    for m, other in scored[1:]:
        if _told_by(other, report):
            continue  # another event of the report's article, from an older coder: not this one
        if _fits(other, grown, weights):
            absorbed.append((other, m))
            grown = _add(grown, other.reports, now, merged=[other.story_id, *other.merged_ids])
    if absorbed:
        # The oldest story keeps its id, so consumers see the fewest ids change.
        oldest = min([best, *(s for s, _ in absorbed)], key=lambda s: (s.opened_at, s.story_id))
        if oldest is not best:
            grown = grown.model_copy(
                update={
                    "story_id": oldest.story_id,
                    "opened_at": oldest.opened_at,
                    "merged_ids": sorted(
                        (set(grown.merged_ids) | {best.story_id}) - {oldest.story_id}
                    ),
                }
            )
            absorbed = [(s, m) for s, m in absorbed if s is not oldest] + [(best, best_match)]
    return Outcome(grown, best_match, tuple(absorbed))


def _add(
    story: StoryState, reports: list[Report], now: datetime, merged: list[str] | None = None
) -> StoryState:
    all_reports = sorted(
        [*story.reports, *reports],
        key=lambda r: (r.published is None, r.published or now, r.event_id),
    )
    return story.model_copy(
        update={
            "reports": all_reports,
            "merged_ids": sorted({*story.merged_ids, *(merged or [])}),
            "updated_at": max(story.updated_at, now),
        }
    )


def _told_by(story: StoryState, report: Report) -> bool:
    """The story holds a report of the report's article (from another coder version, since
    one version's second event of an article is vetoed)."""
    return any(r.article_id == report.article_id for r in story.reports)


def _twin(story: StoryState, report: Report, weights: Weights) -> float:
    """How well the report matches its article's old report in the story, alone: an article
    with several events of one type replays each into the story its own old one told."""
    olds = [r for r in story.reports if r.article_id == report.article_id]
    if not olds:
        return 0.0
    alone = story.model_copy(update={"reports": olds})
    return match(report, profile(alone), weights).score  # another version: no article veto


def _without_replayed(story: StoryState, report: Report) -> StoryState:
    """The story without the reports another coder version made of the report's article: a
    replay (`reprocess --from-raw`) replaces them rather than telling the happening twice."""
    kept = [
        r
        for r in story.reports
        if r.article_id != report.article_id or r.coder_version == report.coder_version
    ]
    return story if len(kept) == len(story.reports) else story.model_copy(update={"reports": kept})


def _fits(other: StoryState, grown: StoryState, weights: Weights) -> bool:
    """Every report of `other` is compatible with the grown story (no veto)."""
    p = profile(grown)
    return all(not match(r, p, weights).vetoed for r in other.reports)
