"""Article identity: which URL names an article, so that one story gets one key."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from newsflow.extract.document import Extracted
from newsflow.processing import DocumentRequest, _canonical_choice, build_article
from newsflow.urls import article_id_for

URL = "https://news.example.org/world/2026/03/story?utm_source=feed"


@pytest.mark.parametrize(
    "canonical",
    [
        "https://news.example.org/world/2026/03/story",
        "https://wire.example.com/2026/03/story-syndicated",  # another site: syndication
        "http://news.example.org/amp/story",
    ],
)
def test_rel_canonical_is_trusted_also_across_sites(canonical: str):
    """A canonical link to an article path names the article, on this site or another."""
    assert _canonical_choice(URL, canonical) == canonical


@pytest.mark.parametrize(
    "home", ["https://news.example.org/", "https://news.example.org", "https://other.example/"]
)
def test_a_canonical_home_page_is_ignored(home: str):
    """A canonical pointing at a bare home page (a CMS bug) would merge every article: ignored."""
    assert _canonical_choice(URL, home) == URL


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        (URL, None),
        (URL, ""),
        (URL, "ftp://news.example.org/world/story"),
        (URL, "javascript:void(0)"),
        ("urn:sha256:" + "0" * 32, "https://news.example.org/world/story"),
    ],
)
def test_no_usable_canonical_keeps_the_url(url: str, canonical: str | None):
    """Missing canonicals, non-web schemes, and documents without a web URL keep their own URL."""
    assert _canonical_choice(url, canonical) == url


def _article_id(canonical: str | None) -> str:
    request = DocumentRequest(
        url=URL, body="", media="html", source_id="s", source_url="",
        fetched_at=datetime(2026, 3, 1, tzinfo=UTC),
    )  # fmt: skip
    extracted = Extracted(
        text="Some words.", title=None, authors=[], published_at=None, language=None,
        canonical_url=canonical, tool="trafilatura", version="2", path="precision",
    )  # fmt: skip
    return build_article(request, extracted).article_id


def test_articles_on_a_buggy_site_keep_apart():
    """Two stories whose pages both claim the home page as canonical get different ids."""
    home = "https://news.example.org/"
    assert _article_id(home) == article_id_for("https://news.example.org/world/2026/03/story")
    assert _article_id(home) != article_id_for(home)


def test_a_syndicated_copy_shares_the_original_id():
    """A copy whose canonical names the original is keyed by the original URL."""
    original = "https://wire.example.com/2026/03/story"
    assert _article_id(original) == article_id_for(original)
