"""The learned count reading: number phrases found in the parse, their values, the head's
decision, and each count given to exactly one event."""

from __future__ import annotations

import numpy as np
import pytest

from newsflow.events import attach, count_head, count_mentions, counts
from newsflow.events.draft_record import Draft
from newsflow.events.nlp import load
from newsflow.events.sentences import Sentence
from newsflow.models import Count, Span


@pytest.fixture(scope="module")
def nlp():
    return load()


@pytest.mark.parametrize(
    ("words", "value"),
    [
        ("two lakh", 200000),
        ("tens of thousands", 20000),
        ("1,500", 1500),
        ("2.5 million", 2500000),
        ("two dozen", 24),
        ("half a dozen", 6),
        ("several hundred", 200),
        ("one hundred and twenty", 120),
        ("twenty-five", 25),
        ("hundreds of thousands", 200000),
        ("thousands", 2000),
    ],
)
def test_number_words_have_values(words: str, value: int) -> None:
    """Scale words multiply what comes before them; vague plurals alone are the guide's values."""
    assert count_mentions.value_of(words.split())[0] == value


def test_not_a_number() -> None:
    assert count_mentions.value_of(["over"]) is None


def mentions(nlp, text: str) -> list[tuple[str, int, str, str]]:
    return [
        (text[m.start : m.end], m.value, m.qualifier, m.noun.text)
        for m in count_mentions.find(nlp(text))
    ]


def test_mentions_find_vague_and_qualified_numbers(nlp) -> None:
    """'at least 12', 'dozens' and 'tens of thousands of residents' are found with who they count."""
    assert mentions(nlp, "At least 12 people were killed and dozens wounded.") == [
        ("At least 12", 12, "at_least", "people"),
        ("dozens", 24, "approx", "dozens"),
    ]
    assert mentions(nlp, "Tens of thousands of residents joined the march.") == [
        ("Tens of thousands", 20000, "approx", "residents")
    ]


def test_one_person_acted_on_is_a_mention(nlp) -> None:
    """'A man was shot dead': one person, though no number is written."""
    assert mentions(nlp, "A man was shot dead in the market.") == [("A man", 1, "exact", "man")]


def test_weapons_are_not_people(nlp) -> None:
    """A number of drones is found but can never be a people count."""
    (m,) = count_mentions.find(nlp("They launched 40 drones."))
    assert not count_mentions.people(m)


def _head(weights: dict[str, dict[str, float]], threshold: float = 0.5) -> count_head.Head:
    """A hand-made head: `weights[feature][kind]`."""
    names = sorted(weights)
    w = np.zeros((len(names), len(count_head.KINDS)))
    for i, f in enumerate(names):
        for kind, v in weights[f].items():
            w[i, count_head.KINDS.index(kind)] = v
    arrays = {
        "vocab": np.array(names),
        "kinds": np.array(count_head.KINDS),
        "weights": w,
        "bias": np.zeros(len(count_head.KINDS)),
    }
    return count_head.Head(arrays, {"format": count_head.FORMAT, "threshold": threshold})


def test_head_reads_the_kind_its_features_favour(nlp) -> None:
    """Counts come from the head's decision; a mention it thinks is nothing is dropped."""
    head = _head({"dep:dobj|head:kill": {"killed": 9.0}, "bias": {"none": 3.0}})
    text = "Gunmen killed 12 villagers and took two cars."
    got = head.read(nlp(text), counts.find(text, 0), 100)
    assert [(c.kind, c.value, c.span.start) for c in got] == [("killed", 12, 100 + 14)]


def test_head_never_counts_weapons(nlp) -> None:
    """Even a head that calls everything killed leaves drones and intercepted missiles alone."""
    head = _head({"bias": {"killed": 9.0}})
    text = "Air defences downed eight missiles, and the army launched 40 drones."
    assert head.read(nlp(text), counts.find(text, 0), 0) == []


def test_read_keeps_interceptions_from_the_regexes(nlp) -> None:
    """With a head in use, intercepted and launched counts still come from the regexes."""
    text = "Air defences downed eight missiles and 40 of the 55 drones launched overnight."
    count_head.default.use(_head({"bias": {"killed": 9.0}}))
    try:
        got = counts.read(text, 0, nlp(text))
    finally:
        count_head.default.restore()
    assert [(c.kind, c.value) for c in got] == [("intercepted", 48), ("launched", 55)]


def _draft(etype: str, sent: Sentence, word: str) -> Draft:
    at = sent.text.index(word)
    return Draft(
        event_type=etype,
        sentence=sent,
        trigger=word,
        trigger_start=at,
        trigger_span=(at, at + len(word)),
    )


def test_a_count_goes_to_one_event_the_nearest_in_the_parse(nlp) -> None:
    """The dead of a shooting at a protest belong to the shooting, not to both events."""
    text = "Thousands protested in the capital, and police shot dead 12 demonstrators."
    sent = Sentence(text=text, start=0, end=len(text))
    protest, assault = _draft("PROTEST", sent, "protested"), _draft("ASSAULT", sent, "shot")
    at = text.index("12 demonstrators")
    dead = Count(
        kind="killed",
        value=12,
        qualifier="exact",
        text="12 demonstrators",
        span=Span(start=at, end=at + 16),
    )
    crowd = Count(
        kind="other", value=2000, qualifier="approx", text="Thousands", span=Span(start=0, end=9)
    )
    attach.assign([protest, assault], [dead, crowd], nlp(text), 0)
    assert [c.kind for c in assault.counts] == ["killed"]
    assert [c.kind for c in protest.counts] == ["other"]


def test_the_count_goes_to_the_act_that_governs_it_not_to_its_own_noun(nlp) -> None:
    """Where the protest's trigger is the victims' own noun ("12 demonstrators"), the dead still
    go to the shooting that governs the phrase."""
    text = "Thousands protested in Nairobi, and police shot dead 12 demonstrators."
    sent = Sentence(text=text, start=0, end=len(text))
    protest, assault = _draft("PROTEST", sent, "demonstrators"), _draft("ASSAULT", sent, "shot")
    at = text.index("12")
    dead = Count(
        kind="killed", value=12, qualifier="exact", text="12", span=Span(start=at, end=at + 2)
    )
    attach.assign([protest, assault], [dead], nlp(text), 0)
    assert (len(protest.counts), len(assault.counts)) == (0, 1)
    assert (protest.offered, assault.offered) == (0, 0)


def test_responders_are_never_a_crowd(nlp) -> None:
    """'About 80 firefighters were sent': rescuers are no count, whatever the head thinks."""
    head = _head({"bias": {"other": 9.0}})
    text = "About 80 firefighters were sent to the site."
    assert head.read(nlp(text), counts.find(text, 0), 0) == []
