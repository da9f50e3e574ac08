"""Feeds, sitemaps and pages parsed from fixture files and compared with their .expected.json."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from newsflow.config import SourceConfig
from newsflow.sources.feeds import parse_feed
from newsflow.sources.pages import discover_links
from newsflow.sources.sitemaps import parse_sitemap

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "sources"
CASES = sorted(p for p in FIXTURES.iterdir() if not p.name.endswith(".expected.json"))


def _when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


@pytest.mark.parametrize("path", CASES, ids=[p.name for p in CASES])
def test_fixture_matches_expected(path: Path):
    """Each fixture parses to exactly the items, warnings, children and newest date recorded beside it."""
    case = json.loads(path.with_name(path.name.rsplit(".", 1)[0] + ".expected.json").read_text())
    source = SourceConfig(**case["source"])
    body = path.read_bytes()
    if source.kind == "page":
        found = discover_links(body.decode("utf-8"), source=source, base_url=case["base_url"])
    else:
        parse = parse_feed if source.kind == "feed" else parse_sitemap
        found = parse(
            body,
            source=source,
            base_url=case["base_url"],
            now=_when(case["now"]),
            since=_when(case["since"]),
        )
    expected = case["expected"]
    assert [i.model_dump(mode="json", exclude_none=True) for i in found.items] == expected["items"]
    assert [w.split(":")[0] for w in found.warnings] == expected["warnings"]
    assert list(found.children) == expected["children"]
    assert found.newest == _when(expected["newest"])
