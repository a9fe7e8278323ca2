"""The profile's best hour moves a task's next-day call to that hour, inside the window only."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from huikuan.dialer.retry import Attempted, RetryConfig, TaskMemory, Window, after_attempt
from huikuan.types import CallOutcome, Disposition

SH = ZoneInfo("Asia/Shanghai")
ENDED = datetime(2026, 3, 10, 10, 30, tzinfo=SH)


def test_a_powered_off_debtor_is_tried_tomorrow_at_their_best_hour() -> None:
    call = Attempted(1, True, CallOutcome.POWERED_OFF, Disposition.NONE, ENDED)
    best = Window(time(8), time(21), "Asia/Shanghai", preferred_hour=14)
    nxt = after_attempt(call, TaskMemory(), 1, RetryConfig(), best)
    assert nxt.due_at == datetime(2026, 3, 11, 14, 0, tzinfo=SH)
    plain = Window(time(8), time(21), "Asia/Shanghai")
    assert after_attempt(call, TaskMemory(), 1, RetryConfig(), plain).due_at == datetime(
        2026, 3, 11, 8, 0, tzinfo=SH
    )


def test_a_best_hour_outside_the_window_is_ignored() -> None:
    for hour in (7, 21, 23):
        window = Window(time(8), time(21), "Asia/Shanghai", preferred_hour=hour)
        assert window.next_day_start(ENDED) == datetime(2026, 3, 11, 8, 0, tzinfo=SH)
