"""Remove boilerplate blocks from extracted text, conservatively, and count what went.

A block is one paragraph or line of the extracted text. Rules look at where a block
sits (the run of blocks at the head or the tail), how long it is and its shape; the
cue phrases in boilerplate.yaml only say what a block talks about. A sentence in the
body of an article that mentions cookies, consent or a photographer stays: the
consent and footer rules only act on the head and tail runs, and the tail run stops
at the first block that looks like article prose.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

from newsflow.extract.notices import notice_kind

TOKEN = re.compile(r"\w+")
EMAIL_OR_HANDLE = re.compile(r"[\w.+-]+@[\w-]+\.\w+|(?<!\w)@\w{2,}")
TERMINAL = tuple('.!?…"”’»)')
COPYRIGHT = re.compile(r"^(?:©|\(c\)|copyright\b)", re.I)
# Size limits, in words. The blocks these rules removed from the 91 dev pages ran
# 1-34 words (median 8) against a median of 23 for kept blocks; each limit leaves
# room above what its kind needed there (the seed article's banner: 27 words).
# PROSE_MIN: a block this long is taken as article prose by the tail rules.
CONSENT_MAX = 90
CREDIT_MAX = 12
COPYRIGHT_MAX = 30
PROMPT_MAX = 35
CAPTION_MAX = 40
HEADER_MAX = 6
FOOTER_MAX = 8
ITEM_MAX = 15
PROSE_MIN = 15
KICKER_MAX = 3
WEAK_RUN = 2


@dataclass(frozen=True)
class Cues:
    consent_topic: tuple[str, ...]
    consent_address: tuple[str, ...]
    consent_action: tuple[str, ...]
    credit_start: tuple[str, ...]
    prompt_start: tuple[str, ...]
    prompt_edge_start: tuple[str, ...]
    self_promotion: tuple[str, ...]
    contact: tuple[str, ...]
    minor: frozenset[str]
    related_start: tuple[str, ...]
    related_header: frozenset[str]
    caption_start: tuple[str, ...]
    caption_end: re.Pattern[str]
    ui_labels: frozenset[str]


@cache
def cues() -> Cues:
    """The cue lists of boilerplate.yaml, loaded once per process."""
    raw = yaml.safe_load(
        resources.files(__package__).joinpath("boilerplate.yaml").read_text("utf-8")
    )
    agencies = "|".join(re.escape(c) for c in raw["caption_end"])
    return Cues(
        consent_topic=tuple(raw["consent_topic"]),
        consent_address=tuple(raw["consent_address"]),
        consent_action=tuple(raw["consent_action"]),
        credit_start=tuple(raw["credit_start"]),
        prompt_start=tuple(raw["prompt_start"]),
        prompt_edge_start=tuple(raw["prompt_edge_start"]),
        self_promotion=tuple(raw["self_promotion"]),
        contact=tuple(raw["contact"]),
        minor=frozenset(raw["title_case_minor"]),
        related_start=tuple(raw["related_start"]),
        related_header=frozenset(raw["related_header"]),
        caption_start=tuple(raw["caption_start"]),
        # the credit must follow a separator ("(", "/", "|", ":", a dash) or the word
        # photo/credit, so "he told Reuters." is not a caption
        caption_end=re.compile(
            rf"(?:[(/|:–—]|\bphoto\b|\bcredit\b|\bvia\b)[^.!?]{{0,60}}?\b(?:{agencies})\)?\s*$",
            re.I,
        ),
        ui_labels=frozenset(raw["ui_labels"]),
    )


def normalize(text: str) -> str:
    """Lower-case word tokens joined by spaces, for comparing titles and leads."""
    return " ".join(TOKEN.findall(text.lower()))


def is_consent_phrasing(block: str, c: Cues) -> bool:
    """Names the topic (cookies, consent), addresses the reader and asks for an action."""
    low = f" {block.lower()} "
    return (
        any(w in low for w in c.consent_topic)
        and any(w in low for w in c.consent_address)
        and any(w in low for w in c.consent_action)
    )


def is_consent(block: str, n: int, c: Cues) -> bool:
    """A consent banner: consent phrasing in a block no longer than a banner."""
    return n <= CONSENT_MAX and is_consent_phrasing(block, c)


def is_caption(block: str, n: int, c: Cues) -> bool:
    """A photo credit or caption line: short, opened by a credit cue or closed by an agency."""
    if n > CAPTION_MAX:
        return False
    # the credit sits at the very end; searching only the last 100 characters keeps
    # this cheap on long blocks
    return block.lower().startswith(c.caption_start) or bool(c.caption_end.search(block[-100:]))


def is_prompt(block: str, n: int, c: Cues, edge: bool) -> bool:
    """A call to share, subscribe or follow, or a 'reach the writer at' line; `edge`
    admits the calls that article bodies also use (click here, listen to)."""
    if n > PROMPT_MAX:
        return False
    low = block.lower()
    if low.startswith(c.prompt_start) or (edge and low.startswith(c.prompt_edge_start)):
        return True
    # both forms hold an "@": testing for it first skips the regex on most blocks
    return "@" in block and bool(EMAIL_OR_HANDLE.search(block)) and any(w in low for w in c.contact)


def is_related(block: str, n: int, c: Cues) -> bool:
    """A pointer to other articles ("Read more: ...", "Related: ...") or a list header."""
    if n <= PROMPT_MAX and block.lower().startswith(c.related_start):
        return True
    return is_header(block, n, c)


def is_header(block: str, n: int, c: Cues) -> bool:
    """The header of a related / most-read list."""
    if n > HEADER_MAX:
        return False
    return (
        " ".join(re.sub(r"[^\w' ]+", " ", block.lower().replace("’", "'")).split())
        in c.related_header
    )


def is_credit(block: str, n: int, c: Cues) -> bool:
    """'Edited by ...', 'Reporting by ...' and the like."""
    return n <= CREDIT_MAX and block.lower().startswith(c.credit_start)


def is_copyright(block: str, n: int) -> bool:
    """'© 2024 Outlet', 'Copyright ...', '... All rights reserved.'"""
    return n <= COPYRIGHT_MAX and (
        bool(COPYRIGHT.match(block)) or "all rights reserved" in block.lower()
    )


def is_footer_shape(block: str, n: int, c: Cues) -> bool:
    """A short title-case line without closing punctuation: an outlet, desk or name line,
    or a bulleted link title; never a line with a handle (a tweet's signature)."""
    if block.startswith(("- ", "• ")):
        block, limit = block[2:], ITEM_MAX
    else:
        limit = FOOTER_MAX
    if n > limit or block.endswith(TERMINAL) or "@" in block:
        return False
    words = [w for w in block.split() if any(ch.isalpha() for ch in w)]
    major = [w for w in words if w.lower() not in c.minor]
    if not major:
        return False
    return sum(w[0].isupper() or not w[0].isalpha() for w in major) / len(major) >= 0.75


def tail_kind(block: str, c: Cues) -> str | None:
    """Kind of a block in the tail run by its cues; shape-only rules are applied apart."""
    n = len(block.split())
    if is_consent(block, n, c):
        return "cookie_banner"
    if is_credit(block, n, c):
        return "footer"
    if is_copyright(block, n):
        return "copyright"
    if is_prompt(block, n, c, edge=True):
        return "prompt"
    if is_caption(block, n, c):
        return "caption"
    if is_related(block, n, c):
        return "related"
    return None


def head_kind(block: str, titles: set[str], c: Cues) -> str | None:
    """Kind of a block in the head run: banners, captions, prompts, repeated titles, bylines."""
    n = len(block.split())
    if titles and normalize(block) in titles:
        return "repeated_lead"
    if is_consent(block, n, c):
        return "cookie_banner"
    if is_caption(block, n, c):
        return "caption"
    if is_prompt(block, n, c, edge=True):
        return "prompt"
    if n <= FOOTER_MAX and block.startswith("By ") and not block.endswith(TERMINAL):
        return "byline"
    return None


def body_kind(block: str, c: Cues) -> str | None:
    """Kind of a block inside the article: only captions, prompts and related pointers."""
    n = len(block.split())
    if is_caption(block, n, c):
        return "caption"
    if n <= PROMPT_MAX - 10 and is_prompt(block, n, c, edge=False):
        low = f" {block.lower()} "
        if any(w in low for w in c.self_promotion):
            return "prompt"
    if is_related(block, n, c):
        return "related"
    return None


def is_kicker(block: str, following: str | None, titles: set[str], labels: set[str]) -> bool:
    """A section label or kicker opening the text: a few words without closing
    punctuation that sat right above the page's h1, or that the headline follows."""
    if len(block.split()) > KICKER_MAX or block.endswith(TERMINAL):
        return False
    key = normalize(block)
    return key in labels or (following is not None and normalize(following) in titles)


def clean_blocks(
    blocks: Iterable[str], titles: Iterable[str] = (), kickers: Iterable[str] = ()
) -> tuple[list[str], Counter[str]]:
    """Drop boilerplate blocks; return the kept blocks in order and removals counted by kind.
    `kickers` are the short labels found above the page's headline (evidence.read_kickers)."""
    c = cues()
    removed: Counter[str] = Counter()
    kept = []
    for b in blocks:
        if b := b.strip():
            # consent notices without markup go wherever they sit (notices.py)
            if kind := notice_kind(b):
                removed[kind] += 1
            else:
                kept.append(b)
    wanted = {normalize(t) for t in titles if t and normalize(t)}
    labels = {normalize(k) for k in kickers if k and normalize(k)}

    while kept:
        following = kept[1] if len(kept) > 1 else None
        if kind := head_kind(kept[0], wanted, c):
            removed[kind] += 1
        elif is_kicker(kept[0], following, wanted, labels):
            removed["kicker"] += 1
        else:
            break
        kept.pop(0)

    # The shape-only rule (short title-case lines: outlet, desk, link titles) needs
    # article prose above it, so a document of short lines is never emptied, and it
    # takes at most WEAK_RUN lines in a row: an outlet footer is a line or two, while
    # a longer run of such lines can be the article's own info box (dates, venue), as
    # on one dev page where an unbounded run cost recall.
    first_prose = next((i for i, b in enumerate(kept) if len(b.split()) >= PROSE_MIN), len(kept))
    weak_run = 0
    while kept:
        kind = tail_kind(kept[-1], c)
        if kind is None and len(kept) - 1 > first_prose and weak_run < WEAK_RUN:
            if is_footer_shape(kept[-1], len(kept[-1].split()), c):
                # a bulleted title is a link list's item; a plain one an outlet/desk line
                kind = "related" if kept[-1].startswith(("- ", "• ")) else "footer"
            weak_run += 1
        elif kind is not None:
            weak_run = 0
        if kind is None:
            break
        removed[kind] += 1
        kept.pop()

    out: list[str] = []
    if kept:
        wanted.add(normalize(kept[0]))
    # normalizing every block cost a third of the cleaner's time; only blocks about as
    # long as a title or the lead can repeat one
    sizes = [len(w) for w in wanted]
    in_list = False
    for i, block in enumerate(kept):
        kind = body_kind(block, c) if i else None
        if kind is None and i and any(0.8 * n <= len(block) <= 1.25 * n + 10 for n in sizes):
            kind = "repeated_lead" if normalize(block) in wanted else None
        if kind is None and in_list and len(block.split()) <= ITEM_MAX and not block.endswith("."):
            kind = "related"
        in_list = kind == "related"
        if kind:
            removed[kind] += 1
        else:
            out.append(block)
    return out, removed
