"""`newsflow tail TOPIC`: a live, human-readable view of what arrives on a topic."""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys

import click

from newsflow import assembly
from newsflow.cli import with_settings
from newsflow.config import Settings
from newsflow.publish.consumer import KafkaError, TopicPartition
from newsflow.publish.embedded import EMBEDDED_ADDRESS_FILE


def bootstrap_for(settings: Settings) -> list[str]:
    """Configured servers, else the embedded broker a local `newsflow run` announced."""
    if settings.kafka.bootstrap_servers:
        return settings.kafka.bootstrap_servers
    address = settings.state_dir / EMBEDDED_ADDRESS_FILE
    if address.exists():
        return [address.read_text(encoding="utf-8").strip()]
    raise click.ClickException(
        "no broker: set NEWSFLOW_KAFKA_BOOTSTRAP_SERVERS, or start `newsflow run` "
        f"with the same state_dir ({settings.state_dir}) so its embedded broker can be found"
    )


QUALIFIER = {"exact": "", "at_least": "≥", "at_most": "≤", "approx": "~"}


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def render_story(value: dict) -> str:
    """ASSAULT/aerial Kyiv 2025-02-12 · 1 killed, ≥4 injured · 7 articles, 5 sources  <id>"""
    if "merged_into" in value:  # a StoryMerge shares the topic; only it has merged_into
        reasons = ", ".join(value["reasons"]) or "no reasons given"
        return f"merged {value['story_id']} into {value['merged_into']}: {reasons}"
    mode = f"/{value['mode']}" if value.get("mode") else ""
    where = (value.get("location") or {}).get("name") or "-"
    counts = ", ".join(
        f"{QUALIFIER[c['qualifier']]}{c['value']} {c['kind']}"
        + (f" {c['object']}" if c.get("object") else "")
        for c in value.get("counts", [])
    )
    closed = " (closed)" if value.get("status") == "closed" else ""
    return " · ".join(
        part
        for part in (
            f"{value['event_type']}{mode} {where} {value.get('date') or '----'}{closed}",
            counts,
            f"{plural(value['num_articles'], 'article')}, {plural(value['num_sources'], 'source')}"
            f"  {value['story_id']}",
        )
        if part
    )


def render(topic_kind: str, value: dict | None, key: str | None = None) -> str:
    if value is None:  # a tombstone: the key is all there is
        return f"deleted {key}"
    if topic_kind == "stories":
        return render_story(value)
    if topic_kind == "articles":
        when = (value.get("published_at") or value.get("fetched_at") or "")[:16]
        return (
            f"{when}  [{value['source']['id']}] {value.get('title') or '(no title)'}"
            f"  ({value['word_count']} words, {value['extraction']['path']})  {value['url']}"
        )
    if topic_kind == "events":
        actors = (
            ",".join(
                a["name"] + (f"/{a['country']}" if a.get("country") else "")
                for a in value.get("actors", [])
            )
            or "?"
        )
        recips = (
            ",".join(
                a["name"] + (f"/{a['country']}" if a.get("country") else "")
                for a in value.get("recipients", [])
            )
            or "-"
        )
        where = (value.get("location") or {}).get("name") or "-"
        counts = " ".join(f"{c['kind']}={c['value']}" for c in value.get("counts", []))
        mode = f"/{value['mode']}" if value.get("mode") else ""
        return (
            f"{value.get('date') or '----'}  {value['event_type']}{mode} {actors} → {recips}"
            f" @ {where} [{value['modality']}] {counts}  «{value['evidence']['sentence'][:100]}»"
        )
    if topic_kind == "dlq":
        return (
            f"{value['failed_at'][:19]}  {value['stage']}/{value['reason']}  {value['url']}"
            f"  attempts={value['attempts']}  {value['detail'][:120]}"
        )
    return json.dumps(value)[:300]


@click.command()
@click.argument("topic")
@click.option("--json", "as_json", is_flag=True, help="Print raw message values, one per line.")
@click.option("--from-beginning", is_flag=True, help="Start at the oldest message, not the newest.")
@click.option("--max", "max_messages", type=int, default=0, help="Exit after this many messages.")
@click.option("--idle-exit", type=float, default=0.0, help="Exit after this many idle seconds.")
@with_settings
def tail(
    settings: Settings,
    topic: str,
    as_json: bool,
    from_beginning: bool,
    max_messages: int,
    idle_exit: float,
) -> None:
    """Follow TOPIC (e.g. newsflow.articles.v1) and print what arrives."""
    kinds = {
        settings.kafka.topics.articles: "articles",
        settings.kafka.topics.events: "events",
        settings.kafka.topics.dlq: "dlq",
        settings.kafka.topics.stories: "stories",
    }
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(
            _tail(
                settings,
                topic,
                kinds.get(topic, "other"),
                as_json,
                from_beginning,
                max_messages,
                idle_exit,
            )
        )


async def _tail(
    settings: Settings,
    topic: str,
    kind: str,
    as_json: bool,
    from_beginning: bool,
    max_messages: int,
    idle_exit: float,
) -> None:
    bootstrap = bootstrap_for(settings)
    consumer = assembly.consumer(settings, bootstrap)
    try:
        await consumer.start()
    except KafkaError as exc:
        await consumer.stop()
        hint = (
            ""
            if settings.kafka.bootstrap_servers
            else f" (is the `newsflow run` that wrote {settings.state_dir / EMBEDDED_ADDRESS_FILE}"
            " still running?)"
        )
        raise click.ClickException(
            f"Kafka broker unreachable at {','.join(bootstrap)}{hint}: {exc}"
        ) from exc
    try:
        partitions = consumer.partitions_for_topic(topic) or set()
        if not partitions:
            await consumer._client.force_metadata_update()
            partitions = consumer.partitions_for_topic(topic) or set()
        if not partitions:
            raise click.ClickException(f"topic {topic} does not exist")
        tps = [TopicPartition(topic, p) for p in sorted(partitions)]
        consumer.assign(tps)
        if from_beginning:
            await consumer.seek_to_beginning(*tps)
        else:
            await consumer.seek_to_end(*tps)
        seen, idle = 0, 0.0
        while True:
            batch = await consumer.getmany(timeout_ms=500)
            if not batch:
                idle += 0.5
                if idle_exit and idle >= idle_exit:
                    return
                continue
            idle = 0.0
            for records in batch.values():
                for rec in records:
                    # A null value (tombstone) prints as JSON null, or "deleted <key>".
                    value = None if rec.value is None else json.loads(rec.value)
                    key = rec.key.decode("utf-8", "replace") if rec.key is not None else None
                    print(
                        json.dumps(value, ensure_ascii=False)
                        if as_json
                        else render(kind, value, key),
                        flush=True,
                    )
                    seen += 1
                    if max_messages and seen >= max_messages:
                        return
    finally:
        await consumer.stop()
        sys.stdout.flush()
