"""A carrier wrapper that lets a simulated call take its time on the worker's clock.

The simulated carrier reports durations without waiting; wrapped, each dial and each turn
waits on the clock until the call's own timeline has caught up, so a line holds its lease for
the length of the call, other lines interleave in virtual time, and a scaled clock makes calls
last real (scaled) time. A real carrier needs no wrapper: it takes real time by itself.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from huikuan.clock import AsyncClock
from huikuan.telephony.carrier import Call, Carrier, DialResult


class PacedCall:
    def __init__(self, inner: Call, clock: AsyncClock, answered_at: datetime) -> None:
        self._inner = inner
        self._clock = clock
        self._answered_at = answered_at

    @property
    def result(self) -> DialResult:
        return self._inner.result

    @property
    def talk_seconds(self) -> float:
        return self._inner.talk_seconds

    @property
    def remote_hung_up(self) -> bool:
        return self._inner.remote_hung_up

    async def _catch_up(self) -> None:
        await self._clock.sleep_until(self._answered_at + timedelta(seconds=self._inner.talk_seconds))

    async def say(self, text: str) -> None:
        await self._inner.say(text)
        await self._catch_up()

    async def hear(self) -> str | None:
        heard = await self._inner.hear()
        await self._catch_up()
        return heard

    async def hangup(self) -> None:
        await self._inner.hangup()


class PacedCarrier:
    def __init__(self, inner: Carrier, clock: AsyncClock) -> None:
        self._inner = inner
        self._clock = clock

    async def dial(self, number: str, caller_id: str, ring_timeout: float = 45.0) -> PacedCall:
        started = self._clock.now()
        call = await self._inner.dial(number, caller_id, ring_timeout)
        answered_at = started + timedelta(seconds=call.result.setup_seconds)
        await self._clock.sleep_until(answered_at)
        return PacedCall(call, self._clock, answered_at)
