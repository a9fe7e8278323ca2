"""CN rule pack v1: pure rules at their boundaries, and `reserve` against a real database."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from huikuan import compliance
from huikuan.compliance.models import Decision as DecisionRow
from huikuan.compliance.models import LedgerEntry
from huikuan.compliance.rules import CN_PACK
from huikuan.compliance.schemas import (
    ContactInfo,
    DebtorInfo,
    Flags,
    HistoryEntry,
    Proposal,
    RuleInput,
    StopKind,
)
from huikuan.portfolio.models import Contact
from huikuan.types import CallOutcome, ContactStatus, Relation
from tests import factories

SH = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 3, 10)


def sh(h: int, m: int = 0, s: int = 0, day: date = DAY) -> datetime:
    return datetime(day.year, day.month, day.day, h, m, s, tzinfo=SH)


NO_FLAGS = Flags()
SELF = ContactInfo(id=1, debtor_id=9, relation=Relation.SELF, status=ContactStatus.VALID, number_key="k1")
SELF2 = ContactInfo(id=2, debtor_id=9, relation=Relation.SELF, status=ContactStatus.VALID, number_key="k2")
FAMILY = ContactInfo(id=3, debtor_id=9, relation=Relation.FAMILY, status=ContactStatus.VALID, number_key="k3")
BOSS = ContactInfo(id=4, debtor_id=9, relation=Relation.EMPLOYER, status=ContactStatus.VALID, number_key="k4")


def inp(
    contact: ContactInfo,
    at: datetime,
    history: tuple[HistoryEntry, ...] = (),
    flags: Flags = NO_FLAGS,
    contacts: tuple[ContactInfo, ...] = (SELF, SELF2, FAMILY, BOSS),
    tz: str = "Asia/Shanghai",
) -> RuleInput:
    return RuleInput(
        debtor=DebtorInfo(id=9, jurisdiction="CN", timezone=tz, contacts=contacts),
        history=history,
        flags=flags,
        proposal=Proposal(contact=contact, at=at),
    )


def entry(
    contact: ContactInfo, at: datetime, outcome: CallOutcome | None, conversation: bool = False
) -> HistoryEntry:
    return HistoryEntry(
        contact_id=contact.id,
        number_key=contact.number_key,
        relation=contact.relation,
        at=at,
        outcome=outcome,
        conversation=conversation,
    )


@pytest.mark.parametrize(
    ("at", "allowed"),
    [
        (sh(7, 59, 59), False),
        (sh(8, 0, 0), True),
        (sh(21, 59, 59), True),
        (sh(22, 0, 0), False),
    ],
)
def test_time_window_boundaries_in_shanghai(at: datetime, allowed: bool) -> None:
    decision = CN_PACK.decide(inp(SELF, at.astimezone(UTC)))
    assert decision.allowed is allowed
    if not allowed:
        assert decision.rule == "CN.TIME"
        assert decision.next_allowed_at is not None
        assert decision.next_allowed_at.astimezone(SH).time().hour == 8
        assert decision.reason_zh
        assert decision.reason_en


def test_time_window_is_the_debtors_local_time_not_utc() -> None:
    # 09:00 in Shanghai is 01:00 UTC: allowed; 09:00 UTC is 17:00 in Shanghai, 04:00 in New York.
    assert CN_PACK.decide(inp(SELF, datetime(2026, 3, 10, 1, tzinfo=UTC))).allowed
    late = inp(SELF, datetime(2026, 3, 10, 9, tzinfo=UTC), tz="America/New_York")
    assert CN_PACK.decide(late).rule == "CN.TIME"


def test_fourth_conversation_of_a_local_day_is_denied_across_numbers() -> None:
    history = (
        entry(SELF, sh(9), CallOutcome.ANSWERED, True),
        entry(SELF2, sh(11), CallOutcome.ANSWERED, True),
        entry(SELF, sh(14), CallOutcome.ANSWERED, True),
    )
    decision = CN_PACK.decide(inp(SELF2, sh(15), history))
    assert not decision.allowed
    assert decision.rule == "CN.CONV_PER_DAY"
    # the cap lifts at local midnight, but the window opens only at 08:00
    assert decision.next_allowed_at == sh(8, day=DAY + timedelta(days=1))
    assert CN_PACK.decide(inp(SELF2, sh(15), history[:2])).allowed


def test_conversations_yesterday_do_not_count_today() -> None:
    yesterday = DAY - timedelta(days=1)
    history = tuple(entry(SELF, sh(h, day=yesterday), CallOutcome.ANSWERED, True) for h in (9, 10, 11))
    assert CN_PACK.decide(inp(SELF, sh(9), history)).allowed


def test_seventh_dial_to_a_number_is_denied_whatever_the_outcomes() -> None:
    six = tuple(entry(SELF, sh(8 + i), CallOutcome.NO_ANSWER) for i in range(6))
    decision = CN_PACK.decide(inp(SELF, sh(15), six))
    assert decision.rule == "CN.DIALS_PER_NUMBER"
    assert CN_PACK.decide(inp(SELF, sh(15), six[:5])).allowed
    # the other number is not capped by this one's dials
    assert CN_PACK.decide(inp(SELF2, sh(15), six)).allowed


def test_employer_is_never_contacted_even_when_debtor_unreachable() -> None:
    dead = tuple(
        ContactInfo(c.id, c.debtor_id, c.relation, ContactStatus.INVALID, c.number_key) for c in (SELF, SELF2)
    )
    decision = CN_PACK.decide(inp(BOSS, sh(10), contacts=(*dead, FAMILY, BOSS)))
    assert decision.rule == "CN.EMPLOYER"
    assert decision.next_allowed_at is None


def test_open_stop_denies_every_contact() -> None:
    for kind in StopKind:
        decision = CN_PACK.decide(inp(SELF, sh(10), flags=Flags(open_stops=(kind,))))
        assert decision.rule == "CN.STOP"
        assert decision.next_allowed_at is None


def test_third_party_denied_while_debtor_reachable_allowed_when_all_numbers_invalid() -> None:
    assert CN_PACK.decide(inp(FAMILY, sh(10))).rule == "CN.THIRD_PARTY"
    dead = tuple(
        ContactInfo(c.id, c.debtor_id, c.relation, ContactStatus.INVALID, c.number_key) for c in (SELF, SELF2)
    )
    assert CN_PACK.decide(inp(FAMILY, sh(10), contacts=(*dead, FAMILY))).allowed


def test_third_party_after_three_failed_attempts_until_the_debtor_answers() -> None:
    fails = (
        entry(SELF, sh(8), CallOutcome.NO_ANSWER),
        entry(SELF2, sh(9), CallOutcome.POWERED_OFF),
    )
    assert CN_PACK.decide(inp(FAMILY, sh(12), fails)).rule == "CN.THIRD_PARTY"
    three = (*fails, entry(SELF, sh(10), CallOutcome.BUSY))
    assert CN_PACK.decide(inp(FAMILY, sh(12), three)).allowed
    answered = (*three, entry(SELF, sh(11), CallOutcome.ANSWERED, True))
    assert CN_PACK.decide(inp(FAMILY, sh(12), answered)).rule == "CN.THIRD_PARTY"


def test_third_party_who_refused_is_never_called_again() -> None:
    dead = tuple(
        ContactInfo(c.id, c.debtor_id, c.relation, ContactStatus.INVALID, c.number_key) for c in (SELF, SELF2)
    )
    refused = HistoryEntry(
        contact_id=FAMILY.id,
        number_key=FAMILY.number_key,
        relation=FAMILY.relation,
        at=sh(9, day=DAY - timedelta(days=3)),
        outcome=CallOutcome.ANSWERED,
        conversation=True,
        refused_further_contact=True,
    )
    decision = CN_PACK.decide(inp(FAMILY, sh(10), (refused,), contacts=(*dead, FAMILY)))
    assert decision.rule == "CN.THIRD_PARTY"
    assert "拒绝" in decision.reason_zh


# --- reserve() on a real database -------------------------------------------------------------


def _debtor_with(session: Session) -> tuple[Contact, Contact, Contact]:
    d = factories.debtor(session)
    own = factories.contact(session, d, relation=Relation.SELF)
    own2 = factories.contact(session, d, relation=Relation.SELF)
    family = factories.contact(session, d, relation=Relation.FAMILY)
    session.commit()
    return own, own2, family


def test_reserve_records_ledger_entry_and_decision(session: Session) -> None:
    own, _, _ = _debtor_with(session)
    decision = compliance.reserve(session, own, sh(10))
    assert decision.allowed
    assert decision.ledger_entry_id is not None
    entry_row = session.get(LedgerEntry, decision.ledger_entry_id)
    assert entry_row is not None
    assert entry_row.outcome is None
    assert entry_row.contact_id == own.id
    rows = session.scalars(select(DecisionRow).where(DecisionRow.debtor_id == own.debtor_id)).all()
    assert [(r.allowed, r.ledger_entry_id) for r in rows] == [(True, decision.ledger_entry_id)]
    session.commit()


def test_reserve_counts_from_the_ledger_and_records_denials(session: Session) -> None:
    own, own2, _ = _debtor_with(session)
    for i in range(3):
        d = compliance.reserve(session, own if i % 2 else own2, sh(9 + i))
        assert d.allowed
        assert d.ledger_entry_id is not None
        compliance.record_outcome(session, d.ledger_entry_id, CallOutcome.ANSWERED, conversation=True)
        session.commit()
    denied = compliance.reserve(session, own, sh(13))
    session.commit()
    assert denied.rule == "CN.CONV_PER_DAY"
    assert denied.ledger_entry_id is None
    n_ledger = session.scalar(
        select(func.count()).select_from(LedgerEntry).where(LedgerEntry.debtor_id == own.debtor_id)
    )
    assert n_ledger == 3
    rules = session.scalars(select(DecisionRow.rule).where(DecisionRow.debtor_id == own.debtor_id)).all()
    assert sorted(r or "" for r in rules) == ["", "", "", "CN.CONV_PER_DAY"]


def test_in_progress_reservations_count_against_the_conversation_cap(session: Session) -> None:
    own, own2, _ = _debtor_with(session)
    for i in range(3):
        assert compliance.reserve(session, own2 if i else own, sh(9, i)).allowed
    assert compliance.reserve(session, own, sh(9, 5)).rule == "CN.CONV_PER_DAY"
    session.commit()


def test_invalid_outcomes_open_the_third_party_path(session: Session) -> None:
    own, own2, family = _debtor_with(session)
    assert compliance.reserve(session, family, sh(10)).rule == "CN.THIRD_PARTY"
    for c in (own, own2):
        d = compliance.reserve(session, c, sh(10, 5))
        assert d.ledger_entry_id is not None
        compliance.record_outcome(session, d.ledger_entry_id, CallOutcome.INVALID_NUMBER, conversation=False)
    session.commit()
    session.refresh(own)
    assert own.status == ContactStatus.INVALID
    d = compliance.reserve(session, family, sh(10, 10))
    assert d.allowed
    assert d.ledger_entry_id is not None
    compliance.record_outcome(
        session, d.ledger_entry_id, CallOutcome.ANSWERED, True, refused_further_contact=True
    )
    session.commit()
    assert compliance.reserve(session, family, sh(11)).rule == "CN.THIRD_PARTY"
    session.commit()


def test_open_stop_denies_reserve(session: Session) -> None:
    own, _, _ = _debtor_with(session)
    compliance.open_stop(session, own.debtor_id, StopKind.DISPUTE, sh(9))
    decision = compliance.reserve(session, own, sh(10))
    session.commit()
    assert decision.rule == "CN.STOP"


def test_reserve_bumps_the_lock_sequence_first(session: Session) -> None:
    own, _, _ = _debtor_with(session)
    from huikuan.portfolio.models import Debtor

    before = session.scalar(select(Debtor.contact_seq).where(Debtor.id == own.debtor_id))
    compliance.reserve(session, own, sh(23))  # denied, still locked and recorded
    session.commit()
    after = session.scalar(select(Debtor.contact_seq).where(Debtor.id == own.debtor_id))
    assert after == (before or 0) + 1
