"""Agent campaigns in the live worker: a virtual morning with simulated desk agents.

The agents are real desk rows driven on the virtual clock: a transfer that reaches an agent is
accepted at once, ends after `TALK` and is wrapped up after `WRAP`. A spy around the carrier
counts the calls ringing and, at every dial, checks it against the agents' desk state read
independently from the database.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from huikuan.clock import VirtualClock
from huikuan.db import make_sessionmaker
from huikuan.desk import service as desk
from huikuan.desk.models import Agent, Transfer
from huikuan.desk.schemas import AgentState, TransferReason, WrapCode
from huikuan.dialer import campaigns
from huikuan.dialer.agent_pacing import AnswerRoute, CampaignPacer, Turn, abandon_ratio, agent_counts
from huikuan.dialer.models import Campaign
from huikuan.dialer.paced import PacedCall, PacedCarrier
from huikuan.dialer.pacing import PacingMode, lines_to_dial
from huikuan.dialer.worker import Worker, WorkerConfig, WorkerStats
from huikuan.outcomes.models import CallAttempt
from huikuan.portfolio.models import Account, Contact
from huikuan.telephony import SimulatedCarrier, load_directory
from huikuan.types import CallOutcome, Disposition
from tests import factories
from tests.conftest import TestDatabase
from tests.desk.helpers import PASSWORD, desk_user

SH = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 3, 10)
OPENING = datetime.combine(DAY, time(9), tzinfo=SH)
TALK = timedelta(seconds=90)
WRAP = timedelta(seconds=30)
AGENT_TICK = timedelta(seconds=5)


@dataclass
class Spy:
    """Calls ringing now, and what the desk looked like at each dial."""

    db: TestDatabase
    campaign_id: int
    clock: VirtualClock
    worker: Worker | None = None
    ringing: int = 0
    dials: int = 0
    max_ringing: int = 0
    over_free_agents: int = 0  # dials placed with more calls ringing than agents free
    breaches: list[str] = field(default_factory=list)

    def observe_dial(self) -> None:
        self.dials += 1
        self.ringing += 1
        self.max_ringing = max(self.max_ringing, self.ringing)
        with self.db.session() as s:
            free, busy = agent_counts(s, self.campaign_id)
        self.over_free_agents += int(self.ringing > free)
        pacer = self.worker._pacers.get(self.campaign_id) if self.worker else None
        if not isinstance(pacer, CampaignPacer) or pacer.last_input is None:
            return
        # The pacer's slow figures, with the desk and the ringing calls as this spy sees them.
        seen = replace(pacer.last_input, agents_free=free, agents_busy=busy, calls_in_flight=self.ringing - 1)
        if lines_to_dial(pacer.mode, seen, pacer.policy) < 1:
            at = f"{self.clock.now():%H:%M:%S}"
            self.breaches.append(f"{at} ringing={self.ringing} free={free} busy={busy}")


class SpyCarrier:
    def __init__(self, inner: PacedCarrier, spy: Spy) -> None:
        self._inner = inner
        self._spy = spy

    async def dial(self, number: str, caller_id: str, ring_timeout: float = 45.0) -> PacedCall:
        self._spy.observe_dial()
        try:
            return await self._inner.dial(number, caller_id, ring_timeout)
        finally:
            self._spy.ringing -= 1


def _setup(db: TestDatabase, *, mode: str, overflow: bool = True, agents: int = 3, accounts: int = 80) -> int:
    with db.session() as s:
        batch = factories.portfolio(s, accounts=accounts, seed=5, as_of=DAY)
        factories.approved_scripts(s)
        campaign = factories.campaign(s, batch, robots=8)
        campaign.mode = mode
        campaign.robot_overflow = overflow
        for n in range(agents):
            desk_user(s, f"agent{n}")
        s.commit()
        campaigns.start_campaign(s, campaign.id, now=OPENING)
        for n in range(agents):
            desk.log_in(s, f"agent{n}", PASSWORD, OPENING, campaign_id=campaign.id)
        s.commit()
        return campaign.id


async def _agents_at_work(db: TestDatabase, clock: VirtualClock, until: datetime) -> None:
    """Every agent accepts what rings at once, talks `TALK`, wraps up in `WRAP`, takes the next."""
    clock.join()
    try:
        while clock.now() < until:
            now = clock.now()
            with db.session() as s:
                for agent in s.scalars(select(Agent).order_by(Agent.id)).all():
                    transfer = s.scalars(
                        select(Transfer).where(Transfer.agent_id == agent.id, Transfer.wrapped_at.is_(None))
                    ).first()
                    if transfer is None:
                        continue
                    if transfer.status == "assigned":
                        desk.accept(s, agent.id, transfer.id, now)
                    if agent.state == AgentState.ON_CALL and now - agent.state_since >= TALK:
                        desk.end_call(s, agent.id, transfer.id, now)
                    elif agent.state == AgentState.WRAP_UP and now - agent.state_since >= WRAP:
                        desk.wrap_up(s, agent.id, transfer.id, WrapCode.REFUSED, now)
                s.commit()
            await clock.sleep_until(now + AGENT_TICK)
    finally:
        clock.leave()


def _morning(
    db: TestDatabase, campaign_id: int, *, hours: float = 2, lines: int = 8
) -> tuple[WorkerStats, Spy]:
    clock = VirtualClock(OPENING)
    closing = OPENING + timedelta(hours=hours)
    with make_sessionmaker(db.engine)() as s:
        directory = load_directory(s)
    spy = Spy(db, campaign_id, clock)
    carrier = SpyCarrier(PacedCarrier(SimulatedCarrier(directory, clock, seed=5), clock), spy)
    config = WorkerConfig(
        lines=lines,
        campaign_id=campaign_id,
        until=closing,
        idle_poll=timedelta(minutes=5),
        lease=timedelta(minutes=15),
    )
    worker = Worker(db.engine, carrier, clock, config)
    spy.worker = worker

    async def both() -> WorkerStats:
        stats, _ = await asyncio.gather(worker.run(), _agents_at_work(db, clock, closing))
        return stats

    return asyncio.run(both()), spy


def _answered(db: TestDatabase, campaign_id: int) -> list[CallAttempt]:
    with db.session() as s:
        return list(
            s.scalars(
                select(CallAttempt).where(
                    CallAttempt.campaign_id == campaign_id, CallAttempt.outcome == CallOutcome.ANSWERED
                )
            )
        )


def _agent_transfers(db: TestDatabase, campaign_id: int) -> int:
    with db.session() as s:
        return (
            s.scalar(
                select(func.count()).where(
                    Transfer.campaign_id == campaign_id, Transfer.reason == TransferReason.HUMAN_SEGMENT
                )
            )
            or 0
        )


def test_progressive_never_rings_more_calls_than_free_agents(db: TestDatabase) -> None:
    campaign_id = _setup(db, mode=PacingMode.PROGRESSIVE)
    stats, spy = _morning(db, campaign_id)
    assert stats.crashed_calls == 0
    assert spy.dials > 20
    assert spy.over_free_agents == 0
    assert spy.breaches == []
    assert spy.max_ringing <= 3  # three agents
    answered = _answered(db, campaign_id)
    to_agents = [a for a in answered if a.disposition == Disposition.TRANSFERRED and a.talk_seconds == 0]
    assert len(to_agents) == _agent_transfers(db, campaign_id) > 5
    assert all(a.transfer_requested for a in to_agents)
    assert not [a for a in answered if a.disposition == Disposition.ABANDONED]


def test_predictive_dials_ahead_of_agents_and_overflows_to_robots_never_abandoning(db: TestDatabase) -> None:
    campaign_id = _setup(db, mode=PacingMode.PREDICTIVE)
    stats, spy = _morning(db, campaign_id)
    assert stats.crashed_calls == 0
    assert spy.breaches == []
    assert spy.over_free_agents > 0  # predictive dials more lines than agents free
    assert spy.max_ringing <= 6 * 3  # PacingPolicy.max_lines_per_agent × agents
    answered = _answered(db, campaign_id)
    assert not [a for a in answered if a.disposition == Disposition.ABANDONED]
    with db.session() as s:
        assert abandon_ratio(s, campaign_id, OPENING + timedelta(hours=2)) == 0.0
    assert _agent_transfers(db, campaign_id) > 5
    # Answered calls no agent was free for went to robots. How many depends on the order the
    # lines' database work finishes in its threads (a few per morning), so the routing itself is
    # pinned down in `test_an_answer_no_agent_is_free_for_goes_to_a_robot_or_is_abandoned`.
    pacer = spy.worker._pacers[campaign_id] if spy.worker else None
    assert isinstance(pacer, CampaignPacer)
    assert pacer.routed[AnswerRoute.AGENT] == _agent_transfers(db, campaign_id)
    assert pacer.routed[AnswerRoute.ABANDONED] == 0
    assert len(answered) == pacer.routed[AnswerRoute.ROBOT] + pacer.routed[AnswerRoute.AGENT]


def test_without_robot_overflow_the_recorded_abandon_ratio_stays_under_the_cap(db: TestDatabase) -> None:
    campaign_id = _setup(db, mode=PacingMode.PREDICTIVE, overflow=False)
    stats, spy = _morning(db, campaign_id)
    assert stats.crashed_calls == 0
    assert spy.breaches == []
    answered = _answered(db, campaign_id)
    abandoned = [a for a in answered if a.disposition == Disposition.ABANDONED]
    assert len(answered) > 20
    assert all(a.talk_seconds == 0 and not a.transfer_requested for a in abandoned)
    # Without overflow no robot speaks: every answered call went to an agent or was abandoned.
    assert all(a.disposition in (Disposition.TRANSFERRED, Disposition.ABANDONED) for a in answered)
    with db.session() as s:
        ratio = abandon_ratio(s, campaign_id, OPENING + timedelta(hours=2))
        before = abandon_ratio(s, campaign_id, OPENING - timedelta(seconds=1))
    assert ratio == len(abandoned) / len(answered)
    assert ratio <= 0.03
    assert before == 0.0  # nothing was answered before the morning began


def test_robot_campaigns_are_not_paced_nor_routed(db: TestDatabase) -> None:
    campaign_id = _setup(db, mode="robot", agents=1)
    stats, spy = _morning(db, campaign_id, hours=1)
    assert stats.attempts > 20
    assert spy.worker is not None
    assert spy.worker._pacers == {campaign_id: None}
    assert spy.max_ringing > 1  # lines dial regardless of the one agent
    assert _agent_transfers(db, campaign_id) == 0
    assert not [a for a in _answered(db, campaign_id) if a.disposition == Disposition.ABANDONED]


def test_a_pacer_whose_figures_fail_waits_and_never_dials_blind() -> None:
    def broken_sessions() -> Session:
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    campaign = Campaign(id=1, mode=PacingMode.PREDICTIVE, robot_overflow=True)
    pacer = CampaignPacer(broken_sessions, campaign, VirtualClock(OPENING))  # type: ignore[arg-type]  # fails like a lost database
    naps: list[datetime] = []

    async def nap(until: datetime) -> None:
        naps.append(until)

    turn = asyncio.run(pacer.turn(nap, lambda: len(naps) >= 3))
    assert turn is None
    assert pacer.ringing == 0
    assert len(naps) == 3


def _answered_attempt(session: Session, campaign_id: int) -> CallAttempt:
    contact = session.scalars(select(Contact).order_by(Contact.id)).first()
    assert contact is not None
    account = session.scalars(select(Account).where(Account.debtor_id == contact.debtor_id)).first()
    assert account is not None
    attempt = CallAttempt(
        campaign_id=campaign_id,
        account_id=account.id,
        debtor_id=contact.debtor_id,
        contact_id=contact.id,
        started_at=OPENING,
        outcome=CallOutcome.ANSWERED,
    )
    session.add(attempt)
    session.flush()
    return attempt


@pytest.mark.parametrize(
    ("overflow", "expected"), [(True, AnswerRoute.ROBOT), (False, AnswerRoute.ABANDONED)]
)
def test_an_answer_no_agent_is_free_for_goes_to_a_robot_or_is_abandoned(
    db: TestDatabase, overflow: bool, expected: AnswerRoute
) -> None:
    campaign_id = _setup(db, mode=PacingMode.PREDICTIVE, overflow=overflow, agents=1, accounts=4)
    sessions = make_sessionmaker(db.engine)
    with sessions() as s:
        campaign = s.get(Campaign, campaign_id)
        assert campaign is not None
        pacer = CampaignPacer(sessions, campaign, VirtualClock(OPENING))
        attempt = _answered_attempt(s, campaign_id)
        s.commit()
        pacer.ringing = 2
        # The one agent is free: the first answer is the agent's, the second finds nobody.
        assert pacer.route(s, Turn(pacer), attempt.id, OPENING) == AnswerRoute.AGENT
        s.commit()
        agent = s.scalars(select(Agent).where(Agent.campaign_id == campaign_id)).one()
        s.refresh(agent)
        assert agent.state != AgentState.AVAILABLE
        assert pacer.route(s, Turn(pacer), attempt.id, OPENING) == expected
        assert pacer.routed == {
            AnswerRoute.AGENT: 1,
            AnswerRoute.ROBOT: int(overflow),
            AnswerRoute.ABANDONED: int(not overflow),
        }
        assert pacer.ringing == 0
