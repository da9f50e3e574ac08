"""robots.txt (RFC 9309): parse rules, decide per URL, cache per origin with a TTL.

Parsing and matching are pure; `RobotsCache` only adds fetching (through a
callable supplied by the client) and expiry.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from newsflow.config import FetchSettings
from newsflow.errors import Reason

MAX_ROBOTS_BYTES = 500 * 1024  # RFC 9309 §2.5: parse at least the first 500 KiB
CACHE_TTL = 6 * 3600.0  # RFC 9309 §2.4: do not cache for more than 24 hours
FAILURE_TTL = 600.0  # a failed fetch is retried sooner than a good file
PRUNE_ABOVE = 4096  # cached origins kept before expired entries are dropped
MAX_CRAWL_DELAY = 60.0  # Crawl-delay is non-standard; cap it so one host cannot stall a worker


@dataclass(frozen=True)
class Rule:
    allow: bool
    pattern: str
    regex: re.Pattern[str]


@dataclass
class _Group:
    agents: list[str] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    crawl_delay: float | None = None


@dataclass(frozen=True)
class RobotsRules:
    """The rules that apply to one product token; empty rules allow everything."""

    rules: tuple[Rule, ...] = ()
    crawl_delay: float | None = None
    note: str = ""

    def allowed(self, url: str) -> bool:
        """RFC 9309 §2.2.2: the longest matching pattern wins; allow wins a tie."""
        parts = urlsplit(url)
        path = parts.path or "/"
        if path == "/robots.txt":
            return True  # RFC 9309 §2.2.2: /robots.txt is implicitly allowed
        target = unquote(path + ("?" + parts.query if parts.query else ""))
        best: Rule | None = None
        for rule in self.rules:
            if rule.regex.match(target) and (
                best is None
                or len(rule.pattern) > len(best.pattern)
                or (len(rule.pattern) == len(best.pattern) and rule.allow and not best.allow)
            ):
                best = rule
        return best is None or best.allow


def _compile(pattern: str) -> re.Pattern[str]:
    anchored = pattern.endswith("$")
    body = unquote(pattern[:-1] if anchored else pattern)
    regex = ".*".join(re.escape(part) for part in body.split("*"))
    return re.compile(regex + ("$" if anchored else ""), re.DOTALL)


def _groups(text: str) -> list[_Group]:
    groups: list[_Group] = []
    current: _Group | None = None
    last_was_agent = False
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if ":" not in line:
            continue
        key, value = (s.strip() for s in line.split(":", 1))
        key = key.lower()
        if key == "user-agent":
            if current is None or not last_was_agent:
                current = _Group()
                groups.append(current)
            # "User-agent: Newsflow/1.0" names the product token newsflow (RFC 9309 §2.2.1).
            current.agents.append("*" if value.strip() == "*" else product_token(value))
            last_was_agent = True
            continue
        last_was_agent = False
        if current is None:
            continue  # rules before any user-agent line belong to no group
        if key in ("allow", "disallow"):
            if value:  # an empty Disallow means "allow everything"
                current.rules.append(Rule(key == "allow", value, _compile(value)))
        elif key == "crawl-delay":
            with contextlib.suppress(ValueError):
                current.crawl_delay = max(0.0, float(value))
    return groups


def product_token(user_agent: str) -> str:
    """The name robots.txt groups are matched against: 'newsflow' from 'newsflow/0.1 (...)'."""
    token = re.match(r"[A-Za-z_-]+", user_agent.strip())
    return token.group(0).lower() if token else "*"


def parse(body: bytes | str, agent: str) -> RobotsRules:
    """Rules for `agent` (a product token); groups naming it win over '*' (RFC 9309 §2.2.1)."""
    if isinstance(body, bytes):
        body = body[:MAX_ROBOTS_BYTES].decode("utf-8", errors="replace")
    groups = _groups(body)
    agent = agent.lower()
    chosen = [g for g in groups if agent in g.agents] or [g for g in groups if "*" in g.agents]
    if not chosen:
        return RobotsRules(note="no group for this agent")
    rules = tuple(r for g in chosen for r in g.rules)  # RFC 9309: matching groups are merged
    delays = [g.crawl_delay for g in chosen if g.crawl_delay is not None]
    delay = min(max(delays), MAX_CRAWL_DELAY) if delays else None
    return RobotsRules(rules=rules, crawl_delay=delay, note=f"{len(rules)} rules")


def applies(
    *, listed: bool, source_override: bool | None, respect_robots: bool, for_listed: bool
) -> bool:
    """Whether robots.txt applies to a URL: the `check_robots` argument of Fetcher.fetch.

    Article links found by discovery are always checked (when respect_robots).
    A source's own URL was chosen by the user, so it is checked only if
    robots_for_listed_sources says so, or the source overrides that.
    """
    if not respect_robots:
        return False
    if not listed:
        return True
    return for_listed if source_override is None else source_override


def applies_to_listed(source_override: bool | None, settings: FetchSettings) -> bool:
    """`applies` for a URL the user listed as a source (its feed, sitemap or page)."""
    return applies(
        listed=True,
        source_override=source_override,
        respect_robots=settings.respect_robots,
        for_listed=settings.robots_for_listed_sources,
    )


def origin_of(url: str) -> str:
    """scheme://host:port — robots.txt applies per origin (RFC 9309 §2.3)."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    return f"{parts.scheme.lower()}://{host}:{port}"


def rules_from_response(status: int | None, body: bytes, agent: str) -> tuple[RobotsRules, float]:
    """Rules and cache lifetime for the outcome of fetching robots.txt.

    RFC 9309 §2.3.1.3-4: 4xx means no restrictions; 5xx or no answer should be
    treated as full disallow. We allow instead, for a short while: news CDNs
    often fail robots.txt while serving feeds fine, the per-host slot still
    limits our rate, and the failure is cached only for FAILURE_TTL.
    """
    if status is not None and 200 <= status < 300:
        return parse(body, agent), CACHE_TTL
    if status is not None and 400 <= status < 500:
        return RobotsRules(note=f"robots.txt status {status}: allow all"), CACHE_TTL
    return RobotsRules(
        note=f"robots.txt unavailable ({status or 'no response'}): allowing"
    ), FAILURE_TTL


# Failures that are still an answer from the server (a status), as opposed to no answer.
_ANSWERED = {
    Reason.NOT_FOUND,
    Reason.GONE,
    Reason.HTTP_ERROR,
    Reason.RATE_LIMITED,
    Reason.SERVER_ERROR,
}


def robots_answer(
    status: int | None, reason: Reason | None, body: bytes
) -> tuple[int | None, bytes]:
    """(status, body) for rules_from_response; status None when the server gave no answer."""
    if reason is None:
        return status, body
    if reason in _ANSWERED:
        return status, b""
    return None, b""  # network, timeout, too large, SSRF: no usable answer


Fetch = Callable[[str], Awaitable[tuple[int | None, bytes]]]


class RobotsCache:
    """One robots.txt fetch per origin, shared by concurrent callers and kept for a TTL."""

    def __init__(
        self, fetch: Fetch, *, agent: str, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._fetch = fetch
        self._agent = agent
        self._clock = clock
        self._entries: dict[str, tuple[RobotsRules, float]] = {}
        self._pending: dict[str, asyncio.Future[RobotsRules]] = {}

    def cached(self, origin: str) -> RobotsRules | None:
        entry = self._entries.get(origin)
        if entry and entry[1] > self._clock():
            return entry[0]
        return None

    async def rules_for(self, url: str) -> RobotsRules:
        """The rules for the origin of `url`, fetching robots.txt when missing or expired."""
        origin = origin_of(url)
        rules = self.cached(origin)
        if rules is not None:
            return rules
        pending = self._pending.get(origin)
        if pending is not None:
            return await asyncio.shield(pending)
        fut: asyncio.Future[RobotsRules] = asyncio.get_running_loop().create_future()
        self._pending[origin] = fut
        try:
            status, body = await self._fetch(origin + "/robots.txt")
            rules, ttl = rules_from_response(status, body, self._agent)
            now = self._clock()
            if len(self._entries) > PRUNE_ABOVE:  # article links reach many origins; stay bounded
                self._entries = {o: e for o, e in self._entries.items() if e[1] > now}
            self._entries[origin] = (rules, now + ttl)
            fut.set_result(rules)
            return rules
        except BaseException as exc:
            fut.set_exception(exc)
            fut.exception()  # mark retrieved so an unshared failure is not logged as lost
            raise
        finally:
            del self._pending[origin]
