"""Payments reported by the creditor (还款文件): read, matched to accounts, recorded once.

A row names the loan (`loan_id`, the same 借据号 as the accounts file), the creditor's own
transaction reference (还款流水号), the amount and the day or instant it was paid. The reference
makes the import idempotent: a row already recorded for that account is counted as present,
never paid twice, so a creditor may send a cumulative file every day. Each recorded payment
lowers the account's outstanding and overdue amounts (never below zero); an account paid in
full is closed (`paid`), which takes it out of every campaign's targets.

Rows are validated before anything is written; a bad row is reported by row and column (never
with its content) and loses no good row. Promises and plans are settled from these payments by
the outcomes domain (`outcomes/settle.py`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from huikuan.portfolio import repository
from huikuan.portfolio.importer import Table
from huikuan.portfolio.models import Account, Payment
from huikuan.portfolio.schemas import Column, RowError
from huikuan.portfolio.validation import (
    BAD_AMOUNT,
    BAD_DATE,
    HUGE_AMOUNT,
    MAX_AMOUNT,
    MISSING,
    TOO_LONG,
    parse_date,
)
from huikuan.security import audit
from huikuan.types import to_minor_units

PAYMENT_COLUMNS: tuple[Column, ...] = (
    Column("loan_id", "借据号", True, ("loan_ref", "借款编号", "合同号")),
    Column("reference", "还款流水号", True, ("payment_ref", "transaction_id", "交易流水号", "流水号")),
    Column("amount", "还款金额", True, ("paid_amount", "实还金额", "金额")),
    Column("paid_at", "还款时间", True, ("paid_on", "payment_date", "还款日期", "入账日期")),
)
UNKNOWN_LOAN = "借据号不存在 / no such loan for this creditor"
NOT_POSITIVE = "还款金额须大于零 / the amount must be more than zero"
REPEATED_IN_FILE = "文件内还款流水号重复 / reference repeated in the file"
MAX_REFERENCE = 64
_INSTANT = re.compile(r"^(\d{4}-\d{2}-\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$")


class PaymentImportResult(BaseModel):
    """What a payments import did; `errors` is the row-level error report."""

    creditor: str
    sha256: str
    rows_read: int = 0
    payments_recorded: int = 0
    rows_already_present: int = 0
    rows_rejected: int = 0
    amount_recorded: int = 0  # minor units
    accounts_paid_off: int = 0
    rejected_by_reason: dict[str, int] = Field(default_factory=dict)
    errors: list[RowError] = Field(default_factory=list)
    account_ids: list[int] = Field(default_factory=list)  # accounts that received money


@dataclass(frozen=True, slots=True)
class PaymentRow:
    row: int
    loan_ref: str
    reference: str
    amount: int
    paid_at: datetime


def paid_instant(text: str, zone: str) -> datetime | None:
    """'2026-11-03 14:20' (local time in `zone`) or a day alone (taken as noon local time, so
    the day is the same in every zone a floor reads it in); None when unreadable."""
    text = text.strip()
    stamp = _INSTANT.match(text)
    if stamp:
        day = parse_date(stamp.group(1))
        hour, minute, second = int(stamp.group(2)), int(stamp.group(3)), int(stamp.group(4) or 0)
        if day is None or hour > 23 or minute > 59 or second > 59:
            return None
        local = datetime.combine(day, time(hour, minute, second), tzinfo=ZoneInfo(zone))
    else:
        only_day = parse_date(text)
        if only_day is None:
            return None
        local = datetime.combine(only_day, time(12), tzinfo=ZoneInfo(zone))
    return local.astimezone(UTC)


def _cell(cells: list[str], columns: dict[str, int], key: str) -> str:
    index = columns.get(key)
    return cells[index].strip() if index is not None and index < len(cells) else ""


def validate_rows(table: Table, zone: str) -> tuple[list[PaymentRow], list[RowError], int]:
    """Every row checked alone; (accepted rows, row errors, rows read)."""
    accepted: list[PaymentRow] = []
    errors: list[RowError] = []
    seen: set[tuple[str, str]] = set()
    rows_read = 0
    for number, cells in table.rows:
        rows_read += 1
        found: list[RowError] = []

        def err(column: str, reason: str, row: int = number, into: list[RowError] = found) -> None:
            into.append(RowError(row=row, column=column, reason=reason))

        loan_ref = _cell(cells, table.columns, "loan_id")
        reference = _cell(cells, table.columns, "reference")
        for key, value in (("loan_id", loan_ref), ("reference", reference)):
            if not value:
                err(key, MISSING)
            elif len(value) > MAX_REFERENCE:
                err(key, TOO_LONG)
        amount = _amount(_cell(cells, table.columns, "amount"), err)
        paid_text = _cell(cells, table.columns, "paid_at")
        paid_at = paid_instant(paid_text, zone) if paid_text else None
        if not paid_text:
            err("paid_at", MISSING)
        elif paid_at is None:
            err("paid_at", BAD_DATE)
        if not found and (loan_ref, reference) in seen:
            err("reference", REPEATED_IN_FILE)
        if found or amount is None or paid_at is None:
            errors += found
            continue
        seen.add((loan_ref, reference))
        accepted.append(PaymentRow(number, loan_ref, reference, amount, paid_at))
    return accepted, errors, rows_read


def _amount(text: str, err: Callable[[str, str], None]) -> int | None:
    if not text:
        err("amount", MISSING)
        return None
    try:
        value = to_minor_units(text)
    except ValueError:
        err("amount", BAD_AMOUNT)
        return None
    if value <= 0:
        err("amount", NOT_POSITIVE)
        return None
    if value > MAX_AMOUNT:
        err("amount", HUGE_AMOUNT)
        return None
    return value


def import_payments(
    session: Session,
    table: Table,
    *,
    creditor: str,
    at: datetime,
    actor: str = "system",
    zone: str = "Asia/Shanghai",
) -> PaymentImportResult:
    """Record the new payments of `table` for `creditor`'s loans (audited); does not commit.
    `zone` reads paid times written without one (the creditor's local time)."""
    accepted, errors, rows_read = validate_rows(table, zone)
    result = PaymentImportResult(creditor=creditor, sha256=table.sha256, rows_read=rows_read)
    creditor_id = repository.get_or_create_creditor(session, creditor)
    accounts = repository.accounts_by_ref(session, creditor_id, {row.loan_ref for row in accepted})
    known = repository.recorded_payment_references(session, [a.id for a in accounts.values()])
    touched: dict[int, Account] = {}
    for row in accepted:
        account = accounts.get(row.loan_ref)
        if account is None:
            errors.append(RowError(row=row.row, column="loan_id", reason=UNKNOWN_LOAN))
            continue
        if (account.id, row.reference) in known:
            result.rows_already_present += 1
            continue
        known.add((account.id, row.reference))
        session.add(
            Payment(
                account_id=account.id,
                amount=row.amount,
                paid_at=row.paid_at,
                source="import",
                reference=row.reference,
            )
        )
        _apply(account, row.amount)
        touched[account.id] = account
        result.payments_recorded += 1
        result.amount_recorded += row.amount
    session.flush()
    result.errors = sorted(errors, key=lambda e: (e.row, e.column))
    result.rows_rejected = len({e.row for e in result.errors})
    result.rejected_by_reason = dict(Counter(e.reason for e in result.errors))
    result.accounts_paid_off = sum(1 for a in touched.values() if a.status == "paid")
    result.account_ids = sorted(touched)
    audit.append(
        session,
        at=at,
        actor=actor,
        action="portfolio.import_payments",
        entity="creditor",
        entity_id=creditor_id,
        details={
            "payments_recorded": result.payments_recorded,
            "rows_already_present": result.rows_already_present,
            "rows_rejected": result.rows_rejected,
            "amount_recorded": result.amount_recorded,
            "sha256": table.sha256,
        },
    )
    return result


def record_payment(
    session: Session, account_id: int, amount: int, paid_at: datetime, *, source: str, reference: str
) -> bool:
    """Record one payment (the simulator, a desk entry); False when `reference` is already
    recorded for the account. Lowers the balances like an imported one."""
    account = session.get(Account, account_id)
    if account is None or amount <= 0:
        raise ValueError("payment on an unknown account or of no amount")
    if (account_id, reference) in repository.recorded_payment_references(session, [account_id]):
        return False
    session.add(
        Payment(account_id=account_id, amount=amount, paid_at=paid_at, source=source, reference=reference)
    )
    _apply(account, amount)
    session.flush()
    return True


def _apply(account: Account, amount: int) -> None:
    """Money received lowers what is owed; owing nothing closes the account."""
    account.outstanding = max(0, account.outstanding - amount)
    account.overdue = max(0, min(account.overdue - amount, account.outstanding))
    if account.outstanding == 0:
        account.status = "paid"
