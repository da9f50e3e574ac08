"""Remove consent-management markup (cookie banners) from a parsed page before extraction.

Matching is on id/class names and ARIA roles, never on visible text alone, and three
guards protect the article: the html, body, article and main elements are never
removed, nor any element that holds an article, a main or an h1. A generic name such
as "consent" (which a page about consent law may use) or a modal dialog also has to
be small and read like a banner (the text cleaner's consent test) to go. Vendor prefixes (OneTrust,
Cookiebot, CookieLawInfo, Quantcast, the IAB TCF CMPs) go without the text check.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml
from lxml import etree
from lxml.html import HtmlElement

from newsflow.extract.clean import cues, is_consent_phrasing

PROTECTED = frozenset({"html", "body", "article", "main", "head"})
HOLDS_ARTICLE = etree.XPath("boolean(.//article|.//main|.//h1)")
# Finding candidates cheaply matters: a case-blind test per name inside an XPath cost
# 7-30 ms a page on the dev set, and a regex over each id/class string 3.7 ms. So the
# id/class/role values are joined into one string and searched with str.find (C speed);
# only the spellings actually present are then looked up with contains().
VALUES = etree.XPath(
    "//body//@id|//body//@class|//body//@role|//body//@aria-modal", smart_strings=False
)
NAMED = etree.XPath("//body//*[contains(@id, $name) or contains(@class, $name)]")
DIALOGS = etree.XPath("//body//*[@role='dialog' or @role='alertdialog' or @aria-modal='true']")
DIALOG_ROLES = frozenset({"dialog", "alertdialog"})
# A consent dialog with its vendor list runs to a few hundred words; an article that
# happens to sit in a container named "consent" is usually longer.
GENERIC_MAX_WORDS = 400


@dataclass(frozen=True)
class Rules:
    names: tuple[str, ...]
    vendor_id: re.Pattern[str]
    vendor_class: re.Pattern[str]
    generic: re.Pattern[str]


@cache
def rules() -> Rules:
    """Compile consent.yaml into regexes over id and class names, once per process."""
    raw = yaml.safe_load(resources.files(__package__).joinpath("consent.yaml").read_text("utf-8"))

    vendor = [r["prefix"] for r in raw["vendor"]]

    def prefixes(attr: str) -> str:
        return "|".join(re.escape(r["prefix"]) for r in raw["vendor"] if r["attr"] == attr)

    return Rules(
        names=tuple(dict.fromkeys(w.lower() for w in [*vendor, *raw["generic"]])),
        vendor_id=re.compile(f"^(?:{prefixes('id')})"),
        # class prefixes match at the start of any class token
        vendor_class=re.compile(f"(?:^|\\s)(?:{prefixes('class')})"),
        generic=re.compile("|".join(re.escape(w) for w in raw["generic"])),
    )


def _removable(el: HtmlElement) -> bool:
    return isinstance(el.tag, str) and el.tag not in PROTECTED and not HOLDS_ARTICLE(el)


def _about_consent(el: HtmlElement) -> bool:
    text = " ".join(el.itertext())
    return len(text.split()) <= GENERIC_MAX_WORDS and is_consent_phrasing(text, cues())


def _drop(el: HtmlElement) -> None:
    """Remove an element but keep its tail text, which belongs to the parent."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def _match(el: HtmlElement, r: Rules) -> bool:
    ident, klass = el.get("id") or "", el.get("class") or ""
    if r.vendor_id.search(ident) or r.vendor_class.search(klass):
        return _removable(el)
    generic = bool(r.generic.search(f"{ident} {klass}".lower()))
    dialog = el.get("role") in DIALOG_ROLES or el.get("aria-modal") == "true"
    return (generic or dialog) and _removable(el) and _about_consent(el)


def _candidates(tree: HtmlElement, r: Rules) -> list[HtmlElement]:
    blob = "\n".join(VALUES(tree))
    low = blob.lower()
    if len(low) != len(blob):  # a non-ASCII letter changed length: search as written
        low = blob
    spellings: set[str] = set()
    for name in r.names:
        pos = low.find(name)
        while pos >= 0:
            spellings.add(blob[pos : pos + len(name)])
            pos = low.find(name, pos + 1)
    found = [el for s in sorted(spellings) for el in NAMED(tree, name=s)]
    if "dialog" in low or "true" in low:
        found += DIALOGS(tree)
    return found


def strip_consent(tree: HtmlElement) -> int:
    """Remove cookie and consent banners in place; return how many blocks were removed."""
    r = rules()
    found = _candidates(tree, r)
    chosen = [el for el in dict.fromkeys(found) if _match(el, r)]
    # lxml hands back the same proxy while we hold a reference, so a set works
    unique = set(chosen)
    count = 0
    for el in chosen:
        # an element inside another chosen one goes with it; count the outermost only
        if any(a in unique for a in el.iterancestors()):
            continue
        _drop(el)
        count += 1
    return count
