"""Compliance data for the console's tests: decisions (allowed and denied), open stops, users."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from huikuan import compliance
from huikuan.compliance.schemas import StopKind
from huikuan.dialer.models import DialTask
from tests import factories

SH = ZoneInfo("Asia/Shanghai")
AT = datetime(2026, 3, 10, 10, tzinfo=SH)


@dataclass(frozen=True)
class Seeded:
    stopped_debtor: int
    stopped_contact: int
    stop_id: int
    free_debtor: int
    campaign_id: int


def seed_compliance(s: Session) -> Seeded:
    """Debtor A has an open complaint (a denied decision); debtor B is in a campaign and was
    called once (allowed) then once too early (denied by CN.TIME)."""
    batch = factories.creditor_and_batch(s)
    a = factories.debtor(s)
    a_own = factories.contact(s, a)
    b = factories.debtor(s, name="李四")
    b_own = factories.contact(s, b)
    account = factories.account(s, b, batch, as_of=date(2026, 3, 1))
    campaign = factories.campaign(s, batch)
    s.add(DialTask(campaign_id=campaign.id, debtor_id=b.id, account_id=account.id, due_at=AT))
    stop_id = compliance.open_stop(s, a.id, StopKind.COMPLAINT, AT - timedelta(hours=30))
    assert compliance.reserve(s, a_own, AT).rule == "CN.STOP"
    assert compliance.reserve(s, b_own, AT).allowed
    assert compliance.reserve(s, b_own, AT.replace(hour=6)).rule == "CN.TIME"
    s.flush()
    return Seeded(a.id, a_own.id, stop_id, b.id, campaign.id)
