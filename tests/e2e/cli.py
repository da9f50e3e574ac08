"""Running the real `newsflow` command line as a subprocess, with a clean environment."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from newsflow.publish.embedded import free_port as free_port  # one port picker
from tests.integration.daemon import write_config as write_config  # one config writer

REPO = Path(__file__).resolve().parents[2]
SAMPLE_CONFIG = REPO / "config" / "newsflow.example.yaml"
# The console script `make run` uses; `python -m newsflow.cli` when it is not installed.
_SCRIPT = Path(sys.executable).with_name("newsflow")
NEWSFLOW = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "newsflow.cli"]


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


def cli_env(**extra: str) -> dict[str, str]:
    """The test process's environment without any NEWSFLOW_* variable, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSFLOW_")}
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra)
    return env


def run(
    *args: str,
    env: dict[str, str] | None = None,
    input: str | bytes | None = None,
    timeout: float = 120,
    cwd: Path | None = None,
) -> Result:
    """Run `newsflow ARGS` to completion (for commands that need no server in this process)."""
    proc = subprocess.run(
        [*NEWSFLOW, *args],
        input=input.encode() if isinstance(input, str) else input,
        capture_output=True,
        env=env or cli_env(),
        timeout=timeout,
        cwd=cwd,
    )
    return Result(proc.returncode, proc.stdout.decode(), proc.stderr.decode())


async def arun(*args: str, env: dict[str, str] | None = None, timeout: float = 120) -> Result:
    """Run `newsflow ARGS` without blocking the event loop (a local server may be serving it)."""
    proc = await asyncio.create_subprocess_exec(
        *NEWSFLOW,
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env or cli_env(),
    )
    try:
        out, err = await asyncio.wait_for(proc.communicate(), timeout)
    except TimeoutError:
        proc.kill()
        out, err = await proc.communicate()
        raise AssertionError(
            f"newsflow {' '.join(args)} did not finish in {timeout}s\n{err.decode()[-3000:]}"
        ) from None
    return Result(proc.returncode, out.decode(), err.decode())


def json_lines(text: str) -> list[dict]:
    """The structured log lines of a run (JSON objects), skipping anything else."""
    import json

    out = []
    for line in text.splitlines():
        if line.startswith("{"):
            try:
                out.append(json.loads(line))
            except ValueError:
                continue
    return out
