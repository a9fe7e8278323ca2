"""The portfolio service other packages call: import accounts from a file or from bytes, and
read what other domains need (campaign targets, a call's account and debtor, a debtor's numbers)
without touching the portfolio's tables.

Everything is read and validated before anything is written, so an unreadable file writes
nothing; accepted rows are then written with a few bulk inserts in the caller's transaction.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import ColumnElement

from huikuan.errors import Conflict, NotFound
from huikuan.portfolio import quality, repository
from huikuan.portfolio.buckets import DEFAULT_SCHEME, BucketScheme
from huikuan.portfolio.importer import Table, read_bytes, read_path
from huikuan.portfolio.models import Batch, Contact, Debtor
from huikuan.portfolio.payments import (
    PAYMENT_COLUMNS,
    PaymentImportResult,
    import_payments,
)
from huikuan.portfolio.payments import (
    record_payment as record_payment,
)
from huikuan.portfolio.schemas import BatchSummary, ImportResult, RowError
from huikuan.portfolio.validation import RowValidator, ValidRow
from huikuan.security import audit
from huikuan.types import ContactStatus, KnowledgeCheck


def import_file(
    session: Session,
    path: Path,
    *,
    batch_name: str,
    creditor: str = "default",
    as_of: date,
    scheme: BucketScheme = DEFAULT_SCHEME,
    actor: str = "system",
) -> ImportResult:
    """Import an accounts file (CSV or XLSX) as batch `batch_name`; does not commit."""
    return import_table(
        session,
        read_path(path),
        batch_name=batch_name,
        creditor=creditor,
        as_of=as_of,
        scheme=scheme,
        actor=actor,
    )


def import_bytes(
    session: Session,
    data: bytes,
    *,
    label: str,
    batch_name: str,
    creditor: str = "default",
    as_of: date,
    scheme: BucketScheme = DEFAULT_SCHEME,
    actor: str = "system",
    at: datetime | None = None,
) -> ImportResult:
    """Import file content already in memory (`label` names it in messages); does not commit.
    `at` is the instant recorded for the batch and its audit event (default: now)."""
    return import_table(
        session,
        read_bytes(data, label),
        batch_name=batch_name,
        creditor=creditor,
        as_of=as_of,
        scheme=scheme,
        actor=actor,
        at=at,
    )


def import_table(
    session: Session,
    table: Table,
    *,
    batch_name: str,
    creditor: str,
    as_of: date,
    scheme: BucketScheme = DEFAULT_SCHEME,
    actor: str = "system",
    at: datetime | None = None,
) -> ImportResult:
    """Validate every row of `table`, then write the accepted ones (audited); does not commit."""
    now = at or datetime.now(UTC)
    accepted, errors, rows_read = _validate(table, as_of, scheme)
    creditor_id = repository.get_or_create_creditor(session, creditor)
    result = ImportResult(
        batch_id=0,
        batch_name=batch_name,
        creditor=creditor,
        sha256=table.sha256,
        rows_read=rows_read,
        rows_rejected=len({e.row for e in errors}),
        rejected_by_reason=dict(Counter(e.reason for e in errors)),
        extra_columns=table.extra_columns,
        errors=errors,
        quality=quality.assess(accepted, as_of),
    )
    existing = repository.find_batch(session, creditor_id, batch_name)
    if existing is not None:
        if existing.source_sha256 != table.sha256:
            raise Conflict(
                f"批次 {batch_name} 已由另一个文件导入 / batch {batch_name} was already imported "
                "from a different file; choose another --batch name"
            )
        result.batch_id = existing.id
        result.already_imported = True
        result.rows_already_present = len(accepted)
        return result
    batch = repository.create_batch(session, creditor_id, batch_name, table.sha256, now)
    result.batch_id = batch.id
    _write(session, result, accepted, creditor_id, batch.id, as_of)
    batch.rows_imported = result.rows_imported
    batch.rows_rejected = result.rows_rejected
    # Kept for the console's error file: keys and fixed reasons, never a cell's content.
    repository.insert_row_errors(session, batch.id, ((e.row, e.column, e.reason) for e in errors))
    session.flush()
    audit.append(
        session,
        at=now,
        actor=actor,
        action="portfolio.import",
        entity="batch",
        entity_id=batch.id,
        details={
            "rows_imported": result.rows_imported,
            "rows_rejected": result.rows_rejected,
            "sha256": table.sha256,
        },
    )
    return result


def _validate(table: Table, as_of: date, scheme: BucketScheme) -> tuple[list[ValidRow], list[RowError], int]:
    validator = RowValidator(as_of, scheme)
    keys = list(table.columns.items())
    accepted: list[ValidRow] = []
    errors: list[RowError] = []
    rows_read = 0
    for number, cells in table.rows:
        rows_read += 1
        width = len(cells)
        record = {key: cells[index] if index < width else "" for key, index in keys}
        outcome = validator.validate(number, record)
        if isinstance(outcome, ValidRow):
            accepted.append(outcome)
        else:
            errors.extend(outcome)
    return accepted, errors, rows_read


def _write(
    session: Session, result: ImportResult, rows: list[ValidRow], creditor_id: int, batch_id: int, as_of: date
) -> None:
    present = repository.existing_loan_refs(session, creditor_id, [r.loan_ref for r in rows])
    new_rows = [r for r in rows if r.loan_ref not in present]
    result.rows_already_present = len(rows) - len(new_rows)
    debtor_ids = repository.existing_debtors(session, sorted({r.identity_key for r in new_rows}))
    known_contacts = repository.existing_contacts(session, sorted(set(debtor_ids.values())))

    new_debtors: dict[str, dict[str, Any]] = {}
    for r in new_rows:
        if r.identity_key not in debtor_ids and r.identity_key not in new_debtors:
            new_debtors[r.identity_key] = {
                "name": r.name,
                "national_id": r.national_id,
                "identity_key": r.identity_key,
                "jurisdiction": r.jurisdiction,
                "region": r.region,
                "dialect": r.dialect,
                "timezone": r.timezone,
                "other_timezones": " ".join(r.other_timezones),
                "ai_voice_consent": r.ai_voice_consent,
                "contact_seq": 0,
            }
    debtor_ids.update(repository.insert_debtors(session, list(new_debtors.values())))
    result.debtors_created = len(new_debtors)

    contacts: list[dict[str, Any]] = []
    accounts: list[dict[str, Any]] = []
    for r in new_rows:
        debtor_id = debtor_ids[r.identity_key]
        for c in r.contacts:
            if (debtor_id, c.number_key) in known_contacts:
                continue
            known_contacts.add((debtor_id, c.number_key))
            contacts.append(
                {
                    "debtor_id": debtor_id,
                    "number": c.e164,
                    "number_key": c.number_key,
                    "relation": c.relation.value,
                    "name": c.name,
                    "status": ContactStatus.UNKNOWN.value,
                    "refused_contact": False,
                }
            )
        accounts.append(
            {
                "creditor_id": creditor_id,
                "batch_id": batch_id,
                "debtor_id": debtor_id,
                "loan_ref": r.loan_ref,
                "product": r.product,
                "currency": r.currency,
                "principal": r.principal,
                "outstanding": r.outstanding,
                "overdue": r.overdue,
                "due_date": r.due_date,
                "days_past_due": max(r.days_past_due, 0),
                "as_of": as_of,
                "bucket": r.bucket,
                "status": "open",
            }
        )
    repository.insert_contacts(session, contacts)
    repository.insert_accounts(session, accounts)
    result.contacts_created = len(contacts)
    result.rows_imported = len(accounts)


def recent_batches(session: Session, limit: int = 50) -> list[BatchSummary]:
    """The latest imports (委案批次), newest first, with their counts."""
    return [_summary(batch, code) for batch, code in repository.recent_batches(session, limit)]


def batch_summary(session: Session, batch_id: int) -> BatchSummary:
    """One import's counts; NotFound when there is no such batch."""
    found = repository.get_batch(session, batch_id)
    if found is None:
        raise NotFound(f"没有该批次 / no batch {batch_id}")
    return _summary(*found)


def batch_errors(session: Session, batch_id: int) -> list[RowError]:
    """The row-level errors kept for a batch (empty for a clean file); NotFound without the batch."""
    if not repository.batch_exists(session, batch_id):
        raise NotFound(f"没有该批次 / no batch {batch_id}")
    return [
        RowError(row=e.row, column=e.column, reason=e.reason)
        for e in repository.row_errors(session, batch_id)
    ]


def batch_reasons(session: Session, batch_id: int) -> list[tuple[str, int]]:
    """How many problems of each reason a batch's file had, the most frequent first."""
    return repository.reason_counts(session, batch_id)


def creditor_codes(session: Session) -> list[str]:
    """Codes of the creditors known so far (the import form offers them)."""
    return repository.creditor_codes(session)


def _summary(batch: Batch, creditor: str) -> BatchSummary:
    return BatchSummary(
        batch_id=batch.id,
        batch_name=batch.name,
        creditor=creditor,
        created_at=batch.created_at,
        rows_imported=batch.rows_imported,
        rows_rejected=batch.rows_rejected,
    )


# -- reads for other domains ---------------------------------------------------------------------


def batch_exists(session: Session, batch_id: int) -> bool:
    """Whether the batch (委案批次) exists."""
    return repository.batch_exists(session, batch_id)


def targets_for_campaign(
    session: Session,
    *,
    jurisdiction: str,
    batch_id: int | None = None,
    creditor_id: int | None = None,
    buckets: Sequence[str] = (),
    dpd_min: int | None = None,
    dpd_max: int | None = None,
) -> dict[int, int]:
    """debtor id → the account to call about (the debtor's largest overdue open account)."""
    best: dict[int, tuple[int, int]] = {}
    for account_id, debtor_id, overdue in repository.open_accounts(
        session,
        jurisdiction=jurisdiction,
        batch_id=batch_id,
        creditor_id=creditor_id,
        buckets=buckets,
        dpd_min=dpd_min,
        dpd_max=dpd_max,
    ):
        if debtor_id not in best or overdue > best[debtor_id][1]:
            best[debtor_id] = (account_id, overdue)
    return {d: a for d, (a, _) in best.items()}


def call_subject_select(account_id: ColumnElement[int], debtor_id: ColumnElement[int]) -> Select[Any]:
    """The account and debtor facts one call needs, as a SELECT for the account and debtor the
    two SQL expressions name, labelled account_id, bucket, product, overdue, due_date, debtor_id,
    debtor_name, timezone, dialect (`debtor_name` is personal data).

    For a caller's own prebuilt statement on a hot path: the dialer adds its task's columns and
    reads a call's facts in one query, without naming the portfolio's tables.
    """
    return repository.call_subject_select(account_id, debtor_id)


def contacts_of(session: Session, debtor_id: int) -> list[Contact]:
    """The debtor's numbers, in a stable order (id)."""
    return repository.contacts_of(session, debtor_id)


@dataclass(frozen=True, slots=True)
class AccountFacts:
    """What profiling reads of one open account and its debtor (no personal data)."""

    account_id: int
    debtor_id: int
    bucket: str
    days_past_due: int  # as of `as_of`
    as_of: date
    principal: int
    outstanding: int
    overdue: int
    timezone: str
    has_national_id: bool
    has_region: bool


@dataclass(frozen=True, slots=True)
class ContactFacts:
    contact_id: int
    debtor_id: int
    relation: str
    status: str


@dataclass(frozen=True, slots=True)
class PaymentFacts:
    account_id: int
    amount: int
    paid_at: datetime


def profiling_facts(
    session: Session, until: datetime
) -> tuple[list[AccountFacts], list[ContactFacts], list[PaymentFacts]]:
    """Open accounts, their debtors' numbers and the payments received before `until`."""
    accounts, contacts, payments = repository.profiling_rows(session, until)
    return (
        [AccountFacts(*row) for row in accounts],
        [ContactFacts(*row) for row in contacts],
        [PaymentFacts(*row) for row in payments],
    )


def set_knowledge_check(session: Session, creditor: str, check: KnowledgeCheck) -> None:
    """Set what the robot asks a creditor's debtors after the name, before any disclosure."""
    repository.set_knowledge_check(session, repository.get_or_create_creditor(session, creditor), check.value)


def knowledge_answer(session: Session, account_id: int) -> tuple[KnowledgeCheck, str]:
    """The account's creditor's knowledge check and its expected answer (personal data: the ID
    number's last four, the year of birth from a Chinese ID number, or the product), decrypted
    here for the call's context only. NONE when the creditor asks nothing or the answer is unknown."""
    facts = repository.knowledge_facts(session, account_id)
    if facts is None:
        return KnowledgeCheck.NONE, ""
    check, national_id, product = KnowledgeCheck(facts[0]), (facts[1] or "").strip(), facts[2] or ""
    answer = ""
    if check == KnowledgeCheck.ID_LAST4 and len(national_id) >= 4:
        answer = national_id[-4:].upper()
    elif check == KnowledgeCheck.BIRTH_YEAR:
        answer = birth_year(national_id) or ""
    elif check == KnowledgeCheck.PRODUCT:
        answer = product
    return (check, answer) if answer else (KnowledgeCheck.NONE, "")


def birth_year(national_id: str) -> str | None:
    """The year of birth a resident ID number (GB 11643: 18 characters, or the old 15) carries."""
    if len(national_id) == 18 and national_id[6:10].isdigit():
        return national_id[6:10]
    if len(national_id) == 15 and national_id[6:8].isdigit():
        return "19" + national_id[6:8]
    return None


__all__ = [
    "Contact",
    "batch_exists",
    "birth_year",
    "call_subject_select",
    "contacts_of",
    "import_bytes",
    "import_file",
    "import_table",
    "knowledge_answer",
    "set_knowledge_check",
    "targets_for_campaign",
]


ERASED = "[已删除 / erased]"


def debtor_accounts(session: Session, debtor_id: int) -> list[dict[str, object]]:
    """The debtor's accounts as plain values (ids, amounts in minor units, status)."""
    return [
        {
            "id": a.id,
            "loan_ref": a.loan_ref,
            "product": a.product,
            "currency": a.currency,
            "principal": a.principal,
            "outstanding": a.outstanding,
            "overdue": a.overdue,
            "due_date": a.due_date.isoformat(),
            "days_past_due": a.days_past_due,
            "bucket": a.bucket,
            "status": a.status,
        }
        for a in repository.accounts_of(session, debtor_id)
    ]


def erase_debtor_identity(session: Session, debtor_id: int) -> None:
    """Replace the debtor's name, ID number and every number and name on their contacts."""
    debtor = session.get(Debtor, debtor_id)
    if debtor is None:
        raise NotFound(f"没有债务人 / no debtor {debtor_id}")
    debtor.name = ERASED
    debtor.national_id = None
    for contact in debtor.contacts:
        contact.number = ERASED
        contact.name = ERASED if contact.name is not None else None
        contact.status = ContactStatus.INVALID.value
    session.flush()


def import_payments_file(
    session: Session,
    path: Path,
    *,
    creditor: str,
    at: datetime,
    actor: str = "system",
    zone: str = "Asia/Shanghai",
) -> PaymentImportResult:
    """Record a creditor's payments file (CSV or XLSX; portfolio/payments.py); does not commit."""
    table = read_path(path, PAYMENT_COLUMNS)
    return import_payments(session, table, creditor=creditor, at=at, actor=actor, zone=zone)


def import_payments_bytes(
    session: Session,
    data: bytes,
    *,
    label: str,
    creditor: str,
    at: datetime,
    actor: str = "system",
    zone: str = "Asia/Shanghai",
) -> PaymentImportResult:
    """The same for file content already in memory (an upload)."""
    table = read_bytes(data, label, PAYMENT_COLUMNS)
    return import_payments(session, table, creditor=creditor, at=at, actor=actor, zone=zone)


def payments_of(session: Session, account_ids: Sequence[int]) -> dict[int, list[tuple[int, datetime]]]:
    """(amount, paid_at) of each account's payments, oldest first."""
    return repository.payments_of(session, list(account_ids))


def debtor_ids_of(session: Session, account_ids: Sequence[int]) -> dict[int, int]:
    """account id → its debtor's id."""
    return repository.debtor_ids_of(session, account_ids)


# -- what analytics reads: account facts, payments, debtor groups (no names, no numbers) ----------

AGE_BANDS = ((25, "<25"), (35, "25-34"), (45, "35-44"), (55, "45-54"))
AGE_UNKNOWN = "unknown"


def age_band(national_id: str | None, on: date) -> str:
    """The age band (<25, 25-34, 35-44, 45-54, 55+) from an ID number's birth year, by the
    year of `on` (so ±1 year); "unknown" without a readable birth year. Only the band leaves."""
    year = birth_year(national_id) if national_id else None
    if year is None:
        return AGE_UNKNOWN
    age = on.year - int(year)
    for limit, name in AGE_BANDS:
        if age < limit:
            return name
    return "55+"


@dataclass(frozen=True, slots=True)
class ReportAccount:
    """What a report needs of an account and its debtor: codes and amounts, never personal data
    (the age band is computed here and the ID number is not returned)."""

    account_id: int
    creditor_code: str
    bucket: str
    status: str
    outstanding: int
    overdue: int
    region: str
    dialect: str
    age_band: str


def account_facts(session: Session, account_ids: Sequence[int], on: date) -> dict[int, ReportAccount]:
    """The facts of `account_ids` (read in chunks), keyed by account id."""
    found: dict[int, ReportAccount] = {}
    ids = sorted(set(account_ids))
    for i in range(0, len(ids), 500):
        for account, code, debtor in repository.accounts_with_debtors(session, ids[i : i + 500]):
            found[account.id] = ReportAccount(
                account_id=account.id,
                creditor_code=code,
                bucket=account.bucket,
                status=account.status,
                outstanding=account.outstanding,
                overdue=account.overdue,
                region=debtor.region or AGE_UNKNOWN,
                dialect=debtor.dialect,
                age_band=age_band(debtor.national_id, on),
            )
    return found


def payments_between(
    session: Session, since: datetime, until: datetime | None
) -> list[tuple[int, int, datetime]]:
    """(account id, amount, paid at) of the payments paid in [since, until) (until None: to now)."""
    return repository.payments_between(session, since, until)
