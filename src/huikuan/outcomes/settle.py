"""Promises to pay settled from the payments the creditor reports.

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
