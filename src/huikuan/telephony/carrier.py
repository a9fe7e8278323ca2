"""The `Carrier` protocol: place a call, then talk in text turns until hang-up.

Durations are virtual seconds reported by the carrier (a real carrier reports wall time), so
the dialer can run a simulated day without sleeping. `Call` is what the dialer uses (text turns);
`MediaCall` adds what a real line has: progress events, 20 ms audio frames, DTMF, hang-up cause.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

import numpy as np
import numpy.typing as npt

from huikuan.types import CallOutcome


@dataclass(frozen=True, slots=True)
class DialResult:
    outcome: CallOutcome
    setup_seconds: float  # from dialling to answer or failure (ringing included)
    sip_status: int | None = None  # the final response behind the outcome, when there is one
    early_media: str | None = None  # what the network played before the final response
    trunk: str | None = None
    # For `CallOutcome.TRUNK_FAILED`: why our side failed before the callee's network was
    # reached ("trunk:transport", "trunk:timeout", "trunk:503"); never counted against a debtor.
    cause: str | None = None


class CallEventKind(StrEnum):
    TRYING = "trying"
    RINGING = "ringing"
    EARLY_MEDIA = "early_media"
    ANSWERED = "answered"
    ENDED = "ended"


@dataclass(frozen=True, slots=True)
class CallEvent:
    kind: CallEventKind
    at: float  # seconds since the dial started
    status: int | None = None  # the SIP status that caused it, if any
    # for ENDED: local_bye, remote_bye, transferred, cancelled, rejected, timeout, error
    cause: str | None = None


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


class MediaCall(Call, Protocol):
    """A call on a real line: frames are 20 ms of 8 kHz 16-bit mono PCM (160 samples)."""

    @property
    def events(self) -> list[CallEvent]: ...

    @property
    def hangup_cause(self) -> str | None: ...

    @property
    def dtmf_received(self) -> str: ...

    async def send_audio(self, pcm: npt.NDArray[np.int16]) -> None: ...

    async def receive_audio(self, timeout: float) -> npt.NDArray[np.int16] | None: ...

    async def send_dtmf(self, digits: str) -> None: ...


class Carrier(Protocol):
    async def dial(self, number: str, caller_id: str, ring_timeout: float = 45.0) -> Call: ...
