"""The match score between a report and an open story: vetoes and evidence."""

from __future__ import annotations

from newsflow.stories.match import Weights, match, modes_compatible, profile
from tests.unit.stories.reports import CHERNIHIV_OBLAST, KHARKIV, count, report, story

W = Weights()


def test_two_reports_of_one_strike_clear_the_bar_with_their_reasons():
    """Same type, place, day, attacker and toll: a match, and the reasons say why."""
    m = match(report(2), profile(story(report(1))), W)
    assert not m.vetoed and m.score >= W.threshold
    assert {"same place", "same day", "counts agree", "actor agrees"} <= set(m.reasons)


def test_another_type_is_never_one_happening():
    """A protest is not the air strike it protests against."""
    m = match(report(2, event_type="PROTEST", quad_class=4), profile(story(report(1))), W)
    assert m.vetoed and "type" in (m.veto or "")


def test_compatible_modes_agree_and_foreign_modes_veto():
    """An air strike and a drone strike may be one strike; an air strike and an arrest may not."""
    assert modes_compatible("aerial", "drone") and modes_compatible(None, "firearms")
    assert not modes_compatible("aerial", "firearms")
    assert not match(report(2, mode="drone"), profile(story(report(1))), W).vetoed
    assert match(report(2, mode="firearms"), profile(story(report(1))), W).vetoed


def test_dates_past_the_window_veto_and_month_dates_need_overlap():
    """Day-dated reports 2 days apart can match, 5 days apart cannot; a month must contain the day."""
    s = profile(story(report(1)))
    assert not match(report(2, date="2025-02-14"), s, W).vetoed
    assert match(report(2, date="2025-02-17"), s, W).veto == "dates 5 days apart"
    assert not match(report(2, date="2025-02", date_precision="month"), s, W).vetoed
    assert match(report(2, date="2025-03", date_precision="month"), s, W).vetoed


def test_different_cities_or_regions_veto_an_unplaced_report_does_not():
    """Kyiv and Kharkiv are two strikes, and so are Kyiv and the Chernihiv region; no place is no conflict."""
    s = profile(story(report(1)))
    assert match(report(2, location=KHARKIV), s, W).vetoed
    assert match(report(2, location=CHERNIHIV_OBLAST), s, W).vetoed
    assert not match(report(2, location=None), s, W).vetoed


def test_counts_that_grow_agree_and_counts_far_apart_veto():
    """'At least 4 injured' and '6 injured' agree, as does a toll rising from 1 to 2; 1 and 40 killed do not."""
    s = profile(story(report(1, counts=[count("injured", 4, "at_least"), count("killed", 1)])))
    assert "counts agree" in match(report(2, counts=[count("injured", 6)]), s, W).reasons
    assert not match(report(2, counts=[count("killed", 2)]), s, W).vetoed
    assert match(report(2, counts=[count("killed", 40)]), s, W).veto == "killed 40 vs 1"


def test_a_second_event_of_one_article_is_not_joined_to_the_first():
    """The coder merges one article's mentions of one happening; two events it left apart stay apart."""
    m = match(report(2, article_id="a1"), profile(story(report(1))), W)
    assert m.veto == "a second event of one article"


def test_an_event_of_the_article_by_another_coder_version_is_a_replay_not_a_second_event():
    """`reprocess --from-raw` with a new coder gives the article's events new ids: the new one
    may join the story its old one told; one more of the same version may not."""
    old = profile(story(report(1, coder_version="0.4.2")))
    assert not match(report(2, article_id="a1", coder_version="0.4.3"), old, W).vetoed
    veto = match(report(2, article_id="a1", coder_version="0.4.2"), old, W).veto
    assert veto == "a second event of one article"


def test_names_only_count_when_two_or_more_are_shared():
    """One shared common word is no evidence; two shared names are."""
    bare = {"location": None, "actors": [], "counts": [], "date": None, "date_precision": None}
    s = profile(story(report(1, names=["woodburn", "bank", "oregon"], **bare)))
    assert match(report(2, names=["bank", "athens"], **bare), s, W).score < W.threshold
    assert match(report(2, names=["woodburn", "bank"], **bare), s, W).score >= W.threshold


def test_every_mode_the_coder_gives_has_a_place_in_the_mode_groups():
    """A mode missing from stories/modes.yaml would veto every other mode, splitting stories."""
    import re
    from importlib import resources

    import yaml

    data = resources.files("newsflow.events").joinpath("data")
    given = set()
    for name in ("triggers.yaml", "cues.yaml", "acled.yaml"):
        given |= set(re.findall(r"mode: ([a-z-]+)", data.joinpath(name).read_text("utf-8")))
    given |= {m for m, _ in yaml.safe_load(data.joinpath("cues.yaml").read_text())["weapon_modes"]}
    text = resources.files("newsflow.stories").joinpath("modes.yaml").read_text("utf-8")
    table = yaml.safe_load(text)
    known = {m for g in table["groups"] for m in g} | set(table["alone"])
    assert given <= known, sorted(given - known)
