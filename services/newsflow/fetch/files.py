"""file:// URLs, served only from under `file_root` (for fixtures, mirrors and replays).

The path is resolved (symlinks and '..' included) before the root check, so
neither traversal nor a symlink can escape the root. With no root configured
every file:// URL is refused.
"""

from __future__ import annotations

import asyncio
import time
from email.utils import formatdate
from pathlib import Path
from urllib.parse import unquote, urlsplit

from newsflow.errors import Reason
from newsflow.fetch.outcome import FetchOutcome, failure

CONTENT_TYPES = {
    ".html": "text/html",
    ".htm": "text/html",
    ".xml": "application/xml",
    ".rss": "application/xml",
    ".atom": "application/xml",
    ".txt": "text/plain",
    ".pdf": "application/pdf",
}


def content_type_for(path: Path) -> str:
    """Media type from the file suffix; unknown suffixes are opaque bytes."""
    return CONTENT_TYPES.get(path.suffix.lower(), "application/octet-stream")


def path_under_root(url: str, root: Path | None) -> Path | None:
    """The local path a file:// URL names if it lies under `root`, else None."""
    if root is None:
        return None
    parts = urlsplit(url)
    if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
        return None
    raw = unquote(parts.path)
    if "\x00" in raw:
        return None
    try:
        base = root.resolve(strict=True)
        path = Path(raw).resolve(strict=False)
    except (OSError, RuntimeError):
        return None
    return path if path.is_relative_to(base) else None


def _read(path: Path, max_bytes: int) -> tuple[bytes | None, float]:
    st = path.stat()
    if st.st_size > max_bytes:
        return None, st.st_mtime
    return path.read_bytes(), st.st_mtime


async def fetch_file(
    url: str, *, root: Path | None, max_bytes: int, last_modified: str | None = None
) -> FetchOutcome:
    """Read a file:// URL; failures come back as outcomes, never exceptions."""
    start = time.monotonic()
    path = path_under_root(url, root)
    if path is None:
        return failure(
            url, Reason.FILE_OUTSIDE_ROOT, "file:// URL outside fetch.file_root (or no root set)"
        )
    try:
        body, mtime = await asyncio.to_thread(_read, path, max_bytes)
    except FileNotFoundError:
        return failure(url, Reason.NOT_FOUND, f"no such file: {path}")
    except IsADirectoryError:
        return failure(url, Reason.NOT_FOUND, f"is a directory: {path}")
    except OSError as exc:
        return failure(url, Reason.NETWORK, f"cannot read {path}: {exc}", retriable=True)
    if body is None:
        return failure(url, Reason.TOO_LARGE, f"file larger than {max_bytes} bytes")
    stamp = formatdate(mtime, usegmt=True)
    unchanged = last_modified is not None and last_modified == stamp
    return FetchOutcome(
        requested_url=url,
        url=url,
        status=304 if unchanged else 200,
        content_type=content_type_for(path),
        body=b"" if unchanged else body,
        etag=None,
        last_modified=stamp,
        reason=None,
        detail="not modified" if unchanged else "read from file",
        retriable=False,
        retry_after=None,
        elapsed=time.monotonic() - start,
    )
