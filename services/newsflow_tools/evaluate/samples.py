"""Scores the coder on hand-written gold for the five bundled sample articles.

data/events/samples-gold.json: each 'events' item must be met by one record of its article
(fields as in the seed gold, plus actor_name_contains); each 'must_not' rule must hold.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from newsflow.events.coder import EventCoder
from newsflow.extract.document import extract_html, extract_text
from newsflow.models import EventRecord
from newsflow_tools.evaluate.events import matches

ROOT = Path(__file__).resolve().parents[3]
GOLD = ROOT / "data" / "events" / "samples-gold.json"
ARTICLES = ROOT / "config" / "sample" / "articles"


def _meets(e: EventRecord, item: dict[str, Any]) -> bool:
    want = item.get("actor_name_contains")
    return matches(e, item) and (
        want is None or any(want.lower() in (a.name + " " + a.text).lower() for a in e.actors)
    )


def broken(rule: dict[str, Any], events: list[EventRecord]) -> bool:
    """True when a must_not rule is broken by the article's records."""
    kind = rule["rule"]
    if kind == "no_party":
        return any(not e.actors and not e.recipients for e in events)
    if kind == "same_actor_and_recipient":
        return any(
            {a.country for a in e.actors if a.country}
            & {r.country for r in e.recipients if r.country}
            for e in events
        )
    if kind == "type_with_actor_country":
        return any(
            e.event_type == rule["event_type"] and rule["country"] in {a.country for a in e.actors}
            for e in events
        )
    if kind == "actor_text":
        return any(rule["text"] in a.text for e in events for a in e.actors)
    if kind == "count_on_many":
        return (
            sum(
                any(c.kind == rule["kind"] and c.value == rule["value"] for c in e.counts)
                for e in events
            )
            > 1
        )
    if kind == "asserted_type":
        return any(e.event_type == rule["event_type"] and e.modality == "asserted" for e in events)
    if kind == "count_kind":
        return any(c.kind == rule["kind"] for e in events for c in e.counts)
    if kind == "count":
        return any(
            c.kind == rule["kind"] and c.value == rule["value"] for e in events for c in e.counts
        )
    if kind == "acled_by":
        return any(
            e.acled is not None
            and e.acled.sub_event_type == rule["sub_event"]
            and rule["country"] in {a.country for a in e.actors}
            for e in events
        )
    if kind == "merged_locations":
        return any(
            all(n.lower() in e.evidence.sentence.lower() for n in rule["names"])
            and e.location is not None
            and not any(n.lower() in e.location.name.lower() for n in rule["names"][:1])
            for e in events
        )
    raise ValueError(f"unknown must_not rule {kind!r}")


def article_text(path: Path) -> str:
    raw = path.read_text(encoding="utf-8")
    return (extract_html(raw) if path.suffix == ".html" else extract_text(raw)).text


def check(coder: EventCoder) -> list[tuple[str, str, bool]]:
    """(article, item or rule, passed) for every gold line."""
    gold = json.loads(GOLD.read_text(encoding="utf-8"))
    published = datetime.fromisoformat(gold["published_at"].replace("Z", "+00:00"))
    out = []
    for name, spec in gold["articles"].items():
        events = coder.code(article_text(ARTICLES / name), article_id=name, published_at=published)
        for item in spec["events"]:
            out.append((name, item["id"], any(_meets(e, item) for e in events)))
        for rule in spec["must_not"] + gold["all_must_not"]:
            out.append((name, f"must_not {rule['rule']}", not broken(rule, events)))
    return out


def report(coder: EventCoder) -> list[str]:
    rows = check(coder)
    lines = [f"sample articles (hand-written gold): {sum(ok for *_, ok in rows)}/{len(rows)} pass"]
    lines += [f"  {'PASS' if ok else 'FAIL'}  {a}: {what}" for a, what, ok in rows]
    return lines
