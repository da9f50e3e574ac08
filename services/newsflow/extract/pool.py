"""Worker processes for the CPU stages, with a hard timeout per document.

trafilatura can hang or crash on hostile HTML and must not run in threads, so
each document runs in a long-lived process (pebble). A document that times out
or kills its worker costs only that worker: pebble replaces it, and the caller
gets an ExtractError with reason `timeout` or `crash`.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import CancelledError
from typing import Any

from pebble import ProcessExpired, ProcessPool

from newsflow.errors import ExtractError, Reason


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


class WorkerPool:
    """Runs `fn(arg)` in a worker process; `initializer` loads models once per worker."""

    def __init__(
        self,
        workers: int,
        timeout: float,
        initializer: Callable[..., None] | None = None,
        initargs: tuple = (),
    ) -> None:
        self.workers = workers or default_workers()
        self.timeout = timeout
        # spawn, not fork: the parent runs an event loop and helper threads that
        # must not be copied into a child mid-operation.
        self._pool = ProcessPool(
            max_workers=self.workers,
            initializer=initializer,
            initargs=initargs,
            context=multiprocessing.get_context("spawn"),
        )

    async def run(self, fn: Callable[[Any], Any], arg: Any, *, url: str | None = None) -> Any:
        future = self._pool.schedule(fn, args=(arg,), timeout=self.timeout)
        try:
            return await asyncio.wrap_future(future)
        except TimeoutError as exc:
            raise ExtractError(
                f"document took longer than {self.timeout:g}s; worker replaced",
                reason=Reason.TIMEOUT,
                url=url,
            ) from exc
        except ProcessExpired as exc:
            raise ExtractError(
                f"worker died on this document (exit code {exc.exitcode}); worker replaced",
                reason=Reason.CRASH,
                url=url,
            ) from exc
        except asyncio.CancelledError:
            future.cancel()
            raise
        except CancelledError as exc:
            raise ExtractError(
                "pool shut down", reason=Reason.INTERNAL, url=url, retriable=True
            ) from exc

    def close(self) -> None:
        """Stop the workers; safe to call twice."""
        if self._pool is not None:
            pool, self._pool = self._pool, None
            pool.stop()
            pool.join(timeout=10)
