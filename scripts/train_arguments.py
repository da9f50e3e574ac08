"""Trains the argument chooser (events/arguments.py) from the labelled spans (train split only).

  python scripts/train_arguments.py            # fit, choose margins by 5-fold CV, write the archive
  python scripts/train_arguments.py --cv       # print 5-fold CV accuracy of rules vs chooser

Each gold event with a trigger gives, per role, one choice among the candidate nouns of its
sentence and a "nobody" option: the candidate heading the gold span, or nobody when the role is
empty. A role head is a conditional logit (softmax over one choice's rows, L2-penalised),
fitted with L-BFGS; the trigger head is a binary logistic regression over each type's words.
Reproducible like train_events.py: rows in file order, folds by document hash, deterministic
L-BFGS from zeros, weights rounded to 6 decimals, fixed zip timestamps.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import optimize, sparse
from sklearn.linear_model import LogisticRegression

sys.path.insert(0, str(Path(__file__).parent))
from train_events import folds, rows, write

from newsflow.events import arguments, places, roles, triggers
from newsflow.events.nlp import load as load_nlp

MARGINS = (0.0, 0.25, 0.5, 0.75, 1.0)
C = 0.5  # trigger head
C_RANK = 1.0  # role heads; 0.2, 0.5 and 1.0 were compared by 5-fold CV (1.0 best)


@dataclass
class Example:
    doc_id: str
    etype: str
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
                    g["type"],
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


def _rows(e: Example | Group) -> list[dict[str, float]]:
    """An example's candidate rows and its "nobody" row; a trigger group has no nobody."""
    if isinstance(e, Example):
        return [*e.feats, arguments.nobody(e.etype, len(e.feats))]
    return e.feats


class Vocab:
    def __init__(self, exs: list, min_count: int = 2) -> None:
        from collections import Counter

        counts = Counter(f for e in exs for d in _rows(e) for f in d)
        self.names = sorted(f for f, n in counts.items() if n >= min_count)
        self.index = {f: i for i, f in enumerate(self.names)}

    def matrix(self, exs: list) -> sparse.csr_matrix:
        data, ri, ci, r = [], [], [], 0
        for e in exs:
            for d in _rows(e):
                for f, v in d.items():
                    if (i := self.index.get(f)) is not None:
                        ri.append(r)
                        ci.append(i)
                        data.append(v)
                r += 1
        return sparse.csr_matrix((data, (ri, ci)), shape=(r, len(self.names)))


@dataclass
class Ranker:
    """A role head: one weight per feature, the bias folded into the weights' scale."""

    coef: np.ndarray
    intercept: float = 0.0


def fit_rank(x: sparse.csr_matrix, starts: np.ndarray, gold: np.ndarray) -> Ranker:
    """Conditional logit: maximise the log-probability of each choice's gold row within its
    rows (starts[i]..starts[i+1]); a constant per choice cancels, so there is no bias."""
    sizes = np.diff(np.append(starts, x.shape[0]))

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        z = x @ w
        z = z - np.repeat(np.maximum.reduceat(z, starts), sizes)
        ez = np.exp(z)
        p = ez / np.repeat(np.add.reduceat(ez, starts), sizes)
        y = np.zeros_like(z)
        y[gold] = 1.0
        value = -np.log(p[gold] + 1e-12).sum() + 0.5 / C_RANK * (w @ w)
        return float(value), x.T @ (p - y) + w / C_RANK

    res = optimize.minimize(
        loss, np.zeros(x.shape[1]), jac=True, method="L-BFGS-B", options={"maxiter": 3000}
    )
    return Ranker(res.x)


def _gold_rows(exs: list[Example], role: str) -> tuple[np.ndarray, np.ndarray]:
    starts, gold, row = [], [], 0
    for e in exs:
        starts.append(row)
        labels = e.labels[role]
        gold.append(row + (labels.index(1) if 1 in labels else len(labels)))
        row += len(labels) + 1
    return np.array(starts), np.array(gold)


def fit(exs: list[Example], grps: list[Group]) -> tuple[Vocab, dict]:
    vocab = Vocab([*exs, *grps])
    x = vocab.matrix(exs)
    models: dict = {}
    for role in arguments.ROLES:
        models[role] = fit_rank(x, *_gold_rows(exs, role))
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
    """Per role and example: how far the best candidate outscores "nobody", and its index
    (actor chosen first)."""
    x = vocab.matrix(exs)
    scores = {role: x @ models[role].coef for role in arguments.ROLES}
    out: dict[str, list] = {role: [] for role in arguments.ROLES}
    row = 0
    for e in exs:
        n = len(e.feats)
        taken = None
        for role in arguments.ROLES:
            z = scores[role][row : row + n + 1]
            order = [i for i in np.argsort(-z[:n], kind="stable") if i != taken]
            best = order[0] if order else None
            out[role].append((float(z[best] - z[n]) if best is not None else -np.inf, best))
            if role == "actor":  # one word is never both parties; a place hit may be the recipient
                taken = best
        row += n + 1
    return out


def cv(exs: list[Example], grps: list[Group]) -> dict[str, dict[float, float]]:
    """Role accuracy per margin, pooled over 5 folds by document."""
    by_doc = [{"doc": e.doc_id, "ex": e} for e in exs]
    acc: dict[str, dict[float, list[bool]]] = {r: {t: [] for t in MARGINS} for r in arguments.ROLES}
    rules: dict[str, list[bool]] = {r: [] for r in arguments.ROLES}
    trig: list[bool] = []
    for a, b in folds(by_doc):
        tr, te = [x["ex"] for x in a], [x["ex"] for x in b]
        docs = {x["doc"] for x in a}
        vocab, models = fit(tr, [g for g in grps if g.doc_id in docs])
        trig += trigger_right(vocab, models["trigger"], [g for g in grps if g.doc_id not in docs])
        got = picks(vocab, models, te)
        for role in arguments.ROLES:
            for e, (gap, i) in zip(te, got[role], strict=True):
                for t in MARGINS:
                    acc[role][t].append(_right(e, role, i if gap + t >= 0 else None))
                rule = next((k for k, d in enumerate(e.feats) if d.get(f"rule:{role}")), None)
                rules[role].append(_right(e, role, rule))
    print(f"trigger: chosen word inside a gold trigger {np.mean(trig):.3f} of {len(trig)}")
    for role in arguments.ROLES:
        print(
            f"{role}: rules alone {np.mean(rules[role]):.3f}; chooser by margin: "
            + ", ".join(f"{t}:{np.mean(v):.3f}" for t, v in acc[role].items())
        )
    return {role: {t: float(np.mean(v)) for t, v in acc[role].items()} for role in arguments.ROLES}


def archive(vocab: Vocab, models, margins: dict[str, float]) -> dict:
    arrays = {"vocab": np.array(vocab.names)}
    for role, m in models.items():
        if isinstance(m, Ranker):
            arrays[f"{role}.weights"] = np.round(m.coef, 6)
            arrays[f"{role}.bias"] = np.zeros(1)
        else:
            arrays[f"{role}.weights"] = np.round(m.coef_[0], 6)
            arrays[f"{role}.bias"] = np.round(m.intercept_, 6)
    meta = {"format": arguments.FORMAT, "margins": margins, "C": C, "C_rank": C_RANK}
    return {"arrays": arrays, "meta": meta}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cv", action="store_true", help="print CV figures only")
    ap.add_argument("--out", type=Path, default=arguments.MODEL)
    args = ap.parse_args()
    exs, grps = examples(rows("train"))
    print(f"{len(exs)} gold events with a trigger, {sum(len(e.feats) for e in exs)} candidates")
    scores = cv(exs, grps)
    margins = {role: float(max(s, key=lambda t: (s[t], -t))) for role, s in scores.items()}
    print("margins", margins)  # the trigger head has none: the typer already chose the type
    if args.cv:
        return
    vocab, models = fit(exs, grps)
    write(archive(vocab, models, margins), args.out)
    print(f"wrote {args.out} ({args.out.stat().st_size // 1024} KiB)")


if __name__ == "__main__":
    main()
