"""Issue 12, process lifecycle: stopping, children and restarts of the real daemon."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from pathlib import Path

import pytest

from tests.e2e import cli

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
