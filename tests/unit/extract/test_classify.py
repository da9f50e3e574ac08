"""Loading the block classifier's archive, and the pages it must keep whole."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from newsflow.errors import ExtractError, Reason
from newsflow.extract import classify
from newsflow.extract.blocks import NAMES
from newsflow.extract.document import extract_html

PARAS = [
    f"Paragraph {i} of the report says the river rose by {i + 2} centimetres overnight, "
    "and the town council has opened the school gym as a shelter for the families nearby."
    for i in range(10)
]


def write(path: Path, meta: dict, width: int = len(NAMES), scale: float = 1.0) -> Path:
    arrays = {"mean": np.zeros(width), "scale": np.full(width, scale), "weights": np.zeros(width)}
    np.savez(path, meta=np.array(json.dumps(meta)), **arrays)
    return path


def good_meta() -> dict:
    return {"format": classify.FORMAT, "names": list(NAMES), "bias": 0.0, "threshold": 0.5}


def test_shipped_archive_matches_the_features() -> None:
    """The archive in the package loads and was trained on the features blocks.py builds."""
    model = classify.load()
    assert model.names == NAMES
    assert 0.0 < model.threshold < 1.0
    assert model.weights.shape == (len(NAMES),)


def test_a_written_archive_loads(tmp_path: Path) -> None:
    """An archive of the expected format and features loads and predicts one value per row."""
    model = classify.load(write(tmp_path / "ok.npz", good_meta()))
    assert model.probs(np.zeros((3, len(NAMES)))).tolist() == [0.5, 0.5, 0.5]


@pytest.mark.parametrize(
    ("name", "content"),
    [("missing.npz", None), ("garbage.npz", b"not a zip archive"), ("empty.npz", b"")],
)
def test_unreadable_archive_is_a_clear_error(
    tmp_path: Path, name: str, content: bytes | None
) -> None:
    """A missing or corrupt archive raises ExtractError naming the file, not a numpy error."""
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ExtractError, match="cannot load block classifier") as err:
        classify.load(path)
    assert str(path) in str(err.value)
    assert err.value.reason is Reason.INTERNAL


def test_other_format_is_refused(tmp_path: Path) -> None:
    """An archive of another format version is refused with both versions named."""
    path = write(tmp_path / "v9.npz", {**good_meta(), "format": 9})
    with pytest.raises(ExtractError, match="format 9, expected 1"):
        classify.load(path)


def test_other_features_are_refused(tmp_path: Path) -> None:
    """An archive trained on other features asks for `make train` instead of mispredicting."""
    renamed = {**good_meta(), "names": ["x", *NAMES[1:]]}
    with pytest.raises(ExtractError, match="make train"):
        classify.load(write(tmp_path / "renamed.npz", renamed))
    with pytest.raises(ExtractError, match="make train"):
        classify.load(write(tmp_path / "narrow.npz", good_meta(), width=len(NAMES) - 1))


def test_zero_scale_is_refused(tmp_path: Path) -> None:
    """A zero scale would divide by zero at every prediction, so it is refused at load."""
    with pytest.raises(ExtractError, match="scales must be positive"):
        classify.load(write(tmp_path / "zero.npz", good_meta(), scale=0.0))


def test_missing_arrays_are_a_clear_error(tmp_path: Path) -> None:
    """An archive without its arrays is refused at load."""
    path = tmp_path / "nometa.npz"
    np.savez(path, meta=np.array(json.dumps(good_meta())))
    with pytest.raises(ExtractError, match="cannot load block classifier"):
        classify.load(path)


def test_article_keeps_its_text_with_the_classifier() -> None:
    """A plain article page keeps every paragraph on the classifier path."""
    body = "".join(f"<p>{p}</p>" for p in PARAS)
    html = (
        "<html><body><nav><a href='/'>Home</a></nav><h1>River rises</h1>"
        f"<article>{body}</article><footer>© Example News</footer></body></html>"
    )
    got = extract_html(html, "https://news.example.net/river", classifier=classify.shipped())
    assert got.path == "classifier"
    for p in PARAS:
        assert p in got.text


def test_short_classifier_text_falls_back_to_the_passes(tmp_path: Path) -> None:
    """When the model keeps too little of what the page declares, the passes decide instead."""
    refuse = classify.load(write(tmp_path / "refuse.npz", {**good_meta(), "bias": -50.0}))
    body = "".join(f"<p>{p}</p>" for p in PARAS)
    html = f"<html><body><h1>River rises</h1><article>{body}</article></body></html>"
    got = extract_html(html, "https://news.example.net/river", classifier=refuse)
    assert got.path != "classifier"
    assert all(p in got.text for p in PARAS)
