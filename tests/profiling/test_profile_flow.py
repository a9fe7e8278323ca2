"""Profiles through the real paths: simulated days refresh them, the worker decides by them and
records the versions it read, the screen pop explains them, the command prints them."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from huikuan.desk import service as desk
from huikuan.dialer.campaigns import CampaignCreate, create_campaign
from huikuan.dialer.simulate import VirtualDay, run_virtual_day
from huikuan.outcomes.models import CallAttempt, Turn
from huikuan.portfolio.models import Account
from huikuan.profiling import service
from huikuan.profiling.models import AccountProfile, ProfilingModel, TreatmentDecision
from huikuan.security.users import get_user
from huikuan.sim.models import SimPersona
from huikuan.strategy import treatment_for
from tests import factories
from tests.conftest import TestDatabase
from tests.desk.helpers import PASSWORD, T0, desk_user, robot_call
from tests.invoke import huikuan

SH = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 3, 10)


def _run_days(db: TestDatabase, days: int, accounts: int = 50) -> None:
    with db.session() as s:
        batch = factories.portfolio(s, accounts=accounts, seed=11, as_of=DAY)
        factories.approved_scripts(s)
        s.commit()
        batch_id = batch.id
    for n in range(days):
        day = DAY + timedelta(days=n)
        with db.session() as s:
            campaign_id = create_campaign(
                s,
                CampaignCreate(
                    name=f"d{n}",
                    batch_id=batch_id,
                    robots=4,
                    ends_at=datetime.combine(day, clock_time(21), tzinfo=SH),
                ),
                now=datetime.combine(day, clock_time(7), tzinfo=SH),
            ).id
            s.commit()
        # A short morning: enough calls to profile by, a fraction of a full day's time.
        run_virtual_day(db.engine, VirtualDay(campaign_id, day, lines=4, seed=5 + n, end=clock_time(13)))


@pytest.mark.slow
def test_simulated_days_profile_every_account_and_decide_by_the_profile(db: TestDatabase) -> None:
    _run_days(db, 2)
    with db.session() as s:
        profiles = list(s.scalars(select(AccountProfile)))
        accounts = {a.id: a for a in s.scalars(select(Account))}
        assert {p.account_id for p in profiles} == set(accounts)
        for p in profiles:  # every verdict explains itself in both languages
            assert p.feature_version == "f1"
            assert p.explanation_zh
            assert p.explanation_en
            assert ("客群为" in p.explanation_zh) == (p.segment not in ("unknown",))
        truth = dict(s.execute(select(SimPersona.debtor_id, SimPersona.persona)).all())
        # The clearest forgetful debtors (promised on a call) are read as forgetful, never as unwilling.
        forgetful = [p for p in profiles if truth[p.debtor_id] == "forgetful"]
        assert any(p.segment == "forgetful" for p in forgetful)
        assert not any(p.segment == "unwilling" for p in forgetful)

        day2 = datetime.combine(DAY + timedelta(days=1), clock_time(0), tzinfo=SH)
        decisions = list(s.scalars(select(TreatmentDecision).where(TreatmentDecision.decided_at >= day2)))
        attempts = s.scalars(select(CallAttempt.id).where(CallAttempt.started_at >= day2)).all()
        assert decisions
        assert {d.attempt_id for d in decisions} == set(attempts)
        models = set(s.scalars(select(ProfilingModel.version)))
        for d in decisions:  # day 2 read day 1's profiles: segment and versions recorded
            assert d.feature_version == "f1"
            assert d.segment is not None
            assert d.propensity_version is None or d.propensity_version in models
            strategy_segment = None if d.segment in ("unknown", "new") else d.segment
            assert d.treatment == treatment_for(d.bucket, strategy_segment).value
            assert d.strategy_version_id is None  # nothing approved: the shipped strategy decided
            assert d.strategy_reason is not None
            assert d.strategy_reason.startswith("rule ")
        # Segments now choose treatments the bucket alone never did.
        assert {d.treatment for d in decisions} & {
            "hardship_installment",
            "dispute_intake",
            "unwilling_notice",
        }


def test_the_screen_pop_shows_the_profile_segment_and_why(session: Session) -> None:
    desk_user(session, "agent-prof")
    view, _token = desk.log_in(session, "agent-prof", PASSWORD, T0 - timedelta(hours=1))
    call = robot_call(session, bucket="M2")
    session.add_all(
        [
            Turn(
                attempt_id=call.attempt_id, seq=3, speaker="debtor", text="我失业了", intent="hardship", at=T0
            ),
            Turn(
                attempt_id=call.attempt_id,
                seq=4,
                speaker="debtor",
                text="能分期吗",
                intent="request_installment",
                at=T0,
            ),
        ]
    )
    session.flush()
    service.refresh(session, T0 + timedelta(hours=1))
    transfer = desk.request_transfer(session, attempt_id=call.attempt_id, reason="asked_for_person", at=T0)
    pop = desk.screen_pop(
        session, transfer.id, get_user(session, desk.agent_view(session, view.agent_id).user_id)
    )
    assert pop.segment.segment == "hardship"
    assert pop.segment.profiled_segment == "hardship"
    assert pop.segment.treatment == "hardship_installment"
    assert "经济困难" in pop.segment.explanation_zh
    assert "提到经济困难 1 次" in pop.segment.explanation_zh
    assert "in hardship" in pop.segment.explanation_en
    assert "asked for installments 1 time(s)" in pop.segment.explanation_en
    assert "尚未上线" not in pop.segment.explanation_zh


def test_profile_commands_refresh_show_and_refuse_unknown_accounts(db: TestDatabase) -> None:
    with db.session() as s:
        batch = factories.creditor_and_batch(s)
        account = factories.account(s, factories.debtor(s), batch, as_of=DAY)
        s.commit()
        account_id = account.id
    ran = huikuan(["profile", "refresh", "--at", "2026-03-11T00:00:00+08:00"], env=db.env())
    assert ran.returncode == 0, ran.stderr
    assert "1 accounts" in ran.stdout
    assert "new 1" in ran.stdout
    shown = json.loads(huikuan(["profile", "show", str(account_id)], env=db.env()).stdout)
    assert shown["segment"] == "new"
    assert shown["explanation_en"].startswith("the debtor is new")
    missing = huikuan(["profile", "show", str(account_id + 99)], env=db.env())
    assert missing.returncode == 2
    assert missing.stderr.count("\n") == 1
    assert "no profile yet" in missing.stderr
    bad = huikuan(["profile", "refresh", "--at", "yesterday"], env=db.env())
    assert bad.returncode == 2
    assert "ISO 8601" in bad.stderr
    assert "Traceback" not in bad.stderr
