"""Resolves where an event happened from the place names in its sentence.

Candidates are spaCy GPE/LOC/FAC entities plus "X region/oblast/province" phrases. The most
precise surviving candidate wins (city > admin1 > country), so a city wins over its region only
when the city itself is named, and "Chernihiv region" is the oblast, not the city. Skipped:
places in relative references ("north of Kyiv"), places inside the actor's own words
("Ukraine's air force"), and cities inside organisation or event names ("Munich Security
Conference"), which only meetings may use. Returns None when nothing resolves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from newsflow.events.classify import QUAD
from newsflow.events.gazetteer import (
    City,
    country_name,
    find_names,
    subdivision,
    subdivision_anywhere,
    tables,
)
from newsflow.models import Location

_REGION = re.compile(
    r"\b((?:[A-Z][\w'’-]+ ){0,2}[A-Z][\w'’-]+) (region|oblast|province|governorate|state|district|prefecture)\b"
)
_RELATIVE = re.compile(
    r"\b(?:north|south|east|west|north-?east|north-?west|south-?east|south-?west)(?:ern)? of\s*$|\b(?:km|kilometres|kilometers|miles) (?:from|of)\s*$",
    re.IGNORECASE,
)
_BORDER = re.compile(r"\b(?:across|over|into|beyond) the (\w+) border\b")
_PRECISION = {"site": 0, "city": 0, "admin1": 1, "country": 2}
# Event types that may take their place from a meeting named after a city.
MEETING_TYPES = {"CONSULT", "AGREE", "SUPPORT", "COOPERATE"}
# A lone proper noun the model did not tag as a place must be a city this big (or a capital):
# small towns share names with people.
STRICT_POPULATION = 200_000
LOCATIVE = {
    "in",
    "near",
    "on",
    "at",
    "outside",
    "into",
    "around",
    "across",
    "from",
    "upon",
    "inside",
    "to",
}
# Clauses that describe something else ("an American detained in Russia"): a place inside one
# is not where an event outside it happened.
_SUBCLAUSE = {"acl", "relcl", "appos"}
# "Kherson city", "Gaza town": a name on a place noun is still the place
_PLACE_NOUNS = {"city", "town", "village", "port", "capital", "suburb", "outskirts", "district"}
# Verbs whose object is the place itself: "visited Kyiv", "entered Gaza".
_PLACE_VERBS = {
    "visit",
    "tour",
    "enter",
    "reach",
    "leave",
    "cross",
    "invade",
    "occupy",
    "capture",
    "seize",
}


def metonym(root: Token, event_type: str) -> bool:
    """A capital or country standing for its government, not a place: "Moscow said", "talks with
    Kyiv", "accused Washington". A place that is hit ("shelled Kharkiv") stays a place."""
    material = QUAD[event_type] == 4
    if root.dep_ == "dobj" and root.head.lemma_.lower() in _PLACE_VERBS:
        return False
    if root.dep_ in ("nsubj", "agent") or (
        root.dep_ in ("nsubjpass", "dobj", "dative") and not material
    ):
        return True
    if root.dep_ == "pobj" and root.head.dep_ == "agent":
        return True  # "was arrested by Minsk"
    preps = {"with", "by", "between"} | (set() if material else {"against", "for"})
    return root.dep_ == "pobj" and root.head.lower_ in preps


def elsewhere(root: Token, trigger: Token | None) -> bool:
    """True when the place sits in a descriptive clause that does not hold the trigger."""
    if trigger is None:
        return False
    for a in [root, *root.ancestors]:
        if a.dep_ in _SUBCLAUSE and trigger not in list(a.subtree):
            return True
    return False


@dataclass(frozen=True)
class Candidate:
    start: int  # offsets within the sentence
    end: int
    location: Location


def _city(text: str, city: City) -> Location:
    sub = subdivision(city.country, city.name)
    return Location(
        text=text,
        name=city.name,
        country=city.country,
        admin1=sub[0] if sub else None,
        geonameid=city.geonameid,
        lat=city.lat,
        lon=city.lon,
        precision="city",
    )


def _country(text: str, alpha3: str) -> Location:
    return Location(
        text=text,
        name=country_name(alpha3),
        country=alpha3,
        geonameid=tables().country_geonameid.get(alpha3),
        precision="country",
    )


def region(text: str, stem: str, hint: str | None = None) -> Location | None:
    """An admin1 Location for "Stem region", in the country of a namesake city or `hint`."""
    city = tables().cities.get(stem)
    countries = [c for c in (hint, city.country if city else None) if c]
    for country in countries:
        sub = subdivision(country, stem)
        if sub:
            return Location(
                text=text, name=sub[1], country=country, admin1=sub[0], precision="admin1"
            )
    anywhere = subdivision_anywhere(stem)
    if anywhere:
        return Location(
            text=text, name=anywhere[2], country=anywhere[0], admin1=anywhere[1], precision="admin1"
        )
    return None


def article_regions(text: str) -> list[Location]:
    """Every "X region" the article names, resolved, for refining country-level places."""
    out = []
    for m in _REGION.finditer(text):
        stem = m.group(1).split()[-1]
        loc = region(m.group(0), stem)
        if loc is not None:
            out.append(loc)
    return out


def candidates(
    doc: Doc, event_type: str, exclude: list[tuple[int, int]], trigger: Token | None = None
) -> list[Candidate]:
    text = doc.text
    found, containers = _sentence_places(doc)
    out = list(found)
    regions = [(c.start, c.end) for c in found]
    for ent in _place_like(doc):
        s, e = ent.start_char, ent.end_char
        root = ent.root
        if (
            root.dep_ in ("compound", "amod", "poss", "nmod")
            and root.head.pos_ in ("NOUN", "PROPN")
            and (root.head.ent_type_ != root.ent_type_ or root.head.ent_type_ == "")
            and root.head.lemma_.lower() not in _PLACE_NOUNS
        ):
            continue  # "US envoy", "Kyiv's mayor": a place describing someone, not where
        placey = ent.label_ in ("GPE", "LOC") or len(ent) == 1
        if placey and (metonym(root, event_type) or elsewhere(root, trigger)):
            continue
        if any(a <= s and e <= b for a, b in regions + exclude):
            continue
        if _RELATIVE.search(text[max(0, s - 30) : s]):
            continue
        if ent.label_ in ("GPE", "LOC") or len(ent) == 1:
            if any(a <= s and e <= b and (a, b) != (s, e) for a, b in containers):
                continue
            # After "in/near/on ..." a lone proper noun is a place whatever the model labelled it.
            locative = (ent.root.dep_ == "pobj" and ent.root.head.lower_ in LOCATIVE) or (
                ent.root.dep_ == "compound" and ent.root.head.lemma_.lower() in _PLACE_NOUNS
            )
            loc = _resolve(ent.text, strict=ent.label_ not in ("GPE", "LOC") and not locative)
            if loc is not None:
                out.append(Candidate(s, e, loc))
        elif ent.label_ in ("ORG", "EVENT", "FAC") and event_type in MEETING_TYPES:
            # "the Munich Security Conference": a meeting may be placed in the city it is named after
            first = ent.text.removeprefix("the ").split()[0]
            city = tables().cities.get(first)
            if city is not None:
                out.append(Candidate(s, e, _city(first, city)))
    for m in _BORDER.finditer(text):
        names = [n for _, _, n in find_names(m.group(1)) if n.country]
        if names:
            out.append(Candidate(m.start(), m.end(), _country(m.group(0), names[0].country)))
    return out


def _sentence_places(doc: Doc) -> tuple[list[Candidate], list[tuple[int, int]]]:
    """The sentence's "X region" places and multi-word names that may contain a place; once
    per sentence, since every trigger of it asks."""
    cached = doc.user_data.get("newsflow.regions")
    if cached is None:
        found = []
        for m in _REGION.finditer(doc.text):
            loc = region(m.group(0), m.group(1).split()[-1])
            if loc is not None:
                found.append(Candidate(m.start(), m.end(), loc))
        containers = [
            (e.start_char, e.end_char)
            for e in doc.ents
            if e.label_ in ("ORG", "EVENT", "PERSON", "WORK_OF_ART", "FAC") and len(e) > 1
        ]
        cached = doc.user_data["newsflow.regions"] = (found, containers)
    return cached


def _place_like(doc: Doc) -> list[Span]:
    """Entities, plus lone proper nouns the small model left untagged or mislabelled; once per
    sentence, since every trigger of it asks."""
    cached = doc.user_data.get("newsflow.place_like")
    if cached is None:
        cached = doc.user_data["newsflow.place_like"] = _find_place_like(doc)
    return cached


def _find_place_like(doc: Doc) -> list[Span]:
    out = [
        e
        for e in doc.ents
        if e.label_ in ("GPE", "LOC", "ORG", "EVENT", "FAC")
        or (e.label_ in ("PERSON", "LANGUAGE", "PRODUCT", "WORK_OF_ART", "NORP") and len(e) == 1)
    ]
    covered = {i for e in doc.ents for i in range(e.start, e.end)}
    out += [doc[t.i : t.i + 1] for t in doc if t.pos_ == "PROPN" and t.i not in covered]
    return out


def _resolve(name: str, *, strict: bool = False) -> Location | None:
    """Country or city for a name; `strict` (not tagged as a place) admits only big cities."""
    clean = re.sub(r"^the\s+", "", name, flags=re.IGNORECASE)
    names = find_names(clean)
    if any(n.kind == "demonym" and e - s == len(clean) for s, e, n in names):
        return None  # "Russian" is a nationality, never a place
    found = [n for _, _, n in names if n.kind in ("country", "capital") and n.country]
    if found and found[0].kind == "country" and len(clean) <= len(found[0].name) + 4:
        return _country(name, found[0].country)
    # "Kherson city" is Kherson; "Gaza City" and "Mexico City" are names of their own
    city = tables().cities.get(clean) or tables().cities.get(
        re.sub(r"\s+(?:city|town)$", "", clean, flags=re.I)
    )
    if city is not None and (not strict or city.population >= STRICT_POPULATION or found):
        return _city(name, city)
    if strict:
        return None
    if found:
        return _country(name, found[0].country)
    return None


def locate(
    doc: Doc, event_type: str, exclude: list[tuple[int, int]], trigger: Token | None = None
) -> Location | None:
    """A place attached to the trigger (in its phrase) first; then the most precise place in
    the sentence, first mention breaking ties."""
    found = ranked(doc, event_type, exclude, trigger)
    return found[0].location if found else None


def ranked(
    doc: Doc, event_type: str, exclude: list[tuple[int, int]], trigger: Token | None = None
) -> list[Candidate]:
    """Every place candidate of the sentence, the one `locate` picks first."""
    cands = candidates(doc, event_type, exclude, trigger)
    if trigger is not None:
        cands += sites(doc, trigger, cands, exclude)
    if trigger is None:
        return sorted(cands, key=lambda c: (_PRECISION[c.location.precision], c.start))
    # a projective parse: the trigger's subtree runs from its left edge to its right edge
    lo, hi = trigger.left_edge.idx, trigger.right_edge.idx + len(trigger.right_edge)

    def detached(c: Candidate) -> bool:
        return not (lo <= c.start and c.end <= hi)

    return sorted(cands, key=lambda c: (detached(c), _PRECISION[c.location.precision], c.start))


def sites(
    doc: Doc, trigger: Token, known: list[Candidate], exclude: list[tuple[int, int]]
) -> list[Candidate]:
    """Named places the gazetteer does not know ("Kafrzita", "Batla House"), only where a
    locative preposition ties them to the trigger: precision "site", no coordinates."""
    out = []
    taken = [(c.start, c.end) for c in known] + exclude
    for ent in doc.ents:
        if ent.label_ not in ("GPE", "LOC", "FAC"):
            continue
        s, e, root = ent.start_char, ent.end_char, ent.root
        if any(a < e and s < b for a, b in taken):
            continue
        prep = root.head if root.dep_ == "pobj" else None
        if prep is None or prep.lower_ not in LOCATIVE:
            continue
        # the preposition hangs on the trigger, or on a noun the trigger governs ("on a village in X")
        anchor = prep.head
        if (
            anchor != trigger
            and anchor.head != trigger
            and not (anchor.dep_ == "pobj" and anchor.head.head == trigger)
        ):
            continue
        out.append(Candidate(s, e, Location(text=ent.text, name=ent.text, precision="site")))
    return out


def refine(location: Location | None, regions: list[Location]) -> Location | None:
    """A border crossing into a country becomes the one region of it the article names, if any."""
    if location is None or location.precision != "country" or "border" not in location.text:
        return location
    same = {r.admin1: r for r in regions if r.country == location.country}
    return next(iter(same.values())) if len(same) == 1 else location
