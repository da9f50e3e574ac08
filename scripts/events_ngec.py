"""Extra training rows from the NGEC synthetic stories (MIT): their headlines, typed by template.

Never test rows. At most three headlines per template, so no template outweighs real labels;
the trainer also down-weights them. Writes data/events/ngec-headlines.jsonl.

Usage: python scripts/events_ngec.py ../shared/corpora/ngec/gpt_synthetic_events_2023-10-19_19.csv.zip
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sys
import zipfile
from collections import defaultdict

from events_labels import MODES

PER_TEMPLATE = 3


def main(path: str, out: str = "data/events/ngec-headlines.jsonl") -> None:
    csv.field_size_limit(10**8)
    with zipfile.ZipFile(path) as z:
        name = next(n for n in z.namelist() if n.endswith(".csv"))
        rows = list(csv.DictReader(io.TextIOWrapper(z.open(name), encoding="utf-8")))
    taken: dict[str, list[str]] = defaultdict(list)
    for r in rows:
        headline = r["prompt"].split("\n")[0].strip()
        kept = taken[r["title"]]
        if headline in kept or len(kept) >= PER_TEMPLATE:
            continue
        kept.append(headline)
    with open(out, "w", encoding="utf-8") as f:
        for r in rows:
            headline = r["prompt"].split("\n")[0].strip()
            if headline not in taken[r["title"]]:
                continue
            taken[r["title"]].remove(headline)
            mode = (r["mode"] or "").lower().replace("_", "-")
            mode = mode if mode in MODES.get(r["label"], set()) else None
            f.write(json.dumps({
                "id": "ngec-" + hashlib.sha256(headline.encode()).hexdigest()[:12],
                "source": "ngec", "licence": "MIT", "text": headline, "is_event": True,
                "events": [{"type": r["label"], "mode": mode}],
            }, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main(*sys.argv[1:])
