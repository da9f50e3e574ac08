"""5-fold cross-validation of the whole coder on the train split, with the count head retrained
per fold (the typer and the argument chooser stay the shipped ones, so their figures here are
optimistic; the before/after difference is the count head's).

  python scripts/cv_counts.py             # regexes alone vs the learned head, same folds
  python scripts/cv_counts.py --dump DIR  # also pickle each side's records for diagnosis
"""

from __future__ import annotations

import argparse
import pickle
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from train_counts import cv, examples, head, sentences
from train_events import folds, rows

from newsflow.events import count_head, counts
from newsflow.events.coder import EventCoder
from newsflow_tools.evaluate.labelled import Tally

KEYS = ("counts_recall", "counts_precision", "whole", "top1", "actor", "recipient", "location")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dump", type=Path)
    ap.add_argument("--sides", nargs="+", default=["regexes", "head"])
    args = ap.parse_args()
    train = rows("train")
    parsed = sentences(train)
    exs = examples(parsed)
    docs_of: dict[str, list] = {}
    for r, doc, _gold in parsed:
        docs_of.setdefault(r["id"], []).append(doc)
    threshold = cv(exs)  # chosen on the whole train split's folds, as make train does
    coder = EventCoder()
    sides = {"regexes": Tally(), "head": Tally()}
    records: dict[str, list] = {k: [] for k in sides}
    for a, b in folds(train):
        docs = {r["doc"] for r in a}
        fold_head = head([e for e in exs if e.doc_id in docs], threshold)
        for side, h in (("regexes", None), ("head", fold_head)):
            if side not in args.sides:
                continue
            count_head.use(h)
            for r in b:
                coded = coder.code(r["text"], article_id=r["id"], published_at=None)
                sides[side].add(r, coded)
                read = [c for d in docs_of[r["id"]] for c in counts.read(d.text, 0, d)]
                records[side].append(
                    (
                        r["id"],
                        [e.model_dump(mode="json") for e in coded],
                        [c.model_dump() for c in read],
                    )
                )
    print("| measure | " + " | ".join(sides) + " |")
    print("|---|" + "---|" * len(sides))
    summaries = {k: t.summary() for k, t in sides.items()}
    for key in KEYS:
        print(f"| {key} | " + " | ".join(f"{s[key]:.3f}" for s in summaries.values()) + " |")
    if args.dump:
        args.dump.mkdir(parents=True, exist_ok=True)
        for side, recs in records.items():
            (args.dump / f"{side}.pkl").write_bytes(pickle.dumps(recs))


if __name__ == "__main__":
    main()
