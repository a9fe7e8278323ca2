"""Speech yields the CPU to the call loop: its threads and processes run at a lower priority."""

from __future__ import annotations

import os
import threading

from huikuan.voice.cpu import SPEECH_NICE, lower_this_thread


def test_lowering_a_thread_leaves_the_calling_thread_as_it_was() -> None:
    loop_thread = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    seen: list[int] = []

    def speech() -> None:
        lower_this_thread()
        seen.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))

    worker = threading.Thread(target=speech)
    worker.start()
    worker.join()
    assert seen == [min(19, loop_thread + SPEECH_NICE)]
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == loop_thread
