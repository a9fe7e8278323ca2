"""Who answered: the answering-machine check between the answer and the robot's first word.

`screen_answer(call)` reads the far end's frames from the answer and feeds `voice.amd`'s
detector until it decides; a gap in the RTP (a far end that sends nothing while quiet) counts
as silence, as in `CallVoice`. It returns the verdict and everything heard, which goes first on
the call's recording. The verdict's meaning for the call (a machine gets the voicemail script
after its beep; HUMAN and NOTSURE get the robot) is `place_call`'s.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from huikuan.voice.amd import AmdDetector, AmdResult, AmdSettings
from huikuan.voice.audio import FRAME_MS, FRAME_SAMPLES, Pcm

log = logging.getLogger(__name__)
GAP_S = 0.1  # no RTP for this long counts as silence


class ListeningCall(Protocol):
    @property
    def ended(self) -> bool: ...

    async def receive_audio(self, timeout: float) -> Pcm | None: ...


@dataclass(frozen=True, slots=True)
class Screening:
    """The detector's verdict and the audio it was reached on (8 kHz, from the answer)."""

    result: AmdResult
    heard: Pcm = field(repr=False)


async def screen_answer(call: ListeningCall, settings: AmdSettings | None = None) -> Screening:
    """Listen from the answer until the detector decides (or the far end hangs up)."""
    detector = AmdDetector(settings)
    frames: list[Pcm] = []
    silence = np.zeros(FRAME_SAMPLES, dtype=np.int16)
    gap_frames = round(GAP_S * 1000 / FRAME_MS)
    result: AmdResult | None = None
    while result is None and not call.ended:
        frame = await call.receive_audio(GAP_S)
        if frame is None:
            for _ in range(gap_frames):
                frames.append(silence)
                result = detector.push(silence)
                if result is not None:
                    break
            continue
        for start in range(0, len(frame) - FRAME_SAMPLES + 1, FRAME_SAMPLES):
            chunk = frame[start : start + FRAME_SAMPLES]
            frames.append(chunk)
            result = detector.push(chunk)
            if result is not None:
                break
    final = result or detector.finish()
    log.info(
        "answering-machine check: %s (%s) at %d ms, beep %s, greeting %d ms, %d words",
        final.verdict,
        final.reason,
        final.at_ms,
        final.beep,
        final.greeting_ms,
        final.words,
    )
    heard = np.concatenate(frames) if frames else np.zeros(0, dtype=np.int16)
    return Screening(final, heard)
