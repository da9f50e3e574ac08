"""extract.parse.load_html builds the tree trafilatura.load_html builds, with the C class lookup."""

from __future__ import annotations

from pathlib import Path

import pytest
import trafilatura
from lxml import etree
from lxml.html import HtmlElement

from newsflow.extract.document import extract_html
from newsflow.extract.parse import load_html

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "extract"
PAGES = sorted(FIXTURES.glob("*.html"))
FORM_PAGE = """<!DOCTYPE html><html><head><title>Ferry</title></head><body>
<form action="/search"><label for="q">Search</label><input id="q" value="x"><select><option>a</option></select></form>
<article><h1>The ferry ran aground</h1>
<p>The ferry ran aground off the northern cape on Sunday morning, the coastguard said.</p>
<p>All 212 passengers were taken ashore by lifeboats before the tide turned, officials added.</p>
<p>The operator said it would inspect the hull in dry dock before the route reopens next month.</p>
</article></body></html>"""
ODD = [
    FORM_PAGE,
    "<p>a lone fragment</p>",  # one child: trafilatura's loader decides
    '<?xml version="1.0" encoding="utf-8"?><html><body><p>declared</p></body></html>',
    "<!DOCTYPE html/>\n<html><body><p>faulty doctype</p></body></html>",
    "plain words, no markup",
    "",
]


def same_tree(html: str) -> None:
    ours, theirs = load_html(html), trafilatura.load_html(html)
    assert (ours is None) == (theirs is None)
    if ours is not None:
        assert etree.tostring(ours) == etree.tostring(theirs)


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.stem)
def test_fixture_pages_parse_as_trafilatura_does(path: Path) -> None:
    same_tree(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("html", ODD)
def test_odd_inputs_parse_as_trafilatura_does(html: str) -> None:
    same_tree(html)


def test_every_element_is_a_plain_html_element() -> None:
    """Form controls get no lxml.html subclass (the lookup that makes parsing cheaper)."""
    tree = load_html(FORM_PAGE)
    assert tree is not None
    assert {type(el) for el in tree.iter("form", "input", "label", "select")} == {HtmlElement}


def test_form_page_keeps_its_text() -> None:
    """A page whose form controls are plain elements keeps its article text."""
    got = extract_html(FORM_PAGE, "https://news.example.net/ferry")
    assert got.text.split("\n") == [
        "The ferry ran aground off the northern cape on Sunday morning, the coastguard said.",
        "All 212 passengers were taken ashore by lifeboats before the tide turned, officials added.",
        "The operator said it would inspect the hull in dry dock before the route reopens next month.",
    ]
