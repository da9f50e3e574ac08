"""The stories topic on a real Tansu broker: compacted at creation, and a merge's story, merge
record and tombstone read back in order, the tombstone with no value."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import structlog
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from newsflow.cli.tail import _tail
from newsflow.config import KafkaSettings, Settings
from newsflow.publish.kafka import Publisher
from tests.conftest import read_topic
from tests.story_samples import merge, story, tombstone

pytestmark = pytest.mark.timeout(120)

INVALID_CONFIG = 40  # Kafka's INVALID_CONFIG error code


def settings(topics: dict[str, str]) -> KafkaSettings:
    return KafkaSettings(topics=topics, partitions=1, request_timeout_ms=3000)


async def topic_configs(bootstrap: str, topic: str) -> dict[str, str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        [response] = await admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)])
        [(error, _, _, _, entries)] = response.resources
        assert error == 0, f"describe_configs({topic}) failed: {error}"
        return {name: value for name, value, *_ in entries}
    finally:
        await admin.close()


async def list_topics(bootstrap: str) -> set[str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        return set(await admin.list_topics())
    finally:
        await admin.close()


async def test_a_merge_reads_back_as_story_update_merge_and_null_tombstone(broker, topics):
    """Stories, a merge record and a tombstone land on the compacted stories topic in order,
    keyed by story id, the tombstone with value None."""
    pub = Publisher(settings(topics), [broker.bootstrap], idempotence="off", stories_enabled=True)
    await pub.start()
    try:
        assert await pub.deliver([story("s1", num_articles=1)], source_id=None) == 1
        batch = [story("s1", num_articles=3, merged_ids=["s2"]), merge("s2", "s1"), tombstone("s2")]
        assert await pub.deliver(batch, source_id=None) == 3
    finally:
        await pub.stop(1)
    got = await read_topic(broker.bootstrap, topics["stories"])
    assert [r.key for r in got] == ["s1", "s1", "s2", "s2"]
    first, update, merged, dead = got
    assert first.value and first.value["num_articles"] == 1
    assert update.value and update.value["merged_ids"] == ["s2"]
    assert merged.value and merged.value["merged_into"] == "s1"
    assert dead.value is None
    assert dead.headers["ce_type"] == "org.newsflow.storytombstone.v1"
    assert "content-type" not in dead.headers
    assert (await topic_configs(broker.bootstrap, topics["stories"]))["cleanup.policy"] == "compact"


async def test_tail_prints_stories_merges_and_tombstones(broker, topics, capsys):
    """`newsflow tail` on the stories topic prints one line per record, tombstones included."""
    pub = Publisher(settings(topics), [broker.bootstrap], idempotence="off", stories_enabled=True)
    await pub.start()
    try:
        await pub.deliver([story("s1"), merge("s2", "s1"), tombstone("s2")], source_id=None)
    finally:
        await pub.stop(1)
    capsys.readouterr()  # the publisher's log lines
    tail_settings = Settings(
        kafka=KafkaSettings(topics=topics, bootstrap_servers=[broker.bootstrap])
    )
    await _tail(tail_settings, topics["stories"], "stories", False, True, 3, 5.0)
    assert capsys.readouterr().out.splitlines() == [
        "ASSAULT/aerial Kyiv 2025-02-12 · 1 killed, ≥4 injured · 7 articles, 5 sources  s1",
        "merged s2 into s1: same place, same day",
        "deleted s2",
    ]


async def test_no_stories_topic_unless_stories_are_enabled(broker, topics):
    """A publisher without stories (stories or events disabled) creates no stories topic."""
    pub = Publisher(settings(topics), [broker.bootstrap], idempotence="off")
    await pub.start()
    await pub.stop(1)
    made = await list_topics(broker.bootstrap)
    assert topics["events"] in made and topics["stories"] not in made


async def test_a_refused_compaction_config_still_creates_the_stories_topic(
    broker, topics, monkeypatch
):
    """A broker that refuses cleanup.policy gets the stories topic without it, with a warning.

    Tansu accepts any topic config, so the refusal is simulated at the admin client; the
    fallback creation and the delivery after it go to the real broker."""
    real = AIOKafkaAdminClient.create_topics

    async def refusing(self, new_topics, *args, **kw):
        ok = [t for t in new_topics if "cleanup.policy" not in t.topic_configs]
        errors = list((await real(self, ok, *args, **kw)).topic_errors) if ok else []
        errors += [
            (t.name, INVALID_CONFIG, "refused by the test") for t in new_topics if t not in ok
        ]
        return SimpleNamespace(topic_errors=errors)

    monkeypatch.setattr(AIOKafkaAdminClient, "create_topics", refusing)
    pub = Publisher(settings(topics), [broker.bootstrap], idempotence="off", stories_enabled=True)
    with structlog.testing.capture_logs() as logs:
        await pub.start()
    try:
        assert await pub.deliver([tombstone("s9")], source_id=None) == 1
    finally:
        await pub.stop(1)
    [warning] = [e for e in logs if e.get("status") == "created_without_compaction"]
    assert warning["topic"] == topics["stories"] and "refused by the test" in warning["detail"]
    assert "cleanup.policy" not in await topic_configs(broker.bootstrap, topics["stories"])
    [dead] = await read_topic(broker.bootstrap, topics["stories"])
    assert dead.key == "s9" and dead.value is None
