"""Shared value types and enums used across packages.

Money is always integer minor units (fen for CNY, cents for USD); statuses are `StrEnum`s so
they are stored and exported as readable strings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum

Fen = int  # integer minor units of the account's currency


def to_minor_units(text: str) -> Fen:
    """Parse a decimal amount such as '1,234.50' or '¥1234.5' into minor units."""
    cleaned = text.strip().replace(",", "").replace("，", "").lstrip("¥$￥").strip()
    if cleaned.endswith("元"):
        cleaned = cleaned[:-1]
    try:
        value = Decimal(cleaned)
    except InvalidOperation as exc:
        raise ValueError("not a number") from exc
    if not value.is_finite():
        raise ValueError("not a finite number")
    return int((value * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def from_minor_units(amount: Fen) -> float:
    """Minor units back to a decimal amount in yuan or dollars (for export and display)."""
    return amount / 100


@dataclass(frozen=True, slots=True)
class CallingWindow:
    """The hours of a local day in which a debtor may be called: [start, end).

    The rule pack (with the operator's settings) is its only source:
    `huikuan.compliance.calling_window(jurisdiction)`; other packages receive it as a value.
    """

    start: time
    end: time  # exclusive

    def __post_init__(self) -> None:
        if self.start >= self.end:
            raise ValueError(f"calling window {self} must start before it ends")

    def contains(self, at: time) -> bool:
        """True when the local clock time `at` lies inside the window."""
        return self.start <= at.replace(tzinfo=None) < self.end

    def covers(self, other: CallingWindow) -> bool:
        """True when `other` lies wholly inside this window."""
        return self.start <= other.start and other.end <= self.end

    def __str__(self) -> str:
        return f"{self.start:%H:%M}–{self.end:%H:%M}"


class Jurisdiction(StrEnum):
    CN = "CN"
    US = "US"


class Relation(StrEnum):
    SELF = "self"
    EMERGENCY_CONTACT = "emergency_contact"
    FAMILY = "family"
    EMPLOYER = "employer"


class ContactStatus(StrEnum):
    UNKNOWN = "unknown"
    VALID = "valid"
    INVALID = "invalid"
    POWERED_OFF = "powered_off"


class Channel(StrEnum):
    VOICE = "voice"
    SMS = "sms"


class CallOutcome(StrEnum):
    ANSWERED = "answered"
    NO_ANSWER = "no_answer"
    BUSY = "busy"
    INVALID_NUMBER = "invalid_number"
    POWERED_OFF = "powered_off"
    REJECTED = "rejected"
    FAILED = "failed"
    VOICEMAIL = "voicemail"
    # Our side failed before the callee's network was reached (a dead trunk, a transport error,
    # 503 from every trunk): recorded, never counted against a debtor's contact caps.
    TRUNK_FAILED = "trunk_failed"


class Disposition(StrEnum):
    PTP = "ptp"
    PAID = "paid"
    DISPUTE = "dispute"
    HARDSHIP = "hardship"
    INSTALLMENT = "installment"
    REFUSED = "refused"
    CALLBACK = "callback"
    WRONG_NUMBER = "wrong_number"
    THIRD_PARTY = "third_party"
    ABUSIVE_HANGUP = "abusive_hangup"
    TRANSFERRED = "transferred"
    CEASE_REQUESTED = "cease_requested"
    COMPLAINT = "complaint"
    # The person answering said the debtor has died: condolences only, and a hold for a person.
    DECEASED = "deceased"
    # Answered in an agent campaign with no agent free and robot overflow off: hung up unheard.
    # The 30-day abandon ratio (US.ABANDON, ≤ 3% per campaign) counts these over answered calls.
    ABANDONED = "abandoned"
    NONE = "none"


class KnowledgeCheck(StrEnum):
    """What a creditor's robot asks, after the name, before any disclosure (`creditor.knowledge_check`)."""

    NONE = "none"
    ID_LAST4 = "id_last4"  # the last four characters of the ID number
    BIRTH_YEAR = "birth_year"
    PRODUCT = "product"  # the loan product's name


class AttemptStatus(StrEnum):
    RESERVED = "reserved"  # compliance allowed it; the dial has not finished
    COMPLETED = "completed"
    FAILED = "failed"  # the call crashed; the outcome is what the carrier last said


class PromiseStatus(StrEnum):
    PENDING = "pending"
    KEPT = "kept"
    BROKEN = "broken"
    CANCELLED = "cancelled"


class Speaker(StrEnum):
    ROBOT = "robot"
    DEBTOR = "debtor"
    AGENT = "agent"
