"""Turns the words of an actor or recipient phrase into `Actor` records (country + sector).

Countries come from names, demonyms, capitals and seats of power ("the Kremlin" -> RUS GOV);
people from a known-people table or from what the article said about them earlier
("Marc Fogel, an American" -> USA). Returns an empty list when nothing can be resolved.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from spacy.tokens import Doc, Token

from newsflow.events.gazetteer import Name, find_names
from newsflow.events.lexicon import actor_tables, triggers
from newsflow.models import Actor

PRONOUNS_PERSON = {"he", "she", "him", "her", "his"}
PRONOUNS_GROUP = {"they", "them", "their", "it", "its", "we", "our"}
# Subtrees hanging off these dependencies describe something else ("an American detained in Russia").
_CUT = {"relcl", "acl", "advcl", "ccomp", "xcomp", "punct", "cc"}


@dataclass
class Memory:
    """What the article has said so far: people's countries and the last actors, for pronouns."""

    people: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    last_person: Actor | None = None
    last_group: Actor | None = None
    quote_speaker: Token | None = None


@cache
def _sector_words() -> dict[str, str]:
    out: dict[str, str] = {}
    for sector, words in actor_tables()["sectors"].items():
        for w in words:
            out.setdefault(w, sector)
    return out


def phrase(head: Token) -> list[Token]:
    """The tokens of the noun phrase headed by `head`, without clauses that hang off it."""
    out = [head]
    for child in head.children:
        if child.dep_ in _CUT:
            continue
        out.extend(phrase(child))
    return sorted(out, key=lambda t: t.i)


def sector_of(tokens: list[Token], head: Token) -> str | None:
    """Sector from the head noun first, then from the other words of the phrase."""
    words = _sector_words()
    for t in [head, *tokens]:
        if t.lower_ == "general" and not _military_general(t):
            continue
        s = words.get(t.lemma_.lower()) or words.get(t.lower_)
        if s:
            return s
    return None


# "Attorney General", "Secretary-General", "general license": no army officer
_CIVIL_GENERAL = {
    "attorney",
    "secretary",
    "surgeon",
    "inspector",
    "director",
    "consul",
    "solicitor",
    "auditor",
    "accountant",
    "postmaster",
    "governor",
    "procurator",
    "prosecutor",
    "-",
}


def _military_general(t: Token) -> bool:
    """'General Mark Milley', 'the general said': the rank, not part of a civil title or an adjective."""
    if t.i > 0 and t.doc[t.i - 1].lower_ in _CIVIL_GENERAL:
        return False
    return t.text[0].isupper() or (t.pos_ == "NOUN" and t.dep_ not in ("amod", "compound"))


def learn_people(doc: Doc, memory: Memory) -> None:
    """Record the country of each person the sentence introduces with a title or apposition."""
    for ent in doc.ents:
        if ent.label_ != "PERSON":
            continue
        root = ent.root
        context: list[Token] = [t for c in root.lefts if c.i < ent.start for t in phrase(c)]
        if root.dep_ == "appos":
            context += [t for t in phrase(root.head) if t.i < ent.start or t.i >= ent.end]
        for c in root.children:
            if c.dep_ == "appos":
                context += list(c.subtree)[:8]
        known = [n for _, _, n in find_names(ent.text) if n.kind == "person"]
        country = known[0].country if known else None
        sector = known[0].sector if known else None
        if context and country is None:
            text = " ".join(t.text for t in sorted(context, key=lambda t: t.i))
            found = [n for _, _, n in find_names(text) if n.country]
            if found:
                country = found[0].country
                sector = sector or sector_of(context, root) or found[0].sector
        if country:
            memory.people[ent[-1].text] = (country, sector)
            memory.people[ent.text] = (country, sector)


def resolve(head: Token, memory: Memory, *, speaker: bool = False) -> list[Actor]:
    """Actors named by the phrase headed by `head` (one per country or organisation found)."""
    low = head.lower_
    if low in PRONOUNS_PERSON or low in PRONOUNS_GROUP:
        return _pronoun(head, memory)
    tokens = phrase(head)
    doc = head.doc
    start, end = tokens[0].idx, tokens[-1].idx + len(tokens[-1])
    text = doc.text[start:end]
    sector = sector_of(tokens, head)
    person = next(
        (e for e in doc.ents if e.label_ == "PERSON" and start <= e.start_char < end), None
    )
    actors: list[Actor] = []
    if person is not None:
        known = memory.people.get(person.text) or memory.people.get(person[-1].text)
        if known is None:
            found = [n for _, _, n in find_names(person.text) if n.kind == "person"]
            known = (found[0].country, found[0].sector) if found else None
        if known and known[0]:
            actors.append(
                Actor(
                    text=text[:200], name=person.text, country=known[0], sector=sector or known[1]
                )
            )
    civil = set(actor_tables()["civil_org_words"])
    # "American Airlines", "the Washington Post": a company or paper, not the state it names
    inside = [
        (e.start_char - start, e.end_char - start)
        for e in doc.ents
        if e.label_ == "ORG"
        and len(e) > 1
        and e[-1].lower_ in civil
        and start <= e.start_char < end
    ]
    for s, e, name in find_names(text):
        if any(a.country == name.country and a.name != "" for a in actors if name.country):
            continue
        if name.country and any(a <= s and e <= b for a, b in inside):
            continue
        actors.append(_actor(text, name, sector, alone=_alone(text, name)))
    if not actors and sector is not None:
        actors.append(
            Actor(
                text=text[:200],
                name=person.text if person else head.text,
                country=None,
                sector=sector,
            )
        )  # type: ignore[arg-type]
    if not actors and _party_head(head):
        actors.append(Actor(text=text[:200], name=_bare(text), country=None, sector=None))
    _remember(actors, memory, person is not None)
    return _dedupe(actors)


def _party_head(head: Token) -> bool:
    """A head the parse gave a role that no table resolves is kept by its own words: a proper
    noun or a named entity, or a common noun that is not itself an event word ("students",
    "a group of army officers"; never "the attack")."""
    if head.pos_ == "PROPN" or head.ent_type_ in ("PERSON", "ORG", "NORP", "GPE"):
        return True
    if head.pos_ != "NOUN" or head.like_num:
        return False
    return head.lemma_.lower() not in triggers().lemmas


def _bare(text: str) -> str:
    words = text.split()
    while words and words[0].lower() in ("the", "a", "an", "this", "that", "these", "those"):
        words = words[1:]
    return " ".join(words) or text


def _pronoun(head: Token, memory: Memory) -> list[Actor]:
    """Nearest fitting antecedent in the sentence, else the last actor of the article."""
    doc = head.doc
    before = doc.text[: head.idx]
    if head.lower_ in PRONOUNS_PERSON:
        people = [e for e in doc.ents if e.label_ == "PERSON" and e.end_char <= head.idx]
        for ent in reversed(people):
            known = memory.people.get(ent.text) or memory.people.get(ent[-1].text)
            if known is None:
                found = [n for _, _, n in find_names(ent.text) if n.kind == "person"]
                known = (found[0].country, found[0].sector) if found else None
            if known and known[0]:
                return [Actor(text=head.text, name=ent.text, country=known[0], sector=known[1])]  # type: ignore[arg-type]
        if people and (
            memory.last_person is None or memory.last_person.name not in people[-1].text
        ):
            # the nearest named person, even when nothing says which country they serve
            return [
                Actor(
                    text=head.text,
                    name=people[-1].text,
                    country=None,
                    sector=sector_of(phrase(people[-1].root), people[-1].root),
                )
            ]  # type: ignore[arg-type]
        last = memory.last_person
    else:
        for t in reversed(doc[: head.i]):
            if (
                t.dep_ in ("nsubj", "nsubjpass")
                and t.lower_ not in PRONOUNS_GROUP | PRONOUNS_PERSON
            ):
                found = _names_in(t)
                if found:
                    return [a.model_copy(update={"text": head.text}) for a in found]
        names = [n for _, _, n in find_names(before) if n.country and n.kind != "person"]
        if names:
            n = names[-1]
            return [Actor(text=head.text, name=n.name, country=n.country, sector=n.sector)]  # type: ignore[arg-type]
        last = memory.last_group
    return [last.model_copy(update={"text": head.text})] if last is not None else []


def _names_in(head: Token) -> list[Actor]:
    """Countries named in a phrase, without touching the article memory."""
    tokens = phrase(head)
    text = head.doc.text[tokens[0].idx : tokens[-1].idx + len(tokens[-1])]
    sector = sector_of(tokens, head)
    return _dedupe(
        [
            _actor(text, n, sector, alone=_alone(text, n))
            for _, _, n in find_names(text)
            if n.country
        ]
    )


def _alone(text: str, name: Name) -> bool:
    return (
        text.lower().removeprefix("the ").strip() in {name.name.lower()} or len(text.split()) <= 2
    )


def _actor(text: str, name: Name, sector: str | None, *, alone: bool) -> Actor:
    if name.kind == "org":
        return Actor(text=text[:200], name=name.name, country=None, sector=name.sector)  # type: ignore[arg-type]
    # A bare state or seat of power acting is its government (PLOVER codes states as GOV).
    default = name.sector or ("GOV" if alone and name.kind in ("country", "capital") else None)
    return Actor(text=text[:200], name=name.name, country=name.country, sector=sector or default)  # type: ignore[arg-type]


def _remember(actors: list[Actor], memory: Memory, is_person: bool) -> None:
    if not actors:
        return
    if is_person:
        memory.last_person = actors[0]
    memory.last_group = actors[0]


def combine(actors: list[Actor]) -> list[Actor]:
    """One actor per country and sector ("Sudanese army and the RSF" stay two), dropping
    sector-less duplicates of a country already present with a sector."""
    best: dict[tuple[str | None, str | None], Actor] = {}
    for a in actors:
        key = (a.country, a.sector) if a.country else (None, a.name)
        best.setdefault(key, a)
    sectored = {a.country for a in best.values() if a.country and a.sector}
    return [a for a in best.values() if not (a.country in sectored and a.sector is None)]


def _dedupe(actors: list[Actor]) -> list[Actor]:
    seen: set[tuple[str | None, str | None]] = set()
    out = []
    for a in actors:
        key = (a.country, a.name if a.country is None else None)
        if key not in seen:
            seen.add(key)
            out.append(a)
    return out
