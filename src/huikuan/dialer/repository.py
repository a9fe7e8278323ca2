"""All SQL of the dialer, on its own tables only: campaigns, the task queue, caller-ID use and
workers (CONVENTIONS #2). What the dialer needs of accounts, debtors, contacts, attempts,
promises and agents it asks `portfolio.service`, `outcomes.service` and `desk.service`.

The queue's statements run on every call, so they are Core constructs built once (building SQL
expressions costs more than running them on SQLite). A task is leased to one worker at a time:
`lease_due` sets its owner, its expiry and a new fencing token (+1 at every lease); every later
write about the task names that token (`fenced_update`), so a worker whose lease was reclaimed
can no longer touch it. PostgreSQL leases with `SELECT … FOR UPDATE SKIP LOCKED`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Row, Select, Table, Update, and_, bindparam, func, insert, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from huikuan.dialer.models import DENIED_TASK, CallerIdUse, Campaign, DialTask, Worker
from huikuan.portfolio import service as portfolio

LEASED, QUEUED, DONE = "leased", "queued", "done"


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


# -- campaigns --------------------------------------------------------------------------------


def add_campaign(session: Session, campaign: Campaign) -> Campaign:
    session.add(campaign)
    session.flush()
    return campaign


def campaign(session: Session, campaign_id: int, *, lock: bool = False) -> Campaign | None:
    query = select(Campaign).where(Campaign.id == campaign_id)
    if lock:
        query = query.with_for_update()
    return session.scalars(query).one_or_none()


def campaigns(session: Session) -> Sequence[Campaign]:
    """Every campaign, newest first."""
    return session.scalars(select(Campaign).order_by(Campaign.id.desc())).all()


def close_queued(session: Session, campaign_id: int, reason: str) -> None:
    """Every queued task of the campaign is done with `reason`."""
    session.execute(
        update(DialTask)
        .where(DialTask.campaign_id == campaign_id, DialTask.state == QUEUED)
        .values(state=DONE, done_reason=reason)
    )


def task_debtors(session: Session, campaign_id: int) -> set[int]:
    """The debtors that already have a task in the campaign."""
    return set(session.scalars(select(DialTask.debtor_id).where(DialTask.campaign_id == campaign_id)))


def insert_tasks(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        session.execute(insert(DialTask), list(rows))


def tasks_by_state(session: Session, campaign_id: int) -> dict[str, int]:
    rows = session.execute(
        select(DialTask.state, func.count())
        .where(DialTask.campaign_id == campaign_id)
        .group_by(DialTask.state)
    )
    return {state: int(n) for state, n in rows}


def denials_by_rule(session: Session, campaign_id: int) -> dict[str, int]:
    """Compliance denials summed over the campaign's tasks, by rule: added up by the database
    (its JSON functions) over the tasks that have any, found through their partial index."""
    dialect = session.get_bind().dialect.name
    each = "json_each_text" if dialect == "postgresql" else "json_each"
    denied = DENIED_TASK["postgresql" if dialect == "postgresql" else "sqlite"]
    rows = session.execute(
        text(
            f"SELECT d.key, SUM(CAST(d.value AS INTEGER)) FROM dial_task, {each}(dial_task.denials) AS d "  # noqa: S608 - fixed texts
            f"WHERE dial_task.campaign_id = :campaign AND {denied} GROUP BY d.key"
        ),
        {"campaign": campaign_id},
    )
    return {str(rule): int(n) for rule, n in rows}


def done_reasons(session: Session, campaign_id: int) -> dict[str, int]:
    """Tasks done for good, by why (dialed out, denied, …)."""
    rows = session.execute(
        select(DialTask.done_reason, func.count())
        .where(DialTask.campaign_id == campaign_id, DialTask.done_reason.is_not(None))
        .group_by(DialTask.done_reason)
    )
    return {str(reason): int(n) for reason, n in rows}


def open_tasks(session: Session, campaign_id: int, ends_at: datetime | None) -> int:
    """Tasks leased, or queued (due before `ends_at` when the campaign has an end)."""
    query = select(func.count()).where(
        DialTask.campaign_id == campaign_id, DialTask.state.in_((QUEUED, LEASED))
    )
    if ends_at is not None:
        query = query.where((DialTask.state == LEASED) | (DialTask.due_at < ends_at))
    return int(session.scalar(query) or 0)


# -- caller IDs -------------------------------------------------------------------------------


def ensure_caller_id_days(session: Session, numbers: Sequence[str], day: date) -> None:
    """A zero count for each number's day, unless one exists (an atomic upsert)."""
    upsert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    session.execute(
        upsert(CallerIdUse)
        .values([{"caller_id": n, "day": day, "dials": 0} for n in numbers])
        .on_conflict_do_nothing()
    )


def caller_id_dials(session: Session, numbers: Sequence[str], day: date) -> dict[str, int]:
    rows = session.execute(
        select(CallerIdUse.caller_id, CallerIdUse.dials).where(
            CallerIdUse.caller_id.in_(numbers), CallerIdUse.day == day
        )
    )
    return {n: int(d) for n, d in rows}


def count_caller_id_dial(session: Session, number: str, day: date, limit: int) -> bool:
    """Count one dial on the number's day if it is under `limit` (a conditional UPDATE, so
    workers on many hosts never overshoot); False when it is at its limit."""
    taken = session.execute(
        update(CallerIdUse)
        .where(CallerIdUse.caller_id == number, CallerIdUse.day == day, CallerIdUse.dials < limit)
        .values(dials=CallerIdUse.dials + 1)
    )
    return bool(taken.rowcount)  # type: ignore[attr-defined]  # CursorResult of an UPDATE


def uncount_caller_id_dial(session: Session, number: str, day: date) -> None:
    session.execute(
        update(CallerIdUse)
        .where(CallerIdUse.caller_id == number, CallerIdUse.day == day, CallerIdUse.dials > 0)
        .values(dials=CallerIdUse.dials - 1)
    )


# -- workers ----------------------------------------------------------------------------------


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


def mark_workers_lost(session: Session, worker_ids: Iterable[str]) -> None:
    session.execute(
        update(Worker)
        .where(Worker.id.in_(list(worker_ids)), Worker.status == "running")
        .values(status="lost")
    )


# -- the queue (a call's hot path) ------------------------------------------------------------

_TASK: Table = DialTask.__table__  # type: ignore[assignment]  # a mapped class's table is a Table
_CAMPAIGN: Table = Campaign.__table__  # type: ignore[assignment]


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


# One query for a call's facts: the task's own columns and, through the portfolio's service,
# its account and debtor (the portfolio names its tables, the dialer names its own).
_CALL_FACTS = (
    portfolio.call_subject_select(_TASK.c.account_id, _TASK.c.debtor_id)
    .add_columns(_TASK.c.attempts, _TASK.c.memory, _TASK.c.denials)
    .where(_TASK.c.id == bindparam("task_id"))
)


def call_facts(session: Session, task_id: int) -> Row[*tuple[Any, ...]] | None:
    """The account's and debtor's facts (`portfolio.service.call_subject_select`, in its order), then
    the task's attempts, memory and denials."""
    return session.execute(_CALL_FACTS, {"task_id": task_id}).one_or_none()


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


@cache
def _fenced_statement(keys: tuple[str, ...]) -> Update:
    return update(_TASK).where(_FENCE).values({k: bindparam(f"v_{k}", type_=_TASK.c[k].type) for k in keys})


def fenced_update(session: Session, lease: Lease, values: dict[str, Any]) -> None:
    """Write `values` on the leased task; LeaseLost when the lease is no longer this one."""
    keys = tuple(sorted(values))
    params = {f"v_{k}": values[k] for k in keys}
    params.update(f_id=lease.task_id, f_token=lease.token, f_owner=lease.owner)
    result = session.execute(_fenced_statement(keys), params)
    if result.rowcount != 1:  # type: ignore[attr-defined]  # CursorResult of an UPDATE
        raise LeaseLost(f"task {lease.task_id}: lease {lease.token} lost")


def hand_back_all(session: Session, worker_id: str) -> int:
    """At shutdown: every task this worker holds with no call in flight goes back to the queue."""
    result = session.execute(
        update(DialTask)
        .where(DialTask.lease_owner == worker_id, DialTask.state == LEASED, DialTask.attempt_id.is_(None))
        .values(state=QUEUED, lease_owner=None, lease_expires_at=None)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]  # CursorResult of an UPDATE


def expired_leases(session: Session, now: datetime) -> Sequence[DialTask]:
    """Leased tasks whose lease ended before `now`, locked (skipping those another worker holds)."""
    return session.scalars(
        select(DialTask)
        .where(DialTask.state == LEASED, DialTask.lease_expires_at < now)
        .order_by(DialTask.id)
        .with_for_update(skip_locked=True)
    ).all()


def leased_task(session: Session, lease: Lease) -> DialTask | None:
    """The task under this very lease, locked; None when the lease was lost."""
    fenced = (
        (DialTask.id == lease.task_id)
        & (DialTask.lease_token == lease.token)
        & (DialTask.state == LEASED)
        & (DialTask.lease_owner == lease.owner)
    )
    return session.scalars(select(DialTask).where(fenced).with_for_update()).one_or_none()


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
