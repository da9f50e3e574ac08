"""Features of candidate blocks for the learned block classifier (classify.py).

A candidate is one block of trafilatura's recall pass: it keeps nearly all the article
and some of the page around it. Each block is matched back to the page element whose
text it is, and described by its text (length, punctuation, case), its place in the
pass, and its element (tag, link density, containers, class and id words). Pure: the
same function builds the training rows (scripts/train_blocks.py) and the run-time rows.
"""

from __future__ import annotations

import math
import re

import numpy as np
from lxml.html import HtmlElement

BLOCK_TAGS = (
    *("p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th"),
    *("blockquote", "pre", "dd", "dt", "figcaption", "caption", "summary"),
)
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
ARTICLE_BODY = re.compile(r'"articleBody"\s*:\s*"((?:[^"\\]|\\.)*)"')
WORD = re.compile(r"\w+")
PUNCT = re.compile(r"[.,;:!?]")
TERMINAL = tuple('.!?…"”’»)')
# A block is matched to an element by its first characters when the whole text differs
# (trafilatura joins inline children with different spacing).
PREFIX = 40
# class/id words of the ancestors that say "article body" or "page around it"
GOOD = re.compile(r"article|content|story|post|entry|body|text|main|prose|rich")
BAD = re.compile(
    r"comment|footer|sidebar|related|share|social|promo|newsletter|nav|menu|widget|"
    r"caption|byline|author|meta|tag|breadcrumb|subscribe|signup|recommend|teaser|ad-|ads\b"
)
CONTAINERS = ("article", "main", "figure", "header", "table", "form", "section", "ul", "ol")
MAX_UP = 12  # ancestors read for class/id words: the article wrapper sits near the top

NAMES = (
    *("log_chars", "log_words", "position", "char_position", "page_share"),
    *("terminal", "punct_per_word", "digits", "upper", "title_words", "ends_colon"),
    *("repeated", "in_body", "page_has_body", "matched", "link_density", "depth"),
    *("tag_p", "tag_li", "tag_h", "tag_cell", "tag_quote", "tag_other"),
    *(f"in_{c}" for c in CONTAINERS),
    *("good_words", "bad_words", "page_has_article"),
    *("prev_log_chars", "next_log_chars", "window_log_chars", "window_terminal"),
    "bias_short",
)


def article_body(tree: HtmlElement) -> str:
    """The longest JSON-LD articleBody of the page, whitespace-normalized; '' if none.
    Call before scripts are stripped."""
    best = ""
    for el in tree.iter("script"):
        if (el.get("type") or "").lower() == "application/ld+json" and el.text:
            for m in ARTICLE_BODY.finditer(el.text):
                text = " ".join(m.group(1).replace("\\n", " ").replace('\\"', '"').split())
                if len(text) > len(best):
                    best = text
    return best


def _norm(text: str) -> str:
    return " ".join(text.split())


def _index(tree: HtmlElement) -> tuple[dict[str, HtmlElement], dict[str, HtmlElement]]:
    """Block elements by their whole text and by its first PREFIX characters (first wins)."""
    whole: dict[str, HtmlElement] = {}
    prefix: dict[str, HtmlElement] = {}
    for el in tree.iter(*BLOCK_TAGS):
        text = _norm(el.text_content())
        if text:
            whole.setdefault(text, el)
            prefix.setdefault(text[:PREFIX], el)
    return whole, prefix


def _element(el: HtmlElement | None, text_len: int) -> list[float]:
    """Tag, link density, depth, containers and class/id words of a block's element."""
    if el is None:
        return [0.0] * (3 + 6 + len(CONTAINERS) + 2)
    links = sum(len(_norm(a.text_content())) for a in el.iter("a"))
    tag = el.tag
    tags = [
        tag == "p",
        tag == "li",
        tag in HEADINGS,
        tag in ("td", "th"),
        tag in ("blockquote", "pre"),
        tag not in HEADINGS and tag not in ("p", "li", "td", "th", "blockquote", "pre"),
    ]
    inside = dict.fromkeys(CONTAINERS, 0.0)
    good = bad = 0
    depth = 0
    for i, up in enumerate(el.iterancestors()):
        depth += 1
        if up.tag in inside:
            inside[up.tag] = 1.0
        if i < MAX_UP:
            words = f"{up.get('class') or ''} {up.get('id') or ''}".lower()
            good += bool(GOOD.search(words))
            bad += bool(BAD.search(words))
    return [
        1.0,
        min(1.0, links / max(1, text_len)),
        min(depth, 40) / 40,
        *map(float, tags),
        *inside.values(),
        min(good, 4) / 4,
        min(bad, 4) / 4,
    ]


def _text(block: str) -> list[float]:
    words = block.split()
    n = max(1, len(words))
    letters = [ch for ch in block if ch.isalpha()]
    return [
        float(block.endswith(TERMINAL)),
        len(PUNCT.findall(block)) / n,
        sum(ch.isdigit() for ch in block) / max(1, len(block)),
        sum(ch.isupper() for ch in letters) / max(1, len(letters)),
        sum(w[:1].isupper() for w in words) / n,
        float(block.endswith(":")),
    ]


def features(tree: HtmlElement, blocks: list[str], body: str = "") -> np.ndarray:
    """One row of len(NAMES) features per block of a recall pass over `tree`.

    `body` is the page's JSON-LD articleBody (article_body, read before scripts went).
    """
    blocks = [_norm(b) for b in blocks]
    n = len(blocks)
    rows = np.zeros((n, len(NAMES)), dtype=np.float64)
    if not n:
        return rows
    whole, prefix = _index(tree)
    has_article = float(tree.find(".//article") is not None)
    sizes = [len(b) for b in blocks]
    total = max(1, sum(sizes))
    seen: dict[str, int] = {}
    for b in blocks:
        seen[b] = seen.get(b, 0) + 1
    logs = [math.log1p(s) for s in sizes]
    ends = [float(b.endswith(TERMINAL)) for b in blocks]
    before = 0
    for i, b in enumerate(blocks):
        el = whole.get(b)
        if el is None:  # an element with no children is falsy: no `or` here
            el = prefix.get(b[:PREFIX])
        lo, hi = max(0, i - 2), min(n, i + 3)
        rows[i] = [
            logs[i],
            math.log1p(len(b.split())),
            i / max(1, n - 1),
            before / total,
            sizes[i] / total,
            *_text(b),
            float(seen[b] > 1),
            float(bool(body) and b[:PREFIX] in body),
            float(bool(body)),
            *_element(el, sizes[i]),
            has_article,
            logs[i - 1] if i else 0.0,
            logs[i + 1] if i + 1 < n else 0.0,
            sum(logs[lo:hi]) / (hi - lo),
            sum(ends[lo:hi]) / (hi - lo),
            float(sizes[i] < 30),
        ]
        before += sizes[i]
    return rows
