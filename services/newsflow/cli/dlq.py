"""`newsflow dlq list|retry`: inspect dead letters and put them back into the frontier."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import click

from newsflow.cli import with_settings
from newsflow.config import Settings
from newsflow.errors import Reason
from newsflow.state import open_store


def _since(_ctx, _param, value: str | None) -> datetime | None:
    """--since as an aware datetime; a bad value is a usage error (exit 2), not a traceback."""
    if not value:
        return None
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise click.BadParameter(
            f"{value!r} is not an ISO 8601 time, e.g. 2025-06-01T12:00:00Z"
        ) from exc
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


# An unknown reason is a usage error, not a silent "0 dead letters".
REASONS = click.Choice([str(r) for r in Reason])


def _with_store(settings: Settings, action):
    """Open the configured state store, run one coroutine on it, close it."""

    async def go():
        store = open_store(settings)
        await store.open()
        try:
            return await action(store)
        finally:
            await store.close()

    return asyncio.run(go())


@click.group()
def dlq() -> None:
    """Dead letters: links that did not become articles, with their reasons."""


@dlq.command("list")
@click.option("--reason", type=REASONS, help="Only this reason, e.g. not_found or timeout.")
@click.option("--since", callback=_since, help="Only failures at or after this ISO 8601 time.")
@with_settings
def list_(settings: Settings, reason: str | None, since: datetime | None) -> None:
    """Show failed links: when, stage, reason, attempts, source, URL and detail."""

    rows = _with_store(settings, lambda store: store.failed_links(reason=reason, since=since))
    for r in rows:
        click.echo(
            f"{r.failed_at:%Y-%m-%d %H:%M:%S}  {r.stage}/{r.reason}  attempts={r.attempts}"
            f"  source={r.source_id}  {r.url}  {r.detail[:100]}"
        )
    click.echo(f"{len(rows)} dead letters", err=True)


@dlq.command()
@click.option("--reason", type=REASONS, help="Only this reason.")
@click.option("--since", callback=_since, help="Only failures at or after this ISO 8601 time.")
@with_settings
def retry(settings: Settings, reason: str | None, since: datetime | None) -> None:
    """Put the selected dead letters back into the frontier as pending links."""

    count = _with_store(settings, lambda store: store.requeue_failed(reason=reason, since=since))
    click.echo(f"requeued {count} links")
