"""The state-store interface shared by the SQLite and PostgreSQL backends.

Leases make work safe to share: a claimed feed or link belongs to one owner
until `lease_until`; an owner that dies simply lets the lease lapse.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, Protocol

from newsflow.models import SourceItem, StoryState

LinkStatus = Literal["pending", "in_flight", "done", "failed"]
# Open stories read per blocking key, the latest filed under it: a common name or the
# all-places key holds every story of a type and week (stories.blocks). Of those, the
# STORY_CANDIDATES sharing the most keys with the report are parsed and judged: parsing and
# judging a story is most of a link's cost (~0.1 ms each, make bench); on the ECB+ tune
# topics 10 candidates cluster as well as 30.
STORIES_PER_KEY = 50
STORY_CANDIDATES = 12


@dataclass(frozen=True)
class FeedState:
    source_id: str
    url: str
    etag: str | None = None
    last_modified: str | None = None
    next_poll_at: datetime | None = None
    interval: float | None = None
    error_streak: int = 0
    last_status: str | None = None
    last_error: str | None = None
    last_polled_at: datetime | None = None
    last_success_at: datetime | None = None
    first_polled: bool = False


@dataclass(frozen=True)
class Link:
    url: str
    item: SourceItem
    status: LinkStatus
    attempts: int
    discovered_at: datetime


@dataclass(frozen=True)
class FailedLink:
    url: str
    source_id: str
    stage: str
    reason: str
    detail: str
    attempts: int
    failed_at: datetime


@dataclass(frozen=True)
class StoryWrite:
    """What story resolution decided, for the store to save in the same transaction: the
    story (filed under `keys` too; the keys it had stay, as a story's keys only grow) and the ids of stories it absorbed
    (deleted). `story` None: nothing to write (the report was linked already)."""

    story: StoryState | None
    keys: list[str] = field(default_factory=list)
    absorbed: list[str] = field(default_factory=list)


class StateStore(Protocol):
    """Durable state of one deployment; every method is safe to call from many replicas."""

    async def open(self) -> None: ...
    async def close(self) -> None: ...

    # feeds
    async def sync_sources(self, sources: list[tuple[str, str]], now: datetime) -> None: ...
    async def claim_due_feeds(
        self, now: datetime, limit: int, lease_seconds: float, owner: str, *, force: bool = False
    ) -> list[FeedState]: ...
    async def save_feed(self, state: FeedState) -> None: ...
    async def feed_states(self) -> list[FeedState]: ...

    # frontier
    async def add_links(self, items: list[SourceItem], now: datetime) -> int: ...
    async def claim_links(
        self, now: datetime, limit: int, lease_seconds: float, owner: str
    ) -> list[Link]:
        """Lease up to `limit` pending links, or in-flight ones whose lease lapsed, oldest first."""
        ...

    async def mark_done(
        self, url: str, now: datetime, article_id: str | None, *, owner: str
    ) -> bool:
        """Mark a link `owner` holds done; False (nothing changed) once its lease went to another."""
        ...

    async def mark_failed(
        self, url: str, now: datetime, *, owner: str, stage: str, reason: str, detail: str
    ) -> bool:
        """Like mark_done: fenced by the lease owner."""
        ...

    async def release_links(self, urls: list[str]) -> None: ...
    async def extend_leases(self, owner: str, now: datetime, lease_seconds: float) -> None: ...
    async def recover_expired(self, now: datetime) -> int: ...
    async def recover_on_start(self, now: datetime) -> int: ...
    async def link_counts(self) -> dict[str, int]: ...
    async def failed_links(
        self, *, reason: str | None = None, since: datetime | None = None
    ) -> list[FailedLink]: ...
    async def requeue_failed(
        self, *, reason: str | None = None, since: datetime | None = None
    ) -> int: ...

    # dedup
    async def claim_fingerprint(
        self, fingerprint: int, article_id: str, url: str, now: datetime
    ) -> str | None: ...
    async def add_alternate(self, article_id: str, url: str, now: datetime) -> None: ...
    async def alternates(self, article_id: str) -> list[str]: ...

    # politeness shared by every worker of the deployment
    async def reserve_host_slot(self, host: str, now: datetime, min_delay: float) -> float:
        """Take `host`'s next start slot, min_delay after the last; the seconds to wait for it."""
        ...

    async def penalize_host(self, host: str, until: datetime) -> None:
        """Keep every worker away from `host` until `until` (a 429/503 Retry-After)."""
        ...

    # stories
    async def link_story(
        self,
        keys: list[str],
        decide: Callable[[list[StoryState]], StoryWrite],
        *,
        locks: list[str] | None = None,
    ) -> StoryWrite:
        """In one transaction, holding a lock on each of `locks` (default `keys`; replicas
        resolving reports of one happening take turns): read the open stories filed under any of
        `keys` (per key, the STORIES_PER_KEY latest filed under it; of those, the
        STORY_CANDIDATES filed under most of `keys`, the latest updated first), oldest opened first,
        call `decide` with them, and save what it returns. `decide` must be pure: when a
        story it read changed meanwhile, the store reads again and calls it again."""
        ...

    async def close_stories(self, before: datetime, limit: int) -> list[StoryState]:
        """Close up to `limit` stories: those left closing by an earlier sweep, then open ones
        last updated before `before`, which leave the index. They are returned, status closed,
        for publishing, and stay 'closing' until `stories_closed` says they were published."""
        ...

    async def stories_closed(self, story_ids: list[str]) -> None:
        """The closed stories were published: they are done."""
        ...

    async def story_counts(self) -> dict[str, int]:
        """Stories by status: open, closing, closed."""
        ...
