"""The contact ledger: the per-debtor lock, history reads and reservation writes (all SQL)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, insert, or_, select, update
from sqlalchemy.orm import Session

from huikuan.compliance.models import LedgerEntry
from huikuan.compliance.schemas import ContactInfo, HistoryEntry
from huikuan.portfolio.models import Contact, Debtor
from huikuan.types import CallOutcome, Channel, Relation


@dataclass(frozen=True, slots=True)
class LockedDebtor:
    jurisdiction: str
    timezone: str
    other_timezones: tuple[str, ...]
    ai_voice_consent: bool


def lock_debtors_sharing(session: Session, debtor_id: int, number_key: str) -> LockedDebtor | None:
    """Lock the debtor and every other debtor holding the same number, in id order.

    A cap per number must hold across debtors sharing the phone, so all of them are locked;
    on PostgreSQL always in ascending id order, so two workers can never wait on each other.
    SQLite has one write lock for the whole file: the debtor's own update takes it first (a
    read before it could not be upgraded to a write under contention), which serialises the
    rest. Returns the debtor's facts, or None if there is no such debtor.
    """
    sqlite = session.get_bind().dialect.name == "sqlite"
    found = lock_debtor(session, debtor_id) if sqlite else None
    holders = set(
        session.execute(select(Contact.debtor_id).where(Contact.number_key == number_key)).scalars()
    )
    for holder in sorted(holders | {debtor_id}):
        if sqlite and holder == debtor_id:
            continue
        locked = lock_debtor(session, holder)
        if holder == debtor_id:
            found = locked
    return found


def lock_debtor(session: Session, debtor_id: int) -> LockedDebtor | None:
    """Take the per-debtor lock and read what rules need of the debtor; None if no such debtor.

    `UPDATE … SET contact_seq = contact_seq + 1` is portable: a row lock on PostgreSQL held to
    the end of the transaction, the database write lock on SQLite. It must be the first
    statement of the reservation so every read after it sees what other workers committed.
    """
    row = session.execute(
        update(Debtor)
        .where(Debtor.id == debtor_id)
        .values(contact_seq=Debtor.contact_seq + 1)
        .returning(Debtor.jurisdiction, Debtor.timezone, Debtor.other_timezones, Debtor.ai_voice_consent)
    ).one_or_none()
    if row is None:
        return None
    return LockedDebtor(row[0], row[1], tuple((row[2] or "").split()), bool(row[3]))


def history(session: Session, debtor_id: int, since: datetime) -> tuple[HistoryEntry, ...]:
    """The debtor's ledger since `since`, and every third-party entry whatever its age.

    Third-party rules ("never again after a refusal", "once only") have no time window.
    """
    return _entries(
        session,
        LedgerEntry.debtor_id == debtor_id,
        or_(LedgerEntry.at >= since, LedgerEntry.relation != Relation.SELF.value),
    )


def _entries(session: Session, *where: ColumnElement[bool]) -> tuple[HistoryEntry, ...]:
    rows = session.execute(
        select(
            LedgerEntry.contact_id,
            LedgerEntry.number_key,
            LedgerEntry.relation,
            LedgerEntry.at,
            LedgerEntry.outcome,
            LedgerEntry.conversation,
            LedgerEntry.refused_further_contact,
            LedgerEntry.channel,
        )
        .where(*where)
        .order_by(LedgerEntry.at, LedgerEntry.id)
    ).all()
    return tuple(
        HistoryEntry(
            contact_id=r[0],
            number_key=r[1],
            relation=Relation(r[2]),
            at=r[3],
            outcome=None if r[4] is None else CallOutcome(r[4]),
            conversation=bool(r[5]),
            refused_further_contact=bool(r[6]),
            channel=Channel(r[7]),
        )
        for r in rows
    )


def number_history(
    session: Session, number_key: str, *, other_than: int, since: datetime
) -> tuple[HistoryEntry, ...]:
    """Entries to this number made for other debtors (since `since`, refusals whatever their age)."""
    return _entries(
        session,
        LedgerEntry.number_key == number_key,
        LedgerEntry.debtor_id != other_than,
        or_(LedgerEntry.at >= since, LedgerEntry.refused_further_contact.is_(True)),
    )


def record_reservation(session: Session, contact: ContactInfo, at: datetime, channel: Channel) -> int:
    entry_id: int = session.execute(
        insert(LedgerEntry)
        .values(
            debtor_id=contact.debtor_id,
            contact_id=contact.id,
            number_key=contact.number_key,
            relation=contact.relation.value,
            channel=channel.value,
            at=at,
            outcome=None,
            conversation=False,
            refused_further_contact=False,
        )
        .returning(LedgerEntry.id)
    ).scalar_one()
    return entry_id


def record_outcome(
    session: Session,
    entry_id: int,
    outcome: CallOutcome,
    conversation: bool,
    refused_further_contact: bool,
    attempt_id: int | None,
) -> tuple[int, int] | None:
    """Fill in an entry's outcome; returns (debtor_id, contact_id) or None if there is no entry."""
    values: dict[str, object] = {
        "outcome": outcome.value,
        "conversation": conversation,
        "refused_further_contact": refused_further_contact,
    }
    if attempt_id is not None:
        values["attempt_id"] = attempt_id
    row = session.execute(
        update(LedgerEntry)
        .where(LedgerEntry.id == entry_id)
        .values(**values)
        .returning(LedgerEntry.debtor_id, LedgerEntry.contact_id)
    ).one_or_none()
    return None if row is None else (row[0], row[1])
