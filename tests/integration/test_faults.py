"""Issue 6, nothing lost: fault injection against real parts.

A 300-article corpus (60 for the replay) on a local HTTP server, the real `newsflow run` as a subprocess,
and real Tansu brokers. Faults: the broker SIGKILLed mid-run and restarted, the
daemon SIGKILLed three times, a SIGTERM mid-run, a replay from the raw topic with a
new coder version, and dead letters listed and retried from the command line.

Each test adds one row (served, delivered, duplicates, time to recover) to a table
printed at the end of the module.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import signal
import sqlite3
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import aiohttp
import psutil
import pytest

from newsflow.publish.embedded import EmbeddedBroker, free_port
from newsflow.urls import article_id_for, canonicalize
from newsflow_tools.bench.corpus import CorpusArticle, make_articles, render_page, render_rss
from newsflow_tools.bench.server import CorpusServer, Route
from tests.conftest import Record, read_topic
from tests.integration import daemon

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]

N_ARTICLES = 300
N_FEEDS = 4
REPLAY_N = 60  # the replay-from-raw corpus, coded twice
FAST = {"events": {"enabled": False}}  # the coder is not under test in the outage and kill runs
FETCH = {"concurrency": 16, "per_host_concurrency": 32, "min_host_delay": 0.0}

FIGURES: list[dict] = []


@pytest.fixture(scope="module", autouse=True)
def figures_table(request: pytest.FixtureRequest):
    """Prints the per-fault figures once the module's tests have run."""
    yield
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if not FIGURES or reporter is None:
        return
    cols = ["fault", "served", "delivered", "duplicates", "recover_s", "notes"]
    reporter.write_line("")
    reporter.write_line("issue 6 fault figures")
    reporter.write_line(" | ".join(cols))
    for row in FIGURES:
        reporter.write_line(" | ".join(str(row.get(c, "")) for c in cols))


def record(**row) -> None:
    FIGURES.append(row)
    print("FAULT FIGURES", json.dumps(row), flush=True)


# --- the corpus --------------------------------------------------------------------------


@dataclass
class Site:
    server: CorpusServer
    articles: list[CorpusArticle]
    paths: list[str]

    @property
    def ids(self) -> dict[str, str]:
        """article_id → page path, as the daemon keys them."""
        return {article_id_for(canonicalize(self.server.url(p))): p for p in self.paths}

    def sources(self) -> list[dict]:
        return [
            {"id": f"feed{i}", "kind": "feed", "url": self.server.url(f"/feeds/{i}.rss")}
            for i in range(N_FEEDS)
        ]

    def served(self) -> int:
        """Distinct article pages the server answered (each at least once)."""
        wanted = set(self.paths)
        return len({p for _, m, p in self.server.requests if m == "GET" and p in wanted})

    def page_requests(self, since: float, until: float) -> int:
        wanted = set(self.paths)
        return sum(1 for t, m, p in self.server.requests if since <= t <= until and p in wanted)


async def serve_corpus(
    n: int = N_ARTICLES, *, seed: int = 6, big: int = 0, big_kb: int = 0
) -> Site:
    """n articles split over N_FEEDS RSS feeds; the first `big` pages padded to big_kb KB."""
    arts = make_articles(n, seed=seed)
    paths = [f"/articles/{a.slug}.html" for a in arts]
    routes: dict[str, Route] = {
        path: Route(render_page(a, pad_kb=big_kb if i < big else 0, rng_seed=i).encode())
        for i, (path, a) in enumerate(zip(paths, arts, strict=True))
    }
    server = await CorpusServer(routes).start()
    for f in range(N_FEEDS):
        items = [(server.url(paths[i]), arts[i]) for i in range(f, n, N_FEEDS)]
        server.routes[f"/feeds/{f}.rss"] = Route(render_rss(items).encode(), "application/rss+xml")
    return Site(server, arts, paths)


@pytest.fixture
async def site():
    s = await serve_corpus()
    yield s
    await s.server.stop()


# --- reading results back ------------------------------------------------------------------


async def read_all(bootstrap: str, topic: str, *, at_least: int = 1) -> list[Record]:
    """read_topic, tried again while it returns fewer than `at_least` records.

    A fresh consumer has, rarely, read an existing topic as empty right after a
    run; a second read a moment later sees every record.
    """
    records: list[Record] = []
    for _ in range(5):
        records = await read_topic(bootstrap, topic, timeout=30)
        if len(records) >= at_least:
            break
        await asyncio.sleep(1)
    return records


def log_lines(log: Path) -> list[dict]:
    out = []
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.startswith("{"):
            with contextlib.suppress(json.JSONDecodeError):  # a line cut short by SIGKILL
                out.append(json.loads(line))
    return out


def published(log: Path) -> list[tuple[float, str]]:
    """(time, article_id) of each `article status=published` line: written after the acks."""
    return [
        (datetime.fromisoformat(x["timestamp"].replace("Z", "+00:00")).timestamp(), x["article_id"])
        for x in log_lines(log)
        if x.get("event") == "article" and x.get("status") == "published"
    ]


def links(state_dir: Path) -> dict[str, tuple[str, str | None]]:
    """url → (status, article_id) from the SQLite state."""
    db = sqlite3.connect(state_dir / "newsflow.db")
    try:
        return {
            url: (status, aid)
            for url, status, aid in db.execute("SELECT url, status, article_id FROM links")
        }
    finally:
        db.close()


def done_count(state_dir: Path) -> int:
    db = sqlite3.connect(f"file:{state_dir / 'newsflow.db'}?mode=ro", uri=True)
    try:
        return db.execute("SELECT COUNT(*) FROM links WHERE status = 'done'").fetchone()[0]
    finally:
        db.close()


def idempotence_warnings(log: Path) -> int:
    return sum(1 for x in log_lines(log) if x.get("event") == "kafka_idempotence")


async def wait_published(
    log: Path, n: int, proc: asyncio.subprocess.Process, timeout: float = 120
) -> None:
    deadline = time.monotonic() + timeout
    while len(published(log)) < n:
        assert proc.returncode is None, f"daemon exited early\n{log.read_text()[-3000:]}"
        assert time.monotonic() < deadline, f"fewer than {n} published\n{log.read_text()[-3000:]}"
        await asyncio.sleep(0.05)


def kill_tree(pid: int) -> list[psutil.Process]:
    """SIGKILL the daemon; return its worker processes, which the test then reaps."""
    try:
        children = psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        children = []
    os.kill(pid, signal.SIGKILL)
    return children


async def stop_all(proc, *brokers) -> None:
    """Test teardown: the daemon's whole process tree, then every broker that was started."""
    if proc.returncode is None:
        reap(kill_tree(proc.pid))
        await proc.wait()
    for b in brokers:
        if b is not None:
            await b.stop()


def reap(children: list[psutil.Process]) -> None:
    for child in children:
        try:
            child.wait(timeout=10)
        except psutil.TimeoutExpired:
            child.kill()
        except psutil.NoSuchProcess:
            pass


def config_for(tmp_path: Path, site: Site, topics: dict, bootstrap: str, **extra) -> Path:
    extra = {"fetch": FETCH, **extra}
    return daemon.write_config(
        tmp_path / "c.yaml",
        sources=site.sources(),
        topics=topics,
        state_dir=tmp_path / "state",
        bootstrap=bootstrap,
        **extra,
    )


# --- faults -----------------------------------------------------------------------------------


async def test_broker_killed_and_restarted_mid_run_resends_everything_unacknowledged(
    site, topics, tmp_path
):
    """With the broker SIGKILLed and back 10 s later, the run completes and re-sends every unacknowledged message."""
    port = free_port()
    broker = EmbeddedBroker(port, log_path=tmp_path / "tansu-1.log")
    await broker.start()
    http_port = free_port()
    config = config_for(
        tmp_path,
        site,
        topics,
        broker.bootstrap,
        **FAST,
        kafka={"request_timeout_ms": 5000, "flush_timeout": 10},
        observability={"http_port": http_port, "log_format": "json"},
    )
    log = tmp_path / "run.log"
    proc = await daemon.start(config, "--once", log=log)
    restarted: EmbeddedBroker | None = None
    try:
        await wait_published(log, 60, proc)
        # Freeze first, so that no acknowledgement can be on its way while we read the log:
        # every ack the daemon received before the freeze is logged within 2 s.
        os.kill(broker.pid, signal.SIGSTOP)
        t_down = time.time()
        mono_down = time.monotonic()
        await asyncio.sleep(2)
        acked_before = {aid for _, aid in published(log)}
        os.kill(broker.pid, signal.SIGKILL)
        await broker.stop()

        rss, ready_codes = [], []
        done_at_kill = done_count(tmp_path / "state")
        daemon_ps = psutil.Process(proc.pid)
        async with aiohttp.ClientSession() as http:
            readyz = f"http://127.0.0.1:{http_port}/readyz"
            while time.time() - t_down < 12:
                rss.append(daemon_ps.memory_info().rss)
                async with http.get(readyz) as r:
                    ready_codes.append(r.status)
                await asyncio.sleep(0.5)
            mono_up = time.monotonic()
            in_outage = len(published(log)) - len(acked_before)
            done_in_outage = done_count(tmp_path / "state") - done_at_kill

            restarted = EmbeddedBroker(port, log_path=tmp_path / "tansu-2.log")
            await restarted.start()
            t_up = time.time()
            ready_again = None
            while proc.returncode is None and time.time() - t_up < 120:
                try:
                    async with http.get(readyz) as r:
                        if r.status == 200:
                            ready_again = time.time() - t_up
                            break
                except aiohttp.ClientError:
                    break  # the run already ended
                await asyncio.sleep(0.1)

        rc = await asyncio.wait_for(proc.wait(), 150)
        assert rc == 0, log.read_text()[-3000:]
        t_end = time.time()

        # Intake stopped once the buffers were full: no article page was fetched in the
        # last 5 s of the outage.
        assert site.page_requests(mono_up - 5, mono_up) == 0
        assert in_outage == 0, "nothing may be logged as published while no broker answers"
        assert done_in_outage == 0, "no link may be marked done while no broker answers"
        assert (
            site.page_requests(mono_down, mono_up) <= FETCH["concurrency"] + 64
        )  # workers + queue
        assert 503 in ready_codes, ready_codes
        assert ready_again is not None, "readyz must turn 200 once the broker is back"
        growth = max(rss) - rss[0]
        assert growth < 64 * 2**20, f"RSS grew {growth / 2**20:.0f} MiB while the broker was away"

        state = links(tmp_path / "state")
        assert len(state) == N_ARTICLES
        assert {s for s, _ in state.values()} <= {"done", "failed"}, Counter(
            s for s, _ in state.values()
        )
        done_ids = {aid for s, aid in state.values() if s == "done"}
        assert done_ids == set(site.ids), "every page became an article"

        # Acknowledged before the kill = lost with the in-memory broker; everything
        # else must be on the restarted one.
        after = await read_all(
            restarted.bootstrap, topics["articles"], at_least=len(done_ids - acked_before)
        )
        keys = Counter(r.key for r in after)
        missing = (done_ids - acked_before) - set(keys)
        assert not missing, f"{len(missing)} unacknowledged articles never reached the new broker"
        first_after = min((t for t, aid in published(log) if t > t_up), default=t_end)
        record(
            fault="broker SIGKILL, back after 10 s",
            served=site.served(),
            delivered=f"{len(acked_before)} acked before + {len(set(keys))} after",
            duplicates=sum(n - 1 for n in keys.values()) + len(set(keys) & acked_before),
            recover_s=round(first_after - t_up, 1),
            notes=f"readyz 503→200 in {ready_again:.1f}s; RSS +{growth / 2**20:.1f} MiB in outage; "
            f"{site.page_requests(mono_down, mono_up)} pages fetched in outage; "
            f"run ended {t_end - t_up:.1f}s after restart",
        )
    finally:
        await stop_all(proc, broker, restarted)


async def test_daemon_sigkilled_three_times_loses_nothing(site, broker, topics, tmp_path):
    """Three SIGKILLs at random points, each followed by a restart: every article is on its topic."""
    # Paced at most 50 articles/s (one host, 20 ms apart), so no run can finish the corpus
    # between reaching its kill point and the kill (at most 50 + 0.5 s of articles a run).
    fetch = {**FETCH, "min_host_delay": 0.02}
    config = config_for(tmp_path, site, topics, broker.bootstrap, fetch=fetch, **FAST)
    log = tmp_path / "run.log"
    rng = random.Random(6)
    recover: list[float] = []
    for _ in range(3):
        before = len(published(log)) if log.exists() else 0
        t_start = time.time()
        proc = await daemon.start(config, "--once", log=log)
        await wait_published(log, before + rng.randint(10, 50), proc)
        if recover or before:
            recover.append(min(t for t, _ in published(log)[before:]) - t_start)
        await asyncio.sleep(rng.uniform(0, 0.5))
        reap(kill_tree(proc.pid))
        await proc.wait()
        assert proc.returncode == -signal.SIGKILL
    before = len(published(log))
    t_start = time.time()
    rc = await daemon.run_once(config, log=log)
    assert rc == 0, log.read_text()[-3000:]
    recover.append(min((t for t, _ in published(log)[before:]), default=time.time()) - t_start)

    state = links(tmp_path / "state")
    assert {s for s, _ in state.values()} == {"done"}, Counter(s for s, _ in state.values())
    articles = await read_all(broker.bootstrap, topics["articles"], at_least=N_ARTICLES)
    dead = await read_all(broker.bootstrap, topics["dlq"], at_least=0)
    keys = Counter(r.key for r in articles)
    assert set(site.ids) <= set(keys) | {r.value.get("article_id") for r in dead}
    assert set(keys) == set(site.ids)
    dupes = sum(n - 1 for n in keys.values())
    record(
        fault="daemon SIGKILL x3 + restart",
        served=site.served(),
        delivered=len(keys),
        duplicates=dupes,
        recover_s=f"{max(recover):.1f} (max of {len(recover)})",
        notes=f"{len(articles)} records; duplicate keys: {sum(1 for n in keys.values() if n > 1)}",
    )


async def test_sigterm_mid_run_exits_zero_in_time_and_restart_publishes_nothing_twice(
    site, broker, topics, tmp_path
):
    """SIGTERM mid-run: exit 0 within the flush deadline; a restart completes with 0 duplicates."""
    flush = 10
    config = config_for(
        tmp_path, site, topics, broker.bootstrap, **FAST, kafka={"flush_timeout": flush}
    )
    log = tmp_path / "run.log"
    proc = await daemon.start(config, "--once", log=log)
    await wait_published(log, 100, proc)
    t0 = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    rc = await asyncio.wait_for(proc.wait(), flush + 20)
    stopped_in = time.monotonic() - t0
    assert rc == 0, log.read_text()[-3000:]
    assert stopped_in <= flush + 5, f"took {stopped_in:.1f}s to stop"
    state = links(tmp_path / "state")
    statuses = Counter(s for s, _ in state.values())
    assert statuses["in_flight"] == 0, statuses  # finished or handed back, nothing left leased
    first = len(published(log))
    assert first < N_ARTICLES, "the SIGTERM came too late to test anything"
    assert idempotence_warnings(log) == 1, "Tansu refuses InitProducerId: one warning, then on"

    t1 = time.time()
    rc = await daemon.run_once(config, log=log)
    assert rc == 0, log.read_text()[-3000:]
    articles = await read_all(broker.bootstrap, topics["articles"], at_least=N_ARTICLES)
    keys = Counter(r.key for r in articles)
    assert set(keys) == set(site.ids)
    assert max(keys.values()) == 1, [k for k, n in keys.items() if n > 1]
    restart_first = min(t for t, _ in published(log)[first:]) - t1
    record(
        fault="SIGTERM + restart",
        served=site.served(),
        delivered=len(keys),
        duplicates=0,
        recover_s=round(restart_first, 1),
        notes=f"exit 0 in {stopped_in:.1f}s (flush_timeout {flush}s); {first} published before, "
        f"{statuses['pending']} returned to pending",
    )


async def test_sigterm_while_the_broker_hangs_exits_zero_by_the_flush_deadline(
    site, topics, tmp_path
):
    """SIGTERM while the broker does not answer: exit 0 by the flush deadline, no link marked done
    without acks, and a later start delivers everything."""
    broker = EmbeddedBroker(log_path=tmp_path / "tansu.log")
    await broker.start()
    flush = 5
    config = config_for(
        tmp_path, site, topics, broker.bootstrap, **FAST, kafka={"flush_timeout": flush}
    )
    log = tmp_path / "run.log"
    proc = await daemon.start(config, "--once", log=log)
    try:
        await wait_published(log, 60, proc)
        os.kill(broker.pid, signal.SIGSTOP)
        await asyncio.sleep(2)  # acks already on their way are logged; then the workers block
        before = {aid for _, aid in published(log)}
        done_before = done_count(tmp_path / "state")
        t0 = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        rc = await asyncio.wait_for(proc.wait(), flush + 20)
        stopped_in = time.monotonic() - t0
        assert rc == 0, log.read_text()[-3000:]
        assert stopped_in <= flush + 5, (
            f"took {stopped_in:.1f}s to stop with flush_timeout {flush}s"
        )
        assert {aid for _, aid in published(log)} == before
        statuses = Counter(s for s, _ in links(tmp_path / "state").values())
        assert statuses["done"] == done_before and statuses["in_flight"] == 0, statuses

        os.kill(broker.pid, signal.SIGCONT)
        t1 = time.time()
        rc = await daemon.run_once(config, log=log)
        assert rc == 0, log.read_text()[-3000:]
        keys = Counter(
            r.key for r in await read_all(broker.bootstrap, topics["articles"], at_least=N_ARTICLES)
        )
        assert set(keys) == set(site.ids)
        record(
            fault="SIGTERM while broker hangs + restart",
            served=site.served(),
            delivered=len(keys),
            duplicates=sum(n - 1 for n in keys.values()),
            recover_s=round(min(t for t, _ in published(log)[len(before) :]) - t1, 1),
            notes=f"exit 0 in {stopped_in:.1f}s (flush_timeout {flush}s); "
            f"{statuses['pending']} links returned to pending",
        )
    finally:
        if proc.returncode is None:
            reap(kill_tree(proc.pid))
            await proc.wait()
        if broker.pid:
            os.kill(broker.pid, signal.SIGCONT)
        await broker.stop()


async def test_reprocess_from_raw_with_a_new_coder_version_recodes_every_article(
    broker, topics, tmp_path
):
    """Raw pages (some over 1 MiB) are kept by article_id; reprocess with a new coder version re-publishes
    every article under its key with new event ids."""
    # The replay path, not scale, is under test: REPLAY_N coded articles take a fifth of the
    # CPU of the 300-article corpus and hold the same cases (3 pages over 1 MiB, several batches).
    site = await serve_corpus(REPLAY_N, big=3, big_kb=1500)
    try:
        config = config_for(
            tmp_path,
            site,
            topics,
            broker.bootstrap,
            raw={"enabled": True},
            events={"enabled": True},
        )
        log = tmp_path / "run.log"
        t0 = time.time()
        rc = await daemon.run_once(config, log=log, timeout=200)
        assert rc == 0, log.read_text()[-3000:]
        ingest_s = time.time() - t0
        ids = set(site.ids)

        raw = await read_all(broker.bootstrap, topics["raw"], at_least=REPLAY_N)
        assert {r.key for r in raw} == ids and len(raw) == REPLAY_N
        big = [r for r in raw if len(r.value["body"]) > 1_500_000]
        assert len(big) == 3, "pages over aiokafka's 1 MiB default went through whole"
        assert all(r.headers["ce_type"] == "org.newsflow.rawpage.v1" for r in raw)
        old_events = await read_all(broker.bootstrap, topics["events"])
        old_versions = {e.value["coder"]["version"] for e in old_events}
        stories_before = _live(await read_all(broker.bootstrap, topics["stories"]))

        env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSFLOW_")}
        env["NEWSFLOW_EVENTS__CODER_VERSION"] = "replay-test-2"
        t1 = time.time()
        proc = await asyncio.create_subprocess_exec(
            *daemon.NEWSFLOW,
            "reprocess",
            "--from-raw",
            "--config",
            str(config),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=env,
        )
        _out, err = await asyncio.wait_for(proc.communicate(), 200)
        assert proc.returncode == 0, err.decode()[-3000:]
        replay_s = time.time() - t1
        assert f"reprocessed {REPLAY_N} articles" in err.decode(), err.decode()[-500:]

        articles = await read_all(broker.bootstrap, topics["articles"], at_least=2 * REPLAY_N)
        keys = Counter(r.key for r in articles)
        assert set(keys) == ids and set(keys.values()) == {2}, "each article once more, same key"
        events = await read_all(broker.bootstrap, topics["events"], at_least=len(old_events) + 1)
        new = [e for e in events if e.value["coder"]["version"] == "replay-test-2"]
        old = [e for e in events if e.value["coder"]["version"] in old_versions]
        assert "replay-test-2" not in old_versions and len(old) + len(new) == len(events)
        assert {e.key for e in new}.isdisjoint({e.key for e in old}), (
            "the version is part of the id"
        )
        assert {e.value["article_id"] for e in new} == {e.value["article_id"] for e in old}
        assert {e.value["article_id"] for e in new} <= ids
        assert len({e.value["article_id"] for e in new}) >= 0.9 * REPLAY_N
        # The replay's events (the same coder under a new version) take their old reports'
        # places in the stories: the live stories hold new events, and no happening is told
        # twice (a replay in another order may merge, never split).
        stories = _live(await read_all(broker.bootstrap, topics["stories"]))
        assert stories_before and stories
        new_ids = {e.key for e in new}
        stale = [k for k, v in stories.items() if not set(v["event_ids"]) <= new_ids]
        # An article told in more stories than a lookup reads (STORY_CANDIDATES, 12; the
        # bench corpus has articles with 30) may leave a few old reports behind.
        assert len(stale) <= 0.05 * len(stories), f"{len(stale)} of {len(stories)} hold old events"
        assert len(stories) <= len(stories_before), (len(stories_before), len(stories))
        record(
            fault="replay from raw, new coder version",
            served=site.served(),
            delivered=f"{REPLAY_N} raw, {len(new)} new events",
            duplicates="n/a (by design)",
            recover_s=f"ingest {ingest_s:.0f}s, replay {replay_s:.0f}s",
            notes=f"{len(old)} events before; articles with events: "
            f"{len({e.value['article_id'] for e in new})}",
        )
    finally:
        await site.server.stop()


async def test_dead_letters_are_listed_with_reason_and_retried_into_the_frontier(
    broker, topics, tmp_path
):
    """Dead letters carry url, source, stage, reason and attempts; `dlq retry` by reason and time requeues them."""
    arts = make_articles(8, seed=61)
    good, later, flaky = arts[:5], arts[5:7], arts[7]
    server = await CorpusServer(
        {f"/a/{a.slug}.html": Route(render_page(a).encode()) for a in good}
    ).start()
    try:
        server.routes["/a/report.pdf"] = Route(b"%PDF-1.4\n", "application/pdf")
        server.routes[f"/a/{flaky.slug}.html"] = Route(b"busy", status=500)
        items = [(server.url(f"/a/{a.slug}.html"), a) for a in arts]
        items.append(
            (
                server.url("/a/report.pdf"),
                arts[0].__class__(
                    slug="pdf",
                    title="Annual report",
                    paragraphs=("x",),
                    published=arts[0].published,
                ),
            )
        )
        server.routes["/feed.rss"] = Route(render_rss(items).encode(), "application/rss+xml")
        config = daemon.write_config(
            tmp_path / "c.yaml",
            sources=[{"id": "wire", "kind": "feed", "url": server.url("/feed.rss")}],
            topics=topics,
            state_dir=tmp_path / "state",
            bootstrap=broker.bootstrap,
            **FAST,
        )
        log = tmp_path / "run.log"

        async def cli(*args: str) -> tuple[int, str, str]:
            env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSFLOW_")}
            proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "newsflow.cli",
                *args,
                "--config",
                str(config),
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                env=env,
            )
            out, err = await asyncio.wait_for(proc.communicate(), 60)
            return proc.returncode, out.decode(), err.decode()

        assert await daemon.run_once(config, log=log) == 0, log.read_text()[-3000:]
        dead = await read_all(broker.bootstrap, topics["dlq"], at_least=4)
        assert len(dead) == 4
        for r in dead:
            v = r.value
            assert v["url"].startswith(server.base) and v["source_id"] == "wire"
            assert v["stage"] == "fetch" and v["attempts"] == 1 and v["reason"]
        reasons = Counter(r.value["reason"] for r in dead)
        assert reasons == {"not_found": 2, "unsupported_content_type": 1, "server_error": 1}

        rc, out, err = await cli("dlq", "list")
        assert rc == 0 and "4 dead letters" in err
        lines = out.splitlines()
        assert len(lines) == 4 and all("source=wire" in x and "attempts=1" in x for x in lines)
        assert sum("fetch/not_found" in x for x in lines) == 2

        assert (await cli("dlq", "retry", "--since", "2999-01-01T00:00:00Z"))[
            1
        ].strip() == "requeued 0 links"
        for a in later:  # the pages exist now
            server.routes[f"/a/{a.slug}.html"] = Route(render_page(a).encode())
        assert (await cli("dlq", "retry", "--reason", "not_found"))[1].strip() == "requeued 2 links"
        assert await daemon.run_once(config, log=log) == 0
        articles = await read_all(broker.bootstrap, topics["articles"], at_least=7)
        assert len({r.key for r in articles}) == 7

        server.routes[f"/a/{flaky.slug}.html"] = Route(render_page(flaky).encode())
        assert (await cli("dlq", "retry"))[1].strip() == "requeued 2 links"
        assert await daemon.run_once(config, log=log) == 0
        articles = await read_all(broker.bootstrap, topics["articles"], at_least=8)
        assert len({r.key for r in articles}) == 8 and len(articles) == 8
        rc, out, _ = await cli("dlq", "list")
        assert out.count("\n") == 1 and "unsupported_content_type" in out and "attempts=2" in out
        dead = await read_all(broker.bootstrap, topics["dlq"], at_least=5)
        record(
            fault="dead letters: list + retry",
            served=len(arts) + 1,
            delivered=len(articles),
            duplicates=0,
            recover_s="-",
            notes=f"{len(dead)} dead letters over 3 runs; 3 of 4 recovered by `dlq retry`",
        )
    finally:
        await server.stop()


def _live(records) -> dict[str, dict]:
    """The latest value per story key, tombstoned keys dropped: what a compacted topic keeps."""
    latest: dict[str, dict | None] = {}
    for r in records:
        latest[r.key] = r.value
    return {k: v for k, v in latest.items() if v is not None and "event_ids" in v}
