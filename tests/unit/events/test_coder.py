"""EventCoder contract: stable ids, versioning, odd input, and the record shape."""

from __future__ import annotations

from newsflow.events.coder import EventCoder

TEXT = "Syrian rebels shelled the city of Aleppo on Monday, killing five civilians."


def test_event_id_is_stable(coder: EventCoder) -> None:
    """The same text, article and coder version give the same event ids."""
    a = coder.code(TEXT, article_id="a1", published_at=None)
    b = coder.code(TEXT, article_id="a1", published_at=None)
    assert a and [e.event_id for e in a] == [e.event_id for e in b]


def test_event_id_changes_with_article_and_version(coder: EventCoder) -> None:
    """Another article id or another coder version gives new ids (replay re-codes)."""
    base = coder.code(TEXT, article_id="a1", published_at=None)[0]
    other = coder.code(TEXT, article_id="a2", published_at=None)[0]
    replay = EventCoder(version="test-2").code(TEXT, article_id="a1", published_at=None)[0]
    assert len({base.event_id, other.event_id, replay.event_id}) == 3
    assert replay.coder.version == "test-2"


def test_record_fields(coder: EventCoder) -> None:
    """A coded attack carries type, quad class, ACLED names, place, date, counts and evidence."""
    (e,) = [
        e for e in coder.code(TEXT, article_id="a1", published_at=None) if e.event_type == "ASSAULT"
    ]
    assert (e.quad_class, e.mode, e.acled.event_type) == (
        4,
        "heavy-weapons",
        "Explosions/Remote violence",
    )
    assert (e.location.name, e.location.country) == ("Aleppo", "SYR")
    assert [(c.kind, c.value) for c in e.counts] == [("killed", 5)]
    assert e.actors[0].country == "SYR" and 0 <= e.confidence <= 1


def test_odd_input_never_raises(coder: EventCoder) -> None:
    """Empty, whitespace, non-English, symbol soup and very long text return lists."""
    for text in (
        "",
        "   \n",
        "Die Regierung hat heute nichts beschlossen.",
        "%%%% 1234 ####",
        "attack " * 50_000,
    ):
        assert isinstance(coder.code(text, article_id="odd", published_at=None), list)


def test_no_trigger_means_no_parse(coder: EventCoder) -> None:
    """Text without a trigger word codes nothing (the fast path skips the parser)."""
    assert (
        coder.code(
            "The weather was mild and the markets were quiet.", article_id="q", published_at=None
        )
        == []
    )
