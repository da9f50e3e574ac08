"""Which passes extract_html runs and which text it keeps, driven by the page's evidence.

trafilatura's passes are replaced by canned outputs here, so each test fixes what the
precision, recall and balanced passes return and checks the choice made from them.
"""

from __future__ import annotations

import logging

import pytest

from newsflow.extract import passes as passes_module
from newsflow.extract.document import extract_html

URL = "https://news.example.net/guides/tents"
PARAS = [
    f"Paragraph {i} of the guide explains one more thing about choosing a tent for a long week in wet hills."
    for i in range(12)
]


def page(paragraphs: list[str]) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return f"<html><body><h1>Tents</h1><article>{body}</article></body></html>"


@pytest.fixture
def passes(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """Canned output per pass, and the list of passes that ran."""
    outputs: dict[str, list[str]] = {"ran": []}

    def fake(tree: object, url: str | None, options: dict[str, bool]) -> list[str]:
        name = (
            "precision"
            if options.get("favor_precision")
            else "recall"
            if options.get("favor_recall")
            else "balanced"
        )
        outputs["ran"].append(name)
        return list(outputs.get(name, []))

    monkeypatch.setattr(passes_module, "run_pass", fake)
    return outputs


def test_enough_text_runs_one_pass(passes: dict[str, list[str]]) -> None:
    """A precision text as long as the page's article container is kept; no other pass runs."""
    passes["precision"] = PARAS
    got = extract_html(page(PARAS), URL)
    assert got.path == "precision" and passes["ran"] == ["precision"]
    assert got.text == "\n".join(PARAS)


def test_short_precision_text_takes_the_recall_merge(passes: dict[str, list[str]]) -> None:
    """When the precision pass keeps a third of the <article> paragraphs, the recall blocks inside the article are merged in."""
    passes["precision"] = [PARAS[0], PARAS[5], PARAS[11]]
    passes["recall"] = ["Home", *PARAS, "Related guides"]
    got = extract_html(page(PARAS), URL)
    assert got.path == "recall" and passes["ran"] == ["precision", "recall"]
    assert got.text == "\n".join(PARAS)
    assert "short of expected" in got.reason


def test_both_short_takes_the_balanced_rescue(passes: dict[str, list[str]]) -> None:
    """No article is lost: when precision and recall both keep under half, a balanced text twice as long wins."""
    passes["precision"] = passes["recall"] = PARAS[:3]
    passes["balanced"] = PARAS
    got = extract_html(page(PARAS), URL)
    assert got.path == "balanced" and passes["ran"] == ["precision", "recall", "balanced"]
    assert got.text == "\n".join(PARAS)


def test_rescue_must_double_the_text(passes: dict[str, list[str]]) -> None:
    """A balanced text only a little longer does not replace the precision text."""
    passes["precision"] = passes["recall"] = PARAS[:5]
    passes["balanced"] = PARAS[:7]
    got = extract_html(page(PARAS), URL)
    assert got.path == "precision"
    assert got.text == "\n".join(PARAS[:5])


def test_path_and_reason_are_logged(
    passes: dict[str, list[str]], caplog: pytest.LogCaptureFixture
) -> None:
    """The chosen path and its reason go to a debug log line per page."""
    passes["precision"] = PARAS
    with caplog.at_level(logging.DEBUG, logger="newsflow.extract.document"):
        extract_html(page(PARAS), URL)
    line = next(r.getMessage() for r in caplog.records if "extract.path" in r.getMessage())
    assert "path=precision" in line and "reason=" in line and URL in line


def test_recall_text_wins_when_precision_held_a_fragment(passes: dict[str, list[str]]) -> None:
    """When the merge is still short because precision kept only the article's first part, the whole recall text wins."""
    passes["precision"] = PARAS[:2]
    passes["recall"] = PARAS
    got = extract_html(page(PARAS), URL)
    assert got.path == "recall" and passes["ran"] == ["precision", "recall"]
    assert got.text == "\n".join(PARAS)
