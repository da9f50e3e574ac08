"""The fleet's news sites in a process of their own: `python -m tests.integration.fleet_server`.

A politeness check needs the time each request reached the host. A user-space clock read in
a handler is late by however long the server waited for the CPU, which on a loaded two-core
box is tens of milliseconds and bunches requests that arrived apart. So each request is
stamped by the kernel (SO_TIMESTAMPNS, read with MSG_PEEK before the request is parsed): the
moment its first bytes arrived, whoever was scheduled then.

Protocol: argv is `hosts per_host seed [keepalive]` (keepalive 0: one request per
connection, "Connection: close", as many servers do). The process prints one JSON line with each site's
base URL, serves until stdin closes, then prints one JSON line with every site's request
log, `[[time, method, path], ...]` per site (CLOCK_REALTIME seconds).
"""

from __future__ import annotations

import json
import socket
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from newsflow_tools.bench.corpus import make_articles, render_page, render_rss

FEED = "/feed.rss"
SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)  # Linux value; the module may lack it
_TIMESPEC = struct.Struct("@qq")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as real sites and aiohttp's pool expect
    server: Site

    def handle_one_request(self) -> None:
        try:
            data, ancillary, _, _ = self.connection.recvmsg(
                1, socket.CMSG_SPACE(_TIMESPEC.size), socket.MSG_PEEK
            )
        except OSError:
            self.close_connection = True
            return
        if not data:
            self.close_connection = True
            return
        self.arrived = time.time()
        for level, kind, value in ancillary:
            if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS:
                sec, nsec = _TIMESPEC.unpack(value[: _TIMESPEC.size])
                self.arrived = sec + nsec / 1e9
                break
        else:
            self.server.unstamped += 1
        super().handle_one_request()

    def do_GET(self) -> None:
        with self.server.lock:
            self.server.requests.append((self.arrived, "GET", self.path))
        found = self.server.routes.get(self.path)
        status, body, ctype = (200, *found) if found else (404, b"not found", "text/plain")
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        if not self.server.keepalive:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


class Site(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self, host: str, routes: dict[str, tuple[bytes, str]], keepalive: bool = True
    ) -> None:
        super().__init__((host, 0), _Handler)
        self.keepalive = keepalive
        # Accepted sockets inherit the flag, so even a connection's first request is stamped.
        self.socket.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
        self.routes = routes
        self.requests: list[tuple[float, str, str]] = []
        self.unstamped = 0
        self.lock = threading.Lock()

    @property
    def base(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"


def build(hosts: int, per_host: int, seed: int, keepalive: bool = True) -> list[Site]:
    """Site h on 127.0.0.(h+1) serves `per_host` pages from seed+h and an RSS feed of them.

    Linux routes all of 127.0.0.0/8 to loopback, so each site is a distinct host name.
    """
    sites = []
    for h in range(hosts):
        site = Site(f"127.0.0.{h + 1}", {}, keepalive)
        arts = make_articles(per_host, seed=seed + h)
        html = "text/html; charset=utf-8"
        site.routes.update({f"/a/{a.slug}.html": (render_page(a).encode(), html) for a in arts})
        site.routes[FEED] = (
            render_rss([(f"{site.base}/a/{a.slug}.html", a) for a in arts]).encode(),
            "application/rss+xml",
        )
        sites.append(site)
    return sites


def main(hosts: int, per_host: int, seed: int, keepalive: int = 1) -> None:
    sites = build(hosts, per_host, seed, bool(keepalive))
    for site in sites:
        threading.Thread(target=site.serve_forever, daemon=True).start()
    try:
        print(json.dumps([s.base for s in sites]), flush=True)
        sys.stdin.read()
    finally:
        for site in sites:
            site.shutdown()
        print(json.dumps([s.requests for s in sites]), flush=True)
        if any(s.unstamped for s in sites):
            print(
                f"fleet_server: {sum(s.unstamped for s in sites)} requests without a kernel"
                " timestamp",
                file=sys.stderr,
            )


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:5]))
