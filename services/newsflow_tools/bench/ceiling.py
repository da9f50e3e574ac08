"""The ceiling: `process_document` in a bare loop, one process, documents already in memory.

This is what one core can do with no fetching, queueing, IPC or publishing around it;
the end-to-end run is judged against it. `process_document` reports the coder's own
time (`coding_ms`), so one pass yields the full, extraction-only and coding-only rates.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from newsflow.errors import ExtractError
from newsflow.processing import DocumentRequest, process_document
from newsflow_tools.bench.workload import Doc

REFERENCE_WORDS = 600  # the coding target is stated for ~600-word articles


def requests_for(docs: Sequence[Doc], base: str = "http://127.0.0.1:8000") -> list[DocumentRequest]:
    fetched = datetime.now(UTC)
    return [
        DocumentRequest(
            url=base + d.path,
            body=d.html,
            media="html",
            source_id="bench",
            source_url=base + "/feeds/0000.rss",
            fetched_at=fetched,
        )
        for d in docs
    ]


def measure(docs: Sequence[Doc], coder, *, clock: Callable[[], float] = time.perf_counter) -> dict:
    """Run every document once through `process_document(req, coder)` and return rates per core.

    `coder` None measures extraction alone. A document that yields no article counts
    as processed (its time is spent) and is reported under `failed`.
    """
    reqs = requests_for(docs)
    if coder is not None and reqs:  # warm-up: the first call pays lazy loading
        process_document(reqs[0], coder)
    cpu0, wall0 = time.process_time(), clock()
    coding_s = 0.0
    words = events = failed = 0
    for req in reqs:
        try:
            result = process_document(req, coder)
        except ExtractError:
            failed += 1
            continue
        coding_s += result.coding_ms / 1000
        words += result.article.word_count
        events += len(result.events)
    wall = max(clock() - wall0, 1e-9)
    cpu = max(time.process_time() - cpu0, 1e-9)
    n = len(reqs)
    out = {
        "documents": n,
        "failed": failed,
        "events": events,
        "words_mean": words / max(1, n - failed),
        "seconds": wall,
        "cpu_seconds": cpu,
        "per_core": n / wall,  # wall clock: comparable with the end-to-end run
        "per_core_cpu": n / cpu,  # CPU time: less sensitive to other load on the machine
    }
    if coder is not None:
        extract_s = max(wall - coding_s, 1e-9)
        coding_s = max(coding_s, 1e-9)
        out |= {
            "extraction_per_core": n / extract_s,
            "coding_per_core": (n - failed) / coding_s,
            "coding_per_core_600w": words / coding_s / REFERENCE_WORDS,
        }
    return out


def _share(docs: Sequence[Doc], model: str, barrier, results) -> None:
    """One process of measure_parallel: load the coder, wait for the others, run its share."""
    from newsflow.events.coder import EventCoder

    coder = EventCoder(model)
    process_document(requests_for(docs[:1])[0], coder)  # warm-up, untimed
    barrier.wait()
    started, cpu = time.perf_counter(), time.process_time()
    for req in requests_for(docs):
        with contextlib.suppress(ExtractError):
            process_document(req, coder)
    results.put((len(docs), time.perf_counter() - started, time.process_time() - cpu))


def measure_parallel(docs: Sequence[Doc], model: str, processes: int) -> dict:
    """The ceiling of the whole machine as it is right now: `processes` bare loops at once,
    each on its share of the documents. Unlike ceiling x cores, this feels the other
    load on the machine and any contention between cores, as the daemon's workers do."""
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(processes), ctx.Queue()
    shares = [list(docs[i::processes]) for i in range(processes)]
    procs = [ctx.Process(target=_share, args=(share, model, barrier, results)) for share in shares]
    for p in procs:
        p.start()
    done = [results.get(timeout=1800) for _ in procs]
    for p in procs:
        p.join()
    n = sum(d for d, _, _ in done)
    wall = max(s for _, s, _ in done)
    cpu = sum(c for _, _, c in done)
    return {
        "processes": processes,
        "documents": n,
        "seconds": wall,
        "rate": n / wall,
        "cpu_ms_per_article": 1000 * cpu / max(1, n),
    }
