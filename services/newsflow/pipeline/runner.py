"""Pipeline lifecycle: open resources, run the loops, stop in the documented order.

On stop: (1) stop intake, (2) drain in-flight links or return them to pending,
(3) flush the producer, (4) leave state committed, (5) close everything in
reverse order of start-up. Steps 2 and 3 share one deadline, kafka.flush_timeout:
a link whose messages were not all acknowledged by then goes back to pending,
never to done.
"""

from __future__ import annotations

import asyncio
import os
import socket
import sys
import time
import uuid
from collections import Counter, defaultdict
from contextlib import AsyncExitStack, suppress

import structlog

from newsflow import __version__, assembly
from newsflow import observability as obs
from newsflow.config import Settings
from newsflow.models import utcnow
from newsflow.pipeline import plan
from newsflow.pipeline.articles import ArticleHandler
from newsflow.pipeline.fleet import StoreFleetClock
from newsflow.pipeline.polling import SourcePoller
from newsflow.pipeline.stories import CLOSE_BATCH, StoryLinker
from newsflow.pipeline.summary import coder_version, summary_line
from newsflow.publish.embedded import EMBEDDED_ADDRESS_FILE, EmbeddedBroker
from newsflow.state import discard_state
from newsflow.state.base import FeedState, Link, StateStore
from newsflow.state.lock import StateDirLock

log = structlog.get_logger("newsflow.pipeline")

# The frontier count scans every link ever seen; a gauge does not need it every tick.
FRONTIER_GAUGE_EVERY = 30.0
STORY_CLOSE_EVERY = 60.0  # stories close by the day: a minute late is on time


class Pipeline:
    def __init__(self, settings: Settings, *, once: bool = False) -> None:
        self.settings = settings
        self.once = once
        self.owner = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self.sources = {s.id: s for s in settings.sources}
        self.stats: Counter[str] = Counter()
        self._stop = asyncio.Event()
        self._polling_done = asyncio.Event()
        self._drained = asyncio.Event()
        self._queue: asyncio.Queue[Link | None] = asyncio.Queue(settings.pipeline.queue_size)
        self._inflight: dict[str, Link] = {}
        self._stack = AsyncExitStack()
        self.health: obs.HealthServer | None = None
        self.linker: StoryLinker | None = None

    # --- resources ---------------------------------------------------------------------

    async def __aenter__(self) -> Pipeline:
        s = self.settings
        try:
            bootstrap, idempotence = s.kafka.bootstrap_servers, None
            embedded = not bootstrap
            if s.state_dsn is None:  # SQLite: one daemon per state_dir
                lock = StateDirLock(s.state_dir)
                lock.acquire()
                self._stack.callback(lock.release)
            if embedded and s.state_dsn is None:
                # The in-memory broker starts empty: state that says "done" would leave
                # its topics empty for good. The state lives as long as the broker.
                discard_state(s.state_dir)
            self.store = await self._stack.enter_async_context(_Resource(assembly.store(s)))
            if embedded:
                s.state_dir.mkdir(parents=True, exist_ok=True)
                broker = EmbeddedBroker(
                    log_path=s.state_dir / "embedded-broker.log",
                    address_file=s.state_dir / EMBEDDED_ADDRESS_FILE,
                )
                await self._stack.enter_async_context(broker)
                supervisor = asyncio.create_task(broker.supervise(), name="embedded-broker")
                self._stack.push_async_callback(_cancel, supervisor)
                log.info(
                    "embedded_broker",
                    status="in_use",
                    bootstrap=broker.bootstrap,
                    detail="no kafka.bootstrap_servers configured: topics are kept in memory "
                    "and the SQLite state is reset at each start, so every run publishes all "
                    "it finds again; set kafka.bootstrap_servers to keep both",
                )
                bootstrap, idempotence = [broker.bootstrap], "off"
            self.publisher = assembly.publisher(
                s, bootstrap, idempotence=idempotence, replica=self.owner
            )
            await self.publisher.start()
            self._stack.push_async_callback(self.publisher.stop)
            # With shared state the per-host pace holds for the whole fleet, not per replica.
            fleet = StoreFleetClock(self.store) if s.state_dsn is not None else None
            self.fetcher = await self._stack.enter_async_context(assembly.fetcher(s, fleet=fleet))
            self.pool = assembly.worker_pool(s)
            self._stack.callback(self.pool.close)
            self.linker = (
                StoryLinker(s.stories, self.store, self.publisher)
                if assembly.stories_on(s)
                else None
            )
            self.health = obs.HealthServer(
                s.observability,
                ready=lambda: self.publisher.ready,
                address_file=s.state_dir / obs.HTTP_ADDRESS_FILE,
            )
            await self.health.start()
            self._stack.push_async_callback(self.health.stop)
        except BaseException:
            await self._stack.aclose()
            raise
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._stack.aclose()

    def request_stop(self) -> None:
        self._stop.set()

    # --- main loop ---------------------------------------------------------------------

    async def run(self) -> defaultdict[str, float]:
        s = self.settings
        started = time.monotonic()
        now = utcnow()
        obs.BUILD.info(
            {"version": __version__, "coder_version": s.events.coder_version or coder_version()}
        )
        recovered = await self.store.recover_on_start(now)
        if recovered:
            log.info("frontier", status="recovered", links=recovered)
        await self.store.sync_sources([(x.id, x.url) for x in s.sources], now)
        poller = SourcePoller(self.fetcher, self.store, s.poll, fetch=s.fetch)
        handler = ArticleHandler(
            s.extract,
            s.raw,
            s.kafka,
            self.sources,
            self.fetcher,
            self.pool,
            self.publisher,
            self.store,
            self.stats,
            self.owner,
            stories=self.linker,
        )
        workers = [
            asyncio.create_task(self._worker(handler), name=f"worker-{i}")
            for i in range(s.fetch.concurrency)
        ]
        intake = [
            asyncio.create_task(self._schedule(poller), name="scheduler"),
            asyncio.create_task(self._dispatch(), name="dispatcher"),
            asyncio.create_task(self._housekeeping(), name="housekeeping"),
        ]
        if self.linker is not None:
            intake.append(asyncio.create_task(self._close_stories(), name="stories"))
        stop = asyncio.create_task(self._stop.wait())
        drained = asyncio.create_task(self._drained.wait())
        await asyncio.wait([stop, drained], return_when=asyncio.FIRST_COMPLETED)
        stop.cancel()
        drained.cancel()
        await self._shutdown(intake, workers)
        # The counts, plus the run's wall time; a count never made reads 0.
        totals: defaultdict[str, float] = defaultdict(int, self.stats)
        totals["seconds"] = round(time.monotonic() - started, 3)
        log.info("run", status="finished", **totals)
        return totals

    async def _schedule(self, poller: SourcePoller) -> None:
        s = self.settings
        slots = asyncio.Semaphore(16)

        async def poll(state: FeedState) -> None:
            async with slots:
                try:
                    await poller.poll_source(self.sources[state.source_id], state)
                    self.stats["polls"] += 1
                except Exception:
                    log.critical(
                        "source_poll", source_id=state.source_id, status="bug", exc_info=True
                    )

        batch = 64
        polled: set[str] = set()  # --once: every source once, however many batches it takes
        held: list[FeedState] = []
        while not self._stop.is_set():
            claimed = await self.store.claim_due_feeds(
                utcnow(), batch, s.poll.lease_seconds, self.owner, force=self.once
            )
            due = claimed
            if self.once:
                # force also claims the feeds this pass has polled (saving a feed ends its
                # lease): hold those until the pass ends, so later claims reach the rest.
                held += [d for d in claimed if d.source_id in polled]
                due = [d for d in claimed if d.source_id not in polled]
                polled.update(d.source_id for d in due)
            due = [d for d in due if d.source_id in self.sources]
            if due:
                await asyncio.gather(*(poll(d) for d in due))
            if self.once and not claimed:
                for state in held:  # unchanged since polled; saving only ends the lease
                    await self.store.save_feed(state)
                self._polling_done.set()
                return
            if len(claimed) < batch:  # a full batch means more are due now
                await _sleep_or(self._stop, 0.0 if self.once else 1.0)

    async def _dispatch(self) -> None:
        s = self.settings
        while not self._stop.is_set():
            free = self._queue.maxsize - self._queue.qsize()
            links = []
            if free > 0:
                links = await self._claim(min(free, s.pipeline.claim_batch))
            for link in links:
                await self._queue.put(link)
            if links:
                continue
            if (
                self.once
                and self._polling_done.is_set()
                and self._queue.empty()
                and not self._inflight
            ):
                self._drained.set()
                return
            await _sleep_or(self._stop, 0.2)

    async def _claim(self, limit: int) -> list[Link]:
        """Claims links and notes them in _inflight before anything else can interrupt.

        Shutdown cancels the dispatcher; a claim cancelled in flight still commits in the
        store, and links it took but nobody noted would stay leased to this run.
        """
        s = self.settings
        claim = asyncio.ensure_future(
            self.store.claim_links(utcnow(), limit, s.poll.lease_seconds, self.owner)
        )
        try:
            links = await asyncio.shield(claim)
        except asyncio.CancelledError:
            with suppress(Exception):  # a failed claim took nothing
                for link in await claim:
                    self._inflight[link.url] = link
            raise
        for link in links:
            self._inflight[link.url] = link
        return links

    async def _worker(self, handler: ArticleHandler) -> None:
        while True:
            link = await self._queue.get()
            if link is None:
                return
            if self._stop.is_set():
                continue  # queued but not started: released at shutdown
            try:
                await handler.handle(link)
                self._inflight.pop(link.url, None)
            except Exception as exc:
                log.warning("article", url=link.url, status="released", detail=str(exc))
                if not self._stop.is_set():
                    # Not at shutdown (e.g. the state store failed after delivery): hand the
                    # link back now, or its lease would be extended forever and --once
                    # would never drain. At shutdown, _shutdown releases it.
                    await self._release([link.url])

    async def _housekeeping(self) -> None:
        """Keeps leases alive, gauges current, and prints a summary line on a terminal."""
        s = self.settings
        last_summary = time.monotonic()
        last_counts = -FRONTIER_GAUGE_EVERY
        while not self._stop.is_set():
            now = utcnow()
            await self.store.extend_leases(self.owner, now, s.poll.lease_seconds)
            if time.monotonic() - last_counts >= FRONTIER_GAUGE_EVERY:
                last_counts = time.monotonic()
                for status, n in (await self.store.link_counts()).items():
                    obs.FRONTIER.labels(status).set(n)
            obs.BROKER_READY.set(1 if self.publisher.ready else 0)
            obs.QUEUE_DEPTH.labels("links").set(self._queue.qsize())
            if (
                sys.stderr.isatty()
                and time.monotonic() - last_summary >= s.observability.summary_interval
            ):
                last_summary = time.monotonic()
                feeds = [f for f in await self.store.feed_states() if f.source_id in self.sources]
                line = summary_line(self.stats, feeds, len(self.sources), self.publisher.ready)
                print(line, file=sys.stderr, flush=True)
            tick = min(5.0, s.poll.lease_seconds / 3, s.observability.summary_interval)
            await _sleep_or(self._stop, tick)

    async def _close_stories(self) -> None:
        """Closes stories past the horizon; apart from housekeeping, since publishing them
        waits out a broker outage and leases must not lapse meanwhile."""
        assert self.linker is not None
        while not self._stop.is_set():
            try:
                while await self.linker.close_due(utcnow()) >= CLOSE_BATCH:
                    pass
            except Exception as exc:
                if plan.must_release(exc):
                    return
                log.error("stories", status="error", exc_info=True)
            await _sleep_or(self._stop, STORY_CLOSE_EVERY)

    async def _shutdown(
        self, intake: list[asyncio.Task[None]], workers: list[asyncio.Task[None]]
    ) -> None:
        deadline = time.monotonic() + self.settings.kafka.flush_timeout
        self._stop.set()
        for task in intake:  # 1. stop intake
            task.cancel()
        await asyncio.gather(*intake, return_exceptions=True)
        # 2. drain: workers finish what they hold, then exit. Links queued but not started
        # stay in _inflight and are released below. The queue is emptied first: with the
        # broker away every worker is blocked and a full queue would never take a sentinel.
        while not self._queue.empty():
            self._queue.get_nowait()
        feeders = [asyncio.create_task(self._queue.put(None)) for _ in workers]
        _, pending = await asyncio.wait(workers, timeout=max(0.1, deadline - time.monotonic()))
        if pending:  # the broker is slow or away: abandon the waits, links go back to pending
            log.warning("run", status="flush_deadline", workers=len(pending))
            self.publisher.give_up()
            _done, pending = await asyncio.wait(pending, timeout=1)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        for task in feeders:
            task.cancel()
        if self._inflight:  # returned to pending: picked up by the next start
            released = await self._release(list(self._inflight))
            log.info("frontier", status="released", links=released)
        # 3. whatever is still buffered gets the rest of the deadline
        await self.publisher.stop(max(0.5, deadline - time.monotonic()))

    async def _release(self, urls: list[str]) -> int:
        for url in urls:
            self._inflight.pop(url, None)
        try:
            await self.store.release_links(urls)
        except Exception:  # the lease then lapses and another start takes the links
            log.critical("frontier", status="release_failed", links=len(urls), exc_info=True)
        return len(urls)


async def _sleep_or(event: asyncio.Event, seconds: float) -> None:
    with suppress(TimeoutError):
        await asyncio.wait_for(event.wait(), seconds)


async def _cancel(task: asyncio.Task[None]) -> None:
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


class _Resource:
    """Adapts an object with async open()/close() to an async context manager."""

    def __init__(self, resource: StateStore) -> None:
        self.resource = resource

    async def __aenter__(self) -> StateStore:
        await self.resource.open()
        return self.resource

    async def __aexit__(self, *exc: object) -> None:
        await self.resource.close()


def build_pipeline(settings: Settings, *, once: bool = False) -> Pipeline:
    return Pipeline(settings, once=once)
