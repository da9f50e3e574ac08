"""Trains the event typer from data/events/labelled.jsonl (train split only) and writes its archive.

  python scripts/train_events.py                 # train the chosen design, write the archive
  python scripts/train_events.py --compare       # designs side by side: 5-fold CV on train, then test

Reproducible: rows in file order, fixed folds by document hash, a deterministic solver (lbfgs),
weights rounded to 6 decimals. The test split is read only by --compare, to report.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import sys
import time
import zipfile
from collections import Counter
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression

from newsflow.events import features, typer
from newsflow.events.nlp import load as load_fast

DATA = Path("data/events/labelled.jsonl")
NGEC = Path("data/events/ngec-headlines.jsonl")
ACLED_TYPES = {"ASSAULT", "PROTEST", "COERCE", "AGREE", "MOBILIZE", "RETREAT"}
# design -> (reads the parse, adds the NGEC synthetic headlines)
DESIGNS = {
    "words": (False, False),
    "words+parse": (True, False),
    "words+parse+synthetic": (True, True),
}
CHOSEN = "words+parse"
NGEC_WEIGHT = 0.3
# Chosen by 5-fold CV of the whole coder on the train split (docs/events/typer.md).
EVENT_THRESHOLD = 0.45
# The words-only screen (chosen by 5-fold CV on train for recall, and by the share of aeb-dev
# sentences it sends to the parser for cost): parse a sentence the lexicon flags when the screen
# gives it >= SCREEN_LOW, and any sentence it gives >= SCREEN_HIGH.
SCREEN_LOW, SCREEN_HIGH = 0.2, 0.8
# Which heads weigh classes by inverse frequency (rare types would otherwise never win top-1).
BALANCED = {"type": True, "acled": True}
C = {"event": 1.0, "type": 1.0, "mode": 1.0, "acled": 1.0}


def rows(split: str) -> list[dict]:
    out = [json.loads(x) for x in DATA.read_text(encoding="utf-8").splitlines()]
    return [r for r in out if r["split"] == split]


def synthetic() -> list[dict]:
    """NGEC synthetic headlines: extra, down-weighted type rows; never test rows."""
    if not NGEC.exists():
        return []
    return [json.loads(x) for x in NGEC.read_text(encoding="utf-8").splitlines()]


class Featurizer:
    def __init__(self, uses_parse: bool) -> None:
        self.uses_parse = uses_parse
        self.nlp = load_fast() if uses_parse else None
        self._cache: dict[str, tuple[dict[str, float], np.ndarray | None]] = {}

    def __call__(self, texts: list[str]) -> list[tuple[dict[str, float], np.ndarray | None]]:
        todo = [t for t in dict.fromkeys(texts) if t not in self._cache]
        docs = self.nlp.pipe(todo, batch_size=64) if self.nlp else [None] * len(todo)
        for t, doc in zip(todo, docs, strict=True):
            f = features.words(t)
            vec = None
            if doc is not None:
                extra, vec = features.parse(doc)
                f.update(extra)
            self._cache[t] = (f, vec)
        return [self._cache[t] for t in texts]


class Matrix:
    """Feature dicts to a sparse matrix over a vocabulary fixed by the training rows."""

    def __init__(self, feats: list[dict[str, float]], min_count: int = 2) -> None:
        counts = Counter(f for d in feats for f in d)
        names = sorted(f for f, n in counts.items() if n >= min_count or f.startswith("type:"))
        names += [f"type:{t}" for t in sorted(typer_types()) if f"type:{t}" not in counts]
        self.vocab = {f: i for i, f in enumerate(sorted(set(names)))}

    def __call__(self, feats: list[dict[str, float]], dense: list[np.ndarray | None]) -> sparse.csr_matrix:
        data, ri, ci = [], [], []
        for r, d in enumerate(feats):
            for f, v in d.items():
                if (i := self.vocab.get(f)) is not None:
                    ri.append(r)
                    ci.append(i)
                    data.append(v)
        x = sparse.csr_matrix((data, (ri, ci)), shape=(len(feats), len(self.vocab)))
        if dense and dense[0] is not None:
            x = sparse.hstack([x, sparse.csr_matrix(np.vstack(dense))]).tocsr()
        return x


def typer_types() -> list[str]:
    return [t.value for t in typer.EventType]


def _fit(x, y, weight, c: float, balanced: bool = False) -> LogisticRegression:
    model = LogisticRegression(
        C=c, max_iter=2000, solver="lbfgs", class_weight="balanced" if balanced else None
    )
    model.fit(x, y, sample_weight=weight)
    return model


def train(
    train_rows: list[dict], uses_parse: bool, use_synthetic: bool, feat: Featurizer | None = None
) -> dict:
    """Fit every head; returns the archive's arrays and meta."""
    feat = feat or Featurizer(uses_parse)
    extra = synthetic() if use_synthetic else []
    texts = [r["text"] for r in train_rows] + [r["text"] for r in extra]
    fv = feat(texts)
    dicts = [f for f, _ in fv]
    dense = [v for _, v in fv]
    mat = Matrix(dicts)
    x = mat(dicts, dense)
    n = len(train_rows)
    weight = np.array([1.0] * n + [NGEC_WEIGHT] * len(extra))
    arrays: dict[str, np.ndarray] = {}
    heads: dict[str, dict] = {}

    def store(name: str, model: LogisticRegression, classes: list[str], multilabel: bool) -> None:
        arrays[f"{name}.classes"] = np.array(classes)
        arrays[f"{name}.weights"] = np.round(model.coef_.T, 6).astype(np.float32)
        arrays[f"{name}.bias"] = np.round(model.intercept_, 6).astype(np.float32)
        heads[name] = {"multilabel": multilabel}

    # is-event: labelled rows only (synthetic rows are all events by construction)
    y_event = np.array([int(r["is_event"]) for r in train_rows])
    store("event", _fit(x[:n], y_event, None, C["event"]), ["no", "yes"], True)

    # screen: is-event from the words alone, run before the parse to pick sentences worth parsing
    # (none for a design without word features, e.g. scripts/compare_embedding.py's embedding alone)
    vocab_names = sorted(mat.vocab, key=mat.vocab.get)
    word_cols = np.array([i for i, f in enumerate(vocab_names) if f[:2] in ("w:", "b:")], dtype=int)
    if len(word_cols):
        m = _fit(x[:n][:, word_cols], y_event, None, C["event"])
        full = np.zeros((x.shape[1], 1), dtype=np.float32)
        full[word_cols, 0] = m.coef_[0]
        arrays["screen.classes"] = np.array(["no", "yes"])
        arrays["screen.weights"] = np.round(full, 6).astype(np.float32)
        arrays["screen.bias"] = np.round(m.intercept_, 6).astype(np.float32)
        heads["screen"] = {"multilabel": True}

    # types: one-vs-rest over event rows, synthetic rows down-weighted
    types = typer_types()
    ev_idx = [i for i, r in enumerate(train_rows) if r["is_event"]] + list(range(n, n + len(extra)))
    all_rows = train_rows + extra
    coefs, biases = [], []
    for t in types:
        y = np.array([int(any(e["type"] == t for e in all_rows[i]["events"])) for i in ev_idx])
        if y.sum() == 0:
            coefs.append(np.zeros(x.shape[1]))
            biases.append(-10.0)
            continue
        m = _fit(x[ev_idx], y, weight[ev_idx], C["type"], BALANCED["type"])
        coefs.append(m.coef_[0])
        biases.append(m.intercept_[0])
    arrays["type.classes"] = np.array(types)
    arrays["type.weights"] = np.round(np.array(coefs).T, 6).astype(np.float32)
    arrays["type.bias"] = np.round(np.array(biases), 6).astype(np.float32)
    heads["type"] = {"multilabel": True}

    # modes: per type, over the labelled events of that type ("none" when not said)
    for t in types:
        idx, y = [], []
        for i, r in enumerate(all_rows):
            for e in r["events"]:
                if e["type"] == t:
                    idx.append(i)
                    y.append(e.get("mode") or "none")
        if len(set(y)) < 2:
            continue
        m = _fit(x[idx], np.array(y), weight[idx], C["mode"])
        store(f"mode:{t}", m, [str(c) for c in m.classes_], False)

    # ACLED: asserted labelled events of the crosswalk types; the type is an input column
    rows_x, y = [], []
    col = {t: mat.vocab[f"type:{t}"] for t in types}
    for i, r in enumerate(train_rows):
        for e in r["events"]:
            if e["type"] in ACLED_TYPES and e["modality"] == "asserted":
                row = x[i].tolil(copy=True)
                row[0, col[e["type"]]] = 1.0
                rows_x.append(row.tocsr())
                y.append(e.get("acled") or "none")
    m = _fit(sparse.vstack(rows_x), np.array(y), None, C["acled"], BALANCED["acled"])
    store("acled", m, [str(c) for c in m.classes_], False)

    vocab = sorted(mat.vocab, key=mat.vocab.get)
    arrays["vocab"] = np.array(vocab)
    dim = 0 if dense[0] is None else len(dense[0])
    meta = {
        "format": typer.FORMAT,
        "design": ("words+parse" if uses_parse else "words") + ("+synthetic" if extra else ""),
        "uses_parse": uses_parse,
        "dense": dim,
        "heads": heads,
        "event_threshold": EVENT_THRESHOLD,
        "type_threshold": 0.5,
        "screen_low": SCREEN_LOW,
        "screen_high": SCREEN_HIGH,
        "train_rows": n,
        "synthetic_rows": len(extra),
        "data_sha256": hashlib.sha256(DATA.read_bytes()).hexdigest(),
    }
    return {"arrays": arrays, "meta": meta}


def to_typer(model: dict) -> typer.Typer:
    path = Path("var/typer-tmp.npz")
    write(model, path)
    return typer.load(path)


def write(model: dict, path: Path) -> None:
    """An .npz numpy can read, written with fixed zip timestamps so a rebuild is byte-identical."""
    path.parent.mkdir(parents=True, exist_ok=True)
    arrays = {"meta": np.array(json.dumps(model["meta"], sort_keys=True)), **model["arrays"]}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(arrays):
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            buf = io.BytesIO()
            np.lib.format.write_array(buf, np.asarray(arrays[name]), allow_pickle=False)
            zf.writestr(info, buf.getvalue())


def score(t: typer.Typer, test_rows: list[dict], feat: Featurizer | None) -> dict:
    """Sentence-level scores of the typer alone (the coder's records are scored by make eval)."""
    docs = [None] * len(test_rows)
    if t.uses_parse:
        docs = list(feat.nlp.pipe([r["text"] for r in test_rows], batch_size=64))
    tp = fp = fn = 0
    top1 = n_ev = 0
    acled_ok = acled_n = 0
    start = time.perf_counter()
    for r, doc in zip(test_rows, docs, strict=True):
        p = t.predict(r["text"], doc)
        gold = {e["type"] for e in r["events"]}
        pred = p.chosen()
        tp += bool(gold) and bool(pred)
        fp += not gold and bool(pred)
        fn += bool(gold) and not pred
        if gold:
            n_ev += 1
            top1 += bool(pred) and pred[0] in gold
        for e in r["events"]:
            if e["type"] in ACLED_TYPES and e["modality"] == "asserted" and e["type"] in p.types:
                acled_n += 1
                acled_ok += p.acled.get(e["type"]) == e.get("acled")
    ms = (time.perf_counter() - start) * 1000 / max(1, len(test_rows))
    prec = tp / max(1, tp + fp)
    rec = tp / max(1, tp + fn)
    return {
        "top1": top1 / max(1, n_ev),
        "event_p": prec,
        "event_r": rec,
        "acled": acled_ok / max(1, acled_n),
        "ms_per_sentence": ms,
    }


def folds(train_rows: list[dict], k: int = 5) -> list[tuple[list[dict], list[dict]]]:
    fold_of = [int(hashlib.sha256(r["doc"].encode()).hexdigest(), 16) % k for r in train_rows]
    return [
        ([r for r, f in zip(train_rows, fold_of, strict=True) if f != i],
         [r for r, f in zip(train_rows, fold_of, strict=True) if f == i])
        for i in range(k)
    ]


def compare(with_test: bool) -> None:
    train_rows, test_rows = rows("train"), rows("test")
    print(f"train {len(train_rows)} rows, test {len(test_rows)} rows")
    print("| design | part | top-1 type | is-event P | is-event R | ACLED | ms/sentence (typer only) |")
    print("|---|---|---|---|---|---|---|")
    feats = {False: Featurizer(False), True: Featurizer(True)}
    for name, (uses_parse, use_synthetic) in DESIGNS.items():
        feat = feats[uses_parse]
        cv = [
            score(to_typer(train(a, uses_parse, use_synthetic, feat)), b, feat)
            for a, b in folds(train_rows)
        ]
        mean = {k: float(np.mean([s[k] for s in cv])) for k in cv[0]}
        parts = [("5-fold CV (train)", mean)]
        if with_test:
            model = train(train_rows, uses_parse, use_synthetic, feat)
            test = score(to_typer(model), test_rows, feat)
            parts.append(("test", test))
        for part, s in parts:
            print(
                f"| {name} | {part} | {s['top1']:.3f} | {s['event_p']:.3f} | {s['event_r']:.3f} "
                f"| {s['acled']:.3f} | {s['ms_per_sentence']:.2f} |"
            )
        sys.stdout.flush()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--compare", action="store_true")
    ap.add_argument("--cv-only", action="store_true", help="never read the test split")
    ap.add_argument("--out", type=Path, default=typer.MODEL)
    args = ap.parse_args()
    if args.compare:
        compare(not args.cv_only)
        return
    model = train(rows("train"), *DESIGNS[CHOSEN])
    write(model, args.out)
    print(f"wrote {args.out} ({args.out.stat().st_size // 1024} KiB), design {CHOSEN}")


if __name__ == "__main__":
    main()
