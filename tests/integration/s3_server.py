"""A local S3 server: moto in server mode, from its own hashed venv (.venv-s3).

moto needs botocore, which pins python-dateutil below the runtime's, so it is not in
requirements-dev.lock. The venv is built on first use from requirements-s3.lock and
rebuilt when the lock changes (as deploy/check.sh does for .venv-deploy).
"""

from __future__ import annotations

import asyncio
import hashlib
import subprocess
import sys
import urllib.request
from pathlib import Path

from newsflow.publish.embedded import free_port

REPO = Path(__file__).resolve().parents[2]
VENV = REPO / ".venv-s3"
LOCK = REPO / "requirements-s3.lock"


def ensure_venv() -> Path:
    """The moto_server script, installing the lock into .venv-s3 first if needed."""
    want = hashlib.sha256(LOCK.read_bytes()).hexdigest()
    stamp = VENV / ".installed"
    if not (VENV / "bin" / "moto_server").exists() or (
        not stamp.exists() or stamp.read_text().strip() != want
    ):
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(VENV)], check=True)
        subprocess.run(
            [str(VENV / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check",
             "--require-hashes", "--no-deps", "-r", str(LOCK)],
            check=True,
        )  # fmt: skip
        stamp.write_text(want + "\n")
    return VENV / "bin" / "moto_server"


class S3Server:
    """moto_server on a free loopback port, with one bucket; stopped by its pid."""

    def __init__(self, log: Path, bucket: str = "tansu") -> None:
        self.port = free_port()
        self.bucket = bucket
        self.log = log
        self.proc: subprocess.Popen | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        """What Tansu's S3 storage engine reads (object_store's AWS_* variables)."""
        return {
            "AWS_ENDPOINT": self.endpoint,
            "AWS_ACCESS_KEY_ID": "test",
            "AWS_SECRET_ACCESS_KEY": "test",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ALLOW_HTTP": "true",
        }

    async def start(self) -> None:
        script = await asyncio.to_thread(ensure_venv)
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen(
                [str(script), "-H", "127.0.0.1", "-p", str(self.port)],
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        for _ in range(200):
            try:
                req = urllib.request.Request(f"{self.endpoint}/{self.bucket}", method="PUT")
                await asyncio.to_thread(urllib.request.urlopen, req, None, 2)
                return
            except OSError:
                assert self.proc.poll() is None, self.log.read_text()[-2000:]
                await asyncio.sleep(0.1)
        raise RuntimeError(f"moto_server did not answer on {self.endpoint}")

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            proc.wait(10)
