"""End of the debtor's turn and barge-in, from webrtcvad decisions on 20 ms frames.

webrtcvad says voiced or not per frame; a turn starts after `start_frames` voiced frames in
a row (a click or a breath is not speech) and ends after `end_silence_ms` of unvoiced frames.
With `early_pause_ms` set, a shorter pause first yields a *tentative* turn (`final=False`) so
recognition can start while the detector still waits to be sure; if the caller speaks again
the turn simply goes on, and the final turn later covers all of it.
Times are frame counts × 20 ms from the first frame pushed, so they do not depend on the
wall clock and the carrier's pacing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import webrtcvad

from huikuan.voice.audio import FRAME_MS, FRAME_SAMPLES, SAMPLE_RATE, Pcm, as_pcm

START_FRAMES = 3  # 60 ms of voice opens a turn
# 400 ms of silence closes a turn: shorter than the 600-800 ms usual in the field so the robot
# answers within 600 ms of the last sound; recognition starts at the earlier pause below, so the
# wait hides its cost. A hesitant debtor who pauses longer mid-sentence can barge in again.
END_SILENCE_MS = 400
EARLY_PAUSE_MS = 200  # CallVoice starts ASR here and keeps the result if the debtor does not resume
MAX_TURN_MS = 20_000  # someone who never pauses (or a TV) still gets an answer
BARGE_IN_FRAMES = 8  # 160 ms of voice over the robot stops its playback
# webrtcvad calls faint line noise voiced while it adapts (the first ~100 ms) and keeps a
# hangover after speech; frames quieter than this RMS (about -46 dBFS) are never speech.
MIN_RMS = 150.0


def is_voiced(vad: webrtcvad.Vad, pcm: Pcm, min_rms: float = MIN_RMS) -> bool:
    """webrtcvad's decision on one frame, gated by a floor on its energy."""
    if float(np.sqrt(np.mean(pcm.astype(np.float32) ** 2))) < min_rms:
        return False
    return bool(vad.is_speech(pcm.astype("<i2").tobytes(), SAMPLE_RATE))


@dataclass(frozen=True, slots=True)
class Turn:
    """A finished turn: where speech started and ended (ms from the first frame) and its audio."""

    start_ms: int
    end_ms: int
    pcm: Pcm = field(repr=False)
    final: bool = True  # False: a short pause; the caller may still go on


class EndOfTurnDetector:
    """Feed 20 ms frames; `push` returns a `Turn` when the caller has stopped speaking."""

    def __init__(
        self,
        aggressiveness: int = 2,
        start_frames: int = START_FRAMES,
        end_silence_ms: int = END_SILENCE_MS,
        preroll_frames: int = 5,
        max_turn_ms: int = MAX_TURN_MS,
        early_pause_ms: int | None = None,
    ) -> None:
        self._vad = webrtcvad.Vad(aggressiveness)
        self.start_frames = start_frames
        self.end_frames = max(1, end_silence_ms // FRAME_MS)
        self.pause_frames = None if early_pause_ms is None else max(1, early_pause_ms // FRAME_MS)
        self.preroll_frames = preroll_frames
        self.max_turn_frames = max_turn_ms // FRAME_MS
        self.reset()

    def reset(self) -> None:
        self._index = 0
        self._run = 0  # consecutive voiced frames
        self._silent = 0  # consecutive unvoiced frames once in speech
        self._start: int | None = None
        self._last_voiced = 0
        self._buffer: list[Pcm] = []

    @property
    def in_speech(self) -> bool:
        return self._start is not None

    def push(self, frame: bytes | Pcm) -> Turn | None:
        pcm = as_pcm(frame)
        if len(pcm) != FRAME_SAMPLES:
            raise ValueError(f"VAD frames are {FRAME_SAMPLES} samples, got {len(pcm)}")
        voiced = is_voiced(self._vad, pcm)
        i = self._index
        self._index += 1
        self._buffer.append(pcm)
        if self._start is None:
            self._run = self._run + 1 if voiced else 0
            if self._run >= self.start_frames:
                self._start = i - self.start_frames + 1
                self._last_voiced = i
                self._silent = 0
            else:
                # keep a little audio before the turn so ASR hears the first phoneme
                keep = self.preroll_frames + self.start_frames
                del self._buffer[:-keep]
            return None
        if voiced:
            self._last_voiced = i
            self._silent = 0
            if i - self._start + 1 < self.max_turn_frames:
                return None
        else:
            self._silent += 1
            if self._silent < self.end_frames:
                return self._tentative() if self._silent == self.pause_frames else None
        turn = Turn(
            start_ms=self._start * FRAME_MS,
            end_ms=(self._last_voiced + 1) * FRAME_MS,
            pcm=np.concatenate(self._buffer),
        )
        self._start, self._run, self._silent = None, 0, 0
        self._buffer = []
        return turn

    def _tentative(self) -> Turn:
        assert self._start is not None  # noqa: S101 - only called while in speech
        return Turn(
            start_ms=self._start * FRAME_MS,
            end_ms=(self._last_voiced + 1) * FRAME_MS,
            pcm=np.concatenate(self._buffer),
            final=False,
        )


class BargeIn:
    """Tells the carrier to stop the robot's playback when the caller starts talking over it.

    The carrier calls `feed(frame, robot_playing)` for every received frame; it returns True
    once per playback, on the frame where the caller's speech is established.
    """

    def __init__(self, aggressiveness: int = 3, start_frames: int = BARGE_IN_FRAMES) -> None:
        self._vad = webrtcvad.Vad(aggressiveness)
        self.start_frames = start_frames
        self._run = 0
        self._fired = False

    def feed(self, frame: bytes | Pcm, robot_playing: bool) -> bool:
        if not robot_playing:
            self._run, self._fired = 0, False
            return False
        if self._fired:
            return False
        self._run = self._run + 1 if is_voiced(self._vad, as_pcm(frame)) else 0
        if self._run >= self.start_frames:
            self._fired = True
            return True
        return False
