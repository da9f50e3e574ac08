"""Modality: negated, hypothetical, future and historical events, and the type changes they cause."""

from __future__ import annotations

from .conftest import known_miss


def _types(events) -> dict[str, str]:
    return {e.event_type: e.modality for e in events}


def test_rejected_proposal_is_not_asserted(code) -> None:
    """'dismissed the idea of withdrawing troops' is a REJECT; the withdrawal is hypothetical."""
    events = code("Moscow dismissed the idea of a troop withdrawal from the region.")
    types = _types(events)
    assert types.get("REJECT") == "asserted"
    assert types.get("RETREAT", "hypothetical") == "hypothetical"


@known_miss("the typer does not code the refusal as REJECT")
def test_negated_cooperation_becomes_reject(code) -> None:
    """'will not accept refugees' is a refusal."""
    events = code("Hungary said it will not accept any more refugees.")
    assert "REJECT" in _types(events)


def test_scheduled_visit_is_future(code) -> None:
    """'is scheduled to visit' codes a future CONSULT."""
    events = code("The French foreign minister is scheduled to visit Egypt next week.")
    consult = [e for e in events if e.event_type == "CONSULT"]
    assert consult and consult[0].modality == "future"
    assert consult[0].actors[0].country == "FRA" and consult[0].recipients[0].country == "EGY"


@known_miss("the typer codes the conditional act as CONCEDE, not THREATEN")
def test_conditional_threat(code) -> None:
    """A hostile act announced 'unless' a demand is met is a THREATEN."""
    events = code("Iran said it will close the strait unless the sanctions are lifted.")
    assert _types(events).get("THREATEN") == "asserted"


def test_old_event_is_historical(code) -> None:
    """An attack dated years before publication is historical."""
    events = code("In 2019, rebels attacked the garrison in Goma, killing nine soldiers.")
    attack = next(e for e in events if e.event_type == "ASSAULT")
    assert (attack.modality, attack.date, attack.date_precision) == ("historical", "2019", "year")


@known_miss("the typer misses the quoted charge")
def test_quoted_charge_is_an_accusation(code) -> None:
    """A leader quoting another state's violence accuses it instead of asserting an attack."""
    events = code(
        "The Polish prime minister said: “Russia continues to attack our neighbours and destroy their cities.”"
    )
    accuse = [e for e in events if e.event_type == "ACCUSE"]
    assert (
        accuse and accuse[0].actors[0].country == "POL" and accuse[0].recipients[0].country == "RUS"
    )


def test_accident_deaths_are_not_an_assault(code) -> None:
    """People killed in a crash are not coded as an attack."""
    events = code("Two soldiers were killed in a helicopter crash in Mali on Sunday.")
    assert not [e for e in events if e.event_type == "ASSAULT"]


def test_wish_without_statement_is_no_threat(code) -> None:
    """'wanted to raid' is hypothetical but, unannounced, no THREATEN."""
    events = code("The rebels wanted to raid the army base near Gao.")
    assert "THREATEN" not in _types(events)
    assert _types(events).get("ASSAULT") == "hypothetical"
