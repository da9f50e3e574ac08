"""Merging repeated mentions of one event within an article."""

from __future__ import annotations

from .conftest import known_miss


def test_repeated_strike_merges_and_keeps_richest_counts(code) -> None:
    """Two sentences about one strike on a city become one event with both details."""
    text = (
        "Russian missiles struck Kharkiv on Tuesday night. "
        "The attack on Kharkiv killed four people and wounded at least 11, officials said."
    )
    strikes = [e for e in code(text) if e.event_type == "ASSAULT"]
    assert len(strikes) == 1
    (e,) = strikes
    assert {(c.kind, c.value) for c in e.counts} == {("killed", 4), ("injured", 11)}
    assert e.actors[0].country == "RUS" and e.location.name == "Kharkiv"
    assert "killed four" in e.evidence.sentence


def test_strikes_in_different_places_stay_apart(code) -> None:
    """Attacks on two different cities are two events."""
    text = "Russian drones hit Odesa, injuring two people. Separately, Russian missiles struck Dnipro, killing one man."
    places = {e.location.name for e in code(text) if e.event_type == "ASSAULT" and e.location}
    assert places == {"Odesa", "Dnipro"}


@known_miss("the typer's ACLED head calls the joined protest peaceful")
def test_follow_up_sentence_joins_the_protest(code) -> None:
    """Police action reported right after a protest is folded into it and shapes its ACLED sub-type."""
    text = "About 2,000 teachers protested in Nairobi on Monday. Police fired tear gas to disperse the crowd."
    protest = next(e for e in code(text) if e.event_type == "PROTEST")
    assert protest.location.name == "Nairobi" and protest.actors[0].country == "KEN"
    assert protest.acled.sub_event_type == "Protest with intervention"


@known_miss("the typer drops the sentence the adversary is inferred from")
def test_unattributed_attack_takes_the_article_adversary(code) -> None:
    """A strike on a city with no named attacker is attributed to the side the article opposes it with."""
    text = (
        "Russian forces shelled positions near Kupiansk, Ukrainian officials said. "
        "Later, an attack on Zaporizhzhia killed two people."
    )
    attack = next(e for e in code(text) if e.location and e.location.text == "Zaporizhzhia")
    assert attack.actors[0].country == "RUS" and attack.confidence < 0.7
