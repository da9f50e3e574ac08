"""Pure decisions for one fetch: what a status means, and whether and when to try again."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime

from newsflow.errors import Reason

MIN_BACKOFF = 0.1  # seconds; backoff unit when min_host_delay is 0

# RFC 9110 §15.6: these 5xx are about the server's state, not the request, so a
# later attempt can succeed. 501 and 505 will not change.
_RETRIABLE_5XX = {500, 502, 503, 504, 507, 509, 520, 521, 522, 523, 524}


def reason_for_status(status: int) -> tuple[Reason | None, bool]:
    """The failure reason and retriable flag for an HTTP status; (None, False) for success."""
    if status < 400:
        return None, False
    if status == 404:
        return Reason.NOT_FOUND, False
    if status == 410:
        return Reason.GONE, False
    if status == 429:
        return Reason.RATE_LIMITED, True
    if status >= 500:
        return Reason.SERVER_ERROR, status in _RETRIABLE_5XX
    # 408 Request Timeout invites a retry (RFC 9110 §15.5.9); other 4xx will not change.
    return Reason.HTTP_ERROR, status == 408


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After value: delay-seconds or an HTTP-date (RFC 9110 §10.2.3).

    Garbage yields None; a date in the past yields 0.
    """
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # RFC 9110 §5.6.7: HTTP-dates are always GMT
        from datetime import UTC

        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def retry_delay(attempt: int, *, retry_after: float | None, min_delay: float) -> float:
    """Seconds before retry number `attempt` (1-based): Retry-After if given, else doubling."""
    if retry_after is not None:
        return retry_after
    return max(min_delay, MIN_BACKOFF) * 2.0 ** (attempt - 1)


def should_retry(
    *, retriable: bool, attempt: int, retries: int, delay: float, remaining: float
) -> bool:
    """Retry only a retriable failure, within the retry budget, if the wait fits the deadline."""
    return retriable and attempt <= retries and delay < remaining


@dataclass
class Budget:
    """Time budget of one fetch, shared by retries and redirect hops.

    The total_timeout clock starts when the first request is sent, so waiting
    for a busy host's turn does not eat into it.
    """

    started: float
    total: float
    deadline: float | None = None

    def start_clock(self) -> None:
        if self.deadline is None:
            self.deadline = time.monotonic() + self.total

    def remaining(self) -> float:
        return self.total if self.deadline is None else self.deadline - time.monotonic()
