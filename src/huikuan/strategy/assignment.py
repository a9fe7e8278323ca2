"""Which strategy decides an account's call: the champion's, or its experiment arm's.

An account's arm is drawn at its first decision while an experiment runs and stored
(`strategy_assignment`), so it never changes afterwards, whatever happens to the shares, and an
auditor can see who was in which arm and since when. The draw is a keyed hash of the
experiment's random seed, its id and the account id, uniform on [0, 1): random with respect to
anything about the account, and reproducible from the stored seed.

Holdout accounts get no robot calls while the experiment runs (`strategy` is None): they measure
what the accounts would have paid without the calls, which neither arm can show.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from huikuan.strategy import experiments, versions
from huikuan.strategy.document import Strategy, parse_strategy, shipped_strategy
from huikuan.strategy.models import StrategyAssignment, StrategyExperiment


class Arm(StrEnum):
    CHAMPION = "champion"
    CHALLENGER = "challenger"
    HOLDOUT = "holdout"


@dataclass(frozen=True, slots=True)
class ForAccount:
    strategy: Strategy | None  # None: holdout, no robot call
    version_id: int | None  # None: the shipped strategy (or holdout)
    arm: Arm | None  # None: no experiment runs
    experiment_id: int | None


def draw(seed: str, experiment_id: int, account_id: int) -> float:
    """A uniform number in [0, 1) fixed by the experiment's seed, its id and the account."""
    digest = hashlib.sha256(f"{seed}:{experiment_id}:{account_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def arm_of(u: float, challenger_share: float, holdout_share: float) -> Arm:
    if u < holdout_share:
        return Arm.HOLDOUT
    if u < holdout_share + challenger_share:
        return Arm.CHALLENGER
    return Arm.CHAMPION


_PARSED: dict[str, Strategy] = {}  # content → its strategy (keyed by content: ids differ per database)


def _strategy(session: Session, version_id: int | None) -> Strategy:
    if version_id is None:
        return shipped_strategy()
    content = versions.content_of(session, version_id)
    if content not in _PARSED:
        _PARSED[content] = parse_strategy(content)
    return _PARSED[content]


def _assign(
    session: Session,
    exp: StrategyExperiment,
    account_id: int,
    at: datetime,
    bucket: str,
    segment: str | None,
    owed: int,
) -> Arm:
    query = select(StrategyAssignment.arm).where(
        StrategyAssignment.experiment_id == exp.id, StrategyAssignment.account_id == account_id
    )
    stored = session.scalar(query)
    if stored is not None:
        return Arm(stored)
    arm = arm_of(draw(exp.seed, exp.id, account_id), exp.challenger_share, exp.holdout_share)
    try:
        with session.begin_nested():  # another worker may assign the same account at the same time
            session.add(
                StrategyAssignment(
                    experiment_id=exp.id,
                    account_id=account_id,
                    arm=arm.value,
                    assigned_at=at,
                    bucket=bucket,
                    segment=segment,
                    owed=owed,
                )
            )
    except IntegrityError:
        return Arm(session.scalar(query) or arm.value)
    return arm


def strategy_for_account(
    session: Session, account_id: int, *, at: datetime, bucket: str, segment: str | None, owed: int
) -> ForAccount:
    """The strategy for this account's call now (assigning its arm at its first decision while an
    experiment runs; `bucket`, `segment` and `owed` are kept with the assignment)."""
    exp = experiments.running(session)
    if exp is None:
        active = versions.active_strategy(session)
        return ForAccount(active.strategy, active.version_id, None, None)
    arm = _assign(session, exp, account_id, at, bucket, segment, owed)
    if arm == Arm.HOLDOUT:
        return ForAccount(None, None, arm, exp.id)
    version = exp.challenger_version_id if arm == Arm.CHALLENGER else exp.champion_version_id
    return ForAccount(_strategy(session, version), version, arm, exp.id)


def assignments(session: Session, experiment_id: int) -> list[StrategyAssignment]:
    """Every account's stored arm in an experiment, by account id."""
    query = (
        select(StrategyAssignment)
        .where(StrategyAssignment.experiment_id == experiment_id)
        .order_by(StrategyAssignment.account_id)
    )
    return list(session.scalars(query))
