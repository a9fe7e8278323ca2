"""Wake the agents' waiting pop requests as soon as a transfer assigned to them is committed.

Within one process a condition variable wakes the waiter at once; a transfer committed by
another process (a robot worker on another host) is seen by the waiter's next look at the
database, which it makes at least every `POLL_SECONDS`. Notices are sent after commit only, so
a waiter never looks before the row is visible.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy import event
from sqlalchemy.orm import Session

POLL_SECONDS = 0.5
_PENDING = "huikuan.desk.assigned_agents"
_condition = threading.Condition()
_generation: dict[int, int] = {}
# Waiters on an event loop (the web app's long poll): woken through their loop, thread-safely.
_loop_waiters: dict[int, set[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]]] = {}

T = TypeVar("T")


def announce_after_commit(session: Session, agent_id: int) -> None:
    """Remember that `agent_id` got a transfer; waiters hear it when `session` commits."""
    session.info.setdefault(_PENDING, set()).add(agent_id)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    agents: set[int] = session.info.pop(_PENDING, set())
    if agents:
        with _condition:
            for agent_id in agents:
                _generation[agent_id] = _generation.get(agent_id, 0) + 1
                for loop, future in _loop_waiters.get(agent_id, ()):
                    loop.call_soon_threadsafe(_wake, future)
            _condition.notify_all()


def _wake(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


def wait_for(agent_id: int, look: Callable[[], T | None], timeout: float) -> T | None:
    """Call `look` until it returns something or `timeout` wall seconds pass; sleep between
    looks on the agent's notices (or at most POLL_SECONDS, for other processes' commits)."""
    deadline = time.monotonic() + timeout
    while True:
        with _condition:
            seen = _generation.get(agent_id, 0)
        found = look()
        if found is not None:
            return found
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None
        _wait_for_notice(agent_id, seen, min(remaining, POLL_SECONDS))


def _wait_for_notice(agent_id: int, seen: int, timeout: float) -> None:
    with _condition:
        _condition.wait_for(lambda: _generation.get(agent_id, 0) != seen, timeout=timeout)


async def wait_for_async(agent_id: int, look: Callable[[], Awaitable[T | None]], timeout: float) -> T | None:
    """`wait_for` on an event loop: no thread is held while waiting, only during each look."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        future: asyncio.Future[None] = loop.create_future()
        entry = (loop, future)
        with _condition:  # registered before the look, so a commit during the look still wakes us
            _loop_waiters.setdefault(agent_id, set()).add(entry)
        try:
            found = await look()
            if found is not None:
                return found
            remaining = deadline - loop.time()
            if remaining <= 0:
                return None
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(future, timeout=min(remaining, POLL_SECONDS))
        finally:
            with _condition:
                waiters = _loop_waiters.get(agent_id)
                if waiters is not None:
                    waiters.discard(entry)
                    if not waiters:
                        del _loop_waiters[agent_id]
