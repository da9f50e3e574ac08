"""Status classification, Retry-After parsing and retry decisions."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from newsflow.errors import Reason
from newsflow.fetch.retry import parse_retry_after, reason_for_status, retry_delay, should_retry

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("status", "reason", "retriable"),
    [(200, None, False), (304, None, False), (404, Reason.NOT_FOUND, False), (410, Reason.GONE, False),
     (429, Reason.RATE_LIMITED, True), (403, Reason.HTTP_ERROR, False), (408, Reason.HTTP_ERROR, True),
     (500, Reason.SERVER_ERROR, True), (503, Reason.SERVER_ERROR, True), (501, Reason.SERVER_ERROR, False)],
)  # fmt: skip
def test_reason_for_status(status, reason, retriable):
    """Each status maps to its bounded reason and retriable flag."""
    assert reason_for_status(status) == (reason, retriable)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("120", 120.0), (" 5 ", 5.0), ("Wed, 25 Nov 2026 12:01:00 GMT", 60.0),
     ("Wed, 25 Nov 2026 11:00:00 GMT", 0.0), ("soon", None), ("-3", None), ("", None), (None, None)],
)  # fmt: skip
def test_parse_retry_after(value, seconds):
    """Retry-After is delay-seconds or an HTTP-date (RFC 9110 §10.2.3); past dates mean now; garbage is None."""
    assert parse_retry_after(value, NOW) == seconds


def test_retry_delay():
    """Retry-After wins; otherwise the delay doubles from the host delay (at least 0.1 s)."""
    assert retry_delay(1, retry_after=7, min_delay=1) == 7
    assert [retry_delay(n, retry_after=None, min_delay=1) for n in (1, 2, 3)] == [1, 2, 4]
    assert retry_delay(1, retry_after=None, min_delay=0) == 0.1


def test_should_retry():
    """Retry only retriable failures, within the count, when the wait fits the remaining budget."""
    assert should_retry(retriable=True, attempt=1, retries=2, delay=1, remaining=10)
    assert not should_retry(retriable=False, attempt=1, retries=2, delay=1, remaining=10)
    assert not should_retry(retriable=True, attempt=3, retries=2, delay=1, remaining=10)
    assert not should_retry(retriable=True, attempt=1, retries=2, delay=11, remaining=10)
