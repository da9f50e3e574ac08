"""Issue 12, process lifecycle: stopping, children and restarts of the real daemon."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
import urllib.request
from pathlib import Path

import psutil
import pytest

from tests.e2e import cli
from tests.e2e.site import start_site

pytestmark = pytest.mark.timeout(240)


async def _read_until(fd: int, needle: bytes, timeout: float) -> bytes:
    """Read a non-blocking pipe until `needle` shows up."""
    got = b""
    deadline = time.monotonic() + timeout
    while needle not in got:
        assert time.monotonic() < deadline, f"no {needle!r} in\n{got.decode()[-3000:]}"
        try:
            chunk = os.read(fd, 65536)
        except BlockingIOError:
            chunk = b""
        got += chunk
        if not chunk:
            await asyncio.sleep(0.1)
    return got


async def test_sigint_stops_the_daemon_after_its_log_reader_died(broker, tmp_path: Path):
    """Ctrl-C with `| tee` killed: the stop must not depend on the log write that now fails."""
    config = cli.write_config(
        tmp_path / "c.yaml", sources=[], state_dir=tmp_path / "state", bootstrap=broker.bootstrap
    )
    fifo = tmp_path / "log.fifo"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    writer = os.open(fifo, os.O_WRONLY)
    proc = await asyncio.create_subprocess_exec(
        *cli.NEWSFLOW, "run", "--config", str(config),
        stdout=writer, stderr=writer, env=cli.cli_env(),
    )  # fmt: skip
    os.close(writer)
    try:
        await _read_until(reader, b'"status": "started"', 60)
        os.close(reader)  # the reader dies: every later write gets EPIPE
        reader = -1
        proc.send_signal(signal.SIGINT)
        rc = await asyncio.wait_for(proc.wait(), 30)
        assert rc == 0
    finally:
        if reader >= 0:
            os.close(reader)
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


def _tansu(pid: int) -> list[psutil.Process]:
    try:
        kids = psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []
    return [k for k in kids if "tansu" in k.name()]


async def _embedded_daemon(tmp_path: Path, server, **extra):
    """`newsflow run` with no bootstrap servers (its own Tansu), JSON log at tmp_path/d.log."""
    config = cli.write_config(
        tmp_path / "c.yaml",
        state_dir=tmp_path / "state",
        sources=[{"id": "local-wire", "kind": "feed", "url": server.url("/feed.rss")}],
        events={"enabled": False},
        **extra,
    )
    log = tmp_path / "d.log"
    with open(log, "ab") as err:
        proc = await asyncio.create_subprocess_exec(
            *cli.NEWSFLOW, "run", "--config", str(config),
            stdout=asyncio.subprocess.DEVNULL, stderr=err, env=cli.cli_env(),
        )  # fmt: skip
    return proc, log


async def _until(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = predicate()
        if got:
            return got
        await asyncio.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


async def test_embedded_broker_dies_with_a_sigkilled_daemon(tmp_path: Path):
    """SIGKILL of the daemon takes its embedded broker with it: no orphan is left."""
    server, _ = await start_site(2, seed=71)
    proc, _ = await _embedded_daemon(tmp_path, server)
    try:
        (broker,) = await _until(lambda: _tansu(proc.pid), 60, "the embedded broker")
        proc.kill()
        await proc.wait()
        gone = await _until(lambda: not broker.is_running() or broker.status() == "zombie", 10,
                            f"the orphaned broker {broker.pid} to die")  # fmt: skip
        assert gone
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        with contextlib.suppress(psutil.NoSuchProcess, UnboundLocalError):
            broker.kill()
        await server.stop()


async def test_a_dead_embedded_broker_is_restarted_with_a_warning(tmp_path: Path):
    """The embedded broker SIGKILLed under a running daemon is restarted and /readyz turns 200."""
    server, _ = await start_site(2, seed=72)
    port = cli.free_port()
    proc, log = await _embedded_daemon(tmp_path, server, observability={"http_port": port})
    try:

        def ready() -> bool:
            with (
                contextlib.suppress(OSError),
                urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as r,
            ):
                return r.status == 200
            return False

        await _until(ready, 60, "/readyz 200 at start")  # the broker is up and in use
        (first,) = _tansu(proc.pid)
        first.kill()

        def statuses() -> list[tuple[str, str]]:
            lines = cli.json_lines(log.read_text())
            return [(x["level"], x["status"]) for x in lines if x.get("event") == "embedded_broker"]

        await _until(lambda: ("warning", "restarted") in statuses(), 30, "the restart")
        assert ("warning", "died") in statuses()
        assert [b for b in _tansu(proc.pid) if b.pid != first.pid], "a new broker process"
        await _until(ready, 60, "/readyz 200 after the restart")
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
            await asyncio.wait_for(proc.wait(), 60)
        await server.stop()


async def test_a_second_embedded_run_publishes_everything_again_and_says_why(tmp_path: Path):
    """With the in-memory broker, the state lives as long as the broker: run 2 republishes all."""
    server, arts = await start_site(3, seed=73)
    config = cli.write_config(
        tmp_path / "c.yaml",
        state_dir=tmp_path / "state",
        sources=[{"id": "local-wire", "kind": "feed", "url": server.url("/feed.rss")}],
        events={"enabled": False},
    )
    try:
        for _ in range(2):
            res = await cli.arun("run", "--once", "--config", str(config), timeout=120)
            assert res.returncode == 0, res.stderr[-3000:]
            assert f"done: {len(arts)} articles" in res.stderr, res.stderr[-3000:]
            (line,) = [x for x in cli.json_lines(res.stderr) if x.get("status") == "in_use"]
            assert "state is reset" in line["detail"]
    finally:
        await server.stop()


async def test_the_http_port_picked_with_port_0_is_written_beside_the_broker_address(tmp_path):
    """With http_port 0 the bound address is in state_dir/http.address (gone after exit)."""
    server, _ = await start_site(1, seed=74)
    proc, _ = await _embedded_daemon(tmp_path, server, observability={"http_port": 0})
    address = tmp_path / "state" / "http.address"
    try:
        text = await _until(lambda: address.exists() and address.read_text().strip(), 60,
                            "state_dir/http.address")  # fmt: skip
        with urllib.request.urlopen(f"http://{text}/healthz", timeout=5) as r:
            assert r.status == 200
        proc.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(proc.wait(), 60) == 0
        assert not address.exists()
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        await server.stop()


async def test_a_second_run_on_the_same_state_refuses_and_names_the_first(tmp_path: Path):
    """Two daemons on one SQLite state_dir: the second exits 1 naming the first one's pid."""
    server, _ = await start_site(1, seed=75)
    proc, log = await _embedded_daemon(tmp_path, server)
    try:
        await _until(
            lambda: any(x.get("status") == "started" for x in cli.json_lines(log.read_text())),
            60,
            "the first daemon",
        )
        second = await cli.arun("run", "--config", str(tmp_path / "c.yaml"), timeout=60)
        assert second.returncode == 1, second.stderr[-2000:]
        assert f"pid {proc.pid}" in second.stderr and "Traceback" not in second.stderr
        assert proc.returncode is None, "the first daemon runs on"
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
            await asyncio.wait_for(proc.wait(), 60)
        await server.stop()
