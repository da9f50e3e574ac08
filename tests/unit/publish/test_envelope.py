"""CloudEvents headers: the replica that sent a message, types, keys and story tombstones."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from newsflow.errors import Reason
from newsflow.models import DeadLetter, Stage
from newsflow.publish import envelope
from tests.story_samples import KYIV, merge, story, tombstone

T = datetime(2025, 1, 1, tzinfo=UTC)


def _dead() -> DeadLetter:
    return DeadLetter(
        dead_letter_id="d1", url="https://x.test/a", source_id="s", stage=Stage.FETCH,
        reason=Reason.NOT_FOUND, detail="404", retriable=False, attempts=1, failed_at=T,
    )  # fmt: skip


def test_replica_header_names_the_sender_and_leaves_ce_id_alone():
    """newsflow-replica carries the sender; ce_id is the same whoever sends the message."""
    _, _, a = envelope.encode(_dead(), source="/newsflow", time=T, replica="host-1-ab")
    _, _, b = envelope.encode(_dead(), source="/newsflow", time=T, replica="host-2-cd")
    assert dict(a)["newsflow-replica"] == b"host-1-ab"
    assert dict(a)["ce_id"] == dict(b)["ce_id"]


def test_story_and_merge_have_their_types_and_are_keyed_by_story_id():
    """A story and a merge are JSON CloudEvents keyed (and subjected) by their story_id."""
    for message, kind in ((story("s1"), "story"), (merge("s2", "s1"), "storymerge")):
        key, value, headers = envelope.encode(message, source="/newsflow", time=T)
        h = dict(headers)
        assert h["ce_type"] == f"org.newsflow.{kind}.v1".encode()
        assert key == message.story_id.encode() == h["ce_subject"]
        assert h["content-type"] == b"application/json"
        assert json.loads(value or b"")["story_id"] == message.story_id


def test_a_merge_is_keyed_by_the_absorbed_story_not_the_survivor():
    """The merge lands on the absorbed story's key, just before that key's tombstone."""
    key, _, _ = envelope.encode(merge("s2", "s1"), source="/newsflow", time=T)
    assert key == b"s2"


def test_tombstone_is_a_null_value_with_ce_headers_and_no_content_type():
    """A tombstone has the absorbed id as key, value None (not b""), ce_ headers, no content-type."""
    key, value, headers = envelope.encode(tombstone("s2"), source="/newsflow", time=T)
    h = dict(headers)
    assert key == b"s2" and value is None
    assert h["ce_type"] == b"org.newsflow.storytombstone.v1"
    assert h["ce_subject"] == b"s2" and h["ce_specversion"] == b"1.0"
    assert "content-type" not in h


def test_tombstone_ce_id_is_stable_and_differs_per_key():
    """A re-sent tombstone keeps its ce_id; tombstones for two stories do not share one."""
    ids = [
        dict(envelope.encode(tombstone(k), source="/newsflow", time=T)[2])["ce_id"]
        for k in ("s2", "s2", "s3")
    ]
    assert ids[0] == ids[1] != ids[2]


def test_unpublished_messages_are_refused():
    """encode raises TypeError for a model that has no topic, rather than sending it anywhere."""
    with pytest.raises(TypeError):
        envelope.encode(KYIV, source="/newsflow", time=T)
