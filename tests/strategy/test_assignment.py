"""Experiment arms: a stable random draw, stored at the first decision, holdout without calls."""

from __future__ import annotations

import math
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from huikuan.errors import Conflict, InvalidInput, PermissionDenied
from huikuan.strategy import experiments, versions
from huikuan.strategy.assignment import Arm, arm_of, draw, strategy_for_account
from huikuan.strategy.document import Case
from huikuan.strategy.models import StrategyAssignment, StrategyExperiment
from tests import factories
from tests.conftest import TestDatabase
from tests.strategy.experiment_helpers import AT, people, running_experiment, submitted_challenger


def test_the_draw_is_stable_and_the_shares_are_within_binomial_bounds() -> None:
    n, challenger, holdout = 20_000, 0.3, 0.1
    assert draw("seed", 4, 17) == draw("seed", 4, 17)
    assert draw("seed", 4, 17) != draw("other", 4, 17)  # a new experiment draws anew
    counts = Counter(arm_of(draw("fixed-seed", 1, account), challenger, holdout) for account in range(n))
    for arm, share in ((Arm.CHALLENGER, challenger), (Arm.HOLDOUT, holdout), (Arm.CHAMPION, 0.6)):
        sd = math.sqrt(n * share * (1 - share))
        assert abs(counts[arm] - n * share) < 4 * sd, (arm, counts[arm])


def _accounts(s: Session, count: int) -> list[int]:
    batch = factories.creditor_and_batch(s)
    return [
        factories.account(s, factories.debtor(s), batch, overdue=100_000, as_of=AT.date()).id
        for _ in range(count)
    ]


def test_the_arm_is_stored_at_the_first_decision_and_survives_a_share_change(db: TestDatabase) -> None:
    with db.session() as s:
        run = running_experiment(s, share=0.4, holdout=0.2)
        accounts = _accounts(s, 40)
        first = {
            a: strategy_for_account(s, a, at=AT, bucket="M1", segment="hardship", owed=100_000)
            for a in accounts
        }
        s.commit()
        row = s.get(StrategyExperiment, run.experiment_id)
        assert row is not None
        row.challenger_share, row.holdout_share = 0.9, 0.0  # a later draw would differ; stored arms do not
        s.commit()
        later = {
            a: strategy_for_account(s, a, at=AT + timedelta(days=3), bucket="M2", segment=None, owed=1)
            for a in accounts
        }
        stored = s.scalars(
            select(StrategyAssignment).where(StrategyAssignment.experiment_id == run.experiment_id)
        ).all()
    assert {a: f.arm for a, f in first.items()} == {a: f.arm for a, f in later.items()}
    assert len(stored) == 40
    assert {r.owed for r in stored} == {100_000}
    assert {r.bucket for r in stored} == {"M1"}
    arms = Counter(f.arm for f in first.values())
    assert arms[Arm.CHAMPION]
    assert arms[Arm.CHALLENGER]
    assert arms[Arm.HOLDOUT]
    for f in first.values():
        if f.arm == Arm.HOLDOUT:
            assert f.strategy is None
            assert f.version_id is None
        elif f.arm == Arm.CHALLENGER:
            assert f.strategy is not None
            assert f.version_id == run.challenger_id
            assert f.strategy.decide(Case("M1", "hardship")).treatment == "friendly_reminder"
        else:
            assert f.strategy is not None
            assert f.version_id is None
            assert f.strategy.decide(Case("M1", "hardship")).treatment == "hardship_installment"


def test_without_a_running_experiment_the_approved_strategy_decides(db: TestDatabase) -> None:
    with db.session() as s:
        run = running_experiment(s, share=0.5, holdout=0.1)
        account = _accounts(s, 1)[0]
        experiments.stop(s, run.experiment_id, by=run.officer, reason="enough data now", at=AT)
        chosen = strategy_for_account(s, account, at=AT, bucket="M1", segment=None, owed=5)
        assert chosen.arm is None
        assert chosen.strategy is not None
        assert chosen.version_id is None
        assert s.scalars(select(StrategyAssignment)).all() == []


def test_two_people_start_an_experiment_and_its_inputs_are_checked(db: TestDatabase) -> None:
    with db.session() as s:
        author, officer = people(s)
        challenger = submitted_challenger(s, author)
        with pytest.raises(InvalidInput):
            experiments.propose(
                s,
                name="x",
                challenger_version_id=challenger,
                challenger_share=0.95,
                holdout_share=0,
                by=author,
                at=AT,
            )
        with pytest.raises(InvalidInput):
            experiments.propose(
                s,
                name="x",
                challenger_version_id=challenger,
                challenger_share=0.8,
                holdout_share=0.2,
                by=author,
                at=AT,
            )
        exp = experiments.propose(
            s,
            name="x",
            challenger_version_id=challenger,
            challenger_share=0.5,
            holdout_share=0.1,
            by=author,
            at=AT,
        )
        assert experiments.running(s) is None  # proposed is not running
        with pytest.raises(PermissionDenied):
            experiments.approve(s, exp.id, officer_id=author, reason="my own proposal", at=AT)
        experiments.approve(s, exp.id, officer_id=officer, reason="reviewed the challenger", at=AT)
        with pytest.raises(Conflict):  # the champion must not change under a running experiment
            versions.approve(s, challenger, officer_id=officer, reason="make it the champion", at=AT)
        second = experiments.propose(
            s,
            name="y",
            challenger_version_id=challenger,
            challenger_share=0.5,
            holdout_share=0,
            by=author,
            at=AT,
        )
        with pytest.raises(Conflict):
            experiments.approve(s, second.id, officer_id=officer, reason="a second one at once", at=AT)
        stopped = experiments.stop(s, exp.id, by=author, reason="ended after a month", at=AT)
        assert stopped.status == experiments.ExperimentStatus.STOPPED
        with pytest.raises(Conflict):
            experiments.stop(s, exp.id, by=author, reason="ended after a month", at=AT)


def test_a_draft_cannot_be_a_challenger(db: TestDatabase) -> None:
    with db.session() as s:
        author, _ = people(s)
        draft = versions.create_draft(
            s, versions.content_of(s, submitted_challenger(s, author)), author_id=author, at=AT
        )
        with pytest.raises(Conflict):
            experiments.propose(
                s,
                name="x",
                challenger_version_id=draft.id,
                challenger_share=0.5,
                holdout_share=0,
                by=author,
                at=AT,
            )


def test_a_proposal_whose_champion_changed_must_be_proposed_again(db: TestDatabase) -> None:
    with db.session() as s:
        author, officer = people(s)
        challenger = submitted_challenger(s, author)
        exp = experiments.propose(
            s,
            name="x",
            challenger_version_id=challenger,
            challenger_share=0.5,
            holdout_share=0,
            by=author,
            at=AT,
        )
        assert exp.champion_version_id is None  # the shipped strategy drove calls when it was proposed
        new_champion = submitted_challenger(s, author)
        versions.approve(s, new_champion, officer_id=officer, reason="a new champion first", at=AT)
        with pytest.raises(Conflict):
            experiments.approve(s, exp.id, officer_id=officer, reason="reviewed the challenger", at=AT)
