"""Early media (183 Session Progress audio) sorted into silence, ringback, busy tone or announcement.

Chinese networks often answer an unreachable number with 183 and a recording ("您拨打的电话已关机")
or a tone instead of a clear final response. Tones are one narrow frequency (450 Hz in China,
400-480 Hz elsewhere) with a cadence: ringback ≈1 s on / 4 s off, busy ≈0.35 s on / 0.35 s off.
Speech is broadband with fast-varying energy. The words themselves need ASR (see `status`).
"""

from __future__ import annotations

from enum import StrEnum

import numpy as np

from huikuan.telephony import g711

FRAME = g711.FRAME_SAMPLES
ACTIVE_RMS = 200.0


class EarlyMedia(StrEnum):
    NONE = "none"
    SILENCE = "silence"
    RINGBACK = "ringback"
    BUSY_TONE = "busy_tone"
    TONE = "tone"  # steady or unrecognised cadence
    ANNOUNCEMENT = "announcement"


def classify(pcm: g711.Pcm) -> EarlyMedia:
    """Classify early-media audio (8 kHz PCM) by per-20 ms energy and spectral concentration."""
    n = len(pcm) // FRAME
    if n < 10:
        return EarlyMedia.NONE if n == 0 else EarlyMedia.SILENCE
    frames = pcm[: n * FRAME].astype(np.float64).reshape(n, FRAME)
    rms = np.sqrt((frames**2).mean(axis=1))
    active = rms > ACTIVE_RMS
    if active.mean() < 0.05:
        return EarlyMedia.SILENCE
    spectrum = np.abs(np.fft.rfft(frames[active] * np.hanning(FRAME), axis=1)) ** 2
    peak = spectrum.argmax(axis=1)
    total = spectrum.sum(axis=1) + 1e-9
    rows = np.arange(len(peak))
    near = sum(spectrum[rows, np.clip(peak + d, 0, spectrum.shape[1] - 1)] for d in (-1, 0, 1))
    concentration = near / total
    peak_hz = peak * (g711.SAMPLE_RATE / FRAME)
    tonal = (concentration > 0.6) & (peak_hz > 300) & (peak_hz < 700)
    if tonal.mean() < 0.8:
        return EarlyMedia.ANNOUNCEMENT
    on_runs = _runs(active)
    if len(on_runs) < 2:
        return EarlyMedia.RINGBACK if on_runs and 0.7 <= on_runs[0] * 0.02 <= 1.5 else EarlyMedia.TONE
    median_on = float(np.median(on_runs)) * 0.02
    if 0.7 <= median_on <= 1.5:
        return EarlyMedia.RINGBACK
    if 0.2 <= median_on <= 0.5:
        return EarlyMedia.BUSY_TONE
    return EarlyMedia.TONE


def _runs(active: np.ndarray) -> list[int]:
    runs: list[int] = []
    count = 0
    for flag in active:
        if flag:
            count += 1
        elif count:
            runs.append(count)
            count = 0
    if count:
        runs.append(count)
    return runs
