"""Each outcome's retry rule, as pure functions."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from huikuan.dialer.retry import (
    Attempted,
    Next,
    RetryConfig,
    TaskMemory,
    Window,
    after_attempt,
    after_denial,
)
from huikuan.errors import InvalidInput
from huikuan.types import CallOutcome, Disposition

SH = ZoneInfo("Asia/Shanghai")
WINDOW = Window(time(8), time(22), "Asia/Shanghai")
T = datetime(2026, 3, 10, 10, 0, tzinfo=SH)
NEXT_MORNING = datetime(2026, 3, 11, 8, 0, tzinfo=SH)
CONFIG = RetryConfig()


def _call(outcome: CallOutcome, disposition: Disposition = Disposition.NONE, **kw: object) -> Attempted:
    values: dict[str, object] = {"contact_id": 1, "own_number": True, "ended": T}
    values.update(kw)
    return Attempted(outcome=outcome, disposition=disposition, **values)  # type: ignore[arg-type]


def _after(call: Attempted, memory: TaskMemory | None = None, config: RetryConfig = CONFIG) -> Next:
    return after_attempt(call, memory or TaskMemory(), 1, config, WINDOW)


def test_no_answer_retries_after_two_hours_at_most_three_times_a_day() -> None:
    memory = TaskMemory()
    assert _after(_call(CallOutcome.NO_ANSWER), memory) == Next(T + timedelta(hours=2))
    assert _after(_call(CallOutcome.NO_ANSWER), memory) == Next(T + timedelta(hours=2))
    assert _after(_call(CallOutcome.NO_ANSWER), memory) == Next(NEXT_MORNING)
    assert memory.no_answers == 3
    tomorrow = _call(CallOutcome.NO_ANSWER, ended=NEXT_MORNING)
    assert _after(tomorrow, memory) == Next(NEXT_MORNING + timedelta(hours=2))  # a new day, new count


def test_the_no_answer_limit_is_configurable() -> None:
    config = RetryConfig.from_json({"max_no_answers_per_day": 1, "no_answer_delay": 60})
    assert config.no_answer_delay == timedelta(minutes=1)
    assert _after(_call(CallOutcome.NO_ANSWER), config=config) == Next(NEXT_MORNING)


def test_a_retry_past_the_window_waits_for_the_next_opening() -> None:
    late = datetime(2026, 3, 10, 21, 0, tzinfo=SH)
    assert _after(_call(CallOutcome.NO_ANSWER, ended=late)) == Next(NEXT_MORNING)


def test_busy_retries_after_ten_minutes() -> None:
    assert _after(_call(CallOutcome.BUSY)) == Next(T + timedelta(minutes=10))


def test_powered_off_waits_for_tomorrow_unless_another_own_number_is_left() -> None:
    memory = TaskMemory()
    assert _after(_call(CallOutcome.POWERED_OFF), memory) == Next(NEXT_MORNING)
    assert 1 in memory.blocked
    other = _after(_call(CallOutcome.POWERED_OFF, other_own_number=True))
    assert other == Next(T + CONFIG.next_number_delay)


def test_an_invalid_number_is_blocked_and_the_debtor_tried_on_another() -> None:
    memory = TaskMemory()
    assert _after(_call(CallOutcome.INVALID_NUMBER), memory) == Next(T + CONFIG.next_number_delay)
    assert 1 in memory.blocked


@pytest.mark.parametrize("disposition", [Disposition.WRONG_NUMBER, Disposition.THIRD_PARTY])
def test_someone_else_on_the_line_blocks_that_contact_today(disposition: Disposition) -> None:
    memory = TaskMemory()
    nxt = _after(_call(CallOutcome.ANSWERED, disposition), memory)
    assert nxt == Next(T + CONFIG.not_debtor_delay)
    assert 1 in memory.blocked
    third_party = TaskMemory()
    _after(_call(CallOutcome.ANSWERED, Disposition.NONE, own_number=False, contact_id=9), third_party)
    assert 9 in third_party.blocked


def test_a_booked_callback_is_due_at_the_booked_time() -> None:
    at = datetime(2026, 3, 10, 19, 30, tzinfo=SH)
    assert _after(_call(CallOutcome.ANSWERED, Disposition.CALLBACK, callback_at=at)) == Next(at)


def test_a_promise_holds_collection_calls_until_its_date_has_passed() -> None:
    nxt = _after(_call(CallOutcome.ANSWERED, Disposition.PTP, promise_due=date(2026, 3, 14)))
    assert nxt == Next(datetime(2026, 3, 15, 8, 0, tzinfo=SH))


@pytest.mark.parametrize(
    "disposition",
    [
        Disposition.PAID,
        Disposition.DISPUTE,
        Disposition.CEASE_REQUESTED,
        Disposition.COMPLAINT,
        Disposition.REFUSED,
    ],
)
def test_final_dispositions_end_the_task(disposition: Disposition) -> None:
    assert _after(_call(CallOutcome.ANSWERED, disposition)) == Next(done_reason=disposition.value)


def test_max_attempts_ends_the_task() -> None:
    config = RetryConfig(max_attempts=1)
    assert _after(_call(CallOutcome.BUSY), config=config) == Next(done_reason="max_attempts")


def test_a_per_number_denial_tries_the_other_numbers_and_a_stop_ends_the_task() -> None:
    memory = TaskMemory()
    nxt = after_denial("CN.DIALS_PER_NUMBER", NEXT_MORNING, 4, T, memory, CONFIG, WINDOW)
    assert nxt == Next(T + CONFIG.next_number_delay)
    assert 4 in memory.blocked
    later = datetime(2026, 3, 10, 15, 0, tzinfo=SH)
    assert after_denial("CN.CONV_PER_DAY", later, 4, T, TaskMemory(), CONFIG, WINDOW) == Next(later)
    assert after_denial("CN.STOP", None, 4, T, TaskMemory(), CONFIG, WINDOW) == Next(
        done_reason="denied:CN.STOP"
    )


def test_memory_survives_json_and_forgets_yesterday() -> None:
    memory = TaskMemory(day="2026-03-10", dials={3: 2}, blocked={3}, own_failures=2, no_answers=1)
    again = TaskMemory.from_json(memory.to_json())
    assert again == memory
    again.roll_to(date(2026, 3, 11))
    assert (again.dials, again.blocked, again.no_answers, again.own_failures) == ({}, set(), 0, 2)


def test_unknown_or_negative_settings_are_refused() -> None:
    with pytest.raises(InvalidInput):
        RetryConfig.from_json({"busy": 5})
    with pytest.raises(InvalidInput):
        RetryConfig.from_json({"busy_delay": -1})
    assert RetryConfig.from_json(RetryConfig().to_json()) == RetryConfig()


def test_window_clamps_to_the_debtors_local_opening() -> None:
    early = datetime(2026, 3, 10, 23, 30, tzinfo=UTC)  # 07:30 in Shanghai on the 11th
    assert WINDOW.clamp(early) == NEXT_MORNING
    assert WINDOW.clamp(T) == T


def test_a_trunk_failure_retries_soon_and_uses_up_nothing_of_the_debtor() -> None:
    memory = TaskMemory()
    for _ in range(5):  # a trunk outage: every call fails on our side
        assert _after(_call(CallOutcome.TRUNK_FAILED), memory) == Next(T + CONFIG.trunk_failed_delay)
    assert memory.dials == {}
    assert memory.own_failures == 0
    assert memory.no_answers == 0
    assert memory.blocked == set()
    capped = RetryConfig(max_attempts=1)  # not an attempt either: the task is not ended
    assert after_attempt(_call(CallOutcome.TRUNK_FAILED), TaskMemory(), 1, capped, WINDOW).done_reason is None
