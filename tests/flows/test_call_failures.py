"""A raise at every point of a call (dial, say, hear, step, record) on a real SIP call: the far
end receives a BYE, the turns and the recording so far are stored, and the attempt is closed
as failed with the stage that raised. The worker's loop is never ended by it."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from huikuan.clock import VirtualClock
from huikuan.compliance.models import LedgerEntry
from huikuan.dialogue import DialogueEngine, load_script
from huikuan.flows import CallResult, CallStage, ThreadDb, place_call
from huikuan.flows import stages as flow_stages
from huikuan.outcomes.models import CallAttempt, Turn
from huikuan.telephony.sip import Trunk
from huikuan.types import CallOutcome
from huikuan.voice.repository import recordings_for_attempt
from tests.flows.fakes import Boom, FaultyCarrier
from tests.flows.load import seed_debtors
from tests.telephony.sip.sipp import Sipp

ECHO = str(Path(__file__).parent.parent / "telephony" / "sip" / "scenarios" / "uas_echo.xml")
NY = ZoneInfo("America/New_York")


def _place(session: Session, method: str, nth: int) -> tuple[CallResult, int]:
    (work,) = seed_debtors(session, 1, "en-US")
    far = Sipp(ECHO, echo=True, timeout=40)
    db = ThreadDb()

    async def go() -> CallResult:
        carrier = FaultyCarrier([Trunk.parse(far.trunk)], method=method, nth=nth)
        try:
            return await place_call(
                session,
                work,
                carrier,
                VirtualClock(datetime(2026, 3, 10, 11, tzinfo=NY)),
                "R01",
                script=load_script("reminder", "en-US"),
                ring_timeout=10,
                db=db,
            )
        finally:
            await carrier.close()

    try:
        result = asyncio.run(go())
        far_status = far.finish(20) if method != "dial" else 0
    finally:
        far.kill()
        db.close()
    return result, far_status


def _fail_step_on(nth: int, monkeypatch: pytest.MonkeyPatch) -> None:
    real = DialogueEngine.step
    uses = {"n": 0}

    def step(self: DialogueEngine, text: str | None) -> Any:
        uses["n"] += 1
        if uses["n"] == nth:
            raise Boom("injected failure in step")
        return real(self, text)

    monkeypatch.setattr(DialogueEngine, "step", step)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("method", "nth", "stage", "turns_before"),
    [
        ("say", 2, CallStage.SAY, 1),  # the greeting (and the debtor's answer, if any was heard)
        ("hear", 2, CallStage.HEAR, 2),  # the greeting and a reply or reprompt
        ("step", 2, CallStage.STEP, 2),  # a whole exchange
        ("record", 1, CallStage.RECORD, 1),
    ],
)
def test_a_raise_mid_call_hangs_up_and_keeps_what_was_said(
    session: Session,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    method: str,
    nth: int,
    stage: CallStage,
    turns_before: int,
) -> None:
    monkeypatch.setenv("HUIKUAN_DATA_DIR", str(tmp_path))
    if method == "step":
        _fail_step_on(nth, monkeypatch)
    if method == "record":

        def disk_full(*args: object, **kwargs: object) -> None:
            raise OSError("no space left on device")

        monkeypatch.setattr(flow_stages, "store_recording", disk_full)
    result, far_status = _place(session, "none" if method in ("step", "record") else method, nth)

    assert far_status == 0  # SIPp's scenario ends only on our BYE: the call was hung up
    assert result.outcome == CallOutcome.ANSWERED
    assert result.failed_at == stage
    attempt = session.get(CallAttempt, result.attempt_id)
    assert attempt is not None
    assert attempt.status == "failed"
    assert attempt.failure_cause is not None
    assert attempt.failure_cause.startswith(f"{stage}:")
    assert "Jane" not in attempt.failure_cause  # a type name, never a message with personal data
    turns = session.scalars(select(Turn).where(Turn.attempt_id == attempt.id).order_by(Turn.seq)).all()
    assert turns[0].speaker == "robot"  # the greeting was said and kept
    assert len(turns) >= turns_before  # and what came after it, up to the raise
    if method != "record":
        (recording,) = recordings_for_attempt(session, attempt.id)
        assert recording.seconds > 0
        assert (tmp_path / recording.path).exists()
    else:
        assert recordings_for_attempt(session, attempt.id) == []
    entry = session.scalar(select(LedgerEntry).where(LedgerEntry.attempt_id == attempt.id))
    assert entry is not None
    assert entry.outcome == "answered"  # the compliance ledger knows the call happened


@pytest.mark.slow
def test_a_dial_that_raises_closes_the_attempt_with_its_cause(session: Session) -> None:
    result, _ = _place(session, "dial", 1)
    assert result.failed_at == CallStage.DIAL
    attempt = session.get(CallAttempt, result.attempt_id)
    assert attempt is not None
    assert (attempt.status, attempt.outcome) == ("failed", "failed")
    assert attempt.failure_cause == "dial:Boom"
