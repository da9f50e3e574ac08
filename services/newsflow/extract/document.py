"""Turn one HTML page or plain-text document into cleaned article text with its metadata.

Pure and CPU-only: these functions run inside worker processes, touch no settings,
clock-dependent state or I/O, and raise ExtractError instead of returning empty text.
"""

from __future__ import annotations

import logging
import re
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import partial

import trafilatura
from lxml.etree import ParserError, strip_elements
from lxml.html import HtmlElement

from newsflow.errors import ExtractError, Reason
from newsflow.extract.blocks import article_body
from newsflow.extract.classify import BlockModel, classify_page, short
from newsflow.extract.clean import clean_blocks
from newsflow.extract.evidence import Evidence, read_evidence, read_kickers, visible_chars
from newsflow.extract.markup import strip_consent
from newsflow.extract.metadata import PageMeta, read_meta
from newsflow.extract.parse import load_html
from newsflow.extract.passes import choose

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


def _parse(html: str, url: str | None) -> HtmlElement:
    """An lxml tree of the page; a fragment (a feed entry's HTML) is wrapped in a body,
    since trafilatura's loader rejects a lone block as "not HTML"."""
    try:
        tree = load_html(html)
        if tree is None and looks_like_html(html):
            tree = load_html(f"<html><body>{html}</body></html>")
    except (ParserError, ValueError) as exc:
        raise ExtractError(f"unparsable HTML: {exc}", reason=Reason.PARSE_ERROR, url=url) from exc
    if tree is None:
        raise ExtractError("unparsable HTML", reason=Reason.PARSE_ERROR, url=url)
    return tree


@dataclass(frozen=True)
class Page:
    """A parsed page stripped for the passes, with what was read before the strip."""

    tree: HtmlElement
    meta: PageMeta
    evidence: Evidence
    kickers: tuple[str, ...]
    body: str  # the JSON-LD articleBody, for the block classifier
    banners: int


def prepare(html: str, url: str | None, *, with_body: bool = False) -> Page:
    """Parse once and read metadata and evidence, then strip what never holds article
    text. Shared by extract_html and the block classifier's training (the same tree);
    `with_body` also reads the JSON-LD articleBody the classifier's features use."""
    tree = _parse(html, url)
    meta = read_meta(tree, url)
    evidence = read_evidence(tree)
    body = article_body(tree) if with_body else ""
    # trafilatura deletes these elements anyway, but only after several regex XPaths
    # have walked them: dropping scripts and styles first cut its time from 24.9 to
    # 22.0 ms a page, media and head another 2.6%, with identical output on the dev set
    strip_elements(tree, *INERT, with_tail=False)
    banners = strip_consent(tree)
    strip_elements(tree, *FURNITURE, with_tail=False)
    evidence = replace(evidence, visible=visible_chars(tree))
    return Page(tree, meta, evidence, read_kickers(tree), body, banners)


def extract_html(
    html: str,
    url: str | None = None,
    *,
    min_text_chars: int = 200,
    classifier: BlockModel | None = None,
) -> Extracted:
    """Extract and clean the article of an HTML page.

    With a `classifier`, the recall pass runs and the blocks the model keeps are the
    text, unless that is short of the evidence (classify.short). Otherwise the
    precision pass runs first. When its cleaned text is short of what the page
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
    page = prepare(html, url, with_body=classifier is not None)
    tree, meta, evidence, kickers = page.tree, page.meta, page.evidence, page.kickers
    removed: Counter[str] = Counter()
    if page.banners:
        removed["cookie_banner"] += page.banners

    def fresh() -> HtmlElement:
        again = _parse(html, url)
        strip_consent(again)
        return again

    clean = partial(clean_blocks, titles=meta.headlines, kickers=kickers)
    picked = None
    if classifier is not None:
        picked = classify_page(classifier, tree, url, page.body, clean)
        if short(len("\n".join(picked[0])), evidence, min_text_chars):
            picked = None  # the recall pass missed the article: the passes take over
    if picked is not None:
        path, reason, (blocks, counts) = "classifier", "blocks kept by the classifier", picked
    else:
        path, reason, blocks, counts = choose(tree, fresh, url, clean, evidence, min_text_chars)
    text = "\n".join(blocks)
    LOG.debug("extract.path path=%s reason=%r url=%s", path, reason, url)
    if len(text.split(maxsplit=MIN_WORDS)) < MIN_WORDS:  # no need to split a whole article
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
