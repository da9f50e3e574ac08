"""Checks label files against their pool chunk, and builds data/events/labelled.jsonl from them.

  python scripts/events_labels.py check data/events/pool/cnc-00.jsonl data/events/labels/cnc-00.jsonl
  python scripts/events_labels.py build data/events/pool data/events/labels data/events/labelled.jsonl

A label line: {"id", "events": [...]} or {"id", "skip": "why"}; see docs/events/annotation.md.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

TYPES = {"AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST",
         "ACCUSE", "REJECT", "THREATEN", "SANCTION", "PROTEST", "MOBILIZE", "COERCE", "ASSAULT"}
MODES = {
    "AGREE": {"ceasefire"}, "CONSULT": {"visit", "third-party", "multilateral", "phone"},
    "RETREAT": {"withdraw", "release", "return", "disarm", "access", "resign"},
    "REQUEST": {"assist", "change", "yield", "meet"}, "REJECT": {"assist", "change", "yield", "meet"},
    "ACCUSE": {"disapprove", "investigate", "allege"},
    "THREATEN": {"restrict", "ban", "arrest", "relations", "rights", "expel", "territory", "violence"},
    "SANCTION": {"convict", "expel", "withdraw", "discontinue"},
    "PROTEST": {"demo", "riot", "strike", "hunger", "boycott", "obstruct"},
    "MOBILIZE": {"troops", "weapons", "police", "militia"},
    "COERCE": {"seize", "restrict", "ban", "censor", "curfew", "arrest", "deport", "withhold",
               "cyber", "destroy"},
    "ASSAULT": {"abduct", "beat", "torture", "execute", "sexual", "assassinate", "destroy",
                "primitive", "firearms", "explosives", "suicide-attack", "aerial", "drone",
                "heavy-weapons", "crowd-control", "massacre"},
}
ACLED = {
    "Armed clash", "Government regains territory", "Non-state actor overtakes territory",
    "Air/drone strike", "Shelling/artillery/missile attack", "Remote explosive/landmine/IED",
    "Grenade", "Suicide bomb", "Chemical weapon", "Attack", "Abduction/forced disappearance",
    "Sexual violence", "Looting/property destruction", "Disrupted weapons use",
    "Peaceful protest", "Protest with intervention", "Excessive force against protesters",
    "Violent demonstration", "Mob violence", "Arrests", "Agreement",
    "Headquarters or base established", "Non-violent transfer of territory",
}
KINDS = {"killed", "injured", "arrested", "abducted", "missing", "displaced", "intercepted",
         "launched", "other"}
QUALIFIERS = {"exact", "at_least", "at_most", "approx"}
MODALITY = {"asserted", "negated", "hypothetical", "future", "historical"}
SPANS = ("trigger", "actor", "recipient", "location")


def problems(row: dict, label: dict) -> list[str]:
    """What is wrong with one label line, as messages; empty when it is valid."""
    out: list[str] = []
    if "skip" in label:
        return [] if isinstance(label["skip"], str) and label["skip"] else ["empty skip reason"]
    events = label.get("events")
    if not isinstance(events, list):
        return ["no events list"]
    text = row["text"]
    for i, e in enumerate(events):
        where = f"event {i}"
        if e.get("type") not in TYPES:
            out.append(f"{where}: bad type {e.get('type')!r}")
            continue
        if e.get("mode") is not None and e["mode"] not in MODES.get(e["type"], set()):
            out.append(f"{where}: mode {e['mode']!r} not a mode of {e['type']}")
        if e.get("acled") is not None and e["acled"] not in ACLED:
            out.append(f"{where}: bad acled {e['acled']!r}")
        if e.get("modality") not in MODALITY:
            out.append(f"{where}: bad modality {e.get('modality')!r}")
        if e.get("acled") and e.get("modality") != "asserted":
            out.append(f"{where}: acled on a non-asserted event")
        for key in SPANS:
            v = e.get(key)
            if v is not None and (not isinstance(v, str) or v not in text):
                out.append(f"{where}: {key} {v!r} is not in the sentence")
        if not e.get("trigger"):
            out.append(f"{where}: no trigger")
        for key in ("actor_country", "recipient_country"):
            v = e.get(key)
            if v is not None and not (isinstance(v, str) and len(v) == 3 and v.isupper()):
                out.append(f"{where}: {key} {v!r} is not ISO alpha-3")
        for c in e.get("counts") or []:
            if not (isinstance(c, list) and len(c) == 4):
                out.append(f"{where}: count {c!r} is not [kind, value, qualifier, text]")
                continue
            kind, value, qual, span = c
            if kind not in KINDS or qual not in QUALIFIERS or not isinstance(value, int):
                out.append(f"{where}: bad count {c!r}")
            if not isinstance(span, str) or span not in text:
                out.append(f"{where}: count text {span!r} is not in the sentence")
    return out


def read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def check(pool_path: str, label_path: str) -> int:
    pool = {r["id"]: r for r in read(Path(pool_path))}
    labels = read(Path(label_path))
    bad = 0
    seen = set()
    for lab in labels:
        row = pool.get(lab.get("id"))
        if row is None:
            print(f"{lab.get('id')}: not in the pool chunk")
            bad += 1
            continue
        seen.add(lab["id"])
        for p in problems(row, lab):
            print(f"{lab['id']}: {p}")
            bad += 1
    missing = [i for i in pool if i not in seen]
    if missing:
        print(f"{len(missing)} pool rows have no label, e.g. {missing[:3]}")
    print(f"{len(labels)} labels, {bad} problems, {len(missing)} unlabelled")
    return 1 if bad or missing else 0


def _span(text: str, value: str | None) -> dict | None:
    if value is None:
        return None
    start = text.index(value)
    return {"text": value, "start": start, "end": start + len(value)}


def _event(text: str, e: dict) -> dict:
    return {
        "type": e["type"],
        "mode": e.get("mode"),
        "acled": e.get("acled"),
        "modality": e["modality"],
        "trigger": _span(text, e["trigger"]),
        "actor": _span(text, e.get("actor")),
        "actor_country": e.get("actor_country"),
        "recipient": _span(text, e.get("recipient")),
        "recipient_country": e.get("recipient_country"),
        "location": _span(text, e.get("location")),
        "counts": [
            {"kind": k, "value": v, "qualifier": q, **_span(text, t)}
            for k, v, q, t in e.get("counts") or []
        ],
    }


def is_test_doc(doc: str) -> bool:
    """Frozen test split: 2 in 9 documents by a hash of the document id (about 22 %).

    The rule needs no other row, so labels added later never move a row between train and
    test, and a document (article, CNC story, UCDP event) is never split across the two.
    """
    return int(hashlib.sha256(doc.encode()).hexdigest(), 16) % 9 < 2


def _hash(row_id: str) -> str:
    return hashlib.sha256(row_id.encode()).hexdigest()[:16]


def build(pool_dir: str, label_dir: str, out: str) -> None:
    """Merge pool rows with their labels into one file; split test rows by document."""
    rows = []
    for label_path in sorted(Path(label_dir).glob("*.jsonl")):
        pool = {r["id"]: r for r in read(Path(pool_dir) / label_path.name)}
        for lab in read(label_path):
            row = pool[lab["id"]]
            if "skip" in lab or problems(row, lab):
                continue
            events = [_event(row["text"], e) for e in lab["events"]]
            rows.append({**row, "is_event": bool(events), "events": events})
    for r in rows:
        r["split"] = "test" if is_test_doc(r["doc"]) else "train"
    test = {_hash(r["id"]) for r in rows if r["split"] == "test"}
    split_path = Path(out).with_name("test-split.txt")
    rows.sort(key=lambda r: r["id"])
    with open(out, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    split_path.write_text("".join(f"{h}\n" for h in sorted(test)))
    n_test = sum(r["split"] == "test" for r in rows)
    print(f"{len(rows)} rows, {n_test} test ({n_test / max(1, len(rows)):.1%})")


if __name__ == "__main__":
    if sys.argv[1] == "check":
        sys.exit(check(sys.argv[2], sys.argv[3]))
    if sys.argv[1] == "build":
        build(sys.argv[2], sys.argv[3], sys.argv[4])
        sys.exit(0)
    raise SystemExit(__doc__)
