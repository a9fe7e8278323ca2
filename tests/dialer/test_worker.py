"""A virtual day through the production worker loop: leases, retry rules, caps, one record per dial."""

from __future__ import annotations

from collections import Counter
from datetime import date, time
from itertools import pairwise
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from huikuan.compliance.models import LedgerEntry
from huikuan.dialer import campaigns
from huikuan.dialer.models import Campaign, DialTask, Worker
from huikuan.dialer.simulate import VirtualDay, run_virtual_day
from huikuan.outcomes.models import CallAttempt
from huikuan.portfolio.models import Contact
from huikuan.types import Relation
from tests import factories
from tests.conftest import TestDatabase

SH = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 3, 10)


def _setup(db: TestDatabase, *, accounts: int, seed: int, robots: int) -> int:
    with db.session() as s:
        batch = factories.portfolio(s, accounts=accounts, seed=seed, as_of=DAY)
        factories.approved_scripts(s)
        campaign = factories.campaign(s, batch, robots=robots)
        s.commit()
        return campaign.id


def test_a_virtual_day_records_every_dial_once_and_breaks_no_cap(db: TestDatabase) -> None:
    campaign_id = _setup(db, accounts=60, seed=11, robots=3)
    stats = run_virtual_day(db.engine, VirtualDay(campaign_id, DAY, lines=3, seed=11))
    assert stats.attempts > 60
    assert all(n > 0 for n in stats.attempts_per_line)
    assert stats.crashed_calls == 0
    with db.session() as s:
        attempts = s.scalars(select(CallAttempt).order_by(CallAttempt.started_at)).all()
        ledger = s.scalars(select(LedgerEntry)).all()
        relation = {c.id: Relation(c.relation) for c in s.scalars(select(Contact))}
        leased = s.scalar(select(func.count()).where(DialTask.state == "leased"))
        worker = s.scalars(select(Worker)).one()
    assert len(attempts) == stats.attempts == len(ledger)
    assert sorted(e.attempt_id for e in ledger) == sorted(a.id for a in attempts)
    assert leased == 0
    assert worker.status == "stopped"
    dials: Counter[tuple[int, date]] = Counter()
    conversations: Counter[int] = Counter()
    for a in attempts:
        assert a.status == "completed"
        local = a.started_at.astimezone(SH)
        assert time(8) <= local.time() < time(22)
        assert relation[a.contact_id] != Relation.EMPLOYER
        dials[(a.contact_id, local.date())] += 1
        conversations[a.debtor_id] += int(a.conversation)
    assert max(dials.values()) <= 6  # CN.DIALS_PER_NUMBER
    assert max(conversations.values()) <= 3  # CN.CONV_PER_DAY
    with db.session() as s:
        p = campaigns.progress(s, campaign_id)
    assert p.attempts == stats.attempts
    assert p.tasks["leased"] == 0
    with db.session() as s:
        debtors = s.scalar(select(func.count(func.distinct(Contact.debtor_id))))
    assert sum(p.tasks.values()) == debtors


def test_lines_of_one_campaign_never_exceed_its_robots(db: TestDatabase) -> None:
    campaign_id = _setup(db, accounts=30, seed=3, robots=1)
    stats = run_virtual_day(db.engine, VirtualDay(campaign_id, DAY, lines=3, seed=3))
    with db.session() as s:
        rows = s.scalars(select(CallAttempt).order_by(CallAttempt.started_at)).all()
        assert s.get(Campaign, campaign_id) is not None
    # One robot: no attempt starts before the previous one ended.
    for before, after in pairwise(rows):
        assert before.ended_at is not None
        assert after.started_at >= before.ended_at
    assert stats.attempts == len(rows)
