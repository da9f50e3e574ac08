"""Kickers and section labels above the headline are not article text."""

from __future__ import annotations

from lxml.html import fromstring

from newsflow.extract.clean import clean_blocks
from newsflow.extract.evidence import read_kickers

LEAD = "The central bank raised its main rate by a quarter point on Thursday, its third rise this year, citing prices that keep climbing."
MORE = "Economists had expected the move after inflation data last week came in above forecasts for a fourth month in a row."
TITLE = "Central bank raises rates again"


def test_label_followed_by_headline_is_dropped() -> None:
    """A short label with the headline right after it goes, and the headline with it."""
    kept, removed = clean_blocks(["Business", TITLE, LEAD, MORE], [TITLE])
    assert kept == [LEAD, MORE]
    assert removed == {"kicker": 1, "repeated_lead": 1}


def test_label_found_above_h1_is_dropped() -> None:
    """A label that sat right above the h1 goes even when the headline is not in the text."""
    kept, removed = clean_blocks(["Analysis", LEAD, MORE], [TITLE], kickers=["Analysis"])
    assert kept == [LEAD, MORE]
    assert removed == {"kicker": 1}


def test_short_opening_heading_stays() -> None:
    """A short first line that is neither above the h1 nor followed by the headline is kept."""
    kept, removed = clean_blocks(["Overview", LEAD, MORE], [TITLE], kickers=["Business"])
    assert kept == ["Overview", LEAD, MORE]
    assert not removed


def test_read_kickers_walks_out_from_the_h1() -> None:
    """Labels before the h1, in its container or the one around it, are found; a longer text stops the walk."""
    tree = fromstring(
        "<html><body><p>Markets closed higher on a day of thin trading across Europe.</p>"
        "<div><a>Business</a><header><span>Analysis</span><h1>Central bank raises rates</h1>"
        "</header></div><p>Body</p></body></html>"
    )
    assert read_kickers(tree) == ("Analysis", "Business")


def test_no_h1_no_kickers() -> None:
    """A page without an h1 has no kickers."""
    assert read_kickers(fromstring("<html><body><p>Text</p></body></html>")) == ()
