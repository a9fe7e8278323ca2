"""The dashboard's SQL: one aggregate query per figure, bounded by indexed instants."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, case, func, select
from sqlalchemy.orm import Session

from huikuan.compliance.models import Complaint, Decision
from huikuan.outcomes.models import CallAttempt, Promise
from huikuan.portfolio.models import Account, Payment
from huikuan.types import AttemptStatus, PromiseStatus

S = TypeVar("S", bound="Select[*tuple[Any, ...]]")


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _of_campaign(stmt: S, campaign_id: int | None) -> S:
    return stmt if campaign_id is None else stmt.where(CallAttempt.campaign_id == campaign_id)


def _campaign_accounts(campaign_id: int) -> Select[Any]:
    """The accounts a campaign has called (payments and buckets are per account, not per call)."""
    return select(CallAttempt.account_id).where(CallAttempt.campaign_id == campaign_id).distinct()


def calls_in_progress(session: Session, campaign_id: int | None) -> int:
    """Attempts reserved and not yet ended: the calls being dialled or talked now."""
    stmt = _of_campaign(
        select(func.count(CallAttempt.id)).where(CallAttempt.status == AttemptStatus.RESERVED.value),
        campaign_id,
    )
    return int(session.execute(stmt).scalar_one())


def attempt_counts(
    session: Session, start: datetime, end: datetime, campaign_id: int | None
) -> tuple[int, int, int]:
    """(attempts, connects, right-party contacts) started in [start, end)."""
    stmt = _of_campaign(
        select(
            func.count(CallAttempt.id),
            _count_if(CallAttempt.outcome == "answered"),
            _count_if(CallAttempt.conversation.is_(True)),
        ).where(CallAttempt.started_at >= start, CallAttempt.started_at < end),
        campaign_id,
    )
    attempts, connects, rpc = session.execute(stmt).one()
    return int(attempts), int(connects), int(rpc)


def attempts_per_slot(session: Session, bounds: Sequence[datetime], campaign_id: int | None) -> list[int]:
    """Attempts started in each [bounds[i], bounds[i+1]): one scan of the day's index range."""
    columns = [
        _count_if((CallAttempt.started_at >= lo) & (CallAttempt.started_at < hi))
        for lo, hi in itertools.pairwise(bounds)
    ]
    stmt = _of_campaign(
        select(*columns).where(CallAttempt.started_at >= bounds[0], CallAttempt.started_at < bounds[-1]),
        campaign_id,
    )
    return [int(n) for n in session.execute(stmt).one()]


def promise_totals(
    session: Session, start: datetime, end: datetime, campaign_id: int | None
) -> tuple[int, int, int]:
    """(promises, amount promised, amount of those since kept) made in [start, end)."""
    stmt = select(
        func.count(Promise.id),
        func.coalesce(func.sum(Promise.amount), 0),
        func.coalesce(
            func.sum(case((Promise.status == PromiseStatus.KEPT.value, Promise.amount), else_=0)), 0
        ),
    ).where(Promise.created_at >= start, Promise.created_at < end)
    if campaign_id is not None:
        stmt = stmt.join(CallAttempt, CallAttempt.id == Promise.attempt_id).where(
            CallAttempt.campaign_id == campaign_id
        )
    count, amount, kept = session.execute(stmt).one()
    return int(count), int(amount), int(kept)


def payment_totals(
    session: Session, start: datetime, end: datetime, campaign_id: int | None
) -> tuple[int, int]:
    """(payments, amount) received in [start, end)."""
    stmt = select(func.count(Payment.id), func.coalesce(func.sum(Payment.amount), 0)).where(
        Payment.paid_at >= start, Payment.paid_at < end
    )
    if campaign_id is not None:
        stmt = stmt.where(Payment.account_id.in_(_campaign_accounts(campaign_id)))
    count, amount = session.execute(stmt).one()
    return int(count), int(amount)


def recovery_by_bucket(session: Session, campaign_id: int | None) -> dict[str, tuple[int, int, int]]:
    """bucket → (accounts, overdue as assigned, collected to date)."""
    paid = (
        select(Payment.account_id, func.sum(Payment.amount).label("paid"))
        .group_by(Payment.account_id)
        .subquery()
    )
    stmt = (
        select(
            Account.bucket,
            func.count(Account.id),
            func.coalesce(func.sum(Account.overdue), 0),
            func.coalesce(func.sum(paid.c.paid), 0),
        )
        .outerjoin(paid, paid.c.account_id == Account.id)
        .group_by(Account.bucket)
    )
    if campaign_id is not None:
        stmt = stmt.where(Account.id.in_(_campaign_accounts(campaign_id)))
    return {
        str(b): (int(n), int(overdue), int(collected)) for b, n, overdue, collected in session.execute(stmt)
    }


def denials_by_rule(session: Session, start: datetime, end: datetime) -> list[tuple[str, str, int]]:
    """(jurisdiction, rule, denials) in [start, end), most frequent first."""
    count = func.count(Decision.id)
    stmt = (
        select(Decision.jurisdiction, Decision.rule, count)
        .where(Decision.allowed.is_(False), Decision.at >= start, Decision.at < end)
        .group_by(Decision.jurisdiction, Decision.rule)
        .order_by(count.desc(), Decision.rule)
    )
    return [(str(j), str(rule or ""), int(n)) for j, rule, n in session.execute(stmt)]


def complaint_counts(session: Session, start: datetime, end: datetime) -> tuple[int, int]:
    """(stops opened in [start, end), stops open now)."""
    stmt = select(
        _count_if((Complaint.opened_at >= start) & (Complaint.opened_at < end)),
        _count_if(Complaint.status == "open"),
    )
    opened, still_open = session.execute(stmt).one()
    return int(opened), int(still_open)


def change_marker(session: Session) -> tuple[int, ...]:
    """Numbers that move whenever an attempt, promise or stop is written or an attempt ends:
    cheap enough to poll where the database cannot notify (SQLite)."""
    stmt = select(
        select(func.coalesce(func.max(CallAttempt.id), 0)).scalar_subquery(),
        select(func.count(CallAttempt.id))
        .where(CallAttempt.status == AttemptStatus.RESERVED.value)
        .scalar_subquery(),
        select(func.coalesce(func.max(Promise.id), 0)).scalar_subquery(),
        select(func.coalesce(func.max(Complaint.id), 0)).scalar_subquery(),
        select(func.count(Complaint.id)).where(Complaint.status == "open").scalar_subquery(),
    )
    return tuple(int(n) for n in session.execute(stmt).one())
