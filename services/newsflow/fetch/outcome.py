"""FetchOutcome: what one fetch produced, success or failure, as a plain value."""

from __future__ import annotations

from dataclasses import dataclass

from newsflow.errors import Reason
from newsflow.fetch import charset


@dataclass(frozen=True)
class FetchOutcome:
    """The result of `Fetcher.fetch`; failures carry a bounded `reason` instead of raising."""

    requested_url: str
    url: str
    status: int | None
    content_type: str | None
    body: bytes
    etag: str | None
    last_modified: str | None
    reason: Reason | None
    detail: str
    retriable: bool
    retry_after: float | None
    elapsed: float
    charset: str | None = None  # charset parameter of Content-Type, used by text()
    attempts: int = 1

    @property
    def ok(self) -> bool:
        """A 2xx response whose body was read (non-text bodies are skipped, see client)."""
        return (
            self.reason is None
            and self.status is not None
            and 200 <= self.status < 300
            and bool(self.body)
        )

    @property
    def not_modified(self) -> bool:
        """The server confirmed our cached copy (RFC 9110 §15.4.5)."""
        return self.status == 304

    def text(self) -> str:
        """The body decoded: BOM, then header charset, then in-document label, then detection."""
        label = f"text/plain; charset={self.charset}" if self.charset else None
        return charset.decode(self.body, label)


def failure(
    url: str,
    reason: Reason,
    detail: str,
    *,
    retriable: bool = False,
    final_url: str | None = None,
    status: int | None = None,
    content_type: str | None = None,
    retry_after: float | None = None,
    elapsed: float = 0.0,
    attempts: int = 1,
) -> FetchOutcome:
    """An outcome for a fetch that produced no usable body."""
    return FetchOutcome(
        requested_url=url,
        url=final_url or url,
        status=status,
        content_type=content_type,
        body=b"",
        etag=None,
        last_modified=None,
        reason=reason,
        detail=detail,
        retriable=retriable,
        retry_after=retry_after,
        elapsed=elapsed,
        attempts=attempts,
    )
