"""Metrics operators expect: the work of a document apart from its wait, no *_created series,
and every metric listed in the README."""

from __future__ import annotations

import re
import time

import structlog
from prometheus_client import REGISTRY, generate_latest

from newsflow import observability as obs
from newsflow.extract.pool import WorkerPool
from newsflow.models import Stage, utcnow
from newsflow.pipeline.articles import run_document
from newsflow.processing import DocumentRequest
from tests.conftest import REPO

TEXT = "The council met on Monday to discuss the budget for the coming year. " * 10


def _sum(name: str) -> float:
    return REGISTRY.get_sample_value(f"{name}_sum") or 0.0


async def test_extract_duration_is_the_work_alone_and_the_wait_is_its_own_histogram():
    """A worker that takes 1 s to start does not make a short document look 1 s long."""
    pool = WorkerPool(1, 30, time.sleep, (1.0,))  # the worker's warm-up: 1 s
    request = DocumentRequest(
        url="https://x.test/a", body=TEXT, media="text", source_id="s",
        source_url="https://x.test/", fetched_at=utcnow(), min_text_chars=10,
    )  # fmt: skip
    work, wait = _sum("newsflow_extract_duration_seconds"), _sum("newsflow_extract_queue_seconds")
    try:
        result = await run_document(pool, request, request.url)
    finally:
        pool.close()
    assert result.article.word_count > 50
    work = _sum("newsflow_extract_duration_seconds") - work
    wait = _sum("newsflow_extract_queue_seconds") - wait
    assert work == result.work_seconds and work < 0.5, work
    assert wait >= 0.9, wait
    assert REGISTRY.get_sample_value("newsflow_queue_depth", {"queue": "extract"}) == 0


def test_no_created_series_are_exported():
    """The *_created companions of counters and histograms are not exported."""
    obs.ARTICLES_BY_SOURCE.labels("s").inc(0)
    assert "_created" not in generate_latest().decode()


def test_every_metric_is_listed_in_the_readme():
    """The README's metrics table names every newsflow_* metric, and only those."""
    suffix = {"counter": "_total", "info": "_info"}  # the names as scraped
    exported = {
        m.name + suffix.get(m.type, "")
        for m in REGISTRY.collect()
        if m.name.startswith("newsflow_")
    }
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    table = readme.split("<!-- metrics:begin -->")[1].split("<!-- metrics:end -->")[0]
    listed = set(re.findall(r"^\| `(newsflow_\w+)`", table, re.M))
    assert listed == exported


def _count(name: str, labels: dict[str, str]) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_a_recorded_outcome_is_logged_and_counted_together():
    """record() writes the stage's line with its status and reason and moves its counter once."""
    fetch = {"status": "error", "reason": "not_found"}
    code = {"status": "error"}
    before = _count("newsflow_fetch_total", fetch), _count("newsflow_code_total", code)
    with structlog.testing.capture_logs() as logs:
        obs.record(structlog.get_logger(), Stage.FETCH, "error", "not_found", http_status=404)
        obs.record(structlog.get_logger(), Stage.CODE, "error", detail="ValueError: x")
        obs.record(structlog.get_logger(), Stage.EXTRACT, "ok")
    assert _count("newsflow_fetch_total", fetch) == before[0] + 1
    assert _count("newsflow_code_total", code) == before[1] + 1
    assert [(e["event"], e["status"], e.get("reason"), e["log_level"]) for e in logs] == [
        ("fetch", "error", "not_found", "info"),
        ("code", "error", None, "info"),
        ("extract", "ok", None, "debug"),
    ]
    assert logs[0]["http_status"] == 404
