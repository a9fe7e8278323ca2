"""The dashboard's figures on a small known history, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta

from huikuan.analytics.dashboard import dashboard, floor_day, hour_bounds, rule_titles
from huikuan.compliance import StopKind, open_stop
from huikuan.outcomes import service as outcomes
from huikuan.portfolio.models import Account, Payment
from tests.conftest import TestDatabase
from tests.outcomes.seed import T0, seed_history

DAY = date(2026, 3, 2)
ZONE = "Asia/Shanghai"


def test_the_day_in_figures(db: TestDatabase) -> None:
    with db.session() as s:
        seeded = seed_history(s)
        s.commit()
        d = dashboard(s, DAY, ZONE, robots_live=3)
        assert (d.attempts, d.connects, d.right_party_contacts, d.promises) == (4, 2, 2, 1)
        assert d.robots_live == 3
        assert d.calls_live == 0
        # 09:00, 11:00, 13:00 and 14:00 in Beijing (01:00 UTC onwards).
        assert [h for h, n in enumerate(d.attempts_by_hour) if n] == [9, 11, 13, 14]
        assert sum(d.attempts_by_hour) == 4
        assert (d.connect_rate, d.rpc_rate, d.ptp_rate) == (0.5, 0.5, 0.5)
        assert d.amount_promised == 120_050
        assert (d.payments, d.amount_collected, d.amount_kept) == (0, 0, 0)
        assert [(r.rule, r.count) for r in d.denials] == [("CN.TIME", 2), ("CN.CONV_PER_DAY", 1)]
        assert d.denials[0].title_zh == "联系时段"
        assert d.denials[0].title_en == "Contact window"
        m1 = next(b for b in d.recovery_by_bucket if b.bucket == "M1")
        assert (m1.accounts, m1.overdue, m1.collected) == (1, 120_050, 0)
        assert [b.bucket for b in d.recovery_by_bucket] == ["M0", "M1", "M2", "M3", "M4", "M5", "M6", "M6+"]
        # One campaign only: its three attempts; denials stay the floor's (they are per debtor).
        one = dashboard(s, DAY, ZONE, campaign_id=seeded.other_campaign_id)
        assert (one.attempts, one.connects, one.promises) == (1, 0, 0)
        assert one.denied_total == 3
        # The next day is empty.
        assert dashboard(s, DAY + timedelta(days=1), ZONE).attempts == 0


def test_payments_stops_and_calls_in_progress_move_the_figures(db: TestDatabase) -> None:
    with db.session() as s:
        seeded = seed_history(s)
        account = s.query(Account).one()
        s.add(Payment(account_id=account.id, amount=60_025, paid_at=T0 + timedelta(hours=6)))
        open_stop(s, seeded.debtor_id, StopKind.COMPLAINT, T0 + timedelta(hours=7))
        outcomes.start_attempt(
            s,
            account_id=account.id,
            debtor_id=seeded.debtor_id,
            contact_id=account.debtor.contacts[0].id,
            started_at=T0 + timedelta(hours=8),
            campaign_id=seeded.campaign_id,
        )
        s.commit()
        d = dashboard(s, DAY, ZONE)
    assert (d.payments, d.amount_collected) == (1, 60_025)
    m1 = next(b for b in d.recovery_by_bucket if b.bucket == "M1")
    assert (m1.collected, m1.rate) == (60_025, 0.5)
    assert (d.complaints_opened, d.complaints_open) == (1, 1)
    assert d.calls_live == 1
    assert d.attempts == 5
    assert d.attempts_by_hour[17] == 1  # 09:00 UTC is 17:00 in Beijing


def test_the_floor_day_and_its_hours_are_local() -> None:
    assert floor_day(T0 - timedelta(hours=2), ZONE) == DAY  # 23:00 UTC the day before is 07:00 here
    bounds = hour_bounds(DAY, ZONE)
    assert len(bounds) == 25
    assert bounds[0].utcoffset() == timedelta(hours=8)
    assert bounds[-1] - bounds[0] == timedelta(days=1)


def test_a_rule_no_pack_knows_keeps_its_id() -> None:
    assert rule_titles("CN.STOP") == (
        "投诉、争议、停止联系请求",
        "Complaints, disputes and cease requests stop contact",
    )
    assert rule_titles("XX.UNKNOWN") == ("XX.UNKNOWN", "XX.UNKNOWN")
