"""The compliance API other packages call: reserve a contact, record its outcome, open stops."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from huikuan.compliance import ledger, repository
from huikuan.compliance.models import Complaint, GuardEvent
from huikuan.compliance.rules import LOOKBACK, pack_for
from huikuan.compliance.schemas import DebtorInfo, Decision, Flags, Proposal, RuleInput, StopKind
from huikuan.db import activity
from huikuan.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from huikuan.portfolio.models import Contact
from huikuan.security import audit, users
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
    read = ledger.lock_and_read(session, contact.debtor_id, contact.number_key, since=at - LOOKBACK)
    if read is None:
        raise NotFound(f"debtor {contact.debtor_id} not found")
    jurisdiction = read.debtor.jurisdiction
    pack = pack_for(jurisdiction)
    info = next((c for c in read.contacts if c.id == contact.id), None)
    if info is None:
        raise NotFound(f"contact {contact.id} not found for debtor {contact.debtor_id}")
    inp = RuleInput(
        debtor=DebtorInfo(
            id=contact.debtor_id,
            jurisdiction=jurisdiction,
            timezone=read.debtor.timezone,
            contacts=read.contacts,
            other_timezones=read.debtor.other_timezones,
        ),
        history=read.history,
        flags=Flags(open_stops=read.open_stops, ai_voice_consent=read.debtor.ai_voice_consent),
        proposal=Proposal(contact=info, at=at, channel=channel, artificial_voice=artificial_voice),
        number_history=read.number_history,
    )
    decision = pack.decide(inp)
    if decision.allowed:
        return ledger.record_allowed(session, info, at, channel, jurisdiction, decision)
    ledger.record_decision(
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
    activity.announce(session)
    return repository.insert_stop(
        session, debtor_id=debtor_id, kind=kind, at=at, attempt_id=attempt_id, details=details
    )


@dataclass(frozen=True, slots=True)
class StopView:
    """A stop as an officer's list shows it: ids and facts, no personal data."""

    id: int
    debtor_id: int
    kind: StopKind
    status: str
    opened_at: datetime
    attempt_id: int | None
    cleared_by: int | None
    cleared_at: datetime | None
    cleared_reason: str | None


def _view(s: Complaint) -> StopView:
    return StopView(
        id=s.id,
        debtor_id=s.debtor_id,
        kind=StopKind(s.kind),
        status=s.status,
        opened_at=s.opened_at,
        attempt_id=s.attempt_id,
        cleared_by=s.cleared_by,
        cleared_at=s.cleared_at,
        cleared_reason=s.cleared_reason,
    )


def list_stops(session: Session, *, open_only: bool = True, debtor_id: int | None = None) -> list[StopView]:
    return [_view(s) for s in repository.stops(session, open_only=open_only, debtor_id=debtor_id)]


def get_stop(session: Session, stop_id: int) -> StopView:
    stop = repository.get_stop(session, stop_id)
    if stop is None:
        raise NotFound(f"没有该停止记录 / stop {stop_id} not found")
    return _view(stop)


# A reason an auditor can read later: a word or two is not one, a letter is too long.
STOP_REASON_MIN, STOP_REASON_MAX = 5, 500


def clear_stop(session: Session, stop_id: int, *, officer_id: int, reason: str, at: datetime) -> None:
    """A compliance officer lifts a stop, saying why; recorded on the stop and in the audit log."""
    reason = " ".join(reason.split())
    if not reason:
        raise InvalidInput("解除须说明理由 / clearing a stop needs a reason")
    if not STOP_REASON_MIN <= len(reason) <= STOP_REASON_MAX:
        raise InvalidInput(
            f"解除理由须为 {STOP_REASON_MIN}–{STOP_REASON_MAX} 个字 / "
            f"the reason must be {STOP_REASON_MIN} to {STOP_REASON_MAX} characters"
        )
    officer = users.get_user(session, officer_id)
    if not officer.active or not users.has_role(officer, users.Role.COMPLIANCE_OFFICER):
        raise PermissionDenied("只有合规专员可以解除 / only a compliance officer may clear a stop")
    stop = repository.get_stop(session, stop_id)
    if stop is None:
        raise NotFound(f"没有该停止记录 / stop {stop_id} not found")
    if stop.status != "open":
        raise Conflict(f"停止记录 {stop_id} 已解除 / stop {stop_id} is already cleared")
    stop.status = "cleared"
    stop.cleared_by = officer_id
    stop.cleared_at = at
    stop.cleared_reason = reason
    audit.append(
        session,
        actor=f"user:{officer_id}",
        action="compliance.stop.clear",
        entity="complaint",
        entity_id=str(stop_id),
        details={"debtor_id": stop.debtor_id, "kind": stop.kind, "reason": reason},
        at=at,
    )


@dataclass(frozen=True, slots=True)
class BlockedSentence:
    """What the content guard blocked in a call (the sentence with personal data masked)."""

    node: str | None
    contexts: tuple[str, ...]
    categories: tuple[str, ...]
    masked_text: str


def record_blocked_sentences(
    session: Session,
    blocked: Sequence[BlockedSentence],
    *,
    at: datetime,
    lang: str,
    attempt_id: int | None = None,
    script_version_id: int | None = None,
) -> None:
    """Keep every blocked sentence for review; each was replaced by the script's safe line."""
    for b in blocked:
        session.add(
            GuardEvent(
                at=at,
                attempt_id=attempt_id,
                script_version_id=script_version_id,
                node=b.node,
                lang=lang,
                contexts=" ".join(b.contexts),
                categories=" ".join(b.categories),
                text=b.masked_text,
            )
        )
    if blocked:
        session.flush()
