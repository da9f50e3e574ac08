"""Trains the block classifier (services/newsflow/extract/data/blocks.npz) on the WCXB tune part.

  python scripts/train_blocks.py                # fit on the whole tune part, write the archive
  python scripts/train_blocks.py --compare      # 5-fold CV on the tune part (folds by page)

Only the tune part of ../shared/eval/extraction-wcxb-dev.jsonl.gz is read (evaluate/
extraction.part): the frozen part is scored by `make eval`, never here. A block is
positive when at least half of its 4-token shingles are in the reference text (the
scorer's shingles). Reproducible: pages in file order, folds by the page id's hash, a
deterministic solver (lbfgs), weights rounded to 6 decimals, fixed zip timestamps.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

sys.path.insert(0, str(Path(__file__).parent))
from train_events import write

from newsflow.errors import ExtractError
from newsflow.extract import blocks, classify
from newsflow.extract.clean import clean_blocks
from newsflow.extract.document import extract_html, prepare
from newsflow.extract.evidence import Evidence
from newsflow.extract.passes import PRECISION, RECALL, run_pass
from newsflow_tools.evaluate.extraction import (
    WCXB_NOTE,
    WCXB_SET,
    load,
    part,
    precision_recall,
    shingles,
)

COVERED = 0.5
FOLDS = 5
C_GRID = (0.1, 1.0, 10.0)
THRESHOLDS = (0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6)
# Chosen by --compare (README, "Block classifier"): C made no difference at 3 decimals,
# the lowest threshold scored best, and the precision-pass column added nothing.
DESIGN, C, THRESHOLD = "dom", 1.0, 0.3


@dataclass
class Row:
    """One tune page: its candidate blocks, their features and labels, and what the
    current extractor returns for it (the comparison and the fallback)."""

    id: str
    expected: str
    blocks: list[str]
    x: np.ndarray
    y: np.ndarray
    precise: set[str]
    titles: list[str]
    kickers: tuple[str, ...]
    evidence: Evidence
    current: str


def covered(block: str, reference: set[tuple[str, ...]]) -> bool:
    got = shingles(block)
    total = sum(got.values())
    return total > 0 and sum(n for s, n in got.items() if s in reference) >= COVERED * total


def build(record: dict, comparing: bool) -> Row:
    """A page's row; the precision pass and the current extractor run only for --compare."""
    page = prepare(record["html"], record["url"], with_body=True)
    recall = [b for b in run_pass(page.tree, record["url"], RECALL) if b.strip()]
    x = blocks.features(page.tree, recall, page.body)
    reference = set(shingles(record["expected_text"]))
    y = np.array([covered(b, reference) for b in recall], dtype=np.int8)
    precise: set[str] = set()
    current = ""
    if comparing:
        precise = {" ".join(b.split()) for b in run_pass(page.tree, record["url"], PRECISION)}
        try:
            current = extract_html(record["html"], record["url"]).text
        except ExtractError:
            current = ""
    return Row(
        record["id"],
        record["expected_text"],
        [" ".join(b.split()) for b in recall],
        x,
        y,
        precise,
        page.meta.headlines,
        page.kickers,
        page.evidence,
        current,
    )


def pages(shared: Path, comparing: bool) -> list[Row]:
    tune = [r for r in load(shared / WCXB_SET) if part(r["id"]) == "tune"]
    out = []
    for i, rec in enumerate(tune):
        out.append(build(rec, comparing))
        if i % 50 == 0:
            print(f"  {i}/{len(tune)} pages", file=sys.stderr, flush=True)
    return out


def design_x(row: Row, design: str) -> np.ndarray:
    """The feature matrix of a design: 'dom' alone, or '+precision' adds whether the
    precision pass kept the block (costs a second trafilatura pass at run time)."""
    if design == "dom":
        return row.x
    col = np.array([[float(b in row.precise)] for b in row.blocks])
    return np.hstack([row.x, col]) if len(row.blocks) else np.zeros((0, row.x.shape[1] + 1))


def fit(rows: list[Row], design: str, c: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Standardize, fit, return (mean, scale, weights, bias)."""
    x = np.vstack([design_x(r, design) for r in rows])
    y = np.concatenate([r.y for r in rows])
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=c, max_iter=3000, solver="lbfgs")
    model.fit((x - mean) / scale, y)
    return mean, scale, model.coef_[0], float(model.intercept_[0])


def text_of(row: Row, probs: np.ndarray, threshold: float) -> tuple[str, bool]:
    """The page's text as extract_html would return it, and whether it fell back to the
    passes (the classifier's text short of the page's evidence)."""
    kept = [b for b, p in zip(row.blocks, probs, strict=True) if p >= threshold]
    cleaned, _ = clean_blocks(kept, row.titles, row.kickers)
    text = "\n".join(cleaned)
    if classify.short(len(text), row.evidence):
        return row.current, True
    return text, False


def scores(outputs: list[tuple[str, str]]) -> tuple[float, float, float]:
    pr = [precision_recall(o, e) for o, e in outputs]
    p = sum(a for a, _ in pr) / len(pr)
    r = sum(b for _, b in pr) / len(pr)
    return (2 * p * r / (p + r) if p + r else 0.0), p, r


def fold_of(row: Row) -> int:
    return int(hashlib.sha256(row.id.encode()).hexdigest(), 16) % FOLDS


def compare(rows: list[Row]) -> None:
    """CV on the tune part: each design, C and threshold; the current extractor beside."""
    print("| design | C | threshold | F1 | P | R | pages on the passes |")
    print("|---|---|---|---|---|---|---|")
    f1, p, r = scores([(row.current, row.expected) for row in rows])
    print(f"| current extractor | | | {f1:.3f} | {p:.3f} | {r:.3f} | {len(rows)} |")
    # ceilings of the candidates: every recall block kept, and exactly the labelled ones
    for name, keep in (("keep all", lambda row: np.ones(len(row.blocks))), ("labels", None)):
        got = [text_of(row, keep(row) if keep else row.y.astype(float), 0.5) for row in rows]
        f1, p, r = scores([(g, row.expected) for (g, _), row in zip(got, rows, strict=True)])
        back = sum(b for _, b in got)
        print(f"| {name} | | | {f1:.3f} | {p:.3f} | {r:.3f} | {back} |")
    for design in ("dom", "dom+precision"):
        for c in C_GRID:
            probs: dict[str, np.ndarray] = {}
            for k in range(FOLDS):
                train = [row for row in rows if fold_of(row) != k]
                mean, scale, w, b = fit(train, design, c)
                for row in rows:
                    if fold_of(row) == k:
                        z = ((design_x(row, design) - mean) / scale) @ w + b
                        probs[row.id] = 1 / (1 + np.exp(-z))
            for t in THRESHOLDS:
                got = [text_of(row, probs[row.id], t) for row in rows]
                f1, p, r = scores(
                    [(g, row.expected) for (g, _), row in zip(got, rows, strict=True)]
                )
                back = sum(b for _, b in got)
                print(
                    f"| {design} | {c} | {t} | {f1:.3f} | {p:.3f} | {r:.3f} | {back} |", flush=True
                )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", type=Path, default=Path("../shared"))
    ap.add_argument("--compare", action="store_true")
    ap.add_argument("--out", type=Path, default=classify.MODEL)
    args = ap.parse_args()
    if not (args.shared / WCXB_SET).is_file():
        print(f"train_blocks: no {args.shared / WCXB_SET}; the shipped archive is kept")
        return
    rows = pages(args.shared, args.compare)
    if args.compare:
        compare(rows)
        return
    mean, scale, w, b = fit(rows, DESIGN, C)
    meta = {
        "format": classify.FORMAT,
        "names": list(blocks.NAMES),
        "bias": round(b, 6),
        "threshold": THRESHOLD,
        "c": C,
        "pages": len(rows),
        "blocks": int(sum(len(r.blocks) for r in rows)),
        "source": WCXB_NOTE + ", tune part only",
    }
    arrays = {"mean": mean, "scale": scale, "weights": w}
    write({"meta": meta, "arrays": {k: np.round(v, 6) for k, v in arrays.items()}}, args.out)
    print(f"wrote {args.out} ({args.out.stat().st_size} bytes) from {len(rows)} tune pages")


if __name__ == "__main__":
    main()
