"""Running the real `newsflow` command line as a subprocess, with a clean environment."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_config(
    path: Path,
    *,
    sources: list[dict],
    state_dir: Path,
    bootstrap: str | None = None,
    topics: dict[str, str] | None = None,
    **extra,
) -> Path:
    """A config file for a local corpus server: no politeness delays, no retries, JSON logs."""
    kafka: dict = {"flush_timeout": 10}
    if bootstrap:
        kafka["bootstrap_servers"] = [bootstrap]
    if topics:
        kafka["topics"] = {k: v for k, v in topics.items() if k != "raw"}
    config = {
        "state_dir": str(state_dir),
        "sources": sources,
        "kafka": kafka,
        "fetch": {
            "block_private_addresses": False,
            "min_host_delay": 0.0,
            "per_host_concurrency": 8,
            "retries": 0,
            "total_timeout": 20,
        },
        "extract": {"workers": 2, "timeout": 60},
        "observability": {"http_port": 0, "log_format": "json"},
    }
    for key, value in extra.items():
        config[key] = {**config.get(key, {}), **value} if isinstance(value, dict) else value
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


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
