"""One HTTP response turned into a FetchOutcome (or a redirect to follow).

Takes aiohttp's response by duck typing (status, headers, cookies, content,
close) so that client.py stays the only module importing aiohttp.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from newsflow.errors import FetchError, Reason
from newsflow.fetch import retry
from newsflow.fetch.limits import read_capped
from newsflow.fetch.outcome import FetchOutcome, failure

REDIRECTS = {301, 302, 303, 307, 308}  # RFC 9110 §15.4
_CHUNK = 64 * 1024
# Bodies no later stage can use; the pipeline rejects them by content type
# alone, so reading them would only cost bandwidth.
_SKIP_PREFIXES = ("image/", "audio/", "video/", "font/", "model/")
_SKIP_TYPES = {"application/pdf", "application/zip", "application/msword"}


@dataclass
class Hop:
    """What one request produced: a final outcome, or a Location to follow."""

    outcome: FetchOutcome
    location: str | None = None
    cookies: dict[str, str] = field(default_factory=dict)


def media_type(header: str | None) -> str | None:
    """'text/html' from 'Text/HTML; charset=utf-8'."""
    if not header:
        return None
    return header.split(";", 1)[0].strip().lower() or None


def skip_body(media: str | None) -> bool:
    """True for media types no later stage can use."""
    return media is not None and (media.startswith(_SKIP_PREFIXES) or media in _SKIP_TYPES)


async def read_response(
    url: str,
    resp: Any,
    *,
    retry_after: float | None,
    max_body_bytes: int,
    max_decompressed_bytes: int,
) -> Hop:
    """Classify the status and read the body under both caps; never raises FetchError."""
    status = resp.status
    media = media_type(resp.headers.get("Content-Type"))
    common: dict[str, Any] = dict(
        final_url=url, status=status, content_type=media, retry_after=retry_after
    )
    if status in REDIRECTS and resp.headers.get("Location"):
        cookies = {c.key: c.value for c in resp.cookies.values()}
        return Hop(
            failure(url, Reason.HTTP_ERROR, f"redirect {status}", **common),
            location=resp.headers["Location"],
            cookies=cookies,
        )
    reason, retriable = retry.reason_for_status(status)
    if reason is None and status >= 300 and status != 304:
        reason, retriable = Reason.HTTP_ERROR, False  # a 3xx we cannot follow
    if reason is not None:
        detail = f"HTTP {status} {resp.reason or ''}".strip()
        return Hop(failure(url, reason, detail, retriable=retriable, **common))
    body = b""
    detail = "not modified" if status == 304 else "ok"
    if status != 304 and skip_body(media):
        resp.close()  # images, PDF, archives: never an article, so not worth the bytes
        detail = f"body not read: {media} is not a document type"
        return Hop(failure(url, Reason.UNSUPPORTED_CONTENT_TYPE, detail, **common))
    if status != 304:
        length = resp.content_length
        if length is not None and length > max_body_bytes:
            resp.close()
            msg = f"Content-Length {length} exceeds {max_body_bytes} bytes"
            return Hop(failure(url, Reason.TOO_LARGE, msg, **common))
        try:
            body = await read_capped(
                resp.content.iter_chunked(_CHUNK),
                content_encoding=resp.headers.get("Content-Encoding"),
                max_wire_bytes=max_body_bytes,
                max_decoded_bytes=max_decompressed_bytes,
            )
        except FetchError as exc:
            resp.close()  # drop the connection rather than drain a hostile body
            return Hop(failure(url, exc.reason, str(exc), retriable=exc.retriable, **common))
    return Hop(
        FetchOutcome(
            requested_url=url,
            url=url,
            status=status,
            content_type=media,
            body=body,
            etag=resp.headers.get("ETag"),
            last_modified=resp.headers.get("Last-Modified"),
            reason=None,
            detail=detail,
            retriable=False,
            retry_after=retry_after,
            elapsed=0.0,
            charset=resp.charset,
        )
    )
