"""Reports built from plain values for the story tests."""

from __future__ import annotations

from datetime import UTC, datetime

from newsflow.models import Actor, Count, Location, Report, Span, StoryState

T0 = datetime(2025, 2, 12, 20, 0, tzinfo=UTC)
KYIV = Location(
    text="Kyiv", name="Kyiv", country="UKR", admin1="UA-30", geonameid=703448, precision="city"
)
KHARKIV = Location(
    text="Kharkiv",
    name="Kharkiv",
    country="UKR",
    admin1="UA-63",
    geonameid=706483,
    precision="city",
)
CHERNIHIV_OBLAST = Location(
    text="Chernihiv region",
    name="Chernihivska oblast",
    country="UKR",
    admin1="UA-74",
    precision="admin1",
)
RUSSIA = Actor(text="Russia", name="Russia", country="RUS", sector="GOV")


def count(kind: str, value: int, qualifier: str = "exact") -> Count:
    return Count(
        kind=kind, value=value, qualifier=qualifier, text=str(value), span=Span(start=0, end=1)
    )  # type: ignore[arg-type]


def report(n: int, **over) -> Report:
    """Report number n of an air strike on Kyiv on 2025-02-12, from article n at site n."""
    values = {
        "event_id": f"e{n}",
        "article_id": f"a{n}",
        "source": f"site{n}.example",
        "published": T0,
        "event_type": "ASSAULT",
        "mode": "aerial",
        "quad_class": 4,
        "actors": [RUSSIA],
        "location": KYIV,
        "date": "2025-02-12",
        "date_precision": "day",
        "counts": [count("killed", 1)],
        "names": ["kyiv", "russia"],
        "confidence": 0.7,
    }
    values.update(over)
    return Report(**values)


def story(*reports: Report, story_id: str = "s1", opened: datetime = T0) -> StoryState:
    return StoryState(story_id=story_id, reports=list(reports), opened_at=opened, updated_at=opened)
