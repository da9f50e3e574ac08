"""Every trained archive of the coder fails the same way: a CodingError naming it and the path."""

from __future__ import annotations

import numpy as np
import pytest

from newsflow.errors import CodingError
from newsflow.events import archive, arguments, count_head, typer


@pytest.mark.parametrize(
    ("load", "what"),
    [
        (typer.load, "event typer"),
        (arguments.load, "argument chooser"),
        (count_head.load, "count head"),
    ],
)
@pytest.mark.parametrize("content", [b"", b"not a zip"])
def test_a_broken_archive_is_a_coding_error_naming_it(tmp_path, load, what, content) -> None:
    bad = tmp_path / "model.npz"
    bad.write_bytes(content)
    with pytest.raises(CodingError, match=f"cannot load {what} .*model.npz"):
        load(bad)


def test_an_archive_without_meta_is_a_coding_error(tmp_path) -> None:
    path = tmp_path / "nometa.npz"
    np.savez(path, vocab=np.array(["bias"]))
    with pytest.raises(CodingError, match="cannot load thing"):
        archive.load(path, lambda arrays, meta: (arrays, meta), "thing")


def test_arrays_and_meta_reach_the_builder(tmp_path) -> None:
    path = tmp_path / "ok.npz"
    np.savez(path, meta=np.array('{"format": 7}'), w=np.arange(3))
    arrays, meta = archive.load(path, lambda a, m: (a, m), "thing")
    assert meta == {"format": 7} and arrays["w"].tolist() == [0, 1, 2] and "meta" not in arrays


def test_a_shipped_archive_loads_once_and_can_be_swapped(tmp_path) -> None:
    path = tmp_path / "ok.npz"
    np.savez(path, meta=np.array("{}"))
    loads: list[object] = []

    def load(p):
        loads.append(p)
        return object()

    shipped = archive.Shipped(path, load)
    first = shipped()
    assert shipped() is first and loads == [path]
    mine = object()
    shipped.use(mine)
    assert shipped() is mine
    shipped.use(None)
    assert shipped() is None  # as if nothing were shipped: the rules alone decide
    shipped.restore()
    assert shipped() is first and loads == [path]


def test_nothing_shipped_is_none_and_never_loaded(tmp_path) -> None:
    shipped = archive.Shipped(tmp_path / "absent.npz", lambda p: pytest.fail("loaded"))
    assert shipped() is None
