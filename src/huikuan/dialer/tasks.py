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

This module is the queue's API; its SQL is `dialer.repository` (CONVENTIONS #2), and the
account, debtor and contacts of a call come from `portfolio.service`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from huikuan import compliance
from huikuan.dialer import repository
from huikuan.dialer.models import DialTask
from huikuan.dialer.repository import (
    DONE,
    LEASED,
    QUEUED,
    Lease,
    LeaseLost,
    hand_back_all,
    heartbeat,
    lease_due,
    next_due,
    register_worker,
    set_worker_status,
)
from huikuan.dialer.retry import Next
from huikuan.outcomes import service as outcomes
from huikuan.outcomes.service import AttemptCompletion
from huikuan.portfolio import service as portfolio
from huikuan.portfolio.service import Contact
from huikuan.security import audit
from huikuan.types import AttemptStatus, CallOutcome, Disposition

log = logging.getLogger(__name__)

LOST_CALL_REASON = "worker lost mid-call (lease expired); the dial may have happened"

__all__ = [
    "DONE",
    "LEASED",
    "LOST_CALL_REASON",
    "QUEUED",
    "CallFacts",
    "Lease",
    "LeaseLost",
    "abandon",
    "call_facts",
    "close_lost_call",
    "complete",
    "contacts_of",
    "hand_back",
    "hand_back_all",
    "heartbeat",
    "lease_due",
    "mark_in_flight",
    "next_due",
    "reclaim_expired",
    "register_worker",
    "set_worker_status",
]


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


def call_facts(session: Session, task_id: int) -> CallFacts:
    """The task's own facts for one call; raises if the task, account or debtor is missing."""
    row = repository.call_facts(session, task_id)
    if row is None:
        raise RuntimeError(f"task {task_id}: task, account or debtor missing")
    # The portfolio's nine columns in their documented order, then the task's three.
    *subject, attempts, memory, denials = row
    return CallFacts(attempts, memory or {}, dict(denials or {}), *subject)


def contacts_of(session: Session, debtor_id: int) -> list[Contact]:
    """The debtor's numbers, in a stable order (the number pick depends on it)."""
    return portfolio.contacts_of(session, debtor_id)


def mark_in_flight(session: Session, lease: Lease, attempt_id: int, ledger_entry_id: int) -> None:
    """Write the call about to be dialled on its task (committed with the reservation)."""
    repository.fenced_update(session, lease, {"attempt_id": attempt_id, "ledger_entry_id": ledger_entry_id})


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
    repository.fenced_update(session, lease, values)


def hand_back(session: Session, lease: Lease, due_at: datetime | None = None) -> None:
    """Return an unstarted task to the queue (paused campaign, outside the window, shutdown)."""
    values: dict[str, Any] = {"state": QUEUED, "lease_owner": None, "lease_expires_at": None}
    if due_at is not None:
        values["due_at"] = due_at
    repository.fenced_update(session, lease, values)


def close_lost_call(session: Session, task: DialTask, now: datetime, reason: str) -> None:
    """Close the attempt a worker left in flight as failed; it stays, and keeps counting."""
    if task.attempt_id is None:
        return
    attempt = outcomes.attempt_facts(session, task.attempt_id)
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
    expired = repository.expired_leases(session, now)
    owners = set()
    for task in expired:
        owners.add(task.lease_owner)
        close_lost_call(session, task, now, LOST_CALL_REASON)
        task.state = QUEUED
        task.due_at = max(task.due_at, now + retry_after)
        task.lease_owner = None
        task.lease_expires_at = None
    if owners:
        repository.mark_workers_lost(session, [o for o in owners if o])
    session.flush()
    return len(expired)


def abandon(session: Session, lease: Lease, now: datetime, due_at: datetime, reason: str) -> None:
    """A call crashed outside the carrier: close what is in flight and queue the task again."""
    task = repository.leased_task(session, lease)
    if task is None:
        raise LeaseLost(f"task {lease.task_id}: lease {lease.token} lost")
    close_lost_call(session, task, now, reason)
    task.state = QUEUED
    task.due_at = due_at
    task.lease_owner = None
    task.lease_expires_at = None
    session.flush()
