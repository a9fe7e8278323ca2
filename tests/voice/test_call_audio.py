"""`CallVoice` on a fake call: recognition started at a short pause, kept or dropped."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import numpy as np

from huikuan.voice.audio import Pcm, frames, silence
from huikuan.voice.call_audio import CallVoice
from tests.voice.conftest import embed, speech_span_ms


class FrameCall:
    """Hands out `pcm` as 20 ms frames as fast as the ear reads them, then ends."""

    call_id = "fake"

    def __init__(self, pcm: Pcm) -> None:
        self._frames = list(frames(pcm))
        self.ended = False

    def use_voice(
        self, tts: Callable[[str], Awaitable[Pcm]], asr: Callable[[Any], Awaitable[str | None]]
    ) -> None:
        self.asr = asr

    async def receive_audio(self, timeout: float) -> Pcm | None:
        await asyncio.sleep(0)  # let the loop run other tasks, as a socket read would
        if not self._frames:
            self.ended = True
            return None
        return np.frombuffer(self._frames.pop(0), dtype=np.int16)

    def flush_playback(self) -> int:
        return 0


class CountingAsr:
    """Says how many samples it was given, so a test knows which audio a text came from."""

    name = "counting"

    def __init__(self) -> None:
        self.lengths: list[int] = []
        self._lock = threading.Lock()

    def transcribe(self, pcm: Pcm, sample_rate: int, hints: Sequence[str]) -> str:
        with self._lock:
            self.lengths.append(len(pcm))
        return f"heard {len(pcm)}"


class NoTts:
    name = "none"

    def synthesize(self, text: str, voice: str) -> Pcm:
        return silence(100)


def listen_to(pcm: Pcm) -> tuple[str | None, CallVoice, CountingAsr]:
    asr = CountingAsr()
    voice = CallVoice(NoTts(), asr, "en-us", hints=("i already paid",))

    async def go() -> str | None:
        voice.attach(FrameCall(pcm))
        try:
            return await voice.listen()
        finally:
            await voice.close()

    return asyncio.run(go()), voice, asr


def trimmed(speech: Pcm) -> Pcm:
    """Only the audible part of an espeak rendering (it pads with silence)."""
    begin, end = speech_span_ms(speech)
    return speech[int(begin * 8) : int(end * 8)]


def test_a_turn_ending_after_the_short_pause_uses_the_early_recognition(speak: Callable[[str], Pcm]) -> None:
    speech = speak("I already paid")
    heard, voice, asr = listen_to(embed(speech, 300, 1000))
    assert voice.early_results_used == 1
    assert len(asr.lengths) == 1  # not recognised a second time at the end of the turn
    assert heard == f"heard {asr.lengths[0]}"
    assert asr.lengths[0] >= len(speech) * 0.8


def test_a_debtor_who_resumes_after_the_pause_is_heard_whole(speak: Callable[[str], Pcm]) -> None:
    first, second = (trimmed(speak(text)) for text in ("I already paid", "last week"))
    pause = embed(silence(0), 300, 0, seed=3)  # longer than the early pause, shorter than the end
    pcm = embed(np.concatenate([first, pause, second]), 300, 1000)
    heard, _, asr = listen_to(pcm)
    assert heard is not None
    used = int(heard.split()[1])
    assert used >= len(first) + len(second)  # the text is from the whole turn, not the first part
    assert min(asr.lengths) < used  # the partial was recognised early, then dropped
