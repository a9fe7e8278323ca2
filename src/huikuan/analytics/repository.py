"""All SQL behind the KPIs: aggregate queries, never row-by-row loops."""

from __future__ import annotations

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from huikuan.compliance.models import Decision
from huikuan.outcomes.models import CallAttempt, Promise


def attempt_counts(session: Session, campaign_id: int | None) -> tuple[int, int, int, int, int]:
    """(attempts, connects, right-party contacts, transfers requested, abusive hang-ups)."""
    stmt = select(
        func.count(CallAttempt.id),
        func.coalesce(func.sum(case((CallAttempt.outcome == "answered", 1), else_=0)), 0),
        func.coalesce(func.sum(case((CallAttempt.conversation.is_(True), 1), else_=0)), 0),
        func.coalesce(func.sum(case((CallAttempt.transfer_requested.is_(True), 1), else_=0)), 0),
        func.coalesce(func.sum(case((CallAttempt.disposition == "abusive_hangup", 1), else_=0)), 0),
    )
    if campaign_id is not None:
        stmt = stmt.where(CallAttempt.campaign_id == campaign_id)
    attempts, connects, rpc, transfers, abusive = session.execute(stmt).one()
    return int(attempts), int(connects), int(rpc), int(transfers), int(abusive)


def promise_totals(session: Session, campaign_id: int | None) -> tuple[int, int]:
    stmt = select(func.count(Promise.id), func.coalesce(func.sum(Promise.amount), 0))
    if campaign_id is not None:
        stmt = stmt.join(CallAttempt, CallAttempt.id == Promise.attempt_id).where(
            CallAttempt.campaign_id == campaign_id
        )
    count, amount = session.execute(stmt).one()
    return int(count), int(amount)


def dispositions(session: Session, campaign_id: int | None) -> dict[str, int]:
    stmt = select(CallAttempt.disposition, func.count(CallAttempt.id)).group_by(CallAttempt.disposition)
    if campaign_id is not None:
        stmt = stmt.where(CallAttempt.campaign_id == campaign_id)
    return {str(d): int(n) for d, n in session.execute(stmt)}


def denials_by_rule(session: Session) -> dict[str, int]:
    stmt = (
        select(Decision.rule, func.count(Decision.id))
        .where(Decision.allowed.is_(False))
        .group_by(Decision.rule)
        .order_by(Decision.rule)
    )
    return {str(rule): int(n) for rule, n in session.execute(stmt)}
