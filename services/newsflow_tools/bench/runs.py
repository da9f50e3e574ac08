"""The daemon runs of the benchmark: end to end, memory over a long run, polling at scale.

Each serves its corpus from a CorpusServer in this process and runs the real
`newsflow run --once` against it (see daemon.py), with a fresh state directory.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

from newsflow.extract.pool import default_workers
from newsflow_tools.bench.corpus import CorpusArticle, render_rss
from newsflow_tools.bench.daemon import RunWatch, bench_config, run_once
from newsflow_tools.bench.server import CorpusServer, Route
from newsflow_tools.bench.workload import Doc, build_site

MiB = 1024 * 1024


async def end_to_end(
    docs: list[Doc], work: Path, *, workers: int = 0, marks: tuple[int, ...] = (), name: str = "e2e"
) -> dict:
    """All of `docs` through fetch → extract → code → publish; articles/s and memory."""
    work.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(work / f"{name}-state", ignore_errors=True)
    server = await CorpusServer().start()
    try:
        site = build_site(docs, base=server.base)
        server.routes.update(site.routes)
        config = bench_config(
            work / f"{name}.yaml",
            base_url=server.base,
            feeds=site.feeds,
            state_dir=work / f"{name}-state",
            workers=workers,
        )
        watch = await run_once(config, log=work / f"{name}.log", marks=marks)
    finally:
        await server.stop()
    return _summary(
        watch,
        expected=len(docs),
        workers=workers or default_workers(),
        requests=len(server.requests),
    )


def _summary(w: RunWatch, *, expected: int, workers: int, requests: int) -> dict:
    return {
        "returncode": w.returncode,
        "expected": expected,
        "done": w.done,
        "statuses": w.statuses,
        "seconds": w.seconds,
        "workers": workers,
        "requests": requests,
        "rate_steady": w.steady_rate,
        "rate_wall": w.done / w.seconds if w.seconds else 0.0,
        "peak_rss_mib": w.peak_rss / MiB,
        "peak_processes": w.peak_processes,
        "marks": {str(k): {"rss_mib": v[0] / MiB, "at": v[1]} for k, v in sorted(w.marks.items())},
        "finished": w.finished,
        "cpu_seconds": w.cpu,
        "worker_states": w.worker_states,
        "others_share": w.others_share,
        # CPU after start-up (spawn, model load), per article after the first
        "cpu_ms_per_article_steady": {
            role: 1000 * (sec - w.cpu_at_first.get(role, 0.0)) / max(1, w.done - 1)
            for role, sec in w.cpu.items()
        },
    }


def _feed_with_old_items(k: int, etag: str) -> Route:
    """A real-looking feed whose entries all predate the first-poll horizon: it is fetched
    and parsed, but queues no articles, so the run measures polling alone."""
    old = datetime(2020, 1, 1, tzinfo=UTC) + timedelta(hours=k)
    items = [
        (
            f"https://feeds.example/{k}/item-{j}.html",
            CorpusArticle(
                slug=f"f{k}-{j}",
                title=f"Feed {k} story {j}",
                paragraphs=(),
                published=old - timedelta(hours=j),
            ),
        )
        for j in range(2)
    ]
    return Route(
        render_rss(items, title=f"Feed {k}").encode(), "application/rss+xml", headers={"ETag": etag}
    )


async def polling(n_feeds: int, work: Path, *, settings: dict | None = None) -> dict:
    """Two passes over `n_feeds` feeds: the first fetches and parses them (200 with an
    ETag), the second is the measured cycle, where every feed answers 304."""
    work.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(work / "poll-state", ignore_errors=True)
    routes = {f"/poll/{k:05d}.rss": _feed_with_old_items(k, f'"v1-{k}"') for k in range(n_feeds)}
    server = await CorpusServer(routes).start()
    try:
        feeds = list(routes)
        config = bench_config(
            work / "poll.yaml",
            base_url=server.base,
            feeds=feeds,
            state_dir=work / "poll-state",
            poll={"first_poll_horizon_hours": 1.0, **(settings or {})},
        )
        first = await run_once(config, log=work / "poll-1.log", every=0.25)
        n_first = len(server.requests)
        second = await run_once(config, log=work / "poll-2.log", every=0.25)
        n_second = len(server.requests) - n_first
    finally:
        await server.stop()
    cycle = second.poll_seconds
    return {
        "feeds": n_feeds,
        "first": {
            "returncode": first.returncode,
            "seconds": first.seconds,
            "cycle_seconds": first.poll_seconds,
            "statuses": first.poll_statuses,
            "peak_rss_mib": first.peak_rss / MiB,
        },
        "returncode": second.returncode,
        "statuses": second.poll_statuses,
        "requests": n_second,
        "cycle_seconds": cycle,
        "process_seconds": second.seconds,
        "requests_per_s": n_second / cycle if cycle else 0.0,
        "peak_rss_mib": max(first.peak_rss, second.peak_rss) / MiB,
        "peak_rss_second_mib": second.peak_rss / MiB,
    }
