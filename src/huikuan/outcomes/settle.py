"""Promises to pay and installment plans settled from the payments the creditor reports.

The rule, per account: payments are taken oldest first and each pays toward the oldest pending
promise it can (one yuan never counts twice); a payment made before a promise was given does
not count toward it. A promise whose payments reach its amount by its due day plus a grace day
(bank transfers land a day late) is kept; a promise whose grace day has passed without that is
broken; otherwise it stays pending. Days are read in the account's local zone, the floor's by
default. Settling again gives the same answer: it is a pure function of promises and payments.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from huikuan.outcomes import repository
from huikuan.outcomes.models import Promise
from huikuan.portfolio import service as portfolio_service
from huikuan.strategy.plans import schedule
from huikuan.types import PromiseStatus

GRACE = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Settled:
    kept: int
    broken: int
    pending: int


def settle_promises(
    session: Session, today: date, account_ids: Sequence[int] | None = None, zone: str = "Asia/Shanghai"
) -> Settled:
    """Mark pending promises kept or broken as of `today` (all accounts, or those given)."""
    pending = repository.pending_promises(session, account_ids)
    payments = portfolio_service.payments_of(session, sorted({p.account_id for p in pending}))
    kept = broken = 0
    by_account: dict[int, list[Promise]] = {}
    for promise in pending:
        by_account.setdefault(promise.account_id, []).append(promise)
    for account_id, promises in by_account.items():
        for promise, status in _decide(promises, payments.get(account_id, []), today, ZoneInfo(zone)):
            promise.status = status.value
            kept += status is PromiseStatus.KEPT
            broken += status is PromiseStatus.BROKEN
    session.flush()
    return Settled(kept=kept, broken=broken, pending=len(pending) - kept - broken)


@dataclass(slots=True)
class _Money:
    unused: int  # what of the payment no promise has counted yet
    paid_at: datetime


def _decide(
    promises: list[Promise], payments: list[tuple[int, datetime]], today: date, zone: ZoneInfo
) -> list[tuple[Promise, PromiseStatus]]:
    """The promises whose status changes, with the new status (pending ones left out)."""
    left = [_Money(amount, paid_at) for amount, paid_at in payments]
    changes: list[tuple[Promise, PromiseStatus]] = []
    for promise in promises:  # oldest due first
        deadline = promise.due_date + GRACE
        owed = promise.amount
        for money in left:
            paid_on = money.paid_at.astimezone(zone).date()
            if money.unused == 0 or money.paid_at < promise.created_at or paid_on > deadline:
                continue
            used = min(owed, money.unused)
            money.unused -= used
            owed -= used
            if owed == 0:
                break
        if owed == 0:
            changes.append((promise, PromiseStatus.KEPT))
        elif today > deadline:
            changes.append((promise, PromiseStatus.BROKEN))
    return changes


class PlanStatus:
    """`installment_plan.status`: agreed on the call, then current, kept or broken."""

    AGREED = "agreed"
    CURRENT = "current"  # every installment due so far is paid
    KEPT = "kept"  # every installment paid
    BROKEN = "broken"  # an installment's grace day passed unpaid


@dataclass(frozen=True, slots=True)
class PlanProgress:
    plan_id: int
    status: str
    installments_paid: int
    terms: int
    next_due: date | None


def settle_plans(
    session: Session, today: date, account_ids: Sequence[int] | None = None
) -> list[PlanProgress]:
    """Each open plan's installments paid oldest first from the account's payments made since the
    plan was agreed; the plan is kept when all are paid, broken when one is a grace day late,
    current otherwise. Payments count toward a plan and a promise of the same account alike:
    a plan replaces the promise it was agreed with."""
    plans = repository.open_plans(session, account_ids)
    payments = portfolio_service.payments_of(session, sorted({p.account_id for p in plans}))
    progress = []
    for plan in plans:
        first = plan.first_amount if plan.first_amount is not None else plan.amount_per_term
        due = schedule(plan.first_due, first, plan.amount_per_term, plan.terms)
        paid_so_far = sum(
            amount for amount, paid_at in payments.get(plan.account_id, []) if paid_at >= plan.created_at
        )
        paid_count, owed = 0, 0
        for _day, amount in due:
            owed += amount
            if paid_so_far < owed:
                break
            paid_count += 1
        next_due = due[paid_count][0] if paid_count < len(due) else None
        if next_due is None:
            plan.status = PlanStatus.KEPT
        elif today > next_due + GRACE:
            plan.status = PlanStatus.BROKEN
        else:
            plan.status = PlanStatus.CURRENT
        progress.append(PlanProgress(plan.id, plan.status, paid_count, plan.terms, next_due))
    session.flush()
    return progress
