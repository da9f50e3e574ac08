"""A local "hostile web" for fetch tests: one aiohttp app serving every bad case.

Each request is recorded server-side (host, path, monotonic time, headers) so
tests can assert on what actually reached the server, e.g. request spacing.
"""

from __future__ import annotations

import asyncio
import gzip
import socket
import time
from dataclasses import dataclass, field
from functools import cache

import brotli
from aiohttp import web
from aiohttp.abc import AbstractResolver

LAST_MODIFIED = "Wed, 21 Oct 2026 07:28:00 GMT"
ETAG = '"v1"'
HTML = "<html><head><title>t</title></head><body><p>Hello, café world.</p></body></html>"


@cache
def bomb() -> bytes:
    """50 MB of zeros gzipped to about 50 KB."""
    return gzip.compress(b"\0" * (50 * 1024 * 1024), compresslevel=9)


@dataclass
class Hit:
    host: str
    path: str
    at: float
    headers: dict[str, str]


@dataclass
class Log:
    hits: list[Hit] = field(default_factory=list)
    sent: dict[str, int] = field(default_factory=dict)  # bytes written per streaming path

    def count(self, path: str, host: str | None = None) -> int:
        return sum(1 for h in self.hits if h.path == path and (host is None or h.host == host))

    def times(self, host: str | None = None, prefix: str = "/") -> list[float]:
        return [
            h.at
            for h in self.hits
            if h.path.startswith(prefix) and (host is None or h.host == host)
        ]


class MapResolver(AbstractResolver):
    """Resolves every name ending in .test (and localhost) to 127.0.0.1."""

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ):
        name = host.rstrip(".").lower()
        if not (name.endswith(".test") or name == "localhost"):
            raise OSError(f"unknown host {host}")
        return [
            {
                "hostname": host,
                "host": "127.0.0.1",
                "port": port,
                "family": socket.AF_INET,
                "proto": 0,
                "flags": socket.AI_NUMERICHOST,
            }
        ]

    async def close(self) -> None:
        return None


async def start(fixtures: dict[str, bytes] | None = None) -> tuple[web.AppRunner, int, Log]:
    """Serve the app on a free 127.0.0.1 port; the caller must `await runner.cleanup()`."""
    log = Log()
    runner = web.AppRunner(
        make_app(log, fixtures if fixtures is not None else {}), shutdown_timeout=0.5
    )
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, runner.addresses[0][1], log


def _host(request: web.Request) -> str:
    return (request.host or "").rsplit(":", 1)[0].lower()


def make_app(log: Log, fixtures: dict[str, bytes]) -> web.Application:
    """The app; `fixtures` maps a path to the bytes served as application/xml or text/html."""

    async def record(request: web.Request) -> None:
        log.hits.append(Hit(_host(request), request.path, time.monotonic(), dict(request.headers)))

    async def handler(request: web.Request) -> web.StreamResponse:
        await record(request)
        path, host = request.path, _host(request)
        port = request.url.port
        n = log.count(path, host)

        if path == "/robots.txt":
            if host == "robots.test":
                return web.Response(
                    text="User-agent: *\nDisallow: /private\nCrawl-delay: 0.3\n\n"
                    "User-agent: otherbot\nDisallow: /\n"
                )
            if host == "broken-robots.test":
                return web.Response(status=500)
            return web.Response(status=404)
        if path in fixtures:
            ctype = "text/html" if path.endswith(".html") else "application/rss+xml"
            return web.Response(body=fixtures[path], content_type=ctype)
        if path.startswith(("/ok", "/public", "/private", "/paced")):
            return web.Response(text=HTML, content_type="text/html")
        if path == "/rate-limited":
            if n == 1:
                return web.Response(status=429, headers={"Retry-After": "1"})
            return web.Response(text=HTML, content_type="text/html")
        if path == "/always-429":
            return web.Response(status=429, headers={"Retry-After": "120"})
        if path == "/unavailable":
            if n <= 2:
                return web.Response(status=503)
            return web.Response(text=HTML, content_type="text/html")
        if path == "/missing":
            return web.Response(status=404)
        if path == "/gone":
            return web.Response(status=410)
        if path == "/conditional":
            if request.headers.get("If-None-Match") == ETAG or (
                request.headers.get("If-Modified-Since") == LAST_MODIFIED
            ):
                return web.Response(status=304, headers={"ETag": ETAG})
            return web.Response(
                text=HTML,
                content_type="text/html",
                headers={"ETag": ETAG, "Last-Modified": LAST_MODIFIED},
            )
        if path == "/slow-drip":
            resp = web.StreamResponse(headers={"Content-Type": "text/html"})
            await resp.prepare(request)
            try:
                for _ in range(100):
                    await resp.write(b"<p>drip</p>")
                    await asyncio.sleep(0.1)
            except (ConnectionError, RuntimeError):
                pass
            return resp
        if path == "/huge":
            resp = web.StreamResponse(headers={"Content-Type": "text/html"})
            await resp.prepare(request)
            chunk = b"<p>" + b"x" * 65530 + b"</p>"
            log.sent[path] = 0
            try:
                for _ in range(160):  # 10 MB
                    await resp.write(chunk)
                    log.sent[path] += len(chunk)
                    await asyncio.sleep(0)
            except (ConnectionError, RuntimeError):
                pass
            return resp
        if path == "/huge-declared":
            return web.Response(body=b"x" * (10 * 1024 * 1024), content_type="text/html")
        if path == "/image.jpg":
            return web.Response(body=b"\xff\xd8" + b"\0" * 2_000_000, content_type="image/jpeg")
        if path == "/bomb":
            return web.Response(
                body=bomb(), headers={"Content-Type": "text/html", "Content-Encoding": "gzip"}
            )
        if path == "/fake-gzip":
            return web.Response(
                body=b"<html>not gzip at all</html>",
                headers={"Content-Type": "text/html", "Content-Encoding": "gzip"},
            )
        if path == "/truncated":
            resp = web.StreamResponse(
                headers={"Content-Type": "text/html", "Content-Length": "100000"}
            )
            await resp.prepare(request)
            await resp.write(b"<p>only the start</p>")
            request.transport.close()  # hang up long before Content-Length is reached
            return resp
        if path == "/brotli":
            return web.Response(
                body=brotli.compress(HTML.encode()),
                headers={"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "br"},
            )
        if path == "/latin1-labelled-utf8":
            body = HTML.replace("café", "café – “quoted”").encode("cp1252")
            return web.Response(body=body, headers={"Content-Type": "text/html; charset=utf-8"})
        if path == "/utf8-labelled-latin1":
            body = HTML.replace("café", "café – “quoted”").encode("utf-8")
            return web.Response(
                body=body, headers={"Content-Type": "text/html; charset=iso-8859-1"}
            )
        if path.startswith("/loop/"):
            nxt = "/loop/b" if path == "/loop/a" else "/loop/a"
            raise web.HTTPFound(nxt)
        if path.startswith("/chain/"):
            step = int(path.rsplit("/", 1)[1])
            raise web.HTTPFound(f"/chain/{step + 1}")
        if path == "/cookie-check":
            if "seen=1" in request.headers.get("Cookie", ""):
                return web.Response(text=HTML, content_type="text/html")
            resp = web.HTTPFound("/cookie-check")
            resp.set_cookie("seen", "1")
            raise resp
        if path == "/to-loopback":
            raise web.HTTPFound(f"http://127.0.0.1:{port}/ok")
        if path == "/to-evil":
            raise web.HTTPFound(f"http://evil.test:{port}/ok")
        if path == "/to-metadata":
            raise web.HTTPFound("http://169.254.169.254/latest/meta-data/")
        if path == "/to-ftp":
            raise web.HTTPFound("ftp://files.test/x")
        return web.Response(status=404)

    app = web.Application()
    app.router.add_route("GET", "/{tail:.*}", handler)
    return app
