"""Trains the argument chooser (events/arguments.py) from the labelled spans (train split only).

  python scripts/train_arguments.py            # fit, choose thresholds by 5-fold CV, write the archive
  python scripts/train_arguments.py --cv       # print 5-fold CV accuracy of rules vs chooser

Each gold event with a trigger gives one example per candidate noun of its sentence; a candidate
is positive when it heads the gold span. Reproducible like train_events.py: rows in file order,
folds by document hash, lbfgs, weights rounded to 6 decimals, fixed zip timestamps.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression

sys.path.insert(0, str(Path(__file__).parent))
from train_events import folds, rows, write

from newsflow.events import arguments, places, roles, triggers
from newsflow.events.nlp import load as load_nlp

THRESHOLDS = np.round(np.arange(0.1, 0.75, 0.05), 2)
C = 0.5


@dataclass
class Example:
    doc_id: str
    feats: list[dict[str, float]]
    cands: list[tuple[int, int]]  # candidate phrase char ranges (within the sentence)
    heads: list[int]  # candidate token offsets
    gold: dict[str, tuple[int, int] | None]  # gold span per role
    labels: dict[str, list[int]]


def _span_root(doc, span: dict | None):
    if span is None:
        return None
    s = doc.char_span(span["start"], span["end"], alignment_mode="expand")
    return s.root if s is not None else None


@dataclass
class Group:
    """One gold type in one sentence: every word that could be its trigger."""

    doc_id: str
    feats: list[dict[str, float]]
    spans: list[tuple[int, int]]
    gold: list[tuple[int, int]]
    labels: list[int]


def groups(r: dict, doc) -> list[Group]:
    cands = arguments.trigger_candidates(doc)
    senses = arguments.senses_of(doc)
    out = []
    for etype in sorted({g["type"] for g in r["events"]}):
        spans = [
            (g["trigger"]["start"], g["trigger"]["end"])
            for g in r["events"]
            if g["type"] == etype and g.get("trigger")
        ]
        roots = {
            x.i
            for g in r["events"]
            if g["type"] == etype
            for x in [_span_root(doc, g.get("trigger"))]
            if x is not None
        }
        if not spans:
            continue
        out.append(
            Group(
                r["doc"],
                [arguments.trigger_features(t, etype, senses) for t in cands],
                [(t.idx, t.idx + len(t)) for t in cands],
                spans,
                [int(t.i in roots) for t in cands],
            )
        )
    return out


def examples(train_rows: list[dict]) -> tuple[list[Example], list[Group]]:
    nlp = load_nlp()
    out = []
    trig_groups: list[Group] = []
    for r, doc in zip(
        train_rows, nlp.pipe([r["text"] for r in train_rows], batch_size=64), strict=True
    ):
        trig_groups += groups(r, doc)
        senses = {m.token.i: m.sense for m in triggers.find(doc)}
        for g in r["events"]:
            trig = _span_root(doc, g.get("trigger"))
            if trig is None:
                continue
            sense = senses.get(trig.i)
            found = roles.find(
                trig, sense.role if sense else None, sense.patient_poss if sense else False
            )
            ranked = places.ranked(doc, g["type"], [], trig)
            cands, _, feats = arguments.featurize(
                trig, g["type"], found.actors, found.recipients, ranked
            )
            gold = {
                role: (g[role]["start"], g[role]["end"]) if g[role] else None
                for role in arguments.ROLES
            }
            roots = {role: _span_root(doc, g[role]) for role in arguments.ROLES}
            out.append(
                Example(
                    r["doc"],
                    feats,
                    [_phrase_range(t) for t in cands],
                    [t.i for t in cands],
                    gold,
                    {
                        role: [int(roots[role] is not None and t.i == roots[role].i) for t in cands]
                        for role in arguments.ROLES
                    },
                )
            )
    return out, trig_groups


def _phrase_range(tok) -> tuple[int, int]:
    from newsflow.events.actors import phrase

    toks = phrase(tok)
    return toks[0].idx - tok.sent.start_char, toks[-1].idx + len(toks[-1]) - tok.sent.start_char


class Vocab:
    def __init__(self, exs: list, min_count: int = 2) -> None:
        from collections import Counter

        counts = Counter(f for e in exs for d in e.feats for f in d)
        self.names = sorted(f for f, n in counts.items() if n >= min_count)
        self.index = {f: i for i, f in enumerate(self.names)}

    def matrix(self, exs: list) -> sparse.csr_matrix:
        data, ri, ci, r = [], [], [], 0
        for e in exs:
            for d in e.feats:
                for f, v in d.items():
                    if (i := self.index.get(f)) is not None:
                        ri.append(r)
                        ci.append(i)
                        data.append(v)
                r += 1
        return sparse.csr_matrix((data, (ri, ci)), shape=(r, len(self.names)))


def fit(exs: list[Example], grps: list[Group]) -> tuple[Vocab, dict[str, LogisticRegression]]:
    vocab = Vocab([*exs, *grps])
    x = vocab.matrix(exs)
    models = {}
    for role in arguments.ROLES:
        y = np.array([v for e in exs for v in e.labels[role]])
        m = LogisticRegression(C=C, max_iter=3000, solver="lbfgs")
        m.fit(x, y)
        models[role] = m
    m = LogisticRegression(C=C, max_iter=3000, solver="lbfgs")
    m.fit(vocab.matrix(grps), np.array([v for g in grps for v in g.labels]))
    models["trigger"] = m
    return vocab, models


def trigger_right(vocab: Vocab, model: LogisticRegression, grps: list[Group]) -> list[bool]:
    """Per group: the top-scored word lies in a gold trigger of that type."""
    p = model.predict_proba(vocab.matrix(grps))[:, 1] if grps else []
    out, row = [], 0
    for g in grps:
        n = len(g.feats)
        if n == 0:
            out.append(False)
            continue
        a, b = g.spans[int(np.argmax(p[row : row + n]))]
        out.append(any(s <= a and b <= e for s, e in g.gold))
        row += n
    return out


def _right(e: Example, role: str, pick: int | None) -> bool:
    """The scorer's rule, on spans: both empty, or the chosen phrase and the gold span nest."""
    gold = e.gold[role]
    if pick is None or gold is None:
        return pick is None and gold is None
    a, b = e.cands[pick]
    return (a <= gold[0] and gold[1] <= b) or (gold[0] <= a and b <= gold[1])


def picks(vocab: Vocab, models, exs: list[Example]) -> dict[str, list[tuple[float, int | None]]]:
    """Per role and example: the best candidate's probability and index (actor chosen first)."""
    x = vocab.matrix(exs)
    probs = {role: models[role].predict_proba(x)[:, 1] for role in arguments.ROLES}
    out: dict[str, list] = {role: [] for role in arguments.ROLES}
    row = 0
    for e in exs:
        n = len(e.feats)
        taken = None
        for role in arguments.ROLES:
            p = probs[role][row : row + n]
            order = [i for i in np.argsort(-p, kind="stable") if i != taken]
            best = order[0] if order else None
            out[role].append((float(p[best]) if best is not None else 0.0, best))
            if role == "actor":  # one word is never both parties; a place hit may be the recipient
                taken = best
        row += n
    return out


def cv(exs: list[Example], grps: list[Group]) -> dict[str, dict[float, float]]:
    """Role accuracy per threshold, pooled over 5 folds by document."""
    by_doc = [{"doc": e.doc_id, "ex": e} for e in exs]
    acc: dict[str, dict[float, list[bool]]] = {
        r: {t: [] for t in THRESHOLDS} for r in arguments.ROLES
    }
    rules: dict[str, list[bool]] = {r: [] for r in arguments.ROLES}
    trig: list[bool] = []
    for a, b in folds(by_doc):
        tr, te = [x["ex"] for x in a], [x["ex"] for x in b]
        docs = {x["doc"] for x in a}
        vocab, models = fit(tr, [g for g in grps if g.doc_id in docs])
        trig += trigger_right(vocab, models["trigger"], [g for g in grps if g.doc_id not in docs])
        got = picks(vocab, models, te)
        for role in arguments.ROLES:
            for e, (p, i) in zip(te, got[role], strict=True):
                for t in THRESHOLDS:
                    acc[role][t].append(_right(e, role, i if p >= t else None))
                rule = next((k for k, d in enumerate(e.feats) if d.get(f"rule:{role}")), None)
                rules[role].append(_right(e, role, rule))
    print(f"trigger: chosen word inside a gold trigger {np.mean(trig):.3f} of {len(trig)}")
    for role in arguments.ROLES:
        print(
            f"{role}: rules alone {np.mean(rules[role]):.3f}; chooser by threshold: "
            + ", ".join(f"{t}:{np.mean(v):.3f}" for t, v in acc[role].items())
        )
    return {role: {t: float(np.mean(v)) for t, v in acc[role].items()} for role in arguments.ROLES}


def archive(vocab: Vocab, models, thresholds: dict[str, float]) -> dict:
    arrays = {"vocab": np.array(vocab.names)}
    for role, m in models.items():
        arrays[f"{role}.weights"] = np.round(m.coef_[0], 6)
        arrays[f"{role}.bias"] = np.round(m.intercept_, 6)
    meta = {"format": arguments.FORMAT, "thresholds": thresholds, "C": C}
    return {"arrays": arrays, "meta": meta}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cv", action="store_true", help="print CV figures only")
    ap.add_argument("--out", type=Path, default=arguments.MODEL)
    args = ap.parse_args()
    exs, grps = examples(rows("train"))
    print(f"{len(exs)} gold events with a trigger, {sum(len(e.feats) for e in exs)} candidates")
    scores = cv(exs, grps)
    thresholds = {role: float(max(s, key=lambda t: (s[t], -t))) for role, s in scores.items()}
    thresholds["trigger"] = 0.0  # the typer already decided there is an event: take the best word
    print("thresholds", thresholds)
    if args.cv:
        return
    vocab, models = fit(exs, grps)
    write(archive(vocab, models, thresholds), args.out)
    print(f"wrote {args.out} ({args.out.stat().st_size // 1024} KiB)")


if __name__ == "__main__":
    main()
