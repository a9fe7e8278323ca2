"""All SQL of the portfolio: the import's look-ups in chunks and Core bulk inserts (no per-row
flush), and the reads other domains make through `portfolio.service` (campaign targets, the
account and debtor a call is about, a debtor's numbers).

Inserts go to the `Table`, not the mapped class: the ORM bulk path splits a list into one
statement per distinct set of None columns, which made contacts (name or no name) row by row.
Encrypted columns are encrypted here in one pass and inserted through a copy of the table whose
`EncryptedText` columns are typed as their `LargeBinary` storage, so the stored bytes are the
same as the type decorator's while it is not invoked once per value.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import LargeBinary, Select, Table, bindparam, column, func, insert, select, table
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import ColumnElement, TableClause
from sqlalchemy.sql.type_api import TypeEngine

from huikuan.db import chunked
from huikuan.portfolio.models import Account, Batch, Contact, Creditor, Debtor, ImportRowError, Payment
from huikuan.security.crypto import EncryptedText, cipher

DEBTOR: Table = Debtor.__table__  # type: ignore[assignment]  # declarative tables are Tables
CONTACT: Table = Contact.__table__  # type: ignore[assignment]  # same
ACCOUNT: Table = Account.__table__  # type: ignore[assignment]  # same
ROW_ERROR: Table = ImportRowError.__table__  # type: ignore[assignment]  # same


class _SQLiteBlob(LargeBinary):
    """`LargeBinary` without the per-value `sqlite3.Binary` (memoryview) wrap SQLite does not need:
    SQLite stores `bytes` and `memoryview` as the same BLOB. Other dialects keep `LargeBinary`."""

    cache_ok = True

    def bind_processor(self, dialect: Dialect) -> None:
        return None


def _stored_binary() -> TypeEngine[bytes]:
    return LargeBinary().with_variant(_SQLiteBlob(), "sqlite")


def _raw(source: Table) -> tuple[TableClause, tuple[str, ...]]:
    """`source` with its encrypted columns typed as stored (binary), and their names."""
    encrypted = tuple(c.name for c in source.columns if isinstance(c.type, EncryptedText))
    raw = table(
        source.name,
        *(column(c.name, _stored_binary() if c.name in encrypted else c.type) for c in source.columns),
        schema=source.schema,
    )
    return raw, encrypted


RAW_DEBTOR, DEBTOR_ENCRYPTED = _raw(DEBTOR)
RAW_CONTACT, CONTACT_ENCRYPTED = _raw(CONTACT)


def _encrypt_rows(rows: Sequence[dict[str, Any]], names: Sequence[str]) -> list[dict[str, Any]]:
    """Copies of `rows` with the non-None values of `names` encrypted as `EncryptedText` does."""
    out = [dict(row) for row in rows]
    places = [(row, name) for row in out for name in names if row.get(name) is not None]
    sealed = cipher().encrypt_many([row[name] for row, name in places])
    for (row, name), blob in zip(places, sealed, strict=True):
        row[name] = blob
    return out


def get_or_create_creditor(session: Session, code: str) -> int:
    found = session.scalar(select(Creditor.id).where(Creditor.code == code))
    if found is not None:
        return found
    creditor = Creditor(code=code, name=code)
    session.add(creditor)
    session.flush()
    return creditor.id


def find_batch(session: Session, creditor_id: int, name: str) -> Batch | None:
    return session.scalar(select(Batch).where(Batch.creditor_id == creditor_id, Batch.name == name))


def create_batch(
    session: Session, creditor_id: int, name: str, sha256: str, at: datetime | None = None
) -> Batch:
    batch = Batch(
        creditor_id=creditor_id, name=name, created_at=at or datetime.now(UTC), source_sha256=sha256
    )
    session.add(batch)
    session.flush()
    return batch


def existing_loan_refs(session: Session, creditor_id: int, refs: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for chunk in chunked(refs):
        found.update(
            session.scalars(
                select(Account.loan_ref).where(
                    Account.creditor_id == creditor_id, Account.loan_ref.in_(chunk)
                )
            )
        )
    return found


def existing_debtors(session: Session, identity_keys: Sequence[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for chunk in chunked(identity_keys):
        rows = session.execute(select(Debtor.identity_key, Debtor.id).where(Debtor.identity_key.in_(chunk)))
        found.update((key, debtor_id) for key, debtor_id in rows)
    return found


def existing_contacts(session: Session, debtor_ids: Sequence[int]) -> set[tuple[int, str]]:
    found: set[tuple[int, str]] = set()
    for chunk in chunked(debtor_ids):
        rows = session.execute(
            select(Contact.debtor_id, Contact.number_key).where(Contact.debtor_id.in_(chunk))
        )
        found.update((debtor_id, key) for debtor_id, key in rows)
    return found


def insert_debtors(session: Session, rows: Sequence[dict[str, Any]]) -> dict[str, int]:
    """Insert debtors; returns identity_key → new id."""
    ids: dict[str, int] = {}
    if rows:
        result = session.execute(
            insert(RAW_DEBTOR).returning(RAW_DEBTOR.c.identity_key, RAW_DEBTOR.c.id),
            _encrypt_rows(rows, DEBTOR_ENCRYPTED),
        )
        ids.update((key, debtor_id) for key, debtor_id in result)
    return ids


def insert_contacts(session: Session, rows: Iterable[dict[str, Any]]) -> None:
    batch = list(rows)
    if batch:
        session.execute(insert(RAW_CONTACT), _encrypt_rows(batch, CONTACT_ENCRYPTED))


def insert_accounts(session: Session, rows: Iterable[dict[str, Any]]) -> None:
    batch = list(rows)
    if batch:
        session.execute(insert(ACCOUNT), batch)


def batch_contacts(session: Session, batch_id: int) -> list[tuple[int, int, str]]:
    """(contact id, debtor id, number_key) of every contact of the batch's debtors."""
    debtor_ids = select(Account.debtor_id).where(Account.batch_id == batch_id).distinct()
    rows = session.execute(
        select(Contact.id, Contact.debtor_id, Contact.number_key).where(Contact.debtor_id.in_(debtor_ids))
    )
    return [(cid, did, key) for cid, did, key in rows]


def batch_debtors(session: Session, batch_id: int) -> dict[str, int]:
    """loan_ref → debtor id for the batch's accounts."""
    rows = session.execute(select(Account.loan_ref, Account.debtor_id).where(Account.batch_id == batch_id))
    return {str(ref): int(debtor_id) for ref, debtor_id in rows}


# -- reads for other domains (through portfolio.service) ----------------------------------------


def batch_exists(session: Session, batch_id: int) -> bool:
    return session.get(Batch, batch_id) is not None


def open_accounts(
    session: Session,
    *,
    jurisdiction: str,
    batch_id: int | None,
    creditor_id: int | None,
    buckets: Sequence[str],
    dpd_min: int | None,
    dpd_max: int | None,
) -> list[tuple[int, int, int]]:
    """(account id, debtor id, overdue) of open accounts matching the filters, by account id."""
    query = select(Account.id, Account.debtor_id, Account.overdue).where(Account.status == "open")
    if batch_id is not None:
        query = query.where(Account.batch_id == batch_id)
    if creditor_id is not None:
        query = query.where(Account.creditor_id == creditor_id)
    if buckets:
        query = query.where(Account.bucket.in_(buckets))
    if dpd_min is not None:
        query = query.where(Account.days_past_due >= dpd_min)
    if dpd_max is not None:
        query = query.where(Account.days_past_due <= dpd_max)
    query = query.join(Debtor, Debtor.id == Account.debtor_id).where(Debtor.jurisdiction == jurisdiction)
    return [(a, d, o) for a, d, o in session.execute(query.order_by(Account.id))]


def call_subject_select(account_id: ColumnElement[int], debtor_id: ColumnElement[int]) -> Select[Any]:
    """The account and debtor columns one call needs, for the rows `account_id` and `debtor_id`
    (SQL expressions: bound parameters, or another table's columns) name."""
    return select(
        ACCOUNT.c.id.label("account_id"),
        ACCOUNT.c.bucket,
        ACCOUNT.c.product,
        ACCOUNT.c.overdue,
        ACCOUNT.c.due_date,
        DEBTOR.c.id.label("debtor_id"),
        DEBTOR.c.name.label("debtor_name"),
        DEBTOR.c.timezone,
        DEBTOR.c.dialect,
    ).where(ACCOUNT.c.id == account_id, DEBTOR.c.id == debtor_id)


def knowledge_facts(session: Session, account_id: int) -> tuple[str, str | None, str | None] | None:
    """(the creditor's knowledge check, the debtor's ID number, the product) of one account."""
    row = session.execute(
        select(Creditor.knowledge_check, Debtor.national_id, Account.product)
        .join(Creditor, Creditor.id == Account.creditor_id)
        .join(Debtor, Debtor.id == Account.debtor_id)
        .where(Account.id == account_id)
    ).first()
    return None if row is None else (row[0], row[1], row[2])


def set_knowledge_check(session: Session, creditor_id: int, check: str) -> None:
    creditor = session.get(Creditor, creditor_id)
    if creditor is not None:
        creditor.knowledge_check = check


_CONTACTS = select(Contact).where(Contact.debtor_id == bindparam("debtor_id")).order_by(Contact.id)


def contacts_of(session: Session, debtor_id: int) -> list[Contact]:
    return list(session.scalars(_CONTACTS, {"debtor_id": debtor_id}))


def profiling_rows(session: Session, until: datetime) -> tuple[list[Any], list[Any], list[Any]]:
    """Open accounts with their debtor's zone and field presence, contacts, payments before `until`."""
    accounts = session.execute(
        select(
            Account.id,
            Account.debtor_id,
            Account.bucket,
            Account.days_past_due,
            Account.as_of,
            Account.principal,
            Account.outstanding,
            Account.overdue,
            Debtor.timezone,
            Debtor.national_id.is_not(None),
            Debtor.region.is_not(None),
        )
        .join(Debtor, Debtor.id == Account.debtor_id)
        .where(Account.status == "open")
        .order_by(Account.id)
    ).all()
    contacts = session.execute(
        select(Contact.id, Contact.debtor_id, Contact.relation, Contact.status).order_by(Contact.id)
    ).all()
    payments = session.execute(
        select(Payment.account_id, Payment.amount, Payment.paid_at)
        .where(Payment.paid_at < until)
        .order_by(Payment.id)
    ).all()
    return list(accounts), list(contacts), list(payments)


def accounts_of(session: Session, debtor_id: int) -> Sequence[Account]:
    return session.scalars(select(Account).where(Account.debtor_id == debtor_id).order_by(Account.id)).all()


def accounts_by_ref(session: Session, creditor_id: int, refs: set[str]) -> dict[str, Account]:
    found: dict[str, Account] = {}
    ordered = sorted(refs)
    for start in range(0, len(ordered), 500):
        chunk = ordered[start : start + 500]
        query = select(Account).where(Account.creditor_id == creditor_id, Account.loan_ref.in_(chunk))
        found.update({a.loan_ref: a for a in session.scalars(query)})
    return found


def recorded_payment_references(session: Session, account_ids: list[int]) -> set[tuple[int, str]]:
    known: set[tuple[int, str]] = set()
    for start in range(0, len(account_ids), 500):
        chunk = account_ids[start : start + 500]
        query = select(Payment.account_id, Payment.reference).where(
            Payment.account_id.in_(chunk), Payment.reference.is_not(None)
        )
        known |= {(aid, ref) for aid, ref in session.execute(query) if ref is not None}
    return known


def payments_of(session: Session, account_ids: list[int]) -> dict[int, list[tuple[int, datetime]]]:
    """(amount, paid_at) of every payment of each account, oldest first (for settling promises)."""
    found: dict[int, list[tuple[int, datetime]]] = {aid: [] for aid in account_ids}
    for start in range(0, len(account_ids), 500):
        chunk = account_ids[start : start + 500]
        query = (
            select(Payment.account_id, Payment.amount, Payment.paid_at)
            .where(Payment.account_id.in_(chunk))
            .order_by(Payment.paid_at, Payment.id)
        )
        for aid, amount, paid_at in session.execute(query):
            found[aid].append((amount, paid_at))
    return found


def debtor_ids_of(session: Session, account_ids: Sequence[int]) -> dict[int, int]:
    found: dict[int, int] = {}
    for chunk in chunked(list(account_ids)):
        query = select(Account.id, Account.debtor_id).where(Account.id.in_(chunk))
        for account_id, debtor_id in session.execute(query):
            found[account_id] = debtor_id
    return found


def insert_row_errors(session: Session, batch_id: int, rows: Iterable[tuple[int, str, str]]) -> None:
    values = [{"batch_id": batch_id, "row": r, "column": c[:64], "reason": why[:200]} for r, c, why in rows]
    if values:
        session.execute(insert(ROW_ERROR), values)


def row_errors(session: Session, batch_id: int) -> Sequence[ImportRowError]:
    stmt = select(ImportRowError).where(ImportRowError.batch_id == batch_id)
    return session.scalars(stmt.order_by(ImportRowError.row, ImportRowError.id)).all()


def reason_counts(session: Session, batch_id: int) -> list[tuple[str, int]]:
    """Rejected rows' problems by reason, the most frequent first."""
    n = func.count(ImportRowError.id)
    stmt = (
        select(ImportRowError.reason, n)
        .where(ImportRowError.batch_id == batch_id)
        .group_by(ImportRowError.reason)
        .order_by(n.desc(), ImportRowError.reason)
    )
    return [(str(reason), int(count)) for reason, count in session.execute(stmt)]


def recent_batches(session: Session, limit: int) -> list[tuple[Batch, str]]:
    """The latest batches, newest first, with their creditor's code."""
    stmt = (
        select(Batch, Creditor.code)
        .join(Creditor, Creditor.id == Batch.creditor_id)
        .order_by(Batch.created_at.desc(), Batch.id.desc())
        .limit(limit)
    )
    return [(batch, str(code)) for batch, code in session.execute(stmt)]


def creditor_codes(session: Session) -> list[str]:
    return [str(code) for code in session.scalars(select(Creditor.code).order_by(Creditor.code))]


def get_batch(session: Session, batch_id: int) -> tuple[Batch, str] | None:
    row = session.execute(
        select(Batch, Creditor.code)
        .join(Creditor, Creditor.id == Batch.creditor_id)
        .where(Batch.id == batch_id)
    ).first()
    return None if row is None else (row[0], str(row[1]))


def accounts_with_debtors(session: Session, account_ids: Sequence[int]) -> list[tuple[Account, str, Debtor]]:
    """(account, creditor code, debtor) of `account_ids` (one chunk)."""
    stmt = (
        select(Account, Creditor.code, Debtor)
        .join(Creditor, Creditor.id == Account.creditor_id)
        .join(Debtor, Debtor.id == Account.debtor_id)
        .where(Account.id.in_(account_ids))
    )
    return [(a, str(code), d) for a, code, d in session.execute(stmt)]


def payments_between(
    session: Session, since: datetime, until: datetime | None
) -> list[tuple[int, int, datetime]]:
    stmt = select(Payment.account_id, Payment.amount, Payment.paid_at).where(Payment.paid_at >= since)
    if until is not None:
        stmt = stmt.where(Payment.paid_at < until)
    return [(int(a), int(m), at) for a, m, at in session.execute(stmt.order_by(Payment.paid_at, Payment.id))]
