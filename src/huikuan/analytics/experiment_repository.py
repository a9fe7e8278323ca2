"""The experiment report's reads: each assigned account's promises, calls and the segments its
calls were decided on, since its assignment."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from huikuan.outcomes.models import CallAttempt, Promise
from huikuan.profiling.models import TreatmentDecision
from huikuan.strategy.models import StrategyAssignment


def promises_since_assignment(session: Session, experiment_id: int, until: datetime) -> dict[int, list[str]]:
    """account id → the statuses of its promises made from its assignment until `until`."""
    query = (
        select(Promise.account_id, Promise.status)
        .join(StrategyAssignment, StrategyAssignment.account_id == Promise.account_id)
        .where(
            StrategyAssignment.experiment_id == experiment_id,
            Promise.created_at >= StrategyAssignment.assigned_at,
            Promise.created_at < until,
        )
    )
    found: dict[int, list[str]] = defaultdict(list)
    for account_id, status in session.execute(query):
        found[account_id].append(status)
    return found


def calls_since_assignment(session: Session, experiment_id: int, until: datetime) -> dict[int, bool]:
    """account id → whether any of its calls since its assignment reached a desk agent (accounts
    not called are absent)."""
    query = (
        select(CallAttempt.account_id, func.count(CallAttempt.agent_id))
        .join(StrategyAssignment, StrategyAssignment.account_id == CallAttempt.account_id)
        .where(
            StrategyAssignment.experiment_id == experiment_id,
            CallAttempt.started_at >= StrategyAssignment.assigned_at,
            CallAttempt.started_at < until,
        )
        .group_by(CallAttempt.account_id)
    )
    return {account_id: agents > 0 for account_id, agents in session.execute(query)}


def last_decided_segments(session: Session, experiment_id: int, until: datetime) -> dict[int, str]:
    """account id → the segment of its last call decision before `until` that had one."""
    query = (
        select(TreatmentDecision.account_id, TreatmentDecision.segment)
        .join(StrategyAssignment, StrategyAssignment.account_id == TreatmentDecision.account_id)
        .where(
            StrategyAssignment.experiment_id == experiment_id,
            TreatmentDecision.decided_at < until,
            TreatmentDecision.segment.is_not(None),
        )
        .order_by(TreatmentDecision.decided_at, TreatmentDecision.id)
    )
    return {row.account_id: row.segment for row in session.execute(query)}  # the last one wins
