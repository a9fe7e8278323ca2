"""The `Carrier` protocol: place a call, then talk in text turns until hang-up.

Durations are virtual seconds reported by the carrier (a real carrier reports wall time), so
the dialer can run a simulated day without sleeping.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from huikuan.types import CallOutcome


@dataclass(frozen=True, slots=True)
class DialResult:
    outcome: CallOutcome
    setup_seconds: float  # from dialling to answer or failure (ringing included)


class Call(Protocol):
    """A call handle: `result` says how the dial ended; turns are possible only when answered."""

    @property
    def result(self) -> DialResult: ...

    @property
    def talk_seconds(self) -> float: ...

    @property
    def remote_hung_up(self) -> bool: ...

    async def say(self, text: str) -> None: ...

    async def hear(self) -> str | None: ...

    async def hangup(self) -> None: ...


class Carrier(Protocol):
    async def dial(self, number: str, caller_id: str, ring_timeout: float = 45.0) -> Call: ...
