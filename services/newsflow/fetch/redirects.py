"""Redirect bookkeeping: loop and limit detection, and cookies carried between hops.

Redirects are followed by hand (aiohttp's allow_redirects=False) so that every
hop passes the scheme, robots and SSRF checks again.
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from newsflow.errors import Reason


def http_url_problem(url: str) -> tuple[Reason, str] | None:
    """Why `url` cannot be fetched over HTTP (scheme, host, port, syntax), or None if it can."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError as exc:
        return Reason.INVALID_INPUT, f"malformed URL: {exc}"
    if parts.scheme.lower() not in ("http", "https"):
        return Reason.BAD_SCHEME, f"unsupported URL scheme {parts.scheme!r}"
    if not parts.hostname or any(c.isspace() for c in parts.netloc):
        return Reason.INVALID_INPUT, "URL has no usable host"
    return None


def _cookie_key(cookies: dict[str, str]) -> str:
    return ";".join(f"{k}={v}" for k, v in sorted(cookies.items()))


class RedirectTrail:
    """The hops of one fetch; `follow` says whether the next one is allowed."""

    def __init__(self, url: str, max_redirects: int) -> None:
        self.current = url
        self.hops = 0
        self.cookies: dict[str, str] = {}
        self._max = max_redirects
        self._seen = {(url, "")}

    def follow(self, location: str, set_cookies: dict[str, str]) -> Reason | None:
        """Move to `location` (relative to the current URL); a Reason if that is a loop or too many hops.

        Cookies set by a redirect are sent on the next hop to the same host:
        the "set a cookie and redirect to yourself" check some news sites run
        is then not mistaken for a loop, so the loop key includes them.
        """
        target = urljoin(self.current, location.strip())
        same_host = urlsplit(target).hostname == urlsplit(self.current).hostname
        self.cookies = {**self.cookies, **set_cookies} if same_host else {}
        self.current = target
        self.hops += 1
        key = (target, _cookie_key(self.cookies))
        if key in self._seen:
            return Reason.REDIRECT_LOOP
        if self.hops > self._max:
            return Reason.REDIRECT_LIMIT
        self._seen.add(key)
        return None

    def cookie_header(self) -> str | None:
        return _cookie_key(self.cookies).replace(";", "; ") or None
