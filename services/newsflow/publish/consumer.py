"""The one Kafka consumer recipe: connection and security options shared with the producer."""

from __future__ import annotations

from collections.abc import Sequence

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaError

from newsflow.config import KafkaSettings
from newsflow.publish.kafka import client_options


def build_consumer(
    settings: KafkaSettings, bootstrap: Sequence[str], **options
) -> AIOKafkaConsumer:
    """An unstarted, unassigned consumer that never commits offsets (readers seek themselves)."""
    return AIOKafkaConsumer(
        **client_options(settings, bootstrap), enable_auto_commit=False, group_id=None, **options
    )


__all__ = ["AIOKafkaConsumer", "KafkaError", "TopicPartition", "build_consumer"]
