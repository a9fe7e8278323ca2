from __future__ import annotations

import asyncio
from collections import defaultdict
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from huikuan.clock import VirtualClock
from huikuan.compliance.models import Complaint, LedgerEntry
from huikuan.dialer.models import Campaign
from huikuan.dialer.simulate import VirtualDay, run_virtual_day
from huikuan.flows import CallWork, place_call
from huikuan.outcomes.models import CallAttempt, Promise, Turn
from huikuan.portfolio.models import Contact
from huikuan.sim.personas import LineTruth, Persona
from huikuan.sim.service import create_portfolio
from huikuan.telephony import SimulatedCarrier, Subscriber
from huikuan.types import CallOutcome
from tests import factories
from tests.conftest import TestDatabase

SH = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 3, 10)


def _call(session: Session, persona: Persona, truth: LineTruth, at: datetime, seed: int = 3):  # type: ignore[no-untyped-def]
    batch = factories.creditor_and_batch(session)
    d = factories.debtor(session, name="王芳")
    acct = factories.account(session, d, batch, as_of=DAY)
    c = factories.contact(session, d)
    session.commit()
    carrier = SimulatedCarrier({c.number: Subscriber(truth, persona, 0, True)}, VirtualClock(at), seed=seed)
    work = CallWork(
        account_id=acct.id,
        contact=c,
        number=c.number,
        debtor_name="王芳",
        platform="安心借",
        amount_fen=acct.overdue,
        due_date=acct.due_date,
        today=DAY,
    )
    result = asyncio.run(place_call(session, work, carrier, VirtualClock(at), "R01"))
    session.commit()
    return result


def test_place_call_records_attempt_turns_and_ledger(session: Session) -> None:
    for seed in range(30):
        result = _call(
            session, Persona.FORGETFUL, LineTruth.ACTIVE, datetime(2026, 3, 10, 10, tzinfo=SH), seed
        )
        if result.outcome == CallOutcome.ANSWERED and result.disposition.value == "ptp":
            break
    else:
        raise AssertionError("no promise in 30 forgetful calls")
    attempt = session.get(CallAttempt, result.attempt_id)
    assert attempt is not None
    assert attempt.status == "completed"
    assert attempt.outcome == "answered"
    assert attempt.ended_at is not None
    assert attempt.ended_at > attempt.started_at
    turns = session.scalars(select(Turn).where(Turn.attempt_id == attempt.id).order_by(Turn.seq)).all()
    assert len(turns) >= 4
    assert all("王芳" not in t.text for t in turns)  # names are masked in transcripts
    promise = session.scalars(select(Promise).where(Promise.attempt_id == attempt.id)).one()
    assert promise.amount > 0
    entry = session.scalars(select(LedgerEntry).where(LedgerEntry.attempt_id == attempt.id)).one()
    assert entry.outcome == "answered"
    assert entry.conversation


def test_place_call_outside_window_writes_no_attempt(session: Session) -> None:
    result = _call(session, Persona.FORGETFUL, LineTruth.ACTIVE, datetime(2026, 3, 10, 22, tzinfo=SH))
    assert not result.decision.allowed
    assert result.decision.rule == "CN.TIME"
    assert result.attempt_id is None
    assert session.scalars(select(CallAttempt)).first() is None


def test_dispute_opens_a_stop(session: Session) -> None:
    for seed in range(40):
        result = _call(
            session, Persona.DISPUTING, LineTruth.ACTIVE, datetime(2026, 3, 10, 10, tzinfo=SH), seed
        )
        if result.disposition.value == "dispute":
            break
    else:
        raise AssertionError("no dispute in 40 disputing calls")
    stop = session.scalars(select(Complaint).where(Complaint.attempt_id == result.attempt_id)).one()
    assert (stop.kind, stop.status) == ("dispute", "open")


def test_only_the_right_party_makes_a_conversation_record(db: TestDatabase) -> None:
    """Third parties and wrong numbers answer, but `conversation` means the debtor was reached."""
    day = date(2026, 3, 10)
    with db.session() as s:
        create_portfolio(s, accounts=150, seed=3, as_of=day)
        factories.approved_scripts(s)
        campaign = Campaign(name="t", jurisdiction="CN", robots=2, created_at=datetime.now(UTC))
        s.add(campaign)
        s.flush()
        campaign_id = campaign.id
        s.commit()
    run_virtual_day(db.engine, VirtualDay(campaign_id, day, lines=2, seed=3))
    with db.session() as s:
        rows = s.execute(
            select(
                CallAttempt.outcome, CallAttempt.conversation, CallAttempt.disposition, Contact.relation
            ).join(Contact, Contact.id == CallAttempt.contact_id)
        ).all()
    seen: dict[tuple[str, bool], int] = defaultdict(int)
    for outcome, conversation, disposition, relation in rows:
        seen[(disposition, conversation)] += 1
        if conversation:
            assert outcome == "answered"
            assert relation == "self"
            assert disposition not in ("third_party", "wrong_number")
    assert seen[("third_party", False)] > 0  # the case this guards was exercised
    assert sum(n for (_d, c), n in seen.items() if c) > 0
