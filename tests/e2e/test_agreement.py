"""One assembly: the daemon and `newsflow extract` code the same page into the same events."""

from __future__ import annotations

import json

import pytest

from newsflow_tools.bench.corpus import render_page
from tests.conftest import read_topic
from tests.e2e import cli
from tests.e2e.site import start_site

pytestmark = pytest.mark.timeout(240)


async def test_extract_and_the_daemon_give_the_same_event_ids(broker, topics, tmp_path):
    """With a configured coder version, `extract` and `run` agree on every event id."""
    server, arts = await start_site(1, seed=71)
    try:
        config = cli.write_config(
            tmp_path / "c.yaml",
            state_dir=tmp_path / "state",
            bootstrap=broker.bootstrap,
            topics=topics,
            events={"coder_version": "agreement-1"},
            kafka={"partitions": 1},
            sources=[{"id": "wire", "kind": "feed", "url": server.url("/feed.rss")}],
        )
        run = await cli.arun("run", "--once", "--config", str(config))
        assert run.returncode == 0, run.stderr[-3000:]
        daemon = [r.value for r in await read_topic(broker.bootstrap, topics["events"])]
        page = tmp_path / "page.html"
        page.write_text(render_page(arts[0]), encoding="utf-8")
        url = server.url(f"/articles/{arts[0].slug}.html")
        res = await cli.arun("extract", str(page), "--url", url, "--config", str(config))
        assert res.returncode == 0, res.stderr[-3000:]
    finally:
        await server.stop()
    single = json.loads(res.stdout)["events"]
    assert daemon, "the sample page must code at least one event"
    assert {e["coder"]["version"] for e in single} == {"agreement-1"}
    assert sorted(e["event_id"] for e in single) == sorted(e["event_id"] for e in daemon)
