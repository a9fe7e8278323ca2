"""Champion/challenger experiments and their approval.

A strategist (`edit_strategy`) proposes one: the champion is the strategy driving calls then
(the approved version, or the shipped one), the challenger a stored version put up for review
(submitted, approved before, or retired), with a challenger share and a holdout share. A
compliance officer (`approve_scripts`) who neither proposed it nor wrote the challenger approves
it with a reason: that is the challenger's approval to drive its share of calls, so the one
approved strategy stays the champion. Either role stops it. Every transition is audited.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from huikuan.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from huikuan.security import audit
from huikuan.strategy import versions
from huikuan.strategy.document import parse_strategy
from huikuan.strategy.models import StrategyExperiment, StrategyVersion

MAX_CHALLENGER, MAX_HOLDOUT = 0.9, 0.2
# A challenger must have been validated and put up for review (a draft has not been).
CHALLENGER_STATUSES = {
    versions.StrategyStatus.SUBMITTED,
    versions.StrategyStatus.APPROVED,
    versions.StrategyStatus.RETIRED,
}


class ExperimentStatus(StrEnum):
    PROPOSED = "proposed"
    RUNNING = "running"
    STOPPED = "stopped"
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class ExperimentInfo:
    id: int
    name: str
    status: ExperimentStatus
    champion_version_id: int | None
    challenger_version_id: int
    challenger_share: float
    holdout_share: float
    seed: str
    proposed_by: int
    reviewed_by: int | None
    proposed_at: datetime
    reviewed_at: datetime | None
    stopped_at: datetime | None


def info(row: StrategyExperiment) -> ExperimentInfo:
    return ExperimentInfo(
        id=row.id,
        name=row.name,
        status=ExperimentStatus(row.status),
        champion_version_id=row.champion_version_id,
        challenger_version_id=row.challenger_version_id,
        challenger_share=row.challenger_share,
        holdout_share=row.holdout_share,
        seed=row.seed,
        proposed_by=row.proposed_by,
        reviewed_by=row.reviewed_by,
        proposed_at=row.proposed_at,
        reviewed_at=row.reviewed_at,
        stopped_at=row.stopped_at,
    )


def _get(session: Session, experiment_id: int) -> StrategyExperiment:
    row = session.get(StrategyExperiment, experiment_id)
    if row is None:
        raise NotFound(f"实验 {experiment_id} 不存在 / no experiment {experiment_id}")
    return row


def _audit(session: Session, row: StrategyExperiment, action: str, actor: int, at: datetime) -> None:
    audit.append(
        session,
        at=at,
        actor=f"user:{actor}",
        action=f"strategy.experiment.{action}",
        entity="strategy_experiment",
        entity_id=row.id,
        details={
            "champion_version_id": row.champion_version_id,
            "challenger_version_id": row.challenger_version_id,
            "challenger_share": row.challenger_share,
            "holdout_share": row.holdout_share,
        },
    )


def _shares(challenger: float, holdout: float) -> None:
    if not 0 < challenger <= MAX_CHALLENGER:
        raise InvalidInput(
            f"挑战者比例须在 (0, {MAX_CHALLENGER}] / the challenger share must be in (0, {MAX_CHALLENGER}]"
        )
    if not 0 <= holdout <= MAX_HOLDOUT:
        raise InvalidInput(
            f"留出比例须在 [0, {MAX_HOLDOUT}] / the holdout share must be in [0, {MAX_HOLDOUT}]"
        )
    if challenger + holdout >= 1:
        raise InvalidInput("冠军组不能为空 / challenger + holdout must leave a champion share")


def propose(
    session: Session,
    *,
    name: str,
    challenger_version_id: int,
    challenger_share: float,
    holdout_share: float,
    by: int,
    at: datetime,
    seed: str | None = None,
) -> ExperimentInfo:
    """Propose an experiment of `challenger_version_id` against the strategy driving calls now."""
    _shares(challenger_share, holdout_share)
    if not 1 <= len(name.strip()) <= 64:
        raise InvalidInput("实验名称须为 1–64 个字符 / a name of 1–64 characters")
    challenger = session.get(StrategyVersion, challenger_version_id)
    if challenger is None:
        raise NotFound(
            f"策略版本 {challenger_version_id} 不存在 / no strategy version {challenger_version_id}"
        )
    if challenger.status not in CHALLENGER_STATUSES:
        raise Conflict(
            f"挑战者须已提交审批 / the challenger must be submitted or approved before "
            f"(version {challenger_version_id} is {challenger.status})"
        )
    champion = versions.active_version_id(session)
    if champion == challenger_version_id:
        raise Conflict("挑战者即为现行策略 / the challenger is the strategy driving calls now")
    row = StrategyExperiment(
        name=name.strip(),
        status=ExperimentStatus.PROPOSED.value,
        champion_version_id=champion,
        challenger_version_id=challenger_version_id,
        challenger_share=challenger_share,
        holdout_share=holdout_share,
        seed=seed or secrets.token_hex(16),
        proposed_by=by,
        proposed_at=at,
    )
    session.add(row)
    session.flush()
    _audit(session, row, "propose", by, at)
    return info(row)


def approve(
    session: Session, experiment_id: int, *, officer_id: int, reason: str, at: datetime
) -> ExperimentInfo:
    """Start a proposed experiment: an officer who neither proposed it nor wrote the challenger."""
    row = _get(session, experiment_id)
    if row.status != ExperimentStatus.PROPOSED:
        raise Conflict(f"只能审批待审实验 / only a proposed experiment can be approved ({row.status})")
    challenger = session.get(StrategyVersion, row.challenger_version_id)
    if officer_id == row.proposed_by or (challenger is not None and challenger.author_id == officer_id):
        raise PermissionDenied(
            "不能审批自己提出的实验 / the proposer or the challenger's author cannot approve"
        )
    if versions.active_version_id(session) != row.champion_version_id:
        raise Conflict("现行策略已变更，请重新提出 / the champion changed since the proposal: propose again")
    if running(session) is not None:
        raise Conflict("已有实验在运行 / another experiment is running: stop it first")
    parse_strategy(versions.content_of(session, row.challenger_version_id))  # rules may have tightened
    row.status = ExperimentStatus.RUNNING.value
    row.reviewed_by, row.reviewed_at, row.review_reason = officer_id, at, versions.check_reason(reason)
    session.flush()
    _audit(session, row, "approve", officer_id, at)
    return info(row)


def stop(session: Session, experiment_id: int, *, by: int, reason: str, at: datetime) -> ExperimentInfo:
    """Stop a running experiment (every account goes back to the champion) or withdraw a proposal."""
    row = _get(session, experiment_id)
    if row.status not in (ExperimentStatus.RUNNING, ExperimentStatus.PROPOSED):
        raise Conflict(f"实验已结束 / the experiment is already {row.status}")
    text = versions.check_reason(reason)
    row.status = (
        ExperimentStatus.STOPPED.value
        if row.status == ExperimentStatus.RUNNING
        else ExperimentStatus.REJECTED.value
    )
    row.stopped_by, row.stopped_at, row.stop_reason = by, at, text
    session.flush()
    _audit(session, row, "stop", by, at)
    return info(row)


def running(session: Session) -> StrategyExperiment | None:
    """The running experiment, if any (one indexed query)."""
    query = select(StrategyExperiment).where(StrategyExperiment.status == ExperimentStatus.RUNNING.value)
    return session.scalars(query).first()


def get(session: Session, experiment_id: int) -> ExperimentInfo:
    return info(_get(session, experiment_id))


def list_experiments(session: Session) -> list[ExperimentInfo]:
    return [info(r) for r in session.scalars(select(StrategyExperiment).order_by(StrategyExperiment.id))]
