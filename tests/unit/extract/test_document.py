"""extract_html / extract_text on whole documents written for these tests."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from newsflow.errors import ExtractError, Reason
from newsflow.extract.document import extract_html, extract_text, looks_like_html

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "extract"
URL = "https://news.example.net/world/russia-dismisses-land-swap"
PAGES = sorted(p.stem for p in FIXTURES.glob("*.html") if p.stem != "seed-article")


def expected(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.expected.json").read_text(encoding="utf-8"))


def check_seed(text: str, title: str | None) -> None:
    want = expected("seed-article")
    assert text.startswith(want["starts_with"])
    assert text.endswith(want["ends_with"])
    for phrase in want["not_contains"]:
        assert phrase not in text
    assert title == want["title"]


def test_seed_html_is_clean() -> None:
    """The seed article's HTML rendering loses its cookie banner and editor footer and keeps its title."""
    got = extract_html((FIXTURES / "seed-article.html").read_text(encoding="utf-8"), URL)
    check_seed(got.text, got.title)
    assert got.removed["cookie_banner"] == 1
    assert got.removed["footer"] == 2
    assert got.path == "precision"


def test_seed_text_is_clean() -> None:
    """The seed article's plain-text rendering loses its footer and banner and gives its first line as title."""
    got = extract_text((FIXTURES / "seed-article.txt").read_text(encoding="utf-8"))
    check_seed(got.text, got.title)
    assert got.removed == {"footer": 2, "cookie_banner": 1}
    assert got.path == "text"


def test_seed_html_metadata() -> None:
    """Page metadata comes from the markup: aware time, ISO 639-1 language, absolute canonical URL."""
    got = extract_html((FIXTURES / "seed-article.html").read_text(encoding="utf-8"), URL)
    assert got.published_at == datetime(2025, 2, 12, 18, 0, tzinfo=UTC)
    assert got.language == "en"
    assert got.canonical_url == URL
    assert got.authors == ["World Desk Staff"]
    assert got.tool == "trafilatura" and got.version
    assert got.duration_ms > 0


@pytest.mark.parametrize("name", PAGES)
def test_cleaner_page(name: str) -> None:
    """Each page's boilerplate goes, counted under its kind, while the article text stays."""
    want = expected(name)
    got = extract_html((FIXTURES / f"{name}.html").read_text(encoding="utf-8"), URL)
    assert {kind: got.removed.get(kind, 0) for kind in want["removed"]} == want["removed"]
    for phrase in want.get("gone", []):
        assert phrase not in got.text
    for phrase in want.get("kept", []):
        assert phrase in got.text
    assert got.text.startswith(want.get("starts_with", ""))
    assert got.text.endswith(want.get("ends_with", ""))


def test_paragraphs_are_lines() -> None:
    """Paragraphs of the clean text are separated by single newlines, with no blank lines."""
    got = extract_html((FIXTURES / "footer.html").read_text(encoding="utf-8"), URL)
    lines = got.text.split("\n")
    assert len(lines) == 5
    assert all(line.strip() for line in lines)


def test_fallback_path_recorded() -> None:
    """A page whose body holds no article but whose JSON-LD does is read by the fallback pass."""
    body = "The council voted on Tuesday to rebuild the old river bridge, closed since spring. " * 4
    ld = json.dumps(
        {"@type": "NewsArticle", "headline": "Council to rebuild bridge", "articleBody": body}
    )
    html = (
        f"<html><head><script type='application/ld+json'>{ld}</script></head>"
        "<body><div id='app'><a href='/'>Home</a> <a href='/news'>News</a></div></body></html>"
    )
    got = extract_html(html, URL)
    assert got.path == "fallback"
    assert got.text.startswith("The council voted on Tuesday")
    assert got.title == "Council to rebuild bridge"


def test_precision_path_when_long_enough() -> None:
    """A page whose precision pass gives enough text takes no other pass."""
    got = extract_html((FIXTURES / "copyright.html").read_text(encoding="utf-8"), URL)
    assert got.path == "precision"


@pytest.mark.parametrize(
    "html",
    [
        "",
        "   \n",
        "<html><body></body></html>",
        "<html><body><nav><a href='/'>Home</a></nav></body></html>",
    ],
)
def test_empty_page_raises(html: str) -> None:
    """A page with no text raises ExtractError(EMPTY_EXTRACTION) instead of returning empty text."""
    with pytest.raises(ExtractError) as info:
        extract_html(html, URL)
    assert info.value.reason is Reason.EMPTY_EXTRACTION
    assert info.value.url == URL


def test_fragment_is_extracted() -> None:
    """An HTML fragment, as feed entries carry, is extracted rather than rejected as not HTML."""
    paragraph = "The council voted to rebuild the old river bridge before the winter floods. " * 4
    got = extract_html(f"<p>{paragraph.strip()}</p>", URL)
    assert got.text == paragraph.strip()
    assert got.path == "precision"


def test_unparsable_page_raises_parse_error() -> None:
    """Input lxml cannot turn into a tree raises ExtractError(PARSE_ERROR)."""
    with pytest.raises(ExtractError) as info:
        extract_html("\x00\x00\x00", URL)
    assert info.value.reason is Reason.PARSE_ERROR


def test_text_of_only_boilerplate_raises() -> None:
    """Plain text that is nothing but a cookie banner raises rather than returning empty text."""
    banner = "We use cookies to improve your experience. By continuing you agree. Accept"
    with pytest.raises(ExtractError) as info:
        extract_text(banner)
    assert info.value.reason is Reason.EMPTY_EXTRACTION


def test_text_without_headline_has_no_title() -> None:
    """Plain text whose first line is a full sentence keeps it as body and has no title."""
    got = extract_text(
        "The bridge reopened on Monday after two years of repairs.\nTraffic was light."
    )
    assert got.title is None
    assert got.text.startswith("The bridge reopened")


def test_text_joins_hard_wrapped_lines() -> None:
    """Plain text wrapped at a fixed width becomes one paragraph per blank-line block."""
    text = (
        "Bridge Reopens\n\nThe bridge over the river reopened on Monday after two years\n"
        "of repairs that cost the town far more than planned.\n\nTraffic was light."
    )
    got = extract_text(text)
    assert got.title == "Bridge Reopens"
    assert got.text.split("\n") == [
        "The bridge over the river reopened on Monday after two years of repairs that cost the town far more than planned.",
        "Traffic was light.",
    ]


@pytest.mark.parametrize(
    ("data", "is_html"),
    [
        ("<!DOCTYPE html><html><body><p>Hi</p></body></html>", True),
        ("\n  <div class='story'><p>Text</p></div>", True),
        ("Bridge Reopens\n\nThe bridge reopened on Monday.", False),
        ("Prices rose 3% as 2 < 3 and 5 > 4 in the index.", False),
    ],
)
def test_looks_like_html(data: str, is_html: bool) -> None:
    """HTML is told from plain text by its tags, not by a stray angle bracket."""
    assert looks_like_html(data) is is_html
