"""Clocks: the system clock in production, a virtual clock for simulation and tests.

Every component that needs "now" takes a `Clock`, so a simulated collection day runs the same
code as a real one, only faster. All instants are timezone-aware UTC.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Protocol
from zoneinfo import available_timezones


@cache
def _known_zones() -> frozenset[str]:
    return frozenset(available_timezones())  # reads the tz database: once per process


def is_known_zone(name: str) -> bool:
    """Whether `name` is an IANA zone this machine's tz database knows."""
    return name in _known_zones()


class Clock(Protocol):
    def now(self) -> datetime: ...


class AsyncClock(Clock, Protocol):
    """A clock a worker can wait on: real time, scaled real time or virtual time."""

    async def sleep_until(self, instant: datetime) -> None: ...

    def join(self) -> None:
        """A coroutine that will wait on this clock starts (virtual time counts them)."""

    def leave(self) -> None:
        """That coroutine ends."""


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    async def sleep_until(self, instant: datetime) -> None:
        await asyncio.sleep(max(0.0, (instant - self.now()).total_seconds()))

    def join(self) -> None:
        pass

    def leave(self) -> None:
        pass


class ScaledClock:
    """Real time moved to `start` at wall-clock `anchor` (epoch seconds) and run `speed` times
    faster: processes given the same three values share one timeline (multi-process tests and
    simulations inside the calling window whatever the hour)."""

    def __init__(self, start: datetime, speed: float = 1.0, anchor: float | None = None) -> None:
        if start.tzinfo is None:
            raise ValueError("ScaledClock needs a timezone-aware start")
        if speed <= 0:
            raise ValueError("speed must be positive")
        self._start = start.astimezone(UTC)
        self._speed = speed
        self._anchor = time.time() if anchor is None else anchor

    def now(self) -> datetime:
        return self._start + timedelta(seconds=(time.time() - self._anchor) * self._speed)

    async def sleep_until(self, instant: datetime) -> None:
        await asyncio.sleep(max(0.0, (instant - self.now()).total_seconds() / self._speed))

    def join(self) -> None:
        pass

    def leave(self) -> None:
        pass


class VirtualClock:
    """A clock that only moves when told to; never goes backwards."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("VirtualClock needs a timezone-aware start")
        self._now = start.astimezone(UTC)
        self._waiters: list[tuple[datetime, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()
        self._participants = 0
        self._sleeping = 0

    # The driver: coroutines that `join` the clock wait on it with `sleep_until`; when every one
    # of them is waiting, time jumps to the earliest wake-up. Between awaits a coroutine runs
    # synchronously, so "all waiting" is exact on one event loop.

    def join(self) -> None:
        self._participants += 1

    def leave(self) -> None:
        self._participants -= 1
        self._advance_if_all_waiting()

    async def sleep_until(self, instant: datetime) -> None:
        instant = instant.astimezone(UTC)
        if instant <= self._now or self._participants == 0:
            self.advance_to(instant)
            await asyncio.sleep(0)
            return
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiters, (instant, next(self._seq), fut))
        self._sleeping += 1
        self._advance_if_all_waiting()
        try:
            await fut
        except asyncio.CancelledError:
            if fut.cancelled():  # not woken: it no longer waits
                self._sleeping -= 1
                self._advance_if_all_waiting()
            raise

    def _advance_if_all_waiting(self) -> None:
        while self._waiters and self._sleeping >= self._participants:
            self.advance_to(self._waiters[0][0])
            while self._waiters and self._waiters[0][0] <= self._now:
                _, _, fut = heapq.heappop(self._waiters)
                if not fut.done():
                    fut.set_result(None)
                    self._sleeping -= 1

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> datetime:
        if delta < timedelta(0):
            raise ValueError("a clock never goes backwards")
        self._now += delta
        return self._now

    def advance_to(self, instant: datetime) -> datetime:
        instant = instant.astimezone(UTC)
        if instant > self._now:
            self._now = instant
        return self._now
