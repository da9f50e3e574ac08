"""Counts read from sentences: casualties, qualifiers, number words, and numbers that are not people."""

from __future__ import annotations

from newsflow.events.counts import find


def kinds(text: str) -> list[tuple[str, int, str]]:
    return [(c.kind, c.value, c.qualifier) for c in find(text, 0)]


def test_killed_and_injured_with_qualifier() -> None:
    """'one dead and at least four others wounded' gives killed 1 exact and injured 4 at least."""
    assert kinds("The raid left one dead and at least four others wounded, including a child.") == [
        ("killed", 1, "exact"),
        ("injured", 4, "at_least"),
    ]


def test_verb_before_number() -> None:
    """'killing 12 and wounding more than 30' reads both counts from the verbs."""
    assert kinds("Gunmen stormed the market, killing 12 and wounding more than 30 shoppers.") == [
        ("killed", 12, "exact"),
        ("injured", 30, "at_least"),
    ]


def test_number_words_and_vague_plurals() -> None:
    """Spelled-out and vague numbers count; 'dozens' is approximate."""
    assert kinds("Dozens of villagers were killed.") == [("killed", 24, "approx")]
    assert kinds("Twenty-five people were injured in the blast.") == [("injured", 25, "exact")]


def test_up_to_is_at_most() -> None:
    """'up to 16' is an upper bound."""
    assert kinds("Militants kidnapped up to 16 aid workers near the border.") == [
        ("abducted", 16, "at_most")
    ]


def test_weapons_are_never_casualties() -> None:
    """Missiles and drones shot down become intercepted/launched counts, not people."""
    counts = find(
        "Air defences downed eight missiles and 40 of the 55 drones launched overnight.", 0
    )
    assert [(c.kind, c.value) for c in counts] == [("intercepted", 48), ("launched", 55)]
    assert next(c for c in counts if c.kind == "launched").object == "drones"


def test_rescuers_durations_and_ages_are_not_casualties() -> None:
    """Rescue crews, years of war and ages never yield casualty counts."""
    assert kinds("About 80 firefighters were sent to the site after the strike.") == []
    assert kinds("The war has raged for nearly three years.") == []
    assert kinds("A 12-year-old boy was wounded.") == []


def test_spans_are_offset_into_the_article() -> None:
    """Count spans are shifted by the sentence offset."""
    (count,) = find("Police arrested 45 protesters.", 100)
    assert (count.kind, count.value, count.span.start) == ("arrested", 45, 100 + len("Police "))


def test_crowd_sizes_are_counted_as_other_and_casualties_win() -> None:
    """'More than 20 students marched' is a crowd of 20 or more; '20 students were killed' is killed."""
    from newsflow.events.counts import find

    (c,) = find("More than 20 associate degree students marched to the council.", 0)
    assert (c.kind, c.value, c.qualifier) == ("other", 20, "at_least")
    (c,) = find("Police said 20 students were killed.", 0)
    assert (c.kind, c.value) == ("killed", 20)
    assert find("The factory employs 300 machines.", 0) == []
