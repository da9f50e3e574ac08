"""robots.txt parsing and matching (RFC 9309) and the per-origin cache."""

from __future__ import annotations

import asyncio

import pytest

from newsflow.fetch.robots import (
    CACHE_TTL,
    FAILURE_TTL,
    MAX_CRAWL_DELAY,
    RobotsCache,
    applies,
    origin_of,
    parse,
    product_token,
    rules_from_response,
)

ROBOTS = """
# comment
User-agent: *
Disallow: /private
Allow: /private/open
Disallow: /*.pdf$
Disallow: /search?
Crawl-delay: 2

User-agent: newsflow
User-agent: other
Disallow: /drafts/
Allow: /drafts/public
Crawl-delay: 5

User-agent: greedy
Disallow: /
"""


def test_product_token():
    """The product token is the User-Agent name before the version."""
    assert product_token("newsflow/0.1.0 (+https://x)") == "newsflow"
    assert product_token("") == "*"


def test_specific_group_beats_star():
    """Our own group applies instead of '*', including its Crawl-delay."""
    rules = parse(ROBOTS, "newsflow")
    assert not rules.allowed("https://x/drafts/one")
    assert rules.allowed("https://x/private/anything")  # '*' rules do not apply to us
    assert rules.allowed("https://x/drafts/public/two")
    assert rules.crawl_delay == 5


def test_star_group_longest_match_and_wildcards():
    """Longest match wins, '*' and '$' work, and the query string is part of the path."""
    rules = parse(ROBOTS, "somebot")
    assert not rules.allowed("https://x/private/secret")
    assert rules.allowed("https://x/private/open/door")
    assert not rules.allowed("https://x/files/report.pdf")
    assert rules.allowed("https://x/files/report.pdf?download=1")
    assert not rules.allowed("https://x/search?q=war")
    assert rules.allowed("https://x/search")
    assert rules.crawl_delay == 2


def test_allow_wins_tie_and_robots_txt_always_allowed():
    """An Allow and Disallow of equal length resolve to allow; /robots.txt is never disallowed."""
    rules = parse("User-agent: *\nDisallow: /page\nAllow: /page\nDisallow: /", "x")
    assert rules.allowed("https://x/page")
    assert not rules.allowed("https://x/other")
    assert rules.allowed("https://x/robots.txt")


def test_empty_disallow_and_missing_groups():
    """An empty Disallow allows everything; a file with no matching group allows everything."""
    assert parse("User-agent: *\nDisallow:\n", "x").allowed("https://x/a")
    assert parse("User-agent: greedy\nDisallow: /\n", "x").allowed("https://x/a")
    assert parse(b"\xff\xfe garbage", "x").allowed("https://x/a")


def test_percent_encoding_normalised():
    """Percent-encoded paths and patterns compare equal to their decoded forms."""
    rules = parse("User-agent: *\nDisallow: /caf%C3%A9\n", "x")
    assert not rules.allowed("https://x/café/menu")


def test_crawl_delay_capped_and_garbage_ignored():
    """Absurd Crawl-delay values are capped; non-numbers are ignored."""
    assert parse("User-agent: *\nCrawl-delay: 86400\n", "x").crawl_delay == MAX_CRAWL_DELAY
    assert parse("User-agent: *\nCrawl-delay: soon\n", "x").crawl_delay is None


@pytest.mark.parametrize(
    ("status", "allowed", "ttl"),
    [(200, False, CACHE_TTL), (404, True, CACHE_TTL), (403, True, CACHE_TTL), (503, True, FAILURE_TTL), (None, True, FAILURE_TTL)],
)  # fmt: skip
def test_rules_from_response(status, allowed, ttl):
    """2xx is parsed; 4xx allows all; 5xx and no answer allow for a short while only."""
    rules, got_ttl = rules_from_response(status, b"User-agent: *\nDisallow: /\n", "x")
    assert rules.allowed("https://x/a") is allowed and got_ttl == ttl


def test_origin():
    """Origins include scheme and explicit or default port."""
    assert origin_of("https://Example.com/a") == "https://example.com:443"
    assert origin_of("http://example.com:8080/a") == "http://example.com:8080"
    assert origin_of("http://[::1]/a") == "http://[::1]:80"


async def test_cache_fetches_once_and_expires():
    """Concurrent callers share one fetch; after the TTL the file is fetched again."""
    now = [0.0]
    calls: list[str] = []

    async def fetch(url: str):
        calls.append(url)
        await asyncio.sleep(0.01)
        return 200, b"User-agent: *\nDisallow: /x\n"

    cache = RobotsCache(fetch, agent="newsflow", clock=lambda: now[0])
    rules = await asyncio.gather(*(cache.rules_for(f"https://a.example/p{i}") for i in range(5)))
    assert calls == ["https://a.example:443/robots.txt"]
    assert all(not r.allowed("https://a.example/x") for r in rules)
    now[0] = CACHE_TTL + 1
    await cache.rules_for("https://a.example/p")
    assert len(calls) == 2


async def test_cache_failure_propagates_and_is_not_stored():
    """An exception while fetching reaches every waiter and the next call tries again."""
    attempts = [0]

    async def fetch(url: str):
        attempts[0] += 1
        raise RuntimeError("boom")

    cache = RobotsCache(fetch, agent="x")
    with pytest.raises(RuntimeError):
        await cache.rules_for("https://a.example/")
    with pytest.raises(RuntimeError):
        await cache.rules_for("https://a.example/")
    assert attempts[0] == 2


def test_user_agent_line_with_version_matches_token():
    """A group named 'Newsflow/2.0' applies to the product token newsflow."""
    rules = parse(
        "User-agent: *\nDisallow:\n\nUser-agent: Newsflow/2.0\nDisallow: /x\n", "newsflow"
    )
    assert not rules.allowed("https://a/x")


@pytest.mark.parametrize(
    ("listed", "override", "respect", "for_listed", "expected"),
    [(False, None, True, False, True), (True, None, True, False, False), (True, None, True, True, True),
     (True, True, True, False, True), (True, False, True, True, False), (False, None, False, True, False)],
)  # fmt: skip
def test_applies(listed, override, respect, for_listed, expected):
    """Robots apply to discovered links always, to listed URLs per setting or source override, never when off."""
    assert (
        applies(
            listed=listed, source_override=override, respect_robots=respect, for_listed=for_listed
        )
        is expected
    )
