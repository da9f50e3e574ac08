"""ACLED-style snippets: the codebook sub-event each kind of report maps to."""

from __future__ import annotations

import pytest

from .conftest import known_miss

CASES = {
    "On 12 February 2025, Russian forces shelled Kherson city, killing two civilians.": "Shelling/artillery/missile attack",
    "On 5 May 2024, JNIM militants captured the town of Djibo after clashes with the army.": "Non-state actor overtakes territory",
    "On 7 June 2024, the Sudanese Armed Forces retook the town of Sinja in Sudan.": "Government regains territory",
    "On 19 July 2024, Wagner troops established a new base near Tessalit.": "Headquarters or base established",
    "On 14 July 2024, al-Shabaab fighters abducted six aid workers near Baidoa.": "Abduction/forced disappearance",
    "On 18 July 2024, Ukrainian air defences shot down 20 drones over Kyiv region.": "Disrupted weapons use",
}


# The typer's ACLED head misses these three (coder 0.3.0); kept visible, not dropped.
MISSES = {
    "Non-state actor overtakes territory",
    "Government regains territory",
    "Headquarters or base established",
}


@pytest.mark.parametrize(
    ("text", "sub"),
    [
        pytest.param(t, s, marks=known_miss(f"ACLED head misses {s}") if s in MISSES else ())
        for t, s in CASES.items()
    ],
    ids=lambda v: v[:30],
)
def test_snippet_maps_to_codebook_sub_event(code, text: str, sub: str) -> None:
    """Each ACLED-style report codes an event with the codebook's sub-event type."""
    assert sub in {e.acled.sub_event_type for e in code(text) if e.acled}


def test_place_named_with_city_suffix_is_the_city(code) -> None:
    """'Kherson city' resolves to the city of Kherson."""
    (e,) = [
        e
        for e in code("Russian forces shelled Kherson city overnight, killing two civilians.")
        if e.event_type == "ASSAULT"
    ]
    assert (e.location.name, e.location.country) == ("Kherson", "UKR")
