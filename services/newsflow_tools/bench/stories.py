"""Story resolution at scale: link_story + resolve per event with 100,000 open stories.

    python -m newsflow_tools.bench.stories [--quick] [--stories N] [--events N] [--dsn DSN]

Fills a SQLite store (and PostgreSQL when reachable, in a throwaway schema) with open stories
spread over 16 types x 60 countries x 8 weeks, then resolves new reports one at a time as the
pipeline does: half of a happening already open, half new. Prints milliseconds per event and
the open-story count, then closes the stories idle past a 7-day horizon and measures again,
to show the index stays as small as the horizon keeps it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import asyncpg

from newsflow.models import EventType, Location, Report, StoryState
from newsflow.pipeline.stories import write_of
from newsflow.state.base import StateStore, StoryWrite
from newsflow.state.postgres import PostgresStore
from newsflow.state.sqlite import SqliteStore
from newsflow.stories.blocks import lookup_keys, own_keys
from newsflow.stories.match import Weights
from newsflow.stories.resolve import resolve
from newsflow_tools.bench import report

TYPES = list(EventType)
COUNTRIES = [f"C{i:02d}" for i in range(60)]
WEEKS = 8
START = date(2025, 1, 6)  # a Monday
NOW = datetime.combine(START + timedelta(weeks=WEEKS), datetime.min.time(), UTC)
HORIZON = timedelta(days=7)  # stories.horizon_days
WORDS = [f"w{i}" for i in range(3000)]  # shared vocabulary: names overlap, as in the news
# Names in the news follow Zipf's law: a few (a capital, a leader) are in most stories of
# their kind, so their blocking keys are full; most are rare.
ZIPF = [1 / (rank + 1) for rank in range(len(WORDS))]


def default_dsn() -> str:
    """The deployment's state DSN if set, else the tests' PostgreSQL."""
    return os.environ.get("NEWSFLOW_STATE_DSN") or os.environ.get(
        "NEWSFLOW_TEST_PG_DSN", "postgresql://postgres@127.0.0.1:5432/test"
    )


def _report(rng: random.Random, n: int, *, day: date, kind: EventType, country: str) -> Report:
    """Report `n`: its own city and name, two words of its sentence and ten of its article,
    drawn by Zipf's law from the shared vocabulary."""
    published = datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=12)
    return Report(
        event_id=f"e{n}",
        article_id=f"a{n}",
        source=f"site{n % 500}.example",
        published=published,
        event_type=kind,
        quad_class=1 + n % 4,
        location=Location(text=f"City{n}", name=f"City{n}", country=country, precision="city"),
        date=day.isoformat(),
        date_precision="day",
        names=sorted({f"name{n}", *rng.choices(WORDS, ZIPF, k=2)}),
        context=sorted({f"name{n}", *rng.choices(WORDS, ZIPF, k=9)}),
        confidence=0.8,
    )


def _fresh(rng: random.Random, n: int, *, last_weeks: int = WEEKS) -> Report:
    first = WEEKS - last_weeks
    day = START + timedelta(days=rng.randrange(first * 7, WEEKS * 7))
    return _report(rng, n, day=day, kind=rng.choice(TYPES), country=rng.choice(COUNTRIES))


def _again(report: Report, n: int) -> Report:
    """Another article's report of the same happening."""
    return report.model_copy(update={"event_id": f"e{n}", "article_id": f"a{n}"})


def _keys(story: StoryState) -> list[str]:
    return sorted({k for r in story.reports for k in own_keys(r)})


def _stories(count: int, seed: int) -> list[StoryState]:
    """Open stories of 1-3 reports each, last updated on their day."""
    rng = random.Random(seed)
    out = []
    for i in range(count):
        first = _fresh(rng, i * 4)
        reports = [first, *(_again(first, i * 4 + j) for j in range(1, 1 + i % 3))]
        when = first.published or NOW
        out.append(StoryState(story_id=f"s{i}", reports=reports, opened_at=when, updated_at=when))
    # Stored in the order they opened, as a running daemon stores them: rows of one week sit
    # together on disk, as they would in production.
    out.sort(key=lambda s: (s.opened_at, s.story_id))
    return out


async def _fill_sqlite(store: SqliteStore, stories: list[StoryState]) -> None:
    # Bulk SQL, not 100,000 link_story calls: the figure wanted is the lookup at scale.
    db = store.db
    await db.execute("BEGIN")
    await db.executemany(
        "INSERT INTO stories VALUES (?, ?, 'open', ?, ?)",
        [
            (s.story_id, s.model_dump_json(), s.updated_at.timestamp(), s.opened_at.timestamp())
            for s in stories
        ],
    )
    await db.executemany(
        "INSERT INTO story_keys VALUES (?, ?, ?)",
        [(k, s.story_id, s.updated_at.timestamp()) for s in stories for k in _keys(s)],
    )
    await db.execute("COMMIT")


async def _fill_postgres(dsn: str, schema: str, stories: list[StoryState]) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.copy_records_to_table(
            "stories",
            schema_name=schema,
            columns=["story_id", "state", "status", "updated_at", "opened_at"],
            records=[
                (s.story_id, s.model_dump_json(), "open", s.updated_at, s.opened_at)
                for s in stories
            ],
        )
        await conn.copy_records_to_table(
            "story_keys",
            schema_name=schema,
            columns=["key", "story_id", "filed_at"],
            records=[(k, s.story_id, s.updated_at) for s in stories for k in _keys(s)],
        )
        await conn.execute(f'ANALYZE "{schema}".stories, "{schema}".story_keys')
    finally:
        await conn.close()


def _decide(
    report: Report, now: datetime, joined: list[bool], spent: list[float], read: list[int]
) -> Callable:
    """What the pipeline passes: the pure resolver's outcome as the linker's StoryWrite."""

    def decide(candidates: list[StoryState]) -> StoryWrite:
        read.append(len(candidates))
        t0 = time.perf_counter()
        out = resolve(report, candidates, Weights(), now)
        spent.append((time.perf_counter() - t0) * 1000)
        joined.append(out.match is not None)
        return write_of(out, report)

    return decide


async def _resolve(
    store: StateStore, stories: list[StoryState], events: int, seed: int, last_weeks: int
) -> dict:
    """Link `events` reports one at a time, half of them of a story already open."""
    rng = random.Random(seed)
    recent = [s for s in stories if s.updated_at >= NOW - timedelta(weeks=last_weeks)]
    times, joined, spent, read = [], list[bool](), list[float](), list[int]()
    cpu = time.process_time()
    for i in range(events):
        n = 10_000_000 + seed * 100_000 + i
        if i % 2:
            report = _again(rng.choice(recent).reports[0], n)
        else:
            report = _fresh(rng, n, last_weeks=last_weeks)
        t0 = time.perf_counter()
        await store.link_story(lookup_keys(report), _decide(report, NOW, joined, spent, read))
        times.append((time.perf_counter() - t0) * 1000)
    cpu = time.process_time() - cpu
    times.sort()
    return {
        "events": events,
        "mean_ms": statistics.fmean(times),
        "p99_ms": times[int(0.99 * (len(times) - 1))],
        "resolve_ms": statistics.fmean(spent),  # of mean_ms: the pure resolver in decide
        "cpu_ms": cpu * 1000 / events,  # this process only (not PostgreSQL's); load-independent
        "candidates": statistics.fmean(read),
        "joined": sum(joined),
        "open": (await store.story_counts())["open"],
    }


async def _close(store: StateStore) -> dict:
    before = (await store.story_counts())["open"]
    t0, closed = time.perf_counter(), 0
    while batch := await store.close_stories(NOW - HORIZON, 1000):
        await store.stories_closed([s.story_id for s in batch])
        closed += len(batch)
    seconds = time.perf_counter() - t0
    return {
        "open_before": before,
        "closed": closed,
        "seconds": seconds,
        "open_after": (await store.story_counts())["open"],
    }


async def _measure(store: StateStore, stories: list[StoryState], events: int) -> dict:
    at_scale = await _resolve(store, stories, events, seed=1, last_weeks=WEEKS)
    closing = await _close(store)
    after = await _resolve(store, stories, events, seed=2, last_weeks=1)
    return {"at_scale": at_scale, "close": closing, "after_close": after}


async def measure_sqlite(stories: list[StoryState], events: int, work: Path) -> dict:
    store = SqliteStore(work / "stories.db")
    await store.open()
    try:
        await _fill_sqlite(store, stories)
        return await _measure(store, stories, events)
    finally:
        await store.close()


async def measure_postgres(stories: list[StoryState], events: int, dsn: str) -> dict:
    try:
        conn = await asyncpg.connect(dsn, timeout=3)
    except (OSError, TimeoutError, asyncpg.PostgresError) as exc:
        return {"skipped": f"PostgreSQL unreachable ({type(exc).__name__})"}
    schema = f"bench_stories_{os.getpid()}"
    try:
        store = PostgresStore(dsn, schema=schema, pool_size=2)
        await store.open()
        try:
            await _fill_postgres(dsn, schema, stories)
            return await _measure(store, stories, events)
        finally:
            await store.close()
    finally:
        await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        await conn.close()


def measure(stories: int, events: int, dsn: str | None) -> dict:
    """Both backends over the same stories; PostgreSQL only when `dsn` answers."""
    built = _stories(stories, seed=7)
    results: dict = {"stories": stories, "events": events}
    with tempfile.TemporaryDirectory(prefix="bench-stories-") as work:
        results["sqlite"] = asyncio.run(measure_sqlite(built, events, Path(work)))
    if dsn:
        results["postgres"] = asyncio.run(measure_postgres(built, events, dsn))
    return results


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m newsflow_tools.bench.stories", description=__doc__.split("\n")[0]
    )
    ap.add_argument("--quick", action="store_true", help="10,000 stories, 200 events")
    ap.add_argument("--stories", type=int, default=None)
    ap.add_argument("--events", type=int, default=None)
    ap.add_argument(
        "--dsn",
        default=default_dsn(),
        help="PostgreSQL to measure too (a throwaway schema); '' for SQLite only",
    )
    ap.add_argument("--out", type=Path, default=Path("var/bench/stories.json"))
    args = ap.parse_args(sys.argv[1:] if argv is None else argv)
    stories = args.stories or (10_000 if args.quick else 100_000)
    events = args.events or (200 if args.quick else 2_000)
    results = {"stories": measure(stories, events, args.dsn or None)}
    rows = report.verdicts(results)
    print(report.render(rows, report.machine()))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report.as_json(rows, results), indent=2) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
