"""Whole-coder 5-fold cross-validation on the train split: the figures `make eval` prints for
the test split, without reading it.

  python scripts/cv_coder.py            # refit per fold (~10 min of CPU)
  python scripts/cv_coder.py --reuse    # code with the fold models of the last run (var/cv)

Per fold, the typer and the argument chooser are trained on the other four folds (the same
folds by document hash as train_events.py), and the coder codes the held-out sentences. The
argument margins are the shipped ones, so the figures are slightly optimistic about them.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
import train_arguments
import train_events

from newsflow.events import arguments
from newsflow.events.coder import EventCoder
from newsflow_tools.evaluate.labelled import Tally

OUT = Path("var/cv")


def main() -> None:
    reuse = "--reuse" in sys.argv[1:]  # try a change to the coding rules without refitting
    train_rows = train_events.rows("train")
    feat = None if reuse else train_events.Featurizer(True)
    exs, grps = ([], []) if reuse else train_arguments.examples(train_rows)
    meta = json.loads(str(np.load(arguments.MODEL)["meta"]))
    shipped = meta.get("margins", meta.get("thresholds"))
    total = Tally()
    for k, (fit_rows, held) in enumerate(train_events.folds(train_rows)):
        typer_path = OUT / f"typer-{k}.npz"
        args_path = OUT / f"arguments-{k}.npz"
        if not reuse:
            _fit_fold(fit_rows, feat, exs, grps, shipped, typer_path, args_path)
        chooser = arguments.load(args_path)
        arguments.default = lambda c=chooser: c  # the coder asks the module for its chooser
        coder = EventCoder(typer_path=typer_path)
        fold = Tally()
        for r in held:
            coded = coder.code(r["text"], article_id=r["id"], published_at=None)
            fold.add(r, coded)
            total.add(r, coded)
        print(f"fold {k}: " + _line(fold.summary()), flush=True)
    print("5-fold CV, train split: " + _line(total.summary()))


def _fit_fold(fit_rows, feat, exs, grps, margins, typer_path: Path, args_path: Path) -> None:
    docs = {r["doc"] for r in fit_rows}
    model = train_events.train(fit_rows, *train_events.DESIGNS[train_events.CHOSEN], feat)
    train_events.write(model, typer_path)
    vocab, models = train_arguments.fit(
        [e for e in exs if e.doc_id in docs], [g for g in grps if g.doc_id in docs]
    )
    train_events.write(train_arguments.archive(vocab, models, margins), args_path)


def _line(s: dict) -> str:
    keys = (
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
    return " ".join(f"{k} {s[k]:.3f}" for k in keys)


if __name__ == "__main__":
    main()
