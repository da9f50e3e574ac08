"""Feed parsing rules that the fixture files do not pin down on their own."""

from __future__ import annotations

from datetime import UTC, datetime

from newsflow.config import SourceConfig
from newsflow.sources.feeds import LONG_SUMMARY, parse_feed

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
SOURCE = SourceConfig(id="s", kind="feed", url="https://example.org/rss")


def rss(items: str) -> bytes:
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>'.encode()


def test_garbage_gives_warning_not_exception():
    """A body that is not a feed at all yields no items and a warning, never an exception."""
    found = parse_feed(b"\x00\xffnot xml", source=SOURCE, base_url=SOURCE.url, now=NOW, since=None)
    assert found.items == [] and any("not a recognised" in w for w in found.warnings)


def test_empty_body():
    """An empty body is handled like any other non-feed."""
    found = parse_feed(b"", source=SOURCE, base_url=SOURCE.url, now=NOW, since=None)
    assert found.items == [] and found.warnings


def test_since_keeps_undated_and_newer_only():
    """With `since`, older entries are dropped while undated ones are kept."""
    body = rss(
        "<item><link>https://example.org/a</link><pubDate>Wed, 25 Nov 2026 10:00:00 GMT</pubDate></item>"
        "<item><link>https://example.org/b</link><pubDate>Mon, 23 Nov 2026 10:00:00 GMT</pubDate></item>"
        "<item><link>https://example.org/c</link></item>"
    )
    since = datetime(2026, 11, 24, tzinfo=UTC)
    found = parse_feed(body, source=SOURCE, base_url=SOURCE.url, now=NOW, since=since)
    assert [i.url for i in found.items] == ["https://example.org/a", "https://example.org/c"]
    assert found.newest == datetime(2026, 11, 25, 10, tzinfo=UTC)


def test_naive_since_does_not_crash():
    """A `since` without a zone is read as UTC rather than raising on comparison."""
    body = rss(
        "<item><link>https://example.org/a</link><pubDate>Wed, 25 Nov 2026 10:00:00 GMT</pubDate></item>"
    )
    found = parse_feed(
        body, source=SOURCE, base_url=SOURCE.url, now=NOW, since=datetime(2026, 11, 24)
    )
    assert len(found.items) == 1


def test_long_summary_becomes_content_short_one_does_not():
    """A summary of article length is carried as content; a teaser is not."""
    long = "word " * (LONG_SUMMARY // 4)
    body = rss(
        f"<item><link>https://example.org/long</link><description>{long}</description></item>"
        "<item><link>https://example.org/short</link><description>teaser</description></item>"
    )
    found = parse_feed(body, source=SOURCE, base_url=SOURCE.url, now=NOW, since=None)
    by_url = {i.url: i for i in found.items}
    assert by_url["https://example.org/long"].content.strip() == long.strip()
    assert by_url["https://example.org/short"].content is None


def test_unknown_timezone_name_falls_back_to_utc():
    """A source timezone that is not a real IANA zone is treated as UTC, not an error."""
    source = SourceConfig(
        id="s", kind="feed", url="https://example.org/rss", timezone="Mars/Olympus"
    )
    body = rss(
        "<item><link>https://example.org/a</link><pubDate>Wed, 25 Nov 2026 10:00:00</pubDate></item>"
    )
    found = parse_feed(body, source=source, base_url=source.url, now=NOW, since=None)
    assert found.items[0].published_at == datetime(2026, 11, 25, 10, tzinfo=UTC)


def test_future_dates_do_not_become_newest():
    """An entry dated next year stays on its item but does not set `newest`."""
    body = rss(
        "<item><link>https://example.org/a</link><pubDate>Wed, 25 Nov 2026 10:00:00 GMT</pubDate></item>"
        "<item><link>https://example.org/b</link><pubDate>Thu, 25 Nov 2027 10:00:00 GMT</pubDate></item>"
    )
    found = parse_feed(body, source=SOURCE, base_url=SOURCE.url, now=NOW, since=None)
    assert found.newest == datetime(2026, 11, 25, 10, tzinfo=UTC)
    assert found.items[0].url == "https://example.org/b"


def test_permalink_guid_is_used_as_link():
    """An RSS item with only a permalink <guid> still yields its URL."""
    body = rss("<item><title>x</title><guid>https://example.org/only-guid</guid></item>")
    found = parse_feed(body, source=SOURCE, base_url=SOURCE.url, now=NOW, since=None)
    assert [i.url for i in found.items] == ["https://example.org/only-guid"]


def test_html_instead_of_feed_offers_advertised_feeds():
    """A 'feed' URL that serves a web page returns the page's advertised feeds as children."""
    html = b'<html><head><link rel="alternate" type="application/rss+xml" href="/rss.xml"></head></html>'
    found = parse_feed(html, source=SOURCE, base_url="https://example.org/", now=NOW, since=None)
    assert found.items == [] and list(found.children) == ["https://example.org/rss.xml"]


def test_file_feed_links_stay_local_files(tmp_path):
    """A file:// feed (the bundled sample, replays) may link to file:// pages beside it."""
    from datetime import UTC, datetime

    from newsflow.config import SourceConfig
    from newsflow.sources.feeds import parse_feed

    body = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
        b"<item><title>a</title><link>articles/a.html</link></item></channel></rss>"
    )
    base = (tmp_path / "feed.xml").as_uri()
    source = SourceConfig(id="s", kind="feed", url=base)
    found = parse_feed(body, source=source, base_url=base, now=datetime.now(UTC), since=None)
    assert [i.url for i in found.items] == [(tmp_path / "articles" / "a.html").as_uri()]
