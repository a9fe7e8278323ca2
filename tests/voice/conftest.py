"""Speech for voice tests: espeak-ng renders each phrase once per test session."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from huikuan.voice.audio import Pcm, silence
from huikuan.voice.tts import EspeakTts


@pytest.fixture(scope="session")
def speak() -> Callable[[str], Pcm]:
    tts = EspeakTts()
    cache: dict[str, Pcm] = {}

    def render(text: str) -> Pcm:
        if text not in cache:
            cache[text] = tts.synthesize(text, "en-us")
        return cache[text]

    return render


def embed(speech: Pcm, before_ms: int, after_ms: int, seed: int = 1) -> Pcm:
    """Speech between two stretches of silence, with faint line noise over all of it."""
    signal = np.concatenate([silence(before_ms), speech, silence(after_ms)]).astype(np.float64)
    noise = np.random.default_rng(seed).normal(0.0, 30.0, len(signal))
    return np.clip(signal + noise, -32768, 32767).astype(np.int16)


def speech_span_ms(speech: Pcm, threshold: int = 300) -> tuple[float, float]:
    """Where the speech is audible inside an espeak rendering (first and last loud sample)."""
    loud = np.flatnonzero(np.abs(speech.astype(np.int32)) > threshold)
    return loud[0] / 8.0, (loud[-1] + 1) / 8.0
