"""reconcile(): the typer's decision wins the type; rule drafts lend arguments. Plain values."""

from __future__ import annotations

from newsflow.events.choose import reconcile
from newsflow.events.draft_record import Draft
from newsflow.events.sentences import Sentence
from newsflow.events.typer import Prediction
from newsflow.models import Count, Span

SENT = Sentence(0, 40, "Troops shelled the town, killing three.")


def draft(etype: str, start: int = 7, **kw) -> Draft:
    return Draft(
        event_type=etype,
        sentence=SENT,
        trigger="x",
        trigger_start=start,
        trigger_span=(start, start + 1),
        **kw,
    )


def predict(*types: str, event: float = 0.9, **kw) -> Prediction:
    probs = {t: 0.9 - 0.1 * i for i, t in enumerate(types)}
    return Prediction(event, probs, types, **kw)


def no_anchor(etype, mode):
    raise AssertionError("anchor must not be called")


def no_word(etype, mode):
    return None  # the chooser found no word to anchor on


def at(start: int) -> dict:
    """The chooser's word for every type starts at `start`: its anchor and its pick."""
    return {
        "anchor": lambda etype, mode: draft(etype, start, mode=mode),
        "pick": lambda etype: start,
    }


def test_no_chosen_type_drops_every_draft() -> None:
    assert reconcile([draft("ASSAULT")], Prediction(0.2, {"ASSAULT": 0.9}, ()), no_anchor) == []


def test_drafts_of_unchosen_types_are_dropped() -> None:
    kept = reconcile([draft("ASSAULT"), draft("PROTEST", 20)], predict("ASSAULT"), **at(7))
    assert [d.event_type for d in kept] == ["ASSAULT"]


def test_the_rule_draft_on_the_chosen_word_stands_and_another_word_adds_a_draft() -> None:
    rule = draft("ASSAULT", confidence=0.5)
    (d,) = reconcile([rule], predict("ASSAULT"), **at(7))
    assert d is rule
    kept = reconcile([draft("ASSAULT")], predict("ASSAULT"), **at(25))
    assert [d.trigger_start for d in kept] == [7, 25]


def test_a_spare_draft_is_retyped_and_keeps_only_counts_the_type_may_carry() -> None:
    killed = Count(
        kind="killed", value=3, qualifier="exact", text="three", span=Span(start=1, end=2)
    )
    (d,) = reconcile(
        [draft("COERCE", counts=[killed], role="speaker")],
        predict("PROTEST", modes={"PROTEST": "demo"}),
        no_word,
    )
    assert (d.event_type, d.mode, d.role) == ("PROTEST", "demo", None)
    assert d.counts == [killed]
    (d,) = reconcile([draft("COERCE", counts=[killed])], predict("ACCUSE"), no_word)
    assert d.counts == []


def test_a_type_with_no_draft_is_anchored() -> None:
    calls = []

    def anchor(etype, mode):
        calls.append((etype, mode))
        return draft(etype, mode=mode)

    (d,) = reconcile([], predict("REQUEST", modes={"REQUEST": None}), anchor)
    assert calls == [("REQUEST", None)] and d.event_type == "REQUEST"


def test_a_type_the_lexicon_screened_out_is_not_anchored() -> None:
    assert reconcile([], predict("ASSAULT"), no_anchor, screened={"ASSAULT"}) == []


def test_confidence_mixes_typer_probability_and_rule_evidence() -> None:
    (d,) = reconcile([draft("ASSAULT", confidence=0.5)], predict("ASSAULT"), **at(7))
    assert d.confidence == round(0.8 * 0.9 + 0.2 * 0.5, 2)


def test_acled_choice_and_mode_come_from_the_typer_when_rules_said_none() -> None:
    p = predict("ASSAULT", modes={"ASSAULT": "firearms"}, acled={"ASSAULT": "Armed clash"})
    (d,) = reconcile([draft("ASSAULT")], p, **at(7))
    assert (d.mode, d.acled_sub) == ("firearms", "Armed clash")
    (d,) = reconcile([draft("ASSAULT", mode="aerial")], p, **at(7))
    assert d.mode == "aerial"
