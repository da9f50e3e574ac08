"""Merging the recall pass into the precision pass, and headings put back from the page."""

from __future__ import annotations

from lxml.html import fromstring

from newsflow.extract.merge import merge_passes, restore_headings

P1 = "First paragraph of the guide, which explains how to choose a tent for a week in the hills."
P2 = "Second paragraph of the guide, on sleeping bags and the temperature ratings printed on them."
P3 = "Third paragraph of the guide, on stoves, fuel and how much of it a week of cooking needs."


def test_recall_blocks_inside_the_article_are_merged_in() -> None:
    """Headings and list items the precision pass dropped between its blocks come back."""
    recall = ["Home", "Menu", P1, "Sleeping bags", P2, "- Stove", "- Fuel", P3, "Related posts"]
    assert merge_passes([P1, P2, P3], recall) == [P1, "Sleeping bags", P2, "- Stove", "- Fuel", P3]


def test_page_furniture_between_paragraphs_stays_out() -> None:
    """Gallery counters, widget labels, repeated captions and shouted promos are not merged in."""
    caption = "A tent pitched above the lake at dawn."
    recall = [P1, "Image 1 of 8", caption, "Close", P2, caption, "CLICK HERE TO GET THE APP", P3]
    assert merge_passes([P1, P2, P3], recall) == [P1, P2, P3]


def test_no_shared_block_gives_the_recall_text() -> None:
    """When the passes share nothing, the recall blocks come back for the caller to weigh."""
    assert merge_passes(["Cookie settings"], [P1, P2]) == [P1, P2]
    assert merge_passes([], [P1, P2]) == [P1, P2]


def test_dropped_heading_is_restored_above_its_paragraph() -> None:
    """An h2 whose next paragraph was kept goes back right above it; one whose paragraph is absent does not."""
    tree = fromstring(
        f"<html><body><article><p>{P1}</p><h2>Sleeping bags</h2><p>{P2}</p>"
        f"<h2>Newsletter</h2><p>Sign up for our weekly newsletter and get the best deals in your inbox.</p>"
        f"<h3>Stoves</h3><p>{P3}</p></article></body></html>"
    )
    blocks, count = restore_headings(tree, [P1, P2, "Stoves", P3])
    assert blocks == [P1, "Sleeping bags", P2, "Stoves", P3]
    assert count == 1


def test_heading_over_a_short_paragraph_or_image_is_restored() -> None:
    """An empty element between a heading and its text is skipped, and a short unique paragraph counts."""
    tree = fromstring(
        "<html><body><article>"
        f"<h2>1. North Ridge Tents</h2><div><img src='a.jpg'></div><p>Total reviews: 726</p><p>{P1}</p>"
        f"<h2>2. Valley Gear</h2><p>Pros: light</p><p>{P2}</p>"
        f"<h2>3. Summit Supply</h2><p>Pros: light</p><p>{P3}</p>"
        "</article></body></html>"
    )
    blocks = ["Total reviews: 726", P1, "Pros: light", P2, "Pros: light", P3]
    got, count = restore_headings(tree, blocks)
    # "Pros: light" follows two headings, so it places neither
    assert got == ["1. North Ridge Tents", *blocks]
    assert count == 1
