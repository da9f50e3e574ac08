"""Publisher.deliver: acknowledged or retried, never silently dropped; shutdown and refusals end it."""

from __future__ import annotations

import asyncio

import pytest
from aiokafka.errors import KafkaConnectionError, MessageSizeTooLargeError

from newsflow.config import KafkaSettings
from newsflow.errors import PublishError, Reason
from newsflow.models import DeadLetter, Stage, utcnow
from newsflow.publish.kafka import Publisher


def letter(n: int = 0) -> DeadLetter:
    return DeadLetter(
        dead_letter_id=f"{n:032x}",
        url=f"https://example.org/{n}",
        source_id="s",
        stage=Stage.FETCH,
        reason=Reason.NOT_FOUND,
        detail="404",
        retriable=False,
        attempts=1,
        failed_at=utcnow(),
    )


class FakeProducer:
    """Plays the broker: `outcomes` says, per send, 'ok', 'hang' or an exception to fail with."""

    def __init__(self, outcomes: list) -> None:
        self.outcomes = list(outcomes)
        self.sent: list[tuple[str, bytes]] = []

    async def send(self, topic, value, *, key, headers):
        outcome = self.outcomes.pop(0) if self.outcomes else "ok"
        future = asyncio.get_running_loop().create_future()
        if outcome == "ok":
            self.sent.append((topic, key))
            future.set_result(None)
        elif isinstance(outcome, Exception):
            future.set_exception(outcome)
        return future  # "hang": never acknowledged


def publisher(producer: FakeProducer) -> Publisher:
    pub = Publisher(KafkaSettings(), ["127.0.0.1:9"])
    pub._producer = producer  # type: ignore[assignment]
    pub.ready = True
    return pub


async def test_a_failed_send_is_retried_until_acknowledged_and_topics_are_checked_first():
    """Two failed attempts, then an ack: deliver returns, and the topics were re-checked before the retry."""
    producer = FakeProducer([KafkaConnectionError("down"), KafkaConnectionError("down"), "ok"])
    pub = publisher(producer)
    checks = []

    async def ensure():
        checks.append(len(producer.sent))

    pub._ensure_topics = ensure  # type: ignore[method-assign]
    assert await asyncio.wait_for(pub.deliver([letter()], source_id="s"), 10) == 1
    assert producer.sent == [(pub.settings.topics.dlq, f"{0:032x}".encode())]
    assert checks and checks[-1] == 0, "topics checked before the send that succeeded"
    assert pub.ready and not pub._resync


async def test_give_up_ends_a_hanging_delivery_at_once_with_a_retriable_error():
    """A send the broker never acknowledges ends, on give_up, with PublishError(retriable)."""
    pub = publisher(FakeProducer(["hang"]))
    task = asyncio.create_task(pub.deliver([letter()], source_id="s"))
    await asyncio.sleep(0.1)
    assert not task.done()
    pub.give_up()
    with pytest.raises(PublishError) as info:
        await asyncio.wait_for(task, 1)
    assert info.value.retriable


async def test_a_message_the_broker_can_never_take_fails_once_and_is_not_retried():
    """MessageSizeTooLarge becomes PublishError(too_large, not retriable) instead of a retry loop."""
    producer = FakeProducer([MessageSizeTooLargeError("big"), "ok"])
    pub = publisher(producer)
    with pytest.raises(PublishError) as info:
        await asyncio.wait_for(pub.deliver([letter()], source_id="s"), 2)
    assert info.value.reason == Reason.TOO_LARGE and not info.value.retriable
    assert producer.sent == []
