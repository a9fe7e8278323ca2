"""A virtual day through the production worker loop: leases, retry rules, caps, one record per dial."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from huikuan.clock import VirtualClock
from huikuan.compliance.models import LedgerEntry
from huikuan.dialer import campaigns
from huikuan.dialer.models import Campaign, DialTask
from huikuan.dialer.models import Worker as WorkerRow
from huikuan.dialer.paced import PacedCarrier
from huikuan.dialer.simulate import VirtualDay, run_virtual_day
from huikuan.dialer.worker import Worker, WorkerConfig
from huikuan.flows import CallResult
from huikuan.outcomes.models import CallAttempt
from huikuan.portfolio.models import Contact
from huikuan.telephony import SimulatedCarrier, load_directory
from huikuan.telephony.carrier import Call
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
        worker = s.scalars(select(WorkerRow)).one()
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


def test_the_treatment_picks_the_script_and_third_parties_hear_only_theirs(db: TestDatabase) -> None:
    from huikuan.dialogue.models import Script, ScriptVersion
    from huikuan.portfolio.models import Account
    from huikuan.strategy import script_for, treatment_for

    campaign_id = _setup(db, accounts=80, seed=5, robots=2)
    run_virtual_day(db.engine, VirtualDay(campaign_id, DAY, lines=2, seed=5))
    with db.session() as s:
        rows = s.execute(
            select(CallAttempt.contact_id, Account.bucket, Script.code)
            .join(Account, Account.id == CallAttempt.account_id)
            .join(ScriptVersion, ScriptVersion.id == CallAttempt.script_version_id)
            .join(Script, Script.id == ScriptVersion.script_id)
        ).all()
        relation = {c.id: Relation(c.relation) for c in s.scalars(select(Contact))}
    assert rows
    for contact_id, bucket, code in rows:
        third_party = relation[contact_id] != Relation.SELF
        assert code == f"{script_for(treatment_for(bucket), third_party=third_party)}.zh-CN"
    assert len({code for _, _, code in rows}) >= 2


def test_third_parties_are_dialled_only_after_three_own_failures_or_with_no_own_number(
    db: TestDatabase,
) -> None:
    campaign_id = _setup(db, accounts=80, seed=9, robots=3)
    run_virtual_day(db.engine, VirtualDay(campaign_id, DAY, lines=3, seed=9))
    with db.session() as s:
        attempts = s.scalars(select(CallAttempt).order_by(CallAttempt.started_at)).all()
        contacts = {c.id: c for c in s.scalars(select(Contact))}
    own_history: dict[int, list[CallAttempt]] = {}
    third_party_calls = 0
    for a in attempts:
        own = own_history.setdefault(a.debtor_id, [])
        if contacts[a.contact_id].relation == Relation.SELF:
            own.append(a)
            continue
        third_party_calls += 1
        own_numbers = [c for c in contacts.values() if c.debtor_id == a.debtor_id and c.relation == "self"]
        no_own_left = all(c.status == "invalid" for c in own_numbers)
        three_failed = len(own) >= 3 and all(h.outcome != "answered" for h in own[-3:])
        assert no_own_left or three_failed
    assert third_party_calls > 0  # the rule was exercised


def test_the_desk_hooks_see_every_transfer_and_are_asked_at_each_answer(db: TestDatabase) -> None:
    campaign_id = _setup(db, accounts=80, seed=13, robots=2)
    transfers: list[int] = []
    asked: list[bool] = []

    def on_transfer(_session: object, attempt_id: int, call: CallResult) -> None:
        assert call.attempt_id == attempt_id
        transfers.append(attempt_id)

    def agent_available() -> bool:
        asked.append(True)
        return len(asked) % 2 == 0  # half the time nobody is free: the robot books a callback

    run_virtual_day(
        db.engine,
        VirtualDay(campaign_id, DAY, lines=2, seed=13),
        on_transfer=on_transfer,  # type: ignore[arg-type]  # the hook takes a Session
        agent_available=agent_available,
    )
    with db.session() as s:
        requested = set(s.scalars(select(CallAttempt.id).where(CallAttempt.transfer_requested.is_(True))))
        answered = s.scalar(select(func.count()).where(CallAttempt.outcome == "answered"))
    assert requested
    assert set(transfers) == requested
    assert len(transfers) == len(requested)
    assert len(asked) == answered


class _FlakyCarrier:
    """Every third dial blows up inside the carrier."""

    def __init__(self, inner: PacedCarrier) -> None:
        self.inner = inner
        self.dials = 0

    async def dial(self, number: str, caller_id: str, ring_timeout: float = 45.0) -> Call:
        self.dials += 1
        if self.dials % 3 == 0:
            raise RuntimeError("trunk went away")
        return await self.inner.dial(number, caller_id, ring_timeout)


def test_a_crashing_call_is_recorded_as_failed_and_the_worker_goes_on(db: TestDatabase) -> None:
    campaign_id = _setup(db, accounts=30, seed=8, robots=2)
    opening = datetime.combine(DAY, time(8), tzinfo=SH)
    clock = VirtualClock(opening)
    with db.session() as s:
        campaigns.start_campaign(s, campaign_id, now=opening)
        directory = load_directory(s)
        s.commit()
    carrier = _FlakyCarrier(PacedCarrier(SimulatedCarrier(directory, clock, seed=8), clock))
    config = WorkerConfig(lines=2, campaign_id=campaign_id, until=opening + timedelta(hours=4))
    stats = asyncio.run(Worker(db.engine, carrier, clock, config).run())
    with db.session() as s:
        statuses = Counter(s.scalars(select(CallAttempt.status)))
        entries = s.scalars(select(LedgerEntry)).all()
    assert carrier.dials > 9
    assert statuses["failed"] == carrier.dials // 3
    assert statuses["completed"] > 0
    assert statuses["reserved"] == 0
    assert all(e.outcome is not None for e in entries)
    assert stats.attempts == sum(statuses.values())
