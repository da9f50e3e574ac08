"""Issue 7: several `newsflow run` processes share one PostgreSQL state and one broker.

The replicas run as daemons (no `--once`) and are stopped with SIGTERM once every article
is published. `--once` would not test sharing: it force-claims every feed not leased at that
moment, whatever its schedule, so a replica that claims after another has finished its pass
polls the same feeds again, and a replica whose share of the frontier looks empty exits while
the others still work. Daemons poll each feed when it is due, as a fleet does in production.

Sites are 20 servers on 127.0.0.1 … 127.0.0.20: distinct host names for the fetcher, so the
fleet-wide host clock paces each of them separately. Request times are the kernel's arrival
stamps (see fleet_server).
"""

from __future__ import annotations

import asyncio
import signal
import time
from collections import Counter

import pytest

from newsflow.state.migrations import POSTGRES as POSTGRES_MIGRATIONS
from tests.conftest import read_topic
from tests.integration import daemon
from tests.integration import fleet_site as fs
from tests.integration.test_postgres_state import DSN, schema  # noqa: F401  (fixture)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]

HOSTS, PER_HOST, REPLICAS = 20, 20, 3
# fetch.min_host_delay: 4 requests per second per host. A request leaves at most 4 % of the
# delay after its turn (fetch.politeness.SEND_TOLERANCE, checked as it is written), so
# requests reach a host at least 0.95 x delay apart, the documented limit, with and without
# keep-alive, robots.txt and feeds included. A host's 24 requests take ~6 s.
DELAY = 0.25
TOLERANCE = 0.05
LEASE = 5.0  # poll.lease_seconds in the kill test


@pytest.fixture(params=[True, False], ids=["keepalive", "close"])
async def fleet(request):
    """The 20 sites, served from their own process (see fleet_server), with and without
    keep-alive: a fresh connection per request made late sends most likely."""
    fleet = fs.SiteFleet(HOSTS, PER_HOST, keepalive=request.param)
    async with fleet:
        yield fleet


def _config(tmp_path, sites, topics, bootstrap, schema, **extra):  # noqa: F811
    return daemon.write_config(
        tmp_path / "fleet.yaml",
        sources=fs.sources(sites),
        topics=topics,
        state_dir=tmp_path / "state",
        bootstrap=bootstrap,
        state_dsn=DSN,
        state_schema=schema,
        fetch={"min_host_delay": DELAY, "per_host_concurrency": 2, "concurrency": 16},
        extract={"workers": 1},
        events={"enabled": False},  # two cores: keep the CPU for three extractors
        **extra,
    )


def _politeness(sites) -> dict[str, float]:
    """Fleet-wide pace per host, from the kernel's arrival stamps; asserts the limit."""
    gaps, rates, article_gaps = [], [], []
    for site in sites:
        every = site.starts()
        gaps.append(fs.min_gap(every))
        rates.append(fs.peak_rate(every))
        article_gaps.append(fs.min_gap(site.starts("/a/")))
    # Every request (robots.txt, feed, article), from any replica, measured at the server.
    too_close = fs.too_close(sites, DELAY * (1 - TOLERANCE))
    assert min(gaps) >= DELAY * (1 - TOLERANCE), too_close
    return {
        "min_gap_article_s": round(min(article_gaps), 4),
        "min_gap_any_s": round(min(gaps), 4),
        "gaps_short_of_delay": len(fs.too_close(sites, DELAY)),  # within the tolerance
        "peak_req_per_s_10_requests": round(max(rates), 2),
        "limit_req_per_s": round(1 / DELAY, 2),
    }


def _print(title: str, figures: dict) -> None:
    print(f"\n{title}")
    for k, v in figures.items():
        print(f"  {k:28} {v}")


async def test_three_replicas_share_the_corpus_politely_and_publish_it_once(
    fleet,
    broker,
    topics,
    tmp_path,
    schema,  # noqa: F811
):
    """Three daemons on one state publish all 500 articles once, spread the work, poll each
    feed once and keep every host under min_host_delay fleet-wide."""
    sites = fleet.sites
    config = _config(tmp_path, sites, topics, broker.bootstrap, schema)
    logs = [tmp_path / f"replica{i}.log" for i in range(REPLICAS)]
    expected = set().union(*(s.article_urls() for s in sites))
    assert len(expected) == HOSTS * PER_HOST
    started = time.monotonic()
    procs = await fs.start_replicas(config, logs)
    try:
        await fs.wait_for_published(logs, procs, len(expected), timeout=150)
        elapsed = time.monotonic() - started
        codes = await fs.stop_replicas(procs)
    finally:
        fs.kill_leftovers(procs)
    assert codes == [0] * REPLICAS, [log.read_text()[-2000:] for log in logs]

    await fleet.close()
    records = await read_topic(broker.bootstrap, topics["articles"])
    by_url = Counter(r.value["url"] for r in records)
    assert set(by_url) == expected
    duplicates = len(records) - len(by_url)
    assert duplicates == 0, [u for u, n in by_url.items() if n > 1]
    assert len({r.key for r in records}) == len(expected)

    shares = [fs.published(log) for log in logs]
    assert sum(shares) == len(expected) and min(shares) > 0, shares  # nobody idle
    # Each message names its replica (<hostname>-<pid>-<random>, the lease owner).
    senders = Counter(r.headers["newsflow-replica"].split("-")[-2] for r in records)
    assert senders == Counter({str(p.pid): n for p, n in zip(procs, shares, strict=True)})

    polls = Counter()
    for log in logs:
        polls.update(
            r["source_id"]
            for r in fs.log_records(log)
            if r.get("event") == "source_poll" and r.get("status") == "ok"
        )
    assert polls == Counter({s.source_id: 1 for s in sites}), polls
    assert all(s.count(fs.FEED) == 1 for s in sites), [s.count(fs.FEED) for s in sites]

    rows = await fs.fetch_rows(
        DSN, schema, "SELECT status, count(*) AS n FROM links GROUP BY status"
    )
    assert {r["status"]: r["n"] for r in rows} == {"done": len(expected)}

    _print(
        "replicas: three daemons, one PostgreSQL state",
        {
            "articles": len(expected),
            "hosts": HOSTS,
            "replicas": REPLICAS,
            "published_per_replica": shares,
            "share_per_replica_pct": [round(100 * n / sum(shares), 1) for n in shares],
            "duplicates_on_topic": duplicates,
            "feed_polls_per_host": sorted({s.count(fs.FEED) for s in sites}),
            **_politeness(sites),
            "seconds_to_all_published": round(elapsed, 1),
        },
    )


async def test_killed_replica_leases_move_to_the_others_and_nothing_is_lost(
    fleet,
    broker,
    topics,
    tmp_path,
    schema,  # noqa: F811
):
    """SIGKILL one of three replicas mid-run: its links come back after one lease, the others
    take them, and every article still reaches the topic."""
    sites = fleet.sites
    config = _config(
        tmp_path, sites, topics, broker.bootstrap, schema, poll={"lease_seconds": LEASE}
    )
    logs = [tmp_path / f"replica{i}.log" for i in range(REPLICAS)]
    expected = set().union(*(s.article_urls() for s in sites))
    procs = await fs.start_replicas(config, logs)
    try:
        await fs.wait_for_published(logs, procs, len(expected) * 4 // 10, timeout=120)
        rows = await fs.fetch_rows(
            DSN,
            schema,
            "SELECT lease_owner, count(*) AS n FROM links"
            " WHERE status = 'in_flight' GROUP BY lease_owner",
        )
        held = {r["lease_owner"]: r["n"] for r in rows}
        # The replica holding the most links: `<hostname>-<pid>-<random>` names its leases.
        victim_proc, owner = max(
            ((p, o) for p in procs for o in held if f"-{p.pid}-" in o), key=lambda po: held[po[1]]
        )
        workers = fs.children_of(victim_proc.pid)
        killed_at = time.time()
        victim_proc.send_signal(signal.SIGKILL)
        await victim_proc.wait()
        before = fs.published(logs[procs.index(victim_proc)])

        lapses = await fs.fetch_rows(
            DSN,
            schema,
            "SELECT url, extract(epoch FROM lease_until) AS until FROM links"
            " WHERE status = 'in_flight' AND lease_owner = $1",
            owner,
        )
        orphaned = {r["url"] for r in lapses}
        assert orphaned, "the victim held no links when it was killed"
        latest_lapse = max(float(r["until"]) for r in lapses) - killed_at
        assert latest_lapse <= LEASE + 0.5, latest_lapse

        first_taken = all_taken = None
        while all_taken is None:
            rows = await fs.fetch_rows(
                DSN,
                schema,
                "SELECT url, status, lease_owner FROM links WHERE url = ANY($1::text[])",
                list(orphaned),
            )
            moved = [r for r in rows if r["lease_owner"] != owner]
            now = time.time() - killed_at
            if moved and first_taken is None:
                first_taken = now
            if len(moved) == len(orphaned):
                all_taken = now
            assert now < LEASE + 30, f"{len(moved)} of {len(orphaned)} links taken over"
            await asyncio.sleep(0.05)
        assert first_taken <= LEASE + 1.5, first_taken

        survivors = [p for p in procs if p is not victim_proc]
        live_logs = [logs[procs.index(p)] for p in survivors]
        # Done in the state, not a count of log lines: a link the victim published but never
        # marked done is published again, and would make a count of lines finish early.
        await fs.wait_until_done(DSN, schema, len(expected), survivors, timeout=150)
        codes = await fs.stop_replicas(survivors)
    finally:
        fs.kill_leftovers(procs)
    assert codes == [0, 0], [log.read_text()[-2000:] for log in live_logs]

    await fleet.close()
    records = await read_topic(broker.bootstrap, topics["articles"])
    by_url = Counter(r.value["url"] for r in records)
    assert set(by_url) == expected  # nothing lost
    duplicates = len(records) - len(by_url)
    # At-least-once: only a link the victim published but had not yet marked done comes twice.
    assert duplicates <= len(orphaned), duplicates
    rows = await fs.fetch_rows(
        DSN, schema, "SELECT status, count(*) AS n FROM links GROUP BY status"
    )
    assert {r["status"]: r["n"] for r in rows} == {"done": len(expected)}
    await asyncio.sleep(1.0)
    stray = [pid for pid in workers if fs.alive(pid)]

    _print(
        "replicas: one of three killed with SIGKILL",
        {
            "articles": len(expected),
            "replicas": REPLICAS,
            "lease_seconds": LEASE,
            "victim_links_in_flight": len(orphaned),
            "published_by_victim": before,
            "published_per_replica": [fs.published(log) for log in logs],
            "leases_lapsed_within_s": round(latest_lapse, 2),
            "first_takeover_s": round(first_taken, 2),
            "all_taken_over_s": round(all_taken, 2),
            "duplicates_on_topic": duplicates,
            "victim_workers_left_running": len(stray),
            **_politeness(sites),
        },
    )
    assert not stray, f"extraction workers of the killed replica still run: {stray}"


async def test_daemon_migrates_an_empty_schema_and_reopens_it_unchanged(
    broker,
    topics,
    tmp_path,
    schema,  # noqa: F811
):
    """A daemon creates the schema on first start; a second start on it runs without error
    and leaves schema_version as it was."""
    async with fs.SiteFleet(1, 3, seed=900) as sites:
        config = _config(tmp_path, sites, topics, broker.bootstrap, schema)
        runs = []
        for i in range(2):
            log = tmp_path / f"run{i}.log"
            procs = await fs.start_replicas(config, [log])
            try:
                if i == 0:
                    await fs.wait_for_published([log], procs, 3, timeout=60)
                else:
                    for _ in range(300):
                        if any(
                            r.get("event") == "run" and r.get("status") == "started"
                            for r in fs.log_records(log)
                        ):
                            break
                        await asyncio.sleep(0.1)
                    await asyncio.sleep(1.5)  # a scheduler and a dispatcher pass on the old state
                codes = await fs.stop_replicas(procs)
            finally:
                fs.kill_leftovers(procs)
            assert codes == [0], log.read_text()[-3000:]
            assert not [r for r in fs.log_records(log) if r.get("level") in ("error", "critical")]
            runs.append(
                await fs.fetch_rows(
                    DSN, schema, "SELECT version, applied_at FROM schema_version ORDER BY version"
                )
            )
        assert [r["version"] for r in runs[0]] == list(range(1, len(POSTGRES_MIGRATIONS) + 1))
        assert runs[1] == runs[0]
        assert fs.published(tmp_path / "run1.log") == 0  # the second start found the work done
        assert len(await read_topic(broker.bootstrap, topics["articles"])) == 3
