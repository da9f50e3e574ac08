"""Redirect trail: loops, limits and cookies between hops."""

from __future__ import annotations

from newsflow.errors import Reason
from newsflow.fetch.redirects import RedirectTrail


def test_relative_locations_and_limit():
    """Relative Locations resolve against the current URL, and hop max+1 is REDIRECT_LIMIT."""
    trail = RedirectTrail("https://a.example/x/1", max_redirects=2)
    assert trail.follow("2", {}) is None and trail.current == "https://a.example/x/2"
    assert trail.follow("/y/3", {}) is None
    assert trail.follow("4", {}) is Reason.REDIRECT_LIMIT


def test_loop_detected():
    """Coming back to a URL already visited with the same cookies is REDIRECT_LOOP."""
    trail = RedirectTrail("https://a.example/a", max_redirects=10)
    assert trail.follow("/b", {}) is None
    assert trail.follow("/a", {}) is Reason.REDIRECT_LOOP


def test_cookie_check_is_not_a_loop_and_cookies_stay_on_host():
    """A self-redirect that sets a cookie continues; cookies are not carried to another host."""
    trail = RedirectTrail("https://a.example/a", max_redirects=10)
    assert trail.follow("/a", {"consent": "1"}) is None
    assert trail.cookie_header() == "consent=1"
    assert trail.follow("https://b.example/", {"track": "x"}) is None
    assert trail.cookie_header() is None
