"""Consent notices that carry no consent-manager markup, found by their wording.

Two kinds, in English, German, French, Spanish and Italian (notices.yaml):
- a cookie paragraph in the site's own voice, opening a sentence ("We use cookies
  ...", "Diese Website verwendet ..."), that offers a choice (accept, refuse, settings);
- the placeholder of an embed blocked until consent ("An dieser Stelle finden Sie
  einen externen Inhalt ...", "Click to load external content"), which speaks to
  the reader or in the reader's voice.
Both must be short, and a block that quotes someone is never a notice, so an
article about cookie law or privacy keeps its paragraphs: it speaks of sites in the
third person, and quotes a site's banner only inside quotation marks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

# A consent notice ran 12-70 words on the pages that leaked one; a blocked-embed
# placeholder is one or two sentences. Longer blocks are article prose.
NOTICE_MAX_WORDS = 90
EMBED_MAX_WORDS = 60
QUOTES = ('"', "“", "”", "„", "«", "»")


@dataclass(frozen=True)
class NoticeCues:
    site_voice: re.Pattern[str]
    choice: tuple[str, ...]
    embed_topic: tuple[str, ...]
    embed_action: tuple[str, ...]
    embed_reader: re.Pattern[str]


@cache
def notice_cues() -> NoticeCues:
    """The cue lists of notices.yaml, loaded once per process."""
    raw = yaml.safe_load(resources.files(__package__).joinpath("notices.yaml").read_text("utf-8"))
    # the site's voice opens a sentence: "The banner read: we use cookies ..." is a report
    voice = "|".join(re.escape(w) for w in raw["site_voice"])
    return NoticeCues(
        re.compile(rf"(?:^|[.!?]\s+)(?:{voice})"),
        *(tuple(raw[k]) for k in ("choice", "embed_topic", "embed_action")),
        re.compile(rf"\b(?:{'|'.join(re.escape(w) for w in raw['embed_reader'])})\b"),
    )


def notice_kind(block: str) -> str | None:
    """'cookie_banner' or 'consent_embed' when the block is such a notice, else None."""
    n = len(block.split())
    if n > NOTICE_MAX_WORDS or any(q in block for q in QUOTES):
        return None
    low = block.lower()
    c = notice_cues()
    if c.site_voice.search(low) and any(w in low for w in c.choice):
        return "cookie_banner"
    if n > EMBED_MAX_WORDS or not any(w in low for w in c.embed_topic):
        return None
    placeholder = any(w in low for w in c.embed_action) and c.embed_reader.search(low)
    return "consent_embed" if placeholder else None
