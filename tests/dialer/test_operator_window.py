"""A virtual day after the operator tightened the CN pack: the worker's dials stay inside the
operator's window and under the operator's dial cap, even for a campaign created before."""

from __future__ import annotations

from collections import Counter
from datetime import date, time
from zoneinfo import ZoneInfo

from sqlalchemy import select

from huikuan.compliance.models import Decision as DecisionRow
from huikuan.compliance.models import LedgerEntry
from huikuan.dialer.simulate import VirtualDay, run_virtual_day
from huikuan.outcomes.models import CallAttempt
from tests import factories
from tests.conftest import RuleSettings, TestDatabase

SH = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 3, 10)


def test_a_day_under_the_operators_window_and_dial_cap(db: TestDatabase, rule_settings: RuleSettings) -> None:
    rule_settings({})
    with db.session() as s:
        batch = factories.portfolio(s, accounts=30, seed=4, as_of=DAY)
        factories.approved_scripts(s)
        campaign = factories.campaign(s, batch, robots=2)
        s.commit()
        campaign_id = campaign.id
        assert (campaign.window_start, campaign.window_end) == (time(8), time(22))  # the law's, then
    rule_settings(
        {
            "CN": {
                "settings": {
                    "CN.TIME": {"start": "09:00", "end": "20:00"},
                    "CN.DIALS_PER_NUMBER": {"max_dials": 2},
                }
            }
        }
    )
    stats = run_virtual_day(db.engine, VirtualDay(campaign_id, DAY, lines=2, seed=4))
    assert stats.attempts > 0
    with db.session() as s:
        started = [a.started_at.astimezone(SH) for a in s.scalars(select(CallAttempt))]
        ledger = s.scalars(select(LedgerEntry)).all()
        denied = Counter(r.rule for r in s.scalars(select(DecisionRow).where(DecisionRow.allowed.is_(False))))
    assert started
    assert all(time(9) <= at.time() < time(20) for at in started)
    assert denied["CN.TIME"] == 0  # the worker keeps the campaign inside the operator's window at once
    assert denied["CN.DIALS_PER_NUMBER"] > 0  # the operator's cap bound, below the law's 6
    per_number = Counter(e.contact_id for e in ledger)
    assert max(per_number.values()) == 2
