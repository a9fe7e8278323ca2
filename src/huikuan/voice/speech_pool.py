"""Speech recognition in worker processes: one call's decoding never stalls another's audio.

A local decoder (pocketsphinx, Vosk, sherpa-onnx, faster-whisper) is CPU-bound Python/C code
that holds the GIL for most of a decode; in a thread of the worker it delays the event loop
that paces every line's RTP by tens to hundreds of milliseconds. `PooledAsr` runs one engine
for one script language (Whisper for zh-CN: its language and model are fixed at load) in a
`ProcessPoolExecutor` (spawned, never forked from a process that has an event loop and
threads), loads the model in each process at start (`warm_up`), and offers
`transcribe_async` for the call loop. The standard library's pool is enough: jobs are one
utterance each (a few KiB of PCM), pickled, and a crashed process breaks only its futures,
which the caller sees as a failed `hear` stage, never a dead worker (`BrokenProcessPool` is
recovered by starting a new pool on the next job).
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import ctypes.util
import logging
import multiprocessing
import os
import signal
import threading
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from huikuan.voice.asr import AsrEngine, AsrUnavailable
from huikuan.voice.audio import Pcm
from huikuan.voice.cpu import lower_this_thread

log = logging.getLogger(__name__)

PR_SET_PDEATHSIG = 1  # prctl(2)
_ENGINE: AsrEngine | None = None  # in a pool process: the engine its initializer built
_LOAD_ERROR = ""  # in a pool process: why the engine did not load (an initializer must not raise)


def _die_with_parent() -> None:
    """Linux: end this process when the worker that started it dies, even by SIGKILL (a pool
    process holds its queue's both ends, so it would never see the parent go otherwise)."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() == 1:  # the parent died before prctl took effect
        os._exit(0)


def _load(engine: str, lang: str) -> None:
    from huikuan.config import Settings
    from huikuan.voice.asr import asr_engine

    _die_with_parent()
    lower_this_thread()  # before the model loads, so its compute threads inherit it (voice.cpu)
    global _ENGINE, _LOAD_ERROR
    try:
        _ENGINE = asr_engine(engine, Settings(), lang)
    except Exception as e:  # reported by every job instead of a broken pool
        _LOAD_ERROR = f"{type(e).__name__}: {e}"


def _ready() -> str:
    return _LOAD_ERROR


def _transcribe(pcm: Pcm, sample_rate: int, hints: tuple[str, ...]) -> str:
    if _ENGINE is None:
        raise AsrUnavailable(f"the ASR engine did not load: {_LOAD_ERROR}")
    return _ENGINE.transcribe(pcm, sample_rate, hints)


class PooledAsr:
    """An `AsrEngine` whose decoding runs in `processes` worker processes, for one script language."""

    def __init__(self, engine: str, processes: int = 1, lang: str = "zh-CN") -> None:
        self.name = engine
        self.lang = lang
        self.processes = max(1, processes)
        self._lock = threading.Lock()
        self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            self.processes,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_load,
            initargs=(self.name, self.lang),
        )

    def _submit(self, pcm: Pcm, sample_rate: int, hints: Sequence[str]) -> Future[str]:
        with self._lock:
            try:
                return self._pool.submit(_transcribe, pcm, sample_rate, tuple(hints))
            except BrokenProcessPool:
                log.error("ASR pool broke (a decoder process died); starting a new one")
                self._pool = self._new_pool()
                return self._pool.submit(_transcribe, pcm, sample_rate, tuple(hints))

    def warm_up(self) -> None:
        """Start every process and load its model now, not during the first call."""
        with self._lock:
            jobs = [self._pool.submit(_ready) for _ in range(self.processes)]
        errors = {job.result() for job in jobs} - {""}
        if errors:
            raise AsrUnavailable(f"ASR engine {self.name} did not load: {sorted(errors)[0]}")

    def transcribe(self, pcm: Pcm, sample_rate: int, hints: Sequence[str]) -> str:
        return str(self._submit(pcm, sample_rate, hints).result())

    async def transcribe_async(self, pcm: Pcm, sample_rate: int, hints: Sequence[str]) -> str:
        """Decode in a pool process; the event loop only waits on a future."""
        job: Future[object] = self._submit(pcm, sample_rate, hints)  # type: ignore[assignment]  # wrap_future wants object
        return str(await asyncio.wrap_future(job))

    def pids(self) -> list[int]:
        """The pool's process ids (benches read their memory)."""
        with self._lock:
            return sorted(self._pool._processes or {})  # the stdlib pool keeps no public list

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
