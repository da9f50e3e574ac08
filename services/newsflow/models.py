"""Typed messages between stages and on Kafka.

Flow: SourceItem → FetchedPage → (processing.DocumentRequest in a worker) → Article
(+ EventRecord) → Story (stories/, in the daemon) → Kafka, or DeadLetter at any step. Published messages carry
`schema_version`; their JSON Schema is exported to `schemas/` by `newsflow schemas`
and checked by a test.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from newsflow.errors import Reason


class Message(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# --- internal messages (not published) ---------------------------------------------------


class SourceItem(Message):
    """A link discovered in a feed, sitemap or page, with what the source said about it."""

    source_id: str
    url: str
    guid: str | None = None
    title: str | None = None
    published_at: AwareDatetime | None = None
    content: str | None = Field(None, description="Full text or HTML carried by the feed entry.")
    language: str | None = None
    tags: tuple[str, ...] = ()


class FetchedPage(Message):
    """A page ready for extraction, whatever brought it: a fetch, a full-text feed entry,
    the raw topic (replay) or the `extract` command. The only message from fetching to
    the workers; pipeline/plan.py turns it into the worker's request."""

    requested_url: str = Field(description="The link as queued; dead letters are keyed by it.")
    url: str = Field(description="Where the body came from, after redirects.")
    body: str
    content_type: str = Field(description="Media type, lower-case, without parameters.")
    source_id: str
    source_url: str = ""
    fetched_at: AwareDatetime
    title: str | None = Field(None, description="Title the source gave.")
    published_at: AwareDatetime | None = Field(
        None, description="Publication time the source gave."
    )
    tags: tuple[str, ...] = ()
    language: str | None = None
    from_feed: bool = Field(False, description="The body is the feed entry's own text.")
    article_id: str | None = Field(None, description="Key of an earlier publication (replay).")


# --- published messages --------------------------------------------------------------------


class SourceRef(Message):
    id: str = Field(description="Source id from the configuration.")
    url: str = Field(description="URL of the feed, sitemap or page the article came from.")
    domain: str = Field(description="Host of the article URL, lower-case, without 'www.'.")


class Extraction(Message):
    tool: str = Field(description="Extractor that produced the text, e.g. 'trafilatura'.")
    version: str = Field(description="Version of that extractor.")
    duration_ms: float = Field(description="Wall time of extraction and cleaning in the worker.")
    path: str = Field(
        "precision",
        description=(
            "Which pass produced the text: precision; recall (the recall pass merged in, when"
            " the page's evidence said text was missing); balanced (rescue when both kept under"
            " half); fallback (under extract.min_text_chars); feed (entry content) or text."
        ),
    )
    removed: dict[str, int] = Field(
        default_factory=dict,
        description="Blocks removed by the cleaners, counted by kind (cookie_banner, footer, ...).",
    )


class Article(Message):
    """An extracted, cleaned news article. Topic newsflow.articles.v1, key article_id."""

    schema_version: Literal[1] = 1
    article_id: str = Field(description="Stable id: hex SHA-256 prefix of the canonical URL.")
    url: str = Field(description="URL the article was fetched from, after redirects.")
    canonical_url: str = Field(description="Normalized canonical URL (rel=canonical applied).")
    alternate_urls: list[str] = Field(
        default_factory=list, description="Other URLs known to carry the same article."
    )
    source: SourceRef
    title: str | None = None
    authors: list[str] = Field(default_factory=list)
    published_at: AwareDatetime | None = Field(
        None, description="From the feed entry first, then the page metadata."
    )
    fetched_at: AwareDatetime
    language: str | None = Field(None, description="ISO 639-1 code.")
    tags: list[str] = Field(default_factory=list, description="Tags of the source.")
    text: str = Field(description="Cleaned main text; paragraphs separated by newlines.")
    word_count: int
    fingerprint: str = Field(description="64-bit SimHash of the cleaned text, 16 hex digits.")
    extraction: Extraction


class Coder(Message):
    name: str
    version: str


class EventType(StrEnum):
    """The 16 PLOVER 2.0 event types."""

    AGREE = "AGREE"
    CONSULT = "CONSULT"
    SUPPORT = "SUPPORT"
    CONCEDE = "CONCEDE"
    COOPERATE = "COOPERATE"
    AID = "AID"
    RETREAT = "RETREAT"
    REQUEST = "REQUEST"
    ACCUSE = "ACCUSE"
    REJECT = "REJECT"
    THREATEN = "THREATEN"
    SANCTION = "SANCTION"
    PROTEST = "PROTEST"
    MOBILIZE = "MOBILIZE"
    COERCE = "COERCE"
    ASSAULT = "ASSAULT"


Sector = Literal["GOV", "MIL", "REB", "CVL", "POL", "MED", "JUD", "BUS", "IGO", "NGO"]
Modality = Literal["asserted", "negated", "hypothetical", "future", "historical"]
CountKind = Literal[
    "killed",
    "injured",
    "arrested",
    "abducted",
    "missing",
    "displaced",
    "intercepted",
    "launched",
    "other",
]
Qualifier = Literal["exact", "at_least", "at_most", "approx"]


class Span(Message):
    start: int = Field(ge=0, description="Character offset into article.text, inclusive.")
    end: int = Field(ge=0, description="Character offset into article.text, exclusive.")


class Acled(Message):
    event_type: str = Field(description="ACLED event type, codebook spelling.")
    sub_event_type: str = Field(description="ACLED sub-event type, codebook spelling.")


class Actor(Message):
    text: str = Field(description="The words in the sentence that name the actor.")
    name: str = Field(description="Normalized name.")
    country: str | None = Field(None, description="ISO 3166-1 alpha-3.")
    sector: Sector | None = None


class Location(Message):
    text: str = Field(description="The words in the sentence that name the place.")
    name: str
    country: str | None = Field(None, description="ISO 3166-1 alpha-3.")
    admin1: str | None = Field(None, description="ISO 3166-2 subdivision code.")
    geonameid: int | None = None
    lat: float | None = None
    lon: float | None = None
    precision: Literal["city", "admin1", "country", "site"] = Field(
        description="site: a named place the gazetteer does not know; no country or coordinates."
    )


class Count(Message):
    kind: CountKind
    value: int = Field(ge=0)
    qualifier: Qualifier
    object: str | None = Field(None, description="What was counted when not people, e.g. 'drones'.")
    text: str = Field(description="The words the number was read from.")
    span: Span


class Evidence(Message):
    sentence: str
    span: Span = Field(description="Offsets of the sentence in article.text.")
    trigger: str | None = Field(None, description="The words that name the event.")
    trigger_span: Span | None = Field(None, description="Offsets of the trigger in article.text.")


class EventRecord(Message):
    """One coded event. Topic newsflow.events.v1, key event_id."""

    schema_version: Literal[1] = 1
    event_id: str = Field(
        description="Stable: same article text and coder version give the same id."
    )
    article_id: str
    coder: Coder
    event_type: EventType
    mode: str | None = Field(None, description="PLOVER mode of the event type, or null.")
    contexts: list[str] = Field(default_factory=list, description="PLOVER contexts.")
    quad_class: int = Field(
        ge=1,
        le=4,
        description="1 verbal coop, 2 material coop, 3 verbal conflict, 4 material conflict.",
    )
    acled: Acled | None = None
    actors: list[Actor] = Field(default_factory=list)
    recipients: list[Actor] = Field(default_factory=list)
    location: Location | None = None
    date: str | None = Field(None, description="ISO 8601 date, full or partial ('2024-08').")
    date_precision: Literal["day", "month", "year"] | None = None
    date_source: Literal["text", "published"] | None = None
    modality: Modality = "asserted"
    counts: list[Count] = Field(default_factory=list)
    evidence: Evidence
    confidence: float = Field(ge=0, le=1)


class DateRange(Message):
    start: str = Field(description="ISO 8601 date, first day the reports allow.")
    end: str = Field(description="ISO 8601 date, last day the reports allow.")


class CountReport(Message):
    value: int = Field(ge=0)
    qualifier: Qualifier
    event_id: str
    article_id: str
    source: str = Field(description="Domain of the article that reported it.")


class StoryCount(Message):
    kind: CountKind
    value: int = Field(ge=0)
    qualifier: Qualifier
    rule: Literal[
        "highest_exact", "highest_lower_bound", "highest_approx", "lowest_upper_bound"
    ] = Field(description="How the value was chosen from the reports.")
    object: str | None = None
    reports: list[CountReport] = Field(description="Every value reported, with its source.")


class Story(Message):
    """One real-world happening, from every event record that reports it.
    Topic newsflow.stories.v1 (compacted), key story_id; the latest value is the story."""

    schema_version: Literal[1] = 1
    story_id: str = Field(description="Stable: derived from the first event that opened it.")
    status: Literal["open", "closed"] = Field(
        description="closed: past stories.horizon_days without a new report; no longer linked to."
    )
    event_type: EventType
    mode: str | None = None
    quad_class: int = Field(ge=1, le=4)
    acled: Acled | None = None
    actors: list[Actor] = Field(default_factory=list)
    recipients: list[Actor] = Field(default_factory=list)
    location: Location | None = Field(None, description="The finest place the reports agree on.")
    date: str | None = Field(None, description="Consensus date, ISO 8601, full or partial.")
    date_precision: Literal["day", "month", "year"] | None = None
    date_range: DateRange | None = Field(None, description="Days every dated report allows.")
    counts: list[StoryCount] = Field(default_factory=list)
    num_articles: int = Field(ge=1)
    num_sources: int = Field(ge=1, description="Distinct sites (article domains).")
    num_mentions: int = Field(ge=1, description="Event records linked, one per article at most.")
    first_published: AwareDatetime | None = None
    latest_published: AwareDatetime | None = None
    event_ids: list[str]
    article_ids: list[str]
    merged_ids: list[str] = Field(
        default_factory=list, description="Stories found to be this one and absorbed into it."
    )
    confidence: float = Field(ge=0, le=1)
    updated_at: AwareDatetime


class StoryMerge(Message):
    """Story `story_id` was found to be `merged_into`. Same topic and key as the absorbed
    story, followed by a tombstone for that key."""

    schema_version: Literal[1] = 1
    story_id: str = Field(description="The absorbed story; its key is deleted next.")
    merged_into: str
    score: float
    reasons: list[str] = Field(description="Why the two were judged one happening.")
    merged_at: AwareDatetime


class StoryTombstone(Message):
    """Deletes an absorbed story's key from the compacted stories topic: published as a
    record with this key and a null value, after the StoryMerge that explains it."""

    story_id: str


# --- story resolution state (kept in the state store, not published) ---------------------


class Report(Message):
    """What the story resolver keeps of one event record: enough to judge a match and to
    rebuild the story's consensus without the article."""

    event_id: str
    article_id: str
    coder_version: str | None = Field(
        None, description="The coder that made the event; a replay by another one replaces it."
    )
    source: str = Field(description="Domain of the article.")
    published: AwareDatetime | None = None
    event_type: EventType
    mode: str | None = None
    quad_class: int = Field(ge=1, le=4)
    acled: Acled | None = None
    modality: Modality = "asserted"
    actors: list[Actor] = Field(default_factory=list)
    recipients: list[Actor] = Field(default_factory=list)
    location: Location | None = None
    date: str | None = None
    date_precision: Literal["day", "month", "year"] | None = None
    counts: list[Count] = Field(default_factory=list)
    names: list[str] = Field(
        default_factory=list, description="Proper names of the event's sentence, lower-case."
    )
    context: list[str] = Field(
        default_factory=list, description="The article's most repeated proper names, lower-case."
    )
    confidence: float = Field(ge=0, le=1)


class StoryState(Message):
    """An open story as stored: its reports, oldest first, and the stories it absorbed."""

    story_id: str
    reports: list[Report]
    merged_ids: list[str] = Field(default_factory=list)
    opened_at: AwareDatetime
    updated_at: AwareDatetime
    status: Literal["open", "closed"] = "open"


class Stage(StrEnum):
    SOURCE = "source"
    FETCH = "fetch"
    EXTRACT = "extract"
    CODE = "code"
    DEDUP = "dedup"  # claiming the fingerprint, before anything is published
    PUBLISH = "publish"


class DeadLetter(Message):
    """A link or document that could not be turned into an article. Topic newsflow.dlq.v1."""

    schema_version: Literal[1] = 1
    dead_letter_id: str = Field(description="Stable per (url, stage, reason, attempts).")
    url: str
    source_id: str | None = None
    stage: Stage
    reason: Reason
    detail: str = Field(description="Human-readable error message.")
    retriable: bool
    attempts: int = Field(ge=1)
    failed_at: AwareDatetime
    article_id: str | None = None


class RawPage(Message):
    """A fetched page kept for replay. Topic newsflow.raw.v1, key article_id; value compressed by the producer."""

    schema_version: Literal[1] = 1
    article_id: str
    url: str
    source_id: str
    content_type: str
    fetched_at: AwareDatetime
    published_hint: AwareDatetime | None = Field(
        None, description="Publication time the source gave."
    )
    body: str


PUBLISHED: dict[str, type[Message]] = {
    "article": Article,
    "event": EventRecord,
    "dead-letter": DeadLetter,
    "raw-page": RawPage,
    "story": Story,
    "story-merge": StoryMerge,
}


def utcnow() -> datetime:
    """Timezone-aware now; the one clock used outside pure decision functions."""
    return datetime.now(UTC)
