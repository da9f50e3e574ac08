"""Shared fixtures: a real Tansu broker over TCP, and helpers to read topics back."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition

from newsflow.publish.embedded import EmbeddedBroker

REPO = Path(__file__).resolve().parent.parent


@dataclass
class Broker:
    bootstrap: str
    process: EmbeddedBroker


@pytest.fixture(scope="session")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Broker]:
    """One Tansu broker for the session; tests isolate themselves with unique topic names."""
    log = tmp_path_factory.mktemp("tansu") / "tansu.log"
    proc = EmbeddedBroker(log_path=log)
    asyncio.run(proc.start())
    yield Broker(proc.bootstrap, proc)
    asyncio.run(proc.stop())


@pytest.fixture
def topics() -> dict[str, str]:
    """Unique topic names for one test."""
    suffix = uuid.uuid4().hex[:8]
    return {k: f"t{suffix}.{k}" for k in ("articles", "events", "dlq", "raw", "stories")}


@dataclass
class Record:
    key: str
    value: dict | None  # None: a tombstone
    headers: dict[str, str]


async def read_topic(bootstrap: str, topic: str, *, timeout: float = 10.0) -> list[Record]:
    """Everything on `topic` from the beginning to its current end."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None
    )
    await consumer.start()
    try:
        parts: set[int] = set()
        for _ in range(20):  # a fresh consumer may not know the topic yet
            parts = consumer.partitions_for_topic(topic) or set()
            if parts:
                break
            await consumer._client.force_metadata_update()
            await asyncio.sleep(0.1)
        tps = [TopicPartition(topic, p) for p in sorted(parts)]
        if not tps:
            return []
        consumer.assign(tps)
        end = await consumer.end_offsets(tps)
        await consumer.seek_to_beginning(*tps)
        out: list[Record] = []
        deadline = asyncio.get_running_loop().time() + timeout
        while any([await consumer.position(tp) < end[tp] for tp in tps]):
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"could not read {topic} to its end")
            batch = await consumer.getmany(timeout_ms=500)
            for records in batch.values():
                out.extend(
                    Record(
                        r.key.decode(),
                        None if r.value is None else json.loads(r.value),
                        {k: v.decode() for k, v in r.headers},
                    )
                    for r in records
                )
        return out
    finally:
        await consumer.stop()
