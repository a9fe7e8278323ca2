"""`screen_answer`: the far end's frames (and its RTP gaps) fed to the AMD detector."""

from __future__ import annotations

import asyncio
from collections import deque

import numpy as np

from huikuan.flows.answering import screen_answer
from huikuan.voice.amd import AmdVerdict
from huikuan.voice.audio import FRAME_SAMPLES, SAMPLE_RATE, Pcm
from tests.voice.amd_render import Case, beep, render_case, speech_end_ms


class Line:
    """A far end: 20 ms frames, `None` for a gap with no RTP; ends (hangs up) when they run out."""

    def __init__(self, frames: list[Pcm | None], hang_up_at_end: bool = False) -> None:
        self.frames = deque(frames)
        self.hang_up_at_end = hang_up_at_end
        self.ended = False
        self.reads = 0

    async def receive_audio(self, timeout: float) -> Pcm | None:
        self.reads += 1
        await asyncio.sleep(0)
        if not self.frames:
            self.ended = self.hang_up_at_end
            return None
        return self.frames.popleft()


def _frames(pcm: Pcm) -> list[Pcm | None]:
    usable = len(pcm) - len(pcm) % FRAME_SAMPLES
    return [pcm[i : i + FRAME_SAMPLES] for i in range(0, usable, FRAME_SAMPLES)]


def test_a_greeting_with_a_beep_then_no_rtp_is_a_machine_after_the_beep() -> None:
    case = Case("t-vm", "en-us", "Hi, leave a message for Sam after the tone please, thank you.", True, 1000)
    pcm = render_case(case)[: speech_end_ms(case) * SAMPLE_RATE // 1000]
    line = Line(_frames(pcm))  # the far end stops sending RTP after the beep (a file streamed)
    screening = asyncio.run(screen_answer(line))
    assert screening.result.verdict == AmdVerdict.MACHINE
    assert screening.result.beep
    # the gap after the beep counted as silence: 200 ms of it confirmed the beep
    assert len(screening.heard) >= len(pcm)
    assert len(screening.heard) == screening.result.at_ms * SAMPLE_RATE // 1000


def test_a_short_hello_then_silence_is_a_person_early() -> None:
    case = Case("t-hello", "en-us", "Hello?", False)
    pcm = render_case(case)[: speech_end_ms(case) * SAMPLE_RATE // 1000]
    line = Line(_frames(pcm))
    screening = asyncio.run(screen_answer(line))
    assert screening.result.verdict == AmdVerdict.HUMAN
    assert screening.result.at_ms - speech_end_ms(case) <= 1000


def test_a_far_end_that_hangs_up_mid_greeting_ends_the_check() -> None:
    tone = beep(1000, 100)  # too short for a beep
    line = Line([*_frames(np.concatenate([np.zeros(1600, np.int16), tone]))], hang_up_at_end=True)
    screening = asyncio.run(screen_answer(line))
    assert line.ended
    assert screening.result.verdict == AmdVerdict.NOTSURE
    assert screening.result.reason == "undecided"
