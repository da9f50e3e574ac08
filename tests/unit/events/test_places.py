"""Places: regions versus cities, relative references, and cities inside meeting names."""

from __future__ import annotations


def _assaults(events):
    return [e for e in events if e.event_type == "ASSAULT"]


def test_region_is_the_oblast_not_its_city(code) -> None:
    """'Kharkiv region' resolves to the oblast (UA-63), and 'south of Kyiv' is not the place."""
    (event,) = _assaults(
        code(
            "In the Kharkiv region south of Kyiv, Russian troops shelled a village, wounding three people."
        )
    )
    assert (event.location.admin1, event.location.precision, event.location.country) == (
        "UA-63",
        "admin1",
        "UKR",
    )


def test_named_city_wins_over_its_country(code) -> None:
    """A named city is more precise than the country also mentioned."""
    (event,) = _assaults(
        code("Israeli aircraft bombed targets in Beirut, Lebanon, killing four people.")
    )
    assert (event.location.name, event.location.country, event.location.precision) == (
        "Beirut",
        "LBN",
        "city",
    )
    assert event.location.geonameid is not None and event.location.lat is not None


def test_meeting_named_after_a_city_places_only_meetings(code) -> None:
    """A conference named after a city may place talks there, never an attack."""
    events = code(
        "Delegates held talks at the Geneva Peace Forum while gunmen attacked a convoy, killing two soldiers."
    )
    assert not [e for e in _assaults(events) if e.location and e.location.name == "Geneva"]


def test_person_named_like_a_place_is_no_place(code) -> None:
    """A person's name is not read as a town."""
    events = code("Jordan Peterson condemned the Canadian government over the new law.")
    assert all(e.location is None or e.location.country != "JOR" for e in events)


def test_state_without_namesake_city(code) -> None:
    """'Borno state' resolves through the ISO 3166-2 names even without a city called Borno."""
    (event,) = _assaults(code("Boko Haram fighters killed 12 farmers in Borno state on Sunday."))
    assert (event.location.admin1, event.location.country) == ("NG-BO", "NGA")


def test_untagged_town_after_a_preposition(code) -> None:
    """A town the model mislabels is still a place after 'in'."""
    (event,) = _assaults(code("Unknown gunmen shot dead a local councillor in Culiacan."))
    assert event.location.country == "MEX" and event.location.precision == "city"


def test_unknown_place_tied_to_the_trigger_is_a_site(code) -> None:
    """A named place the gazetteer lacks is kept as a site when a preposition ties it to the act."""
    events = code(
        "In another incident, the house of a trader was attacked in Naoremthong on Tuesday "
        "morning with a hand grenade."
    )
    loc = next(e.location for e in events if e.event_type == "ASSAULT")
    assert (loc.name, loc.precision, loc.country, loc.lat) == ("Naoremthong", "site", None, None)
