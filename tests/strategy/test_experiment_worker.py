"""The worker decides each call by the account's arm and records the arm with the decision."""

from __future__ import annotations

from datetime import date, datetime
from datetime import time as clock_time
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from huikuan.dialer.campaigns import CampaignCreate, create_campaign
from huikuan.dialer.models import DialTask
from huikuan.dialer.simulate import VirtualDay, run_virtual_day
from huikuan.outcomes.models import CallAttempt
from huikuan.profiling.models import TreatmentDecision
from huikuan.strategy.models import StrategyAssignment
from tests import factories
from tests.conftest import TestDatabase
from tests.strategy.experiment_helpers import running_experiment

SH = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 3, 10)


@pytest.mark.slow
def test_a_virtual_day_calls_each_arm_by_its_strategy_and_never_the_holdout(db: TestDatabase) -> None:
    with db.session() as s:
        batch = factories.portfolio(s, accounts=30, seed=3, as_of=DAY)
        factories.approved_scripts(s)
        run = running_experiment(s, share=0.4, holdout=0.2, seed="worker-test")
        campaign_id = create_campaign(
            s,
            CampaignCreate(
                name="d1",
                batch_id=batch.id,
                robots=3,
                ends_at=datetime.combine(DAY, clock_time(21), tzinfo=SH),
            ),
            now=datetime.combine(DAY, clock_time(7), tzinfo=SH),
        ).id
        s.commit()
    run_virtual_day(db.engine, VirtualDay(campaign_id, DAY, lines=3, seed=5, end=clock_time(10)))
    with db.session() as s:
        arms = dict(
            s.execute(
                select(StrategyAssignment.account_id, StrategyAssignment.arm).where(
                    StrategyAssignment.experiment_id == run.experiment_id
                )
            ).all()
        )
        decisions = s.scalars(select(TreatmentDecision)).all()
        called = set(s.scalars(select(CallAttempt.account_id)))
        done = dict(s.execute(select(DialTask.account_id, DialTask.done_reason)).all())
    assert len(arms) == 30  # every account of the campaign was decided once
    assert set(arms.values()) == {"champion", "challenger", "holdout"}
    holdout = {a for a, arm in arms.items() if arm == "holdout"}
    assert not holdout & called  # no robot call to the holdout
    assert all(done[a] == "holdout" for a in holdout)
    assert decisions
    for d in decisions:
        assert d.experiment_arm == arms[d.account_id]
        if d.experiment_arm == "challenger":
            assert d.strategy_version_id == run.challenger_id
            assert d.treatment in ("friendly_reminder", "human_handoff")  # one script, or escalation
        else:
            assert d.strategy_version_id is None  # the shipped strategy is the champion
    assert {d.experiment_arm for d in decisions} == {"champion", "challenger"}
