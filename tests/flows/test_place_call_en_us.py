"""An en-US call end to end through `place_call`: the script's language is the call's, so the
robot speaks English amounts and dates and books callbacks in the debtor's US time."""

from __future__ import annotations

import asyncio
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from huikuan.clock import VirtualClock
from huikuan.dialogue import load_script
from huikuan.dialogue.render import spoken_date
from huikuan.flows import CallResult, place_call
from huikuan.outcomes.models import CallAttempt, Promise, Turn
from huikuan.types import Disposition
from tests.flows.fakes import ScriptedCarrier
from tests.flows.load import seed_debtors

NY = ZoneInfo("America/New_York")
NOW = datetime(2026, 3, 10, 11, 0, tzinfo=NY)  # a Tuesday, inside US.TIME
HAN = re.compile(r"[\u4e00-\u9fff]")


def _call(session: Session, lines: list[str]) -> tuple[CallResult, list[str]]:
    (work,) = seed_debtors(session, 1, "en-US")
    carrier = ScriptedCarrier(lines)
    result = asyncio.run(
        place_call(session, work, carrier, VirtualClock(NOW), "R01", script=load_script("reminder", "en-US"))
    )
    session.commit()
    return result, carrier.calls[0].said


def test_an_english_promise_is_read_back_in_english_and_stored(session: Session) -> None:
    result, said = _call(session, ["yes this is me", "I will pay $1,200 next Friday", "yes"])

    assert result.disposition == Disposition.PTP
    assert not any(HAN.search(line) for line in said), said  # never "3月20日" in an English call
    assert "$3,500," in said[1]  # the balance, in dollars
    promise = session.scalar(select(Promise).where(Promise.attempt_id == result.attempt_id))
    assert promise is not None
    assert promise.amount == 120_000
    assert promise.due_date.weekday() == 4  # a Friday
    assert date(2026, 3, 13) <= promise.due_date <= date(2026, 3, 20)
    english_date = spoken_date(promise.due_date, "en-US")
    assert f"$1,200 by {english_date}" in said[2]  # the read-back
    assert english_date.startswith("March")
    turns = session.scalars(select(Turn).where(Turn.attempt_id == result.attempt_id).order_by(Turn.seq)).all()
    assert [t.speaker for t in turns] == ["robot", "debtor"] * 3 + ["robot"]


def test_an_english_callback_is_booked_at_the_debtors_us_time(session: Session) -> None:
    result, said = _call(session, ["yes it's me", "call me back tomorrow at 4:30 pm"])

    expected = datetime(2026, 3, 11, 16, 30, tzinfo=NY)
    assert result.callback_at == expected  # not 04:30, not Shanghai time
    attempt = session.get(CallAttempt, result.attempt_id)
    assert attempt is not None
    assert attempt.callback_at == expected
    assert not any(HAN.search(line) for line in said), said
    assert "4:30" in said[-1]
    assert expected - NOW == timedelta(days=1, hours=5, minutes=30)
