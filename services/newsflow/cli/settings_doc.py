"""`newsflow settings-reference`: the README's configuration table, generated from the model."""

from __future__ import annotations

import json
import re
from pathlib import Path

import click
from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from newsflow.config import Settings

BEGIN = "<!-- settings-reference:begin -->"
END = "<!-- settings-reference:end -->"


def _default(field) -> str:
    if field.default_factory is not None:
        value = field.default_factory()
        if isinstance(value, BaseModel):
            return ""
    elif field.default is PydanticUndefined:
        return "(required)"
    else:
        value = field.default
    if hasattr(value, "get_secret_value"):
        return "(secret)"
    if value is None:
        return "null"
    if isinstance(value, Path):
        return str(value)
    return json.dumps(value, default=str)


def rows(model: type[BaseModel] = Settings, prefix: str = "") -> list[tuple[str, str, str, str]]:
    out = []
    for name, field in model.model_fields.items():
        ann = field.annotation
        key = f"{prefix}{name}"
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            out += rows(ann, key + ".")
            continue
        if name == "sources" and not prefix:
            out.append((key, "list of sources (below)", "[]", "What to follow."))
            continue
        parts = key.upper().split(".")
        # First-level fields read best as NEWSFLOW_KAFKA_BOOTSTRAP_SERVERS; deeper ones need "__".
        env = "NEWSFLOW_" + ("_".join(parts) if len(parts) <= 2 else "__".join(parts))
        out.append((key, env, _default(field), (field.description or "").replace("|", "\\|")))
    return out


def markdown() -> str:
    lines = ["| setting | environment variable | default | meaning |", "|---|---|---|---|"]
    lines += [
        f"| `{k}` | `{e}` | `{d}` | {m} |" if d else f"| `{k}` | `{e}` | | {m} |"
        for k, e, d, m in rows()
    ]
    from newsflow.config import SourceConfig

    lines += ["", "Each entry of `sources`:", "", "| field | default | meaning |", "|---|---|---|"]
    lines += [f"| `{k}` | `{d}` | {m} |" for k, _, d, m in rows(SourceConfig)]
    return "\n".join(lines)


def splice(readme: str) -> str:
    block = f"{BEGIN}\n{markdown()}\n{END}"
    return re.sub(re.escape(BEGIN) + r".*?" + re.escape(END), lambda _: block, readme, flags=re.S)


@click.command("settings-reference")
@click.option(
    "--readme",
    type=click.Path(exists=True, path_type=Path),
    help="Rewrite the marked section of this file instead of printing.",
)
def settings_reference(readme: Path | None) -> None:
    """Print (or splice into README) the table of every setting, its variable and default."""
    if readme is None:
        click.echo(markdown())
        return
    readme.write_text(splice(readme.read_text(encoding="utf-8")), encoding="utf-8")
