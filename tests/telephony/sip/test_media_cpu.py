"""`--media-cpu`: the RTP pacer thread pinned to one CPU (a machine with a core kept for media)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable

import pytest

from huikuan.errors import InvalidInput
from huikuan.telephony.rtp import RtpPacer, RtpSession
from huikuan.telephony.sip import media_cpu
from tests.conftest import TestDatabase
from tests.invoke import huikuan


def _pacer_affinity(pacer: RtpPacer) -> tuple[set[int], set[int]]:
    """The pacer thread's CPUs (read by its native id while it runs) and the loop thread's."""

    async def go() -> tuple[set[int], set[int]]:
        session = RtpSession(pacer)
        await session.open("127.0.0.1")
        session.start("127.0.0.1", 9, 0, None)  # registers with the pacer: its thread starts
        try:
            thread = pacer._thread  # this pacer's own thread, not another test's
            assert thread is not None
            assert thread.native_id is not None
            # The thread pins itself first thing; wait for the first tick to know it has.
            await asyncio.wait_for(_until(lambda: session.stats.sent > 0), 5)
            return os.sched_getaffinity(thread.native_id), os.sched_getaffinity(0)
        finally:
            session.close()

    return asyncio.run(go())


async def _until(done: Callable[[], bool]) -> None:
    """Yield to the loop until `done()` (a poll on the pacer's progress, not a timing sleep)."""
    while not done():
        await asyncio.sleep(0.005)


def test_the_pacer_thread_runs_only_on_the_chosen_cpu_and_the_process_keeps_the_rest() -> None:
    allowed = sorted(os.sched_getaffinity(0))
    cpu = allowed[-1]
    pacer_cpus, loop_cpus = _pacer_affinity(RtpPacer(cpu=cpu))
    assert pacer_cpus == {cpu}
    assert loop_cpus == set(allowed)  # only the pacer thread moved


def test_without_the_setting_the_pacer_thread_may_run_anywhere() -> None:
    pacer_cpus, _ = _pacer_affinity(RtpPacer())
    assert pacer_cpus == os.sched_getaffinity(0)


def test_a_cpu_this_process_may_not_use_is_refused_clearly() -> None:
    outside = max(os.sched_getaffinity(0)) + 1
    assert media_cpu(None) is None
    assert media_cpu(min(os.sched_getaffinity(0))) == min(os.sched_getaffinity(0))
    with pytest.raises(InvalidInput, match=f"--media-cpu {outside} .*allowed: "):
        media_cpu(outside)
    with pytest.raises(ValueError, match=f"CPU {outside} is not"):
        RtpPacer(cpu=outside)


def test_worker_refuses_a_media_cpu_outside_its_affinity_in_one_line(db: TestDatabase) -> None:
    outside = max(os.sched_getaffinity(0)) + 1
    ran = huikuan(
        ["worker", "--carrier", "sip", "--trunk", "sip:127.0.0.1:5060", "--media-cpu", str(outside)],
        env=db.env(),
    )
    assert ran.returncode == 2, ran.stderr
    assert ran.stderr.strip().count("\n") == 0
    assert f"--media-cpu {outside}" in ran.stderr
