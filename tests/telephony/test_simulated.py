from __future__ import annotations

import asyncio
from datetime import datetime
from zoneinfo import ZoneInfo

from huikuan.clock import VirtualClock
from huikuan.sim.personas import LineTruth, Persona
from huikuan.telephony import SimulatedCarrier, Subscriber
from huikuan.types import CallOutcome

SH = ZoneInfo("Asia/Shanghai")
DIRECTORY = {
    "+8613900000001": Subscriber(LineTruth.ACTIVE, Persona.FORGETFUL, 0, True),
    "+8613900000002": Subscriber(LineTruth.INVALID, Persona.UNREACHABLE, 0, True),
    "+8613900000003": Subscriber(LineTruth.POWERED_OFF, Persona.UNREACHABLE, 0, True),
    "+8613900000004": Subscriber(LineTruth.NEVER_ANSWERS, Persona.UNREACHABLE, 0, True),
}


def dial_many(number: str, n: int, seed: int = 7) -> list[tuple[CallOutcome, float]]:
    carrier = SimulatedCarrier(DIRECTORY, VirtualClock(datetime(2026, 3, 10, 10, tzinfo=SH)), seed=seed)

    async def go() -> list[tuple[CallOutcome, float]]:
        out = []
        for _ in range(n):
            call = await carrier.dial(number, "+864000000000")
            out.append((call.result.outcome, call.result.setup_seconds))
            await call.hangup()
        return out

    return asyncio.run(go())


def test_line_truths_give_their_outcomes_and_durations() -> None:
    assert {o for o, _ in dial_many("+8613900000002", 5)} == {CallOutcome.INVALID_NUMBER}
    assert all(s <= 12 for _, s in dial_many("+8613900000002", 5))  # announcement + post-dial delay
    assert {o for o, _ in dial_many("+8613900000003", 5)} == {CallOutcome.POWERED_OFF}
    never = dial_many("+8613900000004", 20)
    assert CallOutcome.ANSWERED not in {o for o, _ in never}
    # 35-45 s of ringing (capped by the ring timeout) after a 2-6 s post-dial delay
    assert all(37 <= s <= 51 for o, s in never if o == CallOutcome.NO_ANSWER)


def test_active_forgetful_line_mostly_answers_and_is_deterministic_per_seed() -> None:
    first = dial_many("+8613900000001", 40)
    assert sum(o == CallOutcome.ANSWERED for o, _ in first) >= 15
    assert dial_many("+8613900000001", 40) == first
    assert dial_many("+8613900000001", 40, seed=8) != first


def test_answered_call_talks_in_virtual_seconds() -> None:
    carrier = SimulatedCarrier(DIRECTORY, VirtualClock(datetime(2026, 3, 10, 10, tzinfo=SH)), seed=1)

    async def go() -> tuple[str | None, float]:
        for _ in range(20):
            call = await carrier.dial("+8613900000001", "+864000000000")
            if call.result.outcome == CallOutcome.ANSWERED:
                await call.say("您好，我是安心借的智能语音助手，请问是王芳本人吗？")
                heard = await call.hear()
                return heard, call.talk_seconds
        raise AssertionError("never answered")

    heard, seconds = asyncio.run(go())
    assert seconds > 5
    assert heard is None or isinstance(heard, str)


def test_unknown_number_is_invalid() -> None:
    assert dial_many("+8613999999999", 1)[0][0] == CallOutcome.INVALID_NUMBER
