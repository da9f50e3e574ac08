"""Finds the people a parsed sentence counts, and describes each for the learned count head.

A mention is a number phrase ("at least 12", "tens of thousands", "two lakh", "dozens") or a
single person named as the one a casualty word acts on ("a man was shot dead", "the killing of
Kuttinambi": one). Which kind of count a mention is, if any, is decided by count_head.py from the
features here: the words the number's phrase depends on, its noun, and what the regex readings
of counts.py said about the same words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from spacy.tokens import Doc, Token

from newsflow.events import triggers
from newsflow.events.lexicon import cues

# Lemmas whose argument, when it is one person, is counted as one ("a man was killed").
_ONE_OF = {
    "kill",
    "murder",
    "execute",
    "assassinate",
    "lynch",
    "stab",
    "shoot",
    "behead",
    "hang",
    "die",
    "succumb",
    "injure",
    "wound",
    "hurt",
    "arrest",
    "detain",
    "hold",
    "kidnap",
    "abduct",
    "seize",
    "death",
    "killing",
    "assassination",
    "execution",
    "lynching",
    "detention",
    "kidnapping",
    "abduction",
}
_ONE_DEPS = {"nsubjpass", "dobj", "nsubj", "pobj", "poss"}
_MODIFIER = {"nummod", "quantmod", "compound", "amod", "det", "npadvmod"}
_NOT_COUNTS = {"DATE", "TIME", "MONEY", "PERCENT", "QUANTITY", "ORDINAL"}
_INCLUDING = {"including", "among", "of", "from"}


@dataclass
class Mention:
    start: int  # character range within the sentence
    end: int
    value: int
    qualifier: str
    anchor: Token  # the word that carries the phrase's role in the clause
    noun: Token  # the word naming who is counted
    implicit: bool  # a single person, no number written


@cache
def _tables() -> dict[str, object]:
    c = cues()
    words = {**c["numbers"]["exact"], **c["numbers"]["approx"]}
    multipliers = dict(c["numbers"]["multipliers"])
    single = {w: v for w, v in words.items() if " " not in w}
    quals = sorted(
        ((q, k) for k, qs in c["qualifiers"].items() for q in qs), key=lambda x: -len(x[0])
    )
    return {
        "words": single,
        "phrases": {w: v for w, v in words.items() if " " in w},
        "phrase_starts": {w.split()[0] for w in words if " " in w},
        "approx": set(c["numbers"]["approx"]),
        "multipliers": multipliers,
        "qualifiers": quals,
        "not_people": set(c["not_people"]) | {w.lower() for w in c["weapons"]},
        "responders": set(c["responders"]),
        # single casualty words by kind, surface forms and lemmas alike ("killed", "kill")
        "cue_words": {
            kind: {
                w
                for w in [*c["casualties"].get(kind, []), *c["verbs_before"].get(kind, [])]
                if " " not in w
            }
            for kind in c["casualties"]
        },
    }


_DIGITS = re.compile(r"^\d{1,3}(?:,\d{3})+$|^\d+(?:\.\d+)?$")


def _is_number(tok: Token) -> bool:
    t = _tables()
    low = tok.lower_
    return bool(_DIGITS.match(low)) or low in t["words"] or low in t["multipliers"]  # type: ignore[operator]


def value_of(words: list[str]) -> tuple[int, bool] | None:
    """(value, approximate) of number words: "two lakh", "tens of thousands", "1,500"."""
    t = _tables()
    phrase = " ".join(words).lower()
    if phrase in t["phrases"]:  # type: ignore[operator]
        return int(t["phrases"][phrase]), phrase in t["approx"]  # type: ignore[index,operator]
    total = current = 0.0
    approx = False
    for w in phrase.replace(",", "").replace("-", " ").split():
        scale = t["multipliers"].get(w)  # type: ignore[attr-defined]
        if w in ("of", "and"):
            continue
        if w in ("a", "an"):
            current = current or 1
        elif re.fullmatch(r"\d+(?:\.\d+)?", w):
            current += float(w)
        elif scale and current:  # "two lakh", "tens of thousands", "one hundred"
            if scale >= 1000:
                total, current = total + current * scale, 0.0
            else:
                current *= scale
        elif w in t["words"]:  # type: ignore[operator]
            current += t["words"][w]  # type: ignore[index]
            approx = approx or w in t["approx"]  # type: ignore[operator]
        elif scale:
            current += scale
        else:
            return None
    value = int(total + current)
    return (value, approx) if value else None


def _qualifier(doc: Doc, first: Token) -> tuple[int, str]:
    """Start of a qualifier right before the number ("at least", "more than") and its kind."""
    before = doc.text[max(0, first.idx - 24) : first.idx].lower()
    for q, kind in _tables()["qualifiers"]:  # type: ignore[attr-defined]
        if before.endswith(q + " "):
            return first.idx - len(q) - 1, kind
    return first.idx, ""


def _runs(doc: Doc) -> list[list[Token]]:
    """Maximal runs of number words, joined by "of", "-" or "a" ("tens of thousands")."""
    runs: list[list[Token]] = []
    i = 0
    phrases = _tables()["phrases"]
    starts = _tables()["phrase_starts"]
    text = doc.text
    while i < len(doc):
        tok = doc[i]
        fixed = 0
        if tok.lower_ in starts:  # type: ignore[operator]
            fixed = next(
                (
                    k
                    for k in (3, 2)
                    if i + k <= len(doc)
                    and text[tok.idx : doc[i + k - 1].idx + len(doc[i + k - 1])].lower() in phrases  # type: ignore[operator]
                ),
                0,
            )
        if fixed:  # "a few", "half a dozen", "a couple of"
            runs.append(list(doc[i : i + fixed]))
            i += fixed
            continue
        if not _is_number(tok) or tok.lower_ in ("a", "an"):
            # "a dozen", "a few", "a lakh": the article starts the number
            if tok.lower_ in ("a", "an") and i + 1 < len(doc) and _is_number(doc[i + 1]):
                pass
            else:
                i += 1
                continue
        run = [tok]
        j = i + 1
        while j < len(doc):
            nxt = doc[j]
            if (_is_number(nxt) and nxt.lower_ not in ("a", "an")) or (
                nxt.lower_ in ("of", "-", "a")
                and j + 1 < len(doc)
                and _is_number(doc[j + 1])
                and doc[j + 1].lower_ not in ("a", "an")
            ):
                run.append(nxt)
            else:
                break
            j += 1
        runs.append(run)
        i = j
    return runs


def _noun(anchor: Token) -> Token:
    """Who a number counts: the noun it modifies, or the object of its "of" ("hundreds of
    members")."""
    for c in anchor.children:
        if c.dep_ == "prep" and c.lower_ == "of":
            objs = [g for g in c.children if g.dep_ == "pobj"]
            if objs:
                return objs[0]
    return anchor


def find(doc: Doc) -> list[Mention]:
    """The count mentions of one parsed sentence, in order."""
    t = _tables()
    out: list[Mention] = []
    taken: set[int] = set()
    for run in _runs(doc):
        words = [x.text for x in run]
        parsed = value_of(words)
        if parsed is None or any(x.ent_type_ in _NOT_COUNTS for x in run):
            continue  # "in 2019", "three weeks", "$5 million", "40 percent"
        last = run[-1]
        ids = {x.i for x in run}
        root = next((x for x in run if x.head.i not in ids), last)
        anchor = root.head if root.dep_ in _MODIFIER and root.head.i != root.i else root
        start, qual = _qualifier(doc, run[0])
        out.append(
            Mention(
                start=start,
                end=last.idx + len(last),
                value=parsed[0],
                qualifier=qual or ("approx" if parsed[1] else "exact"),
                anchor=anchor,
                noun=_noun(anchor),
                implicit=False,
            )
        )
        taken.update(x.i for x in run)
        taken.add(anchor.i)
    for tok in doc:
        if tok.i in taken or tok.dep_ not in _ONE_DEPS or tok.tag_ not in ("NN", "NNP"):
            continue
        if tok.dep_ == "pobj" and tok.head.lower_ != "of":
            continue  # "the death of X" counts X; "shot in the market" does not count a market
        gov = tok.head.head if tok.dep_ == "pobj" else tok.head
        if tok.lower_ in t["not_people"] or gov.lemma_.lower() not in _ONE_OF:  # type: ignore[operator]
            continue
        conj = [c for c in tok.conjuncts if c.tag_ in ("NN", "NNP")]
        first = min([tok, *conj], key=lambda x: x.i)
        last = max([tok, *conj], key=lambda x: x.i)
        out.append(
            Mention(
                start=first.left_edge.idx,
                end=last.idx + len(last),
                value=1 + len(conj),
                qualifier="exact",
                anchor=tok,
                noun=tok,
                implicit=True,
            )
        )
    return sorted(out, key=lambda m: m.start)


def people(m: Mention) -> bool:
    """False when the counted noun is a weapon or a thing: those are never casualties."""
    return m.noun.lower_ not in _tables()["not_people"]  # type: ignore[operator]


def cue_tokens(doc: Doc) -> dict[str, list[Token]]:
    """The sentence's casualty words by kind, and its trigger words by PLOVER type."""
    out: dict[str, list[Token]] = {}
    for kind, words in _tables()["cue_words"].items():  # type: ignore[attr-defined]
        toks = [t for t in doc if t.lower_ in words or t.lemma_.lower() in words]
        if toks:
            out[kind] = toks
    for m in triggers.find(doc):
        out.setdefault(f"T:{m.sense.type}", []).append(m.token)
    return out


def _path(a: Token, b: Token) -> tuple[int, str]:
    """Edges from `a` up to the common ancestor and down to `b`, and their labels."""
    up = [a, *a.ancestors]
    at = {t.i: k for k, t in enumerate(up)}
    down = [b, *b.ancestors]
    for k, t in enumerate(down):
        if t.i in at:
            ups = [x.dep_ for x in up[: at[t.i]]]
            downs = [x.dep_ for x in reversed(down[:k])]
            return len(ups) + len(downs), "/".join(ups) + "|" + "/".join(downs)
    return 99, "none"


def responder(m: Mention) -> bool:
    """Rescuers, medics, police and the like: counted only as casualties, never as a crowd."""
    return m.noun.lower_ in _tables()["responders"]  # type: ignore[operator]


def features(
    m: Mention, regex_kinds: set[str], first: bool, cues_at: dict[str, list[Token]]
) -> dict[str, float]:
    """Binary features of one mention; `regex_kinds`, the kinds counts.py's regexes read on the
    same words; `first`, no earlier number mention in the sentence; `cues_at`, cue_tokens()."""
    a, n = m.anchor, m.noun
    head = a.head
    hl = head.lemma_.lower()
    form = (
        "implicit"
        if m.implicit
        else ("digits" if m.value and a.doc.text[m.start : m.end][-1:].isdigit() else "words")
    )
    if n.pos_ == "PROPN":
        nl = f"ent:{n.ent_type_ or 'propn'}"
    elif n.like_num or _is_number(n):
        nl = "#number"  # the number stands alone: "55, including children, injured"
    else:
        nl = n.lemma_.lower()
    # The word the phrase is an argument of, through a preposition: "rise to 13", "death of X".
    gov, prep = (head.head, head.lower_) if a.dep_ == "pobj" else (head, "-")
    gl = gov.lemma_.lower()
    out = {
        "bias": 1.0,
        f"form:{form}": 1.0,
        f"qual:{m.qualifier}": 1.0,
        f"noun:{nl}": 1.0,
        f"noun_pos:{n.pos_}": 1.0,
        f"dep:{a.dep_}": 1.0,
        f"head:{hl}": 1.0,
        f"dep:{a.dep_}|head:{hl}": 1.0,
        f"form:{form}|dep:{a.dep_}|head:{hl}": 1.0,
        f"head_pos:{head.pos_}|dep:{a.dep_}": 1.0,
        f"first:{first}": 1.0,
        f"gov:{gl}": 1.0,
        f"gov:{gl}|prep:{prep}": 1.0,
        f"gov:{gl}|noun:{nl}": 1.0,
        f"form:{form}|gov:{gl}": 1.0,
        f"people:{people(m)}": 1.0,
        # rescuers and police are counted only when something happened to them
        f"responder:{responder(m)}": 1.0,
        f"big:{min(len(str(m.value)), 5)}": 1.0,
    }
    for k in regex_kinds or {"none"}:
        out[f"rx:{k}"] = 1.0
        out[f"rx:{k}|form:{form}"] = 1.0
    up = head
    for depth in range(3):
        out[f"anc:{up.lemma_.lower()}"] = 1.0
        if depth and up.lower_ in _INCLUDING:
            out[f"under:{up.lower_}"] = 1.0
        if up.head.i == up.i:
            break
        up = up.head
    for c in [*a.children, *n.children]:
        if c.dep_ in ("acl", "amod", "relcl", "conj", "appos", "prep") and c.i != n.i:
            out[f"kid:{c.dep_}:{c.lemma_.lower()}"] = 1.0
    if head.dep_ == "conj" or a.dep_ == "conj":
        out[f"conj_head:{head.head.lemma_.lower()}"] = 1.0
    for cls, toks in cues_at.items():
        # how the counted phrase hangs from the nearest casualty word or trigger of each kind
        d, path = min((_path(a, t) for t in toks if t.i != a.i), default=(99, "none"))
        if d == 99 and a.i in {t.i for t in toks}:
            d, path = 0, "self"
        out[f"near:{cls}|{min(d, 5)}"] = 1.0
        out[f"near:{cls}|{min(d, 5)}|form:{form}"] = 1.0
        if d <= 3:
            out[f"near:{cls}|{path}"] = 1.0
            out[f"near:{cls}|dep:{a.dep_}"] = 1.0
    doc = a.doc
    lo, hi = min(a.i, n.i), max(a.i, n.i)
    for t in doc[max(0, lo - 3) : lo]:
        out[f"left:{t.lemma_.lower()}"] = 1.0
    for t in doc[hi + 1 : hi + 4]:
        out[f"right:{t.lemma_.lower()}"] = 1.0
    return out
