"""Builds the long-lived parts from `Settings`, once, for every command.

`run`, `reprocess`, `extract`, `sources check` and `tail` all take their worker pool,
fetcher, publisher, store and consumer from here, so two commands given the same
settings code the same text into the same event ids (the coder version is hashed
into each id).
"""

from __future__ import annotations

from collections.abc import Sequence

from newsflow.config import Settings
from newsflow.extract.pool import WorkerPool
from newsflow.fetch.client import Fetcher
from newsflow.fetch.politeness import FleetClock
from newsflow.processing import init_worker
from newsflow.publish.consumer import AIOKafkaConsumer, build_consumer
from newsflow.publish.kafka import Publisher
from newsflow.state import open_store
from newsflow.state.base import StateStore


def coder_args(settings: Settings, *, events: bool = True) -> tuple[str | None, str | None]:
    """`init_worker` arguments: the spaCy model (None: no coding) and the coder version."""
    enabled = events and settings.events.enabled
    return (settings.events.spacy_model if enabled else None, settings.events.coder_version)


def worker_pool(settings: Settings, *, events: bool = True) -> WorkerPool:
    """Worker processes that extract and code; `events=False` only extracts."""
    s = settings.extract
    return WorkerPool(s.workers, s.timeout, init_worker, coder_args(settings, events=events))


def init_here(settings: Settings, *, events: bool = True) -> None:
    """Set up this process as a worker would be (the one-document `extract` path)."""
    init_worker(*coder_args(settings, events=events))


def fetcher(settings: Settings, *, fleet: FleetClock | None = None) -> Fetcher:
    return Fetcher(settings.fetch, fleet=fleet)


def publisher(
    settings: Settings,
    bootstrap: Sequence[str],
    *,
    idempotence: str | None = None,
    replica: str | None = None,
) -> Publisher:
    return Publisher(
        settings.kafka,
        bootstrap,
        idempotence=idempotence,
        raw_enabled=settings.raw.enabled,
        stories_enabled=stories_on(settings),
        replica=replica,
    )


def stories_on(settings: Settings) -> bool:
    """Stories are linked from event records: no events, no stories (nor their topic)."""
    return settings.stories.enabled and settings.events.enabled


def store(settings: Settings) -> StateStore:
    return open_store(settings)


def consumer(settings: Settings, bootstrap: Sequence[str], **options) -> AIOKafkaConsumer:
    """A reader that seeks by itself (tail, replay): no group, no committed offsets."""
    return build_consumer(settings.kafka, bootstrap, **options)
