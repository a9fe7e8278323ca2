"""The contact ledger: the per-debtor lock, the reads under it and the reservation writes (all SQL).

This is the hot path of every robot call, so its statements are SQLAlchemy Core constructs
built once at import with bound parameters: a call only binds values, and SQLAlchemy reuses
their compiled form. They run on the session's connection (after flushing anything the
caller left pending, as `Session.execute` would), so no ORM machinery sits in the path.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, Table, and_, bindparam, insert, or_, select, update
from sqlalchemy.orm import Session

from huikuan.compliance.models import Complaint, LedgerEntry
from huikuan.compliance.models import Decision as DecisionRow
from huikuan.compliance.schemas import ContactInfo, Decision, HistoryEntry, StopKind
from huikuan.portfolio.models import Contact, Debtor
from huikuan.types import CallOutcome, Channel, ContactStatus, Relation

_debtor = cast(Table, Debtor.__table__)
_contact = cast(Table, Contact.__table__)
_ledger = cast(Table, LedgerEntry.__table__)
_decision = cast(Table, DecisionRow.__table__)
_complaint = cast(Table, Complaint.__table__)

# `UPDATE … SET contact_seq = contact_seq + 1` is the portable lock: a row lock on PostgreSQL
# held to the end of the transaction, the database write lock on SQLite.
_LOCK = (
    update(_debtor)
    .where(_debtor.c.id == bindparam("debtor_id"))
    .values(contact_seq=_debtor.c.contact_seq + 1)
    .returning(
        _debtor.c.jurisdiction, _debtor.c.timezone, _debtor.c.other_timezones, _debtor.c.ai_voice_consent
    )
)
_HOLDERS = select(_contact.c.debtor_id).where(_contact.c.number_key == bindparam("number_key"))
_CONTACT_COLUMNS = (
    _contact.c.id,
    _contact.c.debtor_id,
    _contact.c.relation,
    _contact.c.status,
    _contact.c.number_key,
    _contact.c.refused_contact,
)
# The debtor's contacts with its open stops joined beside each: a debtor has a few contacts and
# rarely a stop, so one read (rows = contacts x stops) costs less than a second round trip.
_CONTACTS_WITH_STOPS = select(*_CONTACT_COLUMNS, _complaint.c.kind).select_from(
    _contact.outerjoin(
        _complaint, and_(_complaint.c.debtor_id == bindparam("debtor_id"), _complaint.c.status == "open")
    )
)
_CONTACTS = _CONTACTS_WITH_STOPS.where(_contact.c.debtor_id == bindparam("debtor_id")).order_by(_contact.c.id)
# SQLite: the number's other holders in the same read (under its file lock, taken already).
_CONTACTS_AND_HOLDERS = _CONTACTS_WITH_STOPS.where(
    or_(_contact.c.debtor_id == bindparam("debtor_id"), _contact.c.number_key == bindparam("number_key"))
).order_by(_contact.c.id)

_HISTORY_COLUMNS = (
    _ledger.c.debtor_id,
    _ledger.c.contact_id,
    _ledger.c.number_key,
    _ledger.c.relation,
    _ledger.c.at,
    _ledger.c.outcome,
    _ledger.c.conversation,
    _ledger.c.refused_further_contact,
    _ledger.c.channel,
)
# The debtor's entries since `since`, and every third-party entry whatever its age: third-party
# rules ("never again after a refusal", "once only") have no time window.
_OWN = and_(
    _ledger.c.debtor_id == bindparam("debtor_id"),
    or_(_ledger.c.at >= bindparam("since"), _ledger.c.relation != Relation.SELF.value),
)
# Entries to the number made for other debtors: since `since`, refusals whatever their age.
_NUMBER = and_(
    _ledger.c.number_key == bindparam("number_key"),
    _ledger.c.debtor_id != bindparam("debtor_id"),
    or_(_ledger.c.at >= bindparam("since"), _ledger.c.refused_further_contact.is_(True)),
)
_ORDER = (_ledger.c.at, _ledger.c.id)
_HISTORY = select(*_HISTORY_COLUMNS).where(_OWN).order_by(*_ORDER)
_NUMBER_HISTORY = select(*_HISTORY_COLUMNS).where(_NUMBER).order_by(*_ORDER)
_BOTH_HISTORIES = select(*_HISTORY_COLUMNS).where(or_(_OWN, _NUMBER)).order_by(*_ORDER)

_RECORD_DECISION = insert(_decision)
_DECISION_COLUMNS = (
    "at",
    "debtor_id",
    "contact_id",
    "jurisdiction",
    "channel",
    "allowed",
    "rule",
    "reason",
    "next_allowed_at",
)
_RESERVE = (
    insert(_ledger)
    .values(
        debtor_id=bindparam("debtor_id"),
        contact_id=bindparam("contact_id"),
        number_key=bindparam("number_key"),
        relation=bindparam("relation"),
        channel=bindparam("channel"),
        at=bindparam("at"),
        outcome=None,
        conversation=False,
        refused_further_contact=False,
    )
    .returning(_ledger.c.id)
)
# PostgreSQL: the ledger entry and the decision that names it in one statement (a data-modifying
# CTE), one round trip fewer per allowed call; SQLite has no such CTE and runs the two inserts.
_ENTRY = _RESERVE.cte("entry")
_RESERVE_AND_DECIDE = (
    insert(_decision)
    .from_select(
        [*_DECISION_COLUMNS, "ledger_entry_id"],
        select(*(bindparam(f"d_{c}", type_=_decision.c[c].type) for c in _DECISION_COLUMNS), _ENTRY.c.id),
    )
    .returning(_decision.c.ledger_entry_id)
)
_OUTCOME = (
    update(_ledger)
    .where(_ledger.c.id == bindparam("entry_id"))
    .values(
        outcome=bindparam("outcome"),
        conversation=bindparam("conversation"),
        refused_further_contact=bindparam("refused_further_contact"),
    )
    .returning(_ledger.c.debtor_id, _ledger.c.contact_id)
)
_OUTCOME_WITH_ATTEMPT = _OUTCOME.values(attempt_id=bindparam("attempt_id"))


@dataclass(frozen=True, slots=True)
class LockedDebtor:
    jurisdiction: str
    timezone: str
    other_timezones: tuple[str, ...]
    ai_voice_consent: bool


@dataclass(frozen=True, slots=True)
class Reading:
    """What the rules need, read under the lock of every debtor sharing the number."""

    debtor: LockedDebtor
    contacts: tuple[ContactInfo, ...]  # the debtor's own, by id
    history: tuple[HistoryEntry, ...]
    number_history: tuple[HistoryEntry, ...]
    open_stops: tuple[StopKind, ...]


def connection(session: Session) -> Connection:
    """The session's connection, with anything the caller left pending flushed first.

    `Session.execute` autoflushes; running Core statements on the connection does not, and a
    reservation must see (and may refer to) what the caller has added in its transaction.
    """
    if session.autoflush:
        session.flush()
    return session.connection()


def lock_and_read(session: Session, debtor_id: int, number_key: str, since: datetime) -> Reading | None:
    """Lock the debtor and every debtor sharing `number_key`, then read what the rules need.

    The lock is the first thing a reservation does on SQLite and precedes every read the rules
    use on PostgreSQL, so every read sees what other workers committed. None if no such debtor.
    """
    conn = connection(session)
    locked, rows = _lock_debtors_sharing(conn, debtor_id, number_key)
    if locked is None:
        return None
    own = [r for r in rows if r[1] == debtor_id]
    history, number_history = _histories(conn, debtor_id, number_key, since)
    return Reading(
        debtor=locked,
        contacts=tuple(_contact_info(r) for i, r in enumerate(own) if i == 0 or own[i - 1][0] != r[0]),
        history=history,
        number_history=number_history,
        open_stops=tuple(sorted({StopKind(r[6]) for r in own if r[6] is not None})),
    )


def lock_debtors_sharing(session: Session, debtor_id: int, number_key: str) -> LockedDebtor | None:
    """Lock the debtor and every other debtor holding the same number, in id order; the
    debtor's facts, or None if there is no such debtor."""
    return _lock_debtors_sharing(connection(session), debtor_id, number_key)[0]


def _lock_debtors_sharing(
    conn: Connection, debtor_id: int, number_key: str
) -> tuple[LockedDebtor | None, Sequence[Sequence[Any]]]:
    """The locks, then the contacts read under them (with open stops; `_CONTACTS_WITH_STOPS`).

    A cap per number must hold across debtors sharing the phone, so all of them are locked;
    on PostgreSQL always in ascending id order, so two workers can never wait on each other.
    SQLite has one write lock for the whole file: the debtor's own update takes it first (a
    read before it could not be upgraded to a write under contention), which serialises the
    rest, so the contacts and the number's other holders are then read together.
    """
    if conn.dialect.name == "sqlite":
        found = _lock(conn, debtor_id)
        if found is None:
            return None, ()
        rows = conn.execute(_CONTACTS_AND_HOLDERS, {"debtor_id": debtor_id, "number_key": number_key}).all()
        for holder in sorted({r[1] for r in rows if r[4] == number_key} - {debtor_id}):
            _lock(conn, holder)
        return found, rows
    holders = set(conn.execute(_HOLDERS, {"number_key": number_key}).scalars())
    found = None
    for holder in sorted(holders | {debtor_id}):
        locked = _lock(conn, holder)
        if holder == debtor_id:
            found = locked
    if found is None:
        return None, ()
    return found, conn.execute(_CONTACTS, {"debtor_id": debtor_id}).all()


def lock_debtor(session: Session, debtor_id: int) -> LockedDebtor | None:
    """Take the per-debtor lock and read what rules need of the debtor; None if no such debtor.

    It must be the first statement of the reservation so every read after it sees what other
    workers committed.
    """
    return _lock(connection(session), debtor_id)


def _lock(conn: Connection, debtor_id: int) -> LockedDebtor | None:
    row = conn.execute(_LOCK, {"debtor_id": debtor_id}).one_or_none()
    if row is None:
        return None
    return LockedDebtor(row[0], row[1], tuple((row[2] or "").split()), bool(row[3]))


def _contact_info(r: Sequence[Any]) -> ContactInfo:
    return ContactInfo(
        id=r[0],
        debtor_id=r[1],
        relation=Relation(r[2]),
        status=ContactStatus(r[3]),
        number_key=r[4],
        refused_contact=bool(r[5]),
    )


def history(session: Session, debtor_id: int, since: datetime) -> tuple[HistoryEntry, ...]:
    """The debtor's ledger since `since`, and every third-party entry whatever its age."""
    rows = connection(session).execute(_HISTORY, {"debtor_id": debtor_id, "since": since})
    return tuple(_entry(r) for r in rows)


def number_history(
    session: Session, number_key: str, *, other_than: int, since: datetime
) -> tuple[HistoryEntry, ...]:
    """Entries to this number made for other debtors (since `since`, refusals whatever their age)."""
    rows = connection(session).execute(
        _NUMBER_HISTORY, {"number_key": number_key, "debtor_id": other_than, "since": since}
    )
    return tuple(_entry(r) for r in rows)


def _histories(
    conn: Connection, debtor_id: int, number_key: str, since: datetime
) -> tuple[tuple[HistoryEntry, ...], tuple[HistoryEntry, ...]]:
    """`history` and `number_history` in one read: the debtor's entries, then the others'."""
    rows = conn.execute(_BOTH_HISTORIES, {"debtor_id": debtor_id, "number_key": number_key, "since": since})
    own: list[HistoryEntry] = []
    others: list[HistoryEntry] = []
    for r in rows:
        (own if r[0] == debtor_id else others).append(_entry(r))
    return tuple(own), tuple(others)


def _entry(r: Sequence[Any]) -> HistoryEntry:
    return HistoryEntry(
        contact_id=r[1],
        number_key=r[2],
        relation=Relation(r[3]),
        at=r[4],
        outcome=None if r[5] is None else CallOutcome(r[5]),
        conversation=bool(r[6]),
        refused_further_contact=bool(r[7]),
        channel=Channel(r[8]),
    )


def record_reservation(session: Session, contact: ContactInfo, at: datetime, channel: Channel) -> int:
    """Write the ledger entry of an allowed contact (its outcome follows when the call ends)."""
    entry_id: int = connection(session).execute(_RESERVE, _entry_values(contact, at, channel)).scalar_one()
    return entry_id


def record_allowed(
    session: Session,
    contact: ContactInfo,
    at: datetime,
    channel: Channel,
    jurisdiction: str,
    decision: Decision,
) -> Decision:
    """Write the ledger entry of an allowed contact and the decision naming it; the decision
    with its `ledger_entry_id`."""
    conn = connection(session)
    if conn.dialect.name == "sqlite":
        entry_id: int = conn.execute(_RESERVE, _entry_values(contact, at, channel)).scalar_one()
        decision = replace(decision, ledger_entry_id=entry_id)
        conn.execute(
            _RECORD_DECISION,
            _decision_values(contact.debtor_id, contact.id, jurisdiction, channel, at, decision),
        )
        return decision
    decided = _decision_values(contact.debtor_id, contact.id, jurisdiction, channel, at, decision)
    params = _entry_values(contact, at, channel) | {f"d_{c}": decided[c] for c in _DECISION_COLUMNS}
    entry_id = conn.execute(_RESERVE_AND_DECIDE, params).scalar_one()
    return replace(decision, ledger_entry_id=entry_id)


def _entry_values(contact: ContactInfo, at: datetime, channel: Channel) -> dict[str, object]:
    return {
        "debtor_id": contact.debtor_id,
        "contact_id": contact.id,
        "number_key": contact.number_key,
        "relation": contact.relation.value,
        "channel": channel.value,
        "at": at,
    }


def record_decision(
    session: Session,
    *,
    debtor_id: int,
    contact_id: int | None,
    jurisdiction: str,
    channel: Channel,
    at: datetime,
    decision: Decision,
) -> None:
    """Keep a reserve() answer for audit (an allowed one goes through `record_allowed`)."""
    connection(session).execute(
        _RECORD_DECISION, _decision_values(debtor_id, contact_id, jurisdiction, channel, at, decision)
    )


def _decision_values(
    debtor_id: int,
    contact_id: int | None,
    jurisdiction: str,
    channel: Channel,
    at: datetime,
    decision: Decision,
) -> dict[str, object]:
    return {
        "at": at,
        "debtor_id": debtor_id,
        "contact_id": contact_id,
        "jurisdiction": jurisdiction,
        "channel": channel.value,
        "allowed": decision.allowed,
        "rule": decision.rule,
        "reason": decision.reason,
        "next_allowed_at": decision.next_allowed_at,
        "ledger_entry_id": decision.ledger_entry_id,
    }


def record_outcome(
    session: Session,
    entry_id: int,
    outcome: CallOutcome,
    conversation: bool,
    refused_further_contact: bool,
    attempt_id: int | None,
) -> tuple[int, int] | None:
    """Fill in an entry's outcome; returns (debtor_id, contact_id) or None if there is no entry."""
    params: dict[str, object] = {
        "entry_id": entry_id,
        "outcome": outcome.value,
        "conversation": conversation,
        "refused_further_contact": refused_further_contact,
    }
    stmt = _OUTCOME
    if attempt_id is not None:
        stmt, params["attempt_id"] = _OUTCOME_WITH_ATTEMPT, attempt_id
    row = connection(session).execute(stmt, params).one_or_none()
    return None if row is None else (row[0], row[1])
