"""Reads casualty, arrest and weapon counts from a sentence with regular expressions.

A number becomes a casualty count only when a casualty word is bound to it ("four others
wounded", "killing 12", "the death of one"); numbers of weapons, rescuers, durations and ages
are never casualties. Weapons shot down become `intercepted`, the salvo they came from
`launched`. Offsets in the returned spans are into the article text.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

from spacy.tokens import Doc

from newsflow.events import count_head
from newsflow.events.lexicon import cues
from newsflow.models import Count, Span


@cache
def _patterns() -> dict[str, object]:
    c = cues()
    words = {**c["numbers"]["exact"], **c["numbers"]["approx"]}
    word_alt = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    num = rf"(?:\d{{1,3}}(?:,\d{{3}})+|\d+|(?:{word_alt})(?:[- ](?:{word_alt}))?)"
    qual = "|".join(
        re.escape(q) for qs in c["qualifiers"].values() for q in sorted(qs, key=len, reverse=True)
    )
    number = rf"(?P<qual>(?:{qual})\s+)?(?P<num>{num})"
    after = {k: "|".join(re.escape(w) for w in v) for k, v in c["casualties"].items()}
    before = {k: "|".join(re.escape(w) for w in v) for k, v in c["verbs_before"].items()}
    weapons = "|".join(re.escape(w) for w in c["weapons"])
    crowd = "|".join(re.escape(w) for w in c["crowd"])
    return {
        "words": words,
        "approx_words": set(c["numbers"]["approx"]),
        "qualifiers": {q: k for k, qs in c["qualifiers"].items() for q in qs},
        "not_people": set(c["not_people"]) | set(c["responders"]),
        # "four others wounded", "24 people were killed", "one deceased"
        "after": {
            k: re.compile(
                rf"\b{number}(?P<mid>(?:\s+[\w.'’-]+){{0,3}}?)\s+(?:(?:were|was|have been|has been|had been|are|is|been|being|reported)\s+)?(?:{v})\b",
                re.I,
            )
            for k, v in after.items()
        },
        # "killing at least 156 people"
        "before": {
            k: re.compile(rf"\b(?:{v})\s+{number}\b(?=(?P<rest>(?:\s+[\w.'’-]+){{0,3}}))", re.I)
            for k, v in before.items()
        },
        "toll": re.compile(
            rf"\b(?:death toll|deaths? of|toll)\b(?:\s+\w+){{0,2}}?\s+(?:to|at|of|reached|stood at|stands at)?\s*{number}\b",
            re.I,
        ),
        "intercept": re.compile(
            r"\b(?:downed|shot down|intercepted|destroyed|neutralised|neutralized)\b(?P<list>[^.;:]*)",
            re.I,
        ),
        "item": re.compile(
            rf"{number}(?:\s+of\s+(?:the\s+)?(?P<total>\d[\d,]*|\w+))?\s+(?:[\w-]+\s+){{0,2}}?(?P<weapon>{weapons})\b",
            re.I,
        ),
        # "More than 20 associate degree students", "500 to 600 other Tibetans"
        "crowd": re.compile(
            rf"\b{number}(?:\s+to\s+[\d,]+)?(?:\s+[\w-]+){{0,2}}?\s+(?:{crowd})\b", re.I
        ),
        "launch": re.compile(
            rf"\b(?:launched|fired)\s+{number}\s+(?:[\w-]+\s+){{0,2}}?(?P<weapon>{weapons})\b", re.I
        ),
    }


def value(token: str) -> tuple[int, bool] | None:
    """(value, approximate) of a number written in digits or words, or None."""
    p = _patterns()
    t = token.lower().replace(",", "")
    if t.isdigit():
        return int(t), False
    total, approx = 0, False
    for part in re.split(r"[- ]", t):
        if part not in p["words"]:  # type: ignore[operator]
            return None
        v = p["words"][part]  # type: ignore[index]
        approx = approx or part in p["approx_words"]  # type: ignore[operator]
        total = total * v if v in (100, 1000) and total else total + v
    return total, approx


def _qualifier(qual: str | None, approx: bool) -> str:
    if qual:
        return _patterns()["qualifiers"].get(qual.strip().lower(), "exact")  # type: ignore[union-attr]
    return "approx" if approx else "exact"


def _people(words: str) -> bool:
    """False when the words between number and verb name things, not people."""
    banned = _patterns()["not_people"]
    if re.search(r"\b(?:and|or|but)\b|[,;]", words):
        return False  # the number and the verb belong to different phrases
    return not any(w.strip(".,").lower() in banned for w in words.split())  # type: ignore[operator]


def find(text: str, offset: int) -> list[Count]:
    """Counts in a sentence; `offset` is the sentence's start in the article."""
    return list(_find(text, offset))


def read(text: str, offset: int, doc: Doc) -> list[Count]:
    """Counts in a parsed sentence: interceptions and launches from the regexes, people counted
    by the learned head (count_head.py) where it is shipped, else by the regexes too."""
    head = count_head.default()
    regex = find(text, offset)
    if head is None:
        return regex
    memo = doc.user_data.setdefault("newsflow.counts", {})
    key = (offset, id(head))
    if key not in memo:  # the drafts, the vetoes and the anchors of one sentence all ask
        weapons = [c for c in regex if c.kind in count_head.WEAPON_KINDS]
        memo[key] = sorted(weapons + head.read(doc, regex, offset), key=lambda c: c.span.start)
    return list(memo[key])


class _Found:
    """The counts of one sentence as they are read: first reading of a span wins."""

    def __init__(self, offset: int) -> None:
        self.offset = offset
        self.items: list[tuple[int, int, Count]] = []

    def add(
        self,
        kind: str,
        m: re.Match[str],
        obj: str | None = None,
        forced: tuple[int, str] | None = None,
    ) -> None:
        if forced:
            val, qualifier = forced
        else:
            parsed = value(m.group("num"))
            if parsed is None or (m.group("num").lower() in ("a", "an") and kind != "killed"):
                return
            val, qualifier = parsed[0], _qualifier(m.group("qual"), parsed[1])
        if any(s < m.end() and m.start() < e for s, e, _ in self.items):
            return
        count = Count(
            kind=kind,  # type: ignore[arg-type]
            value=val,
            qualifier=qualifier,  # type: ignore[arg-type]
            object=obj,
            text=m.group(0),
            span=Span(start=self.offset + m.start(), end=self.offset + m.end()),
        )
        self.items.append((m.start(), m.end(), count))

    def replace_overlaps(self, whole: re.Match[str], total: int, obj: str) -> None:
        """One interception claim over a list of weapons: its launched counts stay after it."""
        inside = [f for f in self.items if f[0] < whole.end() and whole.start() < f[1]]
        self.items = [f for f in self.items if f not in inside]
        self.add("intercepted", whole, obj, (total, "exact"))
        self.items.extend(inside)

    def counts(self) -> tuple[Count, ...]:
        return tuple(c for _, _, c in sorted(self.items, key=lambda f: f[0]))


@lru_cache(maxsize=32)
def _find(text: str, offset: int) -> tuple[Count, ...]:
    # Cached: the drafts, the vetoes and the anchors of one sentence all ask for its counts.
    p = _patterns()
    found = _Found(offset)
    _intercepts(text, p, found)
    for kind, rx in p["before"].items():  # type: ignore[union-attr]
        for m in rx.finditer(text):
            if _people(re.split(r"\s(?:and|or|but)\b|[,;]", m.group("rest"))[0]):
                found.add(kind, m)
    for kind, rx in p["after"].items():  # type: ignore[union-attr]
        for m in rx.finditer(text):
            if _people(m.group("mid")):
                found.add(kind, m)
    for m in p["toll"].finditer(text):  # type: ignore[union-attr]
        found.add("killed", m)
    for m in p["crowd"].finditer(text):  # type: ignore[union-attr]
        found.add("other", m)  # after the casualty kinds: "20 students were killed" stays killed
    return found.counts()


def _intercepts(text: str, p: dict[str, object], found: _Found) -> None:
    for m in p["launch"].finditer(text):  # type: ignore[union-attr]
        parsed = value(m.group("num"))
        if parsed:
            found.add(
                "launched",
                m,
                m.group("weapon").lower(),
                (parsed[0], _qualifier(m.group("qual"), parsed[1])),
            )
    for m in p["intercept"].finditer(text):  # type: ignore[union-attr]
        items = list(p["item"].finditer(text, m.start("list"), m.end("list")))  # type: ignore[union-attr]
        if not items:
            continue
        total, objects = 0, []
        for it in items:
            parsed = value(it.group("num"))
            if parsed is None:
                continue
            total += parsed[0]
            weapon = it.group("weapon").lower()
            objects.append(weapon)
            if it.group("total"):
                launched = value(it.group("total"))
                if launched:
                    found.add("launched", it, weapon, (launched[0], "exact"))
        span = re.search(r".*", text[items[0].start() : items[-1].end()])
        whole = re.compile(re.escape(span.group(0))).search(text, items[0].start())  # type: ignore[union-attr]
        if total and whole:
            found.replace_overlaps(whole, total, " and ".join(dict.fromkeys(objects)))
