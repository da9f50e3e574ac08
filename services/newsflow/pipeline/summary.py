"""What the daemon says about itself: the terminal summary line and the coder version."""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Mapping
from pathlib import Path

from newsflow.state.base import FeedState


def coder_version() -> str:
    """The default coder version, read from its source: importing the coder would load
    spaCy into the daemon, which only its workers need."""
    spec = importlib.util.find_spec("newsflow.events.coder")
    text = Path(spec.origin).read_text(encoding="utf-8") if spec and spec.origin else ""
    m = re.search(r'^VERSION = "([^"]+)"', text, re.M)
    return m.group(1) if m else "unknown"


def summary_line(
    stats: Mapping[str, int], feeds: list[FeedState], configured: int, ready: bool
) -> str:
    """The terminal summary. Failing sources are counted apart from dead letters: a feed
    that fails every round makes no dead letter, and "errors 0" hid it."""
    polled = sum(1 for f in feeds if f.last_polled_at is not None)
    failing = sum(1 for f in feeds if f.error_streak > 0)
    return (
        f"newsflow: sources {polled} of {configured} polled, {failing} failing, "
        f"articles published {stats['articles']}, events {stats['events']}, "
        f"duplicates {stats['duplicates']}, dead letters {stats['dead_letters']}, "
        f"broker {'ready' if ready else 'UNREACHABLE'}"
    )
