"""Page metadata read from markup: title, authors, time, language and canonical URL."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
import trafilatura

from newsflow.extract.metadata import parse_date, read_meta, split_authors


def meta(head: str, body: str = "<p>x</p>", lang: str = "") -> object:
    html = f"<html{lang}><head>{head}</head><body>{body}</body></html>"
    return read_meta(trafilatura.load_html(html), "https://example.org/news/story?id=1")


@pytest.mark.parametrize(
    ("value", "want"),
    [
        ("2025-02-12T18:00:00Z", datetime(2025, 2, 12, 18, 0, tzinfo=UTC)),
        (
            "2019-11-19T10:04:00-05:00",
            datetime(2019, 11, 19, 10, 4, tzinfo=timezone(timedelta(hours=-5))),
        ),
        ("2019-11-19 10:04:00", datetime(2019, 11, 19, 10, 4, tzinfo=UTC)),
        ("2019-11-19", datetime(2019, 11, 19, tzinfo=UTC)),
        ("Tue, 19 Nov 2019 15:04:00 GMT", datetime(2019, 11, 19, 15, 4, tzinfo=UTC)),
        ("last Tuesday", None),
    ],
)
def test_parse_date(value: str, want: datetime | None) -> None:
    """ISO 8601 and RFC 2822 times parse to aware datetimes, UTC when the page gives no zone."""
    assert parse_date(value) == want


def test_meta_tags_win() -> None:
    """og:title, article:published_time, author and rel=canonical are read and normalized."""
    got = meta(
        "<title>Dam Holds - Valley Post</title><meta property='og:title' content='Dam Holds After Storm'>"
        "<meta property='article:published_time' content='2024-03-01T06:30:00+01:00'>"
        "<meta name='author' content='By Jane Roe and Tom Hall'>"
        "<link rel='canonical' href='/news/dam-holds'>",
        lang=" lang='en-GB'",
    )
    assert got.title == "Dam Holds After Storm"
    assert got.published_at == datetime(2024, 3, 1, 5, 30, tzinfo=UTC)
    assert got.authors == ["Jane Roe", "Tom Hall"]
    assert got.language == "en"
    assert got.canonical_url == "https://example.org/news/dam-holds"


def test_json_ld_when_no_meta_tags() -> None:
    """Headline, author, date and language come from JSON-LD when meta tags are missing."""
    ld = {
        "@context": "https://schema.org",
        "@graph": [
            {
                "@type": "NewsArticle",
                "headline": "Dam Holds",
                "datePublished": "2024-03-01T06:30:00Z",
                "author": [{"@type": "Person", "name": "Jane Roe"}],
                "inLanguage": "de-DE",
            }
        ],
    }
    got = meta(f"<script type='application/ld+json'>{json.dumps(ld)}</script>")
    assert got.title == "Dam Holds"
    assert got.authors == ["Jane Roe"]
    assert got.published_at == datetime(2024, 3, 1, 6, 30, tzinfo=UTC)
    assert got.language == "de"


def test_title_falls_back_to_h1_then_title_without_site_name() -> None:
    """With no meta title the single h1 is the title, else the title tag without its ' - Site' suffix."""
    assert meta("<title>Page - Site</title>", "<h1>Dam Holds</h1>").title == "Dam Holds"
    assert (
        meta("<title>Dam Holds After Storm | Valley Post</title>").title == "Dam Holds After Storm"
    )


def test_missing_fields_are_empty() -> None:
    """A bare page yields no title, authors, time, language or canonical URL rather than guesses."""
    got = meta("")
    assert (got.title, got.authors, got.published_at, got.language, got.canonical_url) == (
        None,
        [],
        None,
        None,
        None,
    )


def test_non_http_canonical_ignored() -> None:
    """A canonical link that is not http(s) is ignored in favour of og:url."""
    got = meta(
        "<link rel='canonical' href='javascript:void(0)'><meta property='og:url' content='https://example.org/a'>"
    )
    assert got.canonical_url == "https://example.org/a"


def test_split_authors_drops_urls() -> None:
    """Author profile URLs are not names."""
    assert split_authors("https://example.org/staff/jane") == []
    assert split_authors("Jane Roe, Tom Hall & Ann Lee") == ["Jane Roe", "Tom Hall", "Ann Lee"]
