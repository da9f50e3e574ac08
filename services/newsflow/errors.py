"""One error tree for every stage.

    NewsflowError                 reason: Reason, retriable: bool
    ├── ConfigError               invalid settings or sources file
    ├── FetchError                HTTP, file:// and network failures
    ├── ExtractError              nothing extracted, parse failures, worker timeout/crash
    ├── CodingError               the event coder failed on a document
    ├── PublishError              the broker refused or timed out
    └── StateError                the state store failed

Bad input becomes a DeadLetter carrying `reason`; a bug is logged at critical
level and dead-lettered with Reason.INTERNAL, and the daemon keeps running.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum


class Reason(StrEnum):
    """Bounded set of failure reasons; safe as a metrics label."""

    HTTP_ERROR = "http_error"
    NOT_FOUND = "not_found"
    GONE = "gone"
    RATE_LIMITED = "rate_limited"
    SERVER_ERROR = "server_error"
    NETWORK = "network"
    TIMEOUT = "timeout"
    TOO_LARGE = "too_large"
    DECOMPRESSION_BOMB = "decompression_bomb"
    REDIRECT_LIMIT = "redirect_limit"
    REDIRECT_LOOP = "redirect_loop"
    BAD_SCHEME = "bad_scheme"
    FILE_OUTSIDE_ROOT = "file_outside_root"
    SSRF_BLOCKED = "ssrf_blocked"
    ROBOTS_DISALLOWED = "robots_disallowed"
    UNSUPPORTED_CONTENT_TYPE = "unsupported_content_type"
    DECODE_ERROR = "decode_error"
    PARSE_ERROR = "parse_error"
    EMPTY_EXTRACTION = "empty_extraction"
    CRASH = "crash"
    CODING_ERROR = "coding_error"
    PUBLISH_ERROR = "publish_error"
    INVALID_INPUT = "invalid_input"
    INTERNAL = "internal"


class NewsflowError(Exception):
    """Base error: a reason from the enum, whether a retry may help, and the item it concerns."""

    default_reason = Reason.INTERNAL
    default_retriable = False

    def __init__(
        self,
        message: str,
        *,
        reason: Reason | None = None,
        retriable: bool | None = None,
        url: str | None = None,
    ) -> None:
        super().__init__(message)
        self.reason = reason or self.default_reason
        self.retriable = self.default_retriable if retriable is None else retriable
        self.url = url

    def __reduce__(self) -> tuple[Callable[..., NewsflowError], tuple[object, ...]]:
        # Errors cross process boundaries (worker pool); keep reason and flags when pickled.
        return (_rebuild, (type(self), super().__str__(), self.reason, self.retriable, self.url))

    def __str__(self) -> str:
        base = super().__str__()
        return f"{base} ({self.url})" if self.url else base


class ConfigError(NewsflowError):
    default_reason = Reason.INVALID_INPUT


class FetchError(NewsflowError):
    default_reason = Reason.HTTP_ERROR


class ExtractError(NewsflowError):
    default_reason = Reason.EMPTY_EXTRACTION


class CodingError(NewsflowError):
    default_reason = Reason.CODING_ERROR


class PublishError(NewsflowError):
    default_reason = Reason.PUBLISH_ERROR
    default_retriable = True


class StateError(NewsflowError):
    default_reason = Reason.INTERNAL
    default_retriable = True


def _rebuild(
    cls: type[NewsflowError], message: str, reason: Reason, retriable: bool, url: str | None
) -> NewsflowError:
    return cls(message, reason=reason, retriable=retriable, url=url)
