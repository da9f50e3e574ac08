"""Publisher.deliver against a real Tansu broker: acknowledged or retried, never silently dropped;
give_up and refusals end it."""

from __future__ import annotations

import asyncio
import os
import signal

import pytest

from newsflow.config import KafkaSettings
from newsflow.errors import PublishError, Reason
from newsflow.models import DeadLetter, Stage, utcnow
from newsflow.publish.embedded import EmbeddedBroker
from newsflow.publish.kafka import Publisher
from tests.conftest import read_topic

pytestmark = pytest.mark.timeout(120)


def letter(n: int = 0, detail: str = "404") -> DeadLetter:
    return DeadLetter(
        dead_letter_id=f"{n:032x}",
        url=f"https://example.org/{n}",
        source_id="s",
        stage=Stage.FETCH,
        reason=Reason.NOT_FOUND,
        detail=detail,
        retriable=False,
        attempts=1,
        failed_at=utcnow(),
    )


def settings(topics: dict[str, str], **kw) -> KafkaSettings:
    return KafkaSettings(topics=topics, partitions=1, request_timeout_ms=3000, **kw)


async def test_delivery_to_a_restarted_empty_broker_recreates_the_topic(tmp_path, topics):
    """The broker dies and comes back empty: the send is retried and lands on a re-created topic."""
    broker = EmbeddedBroker(log_path=tmp_path / "tansu.log")
    await broker.start()
    pub = Publisher(settings(topics), [broker.bootstrap], idempotence="off")
    try:
        await pub.start()
        await broker.stop()  # in memory: its topics go with it
        task = asyncio.create_task(pub.deliver([letter()], source_id="s"))
        await asyncio.sleep(1.0)
        assert not task.done(), "nothing acknowledged while the broker is away"
        await broker.start()  # same port, no topics
        assert await asyncio.wait_for(task, 60) == 1
        got = await read_topic(broker.bootstrap, topics["dlq"])
        # At-least-once: an ack lost to the restart race can send it twice (seen under load).
        assert got and {r.key for r in got} == {f"{0:032x}"}, [r.key for r in got]
    finally:
        await pub.stop(1)
        await broker.stop()


async def test_give_up_ends_a_hanging_delivery_at_once_with_a_retriable_error(tmp_path, topics):
    """A send the broker never acknowledges (broker frozen) ends, on give_up, with PublishError(retriable)."""
    broker = EmbeddedBroker(log_path=tmp_path / "tansu.log")
    await broker.start()
    pub = Publisher(settings(topics), [broker.bootstrap], idempotence="off")
    try:
        await pub.start()
        os.kill(broker.pid, signal.SIGSTOP)
        task = asyncio.create_task(pub.deliver([letter()], source_id="s"))
        await asyncio.sleep(0.5)
        assert not task.done()
        pub.give_up()
        with pytest.raises(PublishError) as info:
            await asyncio.wait_for(task, 1)
        assert info.value.retriable
    finally:
        if broker.pid:
            os.kill(broker.pid, signal.SIGCONT)
        await pub.stop(1)
        await broker.stop()


async def test_a_message_the_broker_can_never_take_fails_once_and_is_not_retried(broker, topics):
    """A message over max_request_size becomes PublishError(too_large, not retriable), no retry loop."""
    pub = Publisher(settings(topics, max_request_size=2048), [broker.bootstrap], idempotence="off")
    await pub.start()
    try:
        with pytest.raises(PublishError) as info:
            await asyncio.wait_for(pub.deliver([letter(detail="x" * 4000)], source_id="s"), 5)
        assert info.value.reason == Reason.TOO_LARGE and not info.value.retriable
        assert await pub.deliver([letter(1)], source_id="s") == 1, "the next message still goes"
    finally:
        await pub.stop(1)
    assert [r.key for r in await read_topic(broker.bootstrap, topics["dlq"])] == [f"{1:032x}"]
