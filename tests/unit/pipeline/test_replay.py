"""Replay codes a kept page under the key of its first publication."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from newsflow.config import Settings
from newsflow.events.coder import EventCoder
from newsflow.models import RawPage
from newsflow.pipeline.replay import request_for
from newsflow.processing import process_document
from newsflow.urls import article_id_for, canonicalize

TEXT = (
    "Police arrested 40 protesters in Nairobi on Tuesday after clashes near parliament. "
    "Rebels attacked an army base in the north of the country, killing 12 soldiers."
)
URL = "https://news.example.org/world/kenya-protests"


@pytest.fixture(scope="module")
def coder() -> EventCoder:
    return EventCoder()


def test_replayed_events_hash_the_kept_key(tmp_path, coder):
    """Event ids of a replayed page are those of its kept article id, not of today's URL id."""
    raw = RawPage(
        article_id="kept-" + "0" * 27,  # first published under another canonical URL
        url=URL,
        source_id="wire",
        content_type="text/plain",
        fetched_at=datetime(2025, 2, 12, tzinfo=UTC),
        body=TEXT,
    )
    result = process_document(request_for(raw, Settings(state_dir=tmp_path)), coder)
    assert result.article.article_id == raw.article_id
    assert result.events, "the text must code at least one event"
    assert {e.article_id for e in result.events} == {raw.article_id}

    def ids(article_id: str) -> list[str]:
        events = coder.code(TEXT, article_id=article_id, published_at=None)
        return [e.event_id for e in events]

    assert [e.event_id for e in result.events] == ids(raw.article_id)
    # The case the test is about: coding under today's id gives other ids.
    assert ids(raw.article_id) != ids(article_id_for(canonicalize(URL)))


async def test_replay_links_stories_only_when_no_daemon_holds_the_sqlite_state(tmp_path):
    """A running daemon owns its SQLite state: the replay then skips stories and goes on; with
    the state free it links them, holding the state until it ends."""
    from contextlib import AsyncExitStack

    from newsflow.errors import StateError
    from newsflow.pipeline.replay import _linker
    from newsflow.state.lock import StateDirLock

    s = Settings(state_dir=tmp_path)
    daemon = StateDirLock(tmp_path)
    daemon.acquire()
    try:
        async with AsyncExitStack() as stack:
            assert await _linker(s, None, stack) is None  # type: ignore[arg-type]
    finally:
        daemon.release()
    async with AsyncExitStack() as stack:
        assert await _linker(s, None, stack) is not None  # type: ignore[arg-type]
        with pytest.raises(StateError, match="another newsflow run"):
            StateDirLock(tmp_path).acquire()
    after = StateDirLock(tmp_path)
    after.acquire()  # released when the replay ended
    after.release()
