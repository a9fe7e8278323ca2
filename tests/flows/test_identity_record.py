"""Right-party decisions, the knowledge check and the deceased hold, through `place_call` and the
record stage: stored with the attempt (reason codes only), the answer masked, the hold stopping
the next dial."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from huikuan import compliance
from huikuan.clock import VirtualClock
from huikuan.compliance.models import Complaint
from huikuan.flows import CallWork, place_call
from huikuan.outcomes import service as outcomes
from huikuan.outcomes.models import CallAttempt, IdentityDecision, Turn
from huikuan.portfolio.models import Account, Creditor, Debtor
from huikuan.portfolio.service import birth_year, knowledge_answer, set_knowledge_check
from huikuan.types import CallOutcome, Channel, Disposition, KnowledgeCheck
from tests import factories
from tests.flows.fakes import ScriptedCarrier

SH = ZoneInfo("Asia/Shanghai")
AT = datetime(2026, 3, 10, 10, tzinfo=SH)
NATIONAL_ID = "110101199003071234"


def _setup(session: Session, check: KnowledgeCheck = KnowledgeCheck.NONE) -> tuple[Account, CallWork]:
    batch = factories.creditor_and_batch(session)
    d = factories.debtor(session, name="王芳")
    d.national_id = NATIONAL_ID
    acct = factories.account(session, d, batch, as_of=AT.date())
    c = factories.contact(session, d)
    creditor = session.get(Creditor, batch.creditor_id)
    assert creditor is not None
    set_knowledge_check(session, creditor.code, check)
    session.commit()
    kind, answer = knowledge_answer(session, acct.id)
    work = CallWork(
        account_id=acct.id,
        contact=c,
        number=c.number,
        debtor_name="王芳",
        platform="安心借",
        amount_fen=acct.overdue,
        due_date=acct.due_date,
        today=AT.date(),
        knowledge_check=kind,
        knowledge_answer=answer,
    )
    return acct, work


def _place(session: Session, work: CallWork, lines: list[str]) -> int:
    result = asyncio.run(place_call(session, work, ScriptedCarrier(lines), VirtualClock(AT), "R01"))
    session.commit()
    assert result.attempt_id is not None
    return result.attempt_id


def _decisions(session: Session, attempt_id: int) -> list[tuple[int, str, str]]:
    rows = session.scalars(
        select(IdentityDecision)
        .where(IdentityDecision.attempt_id == attempt_id)
        .order_by(IdentityDecision.id)
    )
    return [(r.turn, r.decision, r.reason) for r in rows]


def test_a_stranger_is_recorded_as_a_third_party_with_why(session: Session) -> None:
    _, work = _setup(session)
    attempt_id = _place(session, work, ["我是李四"])
    attempt = session.get(CallAttempt, attempt_id)
    assert attempt is not None
    assert attempt.disposition == "third_party"
    assert not attempt.conversation
    assert _decisions(session, attempt_id) == [(1, "third_party", "name_mismatch")]


def test_the_knowledge_check_is_stored_as_codes_and_its_answer_masked(session: Session) -> None:
    _, work = _setup(session, KnowledgeCheck.ID_LAST4)
    assert work.knowledge_answer == "1234"
    assert "1234" not in repr(work)
    attempt_id = _place(session, work, ["是我", "幺二三四"])
    assert _decisions(session, attempt_id) == [
        (1, "confirmed", "bare_yes"),
        (2, "knowledge_ok", "knowledge_right"),
    ]
    attempt = session.get(CallAttempt, attempt_id)
    assert attempt is not None
    assert attempt.conversation  # the right party, verified
    turns = session.scalars(select(Turn).where(Turn.attempt_id == attempt_id, Turn.speaker == "debtor")).all()
    assert [t.text for t in turns][:2] == ["是我", "****"]


def test_a_wrong_knowledge_answer_discloses_nothing(session: Session) -> None:
    _, work = _setup(session, KnowledgeCheck.ID_LAST4)
    attempt_id = _place(session, work, ["是我", "五六七八"])
    attempt = session.get(CallAttempt, attempt_id)
    assert attempt is not None
    assert attempt.disposition == "third_party"
    assert not attempt.conversation
    assert _decisions(session, attempt_id)[-1] == (2, "knowledge_failed", "knowledge_wrong")
    robot = session.scalars(
        select(Turn.text).where(Turn.attempt_id == attempt_id, Turn.speaker == "robot")
    ).all()
    assert not any("3500" in t or "逾期" in t for t in robot)


def test_knowledge_answers_come_from_the_creditor_and_the_debtor(session: Session) -> None:
    acct, _ = _setup(session, KnowledgeCheck.BIRTH_YEAR)
    assert knowledge_answer(session, acct.id) == (KnowledgeCheck.BIRTH_YEAR, "1990")
    creditor = session.get(Creditor, acct.creditor_id)
    assert creditor is not None
    set_knowledge_check(session, creditor.code, KnowledgeCheck.PRODUCT)
    acct.product = "安心借"
    assert knowledge_answer(session, acct.id) == (KnowledgeCheck.PRODUCT, "安心借")
    debtor = session.get(Debtor, acct.debtor_id)
    assert debtor is not None
    debtor.national_id = None
    set_knowledge_check(session, creditor.code, KnowledgeCheck.ID_LAST4)
    # nothing to ask with: no check rather than a question nobody can answer right
    assert knowledge_answer(session, acct.id) == (KnowledgeCheck.NONE, "")
    assert birth_year("110101850307123") == "1985"
    assert birth_year("123") is None


def test_a_deceased_hold_stops_the_next_dial(session: Session) -> None:
    acct, work = _setup(session)
    attempt_id = outcomes.start_attempt(
        session,
        account_id=acct.id,
        debtor_id=acct.debtor_id,
        contact_id=work.contact.id,
        started_at=AT,
        campaign_id=None,
        robot_id="R01",
        script_version_id=None,
    )
    outcomes.complete_attempt(
        session,
        attempt_id,
        account_id=acct.id,
        debtor_id=acct.debtor_id,
        completion=outcomes.AttemptCompletion(
            ended_at=AT + timedelta(minutes=1),
            outcome=CallOutcome.ANSWERED,
            conversation=False,
            talk_seconds=30,
            disposition=Disposition.DECEASED,
        ),
        stop=compliance.StopKind.DECEASED,
    )
    session.commit()
    stop = session.scalars(select(Complaint).where(Complaint.attempt_id == attempt_id)).one()
    assert (stop.kind, stop.status) == ("deceased", "open")
    decision = compliance.reserve(
        session, work.contact, AT + timedelta(days=1), Channel.VOICE, artificial_voice=True
    )
    assert not decision.allowed
    assert decision.rule == "CN.STOP"


def test_a_deceased_debtor_through_the_call_opens_the_hold(session: Session) -> None:
    _, work = _setup(session)
    attempt_id = _place(session, work, ["他已经去世了"])
    attempt = session.get(CallAttempt, attempt_id)
    assert attempt is not None
    assert attempt.disposition == "deceased"
    assert not attempt.conversation
    stop = session.scalars(select(Complaint).where(Complaint.attempt_id == attempt_id)).one()
    assert (stop.kind, stop.status) == ("deceased", "open")
    assert _decisions(session, attempt_id) == [(1, "third_party", "said_deceased")]
