"""The labelled-set scorer and the sample-gold rules count what they say, on plain values."""

from __future__ import annotations

from newsflow.models import Actor, Coder, Count, EventRecord, Evidence, Location, Span
from newsflow_tools.evaluate import labelled, samples


def record(etype: str, actor: str | None = None, country: str | None = None, **kw) -> EventRecord:
    return EventRecord(
        event_id="e",
        article_id="a",
        coder=Coder(name="t", version="0"),
        event_type=etype,
        quad_class=4,
        actors=[Actor(text=actor, name=actor, country=country)] if actor else [],
        evidence=Evidence(sentence="s", span=Span(start=0, end=1)),
        confidence=kw.pop("confidence", 0.9),
        **kw,
    )


def gold(etype: str, actor: str | None = None, **kw) -> dict:
    return {
        "type": etype,
        "acled": kw.get("acled"),
        "modality": "asserted",
        "actor": {"text": actor} if actor else None,
        "actor_country": kw.get("actor_country"),
        "recipient": None,
        "recipient_country": None,
        "location": None,
        "counts": kw.get("counts", []),
    }


def test_tally_scores_type_event_and_whole_record() -> None:
    t = labelled.Tally()
    t.add({"is_event": True, "events": [gold("ASSAULT", "Rebels")]}, [record("ASSAULT", "rebels")])
    t.add({"is_event": True, "events": [gold("PROTEST")]}, [record("ACCUSE")])
    t.add({"is_event": False, "events": []}, [record("ASSAULT")])
    t.add({"is_event": False, "events": []}, [])
    s = t.summary()
    assert s["top1"] == 0.5
    assert (s["event_p"], s["event_r"]) == (2 / 3, 1.0)
    assert s["whole"] == 0.5
    p, r, _f1, n = t.per_type()["ASSAULT"]
    assert (p, r, n) == (0.5, 1.0, 1)


def test_argument_is_right_by_overlap_or_country_and_empty_must_stay_empty() -> None:
    g = gold("ASSAULT", "Russian forces", actor_country="RUS")
    assert labelled.record_right(record("ASSAULT", "Moscow", "RUS"), g)["actor"]
    assert not labelled.record_right(record("ASSAULT", "Kyiv", "UKR"), g)["actor"]
    assert not labelled.record_right(record("ASSAULT", "Kyiv"), gold("ASSAULT"))["actor"]


def test_counts_are_scored_both_ways() -> None:
    c = {"kind": "killed", "value": 3}
    t = labelled.Tally()
    coded = Count(kind="killed", value=4, qualifier="exact", text="4", span=Span(start=0, end=1))
    t.add(
        {"is_event": True, "events": [gold("ASSAULT", counts=[c])]},
        [record("ASSAULT", counts=[coded])],
    )
    s = t.summary()
    assert (s["counts_recall"], s["counts_precision"]) == (0.0, 0.0)


def test_sample_gold_rules() -> None:
    both = record(
        "SANCTION",
        "Belarus",
        "BLR",
        recipients=[Actor(text="Minsk", name="Belarus", country="BLR")],
    )
    assert samples.broken({"rule": "same_actor_and_recipient"}, [both])
    assert samples.broken({"rule": "no_party"}, [record("ASSAULT")])
    assert not samples.broken({"rule": "no_party"}, [record("ASSAULT", "police")])
    located = record(
        "ASSAULT",
        "Russia",
        location=Location(text="Chernihiv", name="Chernihiv", country="UKR", precision="city"),
    )
    rule = {"rule": "acled_by", "sub_event": "Air/drone strike", "country": "UKR"}
    assert not samples.broken(rule, [located])
