"""The extraction evaluation's metric and report, on records written here."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from newsflow_tools.evaluate.extraction import Score, part, precision_recall, report, run, shingles


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


def _aeb_page(root: Path, headline: str, story: str) -> None:
    """One AEB dev page under `root/eval`: eight paragraphs about `story`, and their text."""
    paragraphs = [f"Paragraph {i} of a story about {story}." for i in range(8)]
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    html = f"<html><body><article><h1>{headline}</h1>{body}</article></body></html>"
    row = {
        "id": "a",
        "url": "https://example.org/a",
        "html": html,
        "expected_text": "\n".join(paragraphs),
    }
    (root / "eval").mkdir()
    (root / "eval" / "extraction-aeb-dev.jsonl").write_text(
        json.dumps(row) + "\n", encoding="utf-8"
    )


def test_report_without_data(tmp_path: Path) -> None:
    """A missing dev set gives a message, not an exception."""
    assert "no dev set" in report(tmp_path)


def test_report_scores_both_extractors(tmp_path: Path) -> None:
    """The report prints plain trafilatura and newsflow with F1, P, R, docs/s and the speed ratio."""
    _aeb_page(tmp_path, "Reservoir", "the reservoir, which fell to a record low this week")
    out = report(tmp_path)
    assert "trafilatura" in out and "newsflow" in out and "docs/s" in out
    row = next(line for line in out.splitlines() if line.startswith("newsflow"))
    assert row.split()[1] == "1.000"
    assert "newsflow paths: precision 1" in out


def test_parts_split_by_id_hash() -> None:
    """The WCXB split is a pure function of the page id and gives both parts."""
    ids = [f"wcxb-dev/{i:04d}" for i in range(200)]
    parts = [part(i) for i in ids]
    assert parts == [part(i) for i in ids]
    assert 60 < parts.count("tune") < 140
    assert set(parts) == {"tune", "frozen"}


def test_lost_counts_pages_plain_keeps() -> None:
    """A page counts as lost when an extractor keeps under half its text and the first extractor half or more."""
    text = "one two three four five six seven eight nine ten"
    records = [
        {"html": "a", "url": "u", "expected_text": text},
        {"html": "b", "url": "u", "expected_text": text},
    ]
    half = "one two three four five"
    scores = run(
        {"plain": lambda html, url: text, "ours": lambda html, url: half if html == "a" else text},
        records,
    )
    assert [s.lost for s in scores] == [0, 1]


def test_report_covers_wcxb_parts(tmp_path: Path) -> None:
    """With the gzipped WCXB file present, the report scores its tune and frozen parts and carries its licence."""
    body = "".join(
        f"<p>Paragraph {i} of a story about the reservoir, which fell to a record low this week.</p>"
        for i in range(8)
    )
    html = f"<html><body><article><h1>Reservoir</h1>{body}</article></body></html>"
    expected = "\n".join(
        f"Paragraph {i} of a story about the reservoir, which fell to a record low this week."
        for i in range(8)
    )
    ids = [f"wcxb-dev/{i:04d}" for i in range(6)]
    assert {part(i) for i in ids} == {"tune", "frozen"}
    (tmp_path / "eval").mkdir()
    with gzip.open(
        tmp_path / "eval" / "extraction-wcxb-dev.jsonl.gz", "wt", encoding="utf-8"
    ) as fh:
        for i in ids:
            fh.write(
                json.dumps({"id": i, "url": None, "html": html, "expected_text": expected}) + "\n"
            )
    out = report(tmp_path)
    tune = sum(part(i) == "tune" for i in ids)
    assert f"extraction: wcxb-tune ({tune} pages)" in out
    assert f"extraction: wcxb-frozen ({len(ids) - tune} pages)" in out
    assert "CC BY 4.0" in out


def test_report_adds_the_classifier_row_on_request(tmp_path: Path) -> None:
    """--classifier scores newsflow with the block classifier as a third row; off, there is none."""
    _aeb_page(tmp_path, "Harbour", "the harbour, where the ferry ran aground on Sunday")
    assert not any(r.startswith("classifier") for r in report(tmp_path).splitlines())
    row = next(
        r for r in report(tmp_path, classifier=True).splitlines() if r.startswith("classifier")
    )
    assert row.split()[1] == "1.000"


def test_report_scores_only_the_named_sets(tmp_path: Path) -> None:
    """`only` leaves the other sets out entirely, so the frozen part is not printed while tuning."""
    html = (
        "<html><body><article><p>"
        + "The ferry ran aground on Sunday. " * 8
        + "</p></article></body></html>"
    )
    (tmp_path / "eval").mkdir()
    with gzip.open(
        tmp_path / "eval" / "extraction-wcxb-dev.jsonl.gz", "wt", encoding="utf-8"
    ) as fh:
        for i in range(6):
            row = {"id": f"wcxb-dev/{i:04d}", "url": None, "html": html, "expected_text": ""}
            fh.write(json.dumps(row) + "\n")
    out = report(tmp_path, only=("wcxb-tune",), cpu_time=True)
    assert "wcxb-tune" in out
    assert "wcxb-frozen" not in out
