"""`newsflow reprocess --from-raw`: apply the current extractor and coder to kept pages."""

from __future__ import annotations

import asyncio
import sys

import click

from newsflow.cli import with_settings
from newsflow.cli.tail import bootstrap_for
from newsflow.config import Settings
from newsflow.errors import NewsflowError


@click.command()
@click.option("--from-raw", is_flag=True, required=True, help="Read pages from the raw topic.")
@with_settings
def reprocess(settings: Settings, from_raw: bool) -> None:
    """Re-extract and re-code every page on the raw topic; publish under the same keys."""
    from newsflow.pipeline.replay import reprocess_from_raw

    try:
        stats = asyncio.run(reprocess_from_raw(settings, bootstrap_for(settings)))
    except NewsflowError as exc:
        click.echo(f"newsflow: {exc}", err=True)
        sys.exit(1)
    click.echo(
        f"reprocessed {stats['articles']} articles, {stats['events']} events, "
        f"{stats['dead_letters']} dead letters, {stats['stories']} story messages",
        err=True,
    )
