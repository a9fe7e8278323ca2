"""A robot call handed live to an agent's phone, end to end: `flows.place_call` with an
`AgentLine` on the SIP carrier, the desk in the database, baresip as the debtor's phone and as
the agent's phone (tests/telephony/sip/peers.py).

The robot's voice is a stand-in (each line a 300 Hz tone; the announcement 700 Hz, the callback
message 1.6 kHz) and its ears hear "I want to speak to a real person" in every turn, so the
dialogue asks for a person at the first turn; everything else is real: the debtor's phone plays
a 440 Hz tone, the agent's phone 1 kHz, and each phone records what it hears.
"""

from __future__ import annotations

import asyncio
import io
import wave
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from huikuan.clock import VirtualClock
from huikuan.compliance.models import LedgerEntry
from huikuan.desk import service as desk
from huikuan.desk.models import Transfer
from huikuan.desk.schemas import AgentState, TransferStatus
from huikuan.dialer.handoff import queue_transfer
from huikuan.dialogue import load_script
from huikuan.flows import CallResult, CallWork, handoff, place_call
from huikuan.flows.handoff import AgentLine
from huikuan.outcomes.models import CallAttempt
from huikuan.telephony.sip.call import Trunk
from huikuan.telephony.sip.carrier import SipCarrier
from huikuan.types import CallOutcome
from huikuan.voice import attach
from huikuan.voice.recording import read_wav
from huikuan.voice.repository import recordings_for_attempt
from tests import factories
from tests.conftest import TestDatabase
from tests.desk.helpers import PASSWORD, desk_user
from tests.telephony.sip.peers import Baresip, tone_seconds

NY = ZoneInfo("America/New_York")
DAY = date(2026, 3, 10)
CALLER = "4001234567"
ROBOT_HZ, DEBTOR_HZ, AGENT_HZ, ANNOUNCE_HZ, CALLBACK_HZ = 300, 440, 1000, 700, 1600


def _sine(hz: int, seconds: float) -> np.ndarray:
    t = np.arange(int(8000 * seconds)) / 8000
    return (np.sin(2 * np.pi * hz * t) * 12000).astype(np.int16)


class ToneTts:
    """Each line a short tone: the announcement and the callback message with their own pitch."""

    name = "tone"

    def synthesize(self, text: str, voice: str) -> np.ndarray:
        if text.startswith("Transferred call"):
            return _sine(ANNOUNCE_HZ, 1.0)
        if text.startswith("Sorry, no agent"):
            return _sine(CALLBACK_HZ, 1.5)
        return _sine(ROBOT_HZ, 0.6)


class AskForPerson:
    name = "ask-for-person"

    def transcribe(self, pcm: np.ndarray, sample_rate: int, hints: Sequence[str]) -> str:
        return "I want to speak to a real person"


def _wav(tmp: Path, name: str, parts: list[tuple[int, float]]) -> Path:
    """Tones (hz, seconds; hz 0 = silence) one after another as 8 kHz mono 16-bit WAV."""
    pcm = np.concatenate([_sine(hz, s) if hz else np.zeros(int(8000 * s), np.int16) for hz, s in parts])
    path = tmp / f"{name}.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(pcm.tobytes())
    return path


@pytest.fixture
def phones() -> Iterator[list[Baresip]]:
    started: list[Baresip] = []
    yield started
    for phone in reversed(started):
        phone.stop()


@pytest.fixture(autouse=True)
def tone_voice(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HUIKUAN_DATA_DIR", str(tmp_path))
    monkeypatch.setattr(attach, "_engines", lambda settings=None, lang="zh-CN": (ToneTts(), AskForPerson()))


def _case(session: Session, agent_uri: str) -> tuple[CallWork, int]:
    """A US debtor who may get AI calls, and one available agent whose phone is `agent_uri`."""
    batch = factories.creditor_and_batch(session)
    debtor = factories.debtor(session, tz="America/New_York", name="Jane Roe")
    debtor.jurisdiction = "US"
    debtor.ai_voice_consent = True
    debtor.dialect = "en"
    account = factories.account(session, debtor, batch, as_of=DAY)
    contact = factories.contact(session, debtor)
    desk_user(session, "agent-phone")
    view, _ = desk.log_in(session, "agent-phone", PASSWORD, datetime(2026, 3, 10, 10, tzinfo=NY))
    desk.set_phone(session, view.agent_id, agent_uri, datetime(2026, 3, 10, 10, tzinfo=NY), actor="test")
    session.commit()
    work = CallWork(
        account_id=account.id,
        contact=contact,
        number="13800000000",
        debtor_name="Jane Roe",
        platform="EasyLoan",
        amount_fen=account.overdue,
        due_date=account.due_date,
        today=DAY,
        timezone="America/New_York",
        dialect=debtor.dialect,
    )
    return work, view.agent_id


def _place(
    session: Session, db: TestDatabase, work: CallWork, debtor: Baresip, agent_id: int, **line: object
) -> tuple[CallResult, list[bool]]:
    """Place the call; at the agent phone's ring, is the agent's screen pop already there
    (read through another connection, so only committed data counts)?"""
    pop_at_ring: list[bool] = []
    real = handoff.hand_off

    async def spy(*args: object, **kwargs: object) -> object:
        def ringing() -> None:
            with db.session() as other:
                pop_at_ring.append(desk.pending_pop(other, agent_id) is not None)

        return await real(*args, **{**kwargs, "on_ringing": ringing})  # type: ignore[arg-type]

    async def go() -> CallResult:
        carrier = SipCarrier([Trunk.parse(debtor.trunk)])
        await carrier.start()
        try:
            return await place_call(
                session,
                work,
                carrier,
                VirtualClock(datetime(2026, 3, 10, 11, tzinfo=NY)),
                "R01",
                script=load_script("handoff", "en-US"),
                ring_timeout=10,
                agent_line=AgentLine(carrier, CALLER, **line),  # type: ignore[arg-type]
            )
        finally:
            await carrier.close()

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(handoff, "hand_off", spy)
        result = asyncio.run(go())
    session.commit()
    return result, pop_at_ring


def _ledger_entries(session: Session, work: CallWork) -> int:
    stmt = (
        select(func.count()).select_from(LedgerEntry).where(LedgerEntry.debtor_id == work.contact.debtor_id)
    )
    return int(session.scalar(stmt) or 0)


def test_a_robot_call_is_bridged_live_to_the_agents_phone(
    db: TestDatabase, session: Session, tmp_path: Path, phones: list[Baresip]
) -> None:
    # After the robot's greeting the debtor says something (1 s), pauses, then stays on the line
    # with their tone.
    debtor = Baresip(
        tmp_path / "debtor",
        "13800000000",
        _wav(tmp_path, "debtor", [(0, 1.5), (DEBTOR_HZ, 1.0), (0, 1.5), (DEBTOR_HZ, 20.0), (0, 10)]),
    )
    phones.append(debtor)
    agent = Baresip(tmp_path / "agent", "agent", _wav(tmp_path, "agent", [(AGENT_HZ, 4.0), (0, 0.5)]))
    phones.append(agent)
    work, agent_id = _case(session, f"sip:agent@127.0.0.1:{agent.port}")

    result, pop_at_ring = _place(session, db, work, debtor, agent_id, attended=True)

    assert result.outcome == CallOutcome.ANSWERED
    assert result.transfer_requested
    assert result.handoff == "transferred"
    assert pop_at_ring == [True]  # the screen pop was there when the agent's phone rang
    (transfer,) = session.scalars(select(Transfer).where(Transfer.attempt_id == result.attempt_id)).all()
    assert transfer.status == TransferStatus.ACCEPTED
    assert transfer.agent_id == agent_id
    assert transfer.handoff == "transferred"
    attempt = session.get(CallAttempt, result.attempt_id)
    assert attempt is not None
    assert attempt.agent_id == str(agent_id)
    assert attempt.status == "completed"
    # The worker's after-call hook does not queue a second transfer for this call.
    queue_transfer(session, result.attempt_id, result)  # type: ignore[arg-type]
    session.commit()
    assert len(session.scalars(select(Transfer).where(Transfer.attempt_id == result.attempt_id)).all()) == 1
    # Audio crossed the bridge both ways; the agent heard the case first, the debtor did not.
    assert debtor.wait_for("terminated")
    assert agent.wait_for("terminated")
    heard_by_agent, heard_by_debtor = agent.heard(), debtor.heard()
    assert tone_seconds(heard_by_agent, ANNOUNCE_HZ) >= 0.8
    assert tone_seconds(heard_by_agent, DEBTOR_HZ) >= 1.5
    assert tone_seconds(heard_by_debtor, AGENT_HZ) >= 1.5
    assert tone_seconds(heard_by_debtor, ANNOUNCE_HZ) == 0.0
    # One recording of the whole call: the robot and then the agent on the left, the debtor right.
    (recording,) = recordings_for_attempt(session, result.attempt_id)  # type: ignore[arg-type]
    with wave.open(io.BytesIO(read_wav(recording, tmp_path))) as w:
        stereo = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16).reshape(-1, 2)
    left, right = stereo[:, 0].copy(), stereo[:, 1].copy()
    assert tone_seconds(left, ROBOT_HZ) >= 0.5
    assert tone_seconds(left, AGENT_HZ) >= 1.5
    assert tone_seconds(right, DEBTOR_HZ) >= 2.0
    assert tone_seconds(right, AGENT_HZ) == 0.0
    assert _ledger_entries(session, work) == 1  # one answered call, one contact


def test_an_agent_phone_that_rings_out_sends_the_debtor_back_to_the_queue_as_a_callback(
    db: TestDatabase, session: Session, tmp_path: Path, phones: list[Baresip]
) -> None:
    debtor = Baresip(
        tmp_path / "debtor", "13800000000", _wav(tmp_path, "debtor", [(0, 1.5), (DEBTOR_HZ, 1.0), (0, 30.0)])
    )
    phones.append(debtor)
    agent = Baresip(
        tmp_path / "agent", "agent", _wav(tmp_path, "agent", [(AGENT_HZ, 3.0)]), answermode="manual"
    )
    phones.append(agent)
    work, agent_id = _case(session, f"sip:agent@127.0.0.1:{agent.port}")

    result, pop_at_ring = _place(session, db, work, debtor, agent_id, ring_timeout=2.0)

    assert result.outcome == CallOutcome.ANSWERED
    assert result.handoff == "transfer_failed"
    assert pop_at_ring == [True]
    assert result.callback_at is not None
    (transfer,) = session.scalars(select(Transfer).where(Transfer.attempt_id == result.attempt_id)).all()
    assert transfer.status == TransferStatus.QUEUED
    assert transfer.agent_id is None
    assert transfer.handoff == "transfer_failed"
    assert transfer.callback_at is not None
    attempt = session.get(CallAttempt, result.attempt_id)
    assert attempt is not None
    assert attempt.callback_at is not None
    assert attempt.status == "completed"  # our failure is not the call's
    assert desk.agent_view(session, agent_id).state == AgentState.BREAK
    assert debtor.wait_for("terminated")
    assert tone_seconds(debtor.heard(), CALLBACK_HZ) >= 1.0
    assert tone_seconds(debtor.heard(), AGENT_HZ) == 0.0
    assert _ledger_entries(session, work) == 1  # the failed hand-off added no contact
