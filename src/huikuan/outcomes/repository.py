"""All SQL of outcomes: attempts, transcript turns, promises, and the reads other domains make
through `outcomes.service` (a campaign's attempt counts, its recent attempts, its abandon record).

Every call writes its attempt twice and its transcript once, so these statements are Core
constructs built once at import with bound parameters (SQLAlchemy reuses their compiled form),
run on the session's connection: no ORM machinery in a call's path.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import cast

from sqlalchemy import Connection, Table, bindparam, case, func, insert, select, update
from sqlalchemy.orm import Session

from huikuan.outcomes.models import CallAttempt, IdentityDecision, InstallmentPlan, Promise, Turn
from huikuan.types import AttemptStatus, CallOutcome, Disposition, PromiseStatus, Speaker

_attempt = cast(Table, CallAttempt.__table__)
_INSERT_ATTEMPT = insert(_attempt).returning(_attempt.c.id)
_UPDATE_ATTEMPT = update(_attempt).where(_attempt.c.id == bindparam("attempt_id_"))
_INSERT_TURNS = insert(cast(Table, Turn.__table__))
_INSERT_IDENTITY = insert(cast(Table, IdentityDecision.__table__))
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


def insert_identity_decisions(session: Session, rows: Sequence[Mapping[str, object]]) -> None:
    if rows:
        _connection(session).execute(_INSERT_IDENTITY, [dict(r) for r in rows])


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
    first_amount: int | None = None,
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
                "first_amount": first_amount,
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


# -- reads for other domains (through outcomes.service) ------------------------------------------


def attempt(session: Session, attempt_id: int) -> CallAttempt | None:
    return session.get(CallAttempt, attempt_id)


def pending_promise_dates(session: Session) -> list[tuple[int, date]]:
    """(account id, latest due date) of every account with a pending promise."""
    rows = session.execute(
        select(Promise.account_id, func.max(Promise.due_date))
        .where(Promise.status == PromiseStatus.PENDING.value)
        .group_by(Promise.account_id)
    )
    return [(a, d) for a, d in rows]


def campaign_counts(session: Session, campaign_id: int) -> tuple[int, int, int, int]:
    """(attempts, answered, right-party conversations, promises) of a campaign."""
    attempts, connects, rpc = session.execute(
        select(
            func.count(CallAttempt.id),
            func.count(CallAttempt.id).filter(CallAttempt.outcome == CallOutcome.ANSWERED.value),
            func.count(CallAttempt.id).filter(CallAttempt.conversation.is_(True)),
        ).where(CallAttempt.campaign_id == campaign_id)
    ).one()
    promises = session.scalar(
        select(func.count(Promise.id))
        .join(CallAttempt, CallAttempt.id == Promise.attempt_id)
        .where(CallAttempt.campaign_id == campaign_id)
    )
    return int(attempts), int(connects), int(rpc), int(promises or 0)


_ABANDONED = Disposition.ABANDONED.value


def answered_and_abandoned(
    session: Session, campaign_id: int, since: datetime, until: datetime
) -> tuple[int, int]:
    answered, abandoned = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(case((CallAttempt.disposition == _ABANDONED, 1), else_=0)), 0),
        ).where(
            CallAttempt.campaign_id == campaign_id,
            CallAttempt.outcome == CallOutcome.ANSWERED.value,
            CallAttempt.started_at >= since,
            CallAttempt.started_at <= until,
        )
    ).one()
    return int(answered), int(abandoned)


def recent_completed(
    session: Session, campaign_id: int, limit: int
) -> Sequence[tuple[str | None, datetime, datetime | None, int]]:
    """(outcome, started_at, ended_at, talk_seconds) of the campaign's last completed attempts."""
    rows = session.execute(
        select(CallAttempt.outcome, CallAttempt.started_at, CallAttempt.ended_at, CallAttempt.talk_seconds)
        .where(CallAttempt.campaign_id == campaign_id, CallAttempt.status == AttemptStatus.COMPLETED.value)
        .order_by(CallAttempt.started_at.desc(), CallAttempt.id.desc())
        .limit(limit)
    ).all()
    return [(o, s, e, t) for o, s, e, t in rows]


def attempt_history(
    session: Session, until: datetime
) -> list[tuple[int, int, datetime, str | None, bool, str]]:
    """(account, contact, started, outcome, conversation, disposition) of attempts before `until`."""
    rows = session.execute(
        select(
            CallAttempt.account_id,
            CallAttempt.contact_id,
            CallAttempt.started_at,
            CallAttempt.outcome,
            CallAttempt.conversation,
            CallAttempt.disposition,
        )
        .where(CallAttempt.started_at < until)
        .order_by(CallAttempt.id)
    )
    return [tuple(r) for r in rows]  # type: ignore[misc]  # Row -> the declared tuple


def debtor_intents(session: Session, until: datetime) -> list[tuple[int, str, datetime]]:
    """(account, intent, at) of every debtor line with an intent, before `until`."""
    rows = session.execute(
        select(CallAttempt.account_id, Turn.intent, Turn.at)
        .join(CallAttempt, CallAttempt.id == Turn.attempt_id)
        .where(Turn.speaker == Speaker.DEBTOR.value, Turn.intent.is_not(None), Turn.at < until)
        .order_by(Turn.id)
    )
    return [tuple(r) for r in rows]  # type: ignore[misc]  # Row -> the declared tuple


def promise_history(session: Session, until: datetime) -> list[tuple[int, datetime, date, str, int]]:
    """(account, created, due, status, amount) of promises made before `until`."""
    rows = session.execute(
        select(Promise.account_id, Promise.created_at, Promise.due_date, Promise.status, Promise.amount)
        .where(Promise.created_at < until)
        .order_by(Promise.id)
    )
    return [tuple(r) for r in rows]  # type: ignore[misc]  # Row -> the declared tuple


def debtor_history(session: Session, debtor_id: int) -> list[dict[str, object]]:
    attempts = session.scalars(
        select(CallAttempt).where(CallAttempt.debtor_id == debtor_id).order_by(CallAttempt.started_at)
    ).all()
    promises: dict[int | None, list[Promise]] = {}
    ids = [a.id for a in attempts]
    if ids:
        for p in session.scalars(select(Promise).where(Promise.attempt_id.in_(ids))):
            promises.setdefault(p.attempt_id, []).append(p)
    return [
        {
            "attempt_id": a.id,
            "account_id": a.account_id,
            "contact_id": a.contact_id,
            "channel": a.channel,
            "started_at": a.started_at.isoformat(),
            "outcome": a.outcome,
            "disposition": a.disposition,
            "transcript": [{"speaker": t.speaker, "text": t.text, "at": t.at.isoformat()} for t in a.turns],
            "promises": [
                {"amount": p.amount, "due_date": p.due_date.isoformat(), "status": p.status}
                for p in promises.get(a.id, [])
            ],
        }
        for a in attempts
    ]


def last_attempt_at(session: Session, debtor_id: int) -> datetime | None:
    stmt = select(func.max(CallAttempt.started_at)).where(CallAttempt.debtor_id == debtor_id)
    value = session.scalar(stmt)
    if isinstance(value, str):  # SQLite's max() bypasses the column type
        value = datetime.fromisoformat(value)
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


def erase_debtor_turns(session: Session, debtor_id: int, marker: str) -> int:
    attempts = select(CallAttempt.id).where(CallAttempt.debtor_id == debtor_id)
    stmt = (
        update(Turn)
        .where(Turn.attempt_id.in_(attempts), Turn.speaker == Speaker.DEBTOR.value)
        .values(text=marker)
    )
    return int(getattr(session.execute(stmt), "rowcount", 0))


def pending_promises(session: Session, account_ids: Sequence[int] | None = None) -> list[Promise]:
    """Pending promises (of the given accounts, or all), by account and oldest due first."""
    query = select(Promise).where(Promise.status == PromiseStatus.PENDING.value)
    if account_ids is not None:
        query = query.where(Promise.account_id.in_(list(account_ids)))
    return list(session.scalars(query.order_by(Promise.account_id, Promise.due_date, Promise.id)))


def open_plans(session: Session, account_ids: Sequence[int] | None = None) -> list[InstallmentPlan]:
    """Plans neither kept nor broken yet (of the given accounts, or all)."""
    query = select(InstallmentPlan).where(InstallmentPlan.status.in_(("agreed", "current")))
    if account_ids is not None:
        query = query.where(InstallmentPlan.account_id.in_(list(account_ids)))
    return list(session.scalars(query.order_by(InstallmentPlan.account_id, InstallmentPlan.id)))
