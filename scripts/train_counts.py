"""Trains the count head (events/count_head.py) from the labelled counts (train split only).

  python scripts/train_counts.py          # mention-level 5-fold CV, then fit and write the archive
  python scripts/train_counts.py --cv     # CV figures only

Every count mention of a train sentence (count_mentions.py) is one example; its label is the
kind of the gold count whose span it overlaps, else "none". Reproducible like
train_arguments.py: rows in file order, folds by document hash, lbfgs, weights rounded to 6
decimals, fixed zip timestamps.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression

sys.path.insert(0, str(Path(__file__).parent))
from train_events import folds, rows, write

from newsflow.events import count_head, count_mentions, counts
from newsflow.events.nlp import load as load_nlp
from newsflow.events.sentences import split

C = 0.3
THRESHOLDS = (0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5)


@dataclass
class Example:
    doc_id: str
    feats: dict[str, float]
    label: str
    value_right: bool  # the mention's value is the gold count's


def _label(m: count_mentions.Mention, gold: list[dict]) -> tuple[str, bool]:
    hit = [g for g in gold if g["start"] < m.end and m.start < g["end"]]
    if not hit:
        return "none", False
    best = next((g for g in hit if g["value"] == m.value), hit[0])
    return best["kind"], best["value"] == m.value


def sentences(train_rows: list[dict]) -> list[tuple[dict, object, list[dict]]]:
    """(row, parsed sentence, gold counts in sentence offsets), parsed as the coder parses."""
    nlp = load_nlp()
    parts = []
    for r in train_rows:
        gold = [{**c, "kind": c["kind"]} for e in r["events"] for c in e["counts"]]
        for s in split(r["text"]):
            inside = [
                {**g, "start": g["start"] - s.start, "end": g["end"] - s.start}
                for g in dict((g["start"], g) for g in gold).values()
                if s.start <= g["start"] < s.end
            ]
            parts.append((r, s, inside))
    docs = nlp.pipe([s.text for _, s, _ in parts], batch_size=64)
    return [(r, doc, gold) for (r, _s, gold), doc in zip(parts, docs, strict=True)]


def examples(parsed: list[tuple[dict, object, list[dict]]]) -> list[Example]:
    out = []
    covered = Counter()
    for r, doc, gold in parsed:
        mentions = [
            m
            for m in count_mentions.find(doc)
            if not any(
                count_head._overlaps(m, c, 0)
                for c in counts.find(doc.text, 0)
                if c.kind in count_head.WEAPON_KINDS
            )
        ]
        regex = counts.find(doc.text, 0)
        for g in gold:
            hit = [m for m in mentions if g["start"] < m.end and m.start < g["end"]]
            covered["gold"] += 1
            covered["mention"] += bool(hit)
            covered["value"] += any(m.value == g["value"] for m in hit)
        for m, f in zip(mentions, count_head.describe(mentions, regex, 0), strict=True):
            label, right = _label(m, gold)
            if label not in count_head.KINDS:
                label = "none"  # intercepted/launched stay with the regexes
            out.append(Example(r["doc"], f, label, right))
    print(
        f"gold counts {covered['gold']}: a mention overlaps {covered['mention']}, "
        f"with the gold value {covered['value']}"
    )
    return out


class Vocab:
    def __init__(self, exs: list[Example], min_count: int = 2) -> None:
        seen = Counter(f for e in exs for f in e.feats)
        self.names = sorted(f for f, n in seen.items() if n >= min_count)
        self.index = {f: i for i, f in enumerate(self.names)}

    def matrix(self, exs: list[Example]) -> sparse.csr_matrix:
        data, ri, ci = [], [], []
        for r, e in enumerate(exs):
            for f, v in e.feats.items():
                if (i := self.index.get(f)) is not None:
                    ri.append(r)
                    ci.append(i)
                    data.append(v)
        return sparse.csr_matrix((data, (ri, ci)), shape=(len(exs), len(self.names)))


def fit(exs: list[Example]) -> tuple[Vocab, LogisticRegression]:
    vocab = Vocab(exs)
    m = LogisticRegression(C=C, max_iter=5000, solver="lbfgs")
    m.fit(vocab.matrix(exs), np.array([count_head.KINDS.index(e.label) for e in exs]))
    return vocab, m


def archive(vocab: Vocab, model: LogisticRegression, threshold: float = 0.5) -> dict:
    # Every kind gets a column, even one the fold never saw: its weights stay very negative.
    weights = np.zeros((len(vocab.names), len(count_head.KINDS)))
    bias = np.full(len(count_head.KINDS), -30.0)
    for j, cls in enumerate(model.classes_):
        weights[:, cls] = model.coef_[j]
        bias[cls] = model.intercept_[j]
    arrays = {
        "vocab": np.array(vocab.names),
        "kinds": np.array(count_head.KINDS),
        "weights": np.round(weights, 6),
        "bias": np.round(bias, 6),
    }
    meta = {"format": count_head.FORMAT, "C": C, "threshold": threshold}
    return {"arrays": arrays, "meta": meta}


def head(exs: list[Example], threshold: float) -> count_head.Head:
    model = archive(*fit(exs), threshold)
    return count_head.Head(model["arrays"], model["meta"])


def _decide(p: np.ndarray, threshold: float) -> str:
    best = 1 + int(np.argmax(p[1:]))
    return count_head.KINDS[best] if p[best] >= threshold else "none"


def cv(exs: list[Example]) -> float:
    """Mention-level kind F1 (a mention counted right when its kind is the gold one) of the head
    by threshold, pooled over 5 folds; returns the best threshold."""
    by_doc = [{"doc": e.doc_id, "ex": e} for e in exs]
    pooled: list[tuple[Example, np.ndarray]] = []
    for a, b in folds(by_doc):
        h = head([x["ex"] for x in a], 0.5)
        te = [x["ex"] for x in b]
        pooled += list(zip(te, h.probs([e.feats for e in te]), strict=True))
    rx = Counter()
    for e, _ in pooled:
        got = next((f[3:] for f in e.feats if f.startswith("rx:") and "|" not in f), "none")
        rx["tp"] += got != "none" and got == e.label
        rx["fp"] += got != "none" and got != e.label
        rx["fn"] += e.label != "none" and got != e.label
    print(f"regex readings: kind F1 {2 * rx['tp'] / (2 * rx['tp'] + rx['fp'] + rx['fn']):.3f}")
    best, best_f = 0.5, -1.0
    for t in THRESHOLDS:
        tp = fp = fn = 0
        for e, p in pooled:
            got = _decide(p, t)
            tp += got != "none" and got == e.label
            fp += got != "none" and got != e.label
            fn += e.label != "none" and got != e.label
        f = 2 * tp / (2 * tp + fp + fn)
        print(f"head, threshold {t}: P {tp / (tp + fp):.3f} R {tp / (tp + fn):.3f} F1 {f:.3f}")
        if f > best_f:
            best, best_f = t, f
    return best


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cv", action="store_true", help="print CV figures only")
    ap.add_argument("--out", type=Path, default=count_head.MODEL)
    args = ap.parse_args()
    exs = examples(sentences(rows("train")))
    labels = Counter(e.label for e in exs)
    print(f"{len(exs)} mentions; labels {dict(sorted(labels.items()))}")
    print(
        f"value right where labelled: {np.mean([e.value_right for e in exs if e.label != 'none']):.3f}"
    )
    threshold = cv(exs)
    print(f"threshold {threshold}")
    if args.cv:
        return
    write(archive(*fit(exs), threshold), args.out)
    print(f"wrote {args.out} ({args.out.stat().st_size // 1024} KiB)")


if __name__ == "__main__":
    main()
