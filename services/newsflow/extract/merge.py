"""Merge the precision and recall passes block by block, and restore dropped headings.

The precision pass finds where the article is but drops headings, list items and
short paragraphs inside it; the recall pass keeps those and also the page around the
article. The merge keeps every precision block and the recall-only blocks that sit
between the first and last blocks both passes share, i.e. inside the article, minus
the page furniture a recall pass drags in there (gallery counters, "Close", repeated
captions, shouted promo lines).
"""

from __future__ import annotations

import re
from collections import Counter

from lxml.html import HtmlElement

from newsflow.extract.clean import cues

COUNTER = re.compile(r"^(?:image|photo|slide)?\s*\d+\s*(?:of|/)\s*/?\s*\d+$", re.I)
SHOUT_MIN_WORDS = 3
HEADINGS = ("h2", "h3", "h4")
# enough of a heading's next paragraph to recognise it among the extracted blocks;
# a shorter paragraph ("Total reviews: 726") must match a whole block
LEAD_CHARS = 60
LEAD_MIN_CHARS = 15


def _furniture(block: str, seen: Counter[str], labels: frozenset[str]) -> bool:
    """A recall-only block that is page furniture, not article text."""
    if seen[block] > 1:  # a caption or promo repeated in a gallery or carousel
        return True
    bare = block.strip(" .:-•").lower()
    if bare in labels or COUNTER.match(bare):
        return True
    letters = [ch for ch in block if ch.isalpha()]
    upper = sum(ch.isupper() for ch in letters)
    return len(block.split()) >= SHOUT_MIN_WORDS and upper > 0.9 * len(letters)


def merge_passes(precise: list[str], recall: list[str]) -> list[str]:
    """Blocks of the recall pass inside the span the precision pass vouches for.

    When the passes share no block (the precision pass found nothing, or a different
    part of the page), the recall blocks: this runs only when the precision text is
    short of the page's evidence, and on the tune pages the recall text then won.
    """
    precise = [b.strip() for b in precise if b.strip()]
    recall = [b.strip() for b in recall if b.strip()]
    shared = set(precise)
    where = [i for i, b in enumerate(recall) if b in shared]
    if not where:
        return recall
    seen = Counter(recall)
    labels = cues().ui_labels
    first, last = where[0], where[-1]
    return [
        b
        for i, b in enumerate(recall)
        if b in shared or (first < i < last and not _furniture(b, seen, labels))
    ]


def restore_headings(tree: HtmlElement, blocks: list[str]) -> tuple[list[str], int]:
    """Put back the h2-h4 headings the precision pass dropped while keeping the
    paragraph right after them (guides, FAQs, how-tos: their headings are text).
    Each goes just above that paragraph; returns the blocks and how many came back."""
    leads: dict[str, str] = {}
    for h in tree.iter(*HEADINGS):
        title = " ".join(h.text_content().split())
        if not title:
            continue
        # the first sibling with text: an image or embed often sits between the two
        for nxt in h.itersiblings():
            if not isinstance(nxt.tag, str) or nxt.tag in HEADINGS:
                break
            lead = " ".join(nxt.text_content().split())[:LEAD_CHARS]
            if lead:
                if len(lead) >= LEAD_MIN_CHARS:
                    # a lead under two headings ("Pros:") says nothing about either
                    leads[lead] = "" if lead in leads else title
                break
    if not leads:
        return blocks, 0
    out: list[str] = []
    count = 0
    for block in blocks:
        title = leads.get(" ".join(block.split())[:LEAD_CHARS])
        if title and (not out or out[-1] != title):
            out.append(title)
            count += 1
        out.append(block)
    return out, count
