"""Whole-coder 5-fold cross-validation on the train split: the figures `make eval` prints for
the test split, without reading it.

  python scripts/cv_coder.py                    # refit per fold (3-15 min, by load)
  python scripts/cv_coder.py --reuse            # code with the last run's fold models (var/cv)
  python scripts/cv_coder.py --counts regexes   # counts read by the regexes alone, no head

Per fold, the typer, the argument chooser and the count head are trained on the other four
folds (the same folds by document hash as train_events.py), and the coder codes the held-out
sentences. The chooser's margins and the count head's threshold are the shipped ones (chosen
by CV over the whole train split), so the figures are slightly optimistic about them.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
import train_arguments
import train_counts
import train_events

from newsflow.events import arguments, count_head
from newsflow.events.coder import EventCoder
from newsflow_tools.evaluate.labelled import Tally

OUT = Path("var/cv")
KEYS = (
    "top1",
    "event_p",
    "event_r",
    "acled",
    "whole",
    "counts_recall",
    "counts_precision",
    "actor",
    "recipient",
    "location",
)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reuse", action="store_true", help="judge a rule change without refitting")
    ap.add_argument("--counts", choices=("head", "regexes"), default="head")
    args = ap.parse_args()
    train_rows = train_events.rows("train")
    total = Tally()
    fit = None if args.reuse else _Fitter(train_rows)
    for k, (fit_rows, held) in enumerate(train_events.folds(train_rows)):
        paths = {name: OUT / f"{name}-{k}.npz" for name in ("typer", "arguments", "counts")}
        if fit is not None:
            fit.fold(fit_rows, paths)
        arguments.default.use(arguments.load(paths["arguments"]))
        count_head.default.use(count_head.load(paths["counts"]) if args.counts == "head" else None)
        coder = EventCoder(typer_path=paths["typer"])
        fold = Tally()
        for r in held:
            coded = coder.code(r["text"], article_id=r["id"], published_at=None)
            fold.add(r, coded)
            total.add(r, coded)
        print(f"fold {k}: " + _line(fold.summary()), flush=True)
    print("5-fold CV, train split: " + _line(total.summary()))


class _Fitter:
    """Parses the train split once; fits every model of one fold from it."""

    def __init__(self, train_rows: list[dict]) -> None:
        self.feat = train_events.Featurizer(True)
        self.exs, self.grps = train_arguments.examples(train_rows)
        self.counts = train_counts.examples(train_counts.sentences(train_rows))
        self.margins = _meta(arguments.MODEL)["margins"]
        self.threshold = _meta(count_head.MODEL)["threshold"]

    def fold(self, fit_rows: list[dict], paths: dict[str, Path]) -> None:
        docs = {r["doc"] for r in fit_rows}
        model = train_events.train(fit_rows, *train_events.DESIGNS[train_events.CHOSEN], self.feat)
        train_events.write(model, paths["typer"])
        vocab, models = train_arguments.fit(
            [e for e in self.exs if e.doc_id in docs], [g for g in self.grps if g.doc_id in docs]
        )
        train_events.write(train_arguments.archive(vocab, models, self.margins), paths["arguments"])
        mine = [e for e in self.counts if e.doc_id in docs]
        head = train_counts.archive(*train_counts.fit(mine), self.threshold)
        train_events.write(head, paths["counts"])


def _meta(path: Path) -> dict:
    return json.loads(str(np.load(path)["meta"]))


def _line(s: dict) -> str:
    return " ".join(f"{k} {s[k]:.3f}" for k in KEYS)


if __name__ == "__main__":
    main()
