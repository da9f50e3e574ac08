"""The labelled event set: built from its sources without drift, split by document, licensed."""

from __future__ import annotations

import hashlib
import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
EVENTS = ROOT / "data" / "events"


def _script():
    spec = importlib.util.spec_from_file_location(
        "events_labels", ROOT / "scripts" / "events_labels.py"
    )
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_labelled_file_is_what_the_pool_and_labels_build(tmp_path, capsys) -> None:
    """labelled.jsonl is generated: editing it by hand, or a label without a rebuild, fails here."""
    out = tmp_path / "labelled.jsonl"
    _script().build(str(EVENTS / "pool"), str(EVENTS / "labels"), str(out))
    assert out.read_bytes() == (EVENTS / "labelled.jsonl").read_bytes()
    assert (tmp_path / "test-split.txt").read_bytes() == (EVENTS / "test-split.txt").read_bytes()


def test_every_row_names_its_source_and_licence_and_no_document_straddles_the_split() -> None:
    rows = [json.loads(x) for x in (EVENTS / "labelled.jsonl").read_text("utf-8").splitlines()]
    licences = {"cnc": "CC0-1.0", "ucdp": "CC-BY-4.0", "wikinews": "CC-BY-2.5"}
    assert all(licences[r["source"]] == r["licence"] for r in rows)
    split_of: dict[str, set[str]] = {}
    for r in rows:
        split_of.setdefault(r["doc"], set()).add(r["split"])
        want = int(hashlib.sha256(r["doc"].encode()).hexdigest(), 16) % 9 < 2
        assert (r["split"] == "test") == want
    assert all(len(s) == 1 for s in split_of.values())
    assert sum(r["split"] == "test" for r in rows) >= 0.2 * len(rows)
