"""The compliance API other packages call: reserve a contact, record its outcome, open stops."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy.orm import Session

from huikuan.compliance import ledger, repository
from huikuan.compliance.rules import LOOKBACK, pack_for
from huikuan.compliance.schemas import DebtorInfo, Decision, Flags, Proposal, RuleInput, StopKind
from huikuan.errors import NotFound
from huikuan.portfolio.models import Contact
from huikuan.types import CallOutcome, Channel, ContactStatus


def reserve(
    session: Session,
    contact: Contact,
    at: datetime,
    channel: Channel = Channel.VOICE,
    *,
    artificial_voice: bool = False,
) -> Decision:
    """Decide whether `contact` may be reached at `at` and, if so, record the reservation.

    Runs under the per-debtor lock, so the counts it reads cannot change until the caller's
    transaction ends; every decision, allowed or denied, is recorded. `artificial_voice` says a
    robot would speak (the US pack then needs the consumer's consent).
    """
    if at.tzinfo is None:
        raise ValueError("reserve() needs a timezone-aware instant")
    locked = ledger.lock_debtor(session, contact.debtor_id)
    if locked is None:
        raise NotFound(f"debtor {contact.debtor_id} not found")
    jurisdiction = locked.jurisdiction
    pack = pack_for(jurisdiction)
    contacts = repository.debtor_contacts(session, contact.debtor_id)
    info = next((c for c in contacts if c.id == contact.id), None)
    if info is None:
        raise NotFound(f"contact {contact.id} not found for debtor {contact.debtor_id}")

    inp = RuleInput(
        debtor=DebtorInfo(
            id=contact.debtor_id,
            jurisdiction=jurisdiction,
            timezone=locked.timezone,
            contacts=contacts,
            other_timezones=locked.other_timezones,
        ),
        history=ledger.history(session, contact.debtor_id, since=at - LOOKBACK),
        flags=Flags(
            open_stops=repository.open_stops(session, contact.debtor_id),
            ai_voice_consent=locked.ai_voice_consent,
        ),
        proposal=Proposal(contact=info, at=at, channel=channel, artificial_voice=artificial_voice),
    )
    decision = pack.decide(inp)
    if decision.allowed:
        entry_id = ledger.record_reservation(session, info, at, channel)
        decision = replace(decision, ledger_entry_id=entry_id)
    repository.record_decision(
        session,
        debtor_id=contact.debtor_id,
        contact_id=contact.id,
        jurisdiction=jurisdiction,
        channel=channel,
        at=at,
        decision=decision,
    )
    return decision


def record_outcome(
    session: Session,
    ledger_entry_id: int,
    outcome: CallOutcome,
    conversation: bool,
    refused_further_contact: bool = False,
    *,
    attempt_id: int | None = None,
) -> None:
    """Fill in what a reserved contact turned out to be; an invalid number is marked so."""
    found = ledger.record_outcome(
        session, ledger_entry_id, outcome, conversation, refused_further_contact, attempt_id
    )
    if found is None:
        raise NotFound(f"ledger entry {ledger_entry_id} not found")
    _, contact_id = found
    status = ContactStatus.INVALID if outcome == CallOutcome.INVALID_NUMBER else None
    repository.mark_contact(session, contact_id, status=status, refused=refused_further_contact)


def open_stop(
    session: Session,
    debtor_id: int,
    kind: StopKind,
    at: datetime,
    *,
    attempt_id: int | None = None,
    details: str | None = None,
) -> int:
    """Open a complaint, dispute or cease request: all contact stops until a person clears it."""
    return repository.insert_stop(
        session, debtor_id=debtor_id, kind=kind, at=at, attempt_id=attempt_id, details=details
    )
