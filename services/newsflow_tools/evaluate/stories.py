"""Stories on ECB+: documents clustered through the coder and the story resolver, scored
against the happening each reports (B³ and pairwise), per half of the topics.

The topics are split by number: even topics are the tune half, odd topics the frozen half
that figures are reported on. Every document goes through one resolver run, in a fixed
shuffled order (as reports of many happenings interleave on a live stream), so twin
happenings of one topic meet and must be kept apart. A document's story is the most
corroborated story any of its events joined (the one most other articles report); a
document with no asserted event is a story of its own.

ECB+ keeps no publication dates, which every live article has (from its feed or page). Where
a document's first 300 characters hold a dateline ("May 03, 2013"), it stands in for that
date (`datelines=True`, 419 of the 502 ecbplus documents and 4 of the 480 ecb ones); the
table gives the figures with and without.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from dateutil import parser as dateparser

from newsflow.models import EventRecord, Report, StoryState
from newsflow.state.base import STORIES_PER_KEY, STORY_CANDIDATES
from newsflow.stories.blocks import lookup_keys, own_keys
from newsflow.stories.match import Weights
from newsflow.stories.report import article_names, reported
from newsflow.stories.resolve import resolve

FILE = "eval/stories-ecbplus.jsonl"
CACHE = Path("var/cache")
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def load(shared: Path) -> list[dict]:
    with (shared / FILE).open(encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def part(row: dict) -> str:
    return "tune" if int(row["topic"]) % 2 == 0 else "frozen"


MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
DATELINE = re.compile(
    rf"\b(?:{MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?\s*,?\s+(?:19|20)\d\d"
    rf"|\d{{1,2}}\s+{MONTH}\s*,?\s+(?:19|20)\d\d)\b",
    re.I,
)


def dateline(text: str) -> datetime | None:
    m = DATELINE.search(text[:300])
    if m is None:
        return None
    try:
        day = dateparser.parse(m.group(), fuzzy=True, default=datetime(2000, 1, 1))
    except (ValueError, OverflowError):
        return None
    return day.replace(hour=12, tzinfo=UTC)


def coded(rows: list[dict], datelines: bool) -> dict[str, list[EventRecord]]:
    """Events of every document, cached per coder version and text under var/cache."""
    from newsflow.events.coder import VERSION, EventCoder

    digest = hashlib.sha256("".join(r["id"] + r["text"] for r in rows).encode()).hexdigest()
    variant = "dated" if datelines else "undated"
    path = CACHE / f"ecbplus-events-{VERSION}-{variant}-{digest[:12]}.jsonl"
    if path.is_file():
        out = {}
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            out[row["id"]] = [EventRecord.model_validate(e) for e in row["events"]]
        return out
    coder = EventCoder()
    out = {
        r["id"]: coder.code(
            r["text"], article_id=r["id"], published_at=dateline(r["text"]) if datelines else None
        )
        for r in rows
    }
    CACHE.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as f:
        for doc_id, events in out.items():
            dumped = [e.model_dump(mode="json") for e in events]
            f.write(json.dumps({"id": doc_id, "events": dumped}) + "\n")
    return out


class MemoryIndex:
    """The state store's story index, in memory: the resolver's decision, applied."""

    def __init__(self) -> None:
        self.stories: dict[str, StoryState] = {}
        self.keys: dict[str, set[str]] = defaultdict(set)
        self.moved: dict[str, str] = {}  # absorbed id → the story that took it
        self.ticks = 0

    def link(self, report: Report, weights: Weights) -> None:
        hits: Counter[str] = Counter()
        for k in lookup_keys(report, weights.date_window_days):  # as the store reads them
            recent = sorted(self.keys.get(k, ()), key=lambda i: self.stories[i].updated_at)
            hits.update(recent[-STORIES_PER_KEY:])
        ranked = sorted(hits, key=lambda i: (-hits[i], -self.stories[i].updated_at.timestamp()))
        ids = set(ranked[:STORY_CANDIDATES])
        self.ticks += 1
        now = NOW + timedelta(seconds=self.ticks)
        out = resolve(report, [self.stories[i] for i in sorted(ids)], weights, now)
        if not out.changed:
            return
        for gone, _ in out.absorbed:
            self._drop(gone.story_id)
            self.moved[gone.story_id] = out.story.story_id
        self._drop(out.story.story_id)
        self.stories[out.story.story_id] = out.story
        for r in out.story.reports:
            for k in own_keys(r):
                self.keys[k].add(out.story.story_id)

    def _drop(self, story_id: str) -> None:
        old = self.stories.pop(story_id, None)
        if old is not None:
            for r in old.reports:
                for k in own_keys(r):
                    self.keys[k].discard(story_id)

    def home(self, story_id: str) -> str:
        while story_id in self.moved:
            story_id = self.moved[story_id]
        return story_id


def cluster(
    rows: list[dict],
    events: dict[str, list[EventRecord]],
    weights: Weights,
    *,
    datelines: bool,
    seed: int = 15,
) -> tuple[dict[str, str], MemoryIndex]:
    order = list(rows)
    random.Random(seed).shuffle(order)
    index = MemoryIndex()
    for row in order:
        published = dateline(row["text"]) if datelines else None
        context = article_names(row["text"])
        for e in events[row["id"]]:
            if e.modality == "asserted":
                # ECB+ keeps no source names: each document is its own site.
                index.link(reported(e, f"doc-{row['id']}", published, context), weights)
    where: dict[str, str] = {}
    for sid, story in index.stories.items():
        for r in story.reports:
            where[r.event_id] = sid
    out = {}
    for row in rows:
        homes = [index.home(where[e.event_id]) for e in events[row["id"]] if e.event_id in where]
        if not homes:
            out[row["id"]] = "alone:" + row["id"]
            continue
        size = {h: len({r.article_id for r in index.stories[h].reports}) for h in homes}
        out[row["id"]] = max(homes, key=lambda h: (size[h], -homes.index(h)))
    return out, index


@dataclass(frozen=True)
class Scores:
    docs: int
    b3_p: float
    b3_r: float
    b3_f1: float
    pair_p: float
    pair_r: float
    pair_f1: float
    twins_merged: float  # share of topics where one predicted story holds both twins
    topics: int


def f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def score(rows: list[dict], predicted: dict[str, str]) -> Scores:
    gold = {r["id"]: r["story"] for r in rows}
    by_pred: dict[str, set[str]] = defaultdict(set)
    by_gold: dict[str, set[str]] = defaultdict(set)
    for doc, sid in predicted.items():
        if doc in gold:
            by_pred[sid].add(doc)
            by_gold[gold[doc]].add(doc)
    p = r = 0.0
    for doc in gold:
        mine, truth = by_pred[predicted[doc]], by_gold[gold[doc]]
        shared = len(mine & truth)
        p += shared / len(mine)
        r += shared / len(truth)
    n = len(gold)
    tp = sum(
        c * (c - 1) / 2 for sid in by_pred for c in Counter(gold[d] for d in by_pred[sid]).values()
    )
    pred_pairs = sum(len(d) * (len(d) - 1) / 2 for d in by_pred.values())
    gold_pairs = sum(len(d) * (len(d) - 1) / 2 for d in by_gold.values())
    pp = tp / pred_pairs if pred_pairs else 1.0
    pr = tp / gold_pairs if gold_pairs else 1.0
    topic_of = {r["id"]: r["topic"] for r in rows}
    merged = set()
    for docs in by_pred.values():
        stories = {gold[d] for d in docs}
        if len(stories) > 1:
            topics = Counter(topic_of[d] for d in docs)
            merged |= {t for t in topics if sum(1 for s in stories if s.startswith(f"{t}ecb")) > 1}
    topics_all = {r["topic"] for r in rows}
    return Scores(
        docs=n,
        b3_p=p / n,
        b3_r=r / n,
        b3_f1=f1(p / n, r / n),
        pair_p=pp,
        pair_r=pr,
        pair_f1=f1(pp, pr),
        twins_merged=len(merged) / len(topics_all),
        topics=len(topics_all),
    )


def report(
    shared: Path, parts: tuple[str, ...] = ("tune", "frozen"), weights: Weights | None = None
) -> str:
    rows = load(shared)
    lines = [
        "Stories on ECB+ (982 documents, 43 topics of twin happenings; one resolver run over"
        " all; frozen = odd topics, tune = even)",
        "| dates | part | docs | topics | B³ P | B³ R | B³ F1 | pairwise P | R | F1 | twins merged |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for datelines in (True, False):
        events = coded(rows, datelines)
        predicted, _ = cluster(rows, events, weights or Weights(), datelines=datelines)
        for name in parts:
            rs = [r for r in rows if part(r) == name]
            s = score(rs, {r["id"]: predicted[r["id"]] for r in rs})
            lines.append(
                f"| {'datelines' if datelines else 'none'} | {name} | {s.docs} | {s.topics} |"
                f" {s.b3_p:.3f} | {s.b3_r:.3f} | {s.b3_f1:.3f} | {s.pair_p:.3f} |"
                f" {s.pair_r:.3f} | {s.pair_f1:.3f} | {s.twins_merged:.0%} |"
            )
    return "\n".join(lines)
