"""Import rules for the fetch and sources stages."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[3] / "services" / "newsflow"
SHARED = {"newsflow.models", "newsflow.errors", "newsflow.config"}


def imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("stage", ["fetch", "sources"])
def test_stage_imports_only_shared_modules_and_itself(stage):
    """A stage imports newsflow's shared modules and its own package, never another stage."""
    for path in (PACKAGE / stage).glob("*.py"):
        for name in imports(path):
            if name.startswith("newsflow"):
                assert name in SHARED or name.startswith(f"newsflow.{stage}"), (
                    f"{path.name}: {name}"
                )


def test_only_client_imports_aiohttp():
    """aiohttp is imported by fetch/client.py alone (one module per outside system)."""
    users = {
        p.name
        for stage in ("fetch", "sources")
        for p in (PACKAGE / stage).glob("*.py")
        if any(n == "aiohttp" or n.startswith("aiohttp.") for n in imports(p))
    }
    assert users == {"client.py"}
