"""CloudEvents Kafka protocol binding, binary content mode (CloudEvents 1.0, kafka-protocol-binding §3.2).

Attributes travel as `ce_`-prefixed headers; the message value is the JSON data.
`ce_id` is derived from the content so a re-sent message keeps its id and
consumers can drop at-least-once duplicates by (ce_source, ce_id).
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from newsflow.models import Article, DeadLetter, EventRecord, Message, RawPage

TYPE_PREFIX = "org.newsflow"


def ce_type(message: Message) -> str:
    match message:
        case Article() | EventRecord() | DeadLetter() | RawPage():
            kind = {
                Article: "article",
                EventRecord: "event",
                DeadLetter: "deadletter",
                RawPage: "rawpage",
            }[type(message)]
            return f"{TYPE_PREFIX}.{kind}.v{message.schema_version}"
    raise TypeError(f"not a published message: {type(message).__name__}")


def key_of(message: Message) -> str:
    match message:
        case Article() | RawPage():
            return message.article_id
        case EventRecord():
            return message.event_id
        case DeadLetter():
            return message.dead_letter_id
    raise TypeError(f"not a published message: {type(message).__name__}")


REPLICA_HEADER = "newsflow-replica"


def encode(
    message: Message, *, source: str, time: datetime, replica: str | None = None
) -> tuple[bytes, bytes, list[tuple[str, bytes]]]:
    """Return (key, value, headers) for one message; `replica` names the process that sent it
    (not part of ce_id, so a message re-sent by another replica keeps its id)."""
    value = message.model_dump_json().encode("utf-8")
    key = key_of(message)
    ce_id = hashlib.sha256(key.encode() + b"\0" + value).hexdigest()[:32]
    headers = [
        ("ce_specversion", b"1.0"),
        ("ce_id", ce_id.encode()),
        ("ce_source", source.encode()),
        ("ce_type", ce_type(message).encode()),
        ("ce_time", time.isoformat().replace("+00:00", "Z").encode()),
        ("content-type", b"application/json"),
    ]
    if isinstance(message, Article | RawPage):
        headers.append(("ce_subject", message.url.encode()))
    if replica:
        headers.append((REPLICA_HEADER, replica.encode()))
    return key.encode(), value, headers


def source_uri(source_id: str | None) -> str:
    return f"/newsflow/sources/{source_id}" if source_id else "/newsflow"
