"""The `newsflow` command line. Settings are read once here and handed down."""

from __future__ import annotations

import sys
from functools import wraps
from pathlib import Path

import click

from newsflow import __version__
from newsflow.config import Settings, load_settings
from newsflow.errors import ConfigError

config_option = click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path),
    envvar="NEWSFLOW_CONFIG",
    help="YAML settings file (NEWSFLOW_* variables override it).",
)


def with_settings(fn):
    """Load settings once; a bad file exits 2 with the field and the reason, no traceback."""

    @config_option
    @wraps(fn)
    def wrapper(config_path: Path | None, **kwargs):
        try:
            settings = load_settings(config_path)
        except ConfigError as exc:
            click.echo(f"newsflow: {exc}", err=True)
            sys.exit(2)
        from newsflow.observability import configure_logging

        configure_logging(settings.observability)
        return fn(settings, **kwargs)

    return wrapper


@click.group()
@click.version_option(__version__, prog_name="newsflow")
def main() -> None:
    """newsflow: news feeds in, clean articles and PLOVER events out, on Kafka."""


def _register() -> None:
    from newsflow.cli import dlq, extract, reprocess, run, schemas, settings_doc, sources, tail

    main.add_command(run.run)
    main.add_command(extract.extract)
    main.add_command(tail.tail)
    main.add_command(sources.sources)
    main.add_command(schemas.schemas)
    main.add_command(dlq.dlq)
    main.add_command(reprocess.reprocess)
    main.add_command(settings_doc.settings_reference)


_register()

__all__ = ["Settings", "main", "with_settings"]
