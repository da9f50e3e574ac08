"""The published Story: what its reports agree on, with every count's reports kept."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from newsflow.models import (
    Actor,
    Count,
    CountReport,
    DateRange,
    Location,
    Report,
    Story,
    StoryCount,
    StoryState,
)
from newsflow.stories.blocks import day_range

FINEST = {"city": 0, "site": 1, "admin1": 2, "country": 3}
MAX_PARTIES = 5
# A report's confidence counts for part of the story's: corroboration by other articles
# raises it (noisy-or), one report alone never makes a story certain.
REPORT_WEIGHT = 0.6


def story_of(state: StoryState) -> Story:
    reports = state.reports
    first = reports[0]
    dated = [(r, span) for r in reports if (span := day_range(r.date, r.date_precision))]
    date, precision, date_range = _date(dated)
    published = [r.published for r in reports if r.published is not None]
    doubt = 1.0
    for r in reports:
        doubt *= 1 - REPORT_WEIGHT * r.confidence
    return Story(
        story_id=state.story_id,
        status=state.status,
        event_type=first.event_type,
        mode=_most([r.mode for r in reports]),
        quad_class=first.quad_class,
        acled=_most([r.acled for r in reports]),
        actors=_parties(a for r in reports for a in r.actors),
        recipients=_parties(a for r in reports for a in r.recipients),
        location=_location([r.location for r in reports if r.location is not None]),
        date=date,
        date_precision=precision,
        date_range=date_range,
        counts=_counts(reports),
        num_articles=len({r.article_id for r in reports}),
        num_sources=len({r.source for r in reports}),
        num_mentions=len(reports),
        first_published=min(published, default=None),
        latest_published=max(published, default=None),
        event_ids=[r.event_id for r in reports],
        article_ids=list(dict.fromkeys(r.article_id for r in reports)),
        merged_ids=state.merged_ids,
        confidence=round(1 - doubt, 4),
        updated_at=state.updated_at,
    )


def _most(values):
    """The most reported non-empty value; ties go to the earliest report."""
    seen = [v for v in values if v is not None]
    if not seen:
        return None
    counts = Counter(seen)
    return max(seen, key=lambda v: (counts[v], -seen.index(v)))


def _parties(actors: Iterable[Actor]) -> list[Actor]:
    by_name: dict[str, list[Actor]] = {}
    for a in actors:
        by_name.setdefault(a.name.lower(), []).append(a)
    ranked = sorted(by_name.values(), key=lambda group: -len(group))
    return [group[0] for group in ranked[:MAX_PARTIES]]


def _location(locations: list[Location]) -> Location | None:
    if not locations:
        return None
    finest = min(FINEST[loc.precision] for loc in locations)
    return _most([loc for loc in locations if FINEST[loc.precision] == finest])


def _date(dated) -> tuple[str | None, str | None, DateRange | None]:
    if not dated:
        return None, None, None
    days = [r for r, _ in dated if r.date_precision == "day"]
    pool = days or [r for r, _ in dated]
    date = _most([r.date for r in pool])
    start = min(span[0] for _, span in dated)
    end = max(span[1] for _, span in dated)
    precision = "day" if days else "month"
    return date, precision, DateRange(start=start.isoformat(), end=end.isoformat())


def _counts(reports: list[Report]) -> list[StoryCount]:
    grouped: dict[tuple[str, str | None], list[tuple[Report, Count]]] = {}
    for r in reports:
        for c in r.counts:
            grouped.setdefault((c.kind, c.object), []).append((r, c))
    out = []
    for (_, obj), items in grouped.items():
        reported = [
            CountReport(
                value=c.value,
                qualifier=c.qualifier,
                event_id=r.event_id,
                article_id=r.article_id,
                source=r.source,
            )
            for r, c in items
        ]
        value, qualifier, rule = consensus_count(reported)
        out.append(
            StoryCount(
                kind=items[0][1].kind,
                value=value,
                qualifier=qualifier,
                rule=rule,
                object=obj,
                reports=reported,
            )
        )
    return out


def consensus_count(reported: list[CountReport]):
    """Highest exact value, else highest lower bound, else highest approximate, else lowest
    upper bound: tolls rise as reports come in, and a later exact figure settles a range."""
    for qualifier, rule, pick in (
        ("exact", "highest_exact", max),
        ("at_least", "highest_lower_bound", max),
        ("approx", "highest_approx", max),
        ("at_most", "lowest_upper_bound", min),
    ):
        values = [c.value for c in reported if c.qualifier == qualifier]
        if values:
            return pick(values), qualifier, rule
    raise ValueError("no count reported")
