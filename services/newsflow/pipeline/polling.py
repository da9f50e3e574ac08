"""Polling sources: fetch a feed, sitemap or page, and add its links to the frontier."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import datetime, timedelta

import structlog

from newsflow import observability as obs
from newsflow.config import FetchSettings, PollSettings, SourceConfig
from newsflow.fetch.client import Fetcher, FetchOutcome
from newsflow.fetch.robots import applies_to_listed
from newsflow.models import SourceItem, utcnow
from newsflow.sources import schedule
from newsflow.sources.discovery import Discovery
from newsflow.sources.parse import parse_source
from newsflow.sources.sitemaps import parse_sitemap
from newsflow.state.base import FeedState, StateStore
from newsflow.urls import canonicalize

log = structlog.get_logger("newsflow.sources")

MAX_CHILD_SITEMAPS = 50


class SourcePoller:
    """Polls one source at a time; decisions come from sources.schedule (pure)."""

    def __init__(
        self,
        fetcher: Fetcher,
        store: StateStore,
        poll: PollSettings,
        *,
        fetch: FetchSettings,
        rng: random.Random | None = None,
    ) -> None:
        self.fetcher = fetcher
        self.store = store
        self.poll = poll
        self.fetch = fetch
        self.rng = rng or random.Random()

    async def poll_source(self, source: SourceConfig, state: FeedState) -> int:
        """Poll once and save the feed's new state; return how many new links were queued."""
        outcome = await self.fetcher.fetch(
            source.url,
            etag=state.etag,
            last_modified=state.last_modified,
            check_robots=applies_to_listed(source.respect_robots, self.fetch),
        )
        now = utcnow()
        since = (
            None if state.first_polled else schedule.first_poll_since(now=now, settings=self.poll)
        )
        bound = log.bind(source_id=source.id, url=source.url)
        if outcome.not_modified:
            await self._success(source, state, now, outcome, new=0, newest=None)
            obs.POLLS.labels("not_modified", "").inc()
            bound.info("source_poll", status="not_modified")
            return 0
        if not outcome.ok:
            await self._failure(source, state, now, outcome)
            bound.warning(
                "source_poll",
                status="error",
                reason=str(outcome.reason),
                detail=outcome.detail,
                error_streak=state.error_streak + 1,
            )
            return 0
        discovery = parse_source(
            source, outcome.body, outcome.text, base_url=outcome.url, now=now, since=since
        )
        items = list(discovery.items)
        if source.kind == "sitemap":
            items += await self._children(source, discovery, now, since)
        added = await self.store.add_links(_normalized(items), now)
        for warning in discovery.warnings:
            bound.warning("source_parse", status="warning", detail=warning)
        obs.LINKS.labels(source.id).inc(added)
        obs.POLLS.labels("ok", "").inc()
        await self._success(source, state, now, outcome, new=added, newest=discovery.newest)
        bound.info("source_poll", status="ok", items=len(items), new=added)
        return added

    async def _children(
        self, source: SourceConfig, discovery: Discovery, now: datetime, since: datetime | None
    ) -> list[SourceItem]:
        """Sitemap index: fetch the child sitemaps once, one level deep."""
        items: list[SourceItem] = []
        for child in list(discovery.children)[:MAX_CHILD_SITEMAPS]:
            outcome = await self.fetcher.fetch(child)
            if outcome.ok:
                sub = parse_sitemap(
                    outcome.body, source=source, base_url=outcome.url, now=now, since=since
                )
                items += sub.items
            else:
                log.warning(
                    "source_poll",
                    source_id=source.id,
                    status="child_error",
                    reason=str(outcome.reason),
                    detail=outcome.detail,
                )
        return items

    async def _success(
        self,
        source: SourceConfig,
        state: FeedState,
        now: datetime,
        outcome: FetchOutcome,
        *,
        new: int,
        newest: datetime | None,
    ) -> None:
        gap = (now - newest).total_seconds() if newest else None
        interval = schedule.next_poll_after_success(
            now=now,
            interval_now=state.interval or source.poll_interval,
            new_items=new,
            newest_gap=gap,
            settings=self.poll,
            base_interval=source.poll_interval,
        )
        await self.store.save_feed(
            replace(
                state,
                etag=outcome.etag or state.etag,
                last_modified=outcome.last_modified or state.last_modified,
                next_poll_at=now + timedelta(seconds=interval),
                interval=interval,
                error_streak=0,
                last_status="not_modified" if outcome.not_modified else "ok",
                last_error=None,
                last_polled_at=now,
                last_success_at=now,
                first_polled=True,
            )
        )
        obs.SOURCE_HEALTHY.labels(source.id).set(1)
        obs.SOURCE_ERROR_STREAK.labels(source.id).set(0)
        obs.SOURCE_LAST_SUCCESS.labels(source.id).set(now.timestamp())

    async def _failure(
        self, source: SourceConfig, state: FeedState, now: datetime, outcome: FetchOutcome
    ) -> None:
        streak = state.error_streak + 1
        delay = schedule.backoff_delay(error_streak=streak, settings=self.poll, rng=self.rng)
        if outcome.retry_after:
            delay = max(delay, outcome.retry_after)
        await self.store.save_feed(
            replace(
                state,
                next_poll_at=now + timedelta(seconds=delay),
                error_streak=streak,
                last_status=str(outcome.reason),
                last_error=outcome.detail[:500],
                last_polled_at=now,
            )
        )
        obs.POLLS.labels("error", str(outcome.reason)).inc()
        obs.SOURCE_HEALTHY.labels(source.id).set(0)
        obs.SOURCE_ERROR_STREAK.labels(source.id).set(streak)


def _normalized(items: list[SourceItem]) -> list[SourceItem]:
    """Frontier keys are canonical URLs, so tracking-parameter variants collapse into one link."""
    out: dict[str, SourceItem] = {}
    for item in items:
        url = canonicalize(item.url)
        out.setdefault(url, item.model_copy(update={"url": url}))
    return list(out.values())
