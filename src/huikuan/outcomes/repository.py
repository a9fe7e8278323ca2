"""All SQL of outcomes: attempts, transcript turns, promises."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import insert, update
from sqlalchemy.orm import Session

from huikuan.outcomes.models import CallAttempt, InstallmentPlan, Promise, Turn


def insert_attempt(session: Session, values: dict[str, object]) -> int:
    attempt_id: int = session.execute(
        insert(CallAttempt).values(**values).returning(CallAttempt.id)
    ).scalar_one()
    return attempt_id


def update_attempt(session: Session, attempt_id: int, values: dict[str, object]) -> None:
    session.execute(update(CallAttempt).where(CallAttempt.id == attempt_id).values(**values))


def insert_turns(session: Session, rows: Sequence[dict[str, object]]) -> None:
    if rows:
        session.execute(insert(Turn), list(rows))


def insert_plan(
    session: Session,
    *,
    account_id: int,
    attempt_id: int,
    terms: int,
    amount_per_term: int,
    waiver: int,
    first_due: date,
    at: datetime,
) -> int:
    plan_id: int = session.execute(
        insert(InstallmentPlan)
        .values(
            account_id=account_id,
            attempt_id=attempt_id,
            terms=terms,
            amount_per_term=amount_per_term,
            waiver=waiver,
            first_due=first_due,
            status="agreed",
            created_at=at,
        )
        .returning(InstallmentPlan.id)
    ).scalar_one()
    return plan_id


def insert_promise(
    session: Session, *, account_id: int, attempt_id: int, amount: int, due_date: date, at: datetime
) -> int:
    promise_id: int = session.execute(
        insert(Promise)
        .values(
            account_id=account_id,
            attempt_id=attempt_id,
            amount=amount,
            due_date=due_date,
            status="pending",
            created_at=at,
        )
        .returning(Promise.id)
    ).scalar_one()
    return promise_id
