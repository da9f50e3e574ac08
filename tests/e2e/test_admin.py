"""Operator commands: `sources check`, `dlq list|retry` and `schemas`, against real state and files."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from newsflow.models import PUBLISHED
from tests.conftest import REPO, read_topic
from tests.e2e import cli
from tests.e2e.site import start_site

pytestmark = pytest.mark.timeout(240)


def _table(stdout: str) -> dict[str, dict[str, str]]:
    """`sources check` output as {source id: {column: value}}; columns are split on 2+ spaces."""
    lines = [ln for ln in stdout.splitlines() if ln.strip()]
    header = re.split(r"\s{2,}", lines[0].strip())
    assert header == ["SOURCE", "KIND", "TRY", "ITEMS", "HEALTH", "LAST", "STREAK", "NEXT POLL"]
    rows = {}
    for line in lines[1:]:
        cells = re.split(r"\s{2,}", line.strip())
        assert len(cells) == len(header), line
        rows[cells[0]] = dict(zip(header, cells, strict=True))
    return rows


@pytest.fixture
async def site_config(broker, topics, tmp_path):
    """A local site with a good feed (3 articles and one 404 link) and a feed that is 404 itself."""
    server, arts = await start_site(3, seed=61, missing=True)
    config = cli.write_config(
        tmp_path / "c.yaml",
        state_dir=tmp_path / "state",
        bootstrap=broker.bootstrap,
        topics=topics,
        sources=[
            {"id": "good", "kind": "feed", "url": server.url("/feed.rss")},
            {"id": "broken", "kind": "feed", "url": server.url("/feeds/missing.rss")},
        ],
        events={"enabled": False},
    )
    yield server, arts, config
    await server.stop()


async def test_sources_check_tries_each_source_then_shows_stored_health(site_config):
    """`sources check` lists every source with its try result (exit 1 on a 404 feed), and after a
    run shows health, last status, error streak and next poll from the state."""
    server, _arts, config = site_config
    before = await cli.arun("sources", "check", "--config", str(config))
    assert before.returncode == 1, before.stdout + before.stderr
    assert "Traceback" not in before.stderr
    rows = _table(before.stdout)
    assert set(rows) == {"good", "broken"}
    assert rows["good"]["TRY"] == "ok" and rows["good"]["ITEMS"] == "4"
    assert rows["broken"]["TRY"] == "not_found" and rows["broken"]["ITEMS"] == "0"
    for row in rows.values():
        assert row["HEALTH"] == row["LAST"] == row["STREAK"] == row["NEXT POLL"] == "-"
    assert server.count("/feeds/missing.rss") == 1

    run = await cli.arun("run", "--once", "--config", str(config))
    assert run.returncode == 0, run.stderr[-3000:]

    after = await cli.arun("sources", "check", "--config", str(config))
    assert after.returncode == 1
    rows = _table(after.stdout)
    good, broken = rows["good"], rows["broken"]
    assert (good["TRY"], good["HEALTH"], good["LAST"], good["STREAK"]) == (
        "ok",
        "healthy",
        "ok",
        "0",
    )
    assert (broken["TRY"], broken["HEALTH"], broken["LAST"], broken["STREAK"]) == (
        "not_found",
        "UNHEALTHY",
        "not_found",
        "1",
    )
    for row in (good, broken):
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", row["NEXT POLL"]), row

    stored = await cli.arun("sources", "check", "--no-fetch", "--config", str(config))
    rows = _table(stored.stdout)
    assert rows["broken"]["TRY"] == "-" and rows["broken"]["STREAK"] == "1"
    assert server.count("/feeds/missing.rss") == 3, "--no-fetch fetches nothing"


async def test_dlq_list_and_retry_after_a_404_link(site_config, broker, topics):
    """A 404 link is listed by `dlq list` with its reason; `dlq retry --reason not_found` requeues it
    and the next run tries it again."""
    server, _arts, config = site_config
    run = await cli.arun("run", "--once", "--config", str(config))
    assert run.returncode == 0, run.stderr[-3000:]
    dead = await read_topic(broker.bootstrap, topics["dlq"])
    assert [r.value["reason"] for r in dead] == ["not_found"]

    listed = await cli.arun("dlq", "list", "--config", str(config))
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert len(lines) == 1, listed.stdout
    assert "fetch/not_found" in lines[0] and "attempts=1" in lines[0]
    assert server.url("/articles/taken-down.html") in lines[0] and "404" in lines[0]
    assert "1 dead letters" in listed.stderr

    other = await cli.arun("dlq", "list", "--reason", "timeout", "--config", str(config))
    assert other.returncode == 0 and other.stdout == ""
    future = await cli.arun(
        "dlq", "list", "--since", "2999-01-01T00:00:00Z", "--config", str(config)
    )
    assert future.returncode == 0 and future.stdout == ""

    retried = await cli.arun("dlq", "retry", "--reason", "not_found", "--config", str(config))
    assert retried.returncode == 0, retried.stderr
    assert retried.stdout.strip() == "requeued 1 links"
    empty = await cli.arun("dlq", "list", "--config", str(config))
    assert empty.stdout == "", "a requeued link is no longer a dead letter"

    fetched = server.count("/articles/taken-down.html")
    again = await cli.arun("run", "--once", "--config", str(config))
    assert again.returncode == 0, again.stderr[-3000:]
    assert server.count("/articles/taken-down.html") == fetched + 1
    relisted = await cli.arun("dlq", "list", "--config", str(config))
    assert "fetch/not_found" in relisted.stdout and "attempts=2" in relisted.stdout, relisted.stdout


def test_schemas_writes_the_committed_schema_files(tmp_path):
    """`python -m newsflow.cli schemas --out DIR` writes the four schemas, byte-identical to schemas/."""
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "newsflow.cli", "schemas", "--out", str(out)],
        capture_output=True,
        text=True,
        env=cli.cli_env(),
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    written = sorted(p.name for p in out.iterdir())
    committed = sorted(p.name for p in (REPO / "schemas").glob("*.json"))
    assert len(written) == len(PUBLISHED) and written == committed
    for name in written:
        assert (out / name).read_bytes() == (REPO / "schemas" / name).read_bytes(), name
    assert sorted(proc.stdout.splitlines()) == [f"wrote {out / name}" for name in written]
