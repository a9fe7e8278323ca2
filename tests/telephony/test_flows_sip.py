"""A dialer call on the SIP carrier: `flows.place_call` gives the answered call its voice.

The far end (SIPp) answers, lets the robot greet, says the debtor's line and hangs up if the
robot has not; the robot must have spoken over RTP, heard the line through ASR, stored the
transcript and the recording with the attempt, and closed the attempt cleanly.
"""

from __future__ import annotations

import asyncio
import socket
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from huikuan.clock import VirtualClock
from huikuan.dialogue import load_script
from huikuan.flows import CallResult, CallWork, place_call
from huikuan.outcomes.models import CallAttempt, Turn
from huikuan.telephony.sip.call import Trunk
from huikuan.telephony.sip.carrier import SipCarrier
from huikuan.types import CallOutcome
from huikuan.voice.repository import recordings_for_attempt
from tests import factories
from tests.telephony.sip.sipp import Sipp
from tests.telephony.test_voice_e2e import FarEndEar, render_utterance

SCENARIO = Path(__file__).parent / "scenarios" / "uas_speak_hangup.xml"
NY = ZoneInfo("America/New_York")
DAY = date(2026, 3, 10)


def test_dialer_call_over_sip_speaks_hears_and_is_recorded(
    session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HUIKUAN_DATA_DIR", str(tmp_path))
    batch = factories.creditor_and_batch(session)
    debtor = factories.debtor(session, tz="America/New_York", name="Jane Roe")
    debtor.jurisdiction = "US"
    debtor.ai_voice_consent = True
    debtor.dialect = "en"
    account = factories.account(session, debtor, batch, as_of=DAY)
    contact = factories.contact(session, debtor)
    session.commit()
    work = CallWork(
        account_id=account.id,
        contact=contact,
        number="1000",  # the SIPp far end answers any number
        debtor_name="Jane Roe",
        platform="EasyLoan",
        amount_fen=account.overdue,
        due_date=account.due_date,
        today=DAY,
        timezone="America/New_York",
        dialect=debtor.dialect,
    )
    clock = VirtualClock(datetime(2026, 3, 10, 11, tzinfo=NY))

    async def dial(far: Sipp, ear_sock: socket.socket) -> tuple[CallResult, int]:
        loop = asyncio.get_running_loop()
        ear = FarEndEar()
        transport, _ = await loop.create_datagram_endpoint(lambda: ear, sock=ear_sock)
        carrier = SipCarrier([Trunk.parse(far.trunk)])
        try:
            t0 = loop.time()
            result = await place_call(
                session, work, carrier, clock, "R01", script=load_script("reminder", "en-US"), ring_timeout=5
            )
            return result, ear.voiced_after(t0)
        finally:
            await carrier.close()
            transport.close()

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as ear_sock:
        ear_sock.bind(("127.0.0.1", 0))
        keys = {
            "sink_port": str(ear_sock.getsockname()[1]),
            "listen_ms": "2500",
            "hangup_ms": "9000",
            "utterance": str(render_utterance(tmp_path / "utterance.wav")),
        }
        far = Sipp(str(SCENARIO), keys=keys, echo=False, timeout=60)
        try:
            result, voiced_packets = asyncio.run(dial(far, ear_sock))
            session.commit()
            assert far.finish(15) == 0  # the far end saw a whole call, whoever hung up
        finally:
            far.kill()

    assert result.decision.allowed
    assert result.outcome == CallOutcome.ANSWERED
    assert voiced_packets > 50  # the robot spoke over RTP, not text into the void
    attempt = session.get(CallAttempt, result.attempt_id)
    assert attempt is not None
    assert attempt.status == "completed"
    turns = session.scalars(select(Turn).where(Turn.attempt_id == attempt.id).order_by(Turn.seq)).all()
    speakers = [t.speaker for t in turns]
    assert speakers[0] == "robot"
    assert "debtor" in speakers  # the utterance came back through ASR as a debtor turn
    (recording,) = recordings_for_attempt(session, attempt.id)
    assert recording.seconds > 3
    assert (tmp_path / recording.path).exists()
