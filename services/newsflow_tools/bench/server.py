"""A local HTTP server for corpora: fixed routes, a request log, and switchable failures.

Tests and benchmarks serve feeds and pages from here; nothing leaves the machine.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

from aiohttp import web

from newsflow.observability import bound_port

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class Route:
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


class CorpusServer:
    """Serves `routes` (path → Route or handler) on 127.0.0.1; records (time, method, path)."""

    def __init__(self, routes: Mapping[str, Route | Handler] | None = None) -> None:
        self.routes: dict[str, Route | Handler] = dict(routes or {})
        self.requests: list[tuple[float, str, str]] = []
        self._runner: web.AppRunner | None = None
        self.port: int | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.base + path

    def count(self, path: str) -> int:
        return sum(1 for _, _, p in self.requests if p == path)

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self.requests.append((time.monotonic(), request.method, request.path))
        route = self.routes.get(request.path)
        if route is None:
            return web.Response(status=404, text="not found")
        if not isinstance(route, Route):
            return await route(request)
        etag = route.headers.get("ETag")
        if etag and request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        return web.Response(
            body=route.body,
            status=route.status,
            headers={
                "Content-Type": route.content_type,
                **route.headers,
            },
        )

    async def start(self, port: int = 0) -> CorpusServer:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        self.port = bound_port(site)
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    async def __aenter__(self) -> CorpusServer:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()
