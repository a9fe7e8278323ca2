"""Clocks: the system clock in production, a virtual clock for simulation and tests.

Every component that needs "now" takes a `Clock`, so a simulated collection day runs the same
code as a real one, only faster. All instants are timezone-aware UTC.
"""

from __future__ import annotations

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


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class VirtualClock:
    """A clock that only moves when told to; never goes backwards."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("VirtualClock needs a timezone-aware start")
        self._now = start.astimezone(UTC)

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
