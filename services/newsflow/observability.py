"""Logging, metrics and the health endpoints; configured once by the CLI.

Logs: one line per item and stage, a constant event name and `status=`.
Metrics mirror them: newsflow_<stage>_total{status,reason}. Labels take values
from bounded sets only (Reason, stage names, source ids from the config);
never a URL.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path

import structlog
from aiohttp import web
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    Counter,
    Gauge,
    Histogram,
    Info,
    disable_created_metrics,
    generate_latest,
)
from structlog.typing import FilteringBoundLogger

from newsflow.config import ObservabilitySettings
from newsflow.models import Stage


def configure_logging(settings: ObservabilitySettings) -> None:
    level = getattr(logging, settings.log_level.upper())
    fmt = settings.log_format
    if fmt == "auto":
        fmt = "console" if sys.stderr.isatty() else "json"
    renderer = (
        structlog.dev.ConsoleRenderer(colors=True)
        if fmt == "console"
        else structlog.processors.JSONRenderer()
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=_SafeLoggerFactory(sys.stderr),
        cache_logger_on_first_use=False,
    )
    _route_stdlib_logging(level, renderer)


class _SafePrintLogger(structlog.PrintLogger):
    """A PrintLogger that never raises. With its reader gone (`make run | tee`, Ctrl-C kills
    tee) a write fails with EPIPE, and a log call must not stop its caller, least of all a
    signal handler: the stream is pointed at /dev/null and later lines are dropped."""

    def msg(self, message: str) -> None:
        try:
            super().msg(message)
        except (OSError, ValueError):  # ValueError: the stream was closed
            _silence(self._file)

    log = debug = info = warn = warning = err = error = critical = exception = fatal = msg
    failure = msg


def _silence(stream) -> None:
    """Send a dead stream's descriptor to /dev/null, so buffered and later writes succeed."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, stream.fileno())
        os.close(null)
    except (OSError, ValueError):
        pass


class _SafeLoggerFactory:
    def __init__(self, file) -> None:
        self._file = file

    def __call__(self, *args: object) -> _SafePrintLogger:
        return _SafePrintLogger(self._file)


def _route_stdlib_logging(level: int, renderer) -> None:
    """Render records of libraries that use `logging` like our own lines, so a JSON log
    stream stays JSON (Python's last-resort handler would print bare text).

    aiokafka reports at ERROR what the publisher already handles and logs once with its
    meaning: Tansu's rejected InitProducerId, and every failed reconnect while a broker is
    away (kafka_broker status=unreachable). Its lines are kept for log_level=debug only.
    """
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[
            structlog.stdlib.add_log_level,
            structlog.stdlib.add_logger_name,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
        ],
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(max(level, logging.WARNING))  # libraries' INFO chatter is not ours to show
    logging.getLogger("aiokafka").setLevel(
        logging.WARNING if level <= logging.DEBUG else logging.CRITICAL
    )


# The *_created series double the output and no dashboard of ours reads them.
disable_created_metrics()

_DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)

POLLS = Counter("newsflow_source_polls_total", "Source polls by outcome.", ["status", "reason"])
FETCHES = Counter("newsflow_fetch_total", "Article fetches by outcome.", ["status", "reason"])
EXTRACTS = Counter("newsflow_extract_total", "Extractions by outcome.", ["status", "reason"])
CODINGS = Counter("newsflow_code_total", "Event coding runs by outcome.", ["status"])
PUBLISHED = Counter("newsflow_publish_total", "Messages acknowledged by the broker.", ["kind"])
STORIES = Counter(
    "newsflow_stories_total",
    "Events resolved to stories: opened, linked, merged, replayed; and stories closed.",
    ["status"],
)
DEAD_LETTERS = Counter(
    "newsflow_dead_letters_total", "Dead letters by stage and reason.", ["stage", "reason"]
)
DUPLICATES = Counter(
    "newsflow_dedup_total", "Articles not published again, by how they matched.", ["kind"]
)
LINKS = Counter("newsflow_links_discovered_total", "New links added to the frontier.", ["source"])
FETCH_SECONDS = Histogram(
    "newsflow_fetch_duration_seconds", "Fetch wall time.", buckets=_DURATION_BUCKETS
)
EXTRACT_SECONDS = Histogram(
    "newsflow_extract_duration_seconds",
    "Extraction and coding time of one document inside its worker (the work alone).",
    buckets=_DURATION_BUCKETS,
)
EXTRACT_QUEUE_SECONDS = Histogram(
    "newsflow_extract_queue_seconds",
    "Time a document waited for a worker (queue, worker start-up and model load).",
    buckets=_DURATION_BUCKETS,
)
QUEUE_DEPTH = Gauge(
    "newsflow_queue_depth",
    "Items waiting: links claimed but not started, documents waiting for a worker.",
    ["queue"],
)
WORKER_RESTARTS = Counter(
    "newsflow_worker_restarts_total",
    "Extraction workers replaced, by cause (timeout, crash).",
    ["cause"],
)
EVENTS_BY_TYPE = Counter(
    "newsflow_events_published_total", "Event records acknowledged, by PLOVER type.", ["type"]
)
ARTICLES_BY_SOURCE = Counter(
    "newsflow_articles_published_total", "Articles acknowledged, by source id.", ["source"]
)
SOURCE_LAST_SUCCESS = Gauge(
    "newsflow_source_last_success_timestamp_seconds",
    "Unix time of the source's last successful poll.",
    ["source"],
)
BUILD = Info("newsflow_build", "Version of newsflow and of the event coder.")
PUBLISH_SECONDS = Histogram(
    "newsflow_publish_duration_seconds",
    "Time until the broker acknowledged an article.",
    buckets=_DURATION_BUCKETS,
)
FRONTIER = Gauge("newsflow_frontier_links", "Links in the frontier by status.", ["status"])
SOURCE_HEALTHY = Gauge(
    "newsflow_source_healthy", "1 when the source's last poll succeeded.", ["source"]
)
SOURCE_ERROR_STREAK = Gauge("newsflow_source_error_streak", "Consecutive failed polls.", ["source"])
LEASES_LOST = Counter(
    "newsflow_leases_lost_total", "Links finished after their lease went to another replica."
)
BROKER_READY = Gauge("newsflow_broker_ready", "1 while the Kafka broker answers.")


_BY_STAGE = {Stage.FETCH: FETCHES, Stage.EXTRACT: EXTRACTS}


def record(
    log: FilteringBoundLogger,
    stage: Stage,
    status: str,
    reason: str = "",
    *,
    level: int = logging.INFO,
    **fields: object,
) -> None:
    """One item through one stage: its log line and its count in newsflow_<stage>_total,
    moved together so the two cannot drift. "ok" is logged at debug: the article's own
    line already says it went through."""
    if stage is Stage.CODE:
        CODINGS.labels(status).inc()  # its only label; the reason is in the log line
    else:
        _BY_STAGE[stage].labels(status, reason).inc()
    if reason:
        fields["reason"] = reason
    log.log(logging.DEBUG if status == "ok" else level, str(stage), status=status, **fields)


HTTP_ADDRESS_FILE = "http.address"


def bound_port(site: web.TCPSite) -> int:
    """The port a started site listens on; aiohttp keeps the server private."""
    server = site._server
    assert isinstance(server, asyncio.Server), "the site is not started"
    port: int = server.sockets[0].getsockname()[1]
    return port


class HealthServer:
    """Serves /metrics, /healthz and /readyz on the configured port.

    With `address_file` the bound host:port is written there (state_dir/http.address, beside
    the embedded broker's address): with http_port 0 it is the only place to find it.
    """

    def __init__(
        self,
        settings: ObservabilitySettings,
        ready: Callable[[], bool],
        address_file: Path | None = None,
    ) -> None:
        self.settings = settings
        self._ready = ready
        self.address_file = address_file
        self._runner: web.AppRunner | None = None
        self.port: int | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/metrics", self._metrics)
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/readyz", self._readyz)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.settings.http_host, self.settings.http_port)
        await site.start()
        self.port = bound_port(site)  # the real port when 0 was asked
        if self.address_file:
            self.address_file.parent.mkdir(parents=True, exist_ok=True)
            self.address_file.write_text(f"{self.settings.http_host}:{self.port}\n")

    async def stop(self) -> None:
        if self.address_file:
            self.address_file.unlink(missing_ok=True)
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    async def _metrics(self, _: web.Request) -> web.Response:
        BROKER_READY.set(1 if self._ready() else 0)
        return web.Response(body=generate_latest(), headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def _healthz(self, _: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def _readyz(self, _: web.Request) -> web.Response:
        ok = self._ready()
        return web.json_response({"ready": ok}, status=200 if ok else 503)
