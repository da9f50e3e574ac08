"""Publishing to Kafka with aiokafka: topics, the producer, delivery and readiness.

Delivery is at-least-once: `deliver` returns only after the broker acknowledged
every message (acks=all). While the broker is away it keeps retrying with
backoff, holding the caller (backpressure), until `stop` gives up the wait.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence

import structlog
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError, UnknownError
from aiokafka.helpers import create_ssl_context

from newsflow.config import KafkaSettings
from newsflow.errors import PublishError
from newsflow.models import Message, utcnow
from newsflow.publish import envelope

log = structlog.get_logger("newsflow.publish")


def client_options(settings: KafkaSettings, bootstrap: Sequence[str]) -> dict:
    """aiokafka connection and security options shared by producer, consumer and admin."""
    opts: dict = {
        "bootstrap_servers": list(bootstrap),
        "client_id": settings.client_id,
        "security_protocol": settings.security_protocol,
        "request_timeout_ms": settings.request_timeout_ms,
    }
    if settings.security_protocol in ("SSL", "SASL_SSL"):
        opts["ssl_context"] = create_ssl_context(
            cafile=str(settings.ssl_cafile) if settings.ssl_cafile else None,
            certfile=str(settings.ssl_certfile) if settings.ssl_certfile else None,
            keyfile=str(settings.ssl_keyfile) if settings.ssl_keyfile else None,
        )
    if settings.security_protocol.startswith("SASL"):
        opts["sasl_mechanism"] = settings.sasl_mechanism
        opts["sasl_plain_username"] = settings.sasl_username
        opts["sasl_plain_password"] = (
            settings.sasl_password.get_secret_value() if settings.sasl_password else None
        )
    return opts


class Publisher:
    """Owns one producer. `idempotence` is "on", "off" or "auto" (on unless the broker refuses)."""

    def __init__(
        self,
        settings: KafkaSettings,
        bootstrap: Sequence[str],
        *,
        idempotence: str | None = None,
        raw_enabled: bool = False,
    ) -> None:
        self.settings = settings
        self.bootstrap = list(bootstrap)
        self.idempotence_mode = idempotence or settings.idempotence
        self.raw_enabled = raw_enabled
        self.idempotent = False
        self.ready = False
        self._producer: AIOKafkaProducer | None = None
        self._stopping = asyncio.Event()
        self._probe: asyncio.Task | None = None

    # --- lifecycle ---------------------------------------------------------------------

    async def start(self, timeout: float = 15.0) -> None:
        """Create missing topics and start the producer; PublishError if the broker is unreachable."""
        try:
            await asyncio.wait_for(self._ensure_topics(), timeout)
            self._producer = await asyncio.wait_for(self._start_producer(), timeout)
        except (KafkaError, OSError, TimeoutError) as exc:
            raise PublishError(
                f"Kafka broker unreachable at {','.join(self.bootstrap)}: {exc or type(exc).__name__}"
            ) from exc
        self.ready = True
        self._probe = asyncio.create_task(self._probe_loop(), name="kafka-probe")

    async def _start_producer(self) -> AIOKafkaProducer:
        want = self.idempotence_mode != "off"
        producer = self._producer_for(idempotent=want)
        try:
            await producer.start()
        except UnknownError:
            await producer.stop()
            if self.idempotence_mode == "on":
                raise
            # Tansu and some Kafka-compatible brokers reject InitProducerId.
            log.warning(
                "kafka_idempotence", status="disabled",
                detail="broker rejected InitProducerId; delivery stays at-least-once with stable keys",
            )
            want = False
            producer = self._producer_for(idempotent=False)
            await producer.start()
        self.idempotent = want
        return producer

    def _producer_for(self, *, idempotent: bool) -> AIOKafkaProducer:
        s = self.settings
        return AIOKafkaProducer(
            **client_options(s, self.bootstrap),
            acks="all",
            enable_idempotence=idempotent,
            compression_type=None if s.compression == "none" else s.compression,
            linger_ms=s.linger_ms,
            max_batch_size=s.max_batch_size,
            max_request_size=s.max_request_size,
        )

    async def _ensure_topics(self) -> None:
        s = self.settings
        admin = AIOKafkaAdminClient(**client_options(s, self.bootstrap))
        await admin.start()
        try:
            wanted = [s.topics.articles, s.topics.events, s.topics.dlq]
            if self.raw_enabled:
                wanted.append(s.topics.raw)
            existing = set(await admin.list_topics())
            new = [
                NewTopic(
                    name, s.partitions, s.replication_factor,
                    topic_configs={"max.message.bytes": str(s.max_request_size)}
                    if name == s.topics.raw else {},
                )
                for name in wanted if name not in existing
            ]
            if new:
                with contextlib.suppress(TopicAlreadyExistsError):  # another replica won
                    await admin.create_topics(new)
                log.info("kafka_topics", status="created", topics=[t.name for t in new])
        finally:
            await admin.close()

    async def _probe_loop(self, every: float = 2.0) -> None:
        """Keeps `ready` current: false while no broker answers a metadata request."""
        while not self._stopping.is_set():
            ok = False
            try:
                ok = bool(await asyncio.wait_for(self.producer.client.force_metadata_update(), 5))
            except (KafkaError, OSError, TimeoutError):
                ok = False
            if ok != self.ready:
                log.info("kafka_broker", status="reachable" if ok else "unreachable")
            self.ready = ok
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), every)

    @property
    def producer(self) -> AIOKafkaProducer:
        if self._producer is None:
            raise PublishError("publisher is not started")
        return self._producer

    def give_up(self) -> None:
        """Stop waiting for the broker: pending `deliver` calls fail with PublishError."""
        self._stopping.set()

    async def stop(self, flush_timeout: float | None = None) -> None:
        """Flush what is buffered (up to the deadline) and close; safe to call twice."""
        self._stopping.set()
        if self._probe:
            self._probe.cancel()
            self._probe = None
        producer, self._producer = self._producer, None
        if producer is None:
            return
        try:
            await asyncio.wait_for(producer.flush(), flush_timeout or self.settings.flush_timeout)
        except (KafkaError, TimeoutError) as exc:
            log.warning("kafka_flush", status="incomplete", detail=str(exc))
        await producer.stop()

    # --- delivery ----------------------------------------------------------------------

    def topic_for(self, message: Message) -> str:
        t = self.settings.topics
        return {
            "Article": t.articles, "EventRecord": t.events, "DeadLetter": t.dlq, "RawPage": t.raw,
        }[type(message).__name__]

    async def deliver(self, messages: Sequence[Message], *, source_id: str | None) -> int:
        """Send messages in order and wait for every acknowledgement; retry through outages."""
        delay = 0.5
        while True:
            try:
                await self._send_all(messages, source_id)
                return len(messages)
            except (KafkaError, TimeoutError) as exc:
                if self._stopping.is_set():
                    raise PublishError(f"delivery abandoned at shutdown: {exc}") from exc
                self.ready = False
                log.warning("kafka_delivery", status="retrying", detail=str(exc), wait=delay)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), delay)
                delay = min(delay * 2, 10.0)

    async def _send_all(self, messages: Sequence[Message], source_id: str | None) -> None:
        now = utcnow()
        source = envelope.source_uri(source_id)
        futures = []
        for message in messages:
            key, value, headers = envelope.encode(message, source=source, time=now)
            futures.append(
                await self.producer.send(self.topic_for(message), value, key=key, headers=headers)
            )
        await asyncio.gather(*futures)
