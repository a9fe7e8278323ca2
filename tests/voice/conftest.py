"""Speech for voice tests: espeak-ng renders each phrase once per test session; Whisper base."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from huikuan.telephony import g711
from huikuan.voice.audio import Pcm, silence
from huikuan.voice.tts import EspeakTts, MandarinTts

# The debtor's Mandarin voice: espeak-ng's pinyin voice with variant m3 (the robot speaks f3).
DEBTOR_PINYIN_ESPEAK: dict[str, Any] = {"variant": "m3", "amplitude": 40, "words_per_minute": 140}


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


@pytest.fixture(scope="session")
def whisper_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Whisper base joined from its wheels once per test session (a faster-whisper folder)."""
    from huikuan.voice.whisper_model import whisper_base_dir

    return whisper_base_dir(tmp_path_factory.mktemp("models"))


@pytest.fixture(scope="session")
def whisper_model(whisper_dir: Path) -> Any:
    """The faster-whisper model of Whisper base, loaded once per session (CPU, int8)."""
    from huikuan.voice.whisper_asr import load_model

    return load_model(whisper_dir, threads=2)


@pytest.fixture(scope="session")
def debtor_mandarin() -> MandarinTts:
    """A Mandarin voice the robot never speaks with: the debtor's (variant m3, a little faster)."""
    return MandarinTts(EspeakTts(), pinyin=EspeakTts(**DEBTOR_PINYIN_ESPEAK))


def phone_line(pcm: Pcm) -> Pcm:
    """Speech as it reaches the robot over a call: G.711 μ-law there and back, 8 kHz."""
    return g711.decode(g711.encode(pcm, g711.PCMU_PT), g711.PCMU_PT)
