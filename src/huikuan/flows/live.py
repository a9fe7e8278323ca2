"""`LiveCall`: the async context manager that owns a dialled call.

Whatever happens inside (a normal end, a raise in say/hear/step, a cancellation), leaving the
block hangs the call up (the far end receives a BYE or CANCEL), stops its voice and keeps the
recorder, so the record stage can store the recording and the turns so far.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from types import TracebackType

from huikuan.flows.work import CallStage
from huikuan.telephony.carrier import Call
from huikuan.voice.attach import attach_voice, release_voice
from huikuan.voice.audio import Pcm
from huikuan.voice.recording import CallRecorder

log = logging.getLogger(__name__)


class LiveCall:
    """Owns one dialled call: `give_voice` on answer; hang-up and voice release on exit."""

    def __init__(self, call: Call, attempt_id: int) -> None:
        self.call = call
        self.attempt_id = attempt_id
        self.voiced = False
        self.recorder: CallRecorder | None = None
        self.hangup_failed = False

    async def __aenter__(self) -> LiveCall:
        return self

    def give_voice(
        self,
        lang: str,
        dialect: str | None,
        node_hints: Callable[[], Sequence[str]],
        answered_at: datetime,
        heard: Pcm | None = None,
    ) -> None:
        """TTS/ASR and the recording for a media call (SIP); a text-only carrier keeps its turns.
        `heard`: what the answering-machine check listened to, first on the recording."""
        self.voiced = attach_voice(
            self.call,
            lang=lang,
            dialect=dialect,
            node_hints=node_hints,
            attempt_id=self.attempt_id,
            answered_at=answered_at,
            heard=heard,
        )

    async def take_voice(self) -> CallRecorder | None:
        """Stop the robot's voice and ears on the live call (a bridge reads its audio now); the
        recording goes on in the returned recorder, kept for the record stage."""
        if self.voiced:
            self.recorder = await release_voice(self.call)
            self.voiced = False
        return self.recorder

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            await self.call.hangup()
        except Exception:
            # The line may be gone already; the attempt is still recorded.
            self.hangup_failed = True
            log.exception("attempt %s: hang-up failed (%s)", self.attempt_id, CallStage.HANGUP)
        finally:
            if self.voiced:
                self.recorder = await release_voice(self.call)
