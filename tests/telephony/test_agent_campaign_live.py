"""An agent campaign's answered call connected live to the agent's phone, end to end:
`flows.place_call` with the campaign's real `CampaignPacer.route` as `route_answer`, an
`AgentLine` on the SIP carrier, baresip as the debtor's phone and as the agent's phone.

The answering-machine check runs first on the debtor's real (rendered) "Hello?"; a person is
routed to the free agent, whose screen pop is committed before their phone rings, and the two
phones hear each other (debtor 440 Hz, agent 1 kHz). A voicemail greeting never reaches the
agent. The robot's voice is a stand-in (tones), as in test_handoff_flow.py.
"""

from __future__ import annotations

import asyncio
import wave
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from huikuan.clock import VirtualClock
from huikuan.compliance.models import LedgerEntry
from huikuan.db import make_sessionmaker
from huikuan.desk import service as desk
from huikuan.desk.models import Transfer
from huikuan.desk.schemas import AgentState, TransferStatus
from huikuan.dialer.agent_pacing import CampaignPacer, Turn
from huikuan.dialer.models import Campaign
from huikuan.dialer.pacing import PacingMode
from huikuan.dialogue import load_script
from huikuan.flows import AnswerRoute, CallResult, CallWork, handoff, place_call
from huikuan.flows.handoff import AgentLine
from huikuan.outcomes.models import CallAttempt
from huikuan.telephony.sip.call import Trunk
from huikuan.telephony.sip.carrier import SipCarrier
from huikuan.types import CallOutcome, Disposition
from huikuan.voice import attach
from tests import factories
from tests.conftest import TestDatabase
from tests.desk.helpers import PASSWORD, desk_user
from tests.telephony.sip.peers import Baresip, tone_seconds
from tests.telephony.test_handoff_flow import (
    AGENT_HZ,
    CALLBACK_HZ,
    DEBTOR_HZ,
    ROBOT_HZ,
    AskForPerson,
    ToneTts,
)
from tests.voice.amd_render import Case, render_case

NY = ZoneInfo("America/New_York")
DAY = date(2026, 3, 10)
CALLER = "4001234567"
HELLO = Case("live-en-hello", "en-us", "Hello?", machine=False)
VOICEMAIL = Case(
    "live-en-vm",
    "en-us",
    "Hi, you have reached the voicemail of Jane. I cannot take your call right now, please leave "
    "your name and number after the tone and I will call you back.",
    machine=True,
    beep_hz=1000,
)


def _sine(hz: int, seconds: float) -> np.ndarray:
    t = np.arange(int(8000 * seconds)) / 8000
    return (np.sin(2 * np.pi * hz * t) * 12000).astype(np.int16)


def _wav(tmp: Path, name: str, parts: list[np.ndarray]) -> Path:
    path = tmp / f"{name}.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(np.concatenate(parts).astype(np.int16).tobytes())
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


def _case(session: Session, agent_uri: str) -> tuple[CallWork, int, int]:
    """A US debtor in a progressive campaign without robot overflow, and one available agent
    whose phone is `agent_uri`."""
    batch = factories.creditor_and_batch(session)
    campaign = factories.campaign(session, batch)
    campaign.mode = PacingMode.PROGRESSIVE.value
    campaign.robot_overflow = False
    debtor = factories.debtor(session, tz="America/New_York", name="Jane Roe")
    debtor.jurisdiction = "US"
    debtor.ai_voice_consent = True
    debtor.dialect = "en"
    account = factories.account(session, debtor, batch, as_of=DAY)
    contact = factories.contact(session, debtor)
    desk_user(session, "agent-live")
    view, _ = desk.log_in(session, "agent-live", PASSWORD, datetime(2026, 3, 10, 10, tzinfo=NY))
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
        campaign_id=campaign.id,
        callback_number="400 800 1234",
        amd=True,
    )
    return work, view.agent_id, campaign.id


def _place(
    session: Session,
    db: TestDatabase,
    work: CallWork,
    campaign_id: int,
    debtor: Baresip,
    agent_id: int,
    refer: bool = False,
) -> tuple[CallResult, list[bool], dict[AnswerRoute, int]]:
    """Place the call with the campaign's pacer routing the answer; at the agent phone's ring,
    is the screen pop already committed (read through another connection)?"""
    clock = VirtualClock(datetime(2026, 3, 10, 11, tzinfo=NY))
    sessions = make_sessionmaker(db.engine)
    with sessions() as s:
        campaign = s.get(Campaign, campaign_id)
        assert campaign is not None
        pacer = CampaignPacer(sessions, campaign, clock)
    pacer.ringing = 1  # this line's turn, granted
    turn = Turn(pacer)
    pop_at_ring: list[bool] = []
    real = handoff.hand_off

    async def spy(*args: object, **kwargs: object) -> object:
        def ringing() -> None:
            with db.session() as other:
                pop_at_ring.append(desk.pending_pop(other, agent_id) is not None)

        return await real(*args, **{**kwargs, "on_ringing": ringing})  # type: ignore[arg-type]

    async def go() -> CallResult:
        carrier = SipCarrier([Trunk.parse(debtor.trunk).with_settings(refer=refer)])
        await carrier.start()
        try:
            return await place_call(
                session,
                work,
                carrier,
                clock,
                "R01",
                script=load_script("handoff", "en-US"),
                ring_timeout=10,
                route_answer=lambda s, attempt_id, at: pacer.route(s, turn, attempt_id, at),
                agent_line=AgentLine(carrier, CALLER, ring_timeout=3.0),
            )
        finally:
            await carrier.close()

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(handoff, "hand_off", spy)
        result = asyncio.run(go())
    session.commit()
    return result, pop_at_ring, pacer.routed


def _ledger_entries(session: Session, work: CallWork) -> int:
    stmt = (
        select(func.count()).select_from(LedgerEntry).where(LedgerEntry.debtor_id == work.contact.debtor_id)
    )
    return int(session.scalar(stmt) or 0)


def test_an_agent_campaign_call_answered_by_a_person_is_bridged_to_the_agents_phone(
    db: TestDatabase, session: Session, tmp_path: Path, phones: list[Baresip]
) -> None:
    # "Hello?", quiet while the check decides and the agent's phone rings, then the debtor's tone.
    hello = render_case(HELLO)
    debtor = Baresip(
        tmp_path / "debtor",
        "13800000000",
        _wav(tmp_path, "debtor", [hello, np.zeros(8000 * 2, np.int16), _sine(DEBTOR_HZ, 20.0)]),
    )
    phones.append(debtor)
    # The agent talks for 8 s and hangs up (the phone ends the call when its file ends).
    agent = Baresip(
        tmp_path / "agent", "agent", _wav(tmp_path, "agent", [_sine(AGENT_HZ, 8.0), np.zeros(4000, np.int16)])
    )
    phones.append(agent)
    work, agent_id, campaign_id = _case(session, f"sip:agent@127.0.0.1:{agent.port}")

    result, pop_at_ring, routed = _place(session, db, work, campaign_id, debtor, agent_id)

    assert result.outcome == CallOutcome.ANSWERED
    assert routed[AnswerRoute.AGENT] == 1
    assert result.answered_by == AnswerRoute.AGENT
    assert result.handoff == "transferred"
    assert pop_at_ring == [True]  # the screen pop was there when the agent's phone rang
    (transfer,) = session.scalars(select(Transfer).where(Transfer.attempt_id == result.attempt_id)).all()
    assert transfer.status == TransferStatus.ACCEPTED
    assert transfer.agent_id == agent_id
    attempt = session.get(CallAttempt, result.attempt_id)
    assert attempt is not None
    assert attempt.amd_verdict == "human"  # the check ran before the agent was given the call
    assert attempt.agent_id == str(agent_id)
    assert attempt.disposition == Disposition.TRANSFERRED
    # Audio crossed the bridge both ways; the robot never spoke to the debtor.
    assert debtor.wait_for("terminated")
    assert agent.wait_for("terminated")
    heard_by_agent, heard_by_debtor = agent.heard(), debtor.heard()
    assert tone_seconds(heard_by_agent, DEBTOR_HZ) >= 1.5
    assert tone_seconds(heard_by_debtor, AGENT_HZ) >= 1.5
    assert tone_seconds(heard_by_debtor, ROBOT_HZ) == 0.0
    assert _ledger_entries(session, work) == 1  # one answered call, one contact


def test_an_agent_phone_that_rings_out_leaves_the_debtor_the_callback_line_and_the_agent_on_break(
    db: TestDatabase, session: Session, tmp_path: Path, phones: list[Baresip]
) -> None:
    hello = render_case(HELLO)
    debtor = Baresip(
        tmp_path / "debtor",
        "13800000000",
        _wav(tmp_path, "debtor", [hello, np.zeros(8000 * 30, np.int16)]),
    )
    phones.append(debtor)
    agent = Baresip(
        tmp_path / "agent", "agent", _wav(tmp_path, "agent", [_sine(AGENT_HZ, 3.0)]), answermode="manual"
    )
    phones.append(agent)
    work, agent_id, campaign_id = _case(session, f"sip:agent@127.0.0.1:{agent.port}")

    result, pop_at_ring, _ = _place(session, db, work, campaign_id, debtor, agent_id)

    assert result.answered_by == AnswerRoute.AGENT
    assert result.handoff == "transfer_failed"
    assert pop_at_ring == [True]
    (transfer,) = session.scalars(select(Transfer).where(Transfer.attempt_id == result.attempt_id)).all()
    assert transfer.status == TransferStatus.QUEUED  # back in the queue as a callback due now
    assert transfer.agent_id is None
    assert transfer.callback_at is not None
    attempt = session.get(CallAttempt, result.attempt_id)
    assert attempt is not None
    assert attempt.status == "completed"  # our failure is not the call's
    assert desk.agent_view(session, agent_id).state == AgentState.BREAK
    assert debtor.wait_for("terminated")
    assert tone_seconds(debtor.heard(), CALLBACK_HZ) >= 1.0
    assert _ledger_entries(session, work) == 1  # the failed hand-off added no contact


def test_a_machine_answering_an_agent_campaign_call_never_reaches_the_agent(
    db: TestDatabase, session: Session, tmp_path: Path, phones: list[Baresip]
) -> None:
    greeting = render_case(VOICEMAIL)
    debtor = Baresip(
        tmp_path / "debtor",
        "13800000000",
        _wav(tmp_path, "debtor", [greeting, np.zeros(8000 * 15, np.int16)]),
    )
    phones.append(debtor)
    agent = Baresip(tmp_path / "agent", "agent", _wav(tmp_path, "agent", [_sine(AGENT_HZ, 3.0)]))
    phones.append(agent)
    work, agent_id, campaign_id = _case(session, f"sip:agent@127.0.0.1:{agent.port}")

    result, pop_at_ring, routed = _place(session, db, work, campaign_id, debtor, agent_id)

    assert result.outcome == CallOutcome.VOICEMAIL
    assert sum(routed.values()) == 0  # never routed: the check decided first
    assert pop_at_ring == []
    assert session.scalars(select(Transfer).where(Transfer.attempt_id == result.attempt_id)).all() == []
    attempt = session.get(CallAttempt, result.attempt_id)
    assert attempt is not None
    assert attempt.amd_verdict == "machine"
    assert desk.agent_view(session, agent_id).state == AgentState.AVAILABLE


def test_on_a_trunk_that_carries_refer_the_agent_campaign_call_is_handed_over_by_refer(
    db: TestDatabase, session: Session, tmp_path: Path, phones: list[Baresip]
) -> None:
    hello = render_case(HELLO)
    debtor = Baresip(
        tmp_path / "debtor",
        "13800000000",
        _wav(tmp_path, "debtor", [hello, np.zeros(8000 * 2, np.int16), _sine(DEBTOR_HZ, 8.0)]),
    )
    phones.append(debtor)
    agent = Baresip(
        tmp_path / "agent", "agent", _wav(tmp_path, "agent", [_sine(AGENT_HZ, 8.0), np.zeros(4000, np.int16)])
    )
    phones.append(agent)
    work, agent_id, campaign_id = _case(session, f"sip:agent@127.0.0.1:{agent.port}")

    result, pop_at_ring, _ = _place(session, db, work, campaign_id, debtor, agent_id, refer=True)

    assert result.answered_by == AnswerRoute.AGENT
    assert result.handoff == "transferred"
    assert pop_at_ring == [True]
    assert agent.wait_for("Call established")
    assert agent.wait_for("terminated", timeout=30)
    # The debtor's phone called the agent itself (REFER; baresip plays its file afresh on that
    # call, greeting first): each heard the other.
    assert tone_seconds(agent.heard(), DEBTOR_HZ) >= 1.0
    assert tone_seconds(debtor.heard(), AGENT_HZ) >= 1.0
