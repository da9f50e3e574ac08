"""The extraction evaluation's metric and report, on records written here."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsflow.evaluate.extraction import Score, precision_recall, report, shingles


def test_shingles_are_a_multiset() -> None:
    """Repeated 4-grams are counted as many times as they occur."""
    got = shingles("a b c d a b c d")
    assert got[("a", "b", "c", "d")] == 2
    assert sum(got.values()) == 5


@pytest.mark.parametrize(
    ("output", "expected", "want"),
    [
        ("one two three four five", "one two three four five", (1.0, 1.0)),
        ("one two three four five six", "one two three four five", (2 / 3, 1.0)),
        ("", "one two three four", (0.0, 0.0)),
        ("", "", (1.0, 1.0)),
    ],
)
def test_precision_recall(output: str, expected: str, want: tuple[float, float]) -> None:
    """Per-document precision and recall follow the shared convention, empty output scoring zero."""
    assert precision_recall(output, expected) == pytest.approx(want)


def test_f1_is_harmonic_mean_of_averages() -> None:
    """F1 combines the averaged precision and recall, not per-document F1s."""
    assert Score("x", 0.5, 1.0, 1.0).f1 == pytest.approx(2 / 3)


def test_report_without_data(tmp_path: Path) -> None:
    """A missing dev set gives a message, not an exception."""
    assert "no dev set" in report(tmp_path)


def test_report_scores_both_extractors(tmp_path: Path) -> None:
    """The report prints plain trafilatura and newsflow with F1, P, R, docs/s and the speed ratio."""
    body = "".join(
        f"<p>Paragraph {i} of a story about the reservoir, which fell to a record low this week.</p>"
        for i in range(8)
    )
    html = f"<html><body><article><h1>Reservoir</h1>{body}</article></body></html>"
    expected = "\n".join(
        f"Paragraph {i} of a story about the reservoir, which fell to a record low this week."
        for i in range(8)
    )
    (tmp_path / "eval").mkdir()
    line = json.dumps(
        {"id": "a", "url": "https://example.org/a", "html": html, "expected_text": expected}
    )
    (tmp_path / "eval" / "extraction-aeb-dev.jsonl").write_text(line + "\n", encoding="utf-8")
    out = report(tmp_path)
    assert "trafilatura" in out and "newsflow" in out and "docs/s" in out
    row = next(line for line in out.splitlines() if line.startswith("newsflow"))
    assert row.split()[1] == "1.000"
    assert "newsflow paths: precision 1" in out
