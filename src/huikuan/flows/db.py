"""Where a call's database work runs: never on the event loop that carries live audio.

A call's stages are plain synchronous service calls on one SQLAlchemy `Session` (the domains'
services take a session; CONVENTIONS #2). `DbRunner.run(fn)` runs such a unit of work:

- `ThreadDb` runs it on one dedicated thread per worker process. Chosen over SQLAlchemy's async
  engine by reasoning (docs/architecture.md; the thread itself is measured against the database
  on the loop in bench/call_runtime.py): with the async engine statement building, ORM
  bookkeeping and result processing still run *on the loop* (only the socket wait leaves it),
  so ~17 statements per attempt would still take CPU from the RTP pacer; aiosqlite uses a
  thread anyway. In a thread the loop gets the GIL back at least every switch interval (5 ms),
  so a tick is delayed by at most that, whatever the database does. One thread, because one
  SQLite file has one writer anyway, a `Session` must never be used by two threads at once, and
  FIFO order keeps each call's units in the order it asked for them. A worker's calls need
  ~2 ms of database CPU each (bench/call_writes.py), so one thread serves hundreds per second.
- `InlineDb` runs it at once, on the loop: for the simulator and tests on a virtual clock,
  where no audio flows and determinism (the same day for the same seed) matters more.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol, TypeVar

T = TypeVar("T")


class DbRunner(Protocol):
    async def run(self, fn: Callable[[], T]) -> T:
        """Run one unit of synchronous database work and return its result."""
        ...


class InlineDb:
    """Runs database work on the caller's thread (no audio flows: simulator, virtual clock)."""

    async def run(self, fn: Callable[[], T]) -> T:
        return fn()

    def close(self) -> None:
        """Nothing to release."""


class ThreadDb:
    """Runs database work on one dedicated thread, so the event loop never waits on SQL."""

    def __init__(self, name: str = "huikuan-db") -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self.thread_ids: set[int] = set()  # for tests: which threads really ran the work

    async def run(self, fn: Callable[[], T]) -> T:
        def tracked() -> T:
            self.thread_ids.add(threading.get_ident())
            return fn()

        return await asyncio.get_running_loop().run_in_executor(self._pool, tracked)

    def close(self) -> None:
        """Finish queued work and stop the thread."""
        self._pool.shutdown(wait=True)


INLINE = InlineDb()
