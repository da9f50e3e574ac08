"""`newsflow schemas`: JSON Schema of every published message, generated from the models."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from newsflow.models import PUBLISHED


def render() -> dict[str, str]:
    """File name → JSON text, one schema per published message."""
    out = {}
    for name, model in PUBLISHED.items():
        schema = model.model_json_schema(mode="serialization")
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schema["$id"] = (
            f"https://newsflow.dev/schemas/{name}.v{model.model_fields['schema_version'].default}.json"
        )
        out[f"{name}.v{model.model_fields['schema_version'].default}.json"] = (
            json.dumps(schema, indent=2, sort_keys=True) + "\n"
        )
    return out


@click.command()
@click.option("--out", type=click.Path(path_type=Path), default=Path("schemas"), show_default=True)
def schemas(out: Path) -> None:
    """Write JSON Schema files for the published messages."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        for name, text in render().items():
            (out / name).write_text(text, encoding="utf-8")
            click.echo(f"wrote {out / name}")
    except OSError as exc:  # one line for a path that cannot be written, not a traceback
        click.echo(f"newsflow schemas: cannot write to {out}: {exc.strerror or exc}", err=True)
        sys.exit(1)
