"""The in-process work queue of a day: one work item per debtor, due times in a heap."""

from __future__ import annotations

import heapq
import itertools
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from huikuan.portfolio.models import Account, Contact, Debtor
from huikuan.types import ContactStatus, Relation


@dataclass(slots=True)
class LineState:
    """What the dialer knows about one number today."""

    contact: Contact
    number: str
    dials_today: int = 0
    blocked: bool = False  # invalid, employer, refused, capped or denied for the rest of the day

    @property
    def relation(self) -> Relation:
        return Relation(self.contact.relation)


@dataclass(slots=True)
class WorkItem:
    debtor_id: int
    account_id: int
    debtor_name: str
    platform: str
    amount_fen: int
    due_date: date
    timezone: str
    lines: list[LineState]
    bucket: str = "M1"  # the account's delinquency bucket: the strategy picks the treatment by it
    self_failures_in_row: int = 0
    attempts: int = 0
    done: bool = False
    # When robots would otherwise idle, an item may be taken before it is due, not before this.
    earliest: datetime | None = None
    third_party_tried: set[int] = field(default_factory=set)

    def pick(self) -> LineState | None:
        """Best number now: the debtor's own numbers first (fewest dials today), third parties
        only after 3 failures in a row or when no own number is left (compliance decides)."""
        own = [ln for ln in self.lines if ln.relation == Relation.SELF and not ln.blocked]
        others = [
            ln
            for ln in self.lines
            if ln.relation in (Relation.FAMILY, Relation.EMERGENCY_CONTACT)
            and not ln.blocked
            and ln.contact.id not in self.third_party_tried
        ]
        if others and (not own or self.self_failures_in_row >= 3):
            return others[0]
        if own:
            return min(own, key=lambda ln: ln.dials_today)
        return None


class WorkQueue:
    def __init__(self) -> None:
        self._heap: list[tuple[datetime, int, WorkItem]] = []
        self._seq = itertools.count()

    def push(self, due: datetime, item: WorkItem) -> None:
        heapq.heappush(self._heap, (due, next(self._seq), item))

    def peek_due(self) -> datetime | None:
        return self._heap[0][0] if self._heap else None

    def peek(self) -> WorkItem | None:
        return self._heap[0][2] if self._heap else None

    def pop(self) -> tuple[datetime, WorkItem]:
        due, _, item = heapq.heappop(self._heap)
        return due, item

    def __len__(self) -> int:
        return len(self._heap)


def load_work(session: Session, batch_id: int | None) -> list[WorkItem]:
    """The portfolio of a campaign, read once: one item per debtor (their largest overdue account)."""
    query = (
        select(Account)
        .where(Account.status == "open")
        .options(selectinload(Account.debtor).selectinload(Debtor.contacts))
        .order_by(Account.id)
    )
    if batch_id is not None:
        query = query.where(Account.batch_id == batch_id)
    by_debtor: dict[int, Account] = {}
    for account in session.scalars(query):
        best = by_debtor.get(account.debtor_id)
        if best is None or account.overdue > best.overdue:
            by_debtor[account.debtor_id] = account
    items = []
    for account in by_debtor.values():
        debtor = account.debtor
        lines = [
            LineState(
                contact=c,
                number=c.number,
                blocked=c.status == ContactStatus.INVALID
                or c.relation == Relation.EMPLOYER
                or c.refused_contact,
            )
            for c in debtor.contacts
        ]
        items.append(
            WorkItem(
                debtor_id=debtor.id,
                account_id=account.id,
                debtor_name=debtor.name,
                platform=account.product or "本平台",
                amount_fen=account.overdue,
                due_date=account.due_date,
                timezone=debtor.timezone,
                lines=lines,
                bucket=account.bucket,
            )
        )
    return items
