"""Stages import one way: each knows only the shared messages, errors, settings and itself."""

import ast

from tests.conftest import REPO

PACKAGE = REPO / "services" / "newsflow"
STAGES = ["sources", "fetch", "extract", "events", "stories", "publish", "state"]
SHARED = {
    "newsflow",
    "newsflow.models",
    "newsflow.errors",
    "newsflow.config",
    "newsflow.urls",
    "newsflow.dedup",
    "newsflow.threads",
}


def imports_of(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


def test_stages_import_only_shared_modules_and_themselves():
    """A stage never imports another stage, the pipeline, the CLI or observability."""
    bad = []
    for stage in STAGES:
        for path in (PACKAGE / stage).rglob("*.py"):
            for name in imports_of(path):
                if not name.startswith("newsflow"):
                    continue
                if (
                    name in SHARED
                    or name == f"newsflow.{stage}"
                    or name.startswith(f"newsflow.{stage}.")
                ):
                    continue
                bad.append(f"{path.relative_to(PACKAGE)} imports {name}")
    assert not bad, "\n".join(bad)


def test_only_the_fetch_client_imports_aiohttp():
    """aiohttp is imported by fetch/client.py alone (the observability server aside)."""
    allowed = {"fetch/client.py", "observability.py"}
    bad = [
        rel
        for p in PACKAGE.rglob("*.py")
        if (rel := p.relative_to(PACKAGE).as_posix()) not in allowed
        and any(n.split(".")[0] == "aiohttp" for n in imports_of(p))
    ]
    assert not bad, bad


def test_only_publish_imports_kafka():
    """aiokafka lives in publish/: other commands get their producer and consumer from there."""
    bad = [
        str(p.relative_to(PACKAGE))
        for p in PACKAGE.rglob("*.py")
        if p.relative_to(PACKAGE).parts[0] != "publish"
        and any(n.split(".")[0] == "aiokafka" for n in imports_of(p))
    ]
    assert not bad, bad


def test_the_runtime_package_never_imports_the_tools():
    """newsflow runs without newsflow_tools (eval, bench), which the image does not carry."""
    bad = [
        str(p.relative_to(PACKAGE))
        for p in PACKAGE.rglob("*.py")
        if any(n.split(".")[0] == "newsflow_tools" for n in imports_of(p))
    ]
    assert not bad, bad
