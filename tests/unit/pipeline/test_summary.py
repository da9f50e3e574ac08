"""The terminal summary line counts failing sources, not only dead letters."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from newsflow.pipeline.summary import summary_line
from newsflow.state.base import FeedState

T = datetime(2025, 1, 1, tzinfo=UTC)


def test_summary_counts_sources_that_fail_every_round():
    """5 of 10 feeds failing show as "5 failing" even though they make no dead letter."""
    feeds = [
        FeedState(f"s{i}", f"https://x/{i}", last_polled_at=T, error_streak=3 if i < 5 else 0)
        for i in range(10)
    ]
    line = summary_line(Counter(articles=7), feeds, 10, True)
    assert "sources 10 of 10 polled, 5 failing" in line
    assert "dead letters 0" in line and line.endswith("broker ready")


def test_summary_counts_only_sources_polled_so_far():
    """A source not polled yet is not counted as polled."""
    feeds = [FeedState("a", "u", last_polled_at=T), FeedState("b", "v")]
    assert "sources 1 of 2 polled, 0 failing" in summary_line(Counter(), feeds, 2, False)
