"""Running the real `newsflow run --once` for the benchmark, and watching it from outside.

The daemon gets no bootstrap servers, so it starts the embedded Tansu broker itself.
While it runs we sample the resident memory of the daemon and its worker processes
(psutil), never the broker's: Tansu keeps every message in memory by design
(docs/performance.md), which says nothing about newsflow. Progress comes from the
daemon's JSON log: one `article` line per link, with a timestamp.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import psutil
import yaml

DONE_STATUSES = {"published", "duplicate", "dead_letter"}


def bench_config(
    path: Path,
    *,
    base_url: str,
    feeds: list[str],
    state_dir: Path,
    workers: int = 0,
    **sections: dict,
) -> Path:
    """A config for a local corpus: one host, so politeness is opened up to what the
    machine can take (a real run keeps the defaults: 1 s between requests to a host)."""
    config: dict = {
        "state_dir": str(state_dir),
        "sources": [
            {"id": f"feed-{k:05d}", "kind": "feed", "url": base_url + p}
            for k, p in enumerate(feeds)
        ],
        "kafka": {"flush_timeout": 30},
        "fetch": {
            "block_private_addresses": False,
            "min_host_delay": 0.0,
            "per_host_concurrency": 32,
            "concurrency": 32,
        },
        # the corpus spans days; the first poll must take all of it
        "poll": {"first_poll_horizon_hours": 24 * 365},
        "extract": {"workers": workers, "timeout": 60},
        "observability": {"http_port": 0, "log_format": "json"},
    }
    for key, value in sections.items():
        config[key] = {**config.get(key, {}), **value}
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def _env() -> dict[str, str]:
    # The daemon runs as deployed: no NEWSFLOW_* overrides, and none of the BLAS thread
    # settings this benchmark process sets for its own in-process loops.
    drop = ("NEWSFLOW_", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
    return {k: v for k, v in os.environ.items() if not k.startswith(drop)}


@dataclass
class Sample:
    """One look at the daemon's process tree."""

    rss: int = 0  # bytes, daemon and workers; the broker is left out
    processes: int = 0


class TreeSampler:
    """Samples the daemon's process tree: memory, CPU seconds by role (daemon, worker,
    helper, broker) and the workers' scheduler states. One scan of the tree a sample."""

    def __init__(self, proc: psutil.Process) -> None:
        self.proc = proc
        self.roles: dict[int, str] = {}
        self.cpu_by_pid: dict[int, tuple[str, float]] = {}  # the last reading stands

    def _role(self, p: psutil.Process) -> str:
        if p.pid not in self.roles:
            if p.pid == self.proc.pid:
                role = "daemon"
            elif p.name().startswith("tansu"):
                role = "broker"
            elif "resource_tracker" in " ".join(p.cmdline()):
                role = "helper"
            else:
                role = "worker"
            self.roles[p.pid] = role
        return self.roles[p.pid]

    def sample(self, states: dict[str, int] | None = None) -> Sample:
        """`states` counts the workers' states: "running" is running or waiting for a CPU;
        anything else is idle, waiting for work."""
        out = Sample()
        try:
            members = [self.proc, *self.proc.children(recursive=True)]
        except psutil.Error:
            return out
        for p in members:
            try:
                role = self._role(p)
                with p.oneshot():
                    t = p.cpu_times()
                    self.cpu_by_pid[p.pid] = (role, t.user + t.system)
                    if role == "broker":
                        continue
                    out.rss += p.memory_info().rss
                    out.processes += 1
                    if role == "worker" and states is not None:
                        status = p.status()
                        states[status] = states.get(status, 0) + 1
            except psutil.Error:
                continue
        return out

    @property
    def cpu(self) -> dict[str, float]:
        """CPU seconds so far by role."""
        out: dict[str, float] = {}
        for role, seconds in self.cpu_by_pid.values():
            out[role] = out.get(role, 0.0) + seconds
        return out


def busy_seconds() -> float:
    """CPU seconds the whole machine has spent busy since boot."""
    t = psutil.cpu_times()
    # guest time is already inside user time; steal (other VMs) counts as busy
    skip = ("idle", "iowait", "guest", "guest_nice")
    return sum(v for k, v in t._asdict().items() if k not in skip)


@dataclass
class RunWatch:
    """What we saw of one daemon run."""

    seconds: float = 0.0
    returncode: int | None = None
    done: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    first_done: datetime | None = None
    last_done: datetime | None = None
    polls: list[datetime] = field(default_factory=list)
    poll_statuses: dict[str, int] = field(default_factory=dict)
    peak_rss: int = 0
    peak_processes: int = 0
    marks: dict[int, tuple[int, int]] = field(default_factory=dict)  # article n -> (rss, seen n)
    finished: dict = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds by role, whole run
    cpu_at_first: dict[str, float] = field(default_factory=dict)  # when the first article was done
    worker_states: dict[str, int] = field(default_factory=dict)  # sampled after the first article
    # CPU share of the machine that processes other than the daemon's tree and this
    # benchmark took between the first article and the end: other load skews the rates
    others_share: float = 0.0

    @property
    def steady_rate(self) -> float:
        """Articles/s from the first finished article to the last: worker start-up
        (process spawn, model load) is a one-off cost, not throughput."""
        if self.first_done is None or self.last_done is None or self.done < 2:
            return 0.0
        span = (self.last_done - self.first_done).total_seconds()
        return (self.done - 1) / span if span > 0 else 0.0

    @property
    def poll_seconds(self) -> float:
        return (max(self.polls) - min(self.polls)).total_seconds() if len(self.polls) > 1 else 0.0


class LogFollower:
    """Reads the daemon's JSON log as it grows and updates a RunWatch."""

    def __init__(self, path: Path, watch: RunWatch) -> None:
        self.path = path
        self.watch = watch
        self._offset = 0
        self._rest = b""

    def read(self) -> None:
        try:
            with open(self.path, "rb") as fh:
                fh.seek(self._offset)
                chunk = fh.read()
        except FileNotFoundError:
            return
        self._offset += len(chunk)
        lines = (self._rest + chunk).split(b"\n")
        self._rest = lines.pop()
        for line in lines:
            if line.startswith(b"{"):
                self._line(line)

    def _line(self, raw: bytes) -> None:
        try:
            rec = json.loads(raw)
        except ValueError:
            return
        w, event, status = self.watch, rec.get("event"), rec.get("status")
        ts = rec.get("timestamp")
        if event == "article" and status in DONE_STATUSES:
            w.done += 1
            w.statuses[status] = w.statuses.get(status, 0) + 1
            at = datetime.fromisoformat(ts) if ts else None
            if at is not None:
                w.first_done = w.first_done or at
                w.last_done = at
        elif event == "source_poll" and ts:
            w.polls.append(datetime.fromisoformat(ts))
            w.poll_statuses[status] = w.poll_statuses.get(status, 0) + 1
        elif event == "run" and status == "finished":
            w.finished = {k: v for k, v in rec.items() if isinstance(v, int | float)}


async def run_once(
    config: Path,
    *,
    log: Path,
    marks: tuple[int, ...] = (),
    timeout: float = 900,
    every: float = 0.1,
    python: str = sys.executable,
) -> RunWatch:
    """Run `newsflow run --once --config`, sampling memory every `every` s; RSS is also
    recorded the first time the finished-article count reaches each of `marks`."""
    watch = RunWatch()
    follower = LogFollower(log, watch)
    log.write_bytes(b"")
    started = time.monotonic()
    with open(log, "ab") as err:
        proc = await asyncio.create_subprocess_exec(
            python,
            "-m",
            "newsflow.cli",
            "run",
            "--once",
            "--config",
            str(config),
            stdout=asyncio.subprocess.DEVNULL,
            stderr=err,
            env=_env(),
        )
    sampler = TreeSampler(psutil.Process(proc.pid))
    me = psutil.Process()
    cores = psutil.cpu_count() or 1
    waiter = asyncio.ensure_future(proc.wait())
    last = (0, 0)
    window: tuple[float, float, float] | None = None  # wall, machine busy, this process
    try:
        while not waiter.done():
            if time.monotonic() - started > timeout:
                proc.kill()
                break
            follower.read()
            now = sampler.sample(watch.worker_states if watch.done else None)
            watch.peak_rss = max(watch.peak_rss, now.rss)
            watch.peak_processes = max(watch.peak_processes, now.processes)
            if watch.done and window is None:
                watch.cpu_at_first = sampler.cpu
                window = (time.monotonic(), busy_seconds(), sum(me.cpu_times()[:2]))
            # A mark counts only a whole tree: at the end the workers exit before the daemon
            # does, and a sample of the daemon alone would fake a fall in memory.
            full = now.rss and now.processes >= watch.peak_processes
            if full:
                last = (now.rss, watch.done)
            for m in marks:
                if m not in watch.marks and watch.done >= m and full:
                    watch.marks[m] = (now.rss, watch.done)
            await asyncio.wait([waiter], timeout=every)
        watch.returncode = await waiter
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    watch.cpu = sampler.cpu
    if window is not None:
        wall = time.monotonic() - window[0]
        ours = sum(watch.cpu.values()) - sum(watch.cpu_at_first.values())
        mine = sum(me.cpu_times()[:2]) - window[2]
        others = busy_seconds() - window[1] - ours - mine
        watch.others_share = max(0.0, others / (wall * cores)) if wall > 0 else 0.0
    watch.seconds = time.monotonic() - started
    follower.read()
    for m in marks:  # the run ended between two samples: the last one stands in
        if m not in watch.marks and last[0] and last[1] >= m * 0.95:
            watch.marks[m] = last
    return watch
