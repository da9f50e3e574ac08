"""Parse a page into the tree trafilatura.load_html gives, with a cheaper element lookup.

lxml.html's parser picks each element's Python class (form, input, label, ...) in a
Python function every time an element is touched from Python: about 2,800 times a page
across the passes on the WCXB tune pages, 0.3 µs more each than lxml's C lookup. The
passes and the cleaners use only HtmlElement's methods, so here every element is an
HtmlElement, found by the C lookup. Copies of the tree (trafilatura copies it once per
pass) keep its parser and so its lookup.
"""

from __future__ import annotations

import trafilatura
from lxml.etree import ElementDefaultClassLookup
from lxml.html import (
    HtmlComment,
    HtmlElement,
    HtmlEntity,
    HtmlProcessingInstruction,
    fromstring,
)
from trafilatura.utils import HTML_PARSER, repair_faulty_html

PARSER = HTML_PARSER.copy()  # trafilatura's options: no comments, no PIs, utf-8
PARSER.set_element_class_lookup(
    ElementDefaultClassLookup(
        element=HtmlElement, comment=HtmlComment, pi=HtmlProcessingInstruction, entity=HtmlEntity
    )
)


def load_html(html: str) -> HtmlElement | None:
    """trafilatura.load_html(html) for a string, parsed by PARSER when the first parse
    succeeds with two or more children (where load_html takes that parse as is);
    otherwise load_html itself decides, with its own fallbacks."""
    try:
        tree = fromstring(repair_faulty_html(html, html[:50].lower()), parser=PARSER)
    except Exception:  # whatever lxml raises, load_html handles it below
        tree = None
    if tree is not None and len(tree) >= 2:
        return tree
    return trafilatura.load_html(html)
