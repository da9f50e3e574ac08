"""Turn one HTML page or plain-text document into cleaned article text with its metadata.

Pure and CPU-only: these functions run inside worker processes, touch no settings,
clock-dependent state or I/O, and raise ExtractError instead of returning empty text.
"""

from __future__ import annotations

import logging
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import partial

import trafilatura
from lxml.etree import ParserError, strip_elements
from lxml.html import HtmlElement

from newsflow.errors import ExtractError, Reason
from newsflow.extract.clean import clean_blocks
from newsflow.extract.evidence import (
    Evidence,
    read_evidence,
    read_kickers,
    visible_chars,
)
from newsflow.extract.markup import strip_consent
from newsflow.extract.merge import merge_passes, restore_headings
from newsflow.extract.metadata import read_meta

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
# _choose). Tables stay: dropping them lost 1.0 point of R. Comments are never text.
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

LOG = logging.getLogger(__name__)
HTML_HINT = re.compile(
    r"<(?:!doctype\s+html|html|head|body|article|main|div|p|span|meta|title|br|table|section)\b",
    re.I,
)
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
SENTENCE_END = tuple('.!?:;"”’)…')
HEADLINE_MAX_WORDS = 25
# Fewer words than this from a page is a leftover link ("Home") that the recall pass
# picked up, not an article; the shortest dev-set article has 42 words.
MIN_WORDS = 5
# Elements that never hold article text (trafilatura deletes them all itself, later),
# removed before the passes once the metadata and evidence have been read. Output on
# the AEB dev pages is identical; see extract_html for the time saved.
INERT = (
    *("script", "style", "noscript", "template", "link", "meta", "head"),
    *("svg", "iframe", "embed", "object", "canvas", "audio", "video", "picture", "map", "applet"),
)
# trafilatura deletes these in every mode too; stripping them before the passes took
# the WCXB tune pages from 0.78x to 0.88x of its speed for 0.001 of F1. They go after
# the consent cleaner, which reads a banner's buttons ("Accept", "Got it").
FURNITURE = ("aside", "footer", "nav", "menu", "dialog", "button", "select", "textarea", "input")


@dataclass(frozen=True)
class Extracted:
    """Cleaned main text of a document, its page metadata and how it was obtained."""

    text: str
    title: str | None
    authors: list[str]
    published_at: datetime | None
    language: str | None
    canonical_url: str | None
    tool: str
    version: str
    path: str
    reason: str = ""
    removed: dict[str, int] = field(default_factory=dict)
    duration_ms: float = 0.0


def looks_like_html(data: str) -> bool:
    """True when the start of `data` carries HTML tags (for inputs of unknown type)."""
    return bool(HTML_HINT.search(data[:4096]))


def _run_trafilatura(tree: HtmlElement, url: str | None, options: dict[str, bool]) -> list[str]:
    doc = trafilatura.bare_extraction(tree, url=url, **options)
    text = getattr(doc, "text", None) or ""
    return text.split("\n")


def _parse(html: str, url: str | None) -> HtmlElement:
    """An lxml tree of the page; a fragment (a feed entry's HTML) is wrapped in a body,
    since trafilatura's loader rejects a lone block as "not HTML"."""
    try:
        tree = trafilatura.load_html(html)
        if tree is None and looks_like_html(html):
            tree = trafilatura.load_html(f"<html><body>{html}</body></html>")
    except (ParserError, ValueError) as exc:
        raise ExtractError(f"unparsable HTML: {exc}", reason=Reason.PARSE_ERROR, url=url) from exc
    if tree is None:
        raise ExtractError("unparsable HTML", reason=Reason.PARSE_ERROR, url=url)
    return tree


def _choose(
    tree: HtmlElement,
    html: str,
    url: str | None,
    clean: Callable[[list[str]], tuple[list[str], Counter[str]]],
    ev: Evidence,
    min_text_chars: int,
) -> tuple[str, str, list[str], Counter[str]]:
    """Run the passes the evidence asks for; return (path, reason, blocks, removed)."""
    # headings go back before cleaning, so a restored heading is judged like any block
    raw, restored = restore_headings(tree, _run_trafilatura(tree, url, PRECISION))
    blocks, counts = clean(raw)
    size = len("\n".join(blocks))
    path, reason = "precision", f"enough text for the evidence; {restored} headings restored"
    if RECALL_GATE.short(size, ev) or size < min_text_chars:
        recall = _run_trafilatura(tree, url, RECALL)
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
        again = _parse(html, url)
        strip_consent(again)
        more, more_counts = clean(_run_trafilatura(again, url, BALANCED))
        bigger = len("\n".join(more))
        if bigger > RESCUE_GAIN * size or (size < min_text_chars and bigger > size):
            blocks, counts = more, more_counts
            if size < min_text_chars:
                path, reason = "fallback", f"{size} chars kept, under {min_text_chars}"
            else:
                path, reason = "balanced", f"{size} chars kept, under half the evidence"
    return path, reason, blocks, counts


def extract_html(html: str, url: str | None = None, *, min_text_chars: int = 200) -> Extracted:
    """Extract and clean the article of an HTML page.

    The precision pass runs first. When its cleaned text is short of what the page
    declares (Evidence.expected) or of `min_text_chars`, the recall pass runs and its
    blocks inside the article are merged in; when that is still under half, the
    balanced pass runs and the longest text wins (`path` and `reason` say which and
    why). Raises ExtractError: PARSE_ERROR when the markup cannot be parsed,
    EMPTY_EXTRACTION when no pass leaves MIN_WORDS words after cleaning.
    """
    start = time.perf_counter()
    if not html or not html.strip():
        raise ExtractError("empty document", reason=Reason.EMPTY_EXTRACTION, url=url)
    # parse once: the metadata reader, the markup cleaner and the passes share it
    # (bare_extraction copies a tree it is given)
    tree = _parse(html, url)

    meta = read_meta(tree, url)
    evidence = read_evidence(tree)
    removed: Counter[str] = Counter()
    # trafilatura deletes these elements anyway, but only after several regex XPaths
    # have walked them: dropping scripts and styles first cut its time from 24.9 to
    # 22.0 ms a page, media and head another 2.6%, with identical output on the dev set
    strip_elements(tree, *INERT, with_tail=False)
    banners = strip_consent(tree)
    if banners:
        removed["cookie_banner"] += banners
    strip_elements(tree, *FURNITURE, with_tail=False)

    evidence = replace(evidence, visible=visible_chars(tree))
    kickers = read_kickers(tree)
    path, reason, blocks, counts = _choose(
        tree,
        html,
        url,
        partial(clean_blocks, titles=meta.headlines, kickers=kickers),
        evidence,
        min_text_chars,
    )
    text = "\n".join(blocks)
    LOG.debug("extract.path path=%s reason=%r url=%s", path, reason, url)
    if len(text.split()) < MIN_WORDS:
        raise ExtractError("no article text found", reason=Reason.EMPTY_EXTRACTION, url=url)
    removed.update(counts)
    return Extracted(
        text=text,
        title=meta.title,
        authors=meta.authors,
        published_at=meta.published_at,
        language=meta.language,
        canonical_url=meta.canonical_url,
        tool="trafilatura",
        version=trafilatura.__version__,
        path=path,
        reason=reason,
        removed=dict(removed),
        duration_ms=(time.perf_counter() - start) * 1000,
    )


def _paragraphs(text: str) -> list[str]:
    """Lines of a plain-text document; a hard-wrapped line (50+ characters, no closing
    punctuation) is joined to the next so a wrapped paragraph stays one block."""
    out: list[str] = []
    joinable = False
    text = CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    for raw in text.split("\n"):
        line = " ".join(raw.split())
        if not line:
            joinable = False
            continue
        if joinable and out:
            out[-1] = f"{out[-1]} {line}"
        else:
            out.append(line)
        joinable = len(line) >= 50 and not line.endswith(SENTENCE_END)
    return out


def _is_headline(line: str) -> bool:
    words = line.split()
    return 0 < len(words) <= HEADLINE_MAX_WORDS and not line.endswith((".", ",", ";", ":"))


def extract_text(text: str) -> Extracted:
    """Clean a plain-text document; its first line is the title when it looks like a headline.

    Raises ExtractError(EMPTY_EXTRACTION) when no text is left after cleaning.
    """
    start = time.perf_counter()
    blocks = _paragraphs(text or "")
    title = blocks[0] if len(blocks) > 1 and _is_headline(blocks[0]) else None
    body = blocks[1:] if title else blocks
    kept, counts = clean_blocks(body, [title] if title else [])
    if not kept:
        raise ExtractError("no text left after cleaning", reason=Reason.EMPTY_EXTRACTION)
    return Extracted(
        text="\n".join(kept),
        title=title,
        authors=[],
        published_at=None,
        language=None,
        canonical_url=None,
        tool="trafilatura",
        version=trafilatura.__version__,
        path="text",
        removed=dict(counts),
        duration_ms=(time.perf_counter() - start) * 1000,
    )
