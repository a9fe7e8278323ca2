"""Finding accounts for the console: filters on indexed columns, one page at a time.

Personal data never serves as a search key (names and numbers are encrypted); an account is
found by its id, its debtor's id or the creditor's loan reference, then narrowed by creditor,
batch, bucket, status and amount. Filters other domains own (a profile's segment, an open
contact stop) come in as SQL sub-selects from their services, so this module reads only the
portfolio's tables. Names on the page are masked here: the list never shows a full name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Select, exists, false, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import ColumnElement

from huikuan.portfolio.models import Account, Batch, Creditor, Debtor, Payment
from huikuan.security.masking import mask_name

MAX_PAGE_SIZE = 200
# Counting stops here and pages reach no further: counting or skipping 100,000 rows on every
# page costs more than a search may take; past this the floor narrows the filters instead.
COUNT_CAP = 10_000


class SortKey(StrEnum):
    OVERDUE = "overdue"
    DAYS_PAST_DUE = "days_past_due"
    ID = "id"


class StatusFilter(StrEnum):
    """What the floor asks: still to collect, paid, or held by a contact stop."""

    OPEN = "open"
    PAID = "paid"
    STOPPED = "stopped"


@dataclass(frozen=True, slots=True)
class AccountQuery:
    """One search; amounts in minor units (fen, cents); `page` counts from 1."""

    ref: str | None = None  # an account id, a debtor id or a loan reference
    creditor_id: int | None = None
    batch_id: int | None = None
    buckets: tuple[str, ...] = ()
    status: StatusFilter | None = None
    overdue_min: int | None = None
    overdue_max: int | None = None
    sort: SortKey = SortKey.OVERDUE
    descending: bool = True
    page: int = 1
    page_size: int = 50


@dataclass(frozen=True, slots=True)
class AccountRow:
    account_id: int
    debtor_id: int
    debtor_name: str  # masked
    loan_ref: str
    creditor: str
    batch: str
    bucket: str
    days_past_due: int
    overdue: int
    outstanding: int
    currency: str
    status: str


@dataclass(frozen=True, slots=True)
class AccountPage:
    rows: list[AccountRow]
    total: int  # at most COUNT_CAP
    more: bool  # more than `total` match (the count stopped at the cap)
    page: int
    page_size: int
    pages: int = field(init=False)  # the pages that can be opened

    def __post_init__(self) -> None:
        object.__setattr__(self, "pages", max(1, -(-self.total // self.page_size)))


def _conditions(
    query: AccountQuery,
    *,
    in_accounts: Select[Any] | None,
    stopped_debtors: Select[Any] | None,
) -> list[ColumnElement[bool]]:
    """The query's filters on the account table itself (so its indexes serve the sort)."""
    where: list[ColumnElement[bool]] = []
    if query.ref:
        ref = query.ref.strip()
        matches = [Account.loan_ref == ref]
        if ref.isdigit() and len(ref) <= 18:
            matches += [Account.id == int(ref), Account.debtor_id == int(ref)]
        where.append(or_(*matches))
    if query.creditor_id is not None:
        where.append(Account.creditor_id == query.creditor_id)
    if query.batch_id is not None:
        where.append(Account.batch_id == query.batch_id)
    if query.buckets:
        where.append(Account.bucket.in_(query.buckets))
    if query.overdue_min is not None:
        where.append(Account.overdue >= query.overdue_min)
    if query.overdue_max is not None:
        where.append(Account.overdue <= query.overdue_max)
    if in_accounts is not None:
        where.append(Account.id.in_(in_accounts))
    if query.status is StatusFilter.STOPPED:
        # Without the stops' sub-select nothing is known to be stopped.
        if stopped_debtors is None:
            where.append(false())
        else:
            stopped = stopped_debtors.subquery()
            where.append(exists().where(stopped.c[0] == Account.debtor_id))
    elif query.status is StatusFilter.PAID:
        where.append(Account.status == "paid")
    elif query.status is StatusFilter.OPEN:
        where.append(Account.status == "open")
        if stopped_debtors is not None:
            # NOT EXISTS, not NOT IN: PostgreSQL makes it an anti-join.
            stopped = stopped_debtors.subquery()
            where.append(~exists().where(stopped.c[0] == Account.debtor_id))
    return where


def search_accounts(
    session: Session,
    query: AccountQuery,
    *,
    in_accounts: Select[Any] | None = None,
    stopped_debtors: Select[Any] | None = None,
) -> AccountPage:
    """One page of the accounts `query` matches, sorted, with the total.

    `in_accounts` keeps only the account ids it selects (a segment); `stopped_debtors` selects
    the debtors an open contact stop holds (for the stopped / open status)."""
    size = max(1, min(query.page_size, MAX_PAGE_SIZE))
    where = _conditions(query, in_accounts=in_accounts, stopped_debtors=stopped_debtors)
    capped = select(Account.id).where(*where).limit(COUNT_CAP + 1).subquery()
    counted = session.scalar(select(func.count()).select_from(capped)) or 0
    column = {
        SortKey.OVERDUE: Account.overdue,
        SortKey.DAYS_PAST_DUE: Account.days_past_due,
        SortKey.ID: Account.id,
    }[query.sort]
    order = [column.desc(), Account.id.desc()] if query.descending else [column.asc(), Account.id.asc()]
    last_page = max(1, -(-min(counted, COUNT_CAP) // size))
    page = min(max(1, query.page), last_page)
    rows = session.execute(
        select(
            Account.id,
            Account.debtor_id,
            Debtor.name,
            Account.loan_ref,
            Creditor.code,
            Batch.name,
            Account.bucket,
            Account.days_past_due,
            Account.overdue,
            Account.outstanding,
            Account.currency,
            Account.status,
        )
        .join(Debtor, Debtor.id == Account.debtor_id)
        .join(Creditor, Creditor.id == Account.creditor_id)
        .join(Batch, Batch.id == Account.batch_id)
        .where(*where)
        .order_by(*order)
        .limit(size)
        .offset((page - 1) * size)
    ).all()
    return AccountPage(
        rows=[
            AccountRow(
                account_id=r[0],
                debtor_id=r[1],
                debtor_name=mask_name(r[2]),
                loan_ref=r[3],
                creditor=r[4],
                batch=r[5],
                bucket=r[6],
                days_past_due=r[7],
                overdue=r[8],
                outstanding=r[9],
                currency=r[10],
                status=r[11],
            )
            for r in rows
        ],
        total=min(counted, COUNT_CAP),
        more=counted > COUNT_CAP,
        page=page,
        page_size=size,
    )


@dataclass(frozen=True, slots=True)
class Choice:
    id: int
    name: str


def creditors(session: Session) -> list[Choice]:
    return [
        Choice(i, code)
        for i, code in session.execute(select(Creditor.id, Creditor.code).order_by(Creditor.code))
    ]


def batches(session: Session, creditor_id: int | None = None, limit: int = 500) -> list[Choice]:
    """The newest batches (of one creditor), for a filter's choices."""
    stmt = select(Batch.id, Batch.name).order_by(Batch.id.desc()).limit(limit)
    if creditor_id is not None:
        stmt = stmt.where(Batch.creditor_id == creditor_id)
    return [Choice(i, name) for i, name in session.execute(stmt)]


@dataclass(frozen=True, slots=True)
class AccountDetail:
    """An account with its creditor and batch; no personal data (the debtor card has it)."""

    id: int
    debtor_id: int
    creditor: str
    batch: str
    loan_ref: str
    product: str | None
    currency: str
    principal: int
    outstanding: int
    overdue: int
    due_date: date
    days_past_due: int
    as_of: date
    bucket: str
    status: str
    jurisdiction: str


def account_detail(session: Session, account_id: int) -> AccountDetail | None:
    row = session.execute(
        select(Account, Creditor.code, Batch.name, Debtor.jurisdiction)
        .join(Creditor, Creditor.id == Account.creditor_id)
        .join(Batch, Batch.id == Account.batch_id)
        .join(Debtor, Debtor.id == Account.debtor_id)
        .where(Account.id == account_id)
    ).first()
    if row is None:
        return None
    a: Account = row[0]
    return AccountDetail(
        id=a.id,
        debtor_id=a.debtor_id,
        creditor=row[1],
        batch=row[2],
        loan_ref=a.loan_ref,
        product=a.product,
        currency=a.currency,
        principal=a.principal,
        outstanding=a.outstanding,
        overdue=a.overdue,
        due_date=a.due_date,
        days_past_due=a.days_past_due,
        as_of=a.as_of,
        bucket=a.bucket,
        status=a.status,
        jurisdiction=row[3],
    )


@dataclass(frozen=True, slots=True)
class PaymentView:
    id: int
    amount: int
    paid_at: datetime
    source: str


def payments_of(session: Session, account_id: int) -> list[PaymentView]:
    rows = session.scalars(select(Payment).where(Payment.account_id == account_id).order_by(Payment.paid_at))
    return [PaymentView(p.id, p.amount, p.paid_at, p.source) for p in rows]
