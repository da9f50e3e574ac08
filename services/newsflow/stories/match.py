"""Is a report the same happening as an open story? A score with its reasons, or a veto.

Vetoes are facts that cannot both be true of one happening: other type or mode, dates apart
by more than the window, different places at the finest level both reports know, counts that
contradict, or a second event of an article already in the story (the coder merges the
events of one article that are one happening, so two left apart are two). Agreement on
place, day, parties, counts and names adds to the score.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from typing import NamedTuple

import yaml

from newsflow.models import Actor, Count, Location, Report, StoryState
from newsflow.stories.blocks import day_range


@dataclass(frozen=True)
class Weights:
    """Evidence weights and the bar a match must clear; tuned on the ECB+ tune topics."""

    threshold: float = 2.0
    date_window_days: int = 2  # day-precision reports this far apart can be one happening
    same_place: float = 1.5  # same city or site
    same_admin1: float = 0.75
    same_country: float = 0.25
    same_day: float = 1.0
    near_day: float = 0.5
    party: float = 0.5  # per role whose countries or names agree
    party_conflict: float = -0.75  # per role whose countries disagree
    counts_agree: float = 0.5
    same_mode: float = 0.25
    names: float = 3.0  # times the share of the smaller name set found in the other
    min_names: int = 2  # names shared before the names term counts
    core_names: int = 12  # a story's most reported names: a grown story must not match all
    context: float = 4.5  # times the share of the articles' repeated names the two share


class Match(NamedTuple):
    score: float
    reasons: tuple[str, ...]
    veto: str | None = None

    @property
    def vetoed(self) -> bool:
        return self.veto is not None


@cache
def mode_groups() -> tuple[frozenset[str], ...]:
    text = resources.files("newsflow.stories").joinpath("modes.yaml").read_text("utf-8")
    return tuple(frozenset(g) for g in yaml.safe_load(text)["groups"])


def modes_compatible(a: str | None, b: str | None) -> bool:
    if a is None or b is None or a == b:
        return True
    return any(a in g and b in g for g in mode_groups())


class Profile(NamedTuple):
    """What a story says about itself, gathered once from its reports."""

    event_type: str
    modes: frozenset[str]
    days: tuple[date, date] | None
    dated_by_day: bool
    locations: tuple[Location, ...]
    actor_countries: frozenset[str]
    recipient_countries: frozenset[str]
    actor_names: frozenset[str]
    recipient_names: frozenset[str]
    counts: tuple[Count, ...]
    names: Counter[str]
    context: Counter[str]
    events: frozenset[str]
    coded_by: frozenset[tuple[str, str | None]]  # (article, coder version) of each report


def profile(story: StoryState) -> Profile:
    spans = [s for r in story.reports if (s := day_range(r.date, r.date_precision))]
    days = (min(s[0] for s in spans), max(s[1] for s in spans)) if spans else None
    names: Counter[str] = Counter()
    context: Counter[str] = Counter()
    for r in story.reports:
        names.update(r.names)
        context.update(r.context)
    return Profile(
        event_type=str(story.reports[0].event_type),
        modes=frozenset(r.mode for r in story.reports if r.mode),
        days=days,
        dated_by_day=any(r.date_precision == "day" for r in story.reports),
        locations=tuple(r.location for r in story.reports if r.location is not None),
        actor_countries=_countries(a for r in story.reports for a in r.actors),
        recipient_countries=_countries(a for r in story.reports for a in r.recipients),
        actor_names=frozenset(a.name.lower() for r in story.reports for a in r.actors),
        recipient_names=frozenset(a.name.lower() for r in story.reports for a in r.recipients),
        counts=tuple(c for r in story.reports for c in r.counts),
        names=names,
        context=context,
        events=frozenset(r.event_id for r in story.reports),
        coded_by=frozenset((r.article_id, r.coder_version) for r in story.reports),
    )


def _countries(actors) -> frozenset[str]:
    return frozenset(a.country for a in actors if a.country)


def match(report: Report, story: Profile, w: Weights) -> Match:
    """Score `report` against a story's profile; pure."""
    if str(report.event_type) != story.event_type:
        return Match(0.0, (), f"type {report.event_type} vs {story.event_type}")
    if (report.article_id, report.coder_version) in story.coded_by and (
        report.event_id not in story.events
    ):
        return Match(0.0, (), "a second event of one article")
    if report.mode and any(not modes_compatible(report.mode, m) for m in story.modes):
        return Match(0.0, (), f"mode {report.mode} vs {'/'.join(sorted(story.modes))}")
    score, reasons = 0.0, list[str]()

    dates = _dates(report, story, w, reasons)
    if isinstance(dates, str):
        return Match(0.0, (), dates)
    place = _place(report.location, story.locations, w, reasons)
    if isinstance(place, str):
        return Match(0.0, (), place)
    score += dates + place
    counts = _counts(report.counts, story.counts)
    if isinstance(counts, str):
        return Match(0.0, (), counts)
    if counts:
        score += w.counts_agree
        reasons.append("counts agree")
    for role, actors, countries, names in (
        ("actor", report.actors, story.actor_countries, story.actor_names),
        ("recipient", report.recipients, story.recipient_countries, story.recipient_names),
    ):
        score += _party(role, actors, countries, names, w, reasons)
    if report.mode and report.mode in story.modes:
        score += w.same_mode
        reasons.append(f"mode {report.mode}")
    score += _names(report.names, story.names, w.names, w, reasons, "names")
    score += _names(report.context, story.context, w.context, w, reasons, "articles name")
    return Match(round(score, 4), tuple(reasons))


def _dates(report: Report, story: Profile, w: Weights, reasons: list[str]) -> float | str:
    span = day_range(report.date, report.date_precision)
    if span is None or story.days is None:
        return 0.0
    lo, hi = story.days
    gap = max((span[0] - hi).days, (lo - span[1]).days, 0)
    by_day = report.date_precision == "day" and story.dated_by_day
    if gap > (w.date_window_days if by_day else 0):
        return f"dates {gap} days apart"
    if by_day and lo == hi == span[0]:
        reasons.append("same day")
        return w.same_day
    reasons.append("dates overlap" if gap == 0 else f"{gap} days apart")
    return w.near_day


def _place(
    loc: Location | None, known: tuple[Location, ...], w: Weights, reasons: list[str]
) -> float | str:
    """The finest level both know decides: same place adds, different places veto."""
    if loc is None or not known:
        return 0.0
    best = 0.0
    for other in known:
        level = _compare_place(loc, other)
        if level == "conflict":
            return f"places {loc.name} vs {other.name}"
        best = max(
            best,
            {"place": w.same_place, "admin1": w.same_admin1, "country": w.same_country}.get(
                level, 0.0
            ),
        )
    if best:
        reasons.append(
            "same place"
            if best == w.same_place
            else "same region"
            if best == w.same_admin1
            else "same country"
        )
    return best


def _compare_place(a: Location, b: Location) -> str:
    if a.country and b.country and a.country != b.country:
        return "conflict"
    if a.precision in ("city", "site") and b.precision in ("city", "site"):
        same = (a.geonameid is not None and a.geonameid == b.geonameid) or (
            a.name.lower() == b.name.lower()
        )
        if same:
            return "place"
        if a.precision == b.precision == "city":
            return "conflict"  # two known cities; a site may lie inside either
    if a.admin1 and b.admin1:
        return "admin1" if a.admin1 == b.admin1 else "conflict"
    if a.country and a.country == b.country:
        return "country"
    return "none"


def interval(c: Count) -> tuple[float, float]:
    v = float(c.value)
    return {
        "exact": (v, v),
        "at_least": (v, float("inf")),
        "at_most": (0.0, v),
        "approx": (v * 0.7, v * 1.3),
    }[c.qualifier]


RISE = 3.0  # early tolls grow: exact figures within this ratio can be one happening's


def _counts(mine: list[Count], theirs: tuple[Count, ...]) -> bool | str:
    """True when a count kind both report agrees, a veto text when one contradicts."""
    agree = False
    for a in mine:
        for b in theirs:
            if a.kind != b.kind or a.kind in ("other", "launched", "intercepted"):
                continue
            (alo, ahi), (blo, bhi) = interval(a), interval(b)
            if alo <= bhi and blo <= ahi:
                agree = True
                continue
            small, big = sorted((max(alo, 0.0), max(blo, 0.0)))
            if small == 0 or big / small > RISE:
                return f"{a.kind} {a.value} vs {b.value}"
            agree = True
    return agree


def _party(
    role: str,
    actors: list[Actor],
    countries: frozenset[str],
    names: frozenset[str],
    w: Weights,
    reasons: list[str],
) -> float:
    if not actors:
        return 0.0
    mine = {a.country for a in actors if a.country}
    if any(a.name.lower() in names for a in actors) or (mine and mine & countries):
        reasons.append(f"{role} agrees")
        return w.party
    if mine and countries:
        reasons.append(f"{role} countries differ")
        return w.party_conflict
    return 0.0


def _names(
    mine: list[str],
    theirs: Counter[str],
    weight: float,
    w: Weights,
    reasons: list[str],
    label: str,
) -> float:
    if not mine or not theirs:
        return 0.0
    core = {n for n, _ in theirs.most_common(w.core_names)}
    shared = [n for n in mine if n in core]
    if len(shared) < w.min_names:
        return 0.0
    share = len(shared) / min(len(mine), len(core))
    reasons.append(f"{label} " + ", ".join(sorted(shared)[:4]))
    return weight * share
