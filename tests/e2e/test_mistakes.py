"""Operator mistakes (bad config, no broker, stale broker address, bad option) give a clear
message and a non-zero exit, never a traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest

from newsflow.publish.embedded import EMBEDDED_ADDRESS_FILE
from tests.e2e import cli

pytestmark = pytest.mark.timeout(120)


def _no_traceback(res: cli.Result) -> None:
    assert "Traceback" not in res.stderr + res.stdout, res.stderr[-3000:]


def test_invalid_config_names_each_bad_field(tmp_path):
    """A config with a bad source exits 2 naming the file and each bad field."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("sources:\n  - id: Bad Id\n    kind: feed\n    url: ftp://x\n", encoding="utf-8")
    res = cli.run("sources", "check", "--config", str(bad))
    _no_traceback(res)
    assert res.returncode == 2
    assert f"{bad}: invalid configuration" in res.stderr
    assert "sources.0.id:" in res.stderr and "sources.0.url:" in res.stderr


def test_tail_without_any_broker_explains_where_it_looked(tmp_path):
    """`tail` with no bootstrap servers and no running daemon says how to point it at a broker."""
    res = cli.run(
        "tail", "newsflow.articles.v1", env=cli.cli_env(NEWSFLOW_STATE_DIR=str(tmp_path / "state"))
    )
    _no_traceback(res)
    assert res.returncode == 1
    assert "no broker" in res.stderr and str(tmp_path / "state") in res.stderr


def test_tail_with_a_stale_embedded_broker_address(tmp_path):
    """`tail` given the address file of a daemon that died exits 1 with the address and a hint."""
    state = tmp_path / "state"
    state.mkdir()
    port = cli.free_port()
    (state / EMBEDDED_ADDRESS_FILE).write_text(f"127.0.0.1:{port}\n", encoding="utf-8")
    res = cli.run(
        "tail",
        "newsflow.articles.v1",
        "--idle-exit",
        "1",
        env=cli.cli_env(NEWSFLOW_STATE_DIR=str(state)),
        timeout=60,
    )
    _no_traceback(res)
    assert res.returncode == 1
    assert f"Kafka broker unreachable at 127.0.0.1:{port}" in res.stderr
    assert "still running?" in res.stderr
    assert "Unclosed" not in res.stderr


def test_tail_of_a_missing_topic(broker):
    """`tail` of a topic the broker does not have exits 1 and names the topic."""
    res = cli.run(
        "tail",
        "no.such.topic.v1",
        "--idle-exit",
        "1",
        env=cli.cli_env(NEWSFLOW_KAFKA_BOOTSTRAP_SERVERS=broker.bootstrap),
        timeout=60,
    )
    _no_traceback(res)
    assert res.returncode == 1
    assert "topic no.such.topic.v1 does not exist" in res.stderr


@pytest.mark.parametrize("command", ["list", "retry"])
def test_dlq_since_must_be_a_time(tmp_path, command):
    """`dlq list|retry --since` with a value that is not ISO 8601 is a usage error (exit 2)."""
    res = cli.run(
        "dlq",
        command,
        "--since",
        "last tuesday",
        env=cli.cli_env(NEWSFLOW_STATE_DIR=str(tmp_path / "state")),
    )
    _no_traceback(res)
    assert res.returncode == 2
    assert "Invalid value for '--since'" in res.stderr and "ISO 8601" in res.stderr


def test_dlq_list_rejects_an_unknown_reason(tmp_path):
    """`dlq list --reason bogus` is a usage error naming the valid reasons, not "0 dead letters"."""
    env = cli.cli_env(NEWSFLOW_STATE_DIR=str(tmp_path / "state"))
    for command in ("list", "retry"):
        res = cli.run("dlq", command, "--reason", "bogus", env=env)
        _no_traceback(res)
        assert res.returncode == 2, res.stderr
        assert "bogus" in res.stderr and "not_found" in res.stderr


def test_eval_without_data_fails_with_a_clear_message(tmp_path):
    """`make eval` with no evaluation data exits non-zero and says what is missing."""
    proc = subprocess.run(
        [sys.executable, "-m", "newsflow_tools.evaluate", "--shared", str(tmp_path / "nowhere")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "no evaluation data" in proc.stderr and "extraction-aeb-dev.jsonl" in proc.stderr
    assert "Traceback" not in proc.stderr


async def test_run_with_no_sources_warns(broker, topics, tmp_path):
    """`newsflow run` with no sources says so at warning level instead of idling silently."""
    config = cli.write_config(
        tmp_path / "c.yaml",
        sources=[],
        state_dir=tmp_path / "state",
        bootstrap=broker.bootstrap,
        topics=topics,
    )
    res = await cli.arun("run", "--once", "--config", str(config), timeout=90)
    assert res.returncode == 0, res.stderr[-3000:]
    warned = [x for x in cli.json_lines(res.stderr) if x.get("status") == "no_sources"]
    assert warned and warned[0]["level"] == "warning", res.stderr[-2000:]


def test_schemas_to_a_path_that_cannot_be_written_is_one_clear_line(tmp_path):
    """`schemas --out` on an unwritable path exits 1 with one line naming it, no traceback."""
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    res = cli.run("schemas", "--out", str(blocker / "schemas"))
    _no_traceback(res)
    assert res.returncode == 1
    (line,) = res.stderr.strip().splitlines()
    assert "cannot write" in line and str(blocker / "schemas") in line
