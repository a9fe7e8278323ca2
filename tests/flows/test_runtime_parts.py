"""The small parts of the call runtime alone: the database runners and the `LiveCall` owner."""

from __future__ import annotations

import asyncio
import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session

from huikuan.compliance import Decision
from huikuan.flows import InlineDb, ThreadDb
from huikuan.flows import stages as flow_stages
from huikuan.flows.live import LiveCall
from tests.flows.fakes import Boom, ScriptedCall
from tests.flows.load import seed_debtors


def test_thread_db_runs_work_off_the_loop_thread_in_order() -> None:
    db = ThreadDb()
    order: list[int] = []

    async def go() -> set[int]:
        loop_thread = threading.get_ident()
        await asyncio.gather(*(db.run(lambda i=i: order.append(i)) for i in range(20)))  # type: ignore[misc]
        assert loop_thread not in db.thread_ids
        return db.thread_ids

    try:
        threads = asyncio.run(go())
    finally:
        db.close()
    assert len(threads) == 1  # one database thread: a Session is never shared between threads
    assert order == list(range(20))  # FIFO: a call's units run in the order it asked


def test_thread_db_hands_the_error_back_to_the_caller() -> None:
    db = ThreadDb()

    def fails() -> None:
        raise Boom("the database went away")

    try:
        with pytest.raises(Boom):
            asyncio.run(db.run(fails))
        assert asyncio.run(db.run(lambda: 7)) == 7  # the thread survives a failed unit
    finally:
        db.close()


def test_inline_db_runs_on_the_loop_thread() -> None:
    async def go() -> int:
        return await InlineDb().run(threading.get_ident)

    assert asyncio.run(go()) == threading.get_ident()


class _HangupFails(ScriptedCall):
    async def hangup(self) -> None:
        raise Boom("the line is already gone")


def test_a_live_call_is_hung_up_whatever_raised_inside() -> None:
    call = ScriptedCall([])

    async def go() -> None:
        async with LiveCall(call, attempt_id=1):
            raise Boom("the dialogue failed")

    with pytest.raises(Boom):
        asyncio.run(go())
    assert call.hung_up


def test_a_failing_hang_up_is_noted_never_raised_over_the_call() -> None:
    async def go() -> LiveCall:
        async with LiveCall(_HangupFails([]), attempt_id=1) as live:
            pass
        return live

    live = asyncio.run(go())
    assert live.hangup_failed
    assert live.recorder is None  # a text call has no voice to release


def test_reserve_and_start_returns_the_denial_and_writes_no_attempt(session: Session) -> None:
    (work,) = seed_debtors(session, 1, "zh-CN")
    night = datetime(2026, 3, 10, 23, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # CN.TIME: 22:00–08:00
    denied = flow_stages.reserve_and_start(session, work, night, "R01", None)
    assert isinstance(denied, Decision)
    assert not denied.allowed
    assert denied.rule == "CN.TIME"
    morning = night + timedelta(hours=11)
    started = flow_stages.reserve_and_start(session, work, morning, "R01", None)
    assert isinstance(started, flow_stages.Started)
    assert started.attempt_id > 0
    assert started.at == morning
