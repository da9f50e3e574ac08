"""The trafilatura passes and the choice between them, page by page, from evidence.

The precision pass runs first; the recall pass, merged block by block, and the
balanced rescue run only when the page's own evidence (evidence.py) says text is
missing, so an article is never lost to a pass that wins on precision.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import trafilatura
from lxml.html import HtmlElement

from newsflow.extract.evidence import Evidence
from newsflow.extract.merge import merge_passes, restore_headings

# trafilatura settings, chosen on the 91 AEB dev pages (shared/eval), one process, the
# configurations interleaved page by page; speed is relative to the default:
#   default (balanced)            F1 0.965  P 0.943  R 0.988  1.00x
#   favor_precision               F1 0.975  P 0.966  R 0.984  0.97x   <- first pass
#   favor_recall                  F1 0.966  P 0.945  R 0.988  1.48x
#   fast                          F1 0.969  P 0.950  R 0.988  1.43x
#   fast + favor_precision        F1 0.972  P 0.966  R 0.979  1.57x
#   favor_precision, no tables    F1 0.968  P 0.962  R 0.974  0.93x
# On the WCXB tune part (413 pages) the precision pass costs as much as all of plain
# trafilatura (30.9 vs 31.0 ms a page), most of it in its readability/justext
# comparison, and alone it lost most of the text of 14 pages that trafilatura keeps.
# So the first pass is precision + fast (18.7 ms), and a recall pass (17.7 ms) and a
# balanced rescue follow when the page's own evidence says text is missing (see
# choose). Tables stay: dropping them lost 1.0 point of R. Comments are never text.
PRECISION = {
    "include_comments": False,
    "include_tables": True,
    "favor_precision": True,
    "fast": True,
}
# fast here too: inside the merge the recall pass's own readability/justext comparison
# changed nothing on the tune pages, and skipping it saves 15% of the pass
RECALL = {"include_comments": False, "include_tables": True, "favor_recall": True, "fast": True}
# trafilatura's default, which escalates to its own recall retry and justext when its
# result covers little of the page: the rescue when both passes above kept too little.
BALANCED = {"include_comments": False, "include_tables": True}


@dataclass(frozen=True)
class Gate:
    """When to run another pass: the cleaned text is shorter than `expected` times
    Evidence.expected, `visible` times the page's visible text, or `chars`."""

    expected: float
    visible: float
    chars: int

    def short(self, size: int, ev: Evidence) -> bool:
        low = size < self.expected * ev.expected or size < self.visible * ev.visible
        return low or size < self.chars


# Chosen on the WCXB tune part and the AEB dev half for F1 within the speed budget:
# F1 0.932 and 0.982 at 0.95x and 1.07x; the recall pass ran on 8% and 3% of their
# pages, the balanced pass on 5% and none. expected=1.0 gave +0.001 F1 at 0.90x.
# Texts under 500 characters are where the fast precision pass and the others
# disagreed most.
RECALL_GATE = Gate(expected=0.8, visible=0.4, chars=500)
# The balanced text replaces the current one only when it is RESCUE_GAIN times longer:
# taking any longer text cost the AEB pages 0.4 points of precision.
RESCUE_GATE = Gate(expected=0.5, visible=0.2, chars=200)
RESCUE_GAIN = 2.0


def run_pass(tree: HtmlElement, url: str | None, options: dict[str, bool]) -> list[str]:
    """The text blocks of one trafilatura pass; bare_extraction copies the tree it is given."""
    doc = trafilatura.bare_extraction(tree, url=url, **options)
    text = getattr(doc, "text", None) or ""
    return text.split("\n")


def choose(
    tree: HtmlElement,
    fresh: Callable[[], HtmlElement],
    url: str | None,
    clean: Callable[[list[str]], tuple[list[str], Counter[str]]],
    ev: Evidence,
    min_text_chars: int,
) -> tuple[str, str, list[str], Counter[str]]:
    """Run the passes the evidence asks for on `tree` (or, for the rescue, on the tree
    `fresh` returns); return (path, reason, blocks, removed by kind)."""
    # headings go back before cleaning, so a restored heading is judged like any block
    raw, restored = restore_headings(tree, run_pass(tree, url, PRECISION))
    blocks, counts = clean(raw)
    size = len("\n".join(blocks))
    path, reason = "precision", f"enough text for the evidence; {restored} headings restored"
    if RECALL_GATE.short(size, ev) or size < min_text_chars:
        recall = run_pass(tree, url, RECALL)
        more, more_counts = clean(merge_passes(raw, recall))
        if RECALL_GATE.short(len("\n".join(more)), ev):
            # still short: the precision pass held only part of the article, so its
            # span is no guide; the whole recall text competes if twice as long
            whole, whole_counts = clean(recall)
            if len("\n".join(whole)) > RESCUE_GAIN * len("\n".join(more)):
                more, more_counts = whole, whole_counts
        if len("\n".join(more)) > size:
            blocks, counts, size = more, more_counts, len("\n".join(more))
            path = "recall"
            reason = f"precision text short of expected {ev.expected} / visible {ev.visible} chars"
    if RESCUE_GATE.short(size, ev) or size < min_text_chars:
        # a fresh parse: the balanced pass's baseline reads the JSON-LD articleBody,
        # whose script was stripped from `tree`; this runs on few pages
        more, more_counts = clean(run_pass(fresh(), url, BALANCED))
        bigger = len("\n".join(more))
        if bigger > RESCUE_GAIN * size or (size < min_text_chars and bigger > size):
            blocks, counts = more, more_counts
            if size < min_text_chars:
                path, reason = "fallback", f"{size} chars kept, under {min_text_chars}"
            else:
                path, reason = "balanced", f"{size} chars kept, under half the evidence"
    return path, reason, blocks, counts
