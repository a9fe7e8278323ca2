"""SQL of compliance other than the ledger: contact facts, decisions, stops."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from huikuan.compliance.models import Complaint
from huikuan.compliance.schemas import ContactInfo, StopKind
from huikuan.portfolio.models import Contact
from huikuan.types import ContactStatus, Relation


def debtor_contacts(session: Session, debtor_id: int) -> tuple[ContactInfo, ...]:
    """The debtor's contacts without decrypting anything (no number is needed to decide)."""
    rows = session.execute(
        select(Contact.id, Contact.relation, Contact.status, Contact.number_key, Contact.refused_contact)
        .where(Contact.debtor_id == debtor_id)
        .order_by(Contact.id)
    ).all()
    return tuple(
        ContactInfo(
            id=r[0],
            debtor_id=debtor_id,
            relation=Relation(r[1]),
            status=ContactStatus(r[2]),
            number_key=r[3],
            refused_contact=bool(r[4]),
        )
        for r in rows
    )


def open_stops(session: Session, debtor_id: int) -> tuple[StopKind, ...]:
    rows = session.execute(
        select(Complaint.kind).where(Complaint.debtor_id == debtor_id, Complaint.status == "open")
    ).scalars()
    return tuple(sorted({StopKind(k) for k in rows}))


def insert_stop(
    session: Session,
    *,
    debtor_id: int,
    kind: StopKind,
    at: datetime,
    attempt_id: int | None,
    details: str | None,
) -> int:
    stop_id: int = session.execute(
        insert(Complaint)
        .values(
            debtor_id=debtor_id,
            attempt_id=attempt_id,
            kind=kind.value,
            status="open",
            opened_at=at,
            details=details,
        )
        .returning(Complaint.id)
    ).scalar_one()
    return stop_id


def mark_contact(
    session: Session, contact_id: int, *, status: ContactStatus | None = None, refused: bool = False
) -> None:
    """Record what a call proved about a number.

    The contact table belongs to `portfolio`; this moves behind a portfolio service once that
    package has one. Compliance writes only the two facts its rules depend on.
    """
    values: dict[str, object] = {}
    if status is not None:
        values["status"] = status.value
    if refused:
        values["refused_contact"] = True
    if values:
        session.execute(update(Contact).where(Contact.id == contact_id).values(**values))


def stops(session: Session, *, open_only: bool, debtor_id: int | None = None) -> list[Complaint]:
    stmt = select(Complaint).order_by(Complaint.opened_at, Complaint.id)
    if open_only:
        stmt = stmt.where(Complaint.status == "open")
    if debtor_id is not None:
        stmt = stmt.where(Complaint.debtor_id == debtor_id)
    return list(session.execute(stmt).scalars())


def get_stop(session: Session, stop_id: int) -> Complaint | None:
    return session.get(Complaint, stop_id)
