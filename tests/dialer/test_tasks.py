"""The durable queue: leases, the robots cap, heartbeats, fencing, reclaiming a dead worker's call."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from huikuan import compliance
from huikuan.compliance.models import LedgerEntry
from huikuan.dialer import campaigns, tasks
from huikuan.dialer.models import DialTask, Worker
from huikuan.dialer.retry import Next
from huikuan.dialer.simulate import VirtualDay, run_virtual_day
from huikuan.outcomes import service as outcomes
from huikuan.outcomes.models import CallAttempt
from huikuan.portfolio.models import Contact
from huikuan.security.models import AuditEvent
from huikuan.types import Channel, Relation
from tests import factories
from tests.conftest import TestDatabase

SH = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 3, 10)
T = datetime(2026, 3, 10, 10, 0, tzinfo=SH)
TTL = timedelta(seconds=60)


def _running_campaign(db: TestDatabase, *, accounts: int, robots: int) -> int:
    with db.session() as s:
        batch = factories.portfolio(s, accounts=accounts, seed=4, as_of=DAY)
        campaign = factories.campaign(s, batch, robots=robots)
        campaigns.start_campaign(s, campaign.id, now=T)
        tasks.register_worker(s, "w1", host="h", pid=1, lines=2, now=T)
        tasks.register_worker(s, "w2", host="h", pid=2, lines=2, now=T)
        s.commit()
        return campaign.id


def test_a_task_is_leased_by_one_worker_and_robots_cap_the_campaign(db: TestDatabase) -> None:
    campaign_id = _running_campaign(db, accounts=6, robots=2)
    with db.session() as s:
        first = tasks.lease_due(s, "w1", T, ttl=TTL, limit=5)
        s.commit()
        second = tasks.lease_due(s, "w2", T, ttl=TTL, limit=5)
        s.commit()
        assert len(first) == 2  # the campaign's robots
        assert second == []
        tasks.complete(s, first[0], Next(T + timedelta(hours=1)), memory={}, denials={}, attempts=1)
        s.commit()
        third = tasks.lease_due(s, "w2", T, ttl=TTL, limit=5)
        s.commit()
    assert len(third) == 1
    assert third[0].task_id not in {lease.task_id for lease in first}  # the completed one is not due
    assert campaign_id == third[0].campaign_id


def test_heartbeat_keeps_leases_alive_and_reclaim_takes_expired_ones(db: TestDatabase) -> None:
    _running_campaign(db, accounts=4, robots=4)
    with db.session() as s:
        (mine,) = tasks.lease_due(s, "w1", T, ttl=TTL)
        (theirs,) = tasks.lease_due(s, "w2", T, ttl=TTL)
        s.commit()
        assert tasks.heartbeat(s, "w1", T + timedelta(seconds=50), ttl=TTL) == 1
        s.commit()
        assert tasks.reclaim_expired(s, T + timedelta(seconds=70)) == 1  # only w2's expired
        s.commit()
        states = {t.id: (t.state, t.lease_owner) for t in s.scalars(select(DialTask))}
        assert s.get(Worker, "w2") is not None
        assert s.get(Worker, "w2").status == "lost"  # type: ignore[union-attr]
    assert states[mine.task_id] == ("leased", "w1")
    assert states[theirs.task_id] == ("queued", None)


def test_a_reclaimed_lease_is_fenced_out(db: TestDatabase) -> None:
    _running_campaign(db, accounts=1, robots=2)
    with db.session() as s:
        (old,) = tasks.lease_due(s, "w1", T, ttl=TTL)
        s.commit()
        tasks.reclaim_expired(s, T + timedelta(minutes=5))
        s.commit()
        (new,) = tasks.lease_due(s, "w2", T + timedelta(minutes=5), ttl=TTL)
        s.commit()
        assert new.task_id == old.task_id
        assert new.token == old.token + 1
        with pytest.raises(tasks.LeaseLost):
            tasks.complete(s, old, Next(done_reason="paid"), memory={}, denials={}, attempts=1)
        s.rollback()
        with pytest.raises(tasks.LeaseLost):
            tasks.mark_in_flight(s, old, 1, 1)
        s.rollback()
        tasks.complete(s, new, Next(done_reason="paid"), memory={}, denials={}, attempts=1)
        s.commit()
        assert s.get(DialTask, new.task_id).state == "done"  # type: ignore[union-attr]


def test_reclaim_closes_a_dead_workers_call_as_failed_and_keeps_it(db: TestDatabase) -> None:
    _running_campaign(db, accounts=2, robots=2)
    with db.session() as s:
        (lease,) = tasks.lease_due(s, "w1", T, ttl=TTL)
        contact = s.scalars(
            select(Contact).where(Contact.debtor_id == lease.debtor_id, Contact.relation == Relation.SELF)
        ).first()
        assert contact is not None
        decision = compliance.reserve(s, contact, T, Channel.VOICE, artificial_voice=True)
        assert decision.allowed
        assert decision.ledger_entry_id is not None
        attempt_id = outcomes.start_attempt(
            s, account_id=lease.account_id, debtor_id=lease.debtor_id, contact_id=contact.id, started_at=T
        )
        tasks.mark_in_flight(s, lease, attempt_id, decision.ledger_entry_id)
        s.commit()  # the checkpoint before the dial; then the worker dies
        assert tasks.reclaim_expired(s, T + timedelta(minutes=2)) == 1
        s.commit()
        attempt = s.get(CallAttempt, attempt_id)
        entry = s.get(LedgerEntry, decision.ledger_entry_id)
        task = s.get(DialTask, lease.task_id)
        events = s.scalars(select(AuditEvent).where(AuditEvent.action == "attempt.closed_lost")).all()
    assert attempt is not None
    assert entry is not None
    assert task is not None
    assert (attempt.status, attempt.outcome) == ("failed", "failed")
    assert (entry.outcome, entry.attempt_id) == ("failed", attempt_id)
    assert entry.conversation  # counted: someone may have talked
    assert (task.state, task.attempt_id) == ("queued", None)
    assert len(events) == 1


def test_invalid_numbers_are_never_dialled_again_even_after_a_worker_restart(db: TestDatabase) -> None:
    with db.session() as s:
        batch = factories.portfolio(s, accounts=50, seed=21, as_of=DAY)
        factories.approved_scripts(s)
        campaign = factories.campaign(s, batch, robots=3)
        s.commit()
        campaign_id = campaign.id
    first = run_virtual_day(db.engine, VirtualDay(campaign_id, DAY, lines=3, seed=21, end=time(12)))
    second = run_virtual_day(db.engine, VirtualDay(campaign_id, DAY, lines=3, seed=22, start=time(12)))
    assert first.attempts > 0
    assert second.attempts > 0
    with db.session() as s:
        attempts = s.scalars(select(CallAttempt).order_by(CallAttempt.started_at)).all()
        status = {c.id: c.status for c in s.scalars(select(Contact))}
        workers = s.scalars(select(Worker)).all()
    assert len(workers) == 2
    invalid_at = {a.contact_id: a.started_at for a in attempts if a.outcome == "invalid_number"}
    assert invalid_at, "the portfolio has invalid numbers to test with"
    for contact_id, first_seen in invalid_at.items():
        assert status[contact_id] == "invalid"  # persisted in the portfolio
        later = [a for a in attempts if a.contact_id == contact_id and a.started_at > first_seen]
        assert later == []
