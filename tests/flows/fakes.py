"""Small test doubles for the call pipeline: a debtor who says fixed lines (text turns), and a
SIP carrier whose calls raise at a chosen step."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from huikuan.telephony.carrier import DialResult
from huikuan.telephony.sip import SipCall, SipCarrier
from huikuan.types import CallOutcome


@dataclass
class ScriptedCall:
    """An answered text call: the debtor says `lines` in order, then nothing."""

    lines: list[str]
    said: list[str] = field(default_factory=list)
    hung_up: bool = False
    seconds_per_turn: float = 4.0
    _talk: float = 0.0

    @property
    def result(self) -> DialResult:
        return DialResult(CallOutcome.ANSWERED, 6.0)

    @property
    def talk_seconds(self) -> float:
        return self._talk

    @property
    def remote_hung_up(self) -> bool:
        return False

    async def say(self, text: str) -> None:
        self.said.append(text)
        self._talk += self.seconds_per_turn

    async def hear(self) -> str | None:
        self._talk += self.seconds_per_turn
        return self.lines.pop(0) if self.lines else None

    async def hangup(self) -> None:
        self.hung_up = True


@dataclass
class ScriptedCarrier:
    lines: list[str]
    calls: list[ScriptedCall] = field(default_factory=list)

    async def dial(self, number: str, caller_id: str, ring_timeout: float = 45.0) -> ScriptedCall:
        call = ScriptedCall(list(self.lines))
        self.calls.append(call)
        return call


class Boom(RuntimeError):
    """The injected failure."""


class FaultyCall:
    """A real `SipCall` whose `method` raises on its `nth` use; everything else is the call's."""

    def __init__(self, call: SipCall, method: str, nth: int) -> None:
        self._call = call
        self._method = method
        self._nth = nth
        self._uses = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._call, name)

    async def _maybe_fail(self, method: str) -> None:
        if method == self._method:
            self._uses += 1
            if self._uses == self._nth:
                raise Boom(f"injected failure in {method}")

    async def say(self, text: str) -> None:
        await self._maybe_fail("say")
        await self._call.say(text)

    async def hear(self) -> str | None:
        await self._maybe_fail("hear")
        return await self._call.hear()


class FaultyCarrier(SipCarrier):
    """A SIP carrier whose dial raises (`method='dial'`) or whose calls raise at `method`."""

    def __init__(self, *args: Any, method: str, nth: int = 1, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.method = method
        self.nth = nth

    async def dial(self, number: str, caller_id: str, ring_timeout: float = 45.0) -> Any:
        if self.method == "dial":
            raise Boom("injected failure in dial")
        return FaultyCall(await super().dial(number, caller_id, ring_timeout), self.method, self.nth)
