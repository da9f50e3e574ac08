"""What the story linker publishes for each resolver outcome."""

from __future__ import annotations

from datetime import timedelta

import pytest

from newsflow.config import StorySettings
from newsflow.errors import PublishError
from newsflow.models import Story, StoryMerge, StoryTombstone
from newsflow.pipeline.stories import StoryLinker, messages, write_of
from newsflow.state.base import StoryWrite
from newsflow.state.sqlite import SqliteStore
from newsflow.stories.blocks import own_keys
from newsflow.stories.match import Weights
from newsflow.stories.resolve import resolve
from tests.unit.stories.reports import T0, report, story

W = Weights()


def test_a_new_story_is_one_story_message_filed_under_its_report_keys():
    """An opened story is published once and saved under its report's own keys."""
    out = resolve(report(1), [], W, T0)
    sent = messages(out, T0)
    assert [type(m) for m in sent] == [Story]
    assert sent[0].num_articles == 1  # type: ignore[union-attr]
    write = write_of(out, report(1))
    assert write.story == out.story and write.keys == own_keys(report(1)) and not write.absorbed


def test_a_merge_sends_the_story_then_a_merge_record_and_a_tombstone_per_absorbed_story():
    """Consumers keeping the latest value per key lose the absorbed id and keep the survivor."""
    older = story(report(1), story_id="old", opened=T0 - timedelta(hours=2))
    newer = story(report(3), story_id="new", opened=T0 - timedelta(hours=1))
    out = resolve(report(2), [newer, older], W, T0)
    sent = messages(out, T0)
    assert [type(m) for m in sent] == [Story, StoryMerge, StoryTombstone]
    merge, tomb = sent[1], sent[2]
    assert isinstance(merge, StoryMerge) and isinstance(tomb, StoryTombstone)
    assert (merge.story_id, merge.merged_into, tomb.story_id) == ("new", "old", "new")
    assert merge.reasons
    write = write_of(out, report(2))
    assert write.absorbed == ["new"]
    assert set(write.keys) == {k for e in (2, 3) for k in own_keys(report(e))}


def test_a_replayed_report_resends_the_story_and_its_old_tombstones_and_writes_nothing():
    """After a crash between the store and the broker, the replay publishes what was lost."""
    s = story(report(1), report(2)).model_copy(update={"merged_ids": ["gone"]})
    out = resolve(report(2), [s], W, T0)
    sent = messages(out, T0)
    assert [type(m) for m in sent] == [Story, StoryTombstone]
    assert write_of(out, report(2)).story is None


class FlakyPublisher:
    """Fails its first delivery (a broker away, or a crash right after the store commits)."""

    def __init__(self) -> None:
        self.calls = 0
        self.sent: list = []

    async def deliver(self, messages, *, source_id) -> int:
        self.calls += 1
        if self.calls == 1:
            raise PublishError("broker away")
        self.sent += messages
        return len(messages)


async def test_stories_closed_but_not_published_are_published_by_the_next_sweep(tmp_path):
    """Closing commits before publishing; if publishing fails, the stories stay closing and
    the next sweep publishes them closed, then they are done."""
    store = SqliteStore(tmp_path / "state.db")
    await store.open()
    try:
        for i in (1, 2):
            s = story(report(i), story_id=f"s{i}")
            await store.link_story([], lambda _c, s=s, i=i: StoryWrite(s, [f"k{i}"]))
        publisher = FlakyPublisher()
        linker = StoryLinker(StorySettings(), store, publisher)  # type: ignore[arg-type]
        later = T0 + timedelta(days=30)
        with pytest.raises(PublishError):
            await linker.close_due(later)
        assert await store.story_counts() == {"open": 0, "closing": 2, "closed": 0}
        assert await linker.close_due(T0) == 2  # nothing idle by T0: these are the left ones
        assert sorted((m.story_id, m.status) for m in publisher.sent) == [
            ("s1", "closed"),
            ("s2", "closed"),
        ]
        assert await store.story_counts() == {"open": 0, "closing": 0, "closed": 2}
        assert await linker.close_due(later) == 0
    finally:
        await store.close()
