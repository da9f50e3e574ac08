"""Scores the whole event coder on our labelled sentences (data/events/labelled.jsonl).

Only the frozen test split is scored by `make eval`; nothing is tuned on it. Each sentence is
coded alone, as an article of one sentence. Conventions:
- is-event: a sentence is predicted an event when the coder returns any record for it;
- top-1: over gold-event sentences, the type of the most confident record is a gold type;
- per type: sentence-level sets of types, gold vs coded;
- ACLED: over asserted gold events that carry a sub-event, a coded record of that type has it;
- an argument is right when both are empty, or the coded words and the gold span overlap
  (one contains the other, case-insensitive), or the coded country is the gold country;
- whole record: a coded record of the gold type has actor, recipient and location all right;
- counts: a gold count is exact when a coded record of the same type has that kind and value;
  a coded count is exact when some gold event of its type has it.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from newsflow.events.coder import EventCoder
from newsflow.models import Actor, EventRecord, Location

DATA = Path(__file__).resolve().parents[3] / "data" / "events" / "labelled.jsonl"


def rows(split: str = "test", path: Path = DATA) -> list[dict[str, Any]]:
    out = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
    return [r for r in out if r["split"] == split]


def _overlap(coded: str, gold: str) -> bool:
    a, b = coded.lower().strip(), gold.lower().strip()
    return bool(a and b) and (a in b or b in a)


def _party_right(coded: list[Actor], span: dict | None, country: str | None) -> bool:
    if span is None:
        return not coded
    return any(_overlap(a.text, span["text"]) or (country and a.country == country) for a in coded)


def _place_right(coded: Location | None, span: dict | None) -> bool:
    if span is None:
        return coded is None
    return coded is not None and (
        _overlap(coded.text, span["text"]) or _overlap(coded.name, span["text"])
    )


def record_right(e: EventRecord, g: dict[str, Any]) -> dict[str, bool]:
    return {
        "actor": _party_right(e.actors, g["actor"], g.get("actor_country")),
        "recipient": _party_right(e.recipients, g["recipient"], g.get("recipient_country")),
        "location": _place_right(e.location, g["location"]),
    }


class Tally:
    def __init__(self) -> None:
        self.n = Counter()
        self.tp, self.fp, self.fn = Counter(), Counter(), Counter()

    def add(self, row: dict[str, Any], coded: list[EventRecord]) -> None:
        n = self.n
        gold_types = {g["type"] for g in row["events"]}
        coded_types = {e.event_type.value for e in coded}
        n["rows"] += 1
        n["event_tp"] += row["is_event"] and bool(coded)
        n["event_fp"] += (not row["is_event"]) and bool(coded)
        n["event_fn"] += row["is_event"] and not coded
        if gold_types:
            n["top1_n"] += 1
            best = max(coded, key=lambda e: e.confidence, default=None)
            n["top1_ok"] += best is not None and best.event_type.value in gold_types
        for t in gold_types | coded_types:
            self.tp[t] += t in gold_types and t in coded_types
            self.fp[t] += t in coded_types and t not in gold_types
            self.fn[t] += t in gold_types and t not in coded_types
        for g in row["events"]:
            same = [e for e in coded if e.event_type.value == g["type"]]
            if g.get("acled") and g["modality"] == "asserted":
                n["acled_n"] += 1
                n["acled_ok"] += any(e.acled and e.acled.sub_event_type == g["acled"] for e in same)
            n["records"] += 1
            checks = [record_right(e, g) for e in same]
            n["whole_ok"] += any(all(c.values()) for c in checks)
            for part in ("actor", "recipient", "location"):
                n[f"{part}_ok"] += any(c[part] for c in checks)
            for c in g["counts"]:
                n["count_gold"] += 1
                n["count_found"] += any(
                    x.kind == c["kind"] and x.value == c["value"] for e in same for x in e.counts
                )
        gold_counts = {
            (g["type"], c["kind"], c["value"]) for g in row["events"] for c in g["counts"]
        }
        for e in coded:
            for x in e.counts:
                n["count_coded"] += 1
                n["count_right"] += (e.event_type.value, x.kind, x.value) in gold_counts

    def summary(self) -> dict[str, float]:
        n = self.n

        def ratio(a: float, b: float) -> float:
            return a / b if b else 0.0

        return {
            "rows": n["rows"],
            "top1": ratio(n["top1_ok"], n["top1_n"]),
            "event_p": ratio(n["event_tp"], n["event_tp"] + n["event_fp"]),
            "event_r": ratio(n["event_tp"], n["event_tp"] + n["event_fn"]),
            "acled": ratio(n["acled_ok"], n["acled_n"]),
            "whole": ratio(n["whole_ok"], n["records"]),
            "counts_recall": ratio(n["count_found"], n["count_gold"]),
            "counts_precision": ratio(n["count_right"], n["count_coded"]),
            "actor": ratio(n["actor_ok"], n["records"]),
            "recipient": ratio(n["recipient_ok"], n["records"]),
            "location": ratio(n["location_ok"], n["records"]),
        }

    def per_type(self) -> dict[str, tuple[float, float, float, int]]:
        out = {}
        for t in sorted(set(self.tp) | set(self.fn) | set(self.fp)):
            tp, fp, fn = self.tp[t], self.fp[t], self.fn[t]
            p = tp / (tp + fp) if tp + fp else 0.0
            r = tp / (tp + fn) if tp + fn else 0.0
            f = 2 * p * r / (p + r) if p + r else 0.0
            out[t] = (p, r, f, tp + fn)
        return out


def score(coder: EventCoder, test_rows: list[dict[str, Any]]) -> Tally:
    tally = Tally()
    for r in test_rows:
        tally.add(r, coder.code(r["text"], article_id=r["id"], published_at=None))
    return tally


TARGETS = {
    "top1": 0.85,
    "event_p": 0.85,
    "event_r": 0.75,
    "acled": 0.80,
    "whole": 0.60,
    "counts_recall": 0.90,
}
LABELS = {
    "top1": "top-1 type accuracy",
    "event_p": "is-event precision",
    "event_r": "is-event recall",
    "acled": "ACLED sub-event accuracy",
    "whole": "whole-record accuracy",
    "counts_recall": "counts exact (gold found)",
    "counts_precision": "counts exact (coded right)",
    "actor": "actor right",
    "recipient": "recipient right",
    "location": "location right",
}


def report(coder: EventCoder) -> list[str]:
    test = rows("test")
    tally = score(coder, test)
    s = tally.summary()
    lines = [
        f"labelled test split: {s['rows']} sentences (frozen; never tuned on)",
        "  | measure | value | target |",
        "  |---|---|---|",
    ]
    for key, label in LABELS.items():
        target = f">= {TARGETS[key]:.2f}" if key in TARGETS else ""
        lines.append(f"  | {label} | {s[key]:.3f} | {target} |")
    lines += ["  per type: | type | P | R | F1 | gold |", "  |---|---|---|---|---|"]
    for t, (p, r, f, n) in tally.per_type().items():
        lines.append(f"  | {t} | {p:.2f} | {r:.2f} | {f:.2f} | {n} |")
    return lines
