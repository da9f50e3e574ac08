"""Roles in passives, reduced relatives and by-phrases, and capitals that stand for governments."""

from __future__ import annotations


def _first(events, etype: str):
    return next(e for e in events if e.event_type == etype)


def test_reduced_relative_detainee_is_the_recipient(code) -> None:
    """'an American detained in Russia': the American is held, Russia holds him, never the USA acting."""
    e = _first(
        code(
            "The president welcomed Ann Holt, an American detained in Russia since 2021, at the airport."
        ),
        "COERCE",
    )
    assert "USA" not in {a.country for a in e.actors}
    assert "USA" in {r.country for r in e.recipients}
    assert [a.country for a in e.actors] == ["RUS"] and e.confidence < 0.8


def test_detention_since_a_past_year_is_historical(code) -> None:
    """'detained ... since 2021' dates the detention, an earlier event, not the publication day."""
    e = _first(
        code(
            "The president welcomed Ann Holt, an American detained in Russia since 2021, at the airport."
        ),
        "COERCE",
    )
    assert (e.modality, e.date) == ("historical", "2021")


def test_by_phrase_agent_of_an_arrest(code) -> None:
    """'X was arrested by Belarusian police' makes the police the actor and X the recipient."""
    e = _first(
        code("A Polish journalist was arrested by Belarusian police in Grodno on Friday."), "COERCE"
    )
    assert e.actors[0].country == "BLR" and e.recipients[0].country == "POL"


def test_passive_without_agent_takes_no_bystander_country(code) -> None:
    """A passive arrest with no agent and no place of custody is not pinned on a country named elsewhere."""
    events = code("Two French aid workers were arrested on Monday, a US official said.")
    e = _first(events, "COERCE")
    assert "USA" not in {a.country for a in e.actors}
    assert "FRA" in {r.country for r in e.recipients}


def test_capital_after_with_is_a_party_not_a_place(code) -> None:
    """'talks with Kyiv' names the Ukrainian government, not where the event happened."""
    e = _first(
        code("Russia has dismissed the notion of exchanging occupied territories with Kyiv."),
        "REJECT",
    )
    assert e.location is None or e.location.name != "Kyiv"
    assert "UKR" in {r.country for r in e.recipients}


def test_capital_as_speaker_is_no_location(code) -> None:
    """'Washington warned ...': the capital speaks; it is not the place of the event."""
    events = code("Washington warned Tehran of severe consequences if it attacked shipping.")
    e = _first(events, "THREATEN")
    assert e.actors[0].country == "USA" and (e.location is None or e.location.name != "Washington")


def test_city_that_is_hit_stays_the_location(code) -> None:
    """The object of a strike ('shelled Kharkiv') is still where the violence happened."""
    e = _first(code("Russian artillery shelled Kharkiv overnight, killing two people."), "ASSAULT")
    assert e.location is not None and e.location.name == "Kharkiv"


def test_retold_rejection_merges(code) -> None:
    """One refusal told twice by the same side, the second time without its addressee, is one event."""
    text = (
        "Moscow rejected Kyiv's proposal to exchange territory. "
        "The Kremlin's answer was clear: such talks were off the table."
    )
    assert len([e for e in code(text) if e.event_type == "REJECT"]) == 1


def test_call_for_action_against_x_has_no_addressee_x(code) -> None:
    """'called for action against Russia' asks others to act; Russia is not the one asked."""
    e = _first(
        code("Polish President Anna Nowak called for decisive action against Russia."), "REQUEST"
    )
    assert e.actors[0].country == "POL" and "RUS" not in {r.country for r in e.recipients}


def test_talks_led_by_an_envoy_belong_to_the_envoy(code) -> None:
    """'negotiation efforts led by a US envoy' are the US negotiating."""
    events = code(
        "The prisoner swap followed negotiation efforts led by US envoy Steve Witkoff in Riyadh."
    )
    e = _first(events, "CONSULT")
    assert e.actors[0].country == "USA"


def test_city_inside_a_newspaper_name_is_no_actor(code) -> None:
    """'according to the Washington Post' does not make the United States the attacker."""
    events = code("Gunmen killed three villagers near Tillaberi, according to the Washington Post.")
    e = _first(events, "ASSAULT")
    assert "USA" not in {a.country for a in e.actors}


def test_wire_dateline_is_not_the_speaker(code) -> None:
    """'HANOI, Vietnam (AP) — U.S. Defense Secretary ...': the dateline is not part of the actor."""
    e = _first(
        code(
            "HANOI, Vietnam (AP) — U.S. Defense Secretary Mark Esper on Wednesday accused China of coercion."
        ),
        "ACCUSE",
    )
    assert [a.country for a in e.actors] == ["USA"] and e.recipients[0].country == "CHN"
