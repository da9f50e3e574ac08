"""What a page declares about the size of its article."""

from __future__ import annotations

import json

from lxml.html import fromstring

from newsflow.extract.evidence import Evidence, read_evidence, visible_chars

PARA = "A paragraph of the article that is long enough to count as prose on any page."


def test_json_ld_article_body_comes_first() -> None:
    """The JSON-LD articleBody is the most specific declaration of the article's length."""
    body = "Word " * 300
    ld = json.dumps({"@type": "NewsArticle", "articleBody": body})
    tree = fromstring(
        f'<html><head><script type="application/ld+json">{ld}</script></head>'
        f"<body><article><p>{PARA}</p></article><p>{PARA}</p></body></html>"
    )
    ev = read_evidence(tree)
    assert ev.article_body == len(body.strip())
    assert ev.container == len(PARA)
    assert ev.paragraphs == 2 * len(PARA) and ev.paragraph_count == 2
    assert ev.expected == ev.article_body


def test_article_container_before_page_paragraphs() -> None:
    """Without JSON-LD the fullest <article> counts, its list items too; short labels count nowhere."""
    tree = fromstring(
        f"<html><body><article><p>{PARA}</p><ul><li>{PARA}</li></ul><p>Share</p></article>"
        f"<div><p>{PARA}</p><ul><li>{PARA}</li></ul></div></body></html>"
    )
    ev = read_evidence(tree)
    assert ev.expected == ev.container == 2 * len(PARA)
    assert ev.paragraphs == 2 * len(PARA)


def test_page_paragraphs_last() -> None:
    """A page declaring neither falls back to its paragraphs; an empty page expects nothing."""
    assert read_evidence(fromstring(f"<html><body><p>{PARA}</p></body></html>")).expected == len(
        PARA
    )
    assert Evidence().expected == 0


def test_visible_chars_counts_body_text() -> None:
    """Visible text is the body's text with whitespace collapsed."""
    assert visible_chars(fromstring("<html><body><p>a  b</p>\n<div>c</div></body></html>")) == 5
