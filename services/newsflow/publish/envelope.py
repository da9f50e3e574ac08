"""CloudEvents Kafka protocol binding, binary content mode (CloudEvents 1.0, kafka-protocol-binding §3.2).

Attributes travel as `ce_`-prefixed headers; the message value is the JSON data.
`ce_id` is derived from the content so a re-sent message keeps its id and
consumers can drop at-least-once duplicates by (ce_source, ce_id).

A StoryTombstone is a CloudEvent with no `data`: the binding (§3.2.2) maps that to a
Kafka message with no value, which a compacted topic reads as a tombstone. It keeps the
ce_ headers (so it is still a valid event, and says what it deletes) but has no
content-type, since `datacontenttype` describes data it does not have.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from newsflow.models import (
    Article,
    DeadLetter,
    EventRecord,
    Message,
    RawPage,
    Story,
    StoryMerge,
    StoryTombstone,
)

TYPE_PREFIX = "org.newsflow"

_KINDS: dict[type[Message], str] = {
    Article: "article",
    EventRecord: "event",
    DeadLetter: "deadletter",
    RawPage: "rawpage",
    Story: "story",
    StoryMerge: "storymerge",
}


def ce_type(message: Message) -> str:
    if isinstance(message, StoryTombstone):
        # Not a model with a schema: versioned with the Story key space it deletes from.
        return f"{TYPE_PREFIX}.storytombstone.v{Story.model_fields['schema_version'].default}"
    kind = _KINDS.get(type(message))
    if kind is None:
        raise TypeError(f"not a published message: {type(message).__name__}")
    return f"{TYPE_PREFIX}.{kind}.v{message.schema_version}"  # type: ignore[attr-defined]


def key_of(message: Message) -> str:
    match message:
        case Article() | RawPage():
            return message.article_id
        case EventRecord():
            return message.event_id
        case DeadLetter():
            return message.dead_letter_id
        case Story() | StoryMerge() | StoryTombstone():
            # A merge and its tombstone carry the absorbed id: they are about that key.
            return message.story_id
    raise TypeError(f"not a published message: {type(message).__name__}")


def subject_of(message: Message) -> str | None:
    match message:
        case Article() | RawPage():
            return message.url
        case Story() | StoryMerge() | StoryTombstone():
            return message.story_id
    return None


REPLICA_HEADER = "newsflow-replica"


def encode(
    message: Message, *, source: str, time: datetime, replica: str | None = None
) -> tuple[bytes, bytes | None, list[tuple[str, bytes]]]:
    """Return (key, value, headers) for one message; `replica` names the process that sent it
    (not part of ce_id, so a message re-sent by another replica keeps its id).

    The value is None only for a StoryTombstone: send it as is, a Kafka null, never b"".
    """
    value = None if isinstance(message, StoryTombstone) else message.model_dump_json().encode()
    key = key_of(message)
    ce_id = hashlib.sha256(key.encode() + b"\0" + (value or b"")).hexdigest()[:32]
    headers = [
        ("ce_specversion", b"1.0"),
        ("ce_id", ce_id.encode()),
        ("ce_source", source.encode()),
        ("ce_type", ce_type(message).encode()),
        ("ce_time", time.isoformat().replace("+00:00", "Z").encode()),
    ]
    if value is not None:
        headers.append(("content-type", b"application/json"))
    subject = subject_of(message)
    if subject is not None:
        headers.append(("ce_subject", subject.encode()))
    if replica:
        headers.append((REPLICA_HEADER, replica.encode()))
    return key.encode(), value, headers


def source_uri(source_id: str | None) -> str:
    return f"/newsflow/sources/{source_id}" if source_id else "/newsflow"
