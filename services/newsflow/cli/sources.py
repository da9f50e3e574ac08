"""`newsflow sources check`: validate the configuration and try each source once."""

from __future__ import annotations

import asyncio
import sys

import click

from newsflow import assembly
from newsflow.cli import with_settings
from newsflow.config import Settings, SourceConfig
from newsflow.models import utcnow


@click.group()
def sources() -> None:
    """Inspect the configured sources."""


@sources.command()
@click.option("--no-fetch", is_flag=True, help="Only validate and show stored health.")
@with_settings
def check(settings: Settings, no_fetch: bool) -> None:
    """Try every source once and print its health, last status, next poll and error streak."""
    rows = asyncio.run(_check(settings, no_fetch))
    header = ("SOURCE", "KIND", "TRY", "ITEMS", "HEALTH", "LAST", "STREAK", "NEXT POLL")
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for r in [header, *rows]:
        click.echo("  ".join(str(v).ljust(w) for v, w in zip(r, widths, strict=True)))
    # Fails when a source fails now, or (--no-fetch) when its stored state is unhealthy.
    failed = [r for r in rows if r[2] not in ("ok", "not_modified", "-") or r[4] == "UNHEALTHY"]
    sys.exit(1 if failed else 0)


async def _check(settings: Settings, no_fetch: bool) -> list[tuple]:
    stored = {}
    store = assembly.store(settings)
    try:
        await store.open()
        stored = {f.source_id: f for f in await store.feed_states()}
        await store.close()
    except Exception:  # no state yet is fine for a check
        stored = {}
    results: dict[str, tuple[str, int | str]] = {}
    if not no_fetch and settings.sources:
        async with assembly.fetcher(settings) as fetcher:
            tries = await asyncio.gather(*(_try(fetcher, s, settings) for s in settings.sources))
        results = dict(zip([s.id for s in settings.sources], tries, strict=True))
    rows = []
    for s in settings.sources:
        state = stored.get(s.id)
        status, items = results.get(s.id, ("-", "-"))
        health = "-" if state is None else ("healthy" if state.error_streak == 0 else "UNHEALTHY")
        rows.append(
            (
                s.id,
                s.kind,
                status,
                items,
                health,
                (state.last_status or "-") if state else "-",
                state.error_streak if state else "-",
                f"{state.next_poll_at:%Y-%m-%d %H:%M:%S}" if state and state.next_poll_at else "-",
            )
        )
    return rows


async def _try(fetcher, source: SourceConfig, settings: Settings) -> tuple[str, int | str]:
    from newsflow.fetch.robots import applies_to_listed
    from newsflow.sources.parse import parse_source

    outcome = await fetcher.fetch(
        source.url, check_robots=applies_to_listed(source.respect_robots, settings.fetch)
    )
    if not outcome.ok:
        return (str(outcome.reason or outcome.status), 0)
    found = parse_source(
        source, outcome.body, outcome.text, base_url=outcome.url, now=utcnow(), since=None
    )
    return ("ok", len(found.items))
