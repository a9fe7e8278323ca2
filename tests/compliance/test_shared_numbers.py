"""A phone shared by two debtors (a couple's landline, one debtor's emergency contact who is
another debtor) keeps its per-number cap and its "never again" across both files."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from huikuan.compliance import record_outcome, reserve
from huikuan.compliance.models import LedgerEntry
from huikuan.types import CallOutcome, ContactStatus, Relation
from tests import factories
from tests.conftest import TestDatabase

SH = ZoneInfo("Asia/Shanghai")
SHARED = "+8613900000001"


def test_a_number_shared_by_two_debtors_gets_at_most_six_dials_a_day(db: TestDatabase) -> None:
    with db.session() as s:
        a, b = factories.debtor(s), factories.debtor(s)
        ca = factories.contact(s, a, relation=Relation.SELF, number=SHARED)
        cb = factories.contact(s, b, relation=Relation.SELF, number=SHARED)
        s.commit()
        rules = []
        for minute in range(8):
            for c in (ca, cb):
                d = reserve(s, c, datetime(2026, 3, 10, 9, minute, tzinfo=SH))
                rules.append(d.rule)
                if d.ledger_entry_id is not None:
                    record_outcome(s, d.ledger_entry_id, CallOutcome.NO_ANSWER, False)
                s.commit()
        n = s.scalar(
            select(func.count()).select_from(LedgerEntry).where(LedgerEntry.number_key == ca.number_key)
        )
    assert n == 6
    assert rules.count("CN.DIALS_PER_NUMBER") == 10


def test_someone_who_refused_for_one_debtor_is_not_called_for_another(db: TestDatabase) -> None:
    with db.session() as s:
        a, b = factories.debtor(s), factories.debtor(s)
        own_a = factories.contact(s, a, status=ContactStatus.INVALID)
        own_b = factories.contact(s, b, status=ContactStatus.INVALID)
        mum_a = factories.contact(s, a, relation=Relation.FAMILY, number=SHARED)
        mum_b = factories.contact(s, b, relation=Relation.FAMILY, number=SHARED)
        s.commit()
        assert own_a.id != own_b.id
        first = reserve(s, mum_a, datetime(2026, 3, 10, 9, tzinfo=SH))
        assert first.allowed
        assert first.ledger_entry_id is not None
        record_outcome(s, first.ledger_entry_id, CallOutcome.ANSWERED, True, refused_further_contact=True)
        s.commit()
        later = reserve(s, mum_b, datetime(2026, 3, 12, 9, tzinfo=SH))
        assert later.rule == "CN.THIRD_PARTY"
