"""One daemon per SQLite state directory, held with a lock on `state_dir/newsflow.pid`.

A second `newsflow run` on the same state would share the SQLite frontier and, with the
embedded broker, reset it under the first: it refuses with the first one's pid instead. The
kernel drops the lock when its holder dies, so a killed run never blocks the next one.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from newsflow.errors import StateError

PID_FILE = "newsflow.pid"


class StateDirLock:
    def __init__(self, state_dir: Path) -> None:
        self.path = state_dir / PID_FILE
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock; StateError naming the holder if another process has it."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode(errors="replace").strip() or "?"
            os.close(fd)
            raise StateError(
                f"another newsflow run (pid {holder}) is using {self.path.parent};"
                " stop it first, or give this one its own state_dir"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd

    def release(self) -> None:
        """Safe to call twice."""
        fd, self._fd = self._fd, None
        if fd is not None:
            self.path.unlink(missing_ok=True)
            os.close(fd)
