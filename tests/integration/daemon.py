"""Running the real `newsflow` command against a local corpus server and the test broker."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import yaml

NEWSFLOW = [sys.executable, "-m", "newsflow.cli"]


def write_config(
    path: Path,
    *,
    sources: list[dict],
    state_dir: Path,
    bootstrap: str | None = None,
    topics: dict[str, str] | None = None,
    **extra,
) -> Path:
    """A config for a local corpus server: no politeness delays, no retries, JSON logs.

    Without `bootstrap` the daemon starts its embedded broker; without `topics` it uses
    the default names.
    """
    kafka: dict = {"idempotence": "auto", "partitions": 3, "flush_timeout": 10}
    if bootstrap:
        kafka["bootstrap_servers"] = [bootstrap]
    if topics:
        kafka["topics"] = dict(topics)
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


async def start(config: Path, *args: str, log: Path) -> asyncio.subprocess.Process:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSFLOW_")}
    return await asyncio.create_subprocess_exec(
        *NEWSFLOW,
        "run",
        "--config",
        str(config),
        *args,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=open(log, "ab"),
        env=env,
    )


async def run_once(config: Path, *, log: Path, timeout: float = 180) -> int:
    proc = await start(config, "--once", log=log)
    return await asyncio.wait_for(proc.wait(), timeout)
