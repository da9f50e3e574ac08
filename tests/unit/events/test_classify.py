"""Quad classes, ACLED codebook names and contexts attached to coded events."""

from __future__ import annotations

from newsflow.events.classify import QUAD


def test_quad_classes_cover_all_types() -> None:
    """Every PLOVER type has its PLOVER quad class."""
    assert len(QUAD) == 16
    assert (QUAD["CONCEDE"], QUAD["RETREAT"], QUAD["THREATEN"], QUAD["MOBILIZE"]) == (1, 2, 3, 4)


def test_acled_names_for_violence(code) -> None:
    """Shelling, suicide bombs, abductions and sexual violence map to the ACLED sub-types."""
    cases = {
        "Army artillery shelled the village of Kafr Nabl, killing three civilians.": "Shelling/artillery/missile attack",
        "A suicide bomber killed nine people at a market in Maiduguri.": "Suicide bomb",
        "Gunmen abducted 20 students from a school in Kaduna.": "Abduction/forced disappearance",
    }
    for text, sub in cases.items():
        subs = {e.acled.sub_event_type for e in code(text) if e.acled}
        assert sub in subs, text


def test_acled_for_protest_and_riot(code) -> None:
    """Peaceful demonstrations and violent riots get their ACLED names."""
    calm = code("Hundreds of students demonstrated peacefully in Santiago on Friday.")
    riot = code("Rioters torched cars in Marseille after the match.")
    assert any(e.acled and e.acled.sub_event_type == "Peaceful protest" for e in calm)
    assert any(
        e.acled
        and (e.acled.event_type, e.acled.sub_event_type) == ("Riots", "Violent demonstration")
        for e in riot
    )


def test_verbal_events_have_no_acled(code) -> None:
    """Statements such as accusations are not ACLED events."""
    events = code("Germany accused Belarus of orchestrating the migrant crisis.")
    accuse = next(e for e in events if e.event_type == "ACCUSE")
    assert accuse.acled is None and accuse.quad_class == 3


def test_territory_context(code) -> None:
    """Talk about land and borders carries the territory context."""
    events = code("Serbia rejected Kosovo's claim to the disputed border territory.")
    assert "territory" in next(e for e in events if e.event_type == "REJECT").contexts
