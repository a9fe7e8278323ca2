"""A failure of ours (a dead trunk) never counts against a debtor's contact caps."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from huikuan import compliance
from huikuan.compliance.models import LedgerEntry
from huikuan.types import CallOutcome
from tests import factories

SH = ZoneInfo("Asia/Shanghai")
AT = datetime(2026, 3, 10, 9, tzinfo=SH)
DIALS_PER_NUMBER = 6  # CN.DIALS_PER_NUMBER


def _dial(session: Session, contact: factories.Contact, at: datetime, outcome: CallOutcome) -> bool:
    decision = compliance.reserve(session, contact, at)
    if decision.allowed:
        assert decision.ledger_entry_id is not None
        compliance.record_outcome(session, decision.ledger_entry_id, outcome, conversation=False)
    session.commit()
    return decision.allowed


def test_a_trunk_outage_leaves_every_debtors_dial_count_untouched(session: Session) -> None:
    debtors = [factories.debtor(session) for _ in range(3)]
    contacts = [factories.contact(session, d) for d in debtors]
    session.commit()
    at = AT
    for _ in range(10):  # the trunk is down all morning: every dial fails on our side
        for contact in contacts:
            assert _dial(session, contact, at, CallOutcome.TRUNK_FAILED)
        at += timedelta(minutes=1)
    for contact in contacts:  # the trunk is back: the full day's dials are still there
        dials = [_dial(session, contact, at + timedelta(minutes=k), CallOutcome.NO_ANSWER) for k in range(7)]
        assert dials == [True] * DIALS_PER_NUMBER + [False]
    denied = compliance.reserve(session, contacts[0], at + timedelta(hours=1))
    assert denied.rule == "CN.DIALS_PER_NUMBER"
    # The ledger keeps every failed dial for audit.
    kept = session.scalars(
        select(LedgerEntry).where(LedgerEntry.outcome == CallOutcome.TRUNK_FAILED.value)
    ).all()
    assert len(kept) == 30


def test_trunk_failures_are_invisible_to_the_third_party_rule(session: Session) -> None:
    debtor = factories.debtor(session)
    own = factories.contact(session, debtor)
    family = factories.contact(session, debtor, relation=factories.Relation.FAMILY)
    session.commit()
    for k in range(4):
        assert _dial(session, own, AT + timedelta(minutes=k), CallOutcome.TRUNK_FAILED)
    # CN.THIRD_PARTY: family only after 3+ failed attempts to the debtor; ours are not attempts.
    assert compliance.reserve(session, family, AT + timedelta(minutes=10)).rule == "CN.THIRD_PARTY"
    session.rollback()
    for k in range(3):
        assert _dial(session, own, AT + timedelta(minutes=20 + k), CallOutcome.NO_ANSWER)
    for k in range(2):  # ...nor do they break a run of real failures
        assert _dial(session, own, AT + timedelta(minutes=30 + k), CallOutcome.TRUNK_FAILED)
    assert compliance.reserve(session, family, AT + timedelta(minutes=40)).allowed
