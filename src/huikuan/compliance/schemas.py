"""Typed values the compliance rules work on: pure data, no database."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from huikuan.types import CallOutcome, Channel, ContactStatus, Relation


class StopKind(StrEnum):
    COMPLAINT = "complaint"
    DISPUTE = "dispute"
    CEASE = "cease"
    # The debtor reported deceased: a hold on all automated contact until a person reviews it.
    DECEASED = "deceased"


@dataclass(frozen=True, slots=True)
class ContactInfo:
    """What compliance knows about one number: no number itself, only its blind index."""

    id: int
    debtor_id: int
    relation: Relation
    status: ContactStatus
    number_key: str
    refused_contact: bool = False


@dataclass(frozen=True, slots=True)
class DebtorInfo:
    """The debtor as rules see it: where they are (every candidate zone) and their numbers.

    `timezone` is the best-known zone; `other_timezones` are further candidates (a US area code
    that spans zones, a number and an address in different zones). Time rules must hold in all.
    """

    id: int
    jurisdiction: str
    timezone: str
    contacts: tuple[ContactInfo, ...] = ()
    other_timezones: tuple[str, ...] = ()

    @property
    def timezones(self) -> tuple[str, ...]:
        return (self.timezone, *(z for z in self.other_timezones if z != self.timezone))


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One ledger entry: a contact already reserved (its outcome is None while in progress)."""

    contact_id: int
    number_key: str
    relation: Relation
    at: datetime
    outcome: CallOutcome | None
    conversation: bool
    refused_further_contact: bool = False
    channel: Channel = Channel.VOICE

    @property
    def in_progress(self) -> bool:
        return self.outcome is None


@dataclass(frozen=True, slots=True)
class Flags:
    """Facts about the debtor that stop or allow contact whatever the history says.

    `ai_voice_consent` is the consumer's prior express consent to artificial-voice calls (TCPA,
    FCC 24-17); None means not known, which a rule needing consent treats as no consent.
    """

    open_stops: tuple[StopKind, ...] = ()
    ai_voice_consent: bool | None = None


@dataclass(frozen=True, slots=True)
class Proposal:
    """The contact compliance is asked about."""

    contact: ContactInfo
    at: datetime
    channel: Channel = Channel.VOICE
    artificial_voice: bool = False  # a robot (AI or recorded voice) would speak on this call


@dataclass(frozen=True, slots=True)
class RuleInput:
    """What a rule decides on. `number_history` holds the proposed number's entries made for
    *other* debtors (a number shared by a couple, or someone's emergency contact who is another
    debtor): caps per number and "never again" follow the phone, not the debtor's file."""

    debtor: DebtorInfo
    history: tuple[HistoryEntry, ...]
    flags: Flags
    proposal: Proposal
    number_history: tuple[HistoryEntry, ...] = ()

    @property
    def contact(self) -> ContactInfo:
        return self.proposal.contact


@dataclass(frozen=True, slots=True)
class Decision:
    """The answer to "may this contact be reached now?", explained in Chinese and English.

    `next_allowed_at` is the earliest instant the same contact could be allowed, when it can be
    known from the rules alone; None when it depends on a person (a stop) or on future events.
    """

    allowed: bool
    rule: str | None
    reason_zh: str
    reason_en: str
    next_allowed_at: datetime | None = None
    ledger_entry_id: int | None = None
    denials: tuple[str, ...] = field(default=())

    @property
    def reason(self) -> str:
        return f"{self.reason_zh} / {self.reason_en}"


ALLOWED_REASON_ZH = "符合全部规则"
ALLOWED_REASON_EN = "all rules pass"
