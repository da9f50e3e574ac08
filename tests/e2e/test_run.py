"""`newsflow run`: one pass over the bundled sample config, a missing broker, and the terminal summary."""

from __future__ import annotations

import asyncio
import os
import pty
import re
import select
import signal
import subprocess
import time

import pytest

from tests.conftest import read_topic
from tests.e2e import cli
from tests.e2e.site import start_site

pytestmark = pytest.mark.timeout(240)

SAMPLE_TITLES = {
    "Drone and missile barrage on Kyiv kills one, wounds four",
    "Police arrest dozens as Nairobi tax protest turns tense",
    "Mediators in Doha announce a three-day truce in Gaza talks",
    "EU foreign ministers agree new sanctions on Belarusian officials",
    "Flooding in Bangladesh displaces thousands",
    "One dead as Russian drones and missiles hit Kyiv",  # the second outlet's report
}
PUBLIC_SOURCES = {"bbc-world", "aljazeera", "guardian-world", "npr-world", "dw-world"}


def _topic_env(topics: dict[str, str]) -> dict[str, str]:
    return {f"NEWSFLOW_KAFKA__TOPICS__{k.upper()}": v for k, v in topics.items()}


async def test_once_on_bundled_sample_config_publishes_the_sample_articles(
    broker, topics, tmp_path
):
    """`run --once` on config/newsflow.example.yaml puts the 6 sample articles on Kafka offline,
    with the Kyiv strike as one story told by 2 articles from 2 outlets; each unreachable
    public feed costs exactly one warning, and the run exits 0."""
    env = cli.cli_env(
        NEWSFLOW_KAFKA_BOOTSTRAP_SERVERS=broker.bootstrap,
        NEWSFLOW_STATE_DIR=str(tmp_path / "state"),
        NEWSFLOW_OBSERVABILITY__HTTP_PORT="0",
        # Keeps the public feeds unreachable even on a machine with internet access:
        # no connection can be made in a millisecond, so the test is offline by construction.
        NEWSFLOW_FETCH__CONNECT_TIMEOUT="0.001",
        **_topic_env(topics),
    )
    res = await cli.arun("run", "--once", "--config", str(cli.SAMPLE_CONFIG), env=env, timeout=180)
    assert res.returncode == 0, res.stderr[-4000:]
    assert "Traceback" not in res.stderr

    logs = cli.json_lines(res.stderr)
    warnings = [r for r in logs if r.get("level") in ("warning", "error", "critical")]
    for source in PUBLIC_SOURCES:
        mine = [r for r in warnings if r.get("source_id") == source]
        assert len(mine) == 1, (source, mine)
        assert mine[0]["event"] == "source_poll" and mine[0]["status"] == "error"
    assert not [r for r in logs if r.get("level") in ("error", "critical")]
    sample_warnings = [r for r in warnings if str(r.get("source_id")).startswith("sample-")]
    assert not sample_warnings, sample_warnings[:3]

    articles = await read_topic(broker.bootstrap, topics["articles"])
    by_title = {r.value["title"]: r.value for r in articles}
    assert set(by_title) == SAMPLE_TITLES, [r.value["url"] for r in articles]
    assert {a["source"]["id"] for a in by_title.values()} == {"sample-wire", "sample-courier"}
    kyiv = by_title["Drone and missile barrage on Kyiv kills one, wounds four"]
    assert kyiv["text"].startswith("Russian forces launched a barrage")
    for furniture in ("cookies", "opt-out", "Edited By", "Sample Desk", "All rights reserved"):
        assert furniture not in kyiv["text"], furniture
    assert kyiv["published_at"].startswith("2025-02-12T18:00")
    assert re.search(r"done: 6 articles, \d+ events, 0 dead letters", res.stderr), res.stderr[-500:]
    stories = {}
    for r in await read_topic(broker.bootstrap, topics["stories"]):
        stories[r.key] = r.value  # latest per key, as a compacting consumer keeps
    told_twice = [s for s in stories.values() if s and s["num_articles"] > 1]
    assert len(told_twice) == 1, told_twice
    kyiv_story = told_twice[0]
    assert kyiv_story["event_type"] == "ASSAULT"
    assert kyiv_story["num_sources"] == 2
    assert kyiv_story["location"]["name"] == "Kyiv"
    killed = [c for c in kyiv_story["counts"] if c["kind"] == "killed"]
    assert killed and killed[0]["value"] == 1 and len(killed[0]["reports"]) == 2
    # Off a terminal the log is JSON lines, libraries' records included; only the verdict is text.
    assert [ln for ln in res.stderr.splitlines() if not ln.startswith("{")] == [
        ln for ln in res.stderr.splitlines() if ln.startswith("done: ")
    ]


async def test_once_with_unreachable_broker_fails_fast_and_clearly(tmp_path):
    """With no broker at the configured address, `run --once` exits 1 within 30 s with one clear line."""
    server, _arts = await start_site(2)
    try:
        config = cli.write_config(
            tmp_path / "c.yaml",
            state_dir=tmp_path / "state",
            sources=[{"id": "local", "kind": "feed", "url": server.url("/feed.rss")}],
        )
        env = cli.cli_env(NEWSFLOW_KAFKA_BOOTSTRAP_SERVERS=f"127.0.0.1:{cli.free_port()}")
        started = time.monotonic()
        res = await cli.arun("run", "--once", "--config", str(config), env=env, timeout=60)
        elapsed = time.monotonic() - started
    finally:
        await server.stop()
    assert res.returncode == 1, res.stderr[-3000:]
    assert elapsed < 30, elapsed
    assert "Traceback" not in res.stderr, res.stderr[-3000:]
    assert re.search(
        r"^newsflow: Kafka broker unreachable at 127\.0\.0\.1:\d+", res.stderr, re.M
    ), res.stderr[-2000:]
    assert server.count("/feed.rss") == 0, "nothing is fetched before the broker is known to work"
    text_lines = [ln for ln in res.stderr.splitlines() if not ln.startswith("{")]
    assert len(text_lines) == 1, res.stderr  # the verdict, not aiokafka's reconnect noise


def _read_pty(fd: int, until: re.Pattern[str], timeout: float) -> str:
    buf = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.5)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        buf += chunk
        if until.search(buf.decode("utf-8", "replace")):
            break
    return buf.decode("utf-8", "replace")


async def test_daemon_on_a_terminal_prints_the_summary_line(broker, topics, tmp_path):
    """On a terminal `run` prints the periodic summary line with the counts so far."""
    server, _arts = await start_site(3, seed=41)
    config = cli.write_config(
        tmp_path / "c.yaml",
        state_dir=tmp_path / "state",
        bootstrap=broker.bootstrap,
        topics=topics,
        sources=[{"id": "local", "kind": "feed", "url": server.url("/feed.rss")}],
        events={"enabled": False},
        poll={"lease_seconds": 3},
        observability={"summary_interval": 0.5, "log_format": "auto"},
    )
    primary, replica = pty.openpty()
    proc = subprocess.Popen(
        [*cli.NEWSFLOW, "run", "--config", str(config)],
        stdin=replica,
        stdout=replica,
        stderr=replica,
        env=cli.cli_env(),
        close_fds=True,
    )
    os.close(replica)
    try:
        pattern = re.compile(
            r"newsflow: sources 1 of 1 polled, 0 failing, articles published 3, .*broker ready"
        )
        # The article count only grows, so a later summary line must reach 3 (served by this loop).
        out = await asyncio.to_thread(_read_pty, primary, pattern, 90)
        assert pattern.search(out), out[-3000:]
        assert "dead letters 0" in pattern.search(out).group(0)
        assert "Traceback" not in out
    finally:
        proc.send_signal(signal.SIGTERM)
        rc = await asyncio.to_thread(proc.wait, 30)
        os.close(primary)
        await server.stop()
    assert rc == 0
