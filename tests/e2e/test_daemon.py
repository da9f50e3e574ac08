"""`make run`-like daemon mode: embedded broker, `tail` against it, health endpoints, SIGTERM."""

from __future__ import annotations

import asyncio
import json
import re
import signal
import time

import aiohttp
import pytest

from newsflow.publish.embedded import EMBEDDED_ADDRESS_FILE
from tests.e2e import cli
from tests.e2e.site import start_site

pytestmark = pytest.mark.timeout(240)

N = 4
FLUSH_TIMEOUT = 10  # kafka.flush_timeout in cli.write_config
LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


async def _wait_for(predicate, timeout: float, what: str, proc) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.returncode is not None:
            raise AssertionError(f"daemon exited with {proc.returncode} while waiting for {what}")
        if await predicate():
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


async def test_daemon_with_embedded_broker_tail_health_and_sigterm(tmp_path):
    """A daemon without bootstrap servers starts its own broker; `tail` finds it through the state
    dir and shows the articles; /healthz, /readyz and /metrics answer; SIGTERM exits 0 in time."""
    server, arts = await start_site(N, seed=53)
    state = tmp_path / "state"
    port = cli.free_port()
    config = cli.write_config(
        tmp_path / "newsflow.yaml",
        state_dir=state,
        sources=[{"id": "local-wire", "kind": "feed", "url": server.url("/feed.rss")}],
        observability={"http_port": port},
    )
    log = tmp_path / "daemon.log"
    with open(log, "wb") as err:
        proc = await asyncio.create_subprocess_exec(
            *cli.NEWSFLOW,
            "run",
            "--config",
            str(config),
            stdout=asyncio.subprocess.DEVNULL,
            stderr=err,
            env=cli.cli_env(),
        )
    address = state / EMBEDDED_ADDRESS_FILE
    try:

        async def announced() -> bool:
            return address.exists() and address.read_text().strip() != ""

        await _wait_for(announced, 60, "the embedded broker's address file", proc)
        assert re.fullmatch(r"127\.0\.0\.1:\d+", address.read_text().strip())

        titles = {a.title for a in arts}
        res = await cli.arun(
            "tail",
            "newsflow.articles.v1",
            "--config",
            str(config),
            "--from-beginning",
            "--max",
            str(N),
            "--idle-exit",
            "20",
            timeout=90,
        )
        assert res.returncode == 0, res.stderr[-3000:] + log.read_text()[-3000:]
        lines = res.stdout.splitlines()
        assert len(lines) == N, res.stdout
        for line in lines:
            # "2025-…  [local-wire] Title  (N words, precision)  URL"
            m = re.match(
                r"^\S+  \[local-wire\] (.+?)  \((\d+) words, precision\)  (http://\S+)$", line
            )
            assert m, line
            assert m.group(1) in titles and int(m.group(2)) > 50
            assert m.group(3).startswith(server.base + "/articles/")
        assert {re.match(r"^\S+  \[local-wire\] (.+?)  \(", ln).group(1) for ln in lines} == titles

        raw = await cli.arun(
            "tail",
            "newsflow.articles.v1",
            "--config",
            str(config),
            "--json",
            "--from-beginning",
            "--max",
            str(N),
            "--idle-exit",
            "20",
            timeout=90,
        )
        assert raw.returncode == 0, raw.stderr[-3000:]
        values = [json.loads(line) for line in raw.stdout.splitlines()]
        assert {v["title"] for v in values} == titles
        assert all(v["source"]["id"] == "local-wire" and v["article_id"] for v in values)

        events = await cli.arun(
            "tail",
            "newsflow.events.v1",
            "--config",
            str(config),
            "--from-beginning",
            "--idle-exit",
            "3",
            timeout=60,
        )
        assert events.returncode == 0, events.stderr[-3000:]
        assert events.stdout.strip(), "the corpus describes attacks and arrests; events are shown"
        assert all("«" in line for line in events.stdout.splitlines())

        async with aiohttp.ClientSession() as http:
            base = f"http://127.0.0.1:{port}"
            async with http.get(base + "/healthz") as r:
                assert r.status == 200 and (await r.json())["status"] == "ok"
            async with http.get(base + "/readyz") as r:
                assert r.status == 200 and (await r.json())["ready"] is True
            async with http.get(base + "/metrics") as r:
                assert r.status == 200
                metrics = await r.text()
        assert re.search(r'^newsflow_publish_total\{kind="article"\} [1-9]', metrics, re.M), metrics
        assert re.search(r"^newsflow_source_polls_total\{.*\} [1-9]", metrics, re.M), metrics
        assert re.search(r"^newsflow_broker_ready 1\.0$", metrics, re.M)
        # Issue 12: the series operators expect, and no *_created companions.
        for pattern in (
            r'^newsflow_build_info\{coder_version="[\d.]+",version="[\d.]+"\} 1\.0$',
            rf'^newsflow_articles_published_total\{{source="local-wire"\}} {N}\.0$',
            r'^newsflow_events_published_total\{type="[A-Z]+"\} [1-9]',
            r'^newsflow_source_last_success_timestamp_seconds\{source="local-wire"\} 1\.\d+e\+09$',
            r'^newsflow_queue_depth\{queue="links"\} \d+\.0$',
            r"^newsflow_extract_queue_seconds_count [1-9]",
        ):
            assert re.search(pattern, metrics, re.M), (pattern, metrics)
        assert "_created" not in metrics
        label_values = [
            v
            for line in metrics.splitlines()
            if not line.startswith("#")
            for _, v in LABEL.findall(line)
        ]
        assert label_values, "metrics carry labels"
        assert not [v for v in label_values if "://" in v or "127.0.0.1" in v], label_values
    finally:
        if proc.returncode is None:
            started = time.monotonic()
            proc.send_signal(signal.SIGTERM)
            try:
                rc = await asyncio.wait_for(proc.wait(), FLUSH_TIMEOUT + 15)
            except TimeoutError:
                proc.kill()
                await proc.wait()
                raise AssertionError("daemon did not stop after SIGTERM") from None
            stopped_in = time.monotonic() - started
        await server.stop()
    text = log.read_text()
    assert rc == 0, text[-3000:]
    assert stopped_in < FLUSH_TIMEOUT + 5, stopped_in
    assert "Traceback" not in text
    logs = cli.json_lines(text)
    assert any(r.get("event") == "run" and r.get("status") == "stopping" for r in logs)
    finished = [r for r in logs if r.get("event") == "run" and r.get("status") == "finished"]
    assert finished and finished[-1]["articles"] == N
    assert not address.exists(), "the address file goes with the broker"
