"""Issue 12.2: acknowledged data survives a broker crash when the broker is durable.

Tansu keeps its data in S3 (a local moto server). The daemon runs --once over a corpus; the
broker is SIGKILLed mid-run and restarted on the same port and bucket. Every article
acknowledged before the kill must still be there, and every other one must arrive: 0 lost.
Duplicates (at-least-once re-sends after the outage) are counted, not forbidden.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
from collections import Counter

import pytest

from newsflow.publish.embedded import EmbeddedBroker, free_port
from tests.integration import daemon
from tests.integration.s3_server import S3Server
from tests.integration.test_faults import (
    FAST,
    config_for,
    links,
    published,
    read_all,
    serve_corpus,
    stop_all,
    wait_published,
)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(400)]

RUNS = 3
N = 120


async def one_run(site, s3: S3Server, tmp_path, i: int) -> dict:
    port = free_port()
    topics = {k: f"d{i}.{k}" for k in ("articles", "events", "dlq", "raw")}

    def tansu(n: int) -> EmbeddedBroker:
        return EmbeddedBroker(
            port, log_path=tmp_path / f"tansu-{n}.log", storage=f"s3://{s3.bucket}/", env=s3.env()
        )

    broker = tansu(1)
    await broker.start()
    config = config_for(
        tmp_path, site, topics, broker.bootstrap, **FAST, kafka={"request_timeout_ms": 5000}
    )
    log = tmp_path / "run.log"
    proc = await daemon.start(config, "--once", log=log)
    restarted = None
    try:
        await wait_published(log, 30 + 10 * i, proc)
        os.kill(broker.pid, signal.SIGKILL)
        await broker.stop()
        await asyncio.sleep(3)
        restarted = tansu(2)
        await restarted.start()
        t_up = time.time()
        rc = await asyncio.wait_for(proc.wait(), 150)
        assert rc == 0, log.read_text()[-3000:]
        acked_before = {aid for t, aid in published(log) if t < t_up}
        state = links(tmp_path / "state")
        done = {aid for s, aid in state.values() if s == "done"}
        assert done == set(site.ids), Counter(s for s, _ in state.values())
        records = await read_all(restarted.bootstrap, topics["articles"], at_least=N)
        keys = Counter(r.key for r in records)
        return {
            "acked_before_kill": len(acked_before),
            "lost_acked": len(acked_before - set(keys)),
            "lost_unacked": len((done - acked_before) - set(keys)),
            "duplicates": sum(n - 1 for n in keys.values()),
        }
    finally:
        await stop_all(proc, broker, restarted)


async def test_broker_on_s3_sigkilled_and_restarted_keeps_every_acknowledged_article(tmp_path):
    """Tansu over S3, SIGKILLed mid-run and restarted: 0 acknowledged or unacknowledged lost."""
    s3 = S3Server(tmp_path / "moto.log")
    await s3.start()
    site = await serve_corpus(N)
    rows = []
    try:
        for i in range(RUNS):
            run_dir = tmp_path / f"run{i}"
            run_dir.mkdir()
            rows.append(await one_run(site, s3, run_dir, i))
            print("DURABLE BROKER RUN", i, json.dumps(rows[-1]), flush=True)
    finally:
        await site.server.stop()
        s3.stop()
    assert all(r["acked_before_kill"] > 0 for r in rows), rows
    assert sum(r["lost_acked"] + r["lost_unacked"] for r in rows) == 0, rows
