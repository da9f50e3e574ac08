"""URL canonicalization: one article, one key."""

from newsflow.urls import article_id_for, canonicalize, domain_of


def test_scheme_and_host_lowercased_default_port_dropped():
    """Scheme and host case and the default port never make two keys."""
    assert (
        canonicalize("HTTPS://News.Example.COM:443/World/Story")
        == "https://news.example.com/World/Story"
    )


def test_fragment_and_tracking_parameters_removed():
    """utm_*, fbclid, gclid and fragments are dropped; meaningful parameters stay, sorted."""
    url = "http://ex.org/a?utm_source=x&utm_medium=y&id=7&fbclid=abc&gclid=1&page=2#comments"
    assert canonicalize(url) == "http://ex.org/a?id=7&page=2"


def test_relative_urls_resolved_against_base():
    """Relative links in feeds resolve against the feed URL."""
    assert (
        canonicalize("../b/c.html", base="https://ex.org/a/feed.xml") == "https://ex.org/b/c.html"
    )


def test_same_article_same_id_and_different_articles_differ():
    """The article id is stable across tracking variants and differs between articles."""
    a = article_id_for(canonicalize("https://ex.org/x?utm_campaign=1"))
    assert a == article_id_for(canonicalize("https://EX.org/x#top"))
    assert a != article_id_for(canonicalize("https://ex.org/y"))
    assert len(a) == 32


def test_domain_strips_www():
    """The source domain is the host without 'www.'."""
    assert domain_of("https://www.bbc.co.uk/news") == "bbc.co.uk"
    assert domain_of("file:///tmp/x.html") == "local"
