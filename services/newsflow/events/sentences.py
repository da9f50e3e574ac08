"""Splits article text into sentences with character offsets, and picks the ones worth parsing.

Splitting is a regex pass, not spaCy's senter: it is two orders of magnitude cheaper and the
parser only sees the candidates (docs/performance.md: most sentences carry no codable event).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from newsflow.events.lexicon import triggers

# Abbreviations after which a full stop does not end a sentence.
_ABBREV = {
    "mr",
    "mrs",
    "ms",
    "dr",
    "st",
    "lt",
    "gen",
    "col",
    "maj",
    "capt",
    "sgt",
    "gov",
    "sen",
    "rep",
    "u.s",
    "u.n",
    "u.k",
    "jan",
    "feb",
    "mar",
    "apr",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "no",
    "vs",
    "inc",
    "co",
    "corp",
    "jr",
    "sr",
    "prof",
    "rev",
    "adm",
    "cmdr",
}
_END = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9])")
_WORD = re.compile(r"[a-z]+(?:-[a-z]+)*")
# A wire dateline before the first sentence ("HANOI, Vietnam (AP) — "): a place and an agency,
# not part of the sentence; left in, its place names become the speaker's country.
_DATELINE = re.compile(
    r"(?:[A-Z][A-Z.'-]+ ?){1,4}(?:(?:, [A-Z][\w.' -]{1,30})?\s*\([A-Za-z .]{2,20}\)|, [A-Z][\w.' -]{1,30})\s*[—–-]{1,2}\s+"
)
# Sentences longer than this are cut: a missing full stop must not make one huge parse.
MAX_SENTENCE = 1200


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str


def split(text: str) -> Iterator[Sentence]:
    """Yield sentences in order; text[s.start:s.end] == s.text, stripped of outer whitespace."""
    for para in re.finditer(r"[^\n]+", text):
        yield from _split_paragraph(text, para.start(), para.end())


def _split_paragraph(text: str, start: int, end: int) -> Iterator[Sentence]:
    cursor = start
    for m in _END.finditer(text, start, end):
        word = re.search(r"([\w.]+)[.!?]*$", text[cursor : m.start() + 1])
        if word and word.group(1).lower().rstrip(".") in _ABBREV:
            continue
        if word and re.fullmatch(r"[A-Z]", word.group(1).rstrip(".")):
            continue  # an initial such as "J. Smith"
        yield from _emit(text, cursor, m.end())
        cursor = m.end()
    yield from _emit(text, cursor, end)


def _emit(text: str, start: int, end: int) -> Iterator[Sentence]:
    while start < end and text[start].isspace():
        start += 1
    dateline = _DATELINE.match(text, start, end)
    if dateline and dateline.end() < end:
        start = dateline.end()
    while end > start and text[end - 1].isspace():
        end -= 1
    while end - start > MAX_SENTENCE:
        cut = text.rfind(" ", start, start + MAX_SENTENCE)
        cut = cut if cut > start else start + MAX_SENTENCE
        yield Sentence(start, cut, text[start:cut])
        start = cut + 1
    if end - start >= 12:
        yield Sentence(start, end, text[start:end])


def is_candidate(sentence: Sentence) -> bool:
    """True when the sentence holds a trigger form whose conditions could hold (regex, no parse)."""
    lex = triggers()
    lower = sentence.text.lower()
    for word in _WORD.findall(lower):
        for key in lex.forms.get(word, ()):
            if " " in key:
                # a phrase: its other words must occur somewhere in the sentence
                if all(w == "*" or w[:4] in lower for w in key.split()[1:]):
                    return True
                continue
            for sense in lex.lemmas[key]:
                if not sense.near or any(w[:4] in lower for w in sense.near):
                    return True
    return False
