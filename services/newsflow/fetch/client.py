"""The HTTP client: the one module that talks to aiohttp.

A fetch goes through the layers of the house style, outermost first:
retry honouring Retry-After → redirects followed by hand (every hop checked) →
robots.txt → SSRF guard → per-host slot → one conditional GET with body caps
(response.py). Every failure comes back as a FetchOutcome with a bounded
reason; only programming errors raise.
"""

from __future__ import annotations

import asyncio
import socket
import time
from dataclasses import replace
from datetime import UTC, datetime
from urllib.parse import urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.connector import Connection

from newsflow.config import FetchSettings
from newsflow.errors import Reason
from newsflow.fetch import files, retry, ssrf
from newsflow.fetch.outcome import FetchOutcome, failure
from newsflow.fetch.politeness import (
    FleetClock,
    HostPaused,
    HostSlots,
    TurnMissed,
    check_send_time,
    waive_turn,
)
from newsflow.fetch.redirects import RedirectTrail, http_url_problem
from newsflow.fetch.response import Hop, read_response
from newsflow.fetch.retry import Budget
from newsflow.fetch.robots import MAX_ROBOTS_BYTES, RobotsCache, product_token, robots_answer

DEFAULT_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
# A request that keeps missing its turn (an event loop busy for longer than the tolerance
# every time) books again this often, then goes: pacing must not stop fetching for good.
MAX_REBOOKINGS = 10


class PacedRequest(aiohttp.ClientRequest):
    """Checks the host's turn (politeness.check_send_time) in `send`, which for a GET runs
    to the socket write without giving way to the event loop: nothing can make the request
    late between the check and the bytes leaving."""

    async def send(self, conn: Connection) -> aiohttp.ClientResponse:
        check_send_time()
        return await super().send(conn)


class BlockedAddress(OSError):
    """Raised inside the resolver when a host resolves to a refused address."""


class GuardedResolver(AbstractResolver):
    """Wraps a resolver and refuses hosts whose addresses the SSRF guard blocks.

    Checking here rather than before the request means the addresses judged
    are the ones aiohttp connects to: no DNS-rebinding window.
    """

    def __init__(self, inner: AbstractResolver, *, enabled: bool, allowed_hosts: list[str]) -> None:
        self._inner = inner
        self._enabled = enabled
        self._allowed = allowed_hosts

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        results = await self._inner.resolve(host, port, family)
        if self._enabled and not ssrf.host_exempt(host, self._allowed):
            why = ssrf.check_addresses(host, [r["host"] for r in results])
            if why:
                raise BlockedAddress(why)
        return results

    async def close(self) -> None:
        await self._inner.close()


class Fetcher:
    """Polite, capped, SSRF-guarded fetching; an async context manager owning one session.

    `resolver` is an aiohttp AbstractResolver (default: the system resolver);
    tests use it to map made-up host names to the local server.
    """

    def __init__(
        self,
        settings: FetchSettings,
        *,
        resolver: AbstractResolver | None = None,
        fleet: FleetClock | None = None,
    ) -> None:
        self._settings = settings
        self._resolver = resolver
        self._session: aiohttp.ClientSession | None = None
        self._global: asyncio.Semaphore | None = None
        self._slots = HostSlots(
            per_host=settings.per_host_concurrency, min_delay=settings.min_host_delay, fleet=fleet
        )
        self._robots = RobotsCache(self._fetch_robots, agent=product_token(settings.user_agent))

    async def __aenter__(self) -> Fetcher:
        self._open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            s = self._settings
            resolver = GuardedResolver(
                self._resolver or aiohttp.ThreadedResolver(),
                enabled=s.block_private_addresses,
                allowed_hosts=s.ssrf_allowed_hosts,
            )
            connector = aiohttp.TCPConnector(
                resolver=resolver, limit=s.concurrency, limit_per_host=s.per_host_concurrency
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                auto_decompress=False,  # limits.py inflates under a cap (decompression bombs)
                timeout=aiohttp.ClientTimeout(connect=s.connect_timeout, sock_read=s.read_timeout),
                headers={"User-Agent": s.user_agent, "Accept-Encoding": "gzip, deflate, br"},
                cookie_jar=aiohttp.DummyCookieJar(),  # no state across fetches; redirects carry their own
                trust_env=False,
                request_class=PacedRequest,
            )
            self._global = asyncio.Semaphore(s.concurrency)
        return self._session

    async def close(self) -> None:
        """Close the session; safe to call more than once."""
        session, self._session = self._session, None
        if session is not None and not session.closed:
            await session.close()

    def host_health(self) -> dict[str, dict[str, float | int | None]]:
        """Per-host politeness state (in flight, delay, pause left, strikes) for metrics."""
        return self._slots.health()

    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        check_robots: bool = True,
        accept: str | None = None,
    ) -> FetchOutcome:
        """Fetch `url`; never raises for bad input or network trouble (see FetchOutcome.reason)."""
        s = self._settings
        if not isinstance(url, str):
            return failure(repr(url), Reason.INVALID_INPUT, "URL is not a string")
        if url[:5].lower() == "file:":
            return await files.fetch_file(
                url, root=s.file_root, max_bytes=s.max_body_bytes, last_modified=last_modified
            )
        if problem := http_url_problem(url):
            return failure(url, *problem)
        headers = {"Accept": accept or DEFAULT_ACCEPT}
        if etag:
            headers["If-None-Match"] = etag  # RFC 9110 §13.1.2
        if last_modified:
            headers["If-Modified-Since"] = last_modified  # RFC 9110 §13.1.3
        budget = Budget(started=time.monotonic(), total=s.total_timeout)
        robots = check_robots and s.respect_robots
        attempt = 0
        while True:
            attempt += 1
            outcome = await self._follow(url, headers, budget, robots=robots)
            if outcome.reason is None or not outcome.retriable:
                break
            delay = retry.retry_delay(
                attempt, retry_after=outcome.retry_after, min_delay=s.min_host_delay
            )
            if not retry.should_retry(
                retriable=True,
                attempt=attempt,
                retries=s.retries,
                delay=delay,
                remaining=budget.remaining(),
            ):
                break
            await asyncio.sleep(delay)
        if outcome.not_modified:  # a 304 may omit validators; keep the caller's (RFC 9110 §15.4.5)
            outcome = replace(
                outcome,
                etag=outcome.etag or etag,
                last_modified=outcome.last_modified or last_modified,
            )
        return replace(
            outcome, requested_url=url, elapsed=time.monotonic() - budget.started, attempts=attempt
        )

    async def _follow(
        self,
        url: str,
        headers: dict[str, str],
        budget: Budget,
        *,
        robots: bool,
        max_bytes: int | None = None,
    ) -> FetchOutcome:
        """Request `url`, following redirects; each hop passes the scheme, robots and SSRF checks."""
        s = self._settings
        trail = RedirectTrail(url, s.max_redirects)
        while True:
            current = trail.current
            if problem := http_url_problem(current):
                return failure(url, problem[0], f"redirect: {problem[1]}", final_url=current)
            parts = urlsplit(current)
            host = (parts.hostname or "").lower()
            refusal = ssrf.literal_refusal(
                host, enabled=s.block_private_addresses, allowed_hosts=s.ssrf_allowed_hosts
            )
            if refusal:
                return failure(url, Reason.SSRF_BLOCKED, refusal, final_url=current)
            if robots:
                rules = await self._robots.rules_for(current)
                self._slots.set_crawl_delay(host, rules.crawl_delay)
                if not rules.allowed(current):
                    detail = f"robots.txt disallows {parts.path or '/'}"
                    return failure(url, Reason.ROBOTS_DISALLOWED, detail, final_url=current)
            hop_headers = dict(headers)
            if cookie := trail.cookie_header():
                hop_headers["Cookie"] = cookie
            hop = await self._request(
                current, host, hop_headers, budget, max_bytes=max_bytes or s.max_body_bytes
            )
            if hop.location is None:
                return hop.outcome
            stop = trail.follow(hop.location, hop.cookies)
            if stop is not None:
                detail = (
                    f"{stop.value.replace('_', ' ')} after {trail.hops} hops at {trail.current}"
                )
                return failure(
                    url, stop, detail, final_url=trail.current, status=hop.outcome.status
                )

    async def _request(
        self, url: str, host: str, headers: dict[str, str], budget: Budget, *, max_bytes: int
    ) -> Hop:
        """One GET inside the host's turn: a turn missed before the send is booked again."""
        for _ in range(MAX_REBOOKINGS):
            try:
                return await self._request_once(url, host, headers, budget, max_bytes=max_bytes)
            except TurnMissed:
                continue
        return await self._request_once(
            url, host, headers, budget, max_bytes=max_bytes, late_ok=True
        )

    async def _request_once(
        self,
        url: str,
        host: str,
        headers: dict[str, str],
        budget: Budget,
        *,
        max_bytes: int,
        late_ok: bool = False,
    ) -> Hop:
        """One GET inside the host's slot and the global concurrency limit."""
        session = self._open()
        assert self._global is not None
        s = self._settings
        try:
            await self._slots.acquire(host, max_pause=budget.remaining())
            if late_ok:
                waive_turn()
        except HostPaused as paused:
            detail = f"{host} asked us to wait {paused.remaining:.0f}s more"
            return Hop(
                failure(
                    url, Reason.RATE_LIMITED, detail, retriable=True, retry_after=paused.remaining
                )
            )
        status: int | None = None
        retry_after: float | None = None
        try:
            async with self._global:
                budget.start_clock()
                remaining = budget.remaining()
                if remaining <= 0:
                    return Hop(
                        failure(
                            url,
                            Reason.TIMEOUT,
                            f"total timeout {s.total_timeout}s spent",
                            retriable=True,
                        )
                    )
                async with asyncio.timeout(remaining):
                    async with session.get(url, headers=headers, allow_redirects=False) as resp:
                        status = resp.status
                        retry_after = retry.parse_retry_after(
                            resp.headers.get("Retry-After"), datetime.now(UTC)
                        )
                        return await read_response(
                            url,
                            resp,
                            retry_after=retry_after,
                            max_body_bytes=max_bytes,
                            max_decompressed_bytes=s.max_decompressed_bytes,
                        )
        except TimeoutError as exc:
            if isinstance(exc, aiohttp.ConnectionTimeoutError):
                detail = f"no connection within connect_timeout {s.connect_timeout}s"
            elif isinstance(exc, aiohttp.SocketTimeoutError):
                detail = f"silent for read_timeout {s.read_timeout}s"
            else:
                detail = f"no complete answer within total_timeout {s.total_timeout}s"
            return Hop(failure(url, Reason.TIMEOUT, detail, retriable=True, status=status))
        except aiohttp.ClientConnectorError as exc:
            if isinstance(exc.os_error, BlockedAddress):
                return Hop(failure(url, Reason.SSRF_BLOCKED, str(exc.os_error)))
            bad_tls = isinstance(exc, aiohttp.ClientSSLError)  # a bad certificate stays bad
            return Hop(
                failure(url, Reason.NETWORK, f"cannot connect: {exc}", retriable=not bad_tls)
            )
        except (aiohttp.InvalidURL, ValueError) as exc:
            # yarl and aiohttp reject malformed URLs (e.g. a bad IDNA host) with ValueError.
            return Hop(failure(url, Reason.INVALID_INPUT, f"invalid URL: {exc}"))
        except (aiohttp.ClientError, OSError) as exc:
            return Hop(
                failure(
                    url,
                    Reason.NETWORK,
                    f"{type(exc).__name__}: {exc}",
                    retriable=True,
                    status=status,
                )
            )
        finally:
            self._slots.release(host, status=status, retry_after=retry_after)
            await self._slots.tell_fleet(host, status=status, retry_after=retry_after)

    async def _fetch_robots(self, url: str) -> tuple[int | None, bytes]:
        """robots.txt through the same slots and caps, itself never robots-checked."""
        budget = Budget(started=time.monotonic(), total=self._settings.total_timeout)
        headers = {"Accept": "text/plain,*/*;q=0.5"}
        outcome = await self._follow(url, headers, budget, robots=False, max_bytes=MAX_ROBOTS_BYTES)
        return robots_answer(outcome.status, outcome.reason, outcome.body)
