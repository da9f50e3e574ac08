"""The resolver's decision: join, open, absorb, or leave a replay alone."""

from __future__ import annotations

from datetime import timedelta

from newsflow.stories.consensus import story_of
from newsflow.stories.match import Weights
from newsflow.stories.resolve import resolve, story_id
from tests.unit.stories.reports import KHARKIV, T0, report, story

W = Weights()


def test_a_report_with_no_match_opens_a_story_named_by_its_event():
    """No candidate: a new story whose id is stable for the event (a replay finds it)."""
    out = resolve(report(1), [], W, T0)
    assert out.match is None and out.changed
    assert out.story.story_id == story_id("e1") and len(out.story.reports) == 1


def test_a_matching_report_joins_the_best_story_and_a_vetoed_one_does_not():
    """The report joins the Kyiv strike, not the Kharkiv one of the same night."""
    kyiv, kharkiv = story(report(1)), story(report(3, location=KHARKIV), story_id="s3")
    out = resolve(report(2), [kharkiv, kyiv], W, T0)
    assert out.story.story_id == "s1" and out.match is not None
    assert [r.event_id for r in out.story.reports] == ["e1", "e2"]
    assert not out.absorbed


def test_a_replayed_report_changes_nothing():
    """An event already in a story (a replay after a crash) leaves the story as it was."""
    s = story(report(1), report(2))
    out = resolve(report(2), [s], W, T0)
    assert not out.changed and out.story is s


def test_a_report_that_ties_two_stories_merges_them_into_the_oldest():
    """Two stories one report matches were one happening: the older id survives, the other is absorbed."""
    older = story(report(1), story_id="old", opened=T0 - timedelta(hours=2))
    newer = story(report(3), story_id="new", opened=T0 - timedelta(hours=1))
    out = resolve(report(2), [newer, older], W, T0)
    assert out.story.story_id == "old"
    assert [s.story_id for s, _ in out.absorbed] == ["new"]
    assert out.story.merged_ids == ["new"]
    assert {r.event_id for r in out.story.reports} == {"e1", "e2", "e3"}


def test_a_closed_story_takes_no_more_reports():
    """A story past the horizon is history: a new report opens a new story."""
    closed = story(report(1)).model_copy(update={"status": "closed"})
    out = resolve(report(2), [closed], W, T0)
    assert out.match is None and out.story.story_id != "s1"


def test_consensus_counts_keep_every_report_and_name_the_rule():
    """Tolls rise: the highest exact value wins, and each reported value keeps its source."""
    from tests.unit.stories.reports import count

    s = story(
        report(1, counts=[count("killed", 1), count("injured", 4, "at_least")]),
        report(2, counts=[count("killed", 2)]),
        report(3, counts=[count("injured", 6, "at_least")]),
    )
    out = story_of(s)
    by_kind = {c.kind: c for c in out.counts}
    assert (by_kind["killed"].value, by_kind["killed"].rule) == (2, "highest_exact")
    assert [(r.value, r.source) for r in by_kind["killed"].reports] == [
        (1, "site1.example"),
        (2, "site2.example"),
    ]
    assert (by_kind["injured"].value, by_kind["injured"].qualifier) == (6, "at_least")
    assert (out.num_articles, out.num_sources, out.num_mentions) == (3, 3, 3)
    assert out.location is not None and out.location.name == "Kyiv"
    assert out.date == "2025-02-12" and out.date_range is not None


def test_a_replay_by_a_new_coder_replaces_the_article_s_old_report():
    """After `reprocess --from-raw` with a new coder version the article's new event takes the
    place of its old one in the story: the happening is not told twice, nor split in two."""
    old = story(report(1, coder_version="0.4.2"), report(2, coder_version="0.4.2"))
    new = report(1, event_id="e1-new", coder_version="0.4.3")
    out = resolve(new, [old], W, T0)
    assert out.story.story_id == old.story_id and not out.absorbed
    assert sorted(r.event_id for r in out.story.reports) == ["e1-new", "e2"]


def test_a_replay_never_absorbs_a_story_holding_another_event_of_its_article():
    """The article's other happening, told by its old events, stays a story of its own."""
    first = story(report(1, coder_version="0.4.2"), report(2, coder_version="0.4.2"))
    other = story(
        report(1, event_id="e1b", coder_version="0.4.2"),
        report(3, coder_version="0.4.2"),
        story_id="s2",
        opened=T0 + timedelta(hours=1),
    )
    out = resolve(report(1, event_id="e1-new", coder_version="0.4.3"), [first, other], W, T0)
    assert out.story.story_id == "s1" and not out.absorbed
