"""The worker's desk hooks: a debtor who asks for a person is queued on the desk and pops an agent."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select

from huikuan.db import make_sessionmaker
from huikuan.desk import service as desk
from huikuan.desk.models import Transfer
from huikuan.dialer.handoff import agent_free, queue_transfer, transfer_reason
from huikuan.dialer.simulate import VirtualDay, run_virtual_day
from huikuan.flows import CallResult
from huikuan.outcomes.models import CallAttempt
from huikuan.types import CallOutcome, Disposition
from tests import factories
from tests.conftest import TestDatabase
from tests.desk.helpers import PASSWORD, desk_user

SH = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 3, 10)


def test_robot_hand_offs_reach_the_desk_and_pop_the_agent(db: TestDatabase) -> None:
    with db.session() as s:
        batch = factories.portfolio(s, accounts=60, seed=21, as_of=DAY)
        factories.approved_scripts(s)
        campaign = factories.campaign(s, batch, robots=2)
        desk_user(s, "agent1")
        s.commit()
        campaign_id = campaign.id
    sessions = make_sessionmaker(db.engine)
    available = agent_free(sessions, campaign_id)
    assert available() is False  # nobody logged in yet
    with db.session() as s:
        agent, _token = desk.log_in(s, "agent1", PASSWORD, datetime.combine(DAY, time(8), tzinfo=SH))
        s.commit()
    assert available() is True

    run_virtual_day(
        db.engine,
        VirtualDay(campaign_id, DAY, lines=2, seed=21),
        on_transfer=queue_transfer,
        agent_available=available,
    )

    with db.session() as s:
        requested = set(s.scalars(select(CallAttempt.id).where(CallAttempt.transfer_requested.is_(True))))
        transfers = s.scalars(select(Transfer).order_by(Transfer.id)).all()
        pop = desk.pending_pop(s, agent.agent_id)
    assert requested, "no debtor asked for a person in 60 accounts"
    assert {t.attempt_id for t in transfers} == requested  # each hand-off queued once
    assert all(t.campaign_id == campaign_id for t in transfers)
    assert transfers[0].agent_id == agent.agent_id  # the only agent, idle: the first one is hers
    assert pop is not None  # her screen has the first debtor waiting


def test_a_plan_beyond_the_robot_goes_to_a_person_as_needing_approval() -> None:
    allowed = CallResult(decision=None, outcome=CallOutcome.ANSWERED)  # type: ignore[arg-type]
    assert transfer_reason(allowed).value == "asked_for_person"
    plan = CallResult(decision=None, outcome=CallOutcome.ANSWERED, disposition=Disposition.HARDSHIP)  # type: ignore[arg-type]
    assert transfer_reason(plan).value == "plan_needs_approval"
