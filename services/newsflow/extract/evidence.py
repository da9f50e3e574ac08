"""What the page itself says about the size of its article, read before extraction.

A trafilatura pass can win on precision by dropping most of an article (issue 14: on
WCXB pages the precision pass lost all text of some 20k-character articles). These
measures let extract_html notice that cheaply, from markup any reader would trust:
the JSON-LD articleBody, the <article> container, the paragraphs of the page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml.html import HtmlElement

# A <p> shorter than this is a label, a teaser or a button, not a paragraph of prose.
PARAGRAPH_MIN_CHARS = 40
ARTICLE_BODY = re.compile(r'"articleBody"\s*:\s*"((?:[^"\\]|\\.)*)"')


@dataclass(frozen=True)
class Evidence:
    """Sizes in characters of whitespace-normalized text; 0 when the page has none."""

    article_body: int = 0  # longest JSON-LD articleBody
    container: int = 0  # paragraph and list-item text inside the fullest <article>
    paragraphs: int = 0  # paragraph text of the whole page
    paragraph_count: int = 0
    visible: int = 0  # all text in the body, once scripts and styles are gone

    @property
    def expected(self) -> int:
        """The article's likely length: the most specific declaration the page makes.
        A page's paragraphs include teasers and footers, so they count only when the
        page declares neither an articleBody nor an <article> with paragraphs."""
        return self.article_body or self.container or self.paragraphs


def visible_chars(tree: HtmlElement) -> int:
    """Characters of text a reader could see; call after scripts and styles are stripped."""
    body = tree.find("body")
    return len(" ".join((body if body is not None else tree).text_content().split()))


def _chars(el: HtmlElement) -> int:
    return len(" ".join(el.text_content().split()))


def read_evidence(tree: HtmlElement) -> Evidence:
    """Measure the page in one walk; call before scripts are stripped (JSON-LD)."""
    body_len = 0
    containers: list[HtmlElement] = []
    paragraphs = count = 0
    for el in tree.iter("script", "article", "p"):
        if el.tag == "script":
            if (el.get("type") or "").lower() == "application/ld+json" and el.text:
                for m in ARTICLE_BODY.finditer(el.text):
                    body_len = max(body_len, len(" ".join(m.group(1).split())))
        elif el.tag == "article":
            containers.append(el)
        else:
            n = _chars(el)
            if n >= PARAGRAPH_MIN_CHARS:
                paragraphs += n
                count += 1
    container = 0
    # list items count inside the article only: page-wide, menus and link lists swell them
    for art in containers:
        size = sum(n for p in art.iter("p", "li") if (n := _chars(p)) >= PARAGRAPH_MIN_CHARS)
        container = max(container, size)
    return Evidence(body_len, container, paragraphs, count)


# A kicker or section label is a few words: "Business", "World | Europe", "Analysis".
KICKER_MAX_WORDS = 3
KICKER_MAX_CHARS = 30
KICKER_MAX = 3


def read_kickers(tree: HtmlElement) -> tuple[str, ...]:
    """Short labels right above the page's first h1 (kickers, section names): the
    nearest texts before it, walking out through its ancestors, until a longer text."""
    h1 = next(tree.iter("h1"), None)
    found: list[str] = []
    el = h1
    while el is not None and el.tag != "body" and len(found) < KICKER_MAX:
        for sib in el.itersiblings(preceding=True):
            if not isinstance(sib.tag, str):
                continue
            text = " ".join(sib.text_content().split())
            if not text:
                continue
            if len(text) > KICKER_MAX_CHARS or len(text.split()) > KICKER_MAX_WORDS:
                return tuple(found)
            found.append(text)
            if len(found) == KICKER_MAX:
                break
        el = el.getparent()
    return tuple(found)
