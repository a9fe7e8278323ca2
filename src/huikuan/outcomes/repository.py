"""All SQL of outcomes: attempts, transcript turns, promises.

Every call writes its attempt twice and its transcript once, so these statements are Core
constructs built once at import with bound parameters (SQLAlchemy reuses their compiled form),
run on the session's connection: no ORM machinery in a call's path.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import cast

from sqlalchemy import Connection, Table, bindparam, insert, update
from sqlalchemy.orm import Session

from huikuan.outcomes.models import CallAttempt, InstallmentPlan, Promise, Turn

_attempt = cast(Table, CallAttempt.__table__)
_INSERT_ATTEMPT = insert(_attempt).returning(_attempt.c.id)
_UPDATE_ATTEMPT = update(_attempt).where(_attempt.c.id == bindparam("attempt_id_"))
_INSERT_TURNS = insert(cast(Table, Turn.__table__))
_plan = cast(Table, InstallmentPlan.__table__)
_INSERT_PLAN = insert(_plan).returning(_plan.c.id)
_promise = cast(Table, Promise.__table__)
_INSERT_PROMISE = insert(_promise).returning(_promise.c.id)


def _connection(session: Session) -> Connection:
    """The session's connection, with what the caller left pending flushed (as execute would)."""
    if session.autoflush:
        session.flush()
    return session.connection()


def insert_attempt(session: Session, values: Mapping[str, object]) -> int:
    attempt_id: int = _connection(session).execute(_INSERT_ATTEMPT, dict(values)).scalar_one()
    return attempt_id


def update_attempt(session: Session, attempt_id: int, values: Mapping[str, object]) -> None:
    # The id binds under its own name: `values` may hold any column, `id` included.
    _connection(session).execute(_UPDATE_ATTEMPT, {**values, "attempt_id_": attempt_id})


def insert_turns(session: Session, rows: Sequence[Mapping[str, object]]) -> None:
    if rows:
        _connection(session).execute(_INSERT_TURNS, [dict(r) for r in rows])


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
    plan_id: int = (
        _connection(session)
        .execute(
            _INSERT_PLAN,
            {
                "account_id": account_id,
                "attempt_id": attempt_id,
                "terms": terms,
                "amount_per_term": amount_per_term,
                "waiver": waiver,
                "first_due": first_due,
                "status": "agreed",
                "created_at": at,
            },
        )
        .scalar_one()
    )
    return plan_id


def insert_promise(
    session: Session, *, account_id: int, attempt_id: int, amount: int, due_date: date, at: datetime
) -> int:
    promise_id: int = (
        _connection(session)
        .execute(
            _INSERT_PROMISE,
            {
                "account_id": account_id,
                "attempt_id": attempt_id,
                "amount": amount,
                "due_date": due_date,
                "status": "pending",
                "created_at": at,
            },
        )
        .scalar_one()
    )
    return promise_id
