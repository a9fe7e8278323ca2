"""The durable work queue: lease due tasks, heartbeat, fence, hand back, reclaim the dead's.

A task is leased to one worker at a time: `lease_due` sets its owner, its expiry and a new
fencing token (+1 at every lease). Every later write about the task names that token, so a
worker whose lease was reclaimed (it stalled, or its host lost the network) can no longer
touch it. PostgreSQL leases with `SELECT … FOR UPDATE SKIP LOCKED`, so any number of workers
share one queue; SQLite serialises writers, which is right for its one worker.

A call in flight is written on its task (`attempt_id`, `ledger_entry_id`) in the transaction
that commits the reservation, before the dial. When a worker dies, `reclaim_expired` closes
that attempt as failed (never deletes it: the dial may have happened, so it keeps counting
against the caps) and returns the task to the queue.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Select, Table, Update, and_, bindparam, func, select, update
from sqlalchemy.orm import Session

from huikuan import compliance
from huikuan.dialer.models import Campaign, DialTask, Worker
from huikuan.dialer.retry import Next
from huikuan.outcomes import service as outcomes
from huikuan.outcomes.models import CallAttempt
from huikuan.outcomes.service import AttemptCompletion
from huikuan.portfolio.models import Account, Contact, Debtor
from huikuan.security import audit
from huikuan.types import AttemptStatus, CallOutcome, Disposition

log = logging.getLogger(__name__)

LEASED, QUEUED, DONE = "leased", "queued", "done"
LOST_CALL_REASON = "worker lost mid-call (lease expired); the dial may have happened"


class LeaseLost(Exception):
    """The task was reclaimed from this worker: its fencing token no longer matches."""


@dataclass(frozen=True, slots=True)
class Lease:
    task_id: int
    token: int
    campaign_id: int
    debtor_id: int
    account_id: int
    owner: str


def register_worker(
    session: Session, worker_id: str, *, host: str, pid: int, lines: int, now: datetime
) -> None:
    """Announce a worker (its heartbeat keeps its leases alive)."""
    session.merge(
        Worker(
            id=worker_id, host=host, pid=pid, lines=lines, status="running", started_at=now, heartbeat_at=now
        )
    )


def set_worker_status(session: Session, worker_id: str, status: str) -> None:
    session.execute(update(Worker).where(Worker.id == worker_id).values(status=status))


_TASK: Table = DialTask.__table__  # type: ignore[assignment]  # a mapped class's table is a Table
_CAMPAIGN: Table = Campaign.__table__  # type: ignore[assignment]
_ACCOUNT: Table = Account.__table__  # type: ignore[assignment]
_DEBTOR: Table = Debtor.__table__  # type: ignore[assignment]


# Statements are built once: building SQL expressions costs more than running them on SQLite.
@cache
def _running_campaigns(one: bool, with_leased: bool) -> Select[Any]:
    columns: list[Any] = [_CAMPAIGN.c.id, _CAMPAIGN.c.robots, _CAMPAIGN.c.ends_at]
    if with_leased:  # SQLite: one statement reads the campaigns and how many tasks each has out
        columns.append(
            select(func.count())
            .where(_TASK.c.campaign_id == _CAMPAIGN.c.id, _TASK.c.state == LEASED)
            .scalar_subquery()
        )
    query = select(*columns).where(_CAMPAIGN.c.status == "running")
    if one:
        query = query.where(_CAMPAIGN.c.id == bindparam("campaign_id"))
    return query.order_by(_CAMPAIGN.c.priority.desc(), _CAMPAIGN.c.id)


_LOCK_CAMPAIGN = select(_CAMPAIGN.c.id).where(_CAMPAIGN.c.id == bindparam("campaign_id")).with_for_update()
_COUNT_LEASED = select(func.count()).where(
    _TASK.c.campaign_id == bindparam("campaign_id"), _TASK.c.state == LEASED
)
_DUE = (
    select(_TASK.c.id)
    .where(
        _TASK.c.campaign_id == bindparam("due_campaign"),
        _TASK.c.state == QUEUED,
        _TASK.c.due_at <= bindparam("due_now", type_=_TASK.c.due_at.type),
    )
    .order_by(_TASK.c.due_at, _TASK.c.id)
    .limit(bindparam("due_room"))
    .with_for_update(skip_locked=True)
)
_TAKE_VALUES = {
    "state": LEASED,
    "lease_owner": bindparam("owner"),
    "lease_expires_at": bindparam("expires", type_=_TASK.c.lease_expires_at.type),
    "lease_token": _TASK.c.lease_token + 1,
}
_TAKEN = (_TASK.c.id, _TASK.c.lease_token, _TASK.c.campaign_id, _TASK.c.debtor_id, _TASK.c.account_id)
_TAKE = (
    update(_TASK)
    .where(_TASK.c.id.in_(bindparam("ids", expanding=True)))
    .values(_TAKE_VALUES)
    .returning(*_TAKEN)
)
# SQLite (one writer): pick and take in one statement. PostgreSQL keeps the SELECT … SKIP
# LOCKED apart, since a planner may re-run a LIMIT subquery inside an UPDATE's IN.
_TAKE_DUE = update(_TASK).where(_TASK.c.id.in_(_DUE)).values(_TAKE_VALUES).returning(*_TAKEN)


def lease_due(
    session: Session,
    worker_id: str,
    now: datetime,
    *,
    ttl: timedelta,
    limit: int = 1,
    campaign_id: int | None = None,
) -> list[Lease]:
    """Lease up to `limit` due tasks of running campaigns (highest priority first), never more
    at once per campaign than its robots."""
    postgres = session.get_bind().dialect.name == "postgresql"
    leases: list[Lease] = []
    campaigns = session.execute(
        _running_campaigns(campaign_id is not None, not postgres), {"campaign_id": campaign_id}
    )
    for cid, robots, ends_at, *counted in campaigns.all():
        if len(leases) >= limit:
            break
        if ends_at is not None and now >= ends_at:
            continue
        if postgres:
            # The campaign row's lock makes the robots count exact across workers; held only
            # for this short transaction (SQLite serialises writers, so its count read with
            # the campaigns is exact already).
            session.execute(_LOCK_CAMPAIGN, {"campaign_id": cid})
            leased = session.scalar(_COUNT_LEASED, {"campaign_id": cid}) or 0
        else:
            leased = counted[0]
        room = min(robots - int(leased), limit - len(leases))
        if room <= 0:
            continue
        due = {"due_campaign": cid, "due_now": now, "due_room": room}
        take = {"owner": worker_id, "expires": now + ttl}
        if postgres:
            ids = list(session.scalars(_DUE, due))
            if not ids:
                continue
            taken = session.execute(_TAKE, {"ids": ids, **take})
        else:
            taken = session.execute(_TAKE_DUE, {**due, **take})
        leases.extend(Lease(i, token, c, d, a, worker_id) for i, token, c, d, a in taken.all())
    return leases


@dataclass(frozen=True, slots=True)
class CallFacts:
    """What one call of a leased task needs from its task, account and debtor rows, read in one
    Core query (no ORM objects: they would only be thrown away after the call)."""

    attempts: int
    memory: dict[str, Any]
    denials: dict[str, int]
    account_id: int
    bucket: str
    product: str | None
    overdue: int
    due_date: date
    debtor_id: int
    debtor_name: str
    timezone: str
    dialect: str


_CALL_FACTS = (
    select(
        _TASK.c.attempts,
        _TASK.c.memory,
        _TASK.c.denials,
        _ACCOUNT.c.id,
        _ACCOUNT.c.bucket,
        _ACCOUNT.c.product,
        _ACCOUNT.c.overdue,
        _ACCOUNT.c.due_date,
        _DEBTOR.c.id,
        _DEBTOR.c.name,
        _DEBTOR.c.timezone,
        _DEBTOR.c.dialect,
    )
    .join(_ACCOUNT, _ACCOUNT.c.id == _TASK.c.account_id)
    .join(_DEBTOR, _DEBTOR.c.id == _TASK.c.debtor_id)
    .where(_TASK.c.id == bindparam("task_id"))
)
_CONTACTS = select(Contact).where(Contact.debtor_id == bindparam("debtor_id")).order_by(Contact.id)


def call_facts(session: Session, task_id: int) -> CallFacts:
    """The task's own facts for one call; raises if the task, account or debtor is missing."""
    row = session.execute(_CALL_FACTS, {"task_id": task_id}).one_or_none()
    if row is None:
        raise RuntimeError(f"task {task_id}: task, account or debtor missing")
    attempts, memory, denials, *rest = row
    return CallFacts(attempts, memory or {}, dict(denials or {}), *rest)


def contacts_of(session: Session, debtor_id: int) -> list[Contact]:
    """The debtor's numbers, in a stable order (the number pick depends on it)."""
    return list(session.scalars(_CONTACTS, {"debtor_id": debtor_id}))


def heartbeat(session: Session, worker_id: str, now: datetime, *, ttl: timedelta) -> int:
    """Extend every lease this worker holds; returns how many it still holds."""
    session.execute(update(Worker).where(Worker.id == worker_id).values(heartbeat_at=now))
    result = session.execute(
        update(_TASK)
        .where(_TASK.c.lease_owner == worker_id, _TASK.c.state == LEASED)
        .values(lease_expires_at=now + ttl)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]  # CursorResult of an UPDATE


_FENCE = and_(
    _TASK.c.id == bindparam("f_id"),
    _TASK.c.lease_token == bindparam("f_token"),
    _TASK.c.state == LEASED,
    _TASK.c.lease_owner == bindparam("f_owner"),
)


def _fenced(lease: Lease) -> Any:
    return (
        (DialTask.id == lease.task_id)
        & (DialTask.lease_token == lease.token)
        & (DialTask.state == LEASED)
        & (DialTask.lease_owner == lease.owner)
    )


@cache
def _fenced_statement(keys: tuple[str, ...]) -> Update:
    return update(_TASK).where(_FENCE).values({k: bindparam(f"v_{k}", type_=_TASK.c[k].type) for k in keys})


def _fenced_update(session: Session, lease: Lease, values: dict[str, Any]) -> None:
    keys = tuple(sorted(values))
    params = {f"v_{k}": values[k] for k in keys}
    params.update(f_id=lease.task_id, f_token=lease.token, f_owner=lease.owner)
    result = session.execute(_fenced_statement(keys), params)
    if result.rowcount != 1:  # type: ignore[attr-defined]  # CursorResult of an UPDATE
        raise LeaseLost(f"task {lease.task_id}: lease {lease.token} lost")


def mark_in_flight(session: Session, lease: Lease, attempt_id: int, ledger_entry_id: int) -> None:
    """Write the call about to be dialled on its task (committed with the reservation)."""
    _fenced_update(session, lease, {"attempt_id": attempt_id, "ledger_entry_id": ledger_entry_id})


def complete(
    session: Session,
    lease: Lease,
    nxt: Next,
    *,
    memory: dict[str, Any],
    denials: dict[str, int],
    attempts: int,
) -> None:
    """End the lease with the retry rule's answer; fenced, in the call's own transaction."""
    values: dict[str, Any] = {
        "lease_owner": None,
        "lease_expires_at": None,
        "attempt_id": None,
        "ledger_entry_id": None,
        "memory": memory,
        "denials": denials,
        "attempts": attempts,
    }
    if nxt.done_reason is not None:
        values.update(state=DONE, done_reason=nxt.done_reason)
    else:
        values.update(state=QUEUED, due_at=nxt.due_at)
    _fenced_update(session, lease, values)


def hand_back(session: Session, lease: Lease, due_at: datetime | None = None) -> None:
    """Return an unstarted task to the queue (paused campaign, outside the window, shutdown)."""
    values: dict[str, Any] = {"state": QUEUED, "lease_owner": None, "lease_expires_at": None}
    if due_at is not None:
        values["due_at"] = due_at
    _fenced_update(session, lease, values)


def hand_back_all(session: Session, worker_id: str) -> int:
    """At shutdown: every task this worker holds with no call in flight goes back to the queue."""
    result = session.execute(
        update(DialTask)
        .where(DialTask.lease_owner == worker_id, DialTask.state == LEASED, DialTask.attempt_id.is_(None))
        .values(state=QUEUED, lease_owner=None, lease_expires_at=None)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]  # CursorResult of an UPDATE


def close_lost_call(session: Session, task: DialTask, now: datetime, reason: str) -> None:
    """Close the attempt a worker left in flight as failed; it stays, and keeps counting."""
    if task.attempt_id is None:
        return
    attempt = session.get(CallAttempt, task.attempt_id)
    if attempt is not None and attempt.status == AttemptStatus.RESERVED:
        outcomes.complete_attempt(
            session,
            attempt.id,
            account_id=attempt.account_id,
            debtor_id=attempt.debtor_id,
            completion=AttemptCompletion(
                ended_at=max(now, attempt.started_at),
                outcome=CallOutcome.FAILED,
                conversation=False,
                talk_seconds=0,
                disposition=Disposition.NONE,
                status=AttemptStatus.FAILED,
            ),
        )
        if task.ledger_entry_id is not None:
            # Counted as a conversation too: someone may have talked, and the caps must not
            # under-count (the stricter reading).
            compliance.record_outcome(
                session, task.ledger_entry_id, CallOutcome.FAILED, conversation=True, attempt_id=attempt.id
            )
        audit.append(
            session,
            at=now,
            actor="dialer",
            action="attempt.closed_lost",
            entity="call_attempt",
            entity_id=attempt.id,
            details={"reason": reason, "task_id": task.id, "worker": task.lease_owner},
        )
        log.warning("attempt %s closed as failed: %s", attempt.id, reason)
    task.attempt_id = None
    task.ledger_entry_id = None


def reclaim_expired(session: Session, now: datetime, *, retry_after: timedelta = timedelta(0)) -> int:
    """Return expired leases to the queue, closing the calls their dead workers left in flight."""
    expired = session.scalars(
        select(DialTask)
        .where(DialTask.state == LEASED, DialTask.lease_expires_at < now)
        .order_by(DialTask.id)
        .with_for_update(skip_locked=True)
    ).all()
    owners = set()
    for task in expired:
        owners.add(task.lease_owner)
        close_lost_call(session, task, now, LOST_CALL_REASON)
        task.state = QUEUED
        task.due_at = max(task.due_at, now + retry_after)
        task.lease_owner = None
        task.lease_expires_at = None
    if owners:
        session.execute(
            update(Worker)
            .where(Worker.id.in_([o for o in owners if o]), Worker.status == "running")
            .values(status="lost")
        )
    session.flush()
    return len(expired)


def abandon(session: Session, lease: Lease, now: datetime, due_at: datetime, reason: str) -> None:
    """A call crashed outside the carrier: close what is in flight and queue the task again."""
    task = session.scalars(select(DialTask).where(_fenced(lease)).with_for_update()).one_or_none()
    if task is None:
        raise LeaseLost(f"task {lease.task_id}: lease {lease.token} lost")
    close_lost_call(session, task, now, reason)
    task.state = QUEUED
    task.due_at = due_at
    task.lease_owner = None
    task.lease_expires_at = None
    session.flush()


@cache
def _next_due(one: bool) -> Select[Any]:
    query = (
        select(func.min(_TASK.c.due_at))
        .join(_CAMPAIGN, _CAMPAIGN.c.id == _TASK.c.campaign_id)
        .where(_TASK.c.state == QUEUED, _CAMPAIGN.c.status == "running")
    )
    return query.where(_TASK.c.campaign_id == bindparam("campaign_id")) if one else query


def next_due(session: Session, campaign_id: int | None = None) -> datetime | None:
    """The earliest due time of queued work in running campaigns."""
    value = session.scalar(_next_due(campaign_id is not None), {"campaign_id": campaign_id})
    return value if isinstance(value, datetime) else None
