"""file:// URLs: root confinement, content types, caps."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from newsflow.errors import Reason
from newsflow.fetch.files import content_type_for, fetch_file, path_under_root


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "root" / "feeds").mkdir(parents=True)
    (tmp_path / "root" / "feeds" / "a.xml").write_bytes(b"<rss/>")
    (tmp_path / "root" / "page.html").write_text("<p>x</p>")
    (tmp_path / "secret.txt").write_text("secret")
    return tmp_path / "root"


def test_inside_root(root):
    """A file under the root resolves to its path."""
    assert (
        path_under_root((root / "feeds" / "a.xml").as_uri(), root)
        == (root / "feeds" / "a.xml").resolve()
    )


@pytest.mark.parametrize(
    "suffix",
    ["/../secret.txt", "/feeds/../../secret.txt", "/%2e%2e/secret.txt", "/feeds/a.xml%00.html"],
)
def test_traversal_refused(root, suffix):
    """'..' segments, encoded or not, and NUL bytes cannot leave the root."""
    assert path_under_root("file://" + str(root) + suffix, root) is None


def test_symlink_escape_refused(root):
    """A symlink inside the root pointing outside it is refused."""
    os.symlink(root.parent / "secret.txt", root / "link.txt")
    assert path_under_root((root / "link.txt").as_uri(), root) is None


def test_no_root_or_remote_host_refused(root):
    """Without a root, or with a host other than localhost, file:// is refused."""
    assert path_under_root((root / "page.html").as_uri(), None) is None
    assert path_under_root("file://server" + str(root / "page.html"), root) is None


@pytest.mark.parametrize(
    ("name", "ctype"),
    [("a.html", "text/html"), ("a.HTM", "text/html"), ("a.xml", "application/xml"),
     ("a.rss", "application/xml"), ("a.atom", "application/xml"), ("a.txt", "text/plain"),
     ("a.pdf", "application/pdf"), ("a.bin", "application/octet-stream")],
)  # fmt: skip
def test_content_types(name, ctype):
    """Content type comes from the suffix."""
    assert content_type_for(Path(name)) == ctype


async def test_fetch_file_outcomes(root):
    """Reading gives 200 with body; a repeat with Last-Modified gives 304; missing, outside and big files fail."""
    url = (root / "feeds" / "a.xml").as_uri()
    out = await fetch_file(url, root=root, max_bytes=1000)
    assert (
        out.ok
        and out.status == 200
        and out.body == b"<rss/>"
        and out.content_type == "application/xml"
    )
    again = await fetch_file(url, root=root, max_bytes=1000, last_modified=out.last_modified)
    assert again.not_modified and again.body == b""
    missing = await fetch_file((root / "nope.xml").as_uri(), root=root, max_bytes=1000)
    assert missing.reason is Reason.NOT_FOUND
    outside = await fetch_file((root.parent / "secret.txt").as_uri(), root=root, max_bytes=1000)
    assert outside.reason is Reason.FILE_OUTSIDE_ROOT
    big = await fetch_file(url, root=root, max_bytes=3)
    assert big.reason is Reason.TOO_LARGE
