"""Many news hosts on loopback addresses, and readers for what a fleet of replicas leaves behind.

Linux routes all of 127.0.0.0/8 to loopback, so `127.0.0.N` gives each site its own host name,
and with it its own politeness slot, without touching DNS. The sites run in their own process
(`fleet_server`), which stamps every request with the kernel's arrival time.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import signal
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg

from newsflow_tools.bench.corpus import CorpusArticle, make_articles
from tests.integration import daemon
from tests.integration.fleet_server import FEED

REPO = Path(__file__).resolve().parents[2]


@dataclass
class Site:
    """One host as the test sees it; `requests` arrive when the server process ends."""

    base: str
    articles: list[CorpusArticle]
    source_id: str
    requests: list[tuple[float, str, str]] = field(default_factory=list)

    @property
    def host(self) -> str:
        return urlsplit(self.base).hostname or ""

    def url(self, path: str) -> str:
        return self.base + path

    def article_urls(self) -> set[str]:
        return {self.url(f"/a/{a.slug}.html") for a in self.articles}

    def count(self, path: str) -> int:
        return sum(1 for _, _, p in self.requests if p == path)

    def starts(self, prefix: str = "/") -> list[float]:
        """Kernel arrival times of requests whose path starts with `prefix`, in order."""
        return sorted(t for t, _, path in self.requests if path.startswith(prefix))


class SiteFleet:
    """The sites, served by `tests.integration.fleet_server` in a process of its own."""

    def __init__(
        self, n_hosts: int, per_host: int, *, seed: int = 700, keepalive: bool = True
    ) -> None:
        self.args = (n_hosts, per_host, seed, int(keepalive))
        self.sites: list[Site] = []
        self._proc: asyncio.subprocess.Process | None = None

    async def __aenter__(self) -> list[Site]:
        _, per_host, seed, _ = self.args
        self._proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.integration.fleet_server",
            *map(str, self.args),
            cwd=REPO,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            limit=64 * 1024 * 1024,
            # Its own session is its own scheduling group under autogroup (the Linux default),
            # so the daemons' CPU work does not delay the servers' clocks.
            start_new_session=True,
        )
        line = await asyncio.wait_for(self._proc.stdout.readline(), 60)
        if not line:
            raise RuntimeError("the site server exited before it listened")
        self.sites = [
            # make_articles is seeded: the same slugs the server renders.
            Site(base, make_articles(per_host, seed=seed + h), f"host{h + 1:02d}")
            for h, base in enumerate(json.loads(line))
        ]
        return self.sites

    async def close(self) -> None:
        """Stop serving and collect every site's request log; safe to call twice."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        proc.stdin.close()
        line = await asyncio.wait_for(proc.stdout.readline(), 30)
        await asyncio.wait_for(proc.wait(), 30)
        for site, log in zip(self.sites, json.loads(line), strict=True):
            site.requests = [tuple(r) for r in log]

    async def __aexit__(self, *exc: object) -> None:
        if self._proc is not None and self._proc.returncode is None:
            self._proc.kill()
            await self._proc.wait()
        self._proc = None


def sources(sites: list[Site]) -> list[dict]:
    # A long poll interval: within one test each feed is due exactly once.
    return [
        {"id": s.source_id, "kind": "feed", "url": s.url(FEED), "poll_interval": 900} for s in sites
    ]


def min_gap(starts: list[float]) -> float:
    return min((b - a for a, b in itertools.pairwise(starts)), default=float("inf"))


def too_close(sites: list[Site], gap: float) -> list[tuple[str, str, str, float]]:
    """(host, earlier path, later path, seconds) for every pair of requests closer than `gap`."""
    out = []
    for site in sites:
        log = sorted(site.requests)
        for (t1, _, p1), (t2, _, p2) in itertools.pairwise(log):
            if t2 - t1 < gap:
                out.append((site.host, p1, p2, round(t2 - t1, 4)))
    return out


def peak_rate(starts: list[float], span: int = 10) -> float:
    """Highest rate, in requests per second, over any `span` consecutive requests."""
    rates = [
        (span - 1) / (starts[i + span - 1] - starts[i])
        for i in range(len(starts) - span + 1)
        if starts[i + span - 1] > starts[i]
    ]
    return max(rates, default=0.0)


def log_records(path: Path) -> list[dict]:
    out = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.startswith("{"):
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    return out


def published(path: Path) -> int:
    return path.read_text(encoding="utf-8", errors="replace").count('"status": "published"')


async def wait_for_published(logs: list[Path], procs: list, want: int, *, timeout: float) -> float:
    """Wait until the logs together report `want` published articles; fail if a replica exits."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    while sum(published(p) for p in logs) < want:
        for proc, log in zip(procs, logs, strict=True):
            if proc.returncode is not None:
                raise AssertionError(
                    f"replica exited with {proc.returncode}:\n{log.read_text()[-3000:]}"
                )
        if loop.time() - started > timeout:
            raise TimeoutError(f"only {sum(published(p) for p in logs)} of {want} published")
        await asyncio.sleep(0.2)
    return loop.time() - started


async def start_replicas(config: Path, logs: list[Path]) -> list:
    return list(await asyncio.gather(*(daemon.start(config, log=log) for log in logs)))


async def stop_replicas(procs: list, *, timeout: float = 40) -> list[int | None]:
    """SIGTERM every live replica and wait for it; returns the exit codes."""
    for proc in procs:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
    return list(await asyncio.gather(*(asyncio.wait_for(p.wait(), timeout) for p in procs)))


def kill_leftovers(procs: list) -> None:
    for proc in procs:
        if proc.returncode is None:
            proc.kill()


async def fetch_rows(dsn: str, schema: str, sql: str, *args) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(dsn, server_settings={"search_path": schema})
    try:
        return await conn.fetch(sql, *args)
    finally:
        await conn.close()


async def wait_until_done(dsn: str, schema: str, want: int, procs: list, *, timeout: float) -> None:
    """Wait until `want` links are done in the shared state; fail if a replica exits."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        rows = await fetch_rows(
            dsn, schema, "SELECT count(*) AS n FROM links WHERE status = 'done'"
        )
        if rows[0]["n"] >= want:
            return
        if any(p.returncode is not None for p in procs):
            raise AssertionError(f"a replica exited: {[p.returncode for p in procs]}")
        if loop.time() > deadline:
            raise TimeoutError(f"only {rows[0]['n']} of {want} links done")
        await asyncio.sleep(0.3)


def children_of(pid: int) -> list[int]:
    """Process ids whose parent is `pid` (Linux /proc)."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"
