"""`newsflow run`: the daemon, or one pass with --once."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys

import click
import structlog

from newsflow.cli import with_settings
from newsflow.config import Settings
from newsflow.errors import NewsflowError

log = structlog.get_logger("newsflow.cli")


@click.command()
@click.option("--once", is_flag=True, help="One pass over all sources, drain, exit 0.")
@with_settings
def run(settings: Settings, once: bool) -> None:
    """Poll the sources and publish articles, events and dead letters."""
    try:
        stats = asyncio.run(_run(settings, once))
    except NewsflowError as exc:
        click.echo(f"newsflow: {exc}", err=True)
        sys.exit(1)
    if once:
        click.echo(
            f"done: {stats['articles']} articles, {stats['events']} events, "
            f"{stats['dead_letters']} dead letters, {stats['duplicates']} duplicates "
            f"in {stats['seconds']:.1f}s",
            err=True,
        )


async def _run(settings: Settings, once: bool):
    from newsflow.pipeline import build_pipeline

    pipeline = build_pipeline(settings, once=once)
    # Before start-up, which can wait on the broker: a SIGTERM then still ends in a clean exit.
    _install_signals(pipeline)
    async with pipeline:
        log.info(
            "run",
            status="started",
            once=once,
            sources=len(settings.sources),
            http_port=pipeline.health.port if pipeline.health else None,
        )
        if not settings.sources:
            log.warning(
                "run",
                status="no_sources",
                detail="no sources configured: nothing will be polled; add `sources:` to the config",
            )
        return await pipeline.run()


def _install_signals(pipeline) -> None:
    """First SIGTERM/SIGINT: graceful stop. Second: exit now."""
    loop = asyncio.get_running_loop()
    seen = {"n": 0}

    def handler(signame: str) -> None:
        # Act first, log after: the log write can fail (a dead `| tee`), the stop must not.
        seen["n"] += 1
        if seen["n"] > 1:
            with contextlib.suppress(Exception):
                log.warning("run", status="forced_exit", signal=signame)
            os._exit(130)
        pipeline.request_stop()
        with contextlib.suppress(Exception):
            log.info("run", status="stopping", signal=signame)

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, handler, sig.name)
