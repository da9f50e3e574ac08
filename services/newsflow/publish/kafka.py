"""Publishing to Kafka with aiokafka: topics, the producer, delivery and readiness.

Delivery is at-least-once: `deliver` returns only after the broker acknowledged
every message (acks=all). While the broker is away it keeps retrying with
backoff, holding the caller (backpressure), until `give_up` or `stop` ends the
wait; the caller then gets PublishError and must not mark its link done.
After an outage the topics are checked (and created again if the broker lost
them) before anything more is sent: a restarted in-memory broker such as Tansu
acknowledges writes to a topic it no longer knows and then loses them; worse, such
stray writes later hide records written after the topic is back from readers. So
when a producer connection breaks, that producer is dropped with its unsent batches
(aiokafka would re-send them the moment the broker is back, before any check of
ours), an acknowledgement counts only if no connection broke between the send and
the ack (the broker "epoch" is unchanged), and a new producer starts once the
topics are confirmed. Messages not acknowledged are sent again: at-least-once, a
duplicate is possible.
A message the broker can never take (larger than max_request_size) fails at
once with a non-retriable PublishError instead of holding a worker forever.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence

import structlog
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.conn import CloseReason
from aiokafka.errors import (
    KafkaConnectionError,
    KafkaError,
    MessageSizeTooLargeError,
    RecordTooLargeError,
    TopicAlreadyExistsError,
    UnknownError,
)
from aiokafka.helpers import create_ssl_context

from newsflow.config import KafkaSettings
from newsflow.errors import PublishError, Reason
from newsflow.models import Message, utcnow
from newsflow.publish import envelope

log = structlog.get_logger("newsflow.publish")

# Retrying cannot help these: the same bytes will be refused again.
PERMANENT = (MessageSizeTooLargeError, RecordTooLargeError)

TOPIC_ALREADY_EXISTS = TopicAlreadyExistsError.errno  # another replica won the race: fine


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


async def _create(
    admin: AIOKafkaAdminClient, settings: KafkaSettings, topics: dict[str, dict[str, str]]
) -> dict[str, str]:
    """Create topics with their configs; return the refused ones, name → broker's reason.
    aiokafka returns per-topic errors in the response instead of raising them."""
    response = await admin.create_topics(
        [
            NewTopic(name, settings.partitions, settings.replication_factor, topic_configs=configs)
            for name, configs in topics.items()
        ]
    )
    return {
        name: f"error {code}: {rest[0] if rest and rest[0] else 'no message'}"
        for name, code, *rest in response.topic_errors  # v0 has no error_message
        if code not in (0, TOPIC_ALREADY_EXISTS)
    }


class Publisher:
    """Owns one producer. `idempotence` is "on", "off" or "auto" (on unless the broker refuses)."""

    def __init__(
        self,
        settings: KafkaSettings,
        bootstrap: Sequence[str],
        *,
        idempotence: str | None = None,
        raw_enabled: bool = False,
        stories_enabled: bool = False,
        replica: str | None = None,
    ) -> None:
        self.settings = settings
        self.bootstrap = list(bootstrap)
        self.idempotence_mode = idempotence or settings.idempotence
        self.raw_enabled = raw_enabled
        self.stories_enabled = stories_enabled
        self.replica = replica  # sent as the newsflow-replica header
        self.idempotent = False
        self.ready = False
        self._producer: AIOKafkaProducer | None = None
        self._stopping = asyncio.Event()
        self._probe: asyncio.Task | None = None
        self._resync = False  # set by a failed delivery: check topics before the next send
        self._resync_lock = asyncio.Lock()
        self._epoch = 0  # bumped whenever a producer connection breaks
        self._dropped: set[asyncio.Task] = set()  # dropped producers' clients, closing
        self._recovered = asyncio.Event()  # set (and replaced) at each confirmed resync

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
        except (KeyError, ValueError) as exc:
            if not self.settings.security_protocol.startswith("SASL"):
                raise
            # aiokafka's SCRAM client reads a server-final "e=<error>" (RFC 5802 §7), which is
            # how Tansu refuses a user or password, as KeyError('v'), and a wrong server
            # signature as ValueError: both mean the login failed, not a bug of ours.
            raise PublishError(
                f"Kafka broker at {','.join(self.bootstrap)} refused {self.settings.sasl_mechanism}"
                f" login for user {self.settings.sasl_username!r}",
                retriable=False,
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
                "kafka_idempotence",
                status="disabled",
                detail="broker rejected InitProducerId; delivery stays at-least-once with stable keys",
            )
            want = False
            producer = self._producer_for(idempotent=False)
            await producer.start()
        self.idempotent = want
        return producer

    def _producer_for(self, *, idempotent: bool) -> AIOKafkaProducer:
        s = self.settings
        producer = AIOKafkaProducer(
            **client_options(s, self.bootstrap),
            acks="all",
            enable_idempotence=idempotent,
            compression_type=None if s.compression == "none" else s.compression,
            linger_ms=s.linger_ms,
            max_batch_size=s.max_batch_size,
            max_request_size=s.max_request_size,
        )
        client = producer.client
        closed = client._on_connection_closed  # read by every connection the client opens

        def on_closed(conn, reason) -> None:
            if reason not in (CloseReason.IDLE_DROP, CloseReason.SHUTDOWN):
                self._broken()
            closed(conn, reason)

        client._on_connection_closed = on_closed
        return producer

    def _broken(self) -> None:
        """A connection broke: acks from now on may come from a broker that lost our topics."""
        self._epoch += 1
        self._resync = True
        producer, self._producer = self._producer, None
        if producer is not None:
            self._drop(producer)

    def _drop(self, producer: AIOKafkaProducer) -> None:
        """Stop a producer now, unsent batches included, without a flush (aiokafka has no
        public way: its stop() would first re-send them). Their callers get a retriable
        error and send again through the next producer."""
        sender = producer._sender.sender_task
        if sender is not None:
            sender.cancel()
        producer._message_accumulator.fail_all(
            KafkaConnectionError("producer dropped after a broken connection; not sent")
        )
        task = asyncio.ensure_future(producer.client.close())
        self._dropped.add(task)
        task.add_done_callback(self._dropped.discard)

    async def _ensure_topics(self) -> None:
        s = self.settings
        admin = AIOKafkaAdminClient(**client_options(s, self.bootstrap))
        await admin.start()
        try:
            wanted: dict[str, dict[str, str]] = {
                s.topics.articles: {},
                s.topics.events: {},
                s.topics.dlq: {},
            }
            if self.raw_enabled:
                wanted[s.topics.raw] = {"max.message.bytes": str(s.max_request_size)}
            if self.stories_enabled:
                wanted[s.topics.stories] = {"cleanup.policy": "compact"}
            existing = set(await admin.list_topics())
            new = {name: configs for name, configs in wanted.items() if name not in existing}
            if not new:
                return
            refused = await _create(admin, s, new)
            if s.topics.stories in refused:
                # Without compaction the topic still reads right (the latest value per key
                # wins); it only keeps growing. Better than no stories topic at all.
                first = refused.pop(s.topics.stories)
                again = await _create(admin, s, {s.topics.stories: {}})
                refused.update(again)
                if not again:
                    log.warning(
                        "kafka_topics",
                        status="created_without_compaction",
                        topic=s.topics.stories,
                        detail=first,
                    )
            for name, detail in refused.items():
                log.warning("kafka_topics", status="refused", topic=name, detail=detail)
            created = [t for t in new if t not in refused]
            if created:
                log.info("kafka_topics", status="created", topics=created)
        finally:
            await admin.close()

    async def _probe_loop(self, every: float = 2.0) -> None:
        """Keeps `ready` current: false while no broker answers a metadata request."""
        while not self._stopping.is_set():
            ok = False
            producer = self._producer
            if producer is None:  # dropped after a broken connection: replace it
                ok = await self._resync_topics()
            else:
                try:
                    ok = bool(await asyncio.wait_for(producer.client.force_metadata_update(), 5))
                except (KafkaError, OSError, TimeoutError):
                    ok = False
                if not ok:
                    self._resync = True
                elif self._resync:
                    ok = await self._resync_topics()
            self._set_ready(ok)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), every)

    def _set_ready(self, ok: bool) -> None:
        if ok != self.ready:
            log.info("kafka_broker", status="reachable" if ok else "unreachable")
        self.ready = ok

    async def _resync_topics(self) -> bool:
        """After an outage: create the topics again if the broker came back without them,
        then start a producer in place of a dropped one."""
        async with self._resync_lock:
            if not self._resync and self._producer is not None:
                return True
            epoch = self._epoch
            timeout = self.settings.request_timeout_ms / 1000
            try:
                await asyncio.wait_for(self._ensure_topics(), timeout)
                if self._producer is None and not self._stopping.is_set():
                    producer = self._producer_for(idempotent=self.idempotent)
                    try:
                        await asyncio.wait_for(producer.start(), timeout)
                    except BaseException:
                        await producer.stop()
                        raise
                    self._producer = producer
            except (KafkaError, OSError, TimeoutError) as exc:
                log.debug("kafka_topics", status="unchecked", detail=str(exc) or type(exc).__name__)
                return False
            if epoch != self._epoch:  # broke again while checking
                return False
            self._resync = False
            self._recovered.set()  # wake deliveries backing off
            self._recovered = asyncio.Event()
            return True

    @property
    def producer(self) -> AIOKafkaProducer:
        if self._producer is None:
            # Not started, stopped, or dropped after a broken connection (retried).
            raise KafkaConnectionError("no producer")
        return self._producer

    def give_up(self) -> None:
        """Stop waiting for the broker: pending `deliver` calls fail with PublishError."""
        self._stopping.set()

    async def stop(self, flush_timeout: float | None = None) -> None:
        """Flush what is buffered and close, both within flush_timeout (at least 1 s for the
        close); safe to call twice."""
        self._stopping.set()
        if self._probe:
            self._probe.cancel()
            self._probe = None
        producer, self._producer = self._producer, None
        if producer is None:
            return
        loop = asyncio.get_running_loop()
        end = loop.time() + (flush_timeout or self.settings.flush_timeout)
        try:
            await asyncio.wait_for(producer.flush(), end - loop.time())
        except (KafkaError, TimeoutError) as exc:
            log.warning("kafka_flush", status="incomplete", detail=str(exc) or type(exc).__name__)
        try:  # a broker that accepts connections but never answers must not hold the exit
            await asyncio.wait_for(producer.stop(), max(1.0, end - loop.time()))
        except (KafkaError, TimeoutError) as exc:
            log.warning(
                "kafka_producer", status="stop_incomplete", detail=str(exc) or type(exc).__name__
            )

    # --- delivery ----------------------------------------------------------------------

    def topic_for(self, message: Message) -> str:
        t = self.settings.topics
        return {
            "Article": t.articles,
            "EventRecord": t.events,
            "DeadLetter": t.dlq,
            "RawPage": t.raw,
            "Story": t.stories,
            "StoryMerge": t.stories,
            "StoryTombstone": t.stories,
        }[type(message).__name__]

    async def deliver(self, messages: Sequence[Message], *, source_id: str | None) -> int:
        """Send messages in order and wait for every acknowledgement; retry through outages.

        Raises PublishError (retriable) once `give_up`/`stop` was called, at once
        rather than after the current attempt times out, and PublishError
        (reason too_large, not retriable) for a message the broker can never take.
        """
        delay = 0.5
        while True:
            if self._stopping.is_set():
                raise PublishError("delivery abandoned at shutdown")
            attempt = asyncio.ensure_future(self._attempt(messages, source_id))
            stopping = asyncio.ensure_future(self._stopping.wait())
            try:
                await asyncio.wait([attempt, stopping], return_when=asyncio.FIRST_COMPLETED)
            finally:
                stopping.cancel()
                if not attempt.done():
                    attempt.cancel()
            if attempt.cancelled() or not attempt.done():
                raise PublishError("delivery abandoned at shutdown")
            try:
                attempt.result()
                self._set_ready(True)  # an acknowledgement proves the broker is back
                return len(messages)
            except PERMANENT as exc:
                raise PublishError(
                    f"broker refuses this message: {exc}", reason=Reason.TOO_LARGE, retriable=False
                ) from exc
            except (KafkaError, TimeoutError) as exc:
                if self._stopping.is_set():
                    raise PublishError(f"delivery abandoned at shutdown: {exc}") from exc
                self._set_ready(False)
                self._resync = True
                log.warning(
                    "kafka_delivery",
                    status="retrying",
                    detail=str(exc) or type(exc).__name__,
                    wait=delay,
                )
                # Back off, but wake as soon as the topics are confirmed after an outage.
                recovered = self._recovered
                waits = [asyncio.ensure_future(e.wait()) for e in (self._stopping, recovered)]
                try:
                    await asyncio.wait(waits, timeout=delay, return_when=asyncio.FIRST_COMPLETED)
                finally:
                    for w in waits:
                        w.cancel()
                delay = 0.5 if recovered.is_set() else min(delay * 2, 10.0)

    async def _attempt(self, messages: Sequence[Message], source_id: str | None) -> None:
        if (self._resync or self._producer is None) and not await self._resync_topics():
            raise KafkaConnectionError("broker not answering while checking topics")
        epoch = self._epoch
        await self._send_all(messages, source_id)
        if epoch != self._epoch or self._resync:
            raise KafkaConnectionError("a connection broke before the acknowledgement")

    async def _send_all(self, messages: Sequence[Message], source_id: str | None) -> None:
        now = utcnow()
        source = envelope.source_uri(source_id)
        futures = []
        try:
            for message in messages:
                key, value, headers = envelope.encode(
                    message, source=source, time=now, replica=self.replica
                )
                futures.append(
                    await self.producer.send(
                        self.topic_for(message), value, key=key, headers=headers
                    )
                )
            await asyncio.gather(*futures)
        finally:
            for future in futures:  # an abandoned attempt leaves no unobserved failures behind
                if future.done() and not future.cancelled():
                    future.exception()
                else:
                    future.add_done_callback(_observe)


def _observe(future: asyncio.Future) -> None:
    if not future.cancelled():
        future.exception()
